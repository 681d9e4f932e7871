"""Escalations read back: one escalation in full, the open cases and open checklist of the dashboard, the list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session, aliased

from dsl_desk.core.calendar import Deadline, WorkingCalendar
from dsl_desk.core.clock import london
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
    """Open escalations, most urgent first: immediate risk pinned on top, then overdue, due today, …"""
    now = ctx.clock.now()
    rows = list_escalations(ctx, status="open")
    return sorted(rows, key=lambda r: (not r.immediate_risk, STATUS_ORDER[r.due_status], r.deadline or now))


def list_open_checklist(ctx: AppContext) -> list[OpenItemRow]:
    """Every checklist item not yet done, oldest first — the dashboard's to-do list, each with its own
    deadline where the policy gives the step one."""
    now = ctx.clock.now()
    with ctx.store.session() as session:
        calendar = calendar_in(session)
        query = (
            select(ChecklistItem, Escalation.reference, Child.given_names, Child.family_name)
            .join(Escalation, ChecklistItem.escalation_id == Escalation.id)
            .join(Child, Escalation.child_id == Child.id)
            .where(ChecklistItem.done_at.is_(None), Escalation.status != "withdrawn", our_own())
            .order_by(ChecklistItem.created_at, ChecklistItem.id)
        )
        return [
            OpenItemRow(
                item.id,
                item.escalation_id,
                reference,
                f"{given} {family}",
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
            for item, reference, given, family in session.execute(query)
        ]


def list_escalations(
    ctx: AppContext, *, status: str | None = None, child_id: int | None = None
) -> list[CaseRow]:
    """Escalations of any status (for the Escalations page and a child's page), newest first."""
    if child_id is not None:
        bounds.check_id(child_id, "child")
    now = ctx.clock.now()
    with ctx.store.session() as session:
        calendar = calendar_in(session)
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
            _(
                "Moved from {deadline_moved_from} by the school's closure days "
                "(this step is inside your own agency)."
            ).format(deadline_moved_from=describe_deadline(current.deadline_moved_from, now))
        )
    if escalation.shortened_due_at is not None:
        notes.append(
            _("Shortened to {shortened_due_at}: {shortened_reason}").format(
                shortened_due_at=describe_deadline(escalation.shortened_due_at, now),
                shortened_reason=escalation.shortened_reason,
            )
        )
    if escalation.immediate_risk:
        rule = immediate_risk_rule(pack)
        notes.append(
            _("A child at immediate risk: {value}. Closure days never move this.").format(
                value=rule.timescale.text or "the same working day"
            )
        )
    return " ".join(notes)


def user_name(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return user.display_name if user else ""


def category_label(pack: PolicyPack, key: str) -> str:
    return next((c.label for c in pack.categories if c.key == key), key)


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
    return _(
        "{greeting}\n\n"
        "I am following up our professional disagreement, reference {reference}, which is at "
        "{label} ({title}) of the {policy_name} escalation policy. I have been waiting "
        "{waited} for a response.{due}\n\n"
        "Please could you reply today, or let me know when I can expect a response.\n\n"
        "{display_name}\n{role}, {name}"
    ).format(
        greeting=greeting,
        reference=detail.reference,
        label=stage.label,
        title=stage.title,
        policy_name=detail.policy_name,
        waited=waited,
        due=due,
        display_name=ctx.actor.display_name,
        role=ctx.actor.role,
        name=org.name,
    )
