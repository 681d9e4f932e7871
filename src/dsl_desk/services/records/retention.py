"""Retention review: records past their retention date, holds that keep one longer, and secure deletion.

A record is deleted only by a DSL who types the child's full name, and only once it is past its retention date
(core.retention) with nothing open on it. The deletion is one transaction: every row tied to the child goes,
a tombstone (no name, no content) and an audit row (ids and counts only) are written, and the audit chain stays
whole. The append-only guard on the discussion log is lifted for that one transaction and put back before it
commits. Then the database file is rewritten (VACUUM) and its write-ahead log emptied, so nothing of the record
is left in free space inside the file or beside it. Backups keep the record until they age out.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from dsl_desk.core import retention as rules
from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.core.i18n import _
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError, ValidationError
from dsl_desk.services.records.due_item import RecordDue
from dsl_desk.store.errors import NotFound, StoreError
from dsl_desk.store.migrate import MIGRATIONS_DIR
from dsl_desk.store.models import (
    ActionItem,
    Attachment,
    ChecklistItem,
    Child,
    DiscussionEntry,
    DocumentRecord,
    Draft,
    EntryShare,
    Escalation,
    ImmediateRiskChange,
    Resolution,
    StageRecord,
    User,
)
from dsl_desk.store.models_learning import LessonFollowUp
from dsl_desk.store.models_records import (
    CaseTransfer,
    RetentionDeletion,
    RetentionHold,
    SarRedaction,
    SubjectAccessRequest,
)

MAX_REASON = 2000
# Drafts are kept per wizard kind (ui.wizards.drafts, services.form_values): these are about one escalation.
ESCALATION_DRAFT_KINDS = ("escalate", "resolve")
FORM_DRAFT_PREFIX = "form:"
NEW_ESCALATION_DRAFT = "new_escalation"  # its payload names the child chosen
LOG_GUARD = "discussion_entries_no_delete"
LOG_MIGRATION_FILE = "0002_discussion_search.py"


# -- read models --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    """A record past its retention date (or back for review because its hold's review date came)."""

    child_id: int
    name: str
    date_of_birth: date
    retention_until: date  # the birthday that ends the retention period
    keep_until: date  # the date that counts (earlier when the file was transferred and our copy expired)
    due_because: str
    escalations: int
    entries: int
    attachments: int
    blockers: tuple[str, ...]
    on_hold: bool
    can_delete: bool

    @property
    def what_would_go(self) -> str:
        return ", ".join(
            (
                _plural(self.escalations, "escalation"),
                _plural(self.entries, "log entry", "log entries"),
                _plural(self.attachments, "attachment"),
            )
        )


@dataclass(frozen=True)
class HoldRow:
    hold_id: int
    child_id: int
    name: str
    date_of_birth: date
    reason: str
    review_on: date | None
    placed_at: datetime
    placed_by: str
    review_due: bool  # its review date has come: keep it longer, or lift it


@dataclass(frozen=True)
class TombstoneRow:
    id: int
    former_child_id: int
    year_of_birth: int
    retention_until: date
    reason: str
    counts: dict[str, int]
    deleted_at: datetime
    deleted_by: str

    @property
    def what_went(self) -> str:
        return describe_counts(self.counts)


@dataclass(frozen=True)
class DeletionPreview:
    """Everything the confirmation shows before a record is deleted."""

    child_id: int
    name: str
    date_of_birth: date
    retention_until: date
    keep_until: date
    due: bool
    due_because: str
    blockers: tuple[str, ...]
    counts: dict[str, int]  # table -> rows that would be deleted
    backups_holding: int
    backup_note: str

    @property
    def can_delete(self) -> bool:
        return self.due and not self.blockers

    @property
    def lines(self) -> list[str]:
        return describe_count_lines(self.counts)


@dataclass(frozen=True)
class DeletionResult:
    tombstone_id: int
    counts: dict[str, int]
    file_overwritten: bool  # the file was rewritten and its write-ahead log emptied
    file_problem: str = ""

    @property
    def message(self) -> str:
        done = _("The record was deleted ({describe_counts}). A note of the deletion is kept.").format(
            describe_counts=describe_counts(self.counts)
        )
        if self.file_overwritten:
            return done
        return _(
            "{done} The database file could not be rewritten yet ({file_problem}), so traces may remain "
            "in its free space. Free some disk space, then run “dsl-desk retention tidy”."
        ).format(done=done, file_problem=self.file_problem)


# What a deletion removes, in the order it removes it (rows before the rows they point to). The words say
# what each table holds, for the confirmation and the list of past deletions.
TABLE_WORDS: dict[str, tuple[str, str]] = {
    "sar_redactions": ("redaction log line", "redaction log lines"),
    "subject_access_requests": ("subject access request", "subject access requests"),
    "retention_holds": ("hold", "holds"),
    "drafts": ("unfinished draft", "unfinished drafts"),
    "lesson_follow_ups": ("lessons follow-up", "lessons follow-ups"),
    "document_records": ("record of a form sent or printed", "records of forms sent or printed"),
    "checklist_items": ("checklist item", "checklist items"),
    "immediate_risk_changes": ("change of immediate risk", "changes of immediate risk"),
    "resolutions": ("resolution", "resolutions"),
    "escalation_stages": ("escalation stage", "escalation stages"),
    "attachments": ("attachment", "attachments"),
    "entry_shares": ("note of sharing", "notes of sharing"),
    "action_items": ("agreed action", "agreed actions"),
    "discussion_entries": ("log entry", "log entries"),
    "escalations": ("escalation", "escalations"),
    "children": ("child's details", "children's details"),
    "case_transfers_kept_without_child": (
        "record of a transfer kept, without the child",
        "records of transfers kept, without the child",
    ),
}
SUMMARY_TABLES = ("children", "escalations", "discussion_entries", "attachments")


@dataclass(frozen=True)
class _Scope:
    """The ids of every row tied to one child."""

    child_id: int
    escalations: tuple[int, ...]
    entries: tuple[int, ...]
    requests: tuple[int, ...]
    attachments: tuple[int, ...]
    drafts: tuple[int, ...]


def _tied_rows() -> list[tuple[str, type[Any], Callable[[_Scope], ColumnElement[bool]]]]:
    return [
        ("sar_redactions", SarRedaction, lambda s: SarRedaction.request_id.in_(s.requests)),
        (
            "subject_access_requests",
            SubjectAccessRequest,
            lambda s: SubjectAccessRequest.child_id == s.child_id,
        ),
        ("retention_holds", RetentionHold, lambda s: RetentionHold.child_id == s.child_id),
        ("drafts", Draft, lambda s: Draft.id.in_(s.drafts)),
        ("lesson_follow_ups", LessonFollowUp, lambda s: LessonFollowUp.escalation_id.in_(s.escalations)),
        ("document_records", DocumentRecord, lambda s: DocumentRecord.escalation_id.in_(s.escalations)),
        ("checklist_items", ChecklistItem, lambda s: ChecklistItem.escalation_id.in_(s.escalations)),
        (
            "immediate_risk_changes",
            ImmediateRiskChange,
            lambda s: ImmediateRiskChange.escalation_id.in_(s.escalations),
        ),
        ("resolutions", Resolution, lambda s: Resolution.escalation_id.in_(s.escalations)),
        ("escalation_stages", StageRecord, lambda s: StageRecord.escalation_id.in_(s.escalations)),
        ("attachments", Attachment, lambda s: Attachment.id.in_(s.attachments)),
        ("entry_shares", EntryShare, lambda s: EntryShare.entry_id.in_(s.entries)),
        ("action_items", ActionItem, lambda s: ActionItem.entry_id.in_(s.entries)),
        ("discussion_entries", DiscussionEntry, lambda s: DiscussionEntry.id.in_(s.entries)),
        ("escalations", Escalation, lambda s: Escalation.child_id == s.child_id),
        ("children", Child, lambda s: Child.id == s.child_id),
    ]


# -- the review list ----------------------------------------------------------------------------------------


def list_due_for_review(ctx: AppContext) -> list[ReviewRow]:
    """Records past their retention date, oldest first. Records kept longer (on hold) are left out until the
    hold's review date comes, when they come back with the hold shown as what stops deletion."""
    today = _today(ctx)
    with ctx.store.session() as session:
        due = _due(session, today)
        return [_review_row(session, child, decision, hold) for child, decision, hold in due]


def records_due(ctx: AppContext) -> list[RecordDue]:
    """For the dashboard: one summary row when any record is past its retention date."""
    with ctx.store.session() as session:
        count = len(_due(session, _today(ctx)))
    if not count:
        return []
    what = (
        _("1 record is past its retention date — review it")
        if count == 1
        else _("{count} records are past their retention date — review them").format(count=count)
    )
    return [RecordDue("retention", 0, None, "", what, None, "", False)]


def _due(session: Session, today: date) -> list[tuple[Child, rules.ReviewDecision, RetentionHold | None]]:
    found = []
    facts = _Facts.load(session)
    # Only records old enough, or whose transferred copy has an end date, can be due: the dashboard asks this
    # every minute, and reading every child on ten years of data took 130-230 ms.
    candidates = or_(
        Child.date_of_birth < rules.born_before_for_review(today, facts.years),
        Child.id.in_(facts.transfers),
    )
    for child in session.scalars(select(Child).where(candidates).order_by(Child.date_of_birth, Child.id)):
        hold = facts.holds.get(child.id)
        decision = rules.review(facts.of(child, today))
        held = hold is not None and (hold.review_on is None or hold.review_on > today)
        if decision.due and not held:
            found.append((child, decision, hold))
    return found


def _review_row(
    session: Session, child: Child, decision: rules.ReviewDecision, hold: RetentionHold | None
) -> ReviewRow:
    scope = _scope(session, child.id)
    return ReviewRow(
        child.id,
        child.full_name,
        child.date_of_birth,
        decision.retention_until,
        decision.keep_until,
        decision.due_because,
        len(scope.escalations),
        len(scope.entries),
        len(scope.attachments),
        decision.blockers,
        hold is not None,
        decision.can_delete,
    )


@dataclass
class _Facts:
    """What the retention rules need about every child, read in a handful of queries."""

    years: int
    open_escalations: dict[int, int]
    open_requests: dict[int, int]
    holds: dict[int, RetentionHold]
    transfers: dict[int, rules.TransferOut] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> _Facts:
        return cls(
            organisation(session).retention_years_after_birth,
            _counts_by_child(session, Escalation.child_id, Escalation.status == "open"),
            _counts_by_child(session, SubjectAccessRequest.child_id, SubjectAccessRequest.status == "open"),
            {h.child_id: h for h in session.scalars(_active_holds().order_by(RetentionHold.placed_at))},
            _transfers_out(session),
        )

    def of(self, child: Child, today: date) -> rules.ReviewFacts:
        hold = self.holds.get(child.id)
        return rules.ReviewFacts(
            date_of_birth=child.date_of_birth,
            years_after_birth=self.years,
            today=today,
            transfer=self.transfers.get(child.id),
            hold=rules.Hold(hold.reason, hold.review_on) if hold else None,
            open_escalations=self.open_escalations.get(child.id, 0),
            open_requests=self.open_requests.get(child.id, 0),
        )


def _counts_by_child(session: Session, column: Any, condition: ColumnElement[bool]) -> dict[int, int]:
    rows = session.execute(select(column, func.count()).where(condition).group_by(column))
    return {int(child_id): int(count) for child_id, count in rows}


def _active_holds() -> Any:
    return select(RetentionHold).where(RetentionHold.lifted_at.is_(None))


def _transfers_out(session: Session) -> dict[int, rules.TransferOut]:
    """The newest transfer out of each child's file that says how long our copy is kept."""
    query = (
        select(CaseTransfer)
        .where(
            CaseTransfer.direction == "out",
            CaseTransfer.child_id.is_not(None),
            CaseTransfer.keep_copy_until.is_not(None),
            CaseTransfer.status.in_(("sent", "acknowledged")),  # a file prepared but never sent is still ours
        )
        .order_by(CaseTransfer.created_at, CaseTransfer.id)
    )
    found: dict[int, rules.TransferOut] = {}
    for transfer in session.scalars(query):
        acknowledged = transfer.status == "acknowledged" or transfer.acknowledged_at is not None
        assert transfer.child_id is not None
        assert transfer.keep_copy_until is not None
        found[transfer.child_id] = rules.TransferOut(
            transfer.other_school, transfer.keep_copy_until, acknowledged
        )
    return found


def _scope(session: Session, child_id: int) -> _Scope:
    escalations = tuple(session.scalars(select(Escalation.id).where(Escalation.child_id == child_id)))
    entries = tuple(
        session.scalars(
            select(DiscussionEntry.id).where(
                (DiscussionEntry.child_id == child_id) | DiscussionEntry.escalation_id.in_(escalations)
            )
        )
    )
    requests = tuple(
        session.scalars(select(SubjectAccessRequest.id).where(SubjectAccessRequest.child_id == child_id))
    )
    attachments = tuple(
        session.scalars(
            select(Attachment.id).where(
                Attachment.entry_id.in_(entries) | Attachment.escalation_id.in_(escalations)
            )
        )
    )
    return _Scope(
        child_id, escalations, entries, requests, attachments, _draft_ids(session, child_id, escalations)
    )


def _draft_ids(session: Session, child_id: int, escalations: Iterable[int]) -> tuple[int, ...]:
    """Unfinished wizards about this child: on one of its escalations, or a new escalation naming it."""
    escalation_ids = set(escalations)
    return tuple(
        draft.id for draft in session.scalars(select(Draft)) if _draft_about(draft, child_id, escalation_ids)
    )


def _draft_about(draft: Draft, child_id: int, escalation_ids: set[int]) -> bool:
    if draft.kind in ESCALATION_DRAFT_KINDS or draft.kind.startswith(FORM_DRAFT_PREFIX):
        return draft.subject_id in escalation_ids
    return draft.kind == NEW_ESCALATION_DRAFT and _names_child(draft.payload, child_id)


def _names_child(payload: str, child_id: int) -> bool:
    try:
        chosen = json.loads(payload).get("child_id")
        return chosen is not None and int(chosen) == child_id
    except (ValueError, TypeError, AttributeError):  # not our JSON: not about this child
        return False


# -- holds --------------------------------------------------------------------------------------------------


def list_holds(ctx: AppContext) -> list[HoldRow]:
    """Records kept past their retention date (or before it, on an instruction not to destroy)."""
    today = _today(ctx)
    with ctx.store.session() as session:
        query = (
            _active_holds()
            .add_columns(Child, User.display_name)
            .join(Child, Child.id == RetentionHold.child_id)
            .join(User, User.id == RetentionHold.placed_by_id)
            .order_by(RetentionHold.placed_at)
        )
        return [_hold_row(hold, child, by, today) for hold, child, by in session.execute(query)]


def _hold_row(hold: RetentionHold, child: Child, placed_by: str, today: date) -> HoldRow:
    return HoldRow(
        hold.id,
        child.id,
        child.full_name,
        child.date_of_birth,
        hold.reason,
        hold.review_on,
        hold.placed_at,
        placed_by,
        hold.review_on is not None and hold.review_on <= today,
    )


def place_hold(ctx: AppContext, child_id: int, reason: str, review_on: date | None = None) -> HoldRow:
    """Keep a record past its retention date, saying why and (if known) when to look at it again."""
    reason = _required_reason(
        reason,
        _(
            "Say why this record is to be kept longer (for example, an inquiry "
            "has asked that such records are not destroyed)."
        ),
    )
    if review_on is not None:
        bounds.check_date(review_on, _("the review date"), field="review_on")
    now = ctx.clock.now()
    today = london(now).date()
    if review_on is not None and review_on <= today:
        raise ValidationError(
            _(
                "The review date {review_on} is not in the future. Choose a later date, or leave it empty."
            ).format(review_on=day_month_year(review_on)),
            field="review_on",
        )
    with ctx.store.session() as session:
        child = _child(session, child_id)
        existing = session.scalars(_active_holds().where(RetentionHold.child_id == child_id)).first()
        if existing is not None:
            raise ValidationError(
                _(
                    "{full_name}'s record is already kept longer ({reason}). Lift that hold first "
                    "to change it."
                ).format(full_name=child.full_name, reason=existing.reason),
                field="reason",
            )
        hold = RetentionHold(
            child_id=child_id,
            reason=reason,
            review_on=review_on,
            placed_at=now,
            placed_by_id=ctx.actor.user_id,
        )
        session.add(hold)
        session.flush()
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="retention_hold_placed",
            entity="child",
            entity_id=child_id,
            detail={"hold": hold.id, "review_on": review_on.isoformat() if review_on else None},
        )
        return _hold_row(hold, child, ctx.actor.display_name, today)


def lift_hold(ctx: AppContext, child_id: int) -> None:
    """End the hold on a record: it comes back to the review list if it is past its retention date."""
    now = ctx.clock.now()
    with ctx.store.session() as session:
        child = _child(session, child_id)
        holds = list(session.scalars(_active_holds().where(RetentionHold.child_id == child_id)))
        if not holds:
            raise ValidationError(
                _("{full_name}'s record is not being kept longer: there is no hold to lift.").format(
                    full_name=child.full_name
                )
            )
        for hold in holds:
            hold.lifted_at = now
            hold.lifted_by_id = ctx.actor.user_id
            audit.record(
                session,
                at=now,
                user_id=ctx.actor.user_id,
                action="retention_hold_lifted",
                entity="child",
                entity_id=child_id,
                detail={"hold": hold.id},
            )


# -- past deletions -----------------------------------------------------------------------------------------


def list_deletions(ctx: AppContext) -> list[TombstoneRow]:
    """Records deleted at the end of retention, newest first: no names, only what went, when, who and why."""
    with ctx.store.session() as session:
        query = (
            select(RetentionDeletion, User.display_name)
            .join(User, User.id == RetentionDeletion.deleted_by_id)
            .order_by(RetentionDeletion.deleted_at.desc(), RetentionDeletion.id.desc())
        )
        return [
            TombstoneRow(
                row.id,
                row.former_child_id,
                row.year_of_birth,
                row.retention_until,
                row.reason,
                {str(k): int(v) for k, v in json.loads(row.counts or "{}").items()},
                row.deleted_at,
                by,
            )
            for row, by in session.execute(query)
        ]


# -- deleting -----------------------------------------------------------------------------------------------


def deletion_preview(ctx: AppContext, child_id: int) -> DeletionPreview:
    """What deleting this record would remove, whether it may be deleted now, and what the backups hold."""
    today = _today(ctx)
    with ctx.store.session() as session:
        child = _child(session, child_id)
        decision = rules.review(_Facts.load(session).of(child, today))
        scope = _scope(session, child_id)
        counts = {
            table: int(session.scalar(select(func.count()).select_from(model).where(where(scope))) or 0)
            for table, model, where in _tied_rows()
        }
        created_at = child.created_at
        name, born = child.full_name, child.date_of_birth
    holding, note = _backups_note(ctx, created_at)
    return DeletionPreview(
        child_id,
        name,
        born,
        decision.retention_until,
        decision.keep_until,
        decision.due,
        decision.due_because,
        decision.blockers,
        {table: count for table, count in counts.items() if count},
        holding,
        note,
    )


def _backups_note(ctx: AppContext, created_at: datetime) -> tuple[int, str]:
    from dsl_desk.services.records.backup_settings import load_settings
    from dsl_desk.services.records.backups import list_available_backups

    holding = sum(1 for backup in list_available_backups(ctx) if backup.made_at >= created_at)
    days = load_settings(ctx.store.paths).generations
    held = (
        _("No backup holds it now.")
        if not holding
        else _("{plural} made since it was started hold it now.").format(plural=_plural(holding, "backup"))
    )
    return holding, (
        _(
            "Backups keep the record until they age out: DSL Desk keeps {plural} of backups, and copies "
            "made before a restore until someone removes them. {held} Restoring an older backup would bring it back."
        ).format(plural=_plural(days, "day"), held=held)
    )


def delete_record(ctx: AppContext, child_id: int, reason: str, confirm_name: str) -> DeletionResult:
    """Delete everything held about a child whose retention period has ended, in one transaction.

    Refused, with nothing changed, unless the record is past its retention date with no hold, open escalation
    or open subject access request, and `confirm_name` is the child's full name.
    """
    reason = _required_reason(
        reason,
        _(
            "Say why the record is being deleted (for example, “Retention period ended; reviewed by the DSL”)."
        ),
    )
    bounds.check_text(
        confirm_name, _("the name typed to confirm"), limit=bounds.LINE_MAX, field="confirm_name"
    )
    now = ctx.clock.now()
    with ctx.store.session() as session:
        child = _child(session, child_id)
        decision = rules.review(_Facts.load(session).of(child, london(now).date()))
        _check_deletable(child, decision, reason, confirm_name)
        scope = _scope(session, child_id)
        counts = _delete_everything(session, scope)
        tombstone = RetentionDeletion(
            former_child_id=child_id,
            year_of_birth=child.date_of_birth.year,
            retention_until=decision.keep_until,
            reason=reason,
            counts=json.dumps(counts, sort_keys=True),
            deleted_at=now,
            deleted_by_id=ctx.actor.user_id,
        )
        session.add(tombstone)
        session.flush()
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="record_deleted",
            entity="child",
            entity_id=child_id,
            # Which entries and files went (ids only): `audit verify` then knows they were deleted, not lost.
            detail={
                "tombstone": tombstone.id,
                "counts": counts,
                "entry_ids": list(scope.entries),
                "attachment_ids": list(scope.attachments),
            },
        )
        tombstone_id = tombstone.id
    problem = tidy_database_file(ctx)
    return DeletionResult(tombstone_id, counts, not problem, problem)


def _check_deletable(child: Child, decision: rules.ReviewDecision, reason: str, confirm_name: str) -> None:
    if not decision.due:
        raise ServiceError(
            _(
                "{full_name}'s record is kept until {keep_until}, so it cannot be deleted "
                "yet. Nothing was deleted."
            ).format(full_name=child.full_name, keep_until=day_month_year(decision.keep_until))
        )
    if decision.blockers:
        raise ServiceError(
            _("This record cannot be deleted yet. ")
            + " ".join(decision.blockers)
            + _(" Nothing was deleted.")
        )
    if not names_match(confirm_name, child.full_name):
        raise ValidationError(
            _(
                "The name typed is not the child's full name as it is on the record, so nothing was deleted. "
                "Type it exactly as shown."
            ),
            field="confirm_name",
        )
    if _mentions(reason, child):
        raise ValidationError(
            _("Leave the child's name out of the reason: the reason is kept after the record is gone."),
            field="reason",
        )


def _delete_everything(session: Session, scope: _Scope) -> dict[str, int]:
    connection = session.connection()
    # The first write opens the transaction, so the guard dropped below is put back or rolled back with it.
    transfers = connection.execute(
        update(CaseTransfer).where(CaseTransfer.child_id == scope.child_id).values(child_id=None)
    ).rowcount
    driver = connection.connection.driver_connection
    if not getattr(driver, "in_transaction", False):
        raise ServiceError(
            _("The deletion could not start safely (no transaction was open). Nothing was deleted.")
        )
    secure_before = connection.exec_driver_sql("PRAGMA secure_delete").scalar()
    connection.exec_driver_sql("PRAGMA secure_delete = ON")  # freed space is overwritten, not just unlinked
    try:
        guard = _log_guard_sql()
        connection.exec_driver_sql(f"DROP TRIGGER {LOG_GUARD}")
        counts = {
            table: connection.execute(delete(model).where(where(scope))).rowcount
            for table, model, where in _tied_rows()
        }
        connection.exec_driver_sql(guard)
        # The index keeps words of deleted entries in its old segments; rebuilt, it holds only what is left.
        connection.exec_driver_sql("INSERT INTO discussion_fts(discussion_fts) VALUES ('rebuild')")
    finally:
        # Also on failure. (SQLCipher turns secure_delete on for keyed databases anyway; setting it here
        # keeps the guarantee if that default ever changes.)
        connection.exec_driver_sql(f"PRAGMA secure_delete = {int(secure_before or 0)}")
    counts["case_transfers_kept_without_child"] = transfers
    return {table: count for table, count in counts.items() if count}


def _log_guard_sql() -> str:
    """The guard's SQL exactly as migration 0002 created it: the same trigger goes back.

    Loaded from the migration file as Alembic loads it (a frozen app keeps migrations as files, not modules).
    """
    path = MIGRATIONS_DIR / "versions" / LOG_MIGRATION_FILE
    spec = importlib.util.spec_from_file_location("dsl_desk_migration_0002", path)
    if spec is None or spec.loader is None:
        raise ServiceError(
            _("DSL Desk could not read {path}, so nothing was deleted. Reinstall DSL Desk.").format(path=path)
        )
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for statement in migration._TRIGGERS:
        if statement.startswith(f"CREATE TRIGGER {LOG_GUARD} "):
            return str(statement)
    raise ServiceError(
        _("{path} does not say how the discussion log is protected, so nothing was deleted.").format(
            path=path
        )
    )


def tidy_database_file(ctx: AppContext) -> str:
    """Rewrite the database file from what it holds now and empty its write-ahead log.

    Deleted rows can leave copies of older values in a page's free space and in the log beside the file;
    VACUUM builds every page afresh and TRUNCATE empties the log. Returns "" when done, else the reason.
    """
    try:
        # A unit of work of its own (no other one runs meanwhile), outside any transaction, as VACUUM needs.
        with ctx.store.session() as session:
            connection = session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            connection.exec_driver_sql("VACUUM")
            busy, _log, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    except (DBAPIError, StoreError) as error:
        return str(getattr(error, "orig", error))
    if busy:
        return _("another part of DSL Desk was reading the database")
    return ""


# -- helpers ------------------------------------------------------------------------------------------------


def describe_counts(counts: dict[str, int]) -> str:
    """'1 child's details, 2 escalations, 5 log entries, 1 attachment' — the main things only."""
    parts = [_table_words(table, counts[table]) for table in SUMMARY_TABLES if counts.get(table)]
    return ", ".join(parts) if parts else "nothing"


def describe_count_lines(counts: dict[str, int]) -> list[str]:
    """One line per kind of row, the main things first: the child, escalations, log entries, attachments."""
    kept = "case_transfers_kept_without_child"
    rest = [table for table in reversed(TABLE_WORDS) if table not in SUMMARY_TABLES and table != kept]
    return [
        _table_words(table, counts[table]) for table in (*SUMMARY_TABLES, *rest, kept) if counts.get(table)
    ]


def _table_words(table: str, count: int) -> str:
    one, many = TABLE_WORDS.get(table, (table, table))
    return _plural(count, one, many)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def _required_reason(reason: str, message: str) -> str:
    bounds.check_text(reason, "the reason", field="reason")
    reason = reason.strip()
    if not reason:
        raise ValidationError(message, field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(
            _("Keep the reason under {MAX_REASON} characters.").format(MAX_REASON=MAX_REASON), field="reason"
        )
    return reason


def names_match(typed: str, full_name: str) -> bool:
    """The name typed to confirm a deletion is the child's: case, spacing and accent encoding aside."""
    return bool(typed.strip()) and _comparable(typed) == _comparable(full_name)


def _comparable(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _mentions(text: str, child: Child) -> bool:
    """Whether any of the child's names appears as a word of `text` (case and accents as typed)."""
    words = set(re.findall(r"\w+", _comparable(text)))
    return any(len(part) > 1 and part in words for part in re.findall(r"\w+", _comparable(child.full_name)))


def _child(session: Session, child_id: int) -> Child:
    child = bounds.fetch(session, Child, child_id)
    if child is None:
        raise NotFound(
            _("There is no child record number {child_id}. It may have been deleted already.").format(
                child_id=bounds.shown(child_id)
            )
        )
    return child


def _today(ctx: AppContext) -> date:
    return london(ctx.clock.now()).date()
