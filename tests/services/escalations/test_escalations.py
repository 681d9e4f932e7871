"""Escalation services against a real encrypted database, with the clock moved by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dsl_desk.core.escalation_rules import DueStatus
from dsl_desk.services.errors import ServiceError, ValidationError
from dsl_desk.services.escalations.checklist_items import complete_checklist_item
from dsl_desk.services.escalations.closing import ResolutionInput, resolve, withdraw
from dsl_desk.services.escalations.dashboard import list_open_cases
from dsl_desk.services.escalations.reading import get_escalation
from dsl_desk.services.escalations.stages import StageOutcome, escalate
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
from dsl_desk.services.people.children import add_child
from dsl_desk.store.models import AuditEvent, StageRecord
from tests.conftest import fictional_child


def _new(child_id: int, **changes) -> NewEscalation:
    values = dict(
        child_id=child_id,
        other_agency="Demo Children's Social Care",
        category="threshold",
        problem="Referral closed although school believes the threshold is met.",
        outcome_sought="A strategy discussion.",
        policy_id="st_helens",
    )
    values.update(changes)
    return NewEscalation(**values)


def _category(ctx, pack_id: str) -> str:
    return ctx.pack(pack_id).categories[0].key


def _resolution(**changes) -> ResolutionInput:
    values = dict(
        written_outcome="Strategy discussion held on Tuesday; agreed by email.",
        outcome_agreed_in_writing=True,
        main_reason="Threshold Conflict",
        lessons_learnt="Share the chronology with the referral.",
        learning_referred_to_board=True,
        gaps_found="yes",
        debrief_held=True,
        parents_informed=True,
        child_situation_improved="yes",
    )
    values.update(changes)
    return ResolutionInput(**values)


def test_opening_starts_the_first_stage_with_its_deadline(ctx, child_id):
    detail = open_escalation(ctx, _new(child_id, category=_category(ctx, "st_helens")))
    assert detail.reference == "ESC-2026-0001"
    assert detail.current_stage_key == ctx.pack("st_helens").first_stage.key
    # St Helens stage one: the same working day; opened Mon 5 Jan 2026 09:00 -> 17:00 that day (GMT).
    assert detail.current_deadline == datetime(2026, 1, 5, 17, 0, tzinfo=UTC)
    assert detail.due_status is DueStatus.DUE_TODAY
    assert detail.deadline_words == "today 17:00"
    assert [s.state for s in detail.stages][:2] == ["current", "to_come"]


def test_required_fields_are_refused_with_a_message(ctx, child_id):
    category = _category(ctx, "st_helens")
    with pytest.raises(ValidationError, match="what the problem is") as caught:
        open_escalation(ctx, _new(child_id, category=category, problem="   "))
    assert caught.value.field == "problem"
    with pytest.raises(ValidationError, match="outcome you are seeking"):
        open_escalation(ctx, _new(child_id, category=category, outcome_sought=""))
    with pytest.raises(ValidationError, match="from the St Helens list"):
        open_escalation(ctx, _new(child_id, category="not-a-category"))
    with ctx.store.session() as session:
        assert session.scalar(select(func.count(StageRecord.id))) == 0


def test_skipping_a_stage_is_refused_quoting_the_policy(ctx, child_id):
    pack = ctx.pack("medway")
    detail = open_escalation(ctx, _new(child_id, category=_category(ctx, "medway"), policy_id="medway"))
    with pytest.raises(ServiceError, match="“Both stages 1 and 2 must be utilised before going to stage 3.”"):
        escalate(ctx, detail.id, StageOutcome(outcome="Not resolved", target_stage_key=pack.stages[2].key))
    assert get_escalation(ctx, detail.id).current_stage_key == pack.first_stage.key


def test_missing_a_timescale_needs_a_reason(ctx, clock, child_id):
    detail = open_escalation(ctx, _new(child_id, category=_category(ctx, "st_helens")))
    clock.advance(timedelta(days=1))  # Tue: stage one was due Mon 17:00
    for item in detail.open_checklist:
        complete_checklist_item(ctx, item.id)
    with pytest.raises(ValidationError, match="timescale for this stage was missed") as caught:
        escalate(ctx, detail.id, StageOutcome(outcome="Line manager consulted late."))
    assert caught.value.field == "missed_reason"
    moved = escalate(
        ctx,
        detail.id,
        StageOutcome(outcome="Line manager consulted late.", missed_reason="DSL off sick on Monday."),
    )
    first = moved.stages[0]
    assert (
        first.state == "done"
        and first.timescale_met is False
        and first.missed_reason == "DSL off sick on Monday."
    )
    assert moved.stages[1].state == "current"


def test_notifications_follow_the_childs_flags(ctx):
    on_plan = add_child(ctx, fictional_child("Plan", "Child", child_protection_plan=True)).id
    no_flags = add_child(ctx, fictional_child("No", "Flags")).id
    pack = ctx.pack("medway")
    texts = []
    for child in (on_plan, no_flags):
        detail = open_escalation(ctx, _new(child, category=_category(ctx, "medway"), policy_id="medway"))
        texts.append(" ".join(item.text for item in detail.checklist).lower())
    assert "conference chair" in texts[0]
    assert "conference chair" not in texts[1]
    assert pack.first_stage.key


def test_walk_to_resolution_records_everything_and_deletes_nothing(ctx, clock, child_id):
    pack = ctx.pack("st_helens")
    detail = open_escalation(ctx, _new(child_id, category=_category(ctx, "st_helens")))
    for _ in range(len(pack.stages) - 1):
        for item in detail.open_checklist:
            detail = complete_checklist_item(ctx, item.id, "done")
        clock.advance(timedelta(hours=1))
        detail = escalate(
            ctx, detail.id, StageOutcome(outcome="Not resolved.", contacted_next="Their manager")
        )
    assert detail.current_stage_key == pack.last_stage.key
    with pytest.raises(ServiceError, match="last stage"):
        escalate(ctx, detail.id, StageOutcome(outcome="x"))
    with pytest.raises(ValidationError, match="must be done before closing"):
        resolve(ctx, detail.id, _resolution())  # the referral to the DCS is a "must" not yet done
    for item in detail.open_checklist:
        detail = complete_checklist_item(ctx, item.id, "done")
    with pytest.raises(ValidationError, match="in writing"):
        resolve(ctx, detail.id, _resolution(outcome_agreed_in_writing=False))
    closed = resolve(ctx, detail.id, _resolution())
    assert closed.status == "resolved"
    assert closed.resolution is not None and closed.resolution.resolved_stage == pack.last_stage.key
    assert all(s.state == "done" for s in closed.stages)
    assert any(item.form_id for item in closed.open_checklist)  # the closing forms are still to do
    with pytest.raises(ValidationError, match="already resolved"):
        withdraw(ctx, detail.id, "changed my mind")
    with ctx.store.session() as session:
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "escalation")))
    assert actions.count("escalated") == len(pack.stages) - 1
    assert "escalation_opened" in actions and "escalation_resolved" in actions
    assert list_open_cases(ctx) == []


def test_parents_informed_or_why_not(ctx, child_id):
    detail = open_escalation(ctx, _new(child_id, category=_category(ctx, "wigan"), policy_id="wigan"))
    with pytest.raises(ValidationError, match="parents/carers"):
        resolve(ctx, detail.id, _resolution(parents_informed=False))
    assert (
        resolve(
            ctx,
            detail.id,
            _resolution(
                parents_informed=False,
                parents_not_informed_reason="Telling them would put the child at risk.",
            ),
        ).status
        == "resolved"
    )


def test_barnet_overrun_needs_reason_and_manager_confirmation(ctx, clock, child_id):
    detail = open_escalation(ctx, _new(child_id, category=_category(ctx, "barnet"), policy_id="barnet"))
    clock.advance(timedelta(days=9))  # Wed 14 Jan: past five working days (Mon 12 Jan 17:00)
    with pytest.raises(ValidationError, match="maximum of 5 working days"):
        resolve(ctx, detail.id, _resolution(missed_reason="Late"))
    with pytest.raises(ValidationError, match="maximum of 5 working days"):
        resolve(ctx, detail.id, _resolution(missed_reason="Late", overrun_reason="Manager on leave"))
    done = resolve(
        ctx,
        detail.id,
        _resolution(
            missed_reason="Late",
            overrun_reason="Manager on leave",
            manager_confirmed_child_safe=True,
            manager_name="Pat Lee",
        ),
    )
    assert done.resolution.overrun_reason == "Manager on leave"
    assert done.resolution.manager_confirmed_child_safe


def test_dashboard_order_and_status_move_with_the_clock(ctx, clock):
    early = add_child(ctx, fictional_child("Early", "Case")).id
    risk = add_child(ctx, fictional_child("Risk", "Case")).id
    first = open_escalation(ctx, _new(early, category=_category(ctx, "medway"), policy_id="medway"))
    clock.advance(timedelta(hours=2))
    urgent = open_escalation(
        ctx, _new(risk, category=_category(ctx, "medway"), policy_id="medway", immediate_risk=True)
    )
    rows = list_open_cases(ctx)
    assert [r.escalation_id for r in rows] == [urgent.id, first.id]  # immediate risk pinned on top
    assert rows[0].due_status is DueStatus.DUE_TODAY
    assert rows[1].due_status is DueStatus.ON_TRACK  # Medway stage 1: 5 working days -> Mon 12 Jan
    clock.set(datetime(2026, 1, 9, 12, 0, tzinfo=UTC))  # Friday: Monday is the next working day
    assert list_open_cases(ctx)[1].due_status is DueStatus.DUE_NEXT_WORKING_DAY
    clock.set(datetime(2026, 1, 12, 10, 0, tzinfo=UTC))
    assert list_open_cases(ctx)[1].due_status is DueStatus.DUE_TODAY
    assert list_open_cases(ctx)[1].waiting_working_days == 5
    clock.set(datetime(2026, 1, 12, 17, 1, tzinfo=UTC))
    rows = list_open_cases(ctx)
    assert rows[0].due_status is DueStatus.OVERDUE and rows[1].due_status is DueStatus.OVERDUE
    assert rows[1].deadline_words == "overdue since 17:00 today"


def test_immediate_risk_out_of_hours_is_due_next_working_day(ctx, clock, child_id):
    clock.set(datetime(2026, 1, 9, 18, 30, tzinfo=UTC))  # Friday evening
    detail = open_escalation(
        ctx, _new(child_id, category=_category(ctx, "barnet"), policy_id="barnet", immediate_risk=True)
    )
    # The stage still runs to the next working day's end; informing the DSL "immediately" is due now.
    assert detail.stages[0].deadline == datetime(2026, 1, 12, 17, 0, tzinfo=UTC)
    assert detail.current_deadline == datetime(2026, 1, 9, 18, 30, tzinfo=UTC)
    assert list_open_cases(ctx)[0].out_of_hours is True


def test_the_chase_message_of_a_passed_deadline_never_says_ends_overdue(ctx, child_id, clock):
    from dsl_desk.services.escalations.reading import chase_message

    detail = open_escalation(ctx, _new(child_id, category=_category(ctx, "st_helens")))
    assert "for this stage ends today 17:00." in chase_message(ctx, detail.id)
    clock.advance(timedelta(days=1))  # St Helens stage one was due at 17:00 on the day it was opened
    text = chase_message(ctx, detail.id)
    assert "for this stage ended: overdue since 17:00 yesterday." in text
    assert "ends overdue" not in text
    assert "1 working day" in text or "working days" in text


@pytest.mark.parametrize("pack_id", ["st_helens", "medway", "wigan"])
def test_immediate_risk_puts_the_policys_own_step_on_the_checklist_when_it_names_nobody_to_inform(
    ctx, child_id, pack_id
):
    """The wizard promises the immediate-risk steps go on the checklist; St Helens names no one to inform, so
    its instruction ("escalated ... on the same working day") is the step, due the same working day."""
    from dsl_desk.core.escalation_rules import immediate_risk_rule

    detail = open_escalation(
        ctx, _new(child_id, category=_category(ctx, pack_id), policy_id=pack_id, immediate_risk=True)
    )
    rule = immediate_risk_rule(ctx.pack(pack_id))
    [urgent] = [item for item in detail.checklist if item.text.startswith("Immediate risk: ")]
    assert rule.instruction in urgent.text
    assert urgent.due_at is not None and urgent.due_at <= detail.current_deadline
    done = complete_checklist_item(ctx, urgent.id, "Rang the team manager; escalated at 09:40.")
    assert all(item.done_at for item in done.checklist if item.id == urgent.id)


def test_no_immediate_risk_step_without_immediate_risk(ctx, child_id):
    detail = open_escalation(ctx, _new(child_id, category=_category(ctx, "st_helens")))
    assert not [item for item in detail.checklist if item.text.startswith("Immediate risk")]


def test_several_categories_only_where_the_policy_says_and_or(ctx, child_id):
    both = "level_of_need+severity_of_risk"
    detail = open_escalation(ctx, _new(child_id, category=both))
    assert detail.category == (
        "The nature and level of a child's needs; and the nature and severity of risk to a child"
    )
    medway = ctx.pack("medway").categories
    with pytest.raises(ValidationError, match="Choose what the disagreement is about from the Medway list"):
        open_escalation(ctx, _new(child_id, policy_id="medway", category=f"{medway[0].key}+{medway[1].key}"))
    with pytest.raises(ValidationError, match="one or more"):
        open_escalation(ctx, _new(child_id, category="level_of_need+made_up"))
