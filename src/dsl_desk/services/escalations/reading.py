"""Escalations read back: one escalation in full, the open cases and open checklist of the dashboard, the list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, Row, Select, String, TextualSelect, column, func, select, text
from sqlalchemy.orm import Session, aliased

from dsl_desk.core.calendar import Deadline, WorkingCalendar
from dsl_desk.core.categories import category_words
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
from dsl_desk.services.escalations.views import (
    CaseRow,
    ChecklistView,
    EscalationDetail,
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
            query = open_case_query()
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


def open_case_query() -> TextualSelect:
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
