"""The discussion log read back: one entry and its versions, a child's chronology, the entries list, open actions, authors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.clock import london
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import NotFound
from dsl_desk.services.log.attachments import list_attachments
from dsl_desk.services.log.views import (
    LATE_AFTER,
    ActionView,
    AuthorOption,
    Chronology,
    ChronologyItem,
    EntryView,
    OpenActionRow,
    ShareView,
    describe_delay,
    method_label,
)
from dsl_desk.store.models import (
    ActionItem,
    Child,
    DiscussionEntry,
    EntryShare,
    Escalation,
    User,
)


def get_entry(ctx: AppContext, entry_id: int) -> EntryView:
    with ctx.store.session() as session:
        return entry_views(session, [load_entry(session, entry_id)], ctx.packs)[0]


def latest_version(ctx: AppContext, entry_id: int) -> int:
    """The id of the version of this entry a correction should amend."""
    with ctx.store.session() as session:
        load_entry(session, entry_id)
        return latest_of(session, entry_id)


def get_chronology(ctx: AppContext, child_id: int, *, escalation_id: int | None = None) -> Chronology:
    """The child's log in order of when things happened, each event with the versions it replaced."""
    with ctx.store.session() as session:
        child = load_child(session, child_id)
        rows = list(
            session.scalars(
                select(DiscussionEntry)
                .where(DiscussionEntry.child_id == child_id)
                .order_by(DiscussionEntry.occurred_at, DiscussionEntry.id)
            )
        )
        items = version_chain(entry_views(session, rows, ctx.packs))
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


def version_chain(views: Sequence[EntryView]) -> list[ChronologyItem]:
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


def entry_views(
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
    family = family_of(session, child_ids)
    actions = grouped(
        session.scalars(
            select(ActionItem).join(DiscussionEntry).where(DiscussionEntry.child_id.in_(child_ids))
        ),
        "entry_id",
    )
    shares = grouped(
        session.scalars(
            select(EntryShare).join(DiscussionEntry).where(DiscussionEntry.child_id.in_(child_ids))
        ),
        "entry_id",
    )
    files = list_attachments(session, ids) if len(ids) < 900 else attachments_by_child(session, child_ids)
    labels = Labels(references, packs or {})
    return [entry_view(r, authors.get(r.author_id), labels, family, actions, shares, files) for r in rows]


@dataclass(frozen=True)
class Labels:
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
class Family:
    """Who corrects whom, and when each chain was first written (for the late-recorded mark)."""

    amended_by: dict[int, int]
    first_recorded: dict[int, datetime]


def family_of(session: Session, child_ids: set[int]) -> Family:
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
    return Family({target: entry_id for entry_id, target in amends.items()}, first)


def attachments_by_child(session: Session, child_ids: set[int]) -> dict[int, list]:
    ids = list(session.scalars(select(DiscussionEntry.id).where(DiscussionEntry.child_id.in_(child_ids))))
    found: dict[int, list] = {}
    # SQLite limits bound parameters per statement, so a long log is asked about in slices.
    for start in range(0, len(ids), 900):
        found.update(list_attachments(session, ids[start : start + 900]))
    return found


def grouped(rows: Iterable[object], key: str) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def entry_view(
    row: DiscussionEntry,
    author: User | None,
    labels: Labels,
    family: Family,
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
        actions=tuple(action_view(a) for a in actions.get(row.id, [])),
        attachments=tuple(files.get(row.id, [])),
        shares=shares_of(row, shares.get(row.id, [])),
    )


def shares_of(row: DiscussionEntry, later: list[EntryShare]) -> tuple[ShareView, ...]:
    first = [ShareView(row.shared_with, row.shared_at, None)] if row.shared_with else []
    return tuple(first + [ShareView(s.shared_with, s.shared_at, s.recorded_at) for s in later])


def action_view(action: ActionItem) -> ActionView:
    return ActionView(action.id, action.description, action.owner, action.due_on, action.done_at)


def list_open_actions(ctx: AppContext) -> list[OpenActionRow]:
    """Actions agreed in discussions and not yet done, soonest due first (for the dashboard). They depend on
    the log and on today's date only: kept until either changes (the store's change signal)."""
    today = london(ctx.clock.now()).date()
    key = (ctx.store.data_changes(), today)
    return list(ctx.store.kept("open_actions", key, lambda: _open_actions(ctx, today)))


def _open_actions(ctx: AppContext, today: date) -> list[OpenActionRow]:
    with ctx.store.session() as session:
        query = (
            select(ActionItem, DiscussionEntry, Child.given_names, Child.family_name)
            .join(DiscussionEntry, DiscussionEntry.id == ActionItem.entry_id)
            .join(Child, Child.id == DiscussionEntry.child_id)
            .where(ActionItem.done_at.is_(None))
            .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
        )
        rows = session.execute(query).all()
        references = references_of(session, {entry.escalation_id for _action, entry, _g, _f in rows})
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
            for action, entry, given, family in rows
        ]


def references_of(session: Session, escalation_ids: set[int | None]) -> dict[int, str]:
    """The references of these escalations only: reading every escalation's made a search and the dashboard
    cost more with each year of history."""
    wanted = sorted(i for i in escalation_ids if i is not None)
    if not wanted:
        return {}
    query = select(Escalation.id, Escalation.reference).where(Escalation.id.in_(wanted))
    # Rows unpack as tuples; dict(result) does not work on SQLAlchemy 2.1's Result.
    return {row[0]: row[1] for row in session.execute(query)}


def list_authors(ctx: AppContext) -> list[AuthorOption]:
    with ctx.store.session() as session:
        return [
            AuthorOption(user.id, user.display_name)
            for user in session.scalars(select(User).order_by(User.display_name))
        ]


def latest_of(session: Session, entry_id: int) -> int:
    while True:
        later = session.scalars(
            select(DiscussionEntry.id).where(DiscussionEntry.amends_id == entry_id).limit(1)
        ).first()
        if later is None:
            return entry_id
        entry_id = later


def load_child(session: Session, child_id: int) -> Child:
    child = bounds.fetch(session, Child, child_id)
    if child is None:
        raise NotFound(
            _("There is no child record number {child_id}.").format(child_id=bounds.shown(child_id))
        )
    return child


def load_entry(session: Session, entry_id: int) -> DiscussionEntry:
    entry = bounds.fetch(session, DiscussionEntry, entry_id)
    if entry is None:
        raise NotFound(
            _("There is no discussion log entry number {entry_id}.").format(entry_id=bounds.shown(entry_id))
        )
    return entry
