"""Wizard drafts: what is typed survives closing the wizard, and is gone once the wizard finishes."""

from __future__ import annotations

from PySide6.QtWidgets import QWizard

from dsl_desk.services.escalations.drafts import load_draft, save_draft
from dsl_desk.ui.escalations.drafts import KEPT_TEXT
from dsl_desk.ui.escalations.escalate import EscalateWizard
from dsl_desk.ui.escalations.new_escalation_who import PROBLEM_PAGE
from dsl_desk.ui.escalations.resolve import ResolveWizard
from dsl_desk.ui.escalations.resume import open_wizard_for_draft
from tests.ui.escalations.test_escalate_resolve import start
from tests.ui.escalations.test_new_escalation_wizard import (
    click,
    fill_to_problem,
    finish,
    next_page,
    open_wizard,
    type_problem,
)

PROBLEM = "The referral was closed without an assessment."


def test_closing_keeps_the_draft_and_a_new_wizard_refills_it(qtbot, ctx, child_id):
    wizard = open_wizard(qtbot, ctx)
    fill_to_problem(qtbot, wizard)
    qtbot.keyClicks(wizard.problem_page.problem, PROBLEM)
    with qtbot.waitSignal(wizard.draft_kept) as kept:
        click(qtbot, wizard.button(QWizard.WizardButton.CancelButton))
    assert kept.args == [KEPT_TEXT]
    assert not wizard.isVisible()

    draft = load_draft(ctx, "new_escalation")
    assert draft is not None
    assert draft.values["problem"] == PROBLEM
    again = open_wizard(qtbot, ctx, draft=draft)
    assert again.problem_page.problem.toPlainText() == PROBLEM
    assert again.agency_page.agency.currentText() == "Riverside Children's Social Care"
    assert again.agency_page.person.currentText() == "Pat Example"
    assert again.child_page.selected_child_id() == child_id
    for _ in range(4):  # risk (answered no, kept), child, agency (with its kind), category
        next_page(qtbot, again)
    assert again.currentId() == PROBLEM_PAGE  # the category came back too


def test_typing_is_saved_after_a_pause(qtbot, ctx, child_id):
    wizard = open_wizard(qtbot, ctx)
    fill_to_problem(qtbot, wizard)
    qtbot.keyClicks(wizard.problem_page.outcome, "An assessment")
    assert wizard.draft_timer.isActive()
    qtbot.waitUntil(lambda: not wizard.draft_timer.isActive(), timeout=5000)  # the debounce fires, no sleep
    assert load_draft(ctx, "new_escalation").values["outcome_sought"] == "An assessment"


def test_finishing_discards_the_draft(qtbot, ctx, child_id):
    wizard = open_wizard(qtbot, ctx)
    fill_to_problem(qtbot, wizard)
    type_problem(qtbot, wizard)
    next_page(qtbot, wizard)
    assert load_draft(ctx, "new_escalation") is not None  # saved on the page change
    finish(qtbot, wizard)
    assert wizard.result_detail is not None
    assert load_draft(ctx, "new_escalation") is None


def test_an_earlier_draft_is_offered_not_overwritten(qtbot, ctx, child_id):
    save_draft(ctx, "new_escalation", {"problem": PROBLEM, "child_id": child_id})
    wizard = open_wizard(qtbot, ctx)
    assert wizard.problem_page.problem.toPlainText() == ""
    wizard.risk_page.no.setChecked(True)  # the risk question comes first; the banner is on the child page
    wizard.next()
    banner_button = next(
        b for b in wizard.child_page.findChildren(type(wizard.child_page.add_button)) if "Resume" in b.text()
    )
    click(qtbot, banner_button)
    assert wizard.problem_page.problem.toPlainText() == PROBLEM
    assert wizard.child_page.selected_child_id() == child_id


def test_escalate_and_resolve_drafts_reopen_in_their_wizard(qtbot, ctx, child_id):
    escalation_id = start(ctx, child_id)
    wizard = EscalateWizard(ctx, escalation_id)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.keyClicks(wizard.outcome_page.outcome, "Half-written outcome")
    wizard.reject()
    draft = load_draft(ctx, "escalate", escalation_id)
    reopened = open_wizard_for_draft(ctx, draft, None)
    qtbot.addWidget(reopened)
    assert isinstance(reopened, EscalateWizard)
    assert reopened.outcome_page.outcome.toPlainText() == "Half-written outcome"

    save_draft(
        ctx,
        "resolve",
        {"written_outcome": "Agreed by email", "main_reason": "Need for Action"},
        escalation_id,
    )
    resolver = open_wizard_for_draft(ctx, load_draft(ctx, "resolve", escalation_id), None)
    qtbot.addWidget(resolver)
    assert isinstance(resolver, ResolveWizard)
    assert resolver.outcome_page.written.toPlainText() == "Agreed by email"
    assert resolver.stages_page.reasons.value() == "Need for Action"
