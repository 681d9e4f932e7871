"""The New escalation wizard, driven through its real fields and buttons, checked against the database."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QListWidget, QRadioButton, QWizard

from dsl_desk.core.escalation_rules import immediate_risk_rule
from dsl_desk.services.escalations.dashboard import list_open_cases
from dsl_desk.services.escalations.drafts import load_draft
from dsl_desk.services.escalations.reading import get_escalation
from dsl_desk.services.people.children import list_children
from dsl_desk.ui.desk.dashboard_page import DashboardPage
from dsl_desk.ui.escalations.new_escalation import NewEscalationWizard
from dsl_desk.ui.escalations.new_escalation_who import (
    AGENCY_PAGE,
    CATEGORY_PAGE,
    CHILD_PAGE,
    PROBLEM_PAGE,
    RISK_ACTION_PAGE,
    RISK_PAGE,
    SUMMARY_PAGE,
)
from dsl_desk.ui.signals import AppSignals


def click(qtbot, widget) -> None:
    qtbot.waitUntil(widget.isVisible)  # widgets added to a shown page appear on the next event loop turn
    if isinstance(widget, QCheckBox | QRadioButton):  # only the box and its text take a click, not the row
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(8, widget.height() // 2))
    else:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def next_page(qtbot, wizard: QWizard) -> None:
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))


def finish(qtbot, wizard: QWizard) -> None:
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))


def click_row(qtbot, view: QListWidget, row: int) -> None:
    rect = view.visualItemRect(view.item(row))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def open_wizard(qtbot, ctx, **kwargs) -> NewEscalationWizard:
    wizard = NewEscalationWizard(ctx, **kwargs)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def answer_risk(qtbot, wizard: NewEscalationWizard, *, yes: bool = False) -> None:
    """The first question: is the child at immediate risk?"""
    assert wizard.currentId() == RISK_PAGE
    click(qtbot, wizard.risk_page.yes if yes else wizard.risk_page.no)
    next_page(qtbot, wizard)


def fill_to_problem(qtbot, wizard: NewEscalationWizard, *, risk: bool = False) -> None:
    """Risk answered, child (found by searching), agency, its kind and professional typed, first category."""
    answer_risk(qtbot, wizard, yes=risk)
    if risk:
        assert wizard.currentId() == RISK_ACTION_PAGE
        next_page(qtbot, wizard)
    fill_from_child(qtbot, wizard)


def fill_from_child(qtbot, wizard: NewEscalationWizard) -> None:
    assert wizard.currentId() == CHILD_PAGE
    qtbot.keyClicks(wizard.child_page.search, "Quill")
    assert wizard.child_page.children.count() == 1
    click_row(qtbot, wizard.child_page.children, 0)
    next_page(qtbot, wizard)
    assert wizard.currentId() == AGENCY_PAGE
    qtbot.keyClicks(wizard.agency_page.agency.lineEdit(), "Riverside Children's Social Care")
    qtbot.keyClicks(wizard.agency_page.person.lineEdit(), "Pat Example")
    assert wizard.agency_page.agency_kind() == "social_care"  # its name says what kind it is
    next_page(qtbot, wizard)
    assert wizard.currentId() == CATEGORY_PAGE
    click(qtbot, wizard.category_page.group.buttons()[1])
    next_page(qtbot, wizard)
    assert wizard.currentId() == PROBLEM_PAGE


def type_problem(qtbot, wizard: NewEscalationWizard) -> None:
    qtbot.keyClicks(wizard.problem_page.problem, "Referral closed with no assessment after a disclosure.")
    qtbot.keyClicks(wizard.problem_page.outcome, "A strategy discussion this week.")


def test_new_escalation_end_to_end(qtbot, ctx, child_id):
    wizard = open_wizard(qtbot, ctx)
    fill_to_problem(qtbot, wizard)

    next_page(qtbot, wizard)  # nothing typed yet: the page refuses and says why
    assert wizard.currentId() == PROBLEM_PAGE
    assert wizard.problem_page.error.isVisible()
    assert "what the problem is" in wizard.problem_page.error.text()
    assert "what outcome you seek" in wizard.problem_page.subTitle()

    type_problem(qtbot, wizard)
    next_page(qtbot, wizard)
    assert wizard.currentId() == SUMMARY_PAGE
    summary = wizard.summary_page
    assert "Stage One – Consulting the line manager" in summary.stage.text()
    assert summary.deadline.text().startswith("Due today 17:00")
    qtbot.keyClicks(summary.contacted, "My line manager")
    finish(qtbot, wizard)

    assert wizard.result_detail is not None
    saved = get_escalation(ctx, wizard.result_detail.id)
    assert saved.child_id == child_id
    assert saved.other_agency == "Riverside Children's Social Care"
    assert saved.other_professional == "Pat Example"
    assert saved.category == "The nature and severity of risk to a child"
    assert saved.problem.startswith("Referral closed")
    assert saved.current_stage_key == "stage_one"
    assert not saved.immediate_risk
    assert saved.stages[0].contacted == "My line manager"
    assert [row.escalation_id for row in list_open_cases(ctx)] == [saved.id]
    assert load_draft(ctx, "new_escalation") is None

    dashboard = DashboardPage(ctx, AppSignals())
    qtbot.addWidget(dashboard)
    assert dashboard.case_model.rowCount() == 1
    assert dashboard.case_model.row_at(0).reference == saved.reference
    assert not dashboard.empty_cases.isVisibleTo(dashboard)


def test_the_risk_question_comes_first_and_must_be_answered(qtbot, ctx, child_id):
    wizard = open_wizard(qtbot, ctx)
    assert wizard.currentId() == RISK_PAGE
    next_page(qtbot, wizard)
    assert wizard.currentId() == RISK_PAGE
    assert wizard.risk_page.error.isVisible()


def test_immediate_risk_shows_the_instruction_first(qtbot, ctx, child_id, packs):
    wizard = open_wizard(qtbot, ctx)
    click(qtbot, wizard.risk_page.yes)
    next_page(qtbot, wizard)
    assert wizard.currentId() == RISK_ACTION_PAGE
    page = wizard.risk_action_page
    assert immediate_risk_rule(packs["st_helens"]).instruction in page.instruction.text()
    assert "999" in page.out_of_hours.text()
    assert "Safeguarding Children Unit" in page.contacts.text()  # the urgent contacts, not every contact
    next_page(qtbot, wizard)
    fill_from_child(qtbot, wizard)
    type_problem(qtbot, wizard)
    next_page(qtbot, wizard)
    assert wizard.currentId() == SUMMARY_PAGE
    assert "same working day" in wizard.summary_page.deadline.text()
    finish(qtbot, wizard)

    saved = get_escalation(ctx, wizard.result_detail.id)
    assert saved.immediate_risk
    assert list_open_cases(ctx)[0].immediate_risk


def test_a_new_child_is_added_inline_and_chosen(qtbot, ctx, clock):
    wizard = open_wizard(qtbot, ctx)
    page = wizard.child_page
    answer_risk(qtbot, wizard)
    assert wizard.currentId() == CHILD_PAGE
    next_page(qtbot, wizard)  # no child chosen
    assert wizard.currentId() == CHILD_PAGE
    assert "Choose the child" in page.error.text()

    click(qtbot, page.add_button)
    box = page.new_child
    assert box.isVisible()
    assert box.born.is_empty()  # no date of birth until one is typed
    click(qtbot, box.save)  # names missing
    assert "first name" in box.message.text()
    qtbot.keyClicks(box.given, "Orla")
    qtbot.keyClicks(box.family, "Pemberton-Vale")
    qtbot.keyClicks(box.born.edit, "1/6/2027")
    click(qtbot, box.save)
    assert "future" in box.message.text()  # never in the future
    box.born.edit.clear()
    qtbot.keyClicks(box.born.edit, "1/6/16")
    assert "1 June 2016" in box.born.words.text()
    click(qtbot, box.flags["looked_after"])
    click(qtbot, box.save)

    children = list_children(ctx)
    assert [c.name for c in children] == ["Orla Pemberton-Vale"]
    assert children[0].date_of_birth == date(2016, 6, 1)
    assert children[0].flags == ("Looked after",)
    assert page.selected_child_id() == children[0].id
    next_page(qtbot, wizard)
    assert wizard.currentId() == AGENCY_PAGE


def test_another_areas_policy_can_be_chosen(qtbot, ctx, child_id, packs):
    wizard = open_wizard(qtbot, ctx, child_id=child_id)
    answer_risk(qtbot, wizard)
    assert wizard.child_page.selected_child_id() == child_id
    next_page(qtbot, wizard)
    qtbot.keyClicks(wizard.agency_page.agency.lineEdit(), "Barnet Children's Services")
    wizard.agency_page.kind.setCurrentIndex(wizard.agency_page.kind.findData("social_care"))
    click(qtbot, wizard.agency_page.use_other)
    combo = wizard.agency_page.packs
    combo.setCurrentIndex(combo.findData("barnet"))
    next_page(qtbot, wizard)
    labels = [b.accessibleName() for b in wizard.category_page.group.buttons()]
    assert labels == [c.label for c in packs["barnet"].categories]
    click(qtbot, wizard.category_page.group.buttons()[0])
    next_page(qtbot, wizard)
    type_problem(qtbot, wizard)
    next_page(qtbot, wizard)
    assert packs["barnet"].first_stage.display_name in wizard.summary_page.stage.text()
    finish(qtbot, wizard)
    assert get_escalation(ctx, wizard.result_detail.id).policy_id == "barnet"


def test_when_it_arose_is_typed_and_a_late_record_is_marked(qtbot, ctx, child_id):
    from datetime import UTC, datetime

    wizard = open_wizard(qtbot, ctx)
    fill_to_problem(qtbot, wizard)
    type_problem(qtbot, wizard)
    arose = wizard.problem_page.arose
    arose.edit.selectAll()
    qtbot.keyClicks(arose.edit, "6/1/26 10:00")  # tomorrow: refused
    next_page(qtbot, wizard)
    assert wizard.currentId() == PROBLEM_PAGE
    assert "future" in wizard.problem_page.error.text()
    arose.edit.selectAll()
    qtbot.keyClicks(arose.edit, "2/1/26 10:00")  # last Friday
    next_page(qtbot, wizard)
    assert wizard.currentId() == SUMMARY_PAGE
    assert "overdue" in wizard.summary_page.deadline.text()  # Stage One was due that Friday
    finish(qtbot, wizard)
    saved = get_escalation(ctx, wizard.result_detail.id)
    assert saved.arose_at == datetime(2026, 1, 2, 10, 0, tzinfo=UTC)
    assert saved.recorded_late


def test_from_a_childs_page_the_child_is_not_asked_again_and_check_and_start_shows_the_whole_escalation(
    qtbot, ctx, child_id
):
    wizard = open_wizard(qtbot, ctx, child_id=child_id)
    assert "Zephyrine Quillborough" in wizard.windowTitle()
    answer_risk(qtbot, wizard)
    assert wizard.currentId() == AGENCY_PAGE  # not the child page
    agency = wizard.agency_page.agency
    names = [agency.itemText(i) for i in range(agency.count())]
    assert "St Helens Children's Social Care" in names  # the pack's agencies, before any is typed
    assert "St Helens" not in names  # the area itself is not an agency
    qtbot.keyClicks(agency.lineEdit(), "Riverside Outreach")
    next_page(qtbot, wizard)  # a name that does not say its kind: the kind is asked for
    assert wizard.currentId() == AGENCY_PAGE
    assert "kind of agency" in wizard.agency_page.error.text()
    agency.lineEdit().clear()
    qtbot.keyClicks(agency.lineEdit(), "St Helens Children's Social Care")
    assert wizard.agency_page.agency_kind() == "social_care"
    next_page(qtbot, wizard)
    click(qtbot, wizard.category_page.group.buttons()[0])
    next_page(qtbot, wizard)
    type_problem(qtbot, wizard)
    next_page(qtbot, wizard)
    assert wizard.currentId() == SUMMARY_PAGE
    lines = wizard.summary_page.escalation.text().splitlines()
    assert lines[0].startswith("Child: Zephyrine Quillborough — born ")
    assert lines[1] == "Other agency: St Helens Children's Social Care (Children's social care)"
    assert lines[2] == "About: The nature and level of a child's needs"
    assert lines[3] == "The problem: Referral closed with no assessment after a disclosure."
    assert lines[4] == "Outcome sought: A strategy discussion this week."
    finish(qtbot, wizard)
    saved = get_escalation(ctx, wizard.result_detail.id)
    assert saved.child_id == child_id


def test_st_helens_disagreement_may_be_about_several_things(qtbot, ctx, child_id):
    """St Helens lists what a disagreement may relate to with "and/or": tick boxes, every one kept."""
    wizard = open_wizard(qtbot, ctx, child_id=child_id)
    answer_risk(qtbot, wizard)
    qtbot.keyClicks(wizard.agency_page.agency.lineEdit(), "St Helens Children's Social Care")
    next_page(qtbot, wizard)
    assert wizard.currentId() == CATEGORY_PAGE
    buttons = wizard.category_page.group.buttons()
    assert all(isinstance(b, QCheckBox) for b in buttons)
    next_page(qtbot, wizard)  # none ticked: refused
    assert wizard.currentId() == CATEGORY_PAGE
    click(qtbot, buttons[1])
    click(qtbot, buttons[0])
    next_page(qtbot, wizard)
    type_problem(qtbot, wizard)
    next_page(qtbot, wizard)
    about = wizard.summary_page.escalation.text().splitlines()[2]
    assert (
        about
        == "About: The nature and level of a child's needs; and the nature and severity of risk to a child"
    )
    finish(qtbot, wizard)
    saved = get_escalation(ctx, wizard.result_detail.id)
    assert (
        saved.category
        == "The nature and level of a child's needs; and the nature and severity of risk to a child"
    )


def test_a_policy_without_and_or_keeps_one_category(qtbot, ctx, child_id):
    wizard = open_wizard(qtbot, ctx, child_id=child_id)
    answer_risk(qtbot, wizard)
    qtbot.keyClicks(wizard.agency_page.agency.lineEdit(), "Riverside Children's Social Care")
    click(qtbot, wizard.agency_page.use_other)
    wizard.agency_page.packs.setCurrentIndex(wizard.agency_page.packs.findData("medway"))
    next_page(qtbot, wizard)
    buttons = wizard.category_page.group.buttons()
    assert all(isinstance(b, QRadioButton) for b in buttons)
    click(qtbot, buttons[0])
    click(qtbot, buttons[1])
    assert wizard.category_page.selected_key() == ctx.pack("medway").categories[1].key
