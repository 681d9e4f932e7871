"""The "Log a discussion" dialog, driven through the real widgets; assertions on the database."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from dsl_desk.services.log.discussion_log import NewEntry, log_discussion
from dsl_desk.services.log.reading import get_chronology, list_entries, list_open_actions
from dsl_desk.ui.log.log_entry_dialog import LogEntryDialog


def _dialog(qtbot, ctx, **kwargs) -> LogEntryDialog:
    dialog = LogEntryDialog(ctx, None, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _save(qtbot, dialog: LogEntryDialog) -> None:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_quick_entry_is_prefilled_and_saves_with_the_keyboard(qtbot, ctx, child_id, clock):
    dialog = _dialog(qtbot, ctx, child_id=child_id)
    assert dialog.child.currentData() == child_id
    assert dialog.child.currentText() == "Zephyrine Quillborough (born 14 March 2015)"  # not 14/03/2015
    assert dialog.occurred.instant() == clock.now()  # defaults to now
    assert dialog.occurred.words.text() == "Monday 5 January 2026 at 09:00"
    qtbot.keyClicks(dialog.participants, "Dawn Brightwater, social worker")
    qtbot.keyClicks(dialog.summary, "Rang about the bruise on her arm.")
    # keyClicks types ASCII only (Qt testlib asserts otherwise): Unicode goes in as text.
    dialog.child_views.setPlainText("«Я не хочу домой» — she said")
    with qtbot.waitSignal(dialog.entry_saved) as saved:
        qtbot.keyClick(dialog.summary, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert saved.args[0].entry.summary == "Rang about the bruise on her arm."
    [entry] = list_entries(ctx, child_id)
    assert entry.child_views == "«Я не хочу домой» — she said"
    assert entry.recorded_at == clock.now()


def test_an_empty_summary_shows_a_message_and_keeps_what_was_typed(qtbot, ctx, child_id):
    dialog = _dialog(qtbot, ctx, child_id=child_id)
    qtbot.keyClicks(dialog.participants, "Dawn Brightwater")
    _save(qtbot, dialog)
    assert dialog.isVisible()
    assert "summary cannot be empty" in dialog.error.text()
    assert dialog.participants.toPlainText() == "Dawn Brightwater"
    assert list_entries(ctx, child_id) == []


def test_the_time_cannot_be_set_in_the_future(qtbot, ctx, child_id, clock):
    dialog = _dialog(qtbot, ctx, child_id=child_id)
    dialog.occurred.edit.clear()
    qtbot.keyClicks(dialog.occurred.edit, "01/01/2030 09:00")
    assert dialog.occurred.instant() is None
    assert "in the future" in dialog.occurred.words.text()
    qtbot.keyClicks(dialog.summary, "Tomorrow's call")
    _save(qtbot, dialog)
    assert "in the future" in dialog.error.text()
    assert list_entries(ctx, child_id) == []


def test_a_time_before_the_childs_birth_is_refused(qtbot, ctx, child_id):
    dialog = _dialog(qtbot, ctx, child_id=child_id)
    dialog.occurred.set_instant(datetime(2010, 1, 1, 9, 0, tzinfo=UTC))
    qtbot.keyClicks(dialog.summary, "Too early")
    _save(qtbot, dialog)
    assert "before Zephyrine Quillborough was born" in dialog.error.text()


def test_prompts_nudge_toward_a_good_record(qtbot, ctx, child_id):
    dialog = _dialog(qtbot, ctx, child_id=child_id)
    qtbot.keyClicks(dialog.summary, "Spoke to JB. I think mum seems tired.")
    qtbot.keyClicks(dialog.decisions, "Refer to early help.")
    prompts = dialog.prompts.text()
    assert "“JB” looks like initials" in prompts
    assert "keep facts" in prompts
    assert "own words" in prompts
    assert "reason for each decision" in prompts
    qtbot.keyClicks(dialog.decisions, " because the family asked for support")
    assert "reason for each decision" not in dialog.prompts.text()


def test_actions_with_owner_and_due_date_reach_the_dashboard_list(qtbot, ctx, child_id):
    dialog = _dialog(qtbot, ctx, child_id=child_id)
    qtbot.keyClicks(dialog.summary, "Agreed a plan")
    qtbot.mouseClick(dialog.add_action_button, Qt.MouseButton.LeftButton)
    row = dialog.action_rows[0]
    qtbot.keyClicks(row.description, "Send the referral")
    qtbot.keyClicks(row.owner, "Jane Smith, DSL")
    row.due.edit.clear()
    qtbot.keyClicks(row.due.edit, "7/1/26")
    _save(qtbot, dialog)
    [action] = list_open_actions(ctx)
    assert (action.description, action.owner, str(action.due_on)) == (
        "Send the referral",
        "Jane Smith, DSL",
        "2026-01-07",
    )


def test_a_too_big_attachment_is_refused_when_chosen(qtbot, ctx, child_id, tmp_path):
    huge = tmp_path / "video.pdf"
    with huge.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    dialog = _dialog(qtbot, ctx, child_id=child_id)
    assert not dialog.add_attachment(huge)
    assert "at most 25 MB" in dialog.error.text()
    assert dialog.attachments.count() == 0


def test_a_correction_is_prefilled_needs_a_reason_and_keeps_the_original(qtbot, ctx, child_id, clock):
    first = log_discussion(ctx, NewEntry(child_id, clock.now(), "telephone", "Spoke to Mrs Jones"))
    dialog = _dialog(qtbot, ctx, amends=first.id)
    assert dialog.summary.toPlainText() == "Spoke to Mrs Jones"
    assert not dialog.child.isEnabled()
    dialog.summary.setPlainText("Spoke to Bethan Jones, pastoral lead")
    _save(qtbot, dialog)
    assert "why" in dialog.error.text().lower()
    qtbot.keyClicks(dialog.amend_reason, "Full name")
    _save(qtbot, dialog)
    [item] = get_chronology(ctx, child_id).items
    assert item.earlier[0].summary == "Spoke to Mrs Jones"
    assert item.current.amend_reason == "Full name"


def test_correcting_an_already_corrected_entry_corrects_its_latest_version(qtbot, ctx, child_id, clock):
    from dsl_desk.services.log.discussion_log import amend_entry

    first = log_discussion(ctx, NewEntry(child_id, clock.now(), "telephone", "v1"))
    second = amend_entry(ctx, first.id, NewEntry(child_id, clock.now(), "telephone", "v2"), "r")
    dialog = _dialog(qtbot, ctx, amends=first.id)
    assert dialog.original.id == second.id
    assert dialog.summary.toPlainText() == "v2"


def test_a_dissent_offers_to_start_an_escalation(qtbot, ctx, child_id):
    dialog = _dialog(qtbot, ctx, child_id=child_id)
    dialog.kind.setCurrentIndex(dialog.kind.findData("dissent"))
    assert dialog.method.currentData() == "professionals_meeting"  # dissent is at a meeting
    assert dialog.escalate_box.isVisible() and dialog.escalate_box.isChecked()
    qtbot.keyClicks(dialog.summary, "School disagreed with the decision not to hold a conference.")
    with qtbot.waitSignal(dialog.entry_saved) as saved:
        _save(qtbot, dialog)
    assert saved.args[0].start_escalation
    assert saved.args[0].entry.kind == "dissent"
