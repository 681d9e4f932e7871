"""Every deadline an escalation owes, computed in one place from the pack, the calendar and what happened when.

A stage's deadline and a checklist item's own deadline are stored with the row (so the dashboard reads them
with one query) and recomputed here whenever what they depend on changes: immediate risk raised or lowered,
a shorter timescale set, a pre-step done, closure days or the cut-off changed. A deadline already past is
never moved: what was overdue stays overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.calendar import Deadline, WorkingCalendar
from dsl_desk.core.escalation_rules import (
    escalation_deadline,
    immediate_deadline,
    timescale_deadline,
    timescale_met,
)
from dsl_desk.core.policy import PolicyPack, Timescale
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.store.models import ChecklistItem, Escalation, StageRecord

IMMEDIATE_PREFIX = "immediate_risk:"
OUT_OF_HOURS_KEY = "immediate_risk:call_now"
PRE_STEP_PREFIX = "pre:"


@dataclass(frozen=True)
class ItemTimescale:
    timescale: Timescale
    own_agency: bool


def stage_deadline_for(
    pack: PolicyPack, escalation: Escalation, record: StageRecord, calendar: WorkingCalendar
) -> Deadline | None:
    """The deadline the dashboard shows for a stage: its own, the whole escalation's, immediate risk's."""
    return escalation_deadline(
        pack,
        pack.stage(record.stage_key),
        calendar,
        opened_at=escalation.began_at,
        entered_at=record.began_at,
        immediate_risk=escalation.immediate_risk,
        risk_raised_at=escalation.risk_raised_at,
        shortened_to=escalation.shortened_due_at,
    )


def item_timescale(pack: PolicyPack, item: ChecklistItem) -> ItemTimescale | None:
    """The timescale the policy gives the step an item stands for, if it gives one."""
    key = item.requirement_key
    if key.startswith(IMMEDIATE_PREFIX):
        return None  # immediate-risk items are handled by item_deadline directly
    if key.startswith(PRE_STEP_PREFIX):
        step = pack.pre_step(key.removeprefix(PRE_STEP_PREFIX))
        if step is None or step.timescale.kind == "none":
            return None
        return ItemTimescale(step.timescale, step.within_own_agency)
    if not pack.has_stage(item.stage_key):
        return None
    stage = pack.stage(item.stage_key)
    requirement = next((r for r in stage.requirements if r.key == key), None)
    if requirement is None or requirement.timescale is None:
        return None
    return ItemTimescale(requirement.timescale, stage.within_own_agency)


def item_deadline(
    pack: PolicyPack, escalation: Escalation, item: ChecklistItem, calendar: WorkingCalendar
) -> Deadline | None:
    """An item's own deadline, counted from `due_from`; immediate risk shortens it (never lengthens it)."""
    if item.due_from is None:
        return None
    if item.requirement_key == OUT_OF_HOURS_KEY:
        return Deadline(item.due_from)  # call now
    if item.requirement_key.startswith(IMMEDIATE_PREFIX):
        return immediate_deadline(pack, calendar, item.due_from)
    scale = item_timescale(pack, item)
    normal = (
        None
        if scale is None
        else timescale_deadline(scale.timescale, calendar, item.due_from, own_agency=scale.own_agency)
    )
    if normal is None or not escalation.immediate_risk:
        return normal
    raised = escalation.risk_raised_at or item.due_from
    urgent = immediate_deadline(pack, calendar, max(raised, item.due_from))
    if urgent is not None and urgent.due_at < normal.due_at:
        return urgent
    return normal


def refresh_deadlines(
    session: Session,
    ctx: AppContext,
    escalation: Escalation,
    pack: PolicyPack,
    calendar: WorkingCalendar,
    *,
    why: str,
    now: datetime,
    keep_past: bool = True,
) -> int:
    """Recompute the current stage's and every open item's deadline. With `keep_past` (a changed calendar) a
    deadline already past stays as it was; without it (immediate risk lowered, with a reason) everything is
    recomputed. Each change is written to the audit trail (and so to the escalation's history)."""
    changed = 0
    if escalation.status == "open" and escalation.stages:
        record = escalation.stages[-1]
        if record.left_at is None:
            changed += _refresh_stage(
                session, ctx, escalation, pack, record, calendar, why=why, now=now, keep_past=keep_past
            )
    for item in escalation.checklist:
        if item.done_at is not None or item.due_from is None:
            continue
        new = item_deadline(pack, escalation, item, calendar)
        new_due = new.due_at if new else None
        if new_due == item.due_at or (keep_past and item.due_at is not None and item.due_at <= now):
            continue
        _audit_change(session, ctx, escalation, now, why, item.due_at, new_due, item=item.requirement_key)
        item.due_at = new_due
        changed += 1
    return changed


def _refresh_stage(
    session: Session,
    ctx: AppContext,
    escalation: Escalation,
    pack: PolicyPack,
    record: StageRecord,
    calendar: WorkingCalendar,
    *,
    why: str,
    now: datetime,
    keep_past: bool,
) -> int:
    if not pack.has_stage(record.stage_key):
        return 0
    new = stage_deadline_for(pack, escalation, record, calendar)
    new_due = new.due_at if new else None
    if new_due == record.deadline:
        record.deadline_moved_from = new.moved_by_closure_from if new else None
        return 0
    if keep_past and record.deadline is not None and record.deadline <= now:
        return 0  # already past: what was overdue stays overdue
    _audit_change(session, ctx, escalation, now, why, record.deadline, new_due, stage=record.stage_key)
    record.deadline = new_due
    record.deadline_moved_from = new.moved_by_closure_from if new else None
    record.raised_out_of_hours = bool(new and new.out_of_hours)
    return 1


def _audit_change(
    session: Session,
    ctx: AppContext,
    escalation: Escalation,
    now: datetime,
    why: str,
    old: datetime | None,
    new: datetime | None,
    **what: str,
) -> None:
    audit.record(
        session,
        at=now,
        user_id=ctx.actor.user_id,
        action="deadline_recomputed",
        entity="escalation",
        entity_id=escalation.id,
        detail={
            "why": why,
            "from": old.isoformat() if old else None,
            "to": new.isoformat() if new else None,
            **what,
        },
    )


def refresh_all_open(ctx: AppContext, session: Session, calendar: WorkingCalendar, *, why: str) -> int:
    """After the calendar or the cut-off changed: every open escalation's deadlines not yet past."""
    now = ctx.clock.now()
    changed = 0
    for escalation in session.scalars(select(Escalation).where(Escalation.status == "open")):
        pack = ctx.packs.get(escalation.policy_id)
        if pack is None:
            continue
        changed += refresh_deadlines(session, ctx, escalation, pack, calendar, why=why, now=now)
    return changed


def first_stage_deadline(
    ctx: AppContext, pack_id: str, *, arose_at: datetime, immediate_risk: bool
) -> Deadline | None:
    """What opening an escalation now would give its first stage: the wizard's preview, by the same rule."""
    from dsl_desk.services.calendar import working_calendar

    pack = ctx.pack(pack_id)
    return escalation_deadline(
        pack,
        pack.first_stage,
        working_calendar(ctx),
        opened_at=arose_at,
        entered_at=arose_at,
        immediate_risk=immediate_risk,
        risk_raised_at=arose_at if immediate_risk else None,
    )


def next_stage_deadline(
    ctx: AppContext, escalation_id: int, stage_key: str, *, started_at: datetime
) -> Deadline | None:
    """What escalating now would give the next stage, by the rule escalate() applies (the wizard's preview)."""
    from dsl_desk.services.calendar import calendar_in

    with ctx.store.session() as session:
        escalation = session.get(Escalation, escalation_id)
        if escalation is None:
            return None
        pack = ctx.pack(escalation.policy_id)
        record = StageRecord(stage_key=stage_key, entered_at=ctx.clock.now(), started_at=started_at)
        deadline = stage_deadline_for(pack, escalation, record, calendar_in(session))
        session.expunge_all()
        return deadline


def stage_was_met(due_at: datetime | None, response_received_at: datetime | None, now: datetime) -> bool:
    """Whether a stage left now met its timescale: measured to the response when one is recorded (the rule
    escalate() applies, so the wizard's preview and the stored answer cannot differ)."""
    return timescale_met(due_at, response_received_at or now)
