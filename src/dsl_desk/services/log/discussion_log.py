"""The contemporaneous discussion log: write, correct, share, search, export. One transaction each, audited.

Append-only. An entry is never edited or deleted (the database refuses it, see migration 0002); a
correction is a new entry that amends an earlier one and says why, and the original stays on the record.

Amending an amendment: corrections form a single line. Only the *latest* version of an entry can be
amended; asking to amend a version that a later entry already corrects is refused, with the number of
the version to correct instead. So a chronology shows, for each event, one current version and the
versions it replaced, in order, and never two rival corrections of the same text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import numeric_date, numeric_date_time
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.audit.record_hashes import hashes_detail
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError, ValidationError
from dsl_desk.services.log.attachments import CheckedFile, check_file, list_attachments, store_file
from dsl_desk.services.log.views import (
    KINDS,
    LATE_AFTER,
    MEETING_METHODS,
    METHODS,
    ActionView,
    AuthorOption,
    Chronology,
    ChronologyItem,
    EntryView,
    OpenActionRow,
    SearchHit,
    SearchResult,
    ShareView,
    describe_delay,
    method_label,
)
from dsl_desk.store import search as fts
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import (
    ActionItem,
    Attachment,
    Child,
    DiscussionEntry,
    EntryShare,
    Escalation,
    User,
)

MAX_TEXT = 100_000  # characters per box: a long meeting note fits many times over; a pasted book does not
MAX_SHORT_TEXT = 20_000  # participants, shared with
SEARCH_LIMIT = 200


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


# --------------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------------


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
        child = _child(session, entry.child_id)
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
        return _views(session, [row], ctx.packs)[0]


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
        row = _entry(session, entry_id)
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
        return _views(session, [row], ctx.packs)[0]


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
        return _action_view(action)


# --------------------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------------------


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
    original = _entry(session, amends_id)
    if original.child_id != child_id:
        raise ValidationError(_("A correction must be about the same child as the entry it corrects."))
    later = session.scalars(
        select(DiscussionEntry.id).where(DiscussionEntry.amends_id == amends_id).limit(1)
    ).first()
    if later is not None:
        raise ServiceError(
            _(
                "Entry {amends_id} has already been corrected by entry {later}. "
                "Correct the latest version (entry {latest}) instead."
            ).format(amends_id=amends_id, later=later, latest=_latest(session, later))
        )


def _latest(session: Session, entry_id: int) -> int:
    while True:
        later = session.scalars(
            select(DiscussionEntry.id).where(DiscussionEntry.amends_id == entry_id).limit(1)
        ).first()
        if later is None:
            return entry_id
        entry_id = later


def _child(session: Session, child_id: int) -> Child:
    child = bounds.fetch(session, Child, child_id)
    if child is None:
        raise NotFound(
            _("There is no child record number {child_id}.").format(child_id=bounds.shown(child_id))
        )
    return child


def _entry(session: Session, entry_id: int) -> DiscussionEntry:
    entry = bounds.fetch(session, DiscussionEntry, entry_id)
    if entry is None:
        raise NotFound(
            _("There is no discussion log entry number {entry_id}.").format(entry_id=bounds.shown(entry_id))
        )
    return entry


# --------------------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------------------


def get_entry(ctx: AppContext, entry_id: int) -> EntryView:
    with ctx.store.session() as session:
        return _views(session, [_entry(session, entry_id)], ctx.packs)[0]


def latest_version(ctx: AppContext, entry_id: int) -> int:
    """The id of the version of this entry a correction should amend."""
    with ctx.store.session() as session:
        _entry(session, entry_id)
        return _latest(session, entry_id)


def get_chronology(ctx: AppContext, child_id: int, *, escalation_id: int | None = None) -> Chronology:
    """The child's log in order of when things happened, each event with the versions it replaced."""
    with ctx.store.session() as session:
        child = _child(session, child_id)
        rows = list(
            session.scalars(
                select(DiscussionEntry)
                .where(DiscussionEntry.child_id == child_id)
                .order_by(DiscussionEntry.occurred_at, DiscussionEntry.id)
            )
        )
        items = _chain(_views(session, rows, ctx.packs))
        reference = ""
        if escalation_id is not None:
            items = [i for i in items if escalation_id in {v.escalation_id for v in (i.current, *i.earlier)}]
            escalation = bounds.fetch(session, Escalation, escalation_id)
            reference = escalation.reference if escalation else ""
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="log_viewed",
            entity="child",
            entity_id=child_id,
            detail={"escalation": escalation_id} if escalation_id else None,
        )
        return Chronology(
            child.id, child.full_name, child.date_of_birth, escalation_id, reference, tuple(items)
        )


def list_entries(ctx: AppContext, child_id: int) -> list[EntryView]:
    """Every stored entry for the child (originals and corrections), in the order things happened."""
    chronology = get_chronology(ctx, child_id)
    return [view for item in chronology.items for view in (*item.earlier, item.current)]


def _chain(views: Sequence[EntryView]) -> list[ChronologyItem]:
    by_id = {v.id: v for v in views}
    items = []
    for view in views:
        if view.is_amended:
            continue
        earlier: list[EntryView] = []
        cursor = view.amends_id
        while cursor is not None and cursor in by_id:
            earlier.insert(0, by_id[cursor])
            cursor = by_id[cursor].amends_id
        items.append(ChronologyItem(view, tuple(earlier)))
    items.sort(key=lambda item: (item.current.occurred_at, item.current.id))
    return items


def _views(
    session: Session, rows: Sequence[DiscussionEntry], packs: Mapping[str, PolicyPack] | None = None
) -> list[EntryView]:
    """Read models for `rows`, with their actions, attachments and shares fetched in a few queries."""
    if not rows:
        return []
    child_ids = {r.child_id for r in rows}
    ids = [r.id for r in rows]
    authors = {u.id: u for u in session.scalars(select(User))}
    references = {
        escalation_id: (reference, policy_id)
        for escalation_id, reference, policy_id in session.execute(
            select(Escalation.id, Escalation.reference, Escalation.policy_id).where(
                Escalation.child_id.in_(child_ids)
            )
        )
    }
    family = _family(session, child_ids)
    actions = _grouped(
        session.scalars(
            select(ActionItem).join(DiscussionEntry).where(DiscussionEntry.child_id.in_(child_ids))
        ),
        "entry_id",
    )
    shares = _grouped(
        session.scalars(
            select(EntryShare).join(DiscussionEntry).where(DiscussionEntry.child_id.in_(child_ids))
        ),
        "entry_id",
    )
    files = list_attachments(session, ids) if len(ids) < 900 else _attachments_by_child(session, child_ids)
    labels = _Labels(references, packs or {})
    return [_view(r, authors.get(r.author_id), labels, family, actions, shares, files) for r in rows]


@dataclass(frozen=True)
class _Labels:
    """Escalation references and stage labels (from the policy packs) for entries linked to escalations."""

    escalations: dict[int, tuple[str, str]]
    packs: Mapping[str, PolicyPack]

    def reference(self, escalation_id: int | None) -> str:
        return self.escalations.get(escalation_id, ("", ""))[0] if escalation_id else ""

    def stage(self, escalation_id: int | None, stage_key: str) -> str:
        if not escalation_id or not stage_key:
            return ""
        pack = self.packs.get(self.escalations.get(escalation_id, ("", ""))[1])
        if pack is None or not pack.has_stage(stage_key):
            return stage_key  # a pack since removed: the stored key still says which stage it was
        return pack.stage(stage_key).label


@dataclass(frozen=True)
class _Family:
    """Who corrects whom, and when each chain was first written (for the late-recorded mark)."""

    amended_by: dict[int, int]
    first_recorded: dict[int, datetime]


def _family(session: Session, child_ids: set[int]) -> _Family:
    links = list(
        session.execute(
            select(DiscussionEntry.id, DiscussionEntry.amends_id, DiscussionEntry.recorded_at).where(
                DiscussionEntry.child_id.in_(child_ids)
            )
        )
    )
    amends = {entry_id: target for entry_id, target, _ in links if target is not None}
    recorded = {entry_id: at for entry_id, _, at in links}
    first: dict[int, datetime] = {}
    for entry_id, at in recorded.items():
        root = entry_id
        while root in amends:
            root = amends[root]
        first[entry_id] = recorded.get(root, at)
    return _Family({target: entry_id for entry_id, target in amends.items()}, first)


def _attachments_by_child(session: Session, child_ids: set[int]) -> dict[int, list]:
    ids = list(session.scalars(select(DiscussionEntry.id).where(DiscussionEntry.child_id.in_(child_ids))))
    found: dict[int, list] = {}
    # SQLite limits bound parameters per statement, so a long log is asked about in slices.
    for start in range(0, len(ids), 900):
        found.update(list_attachments(session, ids[start : start + 900]))
    return found


def _grouped(rows: Iterable[object], key: str) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def _view(
    row: DiscussionEntry,
    author: User | None,
    labels: _Labels,
    family: _Family,
    actions: dict[int, list],
    shares: dict[int, list],
    files: dict[int, list],
) -> EntryView:
    # Lateness is measured from when the event was *first* written down: a correction made a week later
    # does not make a prompt record late.
    delay = family.first_recorded.get(row.id, row.recorded_at) - row.occurred_at
    late = delay > LATE_AFTER
    return EntryView(
        id=row.id,
        child_id=row.child_id,
        kind=row.kind,
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
        author=author.display_name if author else "",
        author_role=author.role if author else "",
        method=row.method,
        method_label=method_label(row.method),
        participants=row.participants,
        summary=row.summary,
        child_views=row.child_views,
        opinion=row.opinion,
        decisions=row.decisions,
        escalation_id=row.escalation_id,
        escalation_reference=labels.reference(row.escalation_id),
        stage_key=row.stage_key,
        stage_label=labels.stage(row.escalation_id, row.stage_key),
        amends_id=row.amends_id,
        amend_reason=row.amend_reason,
        amended_by_id=family.amended_by.get(row.id),
        late=late,
        late_by=describe_delay(delay) if late else "",
        actions=tuple(_action_view(a) for a in actions.get(row.id, [])),
        attachments=tuple(files.get(row.id, [])),
        shares=_shares_of(row, shares.get(row.id, [])),
    )


def _shares_of(row: DiscussionEntry, later: list[EntryShare]) -> tuple[ShareView, ...]:
    first = [ShareView(row.shared_with, row.shared_at, None)] if row.shared_with else []
    return tuple(first + [ShareView(s.shared_with, s.shared_at, s.recorded_at) for s in later])


def _action_view(action: ActionItem) -> ActionView:
    return ActionView(action.id, action.description, action.owner, action.due_on, action.done_at)


# --------------------------------------------------------------------------------------------------------------
# Search, dashboard, pickers
# --------------------------------------------------------------------------------------------------------------


def search_log(
    ctx: AppContext, text: str, filters: fts.SearchFilters | None = None, *, limit: int = SEARCH_LIMIT
) -> SearchResult:
    """Every entry (originals and corrections) containing all the words, newest first."""
    bounds.check_text(text, _("the words to search for"), limit=bounds.LINE_MAX, field="text")
    filters = filters or fts.SearchFilters()
    with ctx.store.session() as session:
        if filters.child_id is not None:
            _child(session, filters.child_id)  # "There is no child …", not "no entries"
        # An author or escalation filter comes from a list: a stale one finds nothing, as before; only a
        # number no row can have (which SQLite cannot even compare) is refused.
        for ident, what in ((filters.escalation_id, "escalation"), (filters.author_id, "user")):
            if ident is not None:
                bounds.check_id(ident, what)
        for moment in (filters.occurred_from, filters.occurred_to):
            if moment is not None:
                bounds.check_date(moment, _("a date to search between"), field="occurred")
        raw = fts.search_entries(session, text, filters, limit=limit + 1)
        more = len(raw) > limit
        raw = raw[:limit]
        hits = _hits(session, raw)
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="log_searched",
            detail={"results": len(hits)},  # not the words: a search can itself be sensitive
        )
        return SearchResult(tuple(hits), more)


def _hits(session: Session, raw: list[fts.RawHit]) -> list[SearchHit]:
    if not raw:
        return []
    ids = [hit.entry_id for hit in raw]
    query = (
        select(DiscussionEntry, Child.given_names, Child.family_name, User.display_name)
        .join(Child, Child.id == DiscussionEntry.child_id)
        .join(User, User.id == DiscussionEntry.author_id)
        .where(DiscussionEntry.id.in_(ids))
    )
    found = {
        row.id: (row, f"{given} {family}", author) for row, given, family, author in session.execute(query)
    }
    amended = set(
        session.scalars(select(DiscussionEntry.amends_id).where(DiscussionEntry.amends_id.in_(ids)))
    )
    references = _references(session)
    hits = []
    for hit in raw:
        row, child, author = found[hit.entry_id]
        hits.append(
            SearchHit(
                entry_id=row.id,
                child_id=row.child_id,
                child_name=child,
                occurred_at=row.occurred_at,
                method_label=method_label(row.method),
                author=author,
                escalation_reference=references.get(row.escalation_id, "") if row.escalation_id else "",
                snippet=hit.snippet,
                superseded=row.id in amended,
            )
        )
    return hits


def list_open_actions(ctx: AppContext) -> list[OpenActionRow]:
    """Actions agreed in discussions and not yet done, soonest due first (for the dashboard)."""
    today = london(ctx.clock.now()).date()
    with ctx.store.session() as session:
        query = (
            select(ActionItem, DiscussionEntry, Child.given_names, Child.family_name)
            .join(DiscussionEntry, DiscussionEntry.id == ActionItem.entry_id)
            .join(Child, Child.id == DiscussionEntry.child_id)
            .where(ActionItem.done_at.is_(None))
            .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
        )
        references = _references(session)
        return [
            OpenActionRow(
                action_id=action.id,
                entry_id=entry.id,
                child_id=entry.child_id,
                child=f"{given} {family}",
                description=action.description,
                owner=action.owner,
                due_on=action.due_on,
                overdue=action.due_on is not None and action.due_on < today,
                escalation_reference=references.get(entry.escalation_id, "") if entry.escalation_id else "",
            )
            for action, entry, given, family in session.execute(query)
        ]


def _references(session: Session) -> dict[int, str]:
    # Rows unpack as tuples; dict(result) does not work on SQLAlchemy 2.1's Result.
    return {row[0]: row[1] for row in session.execute(_REFERENCES)}


_REFERENCES = select(Escalation.id, Escalation.reference)


def list_authors(ctx: AppContext) -> list[AuthorOption]:
    with ctx.store.session() as session:
        return [
            AuthorOption(user.id, user.display_name)
            for user in session.scalars(select(User).order_by(User.display_name))
        ]
