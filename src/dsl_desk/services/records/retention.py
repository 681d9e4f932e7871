"""Retention review: records past their retention date, holds that keep one longer, and secure deletion.

A record is deleted only by a DSL who types the child's full name, and only once it is past its retention date
(core.retention) with nothing open on it. The deletion is one transaction: every row tied to the child goes,
a tombstone (no name, no content) and an audit row (ids and counts only) are written, and the audit chain stays
whole. The append-only guard on the discussion log is lifted for that one transaction and put back before it
commits. Then the database file is rewritten (VACUUM) and its write-ahead log emptied, so nothing of the record
is left in free space inside the file or beside it. Backups keep the record until they age out.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from dsl_desk.core import retention as rules
from dsl_desk.core.clock import london
from dsl_desk.core.i18n import _
from dsl_desk.services import bounds
from dsl_desk.services.calendar import organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.records.due_item import RecordDue
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import (
    ActionItem,
    Attachment,
    CaseTransfer,
    ChecklistItem,
    Child,
    DiscussionEntry,
    DocumentRecord,
    Draft,
    EntryShare,
    Escalation,
    ImmediateRiskChange,
    LessonFollowUp,
    Resolution,
    RetentionHold,
    SarRedaction,
    StageRecord,
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
                plural(self.escalations, "escalation"),
                plural(self.entries, "log entry", "log entries"),
                plural(self.attachments, "attachment"),
            )
        )


@dataclass(frozen=True)
class Scope:
    """The ids of every row tied to one child."""

    child_id: int
    escalations: tuple[int, ...]
    entries: tuple[int, ...]
    requests: tuple[int, ...]
    attachments: tuple[int, ...]
    drafts: tuple[int, ...]


def tied_rows() -> list[tuple[str, type[Any], Callable[[Scope], ColumnElement[bool]]]]:
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
    today = today_of(ctx)
    with ctx.store.session() as session:
        due = due_rows(session, today)
        return [review_row(session, child, decision, hold) for child, decision, hold in due]


def records_due(ctx: AppContext) -> list[RecordDue]:
    """For the dashboard: one summary row when any record is past its retention date."""
    with ctx.store.session() as session:
        count = len(due_rows(session, today_of(ctx)))
    if not count:
        return []
    what = (
        _("1 record is past its retention date — review it")
        if count == 1
        else _("{count} records are past their retention date — review them").format(count=count)
    )
    return [RecordDue("retention", 0, None, "", what, None, "", False)]


def due_rows(session: Session, today: date) -> list[tuple[Child, rules.ReviewDecision, RetentionHold | None]]:
    found = []
    facts = Facts.load(session)
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


def review_row(
    session: Session, child: Child, decision: rules.ReviewDecision, hold: RetentionHold | None
) -> ReviewRow:
    scope = scope_of(session, child.id)
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
class Facts:
    """What the retention rules need about every child, read in a handful of queries."""

    years: int
    open_escalations: dict[int, int]
    open_requests: dict[int, int]
    holds: dict[int, RetentionHold]
    transfers: dict[int, rules.TransferOut] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Facts:
        return cls(
            organisation(session).retention_years_after_birth,
            counts_by_child(session, Escalation.child_id, Escalation.status == "open"),
            counts_by_child(session, SubjectAccessRequest.child_id, SubjectAccessRequest.status == "open"),
            {h.child_id: h for h in session.scalars(active_holds().order_by(RetentionHold.placed_at))},
            transfers_out(session),
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


def counts_by_child(session: Session, column: Any, condition: ColumnElement[bool]) -> dict[int, int]:
    rows = session.execute(select(column, func.count()).where(condition).group_by(column))
    return {int(child_id): int(count) for child_id, count in rows}


def active_holds() -> Any:
    return select(RetentionHold).where(RetentionHold.lifted_at.is_(None))


def transfers_out(session: Session) -> dict[int, rules.TransferOut]:
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


def scope_of(session: Session, child_id: int) -> Scope:
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
    return Scope(
        child_id, escalations, entries, requests, attachments, draft_ids(session, child_id, escalations)
    )


def draft_ids(session: Session, child_id: int, escalations: Iterable[int]) -> tuple[int, ...]:
    """Unfinished wizards about this child: on one of its escalations, or a new escalation naming it."""
    escalation_ids = set(escalations)
    return tuple(
        draft.id for draft in session.scalars(select(Draft)) if draft_about(draft, child_id, escalation_ids)
    )


def draft_about(draft: Draft, child_id: int, escalation_ids: set[int]) -> bool:
    if draft.kind in ESCALATION_DRAFT_KINDS or draft.kind.startswith(FORM_DRAFT_PREFIX):
        return draft.subject_id in escalation_ids
    return draft.kind == NEW_ESCALATION_DRAFT and names_child(draft.payload, child_id)


def names_child(payload: str, child_id: int) -> bool:
    try:
        chosen = json.loads(payload).get("child_id")
        return chosen is not None and int(chosen) == child_id
    except (ValueError, TypeError, AttributeError):  # not our JSON: not about this child
        return False


# -- holds --------------------------------------------------------------------------------------------------


def describe_counts(counts: dict[str, int]) -> str:
    """'1 child's details, 2 escalations, 5 log entries, 1 attachment' — the main things only."""
    parts = [table_words(table, counts[table]) for table in SUMMARY_TABLES if counts.get(table)]
    return ", ".join(parts) if parts else "nothing"


def describe_count_lines(counts: dict[str, int]) -> list[str]:
    """One line per kind of row, the main things first: the child, escalations, log entries, attachments."""
    kept = "case_transfers_kept_without_child"
    rest = [table for table in reversed(TABLE_WORDS) if table not in SUMMARY_TABLES and table != kept]
    return [
        table_words(table, counts[table]) for table in (*SUMMARY_TABLES, *rest, kept) if counts.get(table)
    ]


def table_words(table: str, count: int) -> str:
    one, many = TABLE_WORDS.get(table, (table, table))
    return plural(count, one, many)


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def required_reason(reason: str, message: str) -> str:
    bounds.check_text(reason, "the reason", field="reason")
    reason = reason.strip()
    if not reason:
        raise ValidationError(message, field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(
            _("Keep the reason under {MAX_REASON} characters.").format(MAX_REASON=MAX_REASON), field="reason"
        )
    return reason


def mentions(text: str, child: Child) -> bool:
    """Whether any of the child's names appears as a word of `text` (case and accents as typed)."""
    words = set(re.findall(r"\w+", _comparable(text)))
    return any(len(part) > 1 and part in words for part in re.findall(r"\w+", _comparable(child.full_name)))


def load_child(session: Session, child_id: int) -> Child:
    child = bounds.fetch(session, Child, child_id)
    if child is None:
        raise NotFound(
            _("There is no child record number {child_id}. It may have been deleted already.").format(
                child_id=bounds.shown(child_id)
            )
        )
    return child


def today_of(ctx: AppContext) -> date:
    return london(ctx.clock.now()).date()


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


def names_match(typed: str, full_name: str) -> bool:
    """The name typed to confirm a deletion is the child's: case, spacing and accent encoding aside."""
    return bool(typed.strip()) and _comparable(typed) == _comparable(full_name)


def _comparable(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())
