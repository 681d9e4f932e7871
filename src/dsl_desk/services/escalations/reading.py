"""Escalations read back: one escalation in full, the open cases and open checklist of the dashboard, the list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from typing import Any, NamedTuple

from sqlalchemy import Boolean, Integer, Row, Select, String, TextualSelect, column, func, select, text
from sqlalchemy.orm import Session, aliased

from dsl_desk.core.calendar import Deadline, WorkingCalendar
from dsl_desk.core.categories import category_words
from dsl_desk.core.clock import LONDON, london
from dsl_desk.core.dates_in_words import deadline_phrase, describe_deadline, working_days
from dsl_desk.core.escalation_rules import (
    DueStatus,
    due_status,
    earliest,
    immediate_risk_rule,
    may_shorten,
    review_warning,
)
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import Contact, PolicyPack
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import calendar_in, organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.escalations.event_times import is_late
from dsl_desk.services.escalations.scope import our_own
from dsl_desk.services.escalations.views import (
    CaseRow,
    ChecklistView,
    EscalationDetail,
    OpenItemRow,
    ResolutionView,
    RiskChangeView,
    StageView,
)
from dsl_desk.services.people.partnership_contacts import merged_contacts
from dsl_desk.services.people.urgent_contacts import contact_line, merged_urgent_contacts
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import (
    Agency,
    ChecklistItem,
    Child,
    Escalation,
    Resolution,
    StageRecord,
    User,
)
from dsl_desk.store.types import UTCDateTime

STATUS_ORDER = {
    DueStatus.OVERDUE: 0,
    DueStatus.DUE_TODAY: 1,
    DueStatus.DUE_NEXT_WORKING_DAY: 2,
    DueStatus.ON_TRACK: 3,
    DueStatus.NO_DEADLINE: 4,
}


def get_escalation(ctx: AppContext, escalation_id: int) -> EscalationDetail:
    with ctx.store.session() as session:
        detail = load_detail(session, ctx, escalation_id)
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="escalation_viewed",
            entity="escalation",
            entity_id=escalation_id,
        )
        return detail


def list_open_cases(ctx: AppContext) -> list[CaseRow]:
    """Open escalations, most urgent first: immediate risk pinned on top, then overdue, due today, …

    The dashboard asks every minute and after every change. What it read is kept while nothing it shows
    has changed (the store's change signal, Store.data_changes); after a change it is read again, and a row
    is made again only if its record (or the calendar, or the partnership's contacts) changed, or the time
    has moved past what its words depend on (its deadline, or midnight)."""
    now = ctx.clock.now()
    kept = ctx.store.kept(
        "open_cases", (ctx.store.data_changes(), id(ctx.packs)), lambda: _read_open_cases(ctx)
    )
    made = _rows_made(ctx, "open_case_rows", kept.context)
    remade = made.remade
    rows = [
        made.row(
            record, now, lambda r=record: case_row(ctx, r, kept.calendar, now, kept.directories), _case_due
        )
        for record in kept.records
    ]
    made.forget_all_but(kept.records)
    if made.remade == remade and made.sorted_from is kept.records:
        return list(made.sorted)  # not one row changed: the same order
    made.sorted_from = kept.records
    made.sorted = sorted(
        rows, key=lambda r: (not r.immediate_risk, STATUS_ORDER[r.due_status], r.deadline or now)
    )
    return list(made.sorted)


def list_open_checklist(ctx: AppContext) -> list[OpenItemRow]:
    """Every checklist item not yet done, oldest first — the dashboard's to-do list, each with its own
    deadline where the policy gives the step one. Kept between calls as list_open_cases is."""
    now = ctx.clock.now()
    kept = ctx.store.kept("open_checklist", ctx.store.data_changes(), lambda: _read_open_checklist(ctx))
    made = _rows_made(ctx, "open_item_rows", kept.context)
    rows = [
        made.row(record, now, lambda r=record: _item_row(r, now, kept.calendar), _item_due)
        for record in kept.records
    ]
    made.forget_all_but(kept.records)
    return rows


@dataclass
class _OpenWork:
    """What the dashboard read from the store (hashable records: plain tuples of column values)."""

    records: list[Any]
    calendar: WorkingCalendar
    directories: dict[str, list[Contact]] = field(default_factory=dict)

    @property
    def context(self) -> Any:
        """Everything besides its record that a row is made from: the calendar and the contacts."""
        calendar = (self.calendar.nation, self.calendar.closure_days, self.calendar.cutoff)
        return calendar, tuple((pack, tuple(contacts)) for pack, contacts in sorted(self.directories.items()))


@dataclass
class _RowsMade:
    """Rows made from records, each with the times its words and status hold for; kept across re-reads."""

    context: Any = None
    made: dict[Any, tuple[Any, datetime, datetime]] = field(default_factory=dict)
    remade: int = 0  # rows made so far: unchanged over a call, nothing in the list changed
    sorted_from: Any = None
    sorted: list[Any] = field(default_factory=list)

    def row(self, record: Any, now: datetime, make: Any, due: Any) -> Any:
        found = self.made.get(record)
        if found is not None and found[1] <= now < found[2]:
            return found[0]
        made = make()
        start, end = _holds_between(now, due(record))
        self.made[record] = (made, start, end)
        self.remade += 1
        return made

    def forget_all_but(self, records: list[Any]) -> None:
        if len(self.made) > len(records):
            keep = set(records)
            self.made = {record: found for record, found in self.made.items() if record in keep}


def _rows_made(ctx: AppContext, name: str, context: Any) -> _RowsMade:
    made = ctx.store.kept(name, id(ctx.packs), _RowsMade)
    if made.context != context:  # a closure day, the cut-off or a contact changed: every row again
        made.context, made.made, made.sorted_from = context, {}, None
    return made


def _holds_between(now: datetime, due_at: datetime | None) -> tuple[datetime, datetime]:
    """When a row's deadline words and due status stay what they are at `now`: within the same London day
    (midnight by the wall clock), and on the same side of its deadline (they use the date of now, and
    whether now is past the deadline)."""
    today = london(now).date()
    start = datetime.combine(today, dt_time.min, tzinfo=LONDON).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=1), dt_time.min, tzinfo=LONDON).astimezone(UTC)
    if due_at is None:
        return start, end
    if now > due_at:
        return max(start, due_at + _TICK), end
    return start, min(end, due_at + _TICK)


_TICK = timedelta(microseconds=1)


def _item_due(record: _ItemRecord) -> datetime | None:
    return record.due_at


def _case_due(record: Row[Any]) -> datetime | None:
    shown = earliest(
        Deadline(record.deadline) if record.deadline else None,
        Deadline(record.first_item_due) if record.first_item_due else None,
    )
    return shown.due_at if shown else None


def _read_open_cases(ctx: AppContext) -> _OpenWork:
    with ctx.store.session() as session:
        calendar = calendar_in(session)
        directories = {
            pack.id: [row.contact for row in merged_contacts(session, pack)] for pack in ctx.packs.values()
        }
        records = [_CaseRecord(*row) for row in session.execute(_open_case_query())]
    return _OpenWork(records, calendar, directories)


def _read_open_checklist(ctx: AppContext) -> _OpenWork:
    with ctx.store.session() as session:
        calendar = calendar_in(session)
        query = (
            select(
                ChecklistItem.id,
                ChecklistItem.escalation_id,
                Escalation.reference,
                Child.given_names,
                Child.family_name,
                ChecklistItem.kind,
                ChecklistItem.text,
                ChecklistItem.recipient,
                ChecklistItem.form_id,
                ChecklistItem.created_at,
                ChecklistItem.due_at,
                ChecklistItem.obligation,
            )
            .join(Escalation, ChecklistItem.escalation_id == Escalation.id)
            .join(Child, Escalation.child_id == Child.id)
            .where(ChecklistItem.done_at.is_(None), Escalation.status != "withdrawn", our_own())
            .order_by(ChecklistItem.created_at, ChecklistItem.id)
        )
        records = [_ItemRecord(*row) for row in session.execute(query)]
    return _OpenWork(records, calendar)


class _CaseRecord(NamedTuple):
    id: int
    reference: str
    child_id: int
    policy_id: str
    immediate_risk: bool
    status: str
    given_names: str
    family_name: str
    agency: str
    stage_key: str
    deadline: datetime | None
    raised_out_of_hours: bool
    contacted: str
    entered_at: datetime
    open_items: int
    first_item_due: datetime | None


class _ItemRecord(NamedTuple):
    id: int
    escalation_id: int
    reference: str
    given_names: str
    family_name: str
    kind: str
    text: str
    recipient: str
    form_id: str
    created_at: datetime
    due_at: datetime | None
    obligation: str


def _item_row(item: _ItemRecord, now: datetime, calendar: WorkingCalendar) -> OpenItemRow:
    return OpenItemRow(
        item.id,
        item.escalation_id,
        item.reference,
        f"{item.given_names} {item.family_name}",
        item.kind,
        item.text,
        item.recipient,
        item.form_id,
        item.created_at,
        due_at=item.due_at,
        obligation=item.obligation,
        due_words=deadline_phrase(item.due_at, now),
        due_status=due_status(item.due_at, now, calendar),
    )


def list_escalations(
    ctx: AppContext, *, status: str | None = None, child_id: int | None = None
) -> list[CaseRow]:
    """Escalations of any status (for the Escalations page and a child's page), newest first."""
    if child_id is not None:
        bounds.check_id(child_id, "child")
    now = ctx.clock.now()
    with ctx.store.session() as session:
        calendar = calendar_in(session)
        if status == "open" and child_id is None:
            query = _open_case_query()
        else:
            query = case_query()
            if status:
                query = query.where(Escalation.status == status)
            if child_id is not None:
                query = query.where(Escalation.child_id == child_id)
        directories = {
            pack.id: [row.contact for row in merged_contacts(session, pack)] for pack in ctx.packs.values()
        }
        return [case_row(ctx, row, calendar, now, directories) for row in session.execute(query)]


def case_query() -> Select[Any]:
    """Only the columns a case row needs, with each escalation's latest stage found through its index:
    loading every stage as an object made the dashboard slow on years of records."""
    open_items = (
        select(func.count(ChecklistItem.id))
        .where(ChecklistItem.escalation_id == Escalation.id, ChecklistItem.done_at.is_(None))
        .scalar_subquery()
    )
    first_item_due = (
        select(func.min(ChecklistItem.due_at))
        .where(ChecklistItem.escalation_id == Escalation.id, ChecklistItem.done_at.is_(None))
        .scalar_subquery()
    )
    stage = aliased(StageRecord)  # the outer query reads escalation_stages too; keep the two apart
    latest_stage = (
        select(func.max(stage.id))
        .where(stage.escalation_id == Escalation.id)
        .correlate(Escalation)
        .scalar_subquery()
    )
    return (
        select(
            Escalation.id,
            Escalation.reference,
            Escalation.child_id,
            Escalation.policy_id,
            Escalation.immediate_risk,
            Escalation.status,
            Child.given_names,
            Child.family_name,
            Agency.name.label("agency"),
            StageRecord.stage_key,
            StageRecord.deadline,
            StageRecord.raised_out_of_hours,
            StageRecord.contacted,
            StageRecord.entered_at,
            open_items.label("open_items"),
            first_item_due.label("first_item_due"),
        )
        .join(Child, Child.id == Escalation.child_id)
        .join(Agency, Agency.id == Escalation.other_agency_id)
        .join(StageRecord, StageRecord.id == latest_stage)
        .order_by(Escalation.opened_at.desc())
    )


def _open_case_query() -> TextualSelect:
    """The open escalations only, read through indexes that hold open work alone (migration 0008): their
    cost grows with what is open, not with years of closed records. Written out, because SQLite chose the
    index of every escalation's status over these without `INDEXED BY` (it has no statistics to go on). An
    open escalation's latest stage is the one it has not left: a stage is left only on moving to the next
    one, or on closing."""
    return _OPEN_CASES


_OPEN_CASES = text(
    """
    SELECT e.id, e.reference, e.child_id, e.policy_id, e.immediate_risk, e.status,
           c.given_names, c.family_name, a.name AS agency,
           s.stage_key, s.deadline, s.raised_out_of_hours, s.contacted, s.entered_at,
           (SELECT count(*) FROM checklist_items AS i INDEXED BY ix_checklist_undone
             WHERE i.escalation_id = e.id AND i.done_at IS NULL) AS open_items,
           (SELECT min(i.due_at) FROM checklist_items AS i INDEXED BY ix_checklist_undone
             WHERE i.escalation_id = e.id AND i.done_at IS NULL) AS first_item_due
    FROM escalations AS e INDEXED BY ix_escalations_open
    JOIN children AS c INDEXED BY ix_children_names ON c.id = e.child_id
    JOIN agencies AS a ON a.id = e.other_agency_id
    JOIN escalation_stages AS s INDEXED BY ix_stages_current ON s.escalation_id = e.id AND s.left_at IS NULL
    WHERE e.status = 'open'
    ORDER BY e.opened_at DESC
    """
).columns(
    column("id", Integer),
    column("reference", String),
    column("child_id", Integer),
    column("policy_id", String),
    column("immediate_risk", Boolean),
    column("status", String),
    column("given_names", String),
    column("family_name", String),
    column("agency", String),
    column("stage_key", String),
    column("deadline", UTCDateTime),
    column("raised_out_of_hours", Boolean),
    column("contacted", String),
    column("entered_at", UTCDateTime),
    column("open_items", Integer),
    column("first_item_due", UTCDateTime),
)


def case_row(
    ctx: AppContext,
    row: Row[Any],
    calendar: WorkingCalendar,
    now: datetime,
    directories: dict[str, list[Contact]],
) -> CaseRow:
    pack = ctx.packs.get(row.policy_id)
    known = pack is not None and pack.has_stage(row.stage_key)
    label = pack.stage(row.stage_key).display_name if known else row.stage_key  # type: ignore[union-attr]
    is_open = row.status == "open"
    shown = earliest(
        Deadline(row.deadline) if row.deadline else None,
        Deadline(row.first_item_due) if row.first_item_due else None,
    )
    deadline = shown.due_at if shown else None
    return CaseRow(
        escalation_id=row.id,
        reference=row.reference,
        child_id=row.child_id,
        child=f"{row.given_names} {row.family_name}",
        policy_id=row.policy_id,
        stage_key=row.stage_key,
        stage_label=label,
        other_agency=row.agency,
        next_contact=_next_contact(pack, row.stage_key, row.contacted, directories.get(row.policy_id, []))
        if is_open
        else "",
        deadline=deadline if is_open else None,
        deadline_words=describe_deadline(deadline, now) if is_open else row.status,
        due_status=due_status(deadline, now, calendar) if is_open else DueStatus.NO_DEADLINE,
        out_of_hours=row.raised_out_of_hours,
        immediate_risk=row.immediate_risk,
        open_checklist=row.open_items,
        waiting_working_days=calendar.working_days_elapsed(row.entered_at, now) if is_open else 0,
        status=row.status,
        stage_deadline=row.deadline if is_open else None,
    )


def _next_contact(pack: PolicyPack | None, stage_key: str, contacted: str, directory: list[Contact]) -> str:
    """Who was contacted at this stage, else the first of the stage's contacts (with the DSL's corrections)."""
    if contacted:
        return contacted
    if pack is None or not pack.has_stage(stage_key):
        return ""
    contacts = [c for c in directory if c.stage == stage_key]
    if contacts:
        first = contacts[0]
        return ", ".join(part for part in (first.name, first.role, first.phone) if part)
    return pack.stage(stage_key).their_side


def load_open(session: Session, escalation_id: int) -> Escalation:
    escalation = bounds.fetch(session, Escalation, escalation_id)
    if escalation is None:
        raise NotFound(
            _("There is no escalation number {escalation_id}.").format(
                escalation_id=bounds.shown(escalation_id)
            )
        )
    if escalation.status != "open":
        raise ValidationError(
            _("Escalation {reference} is already {status}; it cannot be changed.").format(
                reference=escalation.reference, status=escalation.status
            )
        )
    return escalation


def load_child(session: Session, child_id: int) -> Child:
    child = bounds.fetch(session, Child, child_id)
    if child is None:
        raise ValidationError(_("Choose the child this disagreement is about."), field="child_id")
    return child


def load_detail(session: Session, ctx: AppContext, escalation_id: int) -> EscalationDetail:
    escalation = bounds.fetch(session, Escalation, escalation_id)
    if escalation is None:
        raise NotFound(
            _("There is no escalation number {escalation_id}.").format(
                escalation_id=bounds.shown(escalation_id)
            )
        )
    pack = ctx.pack(escalation.policy_id)
    now = ctx.clock.now()
    calendar = calendar_in(session)
    current = escalation.stages[-1]
    is_open = escalation.status == "open"
    open_dues = [i.due_at for i in escalation.checklist if i.done_at is None and i.due_at is not None]
    shown = earliest(
        Deadline(current.deadline) if current.deadline else None, *(Deadline(d) for d in open_dues)
    )
    deadline = shown.due_at if shown and is_open else None
    stage = pack.stage(escalation.current_stage) if pack.has_stage(escalation.current_stage) else None
    return EscalationDetail(
        id=escalation.id,
        reference=escalation.reference,
        child_id=escalation.child_id,
        child=escalation.child.full_name,
        policy_id=pack.id,
        policy_name=pack.name,
        policy_version=escalation.policy_version,
        status=escalation.status,
        our_agency=escalation.our_agency,
        our_professional=escalation.our_professional,
        other_agency=escalation.other_agency.name,
        other_professional=escalation.other_professional.name if escalation.other_professional else "",
        category=category_label(pack, escalation.category),
        problem=escalation.problem,
        outcome_sought=escalation.outcome_sought,
        immediate_risk=escalation.immediate_risk,
        opened_at=escalation.opened_at,
        current_stage_key=escalation.current_stage,
        current_deadline=deadline,
        deadline_words=describe_deadline(deadline, now) if is_open else escalation.status,
        due_status=due_status(deadline, now, calendar) if is_open else DueStatus.NO_DEADLINE,
        waiting_working_days=calendar.working_days_elapsed(current.entered_at, now) if is_open else 0,
        stages=_stepper(pack, escalation),
        checklist=tuple(
            ChecklistView(
                i.id,
                i.stage_key,
                i.kind,
                i.text,
                i.recipient,
                i.form_id,
                i.done_at,
                i.done_note,
                i.requirement_key,
                obligation=i.obligation,
                due_at=i.due_at,
                not_done=i.not_done,
                due_words=deadline_phrase(i.due_at, now) if i.done_at is None else "",
            )
            for i in escalation.checklist
        ),
        resolution=_resolution_view(escalation.resolution),
        withdrawn_reason=escalation.withdrawn_reason,
        arose_at=escalation.began_at,
        recorded_late=is_late(escalation.began_at, escalation.opened_at),
        deadline_note=_deadline_note(escalation, current, pack, now) if is_open else "",
        risk_changes=tuple(
            RiskChangeView(
                c.raised, c.noticed_at, c.recorded_at, user_name(session, c.recorded_by_id), c.reason
            )
            for c in escalation.risk_changes
        ),
        may_shorten=may_shorten(pack),
        shortened_reason=escalation.shortened_reason,
        review_warning=review_warning(pack, london(now).date()),
        urgent_contacts=tuple(contact_line(c) for c in merged_urgent_contacts(session, pack)),
        binding_decision_stage=bool(stage and stage.binding_decision),
    )


def _deadline_note(escalation: Escalation, current: StageRecord, pack: PolicyPack, now: datetime) -> str:
    notes = []
    if current.deadline_moved_from is not None:
        notes.append(
            f"Moved from {describe_deadline(current.deadline_moved_from, now)} by the school's closure days "
            "(this step is inside your own agency)."
        )
    if escalation.shortened_due_at is not None:
        notes.append(
            f"Shortened to {describe_deadline(escalation.shortened_due_at, now)}: {escalation.shortened_reason}"
        )
    if escalation.immediate_risk:
        rule = immediate_risk_rule(pack)
        notes.append(
            f"A child at immediate risk: {rule.timescale.text or 'the same working day'}. Closure days never move this."
        )
    return " ".join(notes)


def user_name(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return user.display_name if user else ""


def category_label(pack: PolicyPack, key: str) -> str:
    return category_words(pack, key)


def _stepper(pack: PolicyPack, escalation: Escalation) -> tuple[StageView, ...]:
    records = {record.stage_key: record for record in escalation.stages}
    views = []
    for stage in pack.stages:
        record = records.get(stage.key)
        if record is None:
            views.append(
                StageView(stage.key, stage.label, stage.title, "to_come", printed_label=stage.printed_label)
            )
            continue
        state = "current" if record.left_at is None else "done"
        views.append(
            StageView(
                stage.key,
                stage.label,
                stage.title,
                state,
                record.entered_at,
                record.deadline,
                record.left_at,
                record.contacted,
                record.outcome,
                record.timescale_met,
                record.missed_reason,
                started_at=record.began_at,
                response_received_at=record.response_received_at,
                deadline_moved_from=record.deadline_moved_from,
                printed_label=stage.printed_label,
            )
        )
    return tuple(views)


def _resolution_view(resolution: Resolution | None) -> ResolutionView | None:
    if resolution is None:
        return None
    return ResolutionView(
        resolution.resolved_stage,
        resolution.resolved_at,
        resolution.written_outcome,
        resolution.main_reason,
        resolution.actions,
        resolution.practitioners_informed,
        resolution.lessons_learnt,
        resolution.learning_referred_to_board,
        resolution.debrief_held,
        resolution.parents_informed,
        resolution.parents_not_informed_reason,
        resolution.child_situation_improved,
        resolution.overrun_reason,
        resolution.manager_confirmed_child_safe,
        resolution.manager_name,
    )


def chase_message(ctx: AppContext, escalation_id: int) -> str:
    """A short, prefilled message to chase the other agency before the deadline passes. No child's name:
    it may go by ordinary email; the reference identifies the case to someone who already knows it."""
    with ctx.store.session() as session:
        detail = load_detail(session, ctx, escalation_id)
        org = organisation(session)
    stage = next(s for s in detail.stages if s.key == detail.current_stage_key)
    greeting = f"Dear {detail.other_professional}," if detail.other_professional else "Hello,"
    days = detail.waiting_working_days
    waited = working_days(days)
    passed = detail.current_deadline is not None and detail.current_deadline < ctx.clock.now()
    due = (
        (
            _(" The policy's timescale for this stage ended: {deadline_words}.")
            if passed  # not "ends overdue since 17:00 yesterday"
            else _(" The policy's timescale for this stage ends {deadline_words}.")
        ).format(deadline_words=detail.deadline_words)
        if detail.current_deadline
        else ""
    )
    return (
        f"{greeting}\n\n"
        f"I am following up our professional disagreement, reference {detail.reference}, which is at "
        f"{stage.label} ({stage.title}) of the {detail.policy_name} escalation policy. I have been waiting "
        f"{waited} for a response.{due}\n\n"
        "Please could you reply today, or let me know when I can expect a response.\n\n"
        f"{ctx.actor.display_name}\n{ctx.actor.role}, {org.name}"
    )
