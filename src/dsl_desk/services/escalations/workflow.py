"""Escalation use cases: open, escalate, resolve, withdraw, tick off. One transaction each, audited.

The rules (order, prerequisites, deadlines, what each stage requires) come from core and the policy pack;
this module only applies them and records what happened. Nothing is deleted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session, aliased

from dsl_desk.core.calendar import Deadline, WorkingCalendar
from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import deadline_phrase, describe_deadline
from dsl_desk.core.escalation_rules import (
    ChildFlags,
    ClosingChecklist,
    ClosingField,
    DueStatus,
    TransitionRefused,
    check_escalation,
    closing_requirements,
    due_status,
    earliest,
    immediate_deadline,
    immediate_risk_rule,
    may_shorten,
    requirement_applies,
    requirements_for,
    review_warning,
)
from dsl_desk.core.policy import AGENCY_KINDS, Contact, PolicyPack
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import calendar_in, organisation
from dsl_desk.services.context import AppContext, ServiceError, ValidationError
from dsl_desk.services.escalations.deadlines import (
    IMMEDIATE_PREFIX,
    OUT_OF_HOURS_KEY,
    PRE_STEP_PREFIX,
    item_deadline,
    stage_deadline_for,
    stage_was_met,
)
from dsl_desk.services.escalations.event_times import event_time, is_late
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
from dsl_desk.services.people.agencies import find_or_add_agency
from dsl_desk.services.people.partnership_contacts import merged_contacts
from dsl_desk.services.people.urgent_contacts import contact_line, merged_urgent_contacts, out_of_hours_text
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import (
    Agency,
    ChecklistItem,
    Child,
    Escalation,
    Professional,
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


@dataclass(frozen=True)
class NewEscalation:
    child_id: int
    other_agency: str
    category: str
    problem: str
    outcome_sought: str
    immediate_risk: bool = False
    other_professional_id: int | None = None
    other_professional_name: str = ""
    our_professional: str = ""  # defaults to the signed-in user
    contacted: str = ""  # who was contacted at the first stage
    policy_id: str = ""  # defaults to the organisation's partnership
    arose_at: datetime | None = None  # when the disagreement arose; defaults to now
    other_agency_kind: str = ""  # social_care, health, …: steps for a kind of agency apply only to it
    immediate_risk_reason: str = ""


_NEW_LIMITS = {
    "other_agency": bounds.NAME_MAX,
    "other_professional_name": bounds.NAME_MAX,
    "our_professional": bounds.NAME_MAX,
    "category": bounds.NAME_MAX,
    "policy_id": bounds.NAME_MAX,
}


@dataclass(frozen=True)
class StageOutcome:
    """What the escalate wizard collects about the stage being left, and who is contacted next."""

    outcome: str
    contacted_next: str = ""
    missed_reason: str = ""
    target_stage_key: str = ""  # defaults to the next stage
    response_received_at: datetime | None = None  # when the other agency answered at the stage being left
    next_started_at: datetime | None = None  # when the next stage really started; defaults to now
    # Why a "must" still open was not done, by checklist item id: moving on waits for these.
    not_done_reasons: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ResolutionInput:
    written_outcome: str
    outcome_agreed_in_writing: bool
    main_reason: str = ""
    actions: str = ""
    practitioners_informed: str = ""
    lessons_learnt: str = ""
    learning_referred_to_board: bool = False
    debrief_held: bool = False
    parents_informed: bool = False
    parents_not_informed_reason: str = ""
    child_situation_improved: str = ""  # yes | no | not yet known
    missed_reason: str = ""  # for the final stage, if its timescale was missed
    overrun_reason: str = ""
    manager_confirmed_child_safe: bool = False
    manager_name: str = ""
    response_received_at: datetime | None = None  # when the other agency's final answer came
    not_done_reasons: Mapping[int, str] = field(default_factory=dict)
    # "yes"/"no" where the policy requires gaps or learning to be reported (St Helens: the Board's chair)
    gaps_found: str = ""


# --------------------------------------------------------------------------------------------------------------
# Opening
# --------------------------------------------------------------------------------------------------------------


def open_escalation(ctx: AppContext, draft: NewEscalation) -> EscalationDetail:
    now = ctx.clock.now()
    bounds.check_texts(draft, _NEW_LIMITS)
    arose_at = event_time(draft.arose_at, now, "When the disagreement arose", field="arose_at")
    with ctx.store.session() as session:
        org = organisation(session)
        pack = ctx.pack(draft.policy_id or org.partnership_id)
        _validate_new(draft, pack)
        child = _child(session, draft.child_id)
        agency = find_or_add_agency(session, draft.other_agency)
        if draft.other_agency_kind:
            if draft.other_agency_kind not in AGENCY_KINDS:
                raise ValidationError("Choose what kind of agency it is from the list.", field="agency_kind")
            agency.kind = draft.other_agency_kind
        professional_id = _other_professional(session, draft, agency.id)
        escalation = Escalation(
            reference=_next_reference(session, now),
            child_id=child.id,
            policy_id=pack.id,
            policy_version=pack.version,
            our_agency=org.name,
            our_professional=draft.our_professional.strip() or ctx.actor.display_name,
            other_agency_id=agency.id,
            other_professional_id=professional_id,
            category=draft.category,
            problem=draft.problem.strip(),
            outcome_sought=draft.outcome_sought.strip(),
            immediate_risk=draft.immediate_risk,
            current_stage=pack.first_stage.key,
            opened_at=now,
            arose_at=arose_at,
            opened_by_id=ctx.actor.user_id,
        )
        session.add(escalation)
        session.flush()
        calendar = calendar_in(session)
        _enter_stage(
            session,
            ctx,
            escalation,
            pack,
            pack.first_stage.key,
            calendar,
            contacted=draft.contacted,
            started_at=arose_at,
        )
        _add_pre_steps(session, ctx, escalation, pack, calendar, agency.kind)
        if draft.immediate_risk:
            add_immediate_risk_items(session, ctx, escalation, pack, calendar, arose_at)
        session.flush()
        session.refresh(escalation)
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="escalation_opened",
            entity="escalation",
            entity_id=escalation.id,
            detail={
                "reference": escalation.reference,
                "policy": pack.id,
                "stage": escalation.current_stage,
                "immediate_risk": draft.immediate_risk,
                "arose_at": arose_at.isoformat(),
                "recorded_late": is_late(arose_at, now),
            },
        )
        return _detail(session, ctx, escalation.id)


def _validate_new(draft: NewEscalation, pack: PolicyPack) -> None:
    if not draft.other_agency.strip():
        raise ValidationError("Enter the other agency you disagree with.", field="other_agency")
    if draft.category not in {c.key for c in pack.categories}:
        raise ValidationError(
            f"Choose what the disagreement is about from the {pack.short_name} list.", field="category"
        )
    if not draft.problem.strip():
        raise ValidationError(
            "Say what the problem is — the policy asks you to be clear about it.", field="problem"
        )
    if not draft.outcome_sought.strip():
        raise ValidationError("Say what outcome you are seeking for the child.", field="outcome_sought")


def _other_professional(session: Session, draft: NewEscalation, agency_id: int) -> int | None:
    if draft.other_professional_id is not None:
        if bounds.fetch(session, Professional, draft.other_professional_id) is None:
            raise ValidationError(
                "That professional is no longer in the contacts.", field="other_professional"
            )
        return draft.other_professional_id
    name = draft.other_professional_name.strip()
    if not name:
        return None
    person = Professional(name=name, agency_id=agency_id)
    session.add(person)
    session.flush()
    return person.id


_REFERENCE_NUMBER = re.compile(r"(\d+)")  # the number after "ESC-2026-", imported ones' "-T" ignored


def _next_reference(session: Session, now: datetime) -> str:
    """One more than the highest number used this year. Not a count: a record deleted at the end of its
    retention leaves a gap, and a count would then hand out a number still in use."""
    prefix = f"ESC-{now.year}-"
    used = session.scalars(select(Escalation.reference).where(Escalation.reference.like(f"{prefix}%")))
    numbers = (int(match.group(1)) for ref in used if (match := _REFERENCE_NUMBER.match(ref, len(prefix))))
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


# --------------------------------------------------------------------------------------------------------------
# Escalating
# --------------------------------------------------------------------------------------------------------------


def escalate(ctx: AppContext, escalation_id: int, step: StageOutcome) -> EscalationDetail:
    now = ctx.clock.now()
    bounds.check_texts(step, {"target_stage_key": bounds.NAME_MAX})
    with ctx.store.session() as session:
        escalation = _open_escalation(session, escalation_id)
        pack = ctx.pack(escalation.policy_id)
        current = escalation.stages[-1]
        following = pack.next_stage(escalation.current_stage)
        target = step.target_stage_key or (following.key if following else "")
        if not step.outcome.strip():
            raise ValidationError(
                f"Record the outcome of {pack.stage(current.stage_key).label} before escalating.",
                field="outcome",
            )
        used = [record.stage_key for record in escalation.stages]
        done = {
            i.requirement_key for i in escalation.checklist if i.stage_key == current.stage_key and i.done_at
        }
        try:
            check_escalation(pack, used, escalation.current_stage, target, done_requirement_keys=done)
        except TransitionRefused as refusal:
            raise ServiceError(refusal.message) from refusal
        received = _response_time(step.response_received_at, current, now)
        started = event_time(
            step.next_started_at, now, "When the next stage started", field="next_started_at"
        )
        if started < current.began_at:
            raise ValidationError(
                "The next stage cannot have started before the stage it follows.", field="next_started_at"
            )
        close_musts(session, ctx, escalation, step.not_done_reasons, now, moving_on=True)
        _leave_stage(current, step.outcome, step.missed_reason, now, ctx.actor.user_id, received)
        calendar = calendar_in(session)
        _enter_stage(
            session,
            ctx,
            escalation,
            pack,
            target,
            calendar,
            contacted=step.contacted_next,
            started_at=started,
        )
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="escalated",
            entity="escalation",
            entity_id=escalation.id,
            detail={"from": current.stage_key, "to": target, "timescale_met": current.timescale_met},
        )
        return _detail(session, ctx, escalation.id)


def _response_time(given: datetime | None, record: StageRecord, now: datetime) -> datetime | None:
    if given is None:
        return None
    received = event_time(given, now, "When the response came", field="response_received_at")
    if received < record.began_at:
        raise ValidationError(
            "The response cannot have come before the stage started.", field="response_received_at"
        )
    return received


def _leave_stage(
    record: StageRecord,
    outcome: str,
    missed_reason: str,
    now: datetime,
    user_id: int,
    response_received_at: datetime | None = None,
) -> None:
    """ "Timescale met" is measured to when the other agency responded, if recorded, else to now."""
    record.response_received_at = response_received_at
    met = stage_was_met(record.deadline, response_received_at, now)
    if not met and not missed_reason.strip():
        raise ValidationError(
            "The timescale for this stage was missed. The policy wants the reason recorded: say why it took longer.",
            field="missed_reason",
        )
    record.outcome = outcome.strip()
    record.left_at = now
    record.left_by_id = user_id
    record.timescale_met = met
    record.missed_reason = "" if met else missed_reason.strip()


def _enter_stage(
    session: Session,
    ctx: AppContext,
    escalation: Escalation,
    pack: PolicyPack,
    stage_key: str,
    calendar: WorkingCalendar,
    *,
    contacted: str,
    started_at: datetime,
) -> None:
    now = ctx.clock.now()
    stage = pack.stage(stage_key)
    record = StageRecord(
        escalation_id=escalation.id,
        stage_key=stage_key,
        entered_at=now,
        started_at=started_at,
        contacted=contacted.strip(),
        entered_by_id=ctx.actor.user_id,
    )
    deadline = stage_deadline_for(pack, escalation, record, calendar)
    record.deadline = deadline.due_at if deadline else None
    record.deadline_moved_from = deadline.moved_by_closure_from if deadline else None
    record.raised_out_of_hours = bool(deadline and deadline.out_of_hours)
    session.add(record)
    escalation.current_stage = stage_key
    kind = escalation.other_agency.kind if escalation.other_agency else ""
    for requirement in requirements_for(stage, _flags(escalation.child), kind):
        item = _add_item(
            session,
            ctx,
            escalation,
            stage_key,
            requirement.key,
            requirement.kind,
            requirement.text,
            recipient=requirement.recipient,
            form_id=requirement.form,
            obligation=requirement.obligation,
            due_from=started_at if requirement.timescale else None,
        )
        if requirement.timescale:
            due = item_deadline(pack, escalation, item, calendar)
            item.due_at = due.due_at if due else None
    session.flush()
    session.refresh(escalation)


def _add_pre_steps(
    session: Session,
    ctx: AppContext,
    escalation: Escalation,
    pack: PolicyPack,
    calendar: WorkingCalendar,
    agency_kind: str,
) -> None:
    """The policy's steps before the formal stages; a step that follows another starts its clock when that
    one is done (St Helens: the Team Manager alerted within one working day of the social worker failing)."""
    flags = _flags(escalation.child)
    for step in pack.pre_steps:
        if not requirement_applies(step, flags, agency_kind):
            continue
        timed = step.timescale.kind != "none" and not step.after
        item = _add_item(
            session,
            ctx,
            escalation,
            "before_stages",
            f"{PRE_STEP_PREFIX}{step.key}",
            "action",
            f"{step.title}: {step.text}",
            obligation=step.obligation,
            due_from=escalation.began_at if timed else None,
        )
        if timed:
            due = item_deadline(pack, escalation, item, calendar)
            item.due_at = due.due_at if due else None


def _add_item(
    session: Session,
    ctx: AppContext,
    escalation: Escalation,
    stage_key: str,
    key: str,
    kind: str,
    text: str,
    *,
    recipient: str = "",
    form_id: str = "",
    obligation: str = "should",
    due_from: datetime | None = None,
    due_at: datetime | None = None,
) -> ChecklistItem:
    item = ChecklistItem(
        escalation_id=escalation.id,
        stage_key=stage_key,
        requirement_key=key,
        kind=kind,
        text=text,
        recipient=recipient,
        form_id=form_id,
        created_at=ctx.clock.now(),
        obligation=obligation,
        due_from=due_from,
        due_at=due_at,
    )
    session.add(item)
    escalation.checklist.append(item)
    return item


def add_immediate_risk_items(
    session: Session,
    ctx: AppContext,
    escalation: Escalation,
    pack: PolicyPack,
    calendar: WorkingCalendar,
    raised_at: datetime,
) -> None:
    """Who the policy says to inform, due by its immediate-risk timescale ("immediately": now, so overdue
    until done); out of hours, whom to call now as well."""
    rule = immediate_risk_rule(pack)
    due = immediate_deadline(pack, calendar, raised_at)
    for index, person in enumerate(rule.inform):
        _add_item(
            session,
            ctx,
            escalation,
            escalation.current_stage,
            f"{IMMEDIATE_PREFIX}{index}",
            "notification",
            f"Immediate risk: inform {person} — {rule.timescale.text or 'the same working day'}.",
            recipient=person,
            obligation="must",
            due_from=raised_at,
            due_at=due.due_at if due else None,
        )
    if not calendar.without_closures().in_working_hours(raised_at):
        _add_item(
            session,
            ctx,
            escalation,
            escalation.current_stage,
            OUT_OF_HOURS_KEY,
            "action",
            out_of_hours_text(pack, merged_urgent_contacts(session, pack)),
            obligation="must",
            due_from=raised_at,
            due_at=raised_at,  # now: out of hours nobody else will act until someone is called
        )


def _flags(child: Child) -> ChildFlags:
    return ChildFlags(child.child_protection_plan, child.looked_after, child.child_in_need, child.ehcp)


# --------------------------------------------------------------------------------------------------------------
# Checklist
# --------------------------------------------------------------------------------------------------------------


def complete_checklist_item(ctx: AppContext, item_id: int, note: str = "") -> EscalationDetail:
    now = ctx.clock.now()
    bounds.check_text(note, "the note", limit=bounds.LINE_MAX * 10, field="note")
    with ctx.store.session() as session:
        item = _open_item(session, item_id)
        escalation = item.escalation
        pack = ctx.packs.get(escalation.policy_id)
        prompt = _note_prompt(pack, item)
        if prompt and not note.strip():
            raise ValidationError(prompt, field="note")
        item.done_at = now
        item.done_by_id = ctx.actor.user_id
        item.done_note = note.strip()
        if pack is not None:
            _start_following_steps(session, ctx, escalation, pack, item, now)
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="checklist_done",
            entity="checklist_item",
            entity_id=item.id,
            detail={"escalation_id": item.escalation_id, "key": item.requirement_key},
        )
        return _detail(session, ctx, item.escalation_id)


def record_not_done(ctx: AppContext, item_id: int, reason: str) -> EscalationDetail:
    """Close a step the policy asks for without doing it, saying why: a "must" then no longer holds up
    moving on or closing, and the reason stays on the record."""
    now = ctx.clock.now()
    with ctx.store.session() as session:
        item = _open_item(session, item_id)
        _close_not_done(session, ctx, item, reason, now)
        return _detail(session, ctx, item.escalation_id)


def _open_item(session: Session, item_id: int) -> ChecklistItem:
    item = bounds.fetch(session, ChecklistItem, item_id)
    if item is None:
        raise NotFound(f"There is no checklist item number {bounds.shown(item_id)}.")
    if item.done_at is not None:
        raise ValidationError("That item was already ticked off.")
    return item


def _close_not_done(
    session: Session, ctx: AppContext, item: ChecklistItem, reason: str, now: datetime
) -> None:
    if not reason.strip():
        raise ValidationError(
            f"Say why this was not done: “{_short_text(item.text)}”", field=f"not_done:{item.id}"
        )
    bounds.check_text(
        reason, "the reason it was not done", limit=bounds.LINE_MAX, field=f"not_done:{item.id}"
    )
    mark_not_done(session, ctx, item, reason.strip(), now)


def mark_not_done(session: Session, ctx: AppContext, item: ChecklistItem, note: str, now: datetime) -> None:
    """Close a step without doing it, with why, audited: the one place a step is closed as not done."""
    item.done_at = now
    item.done_by_id = ctx.actor.user_id
    item.done_note = note
    item.not_done = True
    audit.record(
        session,
        at=now,
        user_id=ctx.actor.user_id,
        action="checklist_not_done",
        entity="checklist_item",
        entity_id=item.id,
        detail={"escalation_id": item.escalation_id, "key": item.requirement_key},
    )


def _short_text(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _note_prompt(pack: PolicyPack | None, item: ChecklistItem) -> str:
    if pack is None or not pack.has_stage(item.stage_key):
        return ""
    requirement = next(
        (r for r in pack.stage(item.stage_key).requirements if r.key == item.requirement_key), None
    )
    return requirement.note_prompt if requirement else ""


def _start_following_steps(
    session: Session,
    ctx: AppContext,
    escalation: Escalation,
    pack: PolicyPack,
    done: ChecklistItem,
    now: datetime,
) -> None:
    """A pre-step done starts the clock of the step that follows it (the Team Manager alert)."""
    if not done.requirement_key.startswith(PRE_STEP_PREFIX):
        return
    key = done.requirement_key.removeprefix(PRE_STEP_PREFIX)
    followers = {f"{PRE_STEP_PREFIX}{p.key}" for p in pack.pre_steps if p.after == key}
    calendar = calendar_in(session)
    for item in escalation.checklist:
        if item.requirement_key in followers and item.done_at is None and item.due_from is None:
            item.due_from = now
            due = item_deadline(pack, escalation, item, calendar)
            item.due_at = due.due_at if due else None


def open_musts(escalation: Escalation) -> list[ChecklistItem]:
    return [i for i in escalation.checklist if i.done_at is None and i.obligation == "must"]


def close_musts(
    session: Session,
    ctx: AppContext,
    escalation: Escalation,
    reasons: Mapping[int, str],
    now: datetime,
    *,
    moving_on: bool,
) -> None:
    """Refuse to move on or close while a "must" is neither done nor given a reason; record the reasons."""
    waiting = open_musts(escalation)
    missing = [i for i in waiting if not reasons.get(i.id, "").strip()]
    if missing:
        what = "moving to the next stage" if moving_on else "closing"
        lines = "; ".join(f"“{_short_text(i.text, 90)}”" for i in missing)
        raise ValidationError(
            f"The policy says these must be done before {what}: {lines}. Tick each off once done, or record "
            "why it was not done.",
            field="not_done_reasons",
        )
    for item in waiting:
        _close_not_done(session, ctx, item, reasons[item.id], now)


# --------------------------------------------------------------------------------------------------------------
# Closing
# --------------------------------------------------------------------------------------------------------------


def closing_checklist(ctx: AppContext, escalation_id: int) -> ClosingChecklist:
    """What resolving this escalation now would require (for the resolve wizard to ask)."""
    with ctx.store.session() as session:
        escalation = _open_escalation(session, escalation_id)
        pack = ctx.pack(escalation.policy_id)
        return closing_requirements(
            pack,
            opened_at=escalation.began_at,
            resolved_at=ctx.clock.now(),
            calendar=calendar_in(session),
            reached_stage_key=escalation.current_stage,
        )


def resolve(ctx: AppContext, escalation_id: int, answers: ResolutionInput) -> EscalationDetail:
    now = ctx.clock.now()
    bounds.check_texts(
        answers, {"manager_name": bounds.NAME_MAX, "child_situation_improved": bounds.NAME_MAX}
    )
    with ctx.store.session() as session:
        escalation = _open_escalation(session, escalation_id)
        pack = ctx.pack(escalation.policy_id)
        rules = closing_requirements(
            pack,
            opened_at=escalation.began_at,
            resolved_at=now,
            calendar=calendar_in(session),
            reached_stage_key=escalation.current_stage,
        )
        binding = pack.stage(escalation.current_stage).binding_decision
        _validate_resolution(answers, rules, binding_decision=binding)
        gaps_must = pack.closing.learning_obligation == "must" and bool(rules.learning_referred_to)
        if gaps_must and answers.gaps_found not in {"yes", "no"}:
            raise ValidationError(
                f"Say whether this disclosed gaps or weaknesses that the {pack.short_name} policy says must be "
                f"brought to the attention of {rules.learning_referred_to}.",
                field="gaps_found",
            )
        current = escalation.stages[-1]
        received = _response_time(answers.response_received_at, current, now)
        close_musts(session, ctx, escalation, answers.not_done_reasons, now, moving_on=False)
        if gaps_must:
            answers = replace(answers, learning_referred_to_board=answers.gaps_found == "yes")
        _leave_stage(
            current, answers.written_outcome, answers.missed_reason, now, ctx.actor.user_id, received
        )
        session.add(
            Resolution(
                escalation_id=escalation.id,
                resolved_stage=escalation.current_stage,
                resolved_at=now,
                resolved_by_id=ctx.actor.user_id,
                **{
                    name: (value.strip() if isinstance(value, str) else value)
                    for name, value in answers.__dict__.items()
                    if name not in _NOT_RESOLUTION_COLUMNS
                },
            )
        )
        escalation.status = "resolved"
        escalation.closed_at = now
        for form in rules.forms:
            _add_item(
                session,
                ctx,
                escalation,
                "closing",
                f"form:{form.form}",
                "form",
                f"Complete the {form.title}"
                + (f" and send it to {form.recipient}" if form.recipient else ""),
                recipient=form.recipient,
                form_id=form.form,
            )
        refer = answers.gaps_found == "yes" if gaps_must else answers.learning_referred_to_board
        if refer and rules.learning_referred_to:
            _add_item(
                session,
                ctx,
                escalation,
                "closing",
                "learning",
                "copy",
                f"{'Bring the gaps or weaknesses found to the attention of' if gaps_must else 'Refer the learning to'} "
                f"{rules.learning_referred_to}",
                recipient=rules.learning_referred_to,
                obligation="must" if gaps_must else "should",
            )
        if rules.action_log:
            _add_item(
                session,
                ctx,
                escalation,
                "closing",
                "action_log",
                "action",
                f"Record in the {rules.action_log}",
            )
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="escalation_resolved",
            entity="escalation",
            entity_id=escalation.id,
            detail={"stage": escalation.current_stage, "overran": rules.overran},
        )
        return _detail(session, ctx, escalation.id)


_NOT_RESOLUTION_COLUMNS = {"missed_reason", "response_received_at", "not_done_reasons", "gaps_found"}


def _validate_resolution(
    answers: ResolutionInput, rules: ClosingChecklist, *, binding_decision: bool = False
) -> None:
    requires = rules.requires
    if binding_decision:
        if not answers.written_outcome.strip():
            raise ValidationError("Write down the final binding decision.", field="written_outcome")
        if not answers.outcome_agreed_in_writing:
            raise ValidationError(
                "An escalation ending in a binding decision cannot be closed until the decision is in writing. "
                "Get it in writing, then tick that it was given in writing.",
                field="outcome_agreed_in_writing",
            )
    if not answers.written_outcome.strip():
        raise ValidationError("Write down the outcome the agencies agreed.", field="written_outcome")
    if (
        requires(ClosingField.WRITTEN_OUTCOME)
        and not binding_decision
        and not answers.outcome_agreed_in_writing
    ):
        raise ValidationError(
            "An escalation cannot be closed until the outcome is agreed in writing between the agencies. "
            "Get written confirmation (an email will do), then tick that it was agreed in writing.",
            field="outcome_agreed_in_writing",
        )
    if (
        requires(ClosingField.PARENTS_INFORMED)
        and not answers.parents_informed
        and not answers.parents_not_informed_reason.strip()
    ):
        raise ValidationError(
            "Say whether the parents/carers were told of the disagreement and its resolution, and if not, why not "
            "(for example, to keep the child safe).",
            field="parents_not_informed_reason",
        )
    if requires(ClosingField.REASON) and not answers.overrun_reason.strip():
        raise ValidationError(rules.overrun_message, field="overrun_reason")
    if requires(ClosingField.MANAGER_CONFIRMATION) and not (
        answers.manager_confirmed_child_safe and answers.manager_name.strip()
    ):
        raise ValidationError(rules.overrun_message, field="manager_confirmed_child_safe")
    if answers.child_situation_improved not in {"yes", "no", "not yet known"}:
        raise ValidationError(
            "Say whether the child's situation has improved (yes, no, or not yet known).",
            field="child_situation_improved",
        )


def withdraw(ctx: AppContext, escalation_id: int, reason: str) -> EscalationDetail:
    now = ctx.clock.now()
    bounds.check_text(reason, "the reason", field="reason")
    if not reason.strip():
        raise ValidationError("Say why the escalation is being withdrawn.", field="reason")
    with ctx.store.session() as session:
        escalation = _open_escalation(session, escalation_id)
        current = escalation.stages[-1]
        current.left_at = now
        current.left_by_id = ctx.actor.user_id
        current.outcome = f"Withdrawn: {reason.strip()}"
        escalation.status = "withdrawn"
        escalation.withdrawn_reason = reason.strip()
        escalation.closed_at = now
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="escalation_withdrawn",
            entity="escalation",
            entity_id=escalation.id,
            detail={"reason": reason.strip()},
        )
        return _detail(session, ctx, escalation.id)


# --------------------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------------------


def get_escalation(ctx: AppContext, escalation_id: int) -> EscalationDetail:
    with ctx.store.session() as session:
        detail = _detail(session, ctx, escalation_id)
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
        query = _case_query()
        if status:
            query = query.where(Escalation.status == status)
        if child_id is not None:
            query = query.where(Escalation.child_id == child_id)
        directories = {
            pack.id: [row.contact for row in merged_contacts(session, pack)] for pack in ctx.packs.values()
        }
        return [_case_row(ctx, row, calendar, now, directories) for row in session.execute(query)]


def _case_query() -> Select[Any]:
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


def _case_row(
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


def _open_escalation(session: Session, escalation_id: int) -> Escalation:
    escalation = bounds.fetch(session, Escalation, escalation_id)
    if escalation is None:
        raise NotFound(f"There is no escalation number {bounds.shown(escalation_id)}.")
    if escalation.status != "open":
        raise ValidationError(
            f"Escalation {escalation.reference} is already {escalation.status}; it cannot be changed."
        )
    return escalation


def _child(session: Session, child_id: int) -> Child:
    child = bounds.fetch(session, Child, child_id)
    if child is None:
        raise ValidationError("Choose the child this disagreement is about.", field="child_id")
    return child


def _detail(session: Session, ctx: AppContext, escalation_id: int) -> EscalationDetail:
    escalation = bounds.fetch(session, Escalation, escalation_id)
    if escalation is None:
        raise NotFound(f"There is no escalation number {bounds.shown(escalation_id)}.")
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
        category=_category_label(pack, escalation.category),
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
                c.raised, c.noticed_at, c.recorded_at, _user_name(session, c.recorded_by_id), c.reason
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


def _user_name(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return user.display_name if user else ""


def _category_label(pack: PolicyPack, key: str) -> str:
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
        detail = _detail(session, ctx, escalation_id)
        org = organisation(session)
    stage = next(s for s in detail.stages if s.key == detail.current_stage_key)
    greeting = f"Dear {detail.other_professional}," if detail.other_professional else "Hello,"
    days = detail.waiting_working_days
    waited = f"{days} working day{'s' if days != 1 else ''}"
    due = (
        f" The policy's timescale for this stage ends {detail.deadline_words}."
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
