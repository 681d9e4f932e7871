"""An escalation's checklist: items added as stages are entered, ticked off, recorded as not done; the musts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from dsl_desk.core.calendar import WorkingCalendar
from dsl_desk.core.escalation_rules import (
    immediate_deadline,
    immediate_risk_rule,
)
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import calendar_in
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.escalations.deadlines import (
    IMMEDIATE_PREFIX,
    OUT_OF_HOURS_KEY,
    PRE_STEP_PREFIX,
    item_deadline,
)
from dsl_desk.services.escalations.reading import load_detail
from dsl_desk.services.escalations.views import (
    EscalationDetail,
)
from dsl_desk.services.people.urgent_contacts import merged_urgent_contacts, out_of_hours_text
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import (
    ChecklistItem,
    Escalation,
)


def add_item(
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


IMMEDIATE_ACT_KEY = f"{IMMEDIATE_PREFIX}act"


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
    if not rule.inform:
        # The policy names nobody to inform (St Helens, Medway, Wigan): its own instruction is the step to tick
        # off ("escalated ... on the same working day"), so the checklist holds what the policy asks.
        where = f" ({pack.short_name}: {rule.citation})" if rule.citation else ""
        add_item(
            session,
            ctx,
            escalation,
            escalation.current_stage,
            IMMEDIATE_ACT_KEY,
            "action",
            f"Immediate risk: {rule.instruction}{where}",
            obligation="must",
            due_from=raised_at,
            due_at=due.due_at if due else None,
        )
    for index, person in enumerate(rule.inform):
        add_item(
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
        add_item(
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


def complete_checklist_item(ctx: AppContext, item_id: int, note: str = "") -> EscalationDetail:
    now = ctx.clock.now()
    bounds.check_text(note, "the note", limit=bounds.LINE_MAX * 10, field="note")
    with ctx.store.session() as session:
        item = open_item(session, item_id)
        escalation = item.escalation
        pack = ctx.packs.get(escalation.policy_id)
        prompt = note_prompt(pack, item)
        if prompt and not note.strip():
            raise ValidationError(prompt, field="note")
        item.done_at = now
        item.done_by_id = ctx.actor.user_id
        item.done_note = note.strip()
        if pack is not None:
            start_following_steps(session, ctx, escalation, pack, item, now)
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="checklist_done",
            entity="checklist_item",
            entity_id=item.id,
            detail={"escalation_id": item.escalation_id, "key": item.requirement_key},
        )
        return load_detail(session, ctx, item.escalation_id)


def record_not_done(ctx: AppContext, item_id: int, reason: str) -> EscalationDetail:
    """Close a step the policy asks for without doing it, saying why: a "must" then no longer holds up
    moving on or closing, and the reason stays on the record."""
    now = ctx.clock.now()
    with ctx.store.session() as session:
        item = open_item(session, item_id)
        close_not_done(session, ctx, item, reason, now)
        return load_detail(session, ctx, item.escalation_id)


def open_item(session: Session, item_id: int) -> ChecklistItem:
    item = bounds.fetch(session, ChecklistItem, item_id)
    if item is None:
        raise NotFound(
            _("There is no checklist item number {item_id}.").format(item_id=bounds.shown(item_id))
        )
    if item.done_at is not None:
        raise ValidationError(_("That item was already ticked off."))
    return item


def close_not_done(
    session: Session, ctx: AppContext, item: ChecklistItem, reason: str, now: datetime
) -> None:
    if not reason.strip():
        raise ValidationError(
            _("Say why this was not done: “{short_text}”").format(short_text=short_text(item.text)),
            field=f"not_done:{item.id}",
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


def short_text(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def note_prompt(pack: PolicyPack | None, item: ChecklistItem) -> str:
    if pack is None or not pack.has_stage(item.stage_key):
        return ""
    requirement = next(
        (r for r in pack.stage(item.stage_key).requirements if r.key == item.requirement_key), None
    )
    return requirement.note_prompt if requirement else ""


def start_following_steps(
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
        lines = "; ".join(f"“{short_text(i.text, 90)}”" for i in missing)
        raise ValidationError(
            _(
                "The policy says these must be done before {what}: {lines}. Tick each off once done, or record "
                "why it was not done."
            ).format(what=what, lines=lines),
            field="not_done_reasons",
        )
    for item in waiting:
        close_not_done(session, ctx, item, reasons[item.id], now)
