"""The Escalations page: list, detail, stepper, checklist tick-off, chase message, and the actions."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QPushButton

from dsl_desk.services.escalations.dashboard import list_open_checklist
from dsl_desk.services.escalations.reading import get_escalation
from dsl_desk.ui.escalations.escalate import EscalateWizard
from dsl_desk.ui.escalations.escalation_dialogs import ChaseDialog, MarkDoneDialog, WithdrawDialog
from dsl_desk.ui.escalations.escalations_page import EscalationsPage
from dsl_desk.ui.signals import AppSignals, Changed
from tests.ui.escalations.test_escalate_resolve import start
from tests.ui.escalations.test_new_escalation_wizard import click, finish, next_page


@pytest.fixture
def page(qtbot, ctx):
    signals = AppSignals()
    widget = EscalationsPage(ctx, signals)
    signals.changed.connect(widget.on_changed)  # as the main window wires it
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_list_filter_search_and_open(qtbot, ctx, child_id, page):
    escalation_id = start(ctx, child_id)
    page.on_changed(Changed(escalations=True))
    assert page.model.rowCount() == 1
    qtbot.keyClicks(page.search, "nobody like this")
    assert page.proxy.rowCount() == 0
    page.search.clear()
    qtbot.keyClicks(page.search, "quillborough")
    assert page.proxy.rowCount() == 1
    page.filter.setCurrentIndex(page.filter.findData("resolved"))
    assert page.model.rowCount() == 0
    page.filter.setCurrentIndex(page.filter.findData(None))
    assert page.model.rowCount() == 1

    page.table.doubleClicked.emit(page.proxy.index(0, 0))  # what a double-click on the row sends
    detail = page.detail_view
    assert page.stack.currentWidget() is detail
    assert detail.title.text().startswith("ESC-2026-")
    assert detail.child_button.text() == "Zephyrine Quillborough"
    assert len(detail.stepper.boxes) == len(ctx.pack("st_helens").stages)
    assert "current stage" in detail.stepper.boxes[0].accessibleName()
    assert "today 17:00" in detail.stepper.boxes[0].state.text()
    assert "to come" in detail.stepper.boxes[1].accessibleName()
    # St Helens Stage One is consulting your own manager: nobody at the other agency owes a response yet.
    assert (
        detail.waiting.text()
        == "At this stage you consult within your own agency: no response is awaited yet"
    )
    with qtbot.waitSignal(page.signals.open_child) as opened:
        click(qtbot, detail.child_button)
    assert opened.args == [child_id]
    click(qtbot, detail.back_button)
    assert page.stack.currentWidget() is page.list_view
    assert escalation_id


def test_tick_a_checklist_item(qtbot, ctx, child_id, page):
    escalation_id = start(ctx, child_id)
    page.show_escalation(escalation_id)
    detail = page.detail_view
    item = detail.detail.open_checklist[0]
    button = next(
        b for b in detail.findChildren(QPushButton) if b.accessibleName() == f"Mark done: {item.text}"
    )
    click(qtbot, button)
    dialog = detail.dialog
    assert isinstance(dialog, MarkDoneDialog)
    qtbot.keyClicks(dialog.note, "Rang the social worker at 10:15")
    with qtbot.waitSignal(page.signals.changed):
        click(qtbot, dialog.ok)

    done = next(i for i in get_escalation(ctx, escalation_id).checklist if i.id == item.id)
    assert done.done_at is not None
    assert done.done_note == "Rang the social worker at 10:15"
    assert item.id not in {row.item_id for row in list_open_checklist(ctx)}
    assert any(
        "Rang the social worker" in label.text() for label in detail.findChildren(type(detail.waiting))
    )


def test_chase_message_has_the_reference_and_no_name(qtbot, ctx, child_id, page):
    escalation_id = start(ctx, child_id)
    page.show_escalation(escalation_id)
    detail = page.detail_view
    click(qtbot, detail.chase_button)
    dialog = detail.dialog
    assert isinstance(dialog, ChaseDialog)
    text = dialog.message.toPlainText()
    assert detail.detail.reference in text
    assert "Zephyrine" not in text
    assert "Quillborough" not in text
    click(qtbot, dialog.copy_button)
    assert QApplication.clipboard().text() == text
    assert "no child's name on purpose" in " ".join(
        label.text() for label in dialog.findChildren(type(dialog.copied))
    )


def test_withdraw_needs_a_reason(qtbot, ctx, child_id, page):
    escalation_id = start(ctx, child_id)
    page.show_escalation(escalation_id)
    detail = page.detail_view
    click(qtbot, detail.withdraw_button)
    dialog = detail.dialog
    assert isinstance(dialog, WithdrawDialog)
    click(qtbot, dialog.ok)
    assert dialog.isVisible()
    assert "Say why" in dialog.error.text()
    qtbot.keyClicks(dialog.reason, "Social care reopened the case.")
    with qtbot.waitSignal(page.signals.changed):
        click(qtbot, dialog.ok)
    saved = get_escalation(ctx, escalation_id)
    assert saved.status == "withdrawn"
    assert saved.withdrawn_reason == "Social care reopened the case."
    assert not detail.escalate_button.isVisible()
    assert detail.status_badge.text().strip() == "Withdrawn"


def test_escalate_from_the_page(qtbot, ctx, child_id, page):
    escalation_id = start(ctx, child_id)
    page.show_escalation(escalation_id)
    detail = page.detail_view
    click(qtbot, detail.escalate_button)
    wizard = detail.dialog
    assert isinstance(wizard, EscalateWizard)
    qtbot.keyClicks(wizard.outcome_page.outcome, "Not resolved with my manager's help.")
    next_page(qtbot, wizard)
    with qtbot.waitSignal(page.signals.changed):
        finish(qtbot, wizard)
    assert get_escalation(ctx, escalation_id).current_stage_key == "stage_two"
    assert "current stage" in detail.stepper.boxes[1].accessibleName()
    assert detail.stepper.boxes[0].badge.text() == "✓"
    history = [label.text() for label in detail.findChildren(type(detail.waiting))]
    assert any("Not resolved with my manager's help." in text for text in history)


def test_waiting_for_a_response_once_the_other_agency_is_involved(qtbot, ctx, child_id, page):
    from dsl_desk.services.escalations.stages import StageOutcome, escalate

    escalation_id = start(ctx, child_id)
    escalate(ctx, escalation_id, StageOutcome("Manager agrees.", contacted_next="Pat Example"))
    page.show_escalation(escalation_id)
    assert page.detail_view.waiting.text() == "Waiting less than a working day for a response"


def test_immediate_risk_is_raised_and_lowered_from_the_page_with_a_reason(
    qtbot, ctx, child_id, page, monkeypatch
):
    from PySide6.QtWidgets import QInputDialog

    escalation_id = start(ctx, child_id, "medway")
    page.show_escalation(escalation_id)
    view = page.detail_view
    assert view.risk_button.text() == "&Immediate risk…"
    assert not view.shorten_button.isVisible()  # Medway gives no shorter timescale
    answers = iter(
        [("Disclosure at lunchtime.", True), ("", True), ("Child placed with grandparents.", True)]
    )
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *args, **kwargs: next(answers))
    monkeypatch.setattr(
        "dsl_desk.ui.escalations.escalation_detail.QMessageBox.warning", lambda *a, **k: seen.append(a[2])
    )
    seen: list[str] = []
    click(qtbot, view.risk_button)
    assert get_escalation(ctx, escalation_id).immediate_risk
    assert view.risk_badge.isVisible()
    assert "immediate risk" in view.deadline_note.text()
    click(qtbot, view.risk_button)  # lowering without a reason is refused, and says why
    assert seen and "no longer at immediate risk" in seen[0]
    assert get_escalation(ctx, escalation_id).immediate_risk
    click(qtbot, view.risk_button)
    assert not get_escalation(ctx, escalation_id).immediate_risk


def test_a_shorter_timescale_is_set_from_the_page(qtbot, ctx, child_id, page):
    from datetime import UTC, datetime

    from dsl_desk.ui.escalations.escalation_dialogs import ShortenDialog

    escalation_id = start(ctx, child_id, "city_and_hackney")
    page.show_escalation(escalation_id)
    view = page.detail_view
    assert view.shorten_button.isVisible()
    click(qtbot, view.shorten_button)
    dialog = view.dialog
    assert isinstance(dialog, ShortenDialog)
    qtbot.keyClicks(dialog.due.edit, "7/1/26 17:00")
    dialog._save()  # no reason yet
    assert "why" in dialog.error.text().lower()
    qtbot.keyClicks(dialog.reason, "Conference on Thursday.")
    dialog._save()
    assert get_escalation(ctx, escalation_id).current_deadline == datetime(2026, 1, 7, 17, 0, tzinfo=UTC)
    assert "Shortened" in view.deadline_note.text()


def test_no_shorter_timescale_is_offered_once_the_deadline_has_passed(qtbot, ctx, clock, child_id, page):
    from datetime import timedelta

    escalation_id = start(ctx, child_id, "city_and_hackney")
    clock.advance(timedelta(days=14))  # past the one working week
    page.show_escalation(escalation_id)
    assert not page.detail_view.shorten_button.isVisible()


def test_escalate_is_disabled_at_the_final_stage(qtbot, ctx, clock, child_id, page):
    from tests.services.escalation_walk import walk

    stages = len(ctx.pack("st_helens").stages)
    escalation_id = walk(ctx, clock, child_id, escalations=stages - 1)
    page.show_escalation(escalation_id)
    detail = page.detail_view
    assert detail.escalate_button.isVisible()
    assert not detail.escalate_button.isEnabled()
    assert "last stage" in detail.escalate_button.toolTip()
    detail.open_escalate()  # the Ctrl+E shortcut's slot does nothing either
    assert detail.dialog is None
    earlier = walk(ctx, clock, child_id, escalations=stages - 2)
    page.show_escalation(earlier)
    assert page.detail_view.escalate_button.isEnabled()
