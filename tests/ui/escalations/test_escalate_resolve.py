"""The Escalate and Resolve wizards, driven through their real fields and buttons, checked against the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtWidgets import QLabel

from dsl_desk.services.escalations.closing import ResolutionInput, resolve
from dsl_desk.services.escalations.dashboard import list_open_cases
from dsl_desk.services.escalations.reading import get_escalation
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
from dsl_desk.ui.desk.dashboard_page import DashboardPage
from dsl_desk.ui.escalations.escalate import EscalateWizard
from dsl_desk.ui.escalations.resolve import ResolveWizard
from dsl_desk.ui.signals import AppSignals
from tests.ui.escalations.test_new_escalation_wizard import click, finish, next_page


def start(ctx, child_id, policy_id: str = "") -> int:
    draft = NewEscalation(
        child_id=child_id,
        other_agency="Riverside Children's Social Care",
        category="level_of_need" if policy_id in ("", "st_helens") else "",
        problem="Referral closed with no assessment.",
        outcome_sought="A child and family assessment.",
        other_professional_name="Pat Example",
        policy_id=policy_id,
    )
    if policy_id and policy_id != "st_helens":
        pack = ctx.pack(policy_id)
        draft = NewEscalation(**{**draft.__dict__, "category": pack.categories[0].key})
    return open_escalation(ctx, draft).id


def shown(qtbot, wizard):
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


@pytest.fixture
def escalation_id(ctx, child_id) -> int:
    return start(ctx, child_id)


# -- escalate ---------------------------------------------------------------------------------------------------


def test_escalate_in_time(qtbot, ctx, escalation_id):
    wizard = shown(qtbot, EscalateWizard(ctx, escalation_id))
    page = wizard.outcome_page
    # St Helens fixes the next stage: it is stated, not offered as a choice that is not one.
    assert not page.target.isVisible()
    assert page.fixed_target.isVisible()
    assert page.fixed_target.text() == "<b>Stage Two – Discussion between the professionals</b>"
    assert "Timescale met" in page.timescale.text()
    assert not page.missed_reason.isVisible()
    next_page(qtbot, wizard)  # no outcome yet
    assert wizard.currentId() == 0
    assert "Record the outcome of Stage One" in page.error.text()

    qtbot.keyClicks(page.outcome, "Manager agrees: challenge the decision.")
    next_page(qtbot, wizard)
    following = wizard.next_page
    assert "Stage Two – Discussion between the professionals" in following.stage.text()
    assert following.deadline.text().startswith(
        "New deadline: Mon 12 Jan 17:00"
    )  # one working week from opening
    qtbot.keyClicks(following.contacted.lineEdit(), "Pat Example, social worker")
    finish(qtbot, wizard)

    saved = get_escalation(ctx, escalation_id)
    assert wizard.result_detail.current_stage_key == "stage_two"
    assert saved.current_stage_key == "stage_two"
    left = saved.stages[0]
    assert left.outcome == "Manager agrees: challenge the decision."
    assert left.timescale_met is True
    assert saved.stages[1].contacted == "Pat Example, social worker"
    assert list_open_cases(ctx)[0].stage_key == "stage_two"


def test_missed_timescale_needs_a_reason(qtbot, ctx, clock, escalation_id):
    clock.advance(timedelta(days=1))  # Stage One was due at 17:00 on the day it was opened
    wizard = shown(qtbot, EscalateWizard(ctx, escalation_id))
    page = wizard.outcome_page
    assert "Timescale missed" in page.timescale.text()
    assert page.missed_reason.isVisible()
    qtbot.keyClicks(page.outcome, "Manager agrees.")
    next_page(qtbot, wizard)
    assert wizard.currentId() == 0
    assert page.error.isVisible()
    assert "reason" in page.error.text()

    qtbot.keyClicks(page.missed_reason, "My manager was off sick.")
    next_page(qtbot, wizard)
    assert wizard.currentId() == 1
    finish(qtbot, wizard)
    record = get_escalation(ctx, escalation_id).stages[0]
    assert record.timescale_met is False
    assert record.missed_reason == "My manager was off sick."


def test_a_refusal_is_shown_on_the_page_and_nothing_is_lost(qtbot, ctx, escalation_id):
    wizard = shown(qtbot, EscalateWizard(ctx, escalation_id))
    qtbot.keyClicks(wizard.outcome_page.outcome, "Agreed in the end.")
    next_page(qtbot, wizard)
    resolve(  # someone else closed it meanwhile
        ctx,
        escalation_id,
        ResolutionInput("Agreed.", True, child_situation_improved="yes", gaps_found="no"),
    )
    finish(qtbot, wizard)
    assert wizard.isVisible()
    assert "already resolved" in wizard.next_page.error.text()
    assert wizard.outcome_page.outcome.toPlainText() == "Agreed in the end."


def test_policy_must_is_done_or_given_a_reason_first(qtbot, ctx, child_id):
    """City & Hackney 2.6: the CP Chair "must also be notified" (at Stage Two, for a child on a plan)."""
    from dsl_desk.services.people.children import add_child
    from tests.conftest import fictional_child

    on_plan = add_child(ctx, fictional_child("Plan", "Child", child_protection_plan=True)).id
    escalation_id = start(ctx, on_plan, "city_and_hackney")
    wizard = shown(qtbot, EscalateWizard(ctx, escalation_id))
    qtbot.keyClicks(wizard.outcome_page.outcome, "Not resolved.")
    next_page(qtbot, wizard)
    finish(qtbot, wizard)
    wizard = shown(qtbot, EscalateWizard(ctx, escalation_id))
    page = wizard.outcome_page
    qtbot.keyClicks(page.outcome, "Not resolved.")
    next_page(qtbot, wizard)
    assert wizard.currentId() == 0
    assert "must be done before the next stage" in page.error.text()
    (box,) = page.reasons.values()
    qtbot.keyClicks(box, "Chair on leave; her deputy was told.")
    next_page(qtbot, wizard)
    assert wizard.currentId() == 1
    finish(qtbot, wizard)
    saved = get_escalation(ctx, escalation_id)
    assert saved.current_stage_key == "stage_three"
    chair = next(i for i in saved.checklist if i.requirement_key == "notify_cp_chair")
    assert chair.not_done and chair.done_note == "Chair on leave; her deputy was told."


def test_policy_should_only_reminds(qtbot, ctx, child_id):
    """City & Hackney 2.10: CHSCP members "should be engaged" before Stage Four: a reminder, not a bar."""
    escalation_id = start(ctx, child_id, "city_and_hackney")
    pack = ctx.pack("city_and_hackney")
    for _ in range(pack.stage_index("stage_three")):
        wizard = shown(qtbot, EscalateWizard(ctx, escalation_id))
        qtbot.keyClicks(wizard.outcome_page.outcome, "Not resolved.")
        next_page(qtbot, wizard)
        finish(qtbot, wizard)
    wizard = shown(qtbot, EscalateWizard(ctx, escalation_id))
    page = wizard.outcome_page
    qtbot.keyClicks(page.outcome, "Not resolved.")
    assert any("should be done before the next stage" in label.text() for label in page.findChildren(QLabel))
    next_page(qtbot, wizard)
    assert wizard.currentId() == 1
    finish(qtbot, wizard)
    assert get_escalation(ctx, escalation_id).current_stage_key == "stage_four"


# -- resolve ----------------------------------------------------------------------------------------------------


def fill_resolution_start(qtbot, wizard: ResolveWizard) -> None:
    click(qtbot, wizard.stages_page.reasons.buttons_by_value["Communication"])
    next_page(qtbot, wizard)
    page = wizard.outcome_page
    qtbot.keyClicks(page.written, "Social care will assess; school to share attendance weekly.")
    click(qtbot, page.improved.buttons_by_value["not yet known"])


def test_resolve_needs_the_written_agreement(qtbot, ctx, escalation_id):
    wizard = shown(qtbot, ResolveWizard(ctx, escalation_id))
    assert "Stage One – Consulting the line manager" in wizard.stages_page.resolved_at.text()
    next_page(qtbot, wizard)  # main reason missing
    assert "main reason" in wizard.stages_page.error.text()
    fill_resolution_start(qtbot, wizard)
    page = wizard.outcome_page
    assert "cannot be closed until the outcome is agreed in writing" in " ".join(
        label.text() for label in page.findChildren(type(page.error))
    )
    next_page(qtbot, wizard)  # not ticked
    assert wizard.currentId() == 1
    assert "agreed in writing" in page.error.text()

    click(qtbot, page.agreed)
    qtbot.keyClicks(page.practitioners, "Pat Example (social worker)")
    next_page(qtbot, wizard)
    closing = wizard.closing_page
    # St Helens Introduction: gaps "must be brought to the attention of the chair of the Board": a required
    # yes/no answer, not an optional tick box.
    assert not closing.learning.isVisible()
    assert closing.gaps_question.isVisible()
    assert "chair of St Helens Safeguarding Children Board" in closing.gaps_question.text()
    assert not closing.overrun.isVisible()
    assert "Bring the gaps" not in closing.after.text()
    qtbot.keyClicks(closing.lessons, "Ring the team manager sooner.")
    click(qtbot, closing.parents.buttons_by_value["no"])
    qtbot.keyClicks(closing.parents_reason, "x")
    finish(qtbot, wizard)  # the gaps question is unanswered
    assert "gaps or weaknesses" in closing.error.text()
    closing.parents_reason.clear()
    click(qtbot, closing.gaps.buttons_by_value["yes"])
    assert (
        "Bring the gaps or weaknesses found to the attention of The chair of St Helens"
        in closing.after.text()
    )
    finish(qtbot, wizard)  # "no" needs a reason
    assert "why the parents/carers were not told" in closing.error.text()
    qtbot.keyClicks(closing.parents_reason, "It would put the child at risk.")
    finish(qtbot, wizard)

    saved = get_escalation(ctx, escalation_id)
    assert saved.status == "resolved"
    resolution = saved.resolution
    assert resolution.written_outcome.startswith("Social care will assess")
    assert resolution.main_reason == "Communication"
    assert resolution.child_situation_improved == "not yet known"
    assert resolution.learning_referred_to_board
    assert resolution.parents_not_informed_reason == "It would put the child at risk."
    assert resolution.lessons_learnt == "Ring the team manager sooner."
    assert list_open_cases(ctx) == []
    dashboard = DashboardPage(ctx, AppSignals())
    qtbot.addWidget(dashboard)
    assert dashboard.case_model.rowCount() == 0


def test_barnet_overrun_needs_reason_and_manager(qtbot, ctx, clock, child_id):
    escalation_id = start(ctx, child_id, "barnet")
    clock.advance(timedelta(days=14))  # far past Barnet's 5 working days
    wizard = shown(qtbot, ResolveWizard(ctx, escalation_id))
    stages = wizard.stages_page
    assert stages.missed_reason.isVisible()  # the current stage's own deadline passed too
    qtbot.keyClicks(stages.missed_reason, "Waiting for the strategy meeting.")
    fill_resolution_start(qtbot, wizard)
    click(qtbot, wizard.outcome_page.agreed)
    next_page(qtbot, wizard)
    closing = wizard.closing_page
    assert closing.overrun.isVisible()
    assert wizard.closing.overrun_message in " ".join(
        label.text() for label in closing.overrun.findChildren(type(closing.error))
    )
    finish(qtbot, wizard)
    assert wizard.isVisible()
    assert "maximum of 5 working days" in closing.error.text()
    qtbot.keyClicks(closing.overrun_reason, "The strategy meeting was moved twice.")
    click(qtbot, closing.manager_confirmed)
    finish(qtbot, wizard)  # the manager's name is still missing
    assert "give their name" in closing.error.text()
    qtbot.keyClicks(closing.manager_name, "Robin Example")
    finish(qtbot, wizard)

    resolution = get_escalation(ctx, escalation_id).resolution
    assert resolution.overrun_reason == "The strategy meeting was moved twice."
    assert resolution.manager_confirmed_child_safe


def test_the_response_time_decides_whether_the_timescale_was_met(qtbot, ctx, clock, child_id):
    """Medway Stage 1: a response within 5 working days (due Mon 12 Jan 17:00). The DSL records it on
    Wednesday, but the response came on Friday: met, and no missed reason is asked."""
    from datetime import UTC, datetime

    escalation_id = start(ctx, child_id, "medway")
    for item in get_escalation(ctx, escalation_id).open_checklist:
        from dsl_desk.services.escalations.checklist_items import complete_checklist_item

        complete_checklist_item(ctx, item.id, "done")
    clock.set(datetime(2026, 1, 14, 9, 0, tzinfo=UTC))
    wizard = shown(qtbot, EscalateWizard(ctx, escalation_id))
    page = wizard.outcome_page
    assert page.response_at.isVisible()
    assert page.missed_reason.isVisible()  # nothing typed yet: measured to now, so missed
    qtbot.keyClicks(page.response_at.edit, "9/1/26 15:00")
    assert not page.missed_reason.isVisible()
    assert "response came before the deadline" in page.timescale.text()
    qtbot.keyClicks(page.outcome, "Not resolved.")
    next_page(qtbot, wizard)
    started = wizard.next_page.started
    started.edit.selectAll()
    qtbot.keyClicks(started.edit, "12/1/26 10:00")  # the next stage began on Monday
    assert "Mon 19 Jan" in wizard.next_page.deadline.text()  # 5 working days from Monday
    finish(qtbot, wizard)
    saved = get_escalation(ctx, escalation_id)
    first, second = saved.stages[0], saved.stages[1]
    assert first.timescale_met is True
    assert first.response_received_at == datetime(2026, 1, 9, 15, 0, tzinfo=UTC)
    assert second.started_at == datetime(2026, 1, 12, 10, 0, tzinfo=UTC)


def test_a_response_in_the_future_is_refused(qtbot, ctx, clock, child_id):
    escalation_id = start(ctx, child_id, "medway")
    wizard = shown(qtbot, EscalateWizard(ctx, escalation_id))
    page = wizard.outcome_page
    qtbot.keyClicks(page.response_at.edit, "1/2/27 10:00")
    qtbot.keyClicks(page.outcome, "Not resolved.")
    next_page(qtbot, wizard)
    assert wizard.currentId() == 0
    assert "future" in page.error.text()
