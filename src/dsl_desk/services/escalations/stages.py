"""Moving an escalation on: leaving the current stage (its outcome, whether its timescale was met) and entering the next."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from dsl_desk.core.calendar import WorkingCalendar
from dsl_desk.core.escalation_rules import (
    TransitionRefused,
    check_escalation,
    requirement_applies,
)
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import calendar_in
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError, ValidationError
from dsl_desk.services.escalations.checklist_items import add_item, close_musts
from dsl_desk.services.escalations.deadlines import (
    PRE_STEP_PREFIX,
    item_deadline,
    stage_deadline_for,
    stage_was_met,
)
from dsl_desk.services.escalations.event_times import event_time
from dsl_desk.services.escalations.reading import load_detail, load_open
from dsl_desk.services.escalations.requirements import child_flags, stage_requirements
from dsl_desk.services.escalations.views import (
    EscalationDetail,
)
from dsl_desk.store.models import (
    Escalation,
    StageRecord,
)


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


def escalate(ctx: AppContext, escalation_id: int, step: StageOutcome) -> EscalationDetail:
    now = ctx.clock.now()
    bounds.check_texts(step, {"target_stage_key": bounds.NAME_MAX})
    with ctx.store.session() as session:
        escalation = load_open(session, escalation_id)
        pack = ctx.pack(escalation.policy_id)
        current = escalation.stages[-1]
        following = pack.next_stage(escalation.current_stage)
        target = step.target_stage_key or (following.key if following else "")
        if not step.outcome.strip():
            raise ValidationError(
                _("Record the outcome of {label} before escalating.").format(
                    label=pack.stage(current.stage_key).label
                ),
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
        received = response_time(step.response_received_at, current, now)
        started = event_time(
            step.next_started_at, now, _("When the next stage started"), field="next_started_at"
        )
        if started < current.began_at:
            raise ValidationError(
                _("The next stage cannot have started before the stage it follows."), field="next_started_at"
            )
        close_musts(session, ctx, escalation, step.not_done_reasons, now, moving_on=True)
        leave_stage(current, step.outcome, step.missed_reason, now, ctx.actor.user_id, received)
        calendar = calendar_in(session)
        enter_stage(
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
        return load_detail(session, ctx, escalation.id)


def response_time(given: datetime | None, record: StageRecord, now: datetime) -> datetime | None:
    if given is None:
        return None
    received = event_time(given, now, _("When the response came"), field="response_received_at")
    if received < record.began_at:
        raise ValidationError(
            _("The response cannot have come before the stage started."), field="response_received_at"
        )
    return received


def leave_stage(
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
            _(
                "The timescale for this stage was missed. The policy wants the reason recorded: say why it took longer."
            ),
            field="missed_reason",
        )
    record.outcome = outcome.strip()
    record.left_at = now
    record.left_by_id = user_id
    record.timescale_met = met
    record.missed_reason = "" if met else missed_reason.strip()


def enter_stage(
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
    for requirement in stage_requirements(stage, escalation):
        item = add_item(
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


def add_pre_steps(
    session: Session,
    ctx: AppContext,
    escalation: Escalation,
    pack: PolicyPack,
    calendar: WorkingCalendar,
    agency_kind: str,
) -> None:
    """The policy's steps before the formal stages; a step that follows another starts its clock when that
    one is done (St Helens: the Team Manager alerted within one working day of the social worker failing)."""
    flags = child_flags(escalation.child)
    for step in pack.pre_steps:
        if not requirement_applies(step, flags, agency_kind):
            continue
        timed = step.timescale.kind != "none" and not step.after
        item = add_item(
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
