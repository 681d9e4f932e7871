"""What the stepper says once an escalation has ended, and for a stage finished late (from a walkthrough)."""

from __future__ import annotations

from datetime import UTC, datetime

from dsl_desk.core.escalation_rules import DueStatus
from dsl_desk.services.escalations.views import StageView
from dsl_desk.ui.widgets.stepper import Stepper

NOW = datetime(2026, 1, 9, 12, tzinfo=UTC)


def _states(qtbot, stages, status):
    stepper = Stepper()
    qtbot.addWidget(stepper)
    stepper.set_stages(stages, now=NOW, deadline_words="", due_status=DueStatus.NO_DEADLINE, status=status)
    return [box.state.text() for box in stepper.boxes]


def test_stages_never_reached_are_not_needed_once_resolved(qtbot):
    stages = [
        StageView(
            "one",
            "Stage One",
            "First",
            "done",
            left_at=datetime(2026, 1, 6, 10, tzinfo=UTC),
            timescale_met=True,
        ),
        StageView("two", "Stage Two", "Second", "to_come"),
    ]
    assert _states(qtbot, stages, "resolved") == ["Done Tue 6 Jan", "Not needed"]
    assert _states(qtbot, stages, "open")[1] == "To come"


def test_a_stage_done_late_says_so(qtbot):
    late = [
        StageView(
            "one",
            "Stage One",
            "First",
            "done",
            left_at=datetime(2026, 1, 6, 10, tzinfo=UTC),
            timescale_met=False,
        )
    ]
    assert _states(qtbot, late, "open") == ["Done Tue 6 Jan — timescale missed"]


def test_each_wizard_step_puts_the_cursor_in_its_first_box(qtbot, ctx, child_id):
    from PySide6.QtWidgets import QApplication, QLineEdit

    from dsl_desk.ui.escalations.new_escalation import NewEscalationWizard

    wizard = NewEscalationWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.activateWindow()
    qtbot.waitExposed(wizard)
    click_no = wizard.risk_page.no  # the first step is the immediate-risk question; then the child search
    click_no.setChecked(True)
    wizard.next()
    wizard.currentIdChanged.emit(wizard.currentId())  # as QWizard does on every step
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit), timeout=2000)
    assert wizard.currentPage().isAncestorOf(QApplication.focusWidget())
