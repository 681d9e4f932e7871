"""Changes to an open escalation between stages: immediate risk raised or lowered, a shorter timescale set.

Each is one transaction: the change, who made it and why, every deadline recomputed, the audit trail.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from dsl_desk.core.escalation_rules import may_shorten
from dsl_desk.core.i18n import _
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import calendar_in
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.escalations.checklist_items import add_immediate_risk_items, mark_not_done
from dsl_desk.services.escalations.deadlines import IMMEDIATE_PREFIX, refresh_deadlines
from dsl_desk.services.escalations.event_times import event_time
from dsl_desk.services.escalations.reading import load_detail, load_open
from dsl_desk.services.escalations.views import EscalationDetail
from dsl_desk.store.models import Escalation, ImmediateRiskChange

MAX_REASON = 4000


def set_immediate_risk(
    ctx: AppContext, escalation_id: int, *, raised: bool, reason: str, noticed_at: datetime | None = None
) -> EscalationDetail:
    """Raise immediate risk at any point (the child's situation worsened), or lower it with a reason.

    Raising: every deadline not yet past is brought forward to the policy's immediate-risk timescale, counted
    from when it was noticed, and the people the policy says to inform are added, due by that timescale.
    Lowering: the ordinary timescales return for what is not yet past; the immediate-risk steps still open are
    closed as not needed, with the reason, so the record shows they were owed and why they stopped.
    """
    now = ctx.clock.now()
    why = _reason(reason, raised)
    noticed = event_time(noticed_at, now, _("When the risk was noticed"), field="noticed_at")
    with ctx.store.session() as session:
        escalation = load_open(session, escalation_id)
        if escalation.immediate_risk == raised:
            state = "already marked" if raised else "not marked"
            raise ValidationError(
                _("Escalation {reference} is {state} as a child at immediate risk.").format(
                    reference=escalation.reference, state=state
                )
            )
        if noticed < escalation.began_at:
            raise ValidationError(
                _("The risk cannot have been noticed before the disagreement arose."), field="noticed_at"
            )
        pack = ctx.pack(escalation.policy_id)
        calendar = calendar_in(session)
        session.add(
            ImmediateRiskChange(
                escalation_id=escalation.id,
                raised=raised,
                noticed_at=noticed,
                recorded_at=now,
                recorded_by_id=ctx.actor.user_id,
                reason=why,
            )
        )
        escalation.immediate_risk = raised
        session.flush()
        session.refresh(escalation)
        if raised:
            add_immediate_risk_items(session, ctx, escalation, pack, calendar, noticed)
        else:
            _close_immediate_items(session, ctx, escalation, why, now)
        refresh_deadlines(
            session,
            ctx,
            escalation,
            pack,
            calendar,
            why=_("immediate risk raised") if raised else _("immediate risk lowered"),
            now=now,
            keep_past=raised,
        )
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="immediate_risk_raised" if raised else "immediate_risk_lowered",
            entity="escalation",
            entity_id=escalation.id,
            detail={"noticed_at": noticed.isoformat()},
        )
        return load_detail(session, ctx, escalation.id)


def _reason(reason: str, raised: bool) -> str:
    why = reason.strip()
    if not why:
        if raised:
            raise ValidationError(
                _("Say what has changed: why the child is now at immediate risk."), field="reason"
            )
        raise ValidationError(
            _("Say why the child is no longer at immediate risk (what was done, who decided)."),
            field="reason",
        )
    if len(why) > MAX_REASON:
        raise ValidationError(
            _("Keep the reason under {MAX_REASON} characters.").format(MAX_REASON=MAX_REASON), field="reason"
        )
    return why


def _close_immediate_items(
    session: Session, ctx: AppContext, escalation: Escalation, why: str, now: datetime
) -> None:
    for item in escalation.checklist:
        if item.done_at is None and item.requirement_key.startswith(IMMEDIATE_PREFIX):
            mark_not_done(
                session, ctx, item, _("Not needed: immediate risk lowered ({why})").format(why=why), now
            )


def shorten_timescale(
    ctx: AppContext, escalation_id: int, *, due_at: datetime, reason: str
) -> EscalationDetail:
    """A shorter deadline for the whole escalation, where the policy allows one (City & Hackney 1.4: "or a
    timescale that protects the child from harm (whichever is shortest)"). Never a longer one."""
    now = ctx.clock.now()
    why = reason.strip()
    if not why:
        raise ValidationError(_("Say why this child needs a shorter timescale."), field="reason")
    if len(why) > MAX_REASON:
        raise ValidationError(
            _("Keep the reason under {MAX_REASON} characters.").format(MAX_REASON=MAX_REASON), field="reason"
        )
    if due_at.tzinfo is None:
        raise ValidationError(
            _("The shorter deadline needs a time of day as well as a date."), field="due_at"
        )
    if due_at <= now:
        raise ValidationError(_("The shorter deadline must be later than now."), field="due_at")
    with ctx.store.session() as session:
        escalation = load_open(session, escalation_id)
        pack = ctx.pack(escalation.policy_id)
        if not may_shorten(pack):
            raise ValidationError(
                _(
                    "The {short_name} policy does not provide for a shorter timescale: its own applies."
                ).format(short_name=pack.short_name)
            )
        current = escalation.stages[-1]
        if current.deadline is not None and due_at >= current.deadline:
            raise ValidationError(
                _("That is not shorter than the timescale that applies now; the policy allows shorter only."),
                field="due_at",
            )
        escalation.shortened_due_at = due_at
        escalation.shortened_reason = why
        session.flush()
        refresh_deadlines(
            session, ctx, escalation, pack, calendar_in(session), why="timescale shortened", now=now
        )
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="timescale_shortened",
            entity="escalation",
            entity_id=escalation.id,
            detail={"due_at": due_at.isoformat()},
        )
        return load_detail(session, ctx, escalation.id)
