"""The contemporaneous discussion log: write, correct, share, search, export. One transaction each, audited.

Append-only. An entry is never edited or deleted (the database refuses it, see migration 0002); a
correction is a new entry that amends an earlier one and says why, and the original stays on the record.

Amending an amendment: corrections form a single line. Only the *latest* version of an entry can be
amended; asking to amend a version that a later entry already corrects is refused, with the number of
the version to correct instead. So a chronology shows, for each event, one current version and the
versions it replaced, in order, and never two rival corrections of the same text.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import numeric_date, numeric_date_time
from dsl_desk.core.i18n import _
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.audit.record_hashes import hashes_detail
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError, ValidationError
from dsl_desk.services.log.attachments import CheckedFile, check_file, store_file
from dsl_desk.services.log.reading import action_view, entry_views, latest_of, load_child, load_entry
from dsl_desk.services.log.views import (
    KINDS,
    MEETING_METHODS,
    METHODS,
    ActionView,
    EntryView,
)
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import (
    ActionItem,
    Attachment,
    Child,
    DiscussionEntry,
    EntryShare,
    Escalation,
)

MAX_TEXT = 100_000  # characters per box: a long meeting note fits many times over; a pasted book does not
MAX_SHORT_TEXT = 20_000  # participants, shared with


@dataclass(frozen=True)
class NewAction:
    description: str
    owner: str
    due_on: date | None


@dataclass(frozen=True)
class NewEntry:
    """What the "Log a discussion" dialog collects. Times are timezone-aware."""

    child_id: int
    occurred_at: datetime
    method: str
    summary: str
    participants: str = ""
    child_views: str = ""
    opinion: str = ""
    decisions: str = ""
    kind: str = "discussion"  # discussion | dissent
    escalation_id: int | None = None
    stage_key: str = ""  # defaults to the escalation's current stage
    actions: tuple[NewAction, ...] = ()
    shared_with: str = ""
    shared_at: datetime | None = None  # defaults to the occurred time when shared_with is given
    attachments: tuple[Path, ...] = field(default=())


def log_discussion(ctx: AppContext, entry: NewEntry) -> EntryView:
    """Add an entry to a child's log (with its actions and attachments) in one transaction."""
    return _write(ctx, entry, amends_id=None, reason="")


def amend_entry(ctx: AppContext, amends_id: int, correction: NewEntry, reason: str) -> EntryView:
    """Record a correction of entry `amends_id`. The original is kept, unchanged, and shown struck through."""
    if not reason.strip():
        raise ValidationError(_("Say why the entry is being corrected."), field="amend_reason")
    return _write(ctx, correction, amends_id=amends_id, reason=reason)


def _write(ctx: AppContext, entry: NewEntry, *, amends_id: int | None, reason: str) -> EntryView:
    now = ctx.clock.now()
    _check_bounds(entry, reason)
    entry = _cleaned(entry)
    _validate_fields(entry, now)
    _check_text_lengths(entry, reason)
    files = [check_file(path) for path in entry.attachments]
    with ctx.store.session() as session:
        child = load_child(session, entry.child_id)
        _validate_against_child(entry, child)
        stage_key = _stage_for(session, entry)
        if amends_id is not None:
            _check_amendable(session, amends_id, entry.child_id)
        row = _insert_entry(session, ctx, entry, now, stage_key, amends_id, reason)
        stored = _insert_children(session, ctx, row, entry, files, now)
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="log_entry_amended" if amends_id else "log_entry_added",
            entity="discussion_entry",
            entity_id=row.id,
            detail={**_audit_detail(row, entry, files), **hashes_detail([row], stored)},
        )
        return entry_views(session, [row], ctx.packs)[0]


def _check_bounds(entry: NewEntry, reason: str) -> None:
    """Text that can be stored and dates the calendar can work with, before anything else looks at them."""
    bounds.check_texts(entry, default=None)  # lengths: _check_text_lengths, which says which box
    bounds.check_text(reason, _("the reason for the correction"), limit=None, field="amend_reason")
    bounds.check_date(entry.occurred_at, _("the date of the discussion"), field="occurred_at")
    if entry.shared_at is not None:
        bounds.check_date(entry.shared_at, _("the date it was shared"), field="shared_at")
    for action in entry.actions:
        if action.due_on is not None:
            bounds.check_date(action.due_on, _("an action's due date"), field="actions")
    for path in entry.attachments:
        bounds.check_path(path, _("an attachment's file name"))


def _insert_entry(
    session: Session,
    ctx: AppContext,
    entry: NewEntry,
    now: datetime,
    stage_key: str,
    amends_id: int | None,
    reason: str,
) -> DiscussionEntry:
    shared_at = entry.shared_at or (entry.occurred_at if entry.shared_with else None)
    row = DiscussionEntry(
        child_id=entry.child_id,
        escalation_id=entry.escalation_id,
        stage_key=stage_key,
        kind=entry.kind,
        occurred_at=entry.occurred_at,
        recorded_at=now,  # set here, never by the caller: it is what proves the record contemporaneous
        author_id=ctx.actor.user_id,
        method=entry.method,
        participants=entry.participants,
        summary=entry.summary,
        child_views=entry.child_views,
        opinion=entry.opinion,
        decisions=entry.decisions,
        shared_with=entry.shared_with,
        shared_at=shared_at,
        amends_id=amends_id,
        amend_reason=reason.strip(),
    )
    session.add(row)
    session.flush()
    return row


def _insert_children(
    session: Session,
    ctx: AppContext,
    row: DiscussionEntry,
    entry: NewEntry,
    files: list[CheckedFile],
    now: datetime,
) -> list[Attachment]:
    for action in entry.actions:
        session.add(
            ActionItem(
                entry_id=row.id, description=action.description, owner=action.owner, due_on=action.due_on
            )
        )
    stored = [
        store_file(session, checked, entry=row, now=now, user_id=ctx.actor.user_id) for checked in files
    ]
    session.flush()
    return stored


def _audit_detail(row: DiscussionEntry, entry: NewEntry, files: list[CheckedFile]) -> dict[str, object]:
    # What was written is in the entry itself; the audit row says who, when and what kind, not the text.
    return {
        "child": row.child_id,
        "kind": row.kind,
        "method": row.method,
        "escalation": row.escalation_id,
        "amends": row.amends_id,
        "actions": len(entry.actions),
        # A count only: a file's name can name the child, and the trail outlives a deleted record.
        "attachments": len(files),
    }


def record_sharing(ctx: AppContext, entry_id: int, shared_with: str, shared_at: datetime) -> EntryView:
    """Note that an entry was shared after it was written (the entry itself is not changed)."""
    now = ctx.clock.now()
    bounds.check_text(shared_with, _("who it was shared with"), limit=MAX_SHORT_TEXT, field="shared_with")
    bounds.check_date(shared_at, _("the date it was shared"), field="shared_at")
    shared_with = shared_with.strip()
    if not shared_with:
        raise ValidationError(
            _("Say who the record was shared with (full names and roles)."), field="shared_with"
        )
    if shared_at > now:
        raise ValidationError(
            _("The time it was shared is in the future. Check the date and time."), field="shared_at"
        )
    with ctx.store.session() as session:
        row = load_entry(session, entry_id)
        if shared_at < row.occurred_at:
            raise ValidationError(
                _("The record cannot have been shared before the discussion took place. Check the date."),
                field="shared_at",
            )
        share = EntryShare(
            entry_id=row.id,
            shared_with=shared_with,
            shared_at=shared_at,
            recorded_at=now,
            recorded_by_id=ctx.actor.user_id,
        )
        session.add(share)
        session.flush()
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="log_entry_shared",
            entity="discussion_entry",
            entity_id=row.id,
        )
        return entry_views(session, [row], ctx.packs)[0]


def complete_action(ctx: AppContext, action_id: int) -> ActionView:
    now = ctx.clock.now()
    with ctx.store.session() as session:
        action = bounds.fetch(session, ActionItem, action_id)
        if action is None:
            raise NotFound(
                _("There is no action number {action_id}.").format(action_id=bounds.shown(action_id))
            )
        if action.done_at is not None:
            raise ServiceError(
                _("The action “{description}” is already marked done.").format(
                    description=action.description[:60]
                )
            )
        action.done_at = now
        action.done_by_id = ctx.actor.user_id
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="log_action_done",
            entity="action_item",
            entity_id=action.id,
        )
        return action_view(action)


def _cleaned(entry: NewEntry) -> NewEntry:
    # Trailing spaces go; the text itself (line breaks, any script) is kept exactly as typed.
    return replace(
        entry,
        summary=entry.summary.strip(),
        participants=entry.participants.strip(),
        child_views=entry.child_views.strip(),
        opinion=entry.opinion.strip(),
        decisions=entry.decisions.strip(),
        shared_with=entry.shared_with.strip(),
        actions=tuple(
            NewAction(a.description.strip(), " ".join(a.owner.split()), a.due_on)
            for a in entry.actions
            if a.description.strip() or a.owner.strip()
        ),
    )


def _validate_fields(entry: NewEntry, now: datetime) -> None:
    if entry.occurred_at.tzinfo is None:
        raise ValueError("NewEntry.occurred_at must be timezone-aware")
    if entry.method not in METHODS:
        raise ValidationError(_("Choose how the discussion took place."), field="method")
    if entry.kind not in KINDS:
        raise ValidationError(_("“{kind}” is not a kind of log entry.").format(kind=entry.kind), field="kind")
    if entry.kind == "dissent" and entry.method not in MEETING_METHODS:
        raise ValidationError(
            _(
                "Dissent is recorded at a multi-agency meeting: choose the kind of meeting "
                "(professionals' meeting, strategy meeting, core group or child protection conference)."
            ),
            field="method",
        )
    if not entry.summary:
        raise ValidationError(_("Write what was discussed: the summary cannot be empty."), field="summary")
    if entry.occurred_at > now:
        when = london(entry.occurred_at)
        raise ValidationError(
            _(
                "The discussion is dated {when}, which is in the future. Enter when it actually took place."
            ).format(when=numeric_date_time(when)),
            field="occurred_at",
        )
    _validate_actions(entry)
    if entry.shared_at is not None and entry.shared_at > now:
        raise ValidationError(
            _("The time it was shared is in the future. Check the date and time."), field="shared_at"
        )
    if entry.shared_at is not None and not entry.shared_with:
        raise ValidationError(_("Say who the record was shared with."), field="shared_with")


def _validate_actions(entry: NewEntry) -> None:
    occurred_on = london(entry.occurred_at).date()
    for number, action in enumerate(entry.actions, start=1):
        if not action.description:
            raise ValidationError(
                _("Action {number} has an owner but no description.").format(number=number), field="actions"
            )
        if not action.owner:
            raise ValidationError(
                _("Say who owns action {number} (“{description}”): a full name and role.").format(
                    number=number, description=action.description[:40]
                ),
                field="actions",
            )
        if action.due_on is None:
            raise ValidationError(
                _("Give action {number} a due date.").format(number=number), field="actions"
            )
        if action.due_on < occurred_on:
            raise ValidationError(
                _("Action {number} is due before the discussion that agreed it. Check the due date.").format(
                    number=number
                ),
                field="actions",
            )


def _check_text_lengths(entry: NewEntry, reason: str) -> None:
    boxes = {
        "summary": (entry.summary, MAX_TEXT),
        "child_views": (entry.child_views, MAX_TEXT),
        "opinion": (entry.opinion, MAX_TEXT),
        "decisions": (entry.decisions, MAX_TEXT),
        "amend_reason": (reason, MAX_TEXT),
        "participants": (entry.participants, MAX_SHORT_TEXT),
        "shared_with": (entry.shared_with, MAX_SHORT_TEXT),
    }
    for name, (text, limit) in boxes.items():
        if len(text) > limit:
            raise ValidationError(
                _(
                    "The {replace} box holds {length:,} characters; the most it can hold is "
                    "{limit:,}. Attach a long document as a PDF instead, and summarise it here."
                ).format(replace=name.replace("_", " "), length=len(text), limit=limit),
                field=name,
            )


def _validate_against_child(entry: NewEntry, child: Child) -> None:
    if london(entry.occurred_at).date() < child.date_of_birth:
        raise ValidationError(
            _(
                "The discussion is dated before {full_name} was born ({date_of_birth}). Check the date."
            ).format(full_name=child.full_name, date_of_birth=numeric_date(child.date_of_birth)),
            field="occurred_at",
        )


def _stage_for(session: Session, entry: NewEntry) -> str:
    if entry.escalation_id is None:
        return ""
    escalation = bounds.fetch(session, Escalation, entry.escalation_id)
    if escalation is None or escalation.child_id != entry.child_id:
        raise ValidationError(
            _("That escalation is not about this child. Choose another."), field="escalation"
        )
    return entry.stage_key or escalation.current_stage


def _check_amendable(session: Session, amends_id: int, child_id: int) -> None:
    original = load_entry(session, amends_id)
    if original.child_id != child_id:
        raise ValidationError(_("A correction must be about the same child as the entry it corrects."))
    later = session.scalars(
        select(DiscussionEntry.id).where(DiscussionEntry.amends_id == amends_id).limit(1)
    ).first()
    if later is not None:
        raise ServiceError(
            _(
                "Entry {amends_id} has already been corrected by entry {later}. "
                "Correct the latest version (entry {latest_of}) instead."
            ).format(amends_id=amends_id, later=later, latest_of=latest_of(session, later))
        )
