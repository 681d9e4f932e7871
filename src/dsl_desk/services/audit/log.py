"""Reading the audit trail: filtered, newest first, a page at a time.

The trail grows with every view and change, so it is never read whole for the screen: pages are fetched by
keyset (`id < before_id ORDER BY id DESC LIMIT n`), which walks the primary key backwards and stops as
soon as a page is full, however large the table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select

from dsl_desk.core.clock import LONDON
from dsl_desk.core.i18n import N_, _
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.audit.verify import AuditReport, verify_audit_trail
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.store.models import AuditEvent, User

PAGE_SIZE = 500

# Words for the actions people meet most; any other action is shown with its underscores as spaces.
ACTION_WORDS = {
    "setup": N_("Database set up"),
    "unlock": N_("Unlocked"),
    "unlock_failed": N_("Failed unlock attempt(s)"),
    "lock": N_("Locked"),
    "backup_made": N_("Backup made"),
    "backup_failed": N_("Backup FAILED"),
    "backup_inspected": N_("Backup looked at"),
    "backup_settings_changed": N_("Backup settings changed"),
    "restore_started": N_("Restore started"),
    "restored": N_("Backup restored"),
    "key_file_restored": N_("Key file restored from a backup"),
    "audit_verified": N_("Audit trail checked"),
    "audit_viewed": N_("Audit trail viewed"),
    "report_exported": N_("Report exported"),
    "transfer_exported": N_("Case file exported for transfer"),
    "transfer_sent": N_("Case file marked as sent"),
    "transfer_acknowledged": N_("Receipt of transferred file recorded"),
    "transfer_chased": N_("Transfer receipt chased"),
    "transfer_cancelled": N_("Transfer cancelled"),
    "transfer_imported": N_("Transferred case file imported"),
    "certificate_trusted": N_("Signing certificate trusted (fingerprint confirmed by phone)"),
    "certificate_untrusted": N_("Signing certificate no longer trusted"),
    "sar_recorded": N_("Subject access request recorded"),
    "sar_identity_confirmed": N_("Requester's identity confirmed"),
    "sar_extended": N_("Subject access deadline extended"),
    "sar_term_added": N_("Name added for redaction"),
    "sar_term_removed": N_("Name removed from redaction"),
    "sar_item_withheld": N_("Item withheld (exemption)"),
    "sar_item_unwithheld": N_("Withheld item disclosed again"),
    "sar_exported": N_("Subject access response exported"),
    "sar_responded": N_("Subject access request answered"),
    "sar_withdrawn": N_("Subject access request withdrawn"),
    "retention_hold_placed": N_("Record kept past retention (hold)"),
    "retention_hold_lifted": N_("Retention hold lifted"),
    "record_deleted": N_("Record DELETED at end of retention"),
}


@dataclass(frozen=True)
class AuditFilter:
    """Empty fields match everything. Dates are London calendar days, both ends included."""

    user_id: int | None = None
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    entity: str = ""
    entity_id: int | None = None

    def is_empty(self) -> bool:
        return self == AuditFilter()


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    user_id: int | None
    user: str
    action: str
    action_words: str
    entity: str
    entity_id: int | None
    record: str
    detail: str


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    has_more: bool

    @property
    def next_before_id(self) -> int | None:
        return self.rows[-1].id if self.has_more and self.rows else None


@dataclass(frozen=True)
class AuditChoices:
    users: tuple[tuple[int, str], ...]
    actions: tuple[str, ...]
    entities: tuple[str, ...]


def action_words(action: str) -> str:
    return _(ACTION_WORDS[action]) if action in ACTION_WORDS else action.replace("_", " ").capitalize()


def list_events(
    ctx: AppContext,
    filters: AuditFilter | None = None,
    *,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
    record_view: bool = True,
) -> AuditPage:
    """One page of audit rows, newest first. Looking at the trail is itself recorded (first page only)."""
    filters = filters or AuditFilter()
    _validate(filters)
    query = _filtered(select(AuditEvent, User.display_name).outerjoin(User), filters)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    query = query.order_by(AuditEvent.id.desc()).limit(limit + 1)  # one extra says whether there is more
    with ctx.store.session() as session:
        fetched = session.execute(query).all()
        if record_view and before_id is None:
            _record_view(ctx, session, filters)
    rows = tuple(_row(event, name) for event, name in fetched[:limit])
    return AuditPage(rows, len(fetched) > limit)


def _validate(filters: AuditFilter) -> None:
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationError(
            _("The “from” date is after the “to” date. Swap them round."), field="date_from"
        )


def _filtered(query: Select[Any], filters: AuditFilter) -> Select[Any]:
    if filters.user_id is not None:
        query = query.where(AuditEvent.user_id == filters.user_id)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.date_from is not None:
        query = query.where(AuditEvent.at >= _start_of(filters.date_from))
    if filters.date_to is not None:
        query = query.where(AuditEvent.at < _start_of(filters.date_to + timedelta(days=1)))
    if filters.entity:
        query = query.where(AuditEvent.entity == filters.entity)
    if filters.entity_id is not None:
        query = query.where(AuditEvent.entity_id == filters.entity_id)
    return query


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), LONDON).astimezone(UTC)


def _record_view(ctx: AppContext, session: Any, filters: AuditFilter) -> None:
    shown = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(filters).items() if v}
    audit.record(
        session,
        at=ctx.clock.now(),
        user_id=ctx.actor.user_id,
        action="audit_viewed",
        entity="audit",
        detail={"filters": shown},
    )


def _row(event: AuditEvent, user_name: str | None) -> AuditRow:
    kind = event.entity.replace("_", " ")
    record = f"{kind} {event.entity_id}" if event.entity_id is not None else kind
    return AuditRow(
        id=event.id,
        at=event.at,
        user_id=event.user_id,
        user=user_name or "—",
        action=event.action,
        action_words=action_words(event.action),
        entity=event.entity,
        entity_id=event.entity_id,
        record=record,
        detail=detail_words(event.detail),
    )


def detail_words(detail: str) -> str:
    """`{"a": 1, "b": "x"}` as `a: 1 · b: x`, for a table cell; the JSON as written if it is not a dict."""
    try:
        parsed = json.loads(detail or "{}")
    except ValueError:
        return detail
    if not isinstance(parsed, dict):
        return detail
    # Empty values say nothing in a table cell; the full JSON stays in the row for the export.
    shown = {key: value for key, value in parsed.items() if value not in (None, "")}
    return " · ".join(f"{key.replace('_', ' ')}: {_value(value)}" for key, value in shown.items())


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
    return "—" if value in (None, "") else str(value)


def filter_choices(ctx: AppContext) -> AuditChoices:
    """The users, actions and record kinds that occur in the trail, for the filter lists."""
    with ctx.store.session() as session:
        users = session.execute(select(User.id, User.display_name).order_by(User.display_name)).all()
        actions = session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
        entities = session.scalars(
            select(AuditEvent.entity).where(AuditEvent.entity != "").distinct().order_by(AuditEvent.entity)
        ).all()
    return AuditChoices(tuple((uid, name) for uid, name in users), tuple(actions), tuple(entities))


def verify(ctx: AppContext) -> AuditReport:
    """Walk the whole hash chain (recorded as `audit_verified`)."""
    return verify_audit_trail(ctx)
