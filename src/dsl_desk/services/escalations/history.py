"""An escalation's history in one list: its stage changes, every form exported, printed or drafted as email, and
every discussion log entry linked to it, oldest first, in plain words.

Built from the records themselves (stages, resolution, document records, log entries) and the audit trail rows
of its documents (whether a copy was for a wet signature or its attachment encrypted is only there). Reading it
writes nothing: the escalation page that shows it already audits the view.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import medium_date, with_time
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import PolicyPack
from dsl_desk.documents.forms import shipped_forms as all_forms
from dsl_desk.services.context import AppContext
from dsl_desk.services.log.views import method_label
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import AuditEvent, DiscussionEntry, DocumentRecord, Escalation, User

# Kinds, in the order events at the same moment are told.
STAGE_KINDS = ("opened", "escalated", "resolved", "withdrawn")
DOCUMENT_KINDS = ("export", "print", "email")
DISCUSSION = "discussion"
_ORDER = {kind: index for index, kind in enumerate((*STAGE_KINDS, DISCUSSION, *DOCUMENT_KINDS))}
_OTHER_TITLES = {"chronology": "Chronology"}  # documents that are not one of the forms/ definitions
_SUMMARY_WORDS = 16


@dataclass(frozen=True)
class HistoryEvent:
    """One thing that happened to an escalation. `summary` says what in plain words, `who` is a name."""

    at: datetime
    kind: str  # opened | escalated | resolved | withdrawn | export | print | email | discussion
    summary: str
    who: str

    @property
    def when_words(self) -> str:
        local = london(self.at)
        return with_time(local, medium_date)  # "4 Dec 2026 14:02" (no %-d: Windows has none)

    @property
    def line(self) -> str:
        """ "Escalation Notice emailed to LSCB Business Manager (draft) — 4 Dec 2026 14:02, Jane Smith" """
        who = f", {self.who}" if self.who else ""
        return f"{self.summary} — {self.when_words}{who}"


def escalation_history(ctx: AppContext, escalation_id: int) -> list[HistoryEvent]:
    """Everything recorded about the escalation, oldest first."""
    with ctx.store.session() as session:
        escalation = session.get(Escalation, escalation_id)
        if escalation is None:
            raise NotFound(
                _("There is no escalation number {escalation_id}.").format(escalation_id=escalation_id)
            )
        names: dict[int, str] = dict(session.execute(select(User.id, User.display_name)).all())
        pack = ctx.packs.get(escalation.policy_id)
        events = [
            *_stage_events(escalation, pack, names),
            *_document_events(session, escalation.id, names),
            *_discussion_events(session, escalation.id, names),
        ]
    return sorted(events, key=lambda e: (e.at, _ORDER.get(e.kind, len(_ORDER))))


# --- stages ----------------------------------------------------------------------------------------------------


def _stage_events(
    escalation: Escalation, pack: PolicyPack | None, names: dict[int, str]
) -> Iterable[HistoryEvent]:
    def stage_name(key: str) -> str:
        return pack.stage(key).display_name if pack is not None and pack.has_stage(key) else key

    for index, record in enumerate(escalation.stages):
        who = names.get(record.entered_by_id, "")
        if index == 0:
            risk = " (immediate risk)" if escalation.immediate_risk else ""
            yield HistoryEvent(
                escalation.opened_at,
                "opened",
                _("Opened at {stage_name}{risk}").format(stage_name=stage_name(record.stage_key), risk=risk),
                who,
            )
        else:
            yield HistoryEvent(
                record.entered_at,
                "escalated",
                _("Escalated to {stage_name}").format(stage_name=stage_name(record.stage_key)),
                who,
            )
    resolution = escalation.resolution
    if resolution is not None:
        yield HistoryEvent(
            resolution.resolved_at,
            "resolved",
            _("Resolved at {stage_name}").format(stage_name=stage_name(resolution.resolved_stage)),
            names.get(resolution.resolved_by_id, ""),
        )
    if escalation.status == "withdrawn" and escalation.closed_at is not None:
        last = escalation.stages[-1] if escalation.stages else None
        who = names.get(last.left_by_id, "") if last is not None and last.left_by_id else ""
        yield HistoryEvent(
            escalation.closed_at, "withdrawn", f"Withdrawn: {escalation.withdrawn_reason}", who
        )


# --- documents -------------------------------------------------------------------------------------------------


def _document_events(session: Session, escalation_id: int, names: dict[int, str]) -> Iterable[HistoryEvent]:
    records = list(
        session.scalars(
            select(DocumentRecord)
            .where(DocumentRecord.escalation_id == escalation_id)
            .order_by(DocumentRecord.at, DocumentRecord.id)
        )
    )
    details = _audit_details(session, [r.id for r in records])
    for record in records:
        yield HistoryEvent(
            record.at,
            record.action if record.action in DOCUMENT_KINDS else "export",
            document_words(record, details.get(record.id, {})),
            names.get(record.by_id, ""),
        )


def _audit_details(session: Session, record_ids: list[int]) -> dict[int, dict[str, object]]:
    """Each document's audit row detail (wet signature, encryption, pages): not in DocumentRecord's columns."""
    if not record_ids:
        return {}
    rows = session.execute(
        select(AuditEvent.entity_id, AuditEvent.detail).where(
            AuditEvent.entity == "document", AuditEvent.entity_id.in_(record_ids)
        )
    )
    details: dict[int, dict[str, object]] = {}
    for entity_id, text in rows:
        try:
            value = json.loads(text or "{}")
        except ValueError:
            continue
        if entity_id is not None and isinstance(value, dict):
            details.setdefault(entity_id, value)
    return details


def document_words(record: DocumentRecord, detail: dict[str, object]) -> str:
    title = form_title(record.form_id)
    if record.action == "email":
        to = f" to {record.recipient}" if record.recipient else ""
        encrypted = ", attachment encrypted" if detail.get("encrypted") else ""
        return f"{title} emailed{to} (draft{encrypted})"
    if detail.get("wet_signature"):
        state = _("for a wet signature")
    else:
        state = "signed" if record.signed else "not signed"
    if record.action == "print":
        return f"{title} printed ({state})"
    saved = f"{title} saved as {record.file_name}" if record.file_name else f"{title} saved"
    if record.form_id in all_forms():  # a chronology or report is never signed: no need to say so
        saved += f" ({state})"
    return saved + (f", for {record.recipient}" if record.recipient else "")


def form_title(form_id: str) -> str:
    form = all_forms().get(form_id)
    if form is not None:
        return form.title
    return _OTHER_TITLES.get(form_id, form_id.replace("_", " ").capitalize())


# --- discussions -----------------------------------------------------------------------------------------------


def _discussion_events(session: Session, escalation_id: int, names: dict[int, str]) -> Iterable[HistoryEvent]:
    entries = session.scalars(
        select(DiscussionEntry)
        .where(DiscussionEntry.escalation_id == escalation_id)
        .order_by(DiscussionEntry.occurred_at, DiscussionEntry.id)
    )
    for entry in entries:
        yield HistoryEvent(
            entry.occurred_at, DISCUSSION, discussion_words(entry), names.get(entry.author_id, "")
        )


def discussion_words(entry: DiscussionEntry) -> str:
    what = _("Dissent recorded") if entry.kind == "dissent" else "Discussion"
    how = method_label(entry.method).lower()
    with_whom = f" with {entry.participants}" if entry.participants else ""
    corrected = _(" (a correction of an earlier entry)") if entry.amends_id else ""
    return f"{what} ({how}){with_whom} logged{corrected}: {_shortened(entry.summary)}"


def _shortened(text: str) -> str:
    words = text.split()
    return " ".join(words) if len(words) <= _SUMMARY_WORDS else " ".join(words[:_SUMMARY_WORDS]) + " …"
