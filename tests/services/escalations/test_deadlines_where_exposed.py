"""Deadlines where a child is most exposed (issue 13), through the services on a real encrypted desk.

Each test names the document's words it checks (../shared/seeds/). The clock is moved, never slept on.
Dates: Wed 22 Jul 2026 is the last day of a summer term; the holiday is entered as one closure range.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from dsl_desk.core.clock import london
from dsl_desk.core.escalation_rules import DueStatus
from dsl_desk.services.desk.closures import add_closure, list_closure_days
from dsl_desk.services.desk.profile import update_working_hours
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.escalations.changes import set_immediate_risk, shorten_timescale
from dsl_desk.services.escalations.checklist_items import complete_checklist_item, record_not_done
from dsl_desk.services.escalations.closing import ResolutionInput, resolve
from dsl_desk.services.escalations.dashboard import list_open_cases, list_open_checklist
from dsl_desk.services.escalations.reading import get_escalation
from dsl_desk.services.escalations.stages import StageOutcome, escalate
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
from dsl_desk.store.models import AuditEvent

SUMMER_LAST_DAY = datetime(2026, 7, 22, 14, 0, tzinfo=UTC)  # 15:00 in London (BST)


def _new(child_id: int, pack_id: str, ctx, **changes) -> NewEscalation:
    values = dict(
        child_id=child_id,
        other_agency="Demo Children's Social Care",
        other_agency_kind="social_care",
        category=ctx.pack(pack_id).categories[0].key,
        problem="Referral closed although school believes the threshold is met.",
        outcome_sought="A strategy discussion.",
        policy_id=pack_id,
    )
    values.update(changes)
    return NewEscalation(**values)


def _summer_holiday(ctx) -> None:
    add_closure(ctx, date(2026, 7, 23), "Summer holiday", last_day=date(2026, 9, 2))


def _day(moment: datetime | None) -> date | None:
    return london(moment).date() if moment else None


# ---- closures move only what the school owes inside its own agency --------------------------------------------


def test_barnet_immediate_risk_on_the_last_day_of_term_is_due_that_day_not_after_the_holiday(
    ctx, clock, child_id
):
    # Barnet 1: the DSL "must be informed immediately"; 3: every stage "the same working day".
    clock.set(SUMMER_LAST_DAY)
    _summer_holiday(ctx)
    detail = open_escalation(ctx, _new(child_id, "barnet", ctx, immediate_risk=True))
    assert _day(detail.stages[0].deadline) == date(2026, 7, 22)
    assert detail.current_deadline == SUMMER_LAST_DAY  # "immediately": the inform step is due now
    clock.advance(timedelta(minutes=1))
    (row,) = list_open_cases(ctx)
    assert row.due_status is DueStatus.OVERDUE
    assert row.immediate_risk


def test_barnet_five_working_day_maximum_ignores_the_holiday(ctx, clock, child_id):
    # Barnet 3: "resolved within five working days at the maximum".
    clock.set(SUMMER_LAST_DAY)
    _summer_holiday(ctx)
    detail = open_escalation(ctx, _new(child_id, "barnet", ctx))
    clock.set(datetime(2026, 7, 31, 9, 0, tzinfo=UTC))  # past Wed 29 Jul, the fifth working day
    with pytest.raises(ValidationError, match="maximum of 5 working days"):
        resolve(
            ctx,
            detail.id,
            ResolutionInput("Agreed.", True, child_situation_improved="yes", missed_reason="x"),
        )


def test_medway_other_agencys_five_day_response_is_not_moved_by_closures(ctx, clock, child_id):
    # Medway Stage 1: "This stage of the escalation requires a response within 5 working days".
    clock.set(SUMMER_LAST_DAY)
    _summer_holiday(ctx)
    detail = open_escalation(ctx, _new(child_id, "medway", ctx))
    assert _day(detail.stages[0].deadline) == date(2026, 7, 29)
    assert detail.stages[0].deadline_moved_from is None


def test_st_helens_stage_one_inside_the_school_is_moved_and_says_so(ctx, clock, child_id):
    # St Helens Stage One: consult your own manager "on the same working day that the disagreement arises":
    # inside the school, so a closure day moves it — and the screen says from when.
    clock.set(datetime(2026, 3, 9, 18, 0, tzinfo=UTC))  # Mon evening, after the cut-off
    add_closure(ctx, date(2026, 3, 10), "INSET day")
    detail = open_escalation(ctx, _new(child_id, "st_helens", ctx))
    stage = detail.stages[0]
    assert _day(stage.deadline) == date(2026, 3, 11)
    assert _day(stage.deadline_moved_from) == date(2026, 3, 10)
    assert "closure days" in detail.deadline_note


def test_a_holiday_is_one_entry(ctx):
    _summer_holiday(ctx)
    (row,) = list_closure_days(ctx)
    assert (row.day, row.last_day) == (date(2026, 7, 23), date(2026, 9, 2))
    with pytest.raises(ValidationError, match="already a closure day"):
        add_closure(ctx, date(2026, 8, 3), "Overlap")
    with pytest.raises(ValidationError, match="before its first day"):
        add_closure(ctx, date(2026, 9, 10), "Backwards", last_day=date(2026, 9, 9))


# ---- a changed calendar recomputes deadlines not yet past -------------------------------------------------


def test_a_closure_added_later_moves_an_open_own_agency_deadline_and_the_history_says_so(
    ctx, clock, child_id
):
    clock.set(datetime(2026, 3, 9, 18, 0, tzinfo=UTC))  # Mon evening: Stage One due Tue 17:00
    detail = open_escalation(ctx, _new(child_id, "st_helens", ctx))
    assert _day(detail.stages[0].deadline) == date(2026, 3, 10)
    add_closure(ctx, date(2026, 3, 10), "Snow day")
    moved = get_escalation(ctx, detail.id)
    assert _day(moved.stages[0].deadline) == date(2026, 3, 11)
    with ctx.store.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity == "escalation", AuditEvent.entity_id == detail.id
            )
        ).all()
    assert "deadline_recomputed" in actions


def test_a_past_deadline_stays_as_it_was_when_the_cutoff_changes(ctx, clock, child_id):
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=UTC))
    detail = open_escalation(ctx, _new(child_id, "st_helens", ctx))
    due = detail.stages[0].deadline
    clock.set(datetime(2026, 3, 9, 17, 30, tzinfo=UTC))  # past 17:00
    update_working_hours(ctx, cutoff=time(16, 0), idle_lock_minutes=10)
    assert get_escalation(ctx, detail.id).stages[0].deadline == due
    # A new one uses the new cut-off, and one not yet past follows it.
    later = open_escalation(ctx, _new(child_id, "st_helens", ctx))
    assert london(later.stages[0].deadline).time() == time(16, 0)
    update_working_hours(ctx, cutoff=time(17, 0), idle_lock_minutes=10)
    assert london(get_escalation(ctx, later.id).stages[0].deadline).time() == time(17, 0)


# ---- immediate risk at any point --------------------------------------------------------------------------


def test_immediate_risk_raised_mid_escalation_brings_deadlines_forward_and_lowering_needs_a_reason(
    ctx, clock, child_id
):
    # Medway is silent on immediate risk: the same working day still applies (the fallback says why).
    detail = open_escalation(ctx, _new(child_id, "medway", ctx))
    assert _day(detail.current_deadline) == date(2026, 1, 12)  # 5 working days
    clock.advance(timedelta(days=1, hours=1))  # Tue 10:00
    with pytest.raises(ValidationError, match="why the child is now at immediate risk"):
        set_immediate_risk(ctx, detail.id, raised=True, reason=" ")
    raised = set_immediate_risk(ctx, detail.id, raised=True, reason="Mother's partner back in the home.")
    assert raised.immediate_risk
    assert _day(raised.current_deadline) == date(2026, 1, 6)
    assert raised.risk_changes[0].raised and raised.risk_changes[0].reason.startswith("Mother")
    assert (list_open_cases(ctx)[0].immediate_risk, list_open_cases(ctx)[0].due_status) == (
        True,
        DueStatus.DUE_TODAY,
    )
    with pytest.raises(ValidationError, match="no longer at immediate risk"):
        set_immediate_risk(ctx, detail.id, raised=False, reason="")
    lowered = set_immediate_risk(ctx, detail.id, raised=False, reason="Partner left; police bail conditions.")
    assert not lowered.immediate_risk
    assert _day(lowered.current_deadline) == date(2026, 1, 12)
    assert [c.raised for c in lowered.risk_changes] == [True, False]


def test_immediate_risk_cannot_be_noticed_in_the_future(ctx, clock, child_id):
    detail = open_escalation(ctx, _new(child_id, "medway", ctx))
    with pytest.raises(ValidationError, match="future"):
        set_immediate_risk(
            ctx, detail.id, raised=True, reason="x", noticed_at=clock.now() + timedelta(days=1)
        )


def test_immediately_out_of_hours_says_whom_to_call_now(ctx, clock, child_id):
    # St Helens All agencies: "Safeguarding Children Unit managers will always follow up cases where there are
    # immediate concerns about a child – they will not be left until a Service Manager is available."
    clock.set(datetime(2026, 1, 9, 19, 0, tzinfo=UTC))  # Friday evening
    detail = open_escalation(ctx, _new(child_id, "st_helens", ctx, immediate_risk=True))
    call = next(i for i in detail.checklist if i.requirement_key == "immediate_risk:call_now")
    assert "Safeguarding Children Unit" in call.text and "999" in call.text
    assert call.obligation == "must" and call.due_at == clock.now()
    assert any("Safeguarding Children Unit" in line for line in detail.urgent_contacts)
    # The stage itself runs to the end of the next working day, never moved by closures.
    assert _day(detail.stages[0].deadline) == date(2026, 1, 12)


# ---- when it arose, when each stage started, when the response came ------------------------------------------


def test_deadlines_run_from_when_it_arose_and_a_late_record_is_marked(ctx, clock, child_id):
    # Medway Stage 1: 5 working days, from when the stage began (not from when it was typed in).
    clock.set(datetime(2026, 1, 8, 9, 0, tzinfo=UTC))  # Thursday
    arose = datetime(2026, 1, 5, 11, 0, tzinfo=UTC)  # Monday
    detail = open_escalation(ctx, _new(child_id, "medway", ctx, arose_at=arose))
    assert _day(detail.stages[0].deadline) == date(2026, 1, 12)
    assert detail.recorded_late
    with pytest.raises(ValidationError, match="future"):
        open_escalation(ctx, _new(child_id, "medway", ctx, arose_at=clock.now() + timedelta(hours=2)))


def test_timescale_met_is_measured_to_the_response_received(ctx, clock, child_id):
    detail = open_escalation(ctx, _new(child_id, "medway", ctx))  # due Mon 12 Jan 17:00
    for item in detail.open_checklist:
        complete_checklist_item(ctx, item.id, "done")
    clock.set(datetime(2026, 1, 14, 9, 0, tzinfo=UTC))  # recorded Wednesday, after the deadline
    moved = escalate(
        ctx,
        detail.id,
        StageOutcome(outcome="Not resolved.", response_received_at=datetime(2026, 1, 9, 15, 0, tzinfo=UTC)),
    )
    first = moved.stages[0]
    assert first.timescale_met is True  # the other agency answered on Friday, in time
    assert first.response_received_at == datetime(2026, 1, 9, 15, 0, tzinfo=UTC)
    with pytest.raises(ValidationError, match="before the stage started"):
        escalate(
            ctx,
            detail.id,
            StageOutcome(outcome="x", response_received_at=datetime(2026, 1, 1, tzinfo=UTC)),
        )


# ---- a shorter timescale where the policy allows it ------------------------------------------------------


def test_city_and_hackney_allows_a_shorter_timescale_never_a_longer_one(ctx, clock, child_id):
    # 1.4: "within one working week or a timescale that protects the child from harm (whichever is shortest)"
    detail = open_escalation(ctx, _new(child_id, "city_and_hackney", ctx))
    assert detail.may_shorten
    with pytest.raises(ValidationError, match="shorter only"):
        shorten_timescale(ctx, detail.id, due_at=datetime(2026, 1, 30, 17, tzinfo=UTC), reason="x")
    with pytest.raises(ValidationError, match="why"):
        shorten_timescale(ctx, detail.id, due_at=datetime(2026, 1, 7, 17, tzinfo=UTC), reason="")
    short = shorten_timescale(
        ctx, detail.id, due_at=datetime(2026, 1, 7, 17, tzinfo=UTC), reason="Child protection conference Thu."
    )
    assert short.current_deadline == datetime(2026, 1, 7, 17, tzinfo=UTC)
    assert "Shortened" in short.deadline_note
    medway = open_escalation(ctx, _new(child_id, "medway", ctx))
    with pytest.raises(ValidationError, match="does not provide for a shorter timescale"):
        shorten_timescale(ctx, medway.id, due_at=datetime(2026, 1, 7, 17, tzinfo=UTC), reason="x")


# ---- must blocks, should reminds --------------------------------------------------------------------------


def test_hackney_2_6_must_notify_the_cp_chair_before_moving_on(ctx, clock, child_id):
    from dsl_desk.services.people.children import add_child
    from tests.conftest import fictional_child

    on_plan = add_child(ctx, fictional_child("Plan", "Child", child_protection_plan=True)).id
    detail = open_escalation(ctx, _new(on_plan, "city_and_hackney", ctx))
    detail = escalate(ctx, detail.id, StageOutcome(outcome="Not resolved."))  # stage one: nothing owed
    chair = next(i for i in detail.open_checklist if i.requirement_key == "notify_cp_chair")
    assert chair.obligation == "must"
    with pytest.raises(ValidationError, match="must be done before moving to the next stage"):
        escalate(ctx, detail.id, StageOutcome(outcome="Not resolved."))
    # A "should" (2.5: consider a professionals' meeting) never holds it up; a reason closes the "must".
    moved = escalate(
        ctx,
        detail.id,
        StageOutcome(outcome="Not resolved.", not_done_reasons={chair.id: "Chair on leave; deputy told."}),
    )
    done = next(i for i in moved.checklist if i.id == chair.id)
    assert done.not_done and done.done_note == "Chair on leave; deputy told."
    assert any(i.requirement_key == "consider_professionals_meeting" for i in moved.open_checklist)


def test_a_must_can_be_closed_with_a_reason_from_the_page(ctx, child_id):
    detail = open_escalation(ctx, _new(child_id, "medway", ctx))
    item = next(i for i in detail.open_checklist if i.obligation == "must")
    with pytest.raises(ValidationError, match="Say why"):
        record_not_done(ctx, item.id, "  ")
    closed = record_not_done(ctx, item.id, "The line managers spoke before the DSL was involved.")
    assert next(i for i in closed.checklist if i.id == item.id).not_done


# ---- steps for a kind of agency, and steps that start when another is done --------------------------------


def test_st_helens_social_care_steps_only_with_social_care(ctx, child_id):
    # All agencies: "For cases involving Social Care the concerns should be discussed initially with the social
    # worker"; a health visiting service gets no such step.
    health = open_escalation(
        ctx, _new(child_id, "st_helens", ctx, other_agency="Demo Health Visiting", other_agency_kind="health")
    )
    keys = {i.requirement_key for i in health.checklist}
    assert "pre:social_worker" not in keys and "pre:team_manager_alerted" not in keys
    assert "pre:raise_with_other_agency" in keys
    care = open_escalation(ctx, _new(child_id, "st_helens", ctx))
    assert {"pre:social_worker", "pre:team_manager_alerted"} <= {i.requirement_key for i in care.checklist}


def test_team_manager_alert_is_due_one_working_day_after_the_social_worker_step(ctx, clock, child_id):
    # All agencies: "If this does not resolve the problem the Team Manager should be alerted – by phone or in
    # writing within one working day."
    detail = open_escalation(ctx, _new(child_id, "st_helens", ctx))
    alert = next(i for i in detail.checklist if i.requirement_key == "pre:team_manager_alerted")
    assert alert.due_at is None  # it does not apply yet
    social = next(i for i in detail.checklist if i.requirement_key == "pre:social_worker")
    clock.set(datetime(2026, 1, 9, 11, 0, tzinfo=UTC))  # Friday
    after = complete_checklist_item(ctx, social.id, "Spoke to the social worker; not resolved.")
    alert = next(i for i in after.checklist if i.requirement_key == "pre:team_manager_alerted")
    assert _day(alert.due_at) == date(2026, 1, 12)
    rows = {r.item_id: r for r in list_open_checklist(ctx)}
    assert rows[alert.id].due_at == alert.due_at  # on the dashboard with its own deadline
    # The child is then at immediate risk: "within one working day" becomes the same working day.
    urgent = set_immediate_risk(ctx, detail.id, raised=True, reason="Disclosure this morning.")
    alert = next(i for i in urgent.checklist if i.requirement_key == "pre:team_manager_alerted")
    assert _day(alert.due_at) == date(2026, 1, 9)


def test_st_helens_escalation_notice_has_its_own_deadline_on_the_dashboard(ctx, clock, child_id):
    # All agencies: the Escalation Notice "will be forwarded to the Service Manager ... within 5 working days".
    detail = open_escalation(ctx, _new(child_id, "st_helens", ctx))
    for _ in range(3):
        for item in detail.open_checklist:
            detail = complete_checklist_item(ctx, item.id, "done")
        clock.advance(timedelta(hours=1))
        detail = escalate(ctx, detail.id, StageOutcome(outcome="Not resolved.", missed_reason="x"))
    assert detail.current_stage_key == "stage_four"
    notice = next(i for i in detail.checklist if i.requirement_key == "escalation_notice")
    assert (notice.obligation, _day(notice.due_at)) == ("must", date(2026, 1, 12))
    assert any(r.item_id == notice.id and r.due_at for r in list_open_checklist(ctx))


# ---- each policy's own route to the end ----------------------------------------------------------------------


def test_st_helens_ends_with_the_directors_binding_decision_and_gaps_go_to_the_chair(ctx, clock, child_id):
    pack = ctx.pack("st_helens")
    detail = open_escalation(ctx, _new(child_id, "st_helens", ctx))
    while detail.current_stage_key != pack.last_stage.key:
        for item in detail.open_checklist:
            detail = complete_checklist_item(ctx, item.id, "done")
        clock.advance(timedelta(hours=1))
        detail = escalate(ctx, detail.id, StageOutcome(outcome="Not resolved.", missed_reason="x"))
    assert detail.binding_decision_stage
    for item in detail.open_checklist:
        detail = complete_checklist_item(ctx, item.id, "Referred to the DCS.")
    decision = ResolutionInput(
        "The DCS decided: strategy discussion within 24 hours.",
        True,
        child_situation_improved="not yet known",
        missed_reason="x",
    )
    # Introduction: gaps "must be brought to the attention of the chair of the Board": an answer is required.
    with pytest.raises(ValidationError, match="gaps or weaknesses"):
        resolve(ctx, detail.id, decision)
    from dataclasses import replace

    closed = resolve(ctx, detail.id, replace(decision, gaps_found="yes"))
    learning = next(i for i in closed.checklist if i.requirement_key == "learning")
    assert learning.obligation == "must" and "chair" in learning.text.lower()
    assert closed.resolution is not None and closed.resolution.learning_referred_to_board


def test_a_pack_past_its_review_date_says_so(ctx, child_id):
    # St Helens front sheet: "Review date: July 2019".
    detail = open_escalation(ctx, _new(child_id, "st_helens", ctx))
    assert "due for review in July 2019" in detail.review_warning
    assert "LSCB Business Manager" in detail.review_warning
    hackney = open_escalation(ctx, _new(child_id, "city_and_hackney", ctx))
    assert hackney.review_warning == ""
