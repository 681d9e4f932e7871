"""Typed dates through the real widgets: what is typed is what is stored, read back from the database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox, QTableView

from dsl_desk.services.log.reading import list_entries
from dsl_desk.services.people.children import get_child, list_children
from dsl_desk.ui.log.log_entry_dialog import LogEntryDialog
from dsl_desk.ui.people.child_dialog import ChildDialog
from dsl_desk.ui.widgets.date_entry import DateEntry, DateTimeEntry
from tests.conftest import fictional_child

TODAY = date(2026, 1, 5)  # the test clock's Monday

ACCEPTED = [
    "14/03/2015",
    "14/3/15",
    "14.3.15",
    "14-03-2015",
    "14 Mar 2015",
    "14 March 2015",
    "2015-03-14",
    "Saturday 14 March 2015",
    "14th March 2015",
]


# -- the widget -----------------------------------------------------------------------------------------------


def _entry(qtbot, **kwargs) -> DateEntry:
    entry = DateEntry(**kwargs)
    qtbot.addWidget(entry)
    entry.show()
    qtbot.waitExposed(entry)
    return entry


def test_it_starts_empty_and_says_the_date_in_words_as_you_type(qtbot):
    entry = _entry(
        qtbot, accessible_name="Date of birth, required", required=True, today=TODAY, past_only=True
    )
    assert entry.text() == ""
    assert entry.edit.placeholderText() == "e.g. 14/03/2015"
    assert entry.edit.accessibleName() == "Date of birth, required"
    assert entry.date() is None and not entry.is_valid()
    assert entry.problem() == "Enter the date, e.g. 14/03/2015."
    seen: list[object] = []
    entry.changed.connect(seen.append)
    qtbot.keyClicks(entry.edit, "14/3/15")
    assert entry.date() == date(2015, 3, 14)
    assert entry.words.text() == "Saturday 14 March 2015"
    assert entry.words.objectName() == "hint"
    assert entry.edit.accessibleDescription() == "Saturday 14 March 2015"  # a screen reader hears it too
    assert seen[-1] == date(2015, 3, 14)
    qtbot.keyClick(entry.edit, Qt.Key.Key_Backspace)  # "14/3/1": the words follow at once
    assert entry.words.text() == "“14/3/1”: write the year in full, e.g. 2015, or as two figures, e.g. 15."
    assert entry.words.objectName() == "error"
    assert seen[-1] is None


def test_a_wrong_date_shows_why_in_the_error_style(qtbot):
    entry = _entry(qtbot, today=TODAY, past_only=True)
    qtbot.keyClicks(entry.edit, "31/02/2015")
    assert entry.date() is None and not entry.is_valid()
    assert entry.words.text() == "31/02/2015 is not a date: February 2015 has 28 days."
    assert entry.words.objectName() == "error"
    entry.edit.clear()
    qtbot.keyClicks(entry.edit, "14/03/2030")
    assert "in the future" in entry.problem()


def test_an_optional_empty_field_is_valid_and_none(qtbot):
    entry = _entry(qtbot)
    assert entry.is_valid() and entry.date() is None and entry.checked_date() is None
    entry.set_date(date(2015, 3, 14))
    assert entry.text() == "14/03/2015" and entry.date() == date(2015, 3, 14)
    entry.set_date(None)
    assert entry.is_empty()


def test_the_calendar_opens_from_the_keyboard_and_enter_picks_the_day(qtbot):
    entry = _entry(qtbot, today=TODAY, past_only=True)
    entry.edit.setFocus()
    qtbot.keyClick(entry.edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert entry.popup is not None and entry.popup.isVisible()
    calendar = entry.popup.calendar
    assert calendar.selectedDate() == QDate(2026, 1, 5)
    assert calendar.maximumDate() == QDate(2026, 1, 5)  # past only: the calendar stops at today
    grid = calendar.findChild(QTableView)
    qtbot.keyClick(grid, Qt.Key.Key_Left)  # Sunday 4 January
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert not entry.popup.isVisible()
    assert entry.text() == "04/01/2026"
    assert entry.words.text() == "Sunday 4 January 2026"


def test_escape_closes_the_calendar_without_changing_the_date(qtbot):
    entry = _entry(qtbot, value=date(2015, 3, 14))
    qtbot.keyClick(entry.edit, Qt.Key.Key_F4)
    assert entry.popup is not None and entry.popup.isVisible()
    assert entry.popup.calendar.selectedDate() == QDate(2015, 3, 14)
    qtbot.keyClick(entry.popup, Qt.Key.Key_Escape)
    assert not entry.popup.isVisible()
    assert entry.date() == date(2015, 3, 14)


def test_a_date_time_entry_reads_uk_time_and_gives_utc(qtbot):
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    entry = DateTimeEntry(now=now, past_only=True, required=True)
    qtbot.addWidget(entry)
    qtbot.keyClicks(entry.edit, "14/6/25 3.30pm")
    assert entry.words.text() == "Saturday 14 June 2025 at 15:30"
    assert entry.instant() == datetime(2025, 6, 14, 14, 30, tzinfo=UTC)  # BST
    entry.edit.clear()
    qtbot.keyClicks(entry.edit, "29/03/2026 01:30")
    assert entry.instant() is None  # in the future, and a time the clocks skip
    entry.now = datetime(2027, 1, 1, tzinfo=UTC)
    entry.recheck()
    assert "the clocks went forward" in entry.problem()


# -- the child dialog: typed, saved, read back from the database ---------------------------------------------


def _child_dialog(qtbot, ctx, **kwargs) -> ChildDialog:
    dialog = ChildDialog(ctx, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _save(qtbot, dialog: ChildDialog) -> None:
    button = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _type_names(qtbot, dialog: ChildDialog) -> None:
    qtbot.keyClicks(dialog.given_names, "Zephyrine")
    qtbot.keyClicks(dialog.family_name, "Quillborough")


@pytest.mark.parametrize("typed", ACCEPTED)
def test_a_date_of_birth_typed_in_any_uk_form_is_stored_as_typed(qtbot, ctx, typed):
    dialog = _child_dialog(qtbot, ctx)
    assert dialog.date_of_birth.is_empty()  # no made-up date of birth to overwrite
    _type_names(qtbot, dialog)
    dialog.date_of_birth.setFocus()
    # Select-all then type: what turned 14/03/2015 into 1 March 2015 in the old date box.
    qtbot.keyClick(dialog.date_of_birth.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.date_of_birth.edit, typed)
    assert dialog.date_of_birth.words.text() == "Saturday 14 March 2015"
    _save(qtbot, dialog)
    assert dialog.result() == ChildDialog.DialogCode.Accepted
    [row] = list_children(ctx)
    assert get_child(ctx, row.id).details.date_of_birth == date(2015, 3, 14)


def test_correcting_a_stored_date_of_birth_by_retyping_it(qtbot, ctx):
    child = add_child_born(ctx, date(2018, 12, 1))
    dialog = _child_dialog(qtbot, ctx, existing=get_child(ctx, child))
    assert dialog.date_of_birth.text() == "01/12/2018"
    dialog.date_of_birth.setFocus()
    qtbot.keyClick(dialog.date_of_birth.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.date_of_birth.edit, "14/03/2015")
    _save(qtbot, dialog)
    assert get_child(ctx, child).details.date_of_birth == date(2015, 3, 14)


def add_child_born(ctx, born: date) -> int:
    from dataclasses import replace

    from dsl_desk.services.people.children import add_child

    return add_child(ctx, replace(fictional_child("Amir", "Haddad"), date_of_birth=born)).id


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("banana", "“banana” is not a date"),
        ("31/02/2015", "31/02/2015 is not a date: February 2015 has 28 days."),
        ("03/14/2015", "there is no month 14"),
        ("14/03/2030", "Thursday 14 March 2030 is in the future."),
        ("", "Enter the child's date of birth, e.g. 14/03/2015."),
    ],
)
def test_a_date_of_birth_that_is_not_one_is_refused_and_nothing_is_saved(qtbot, ctx, typed, message):
    dialog = _child_dialog(qtbot, ctx)
    _type_names(qtbot, dialog)
    qtbot.keyClicks(dialog.date_of_birth.edit, typed)
    _save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error.isVisible()
    assert message in dialog.error.text()
    assert dialog.focusWidget() is dialog.date_of_birth.edit  # the cursor goes where the problem is
    assert dialog.date_of_birth.text() == typed  # what was typed is still there to correct
    assert dialog.given_names.text() == "Zephyrine"
    assert list_children(ctx) == []


def test_missing_names_are_still_reported_first(qtbot, ctx):
    dialog = _child_dialog(qtbot, ctx)
    qtbot.keyClicks(dialog.family_name, "Nofirstname")
    _save(qtbot, dialog)
    assert "first name" in dialog.error.text()
    assert list_children(ctx) == []


# -- the log dialog: a typed time is stored in UTC ------------------------------------------------------------


def test_a_typed_uk_time_is_stored_as_the_right_instant(qtbot, ctx, child_id):
    dialog = LogEntryDialog(ctx, None, child_id=child_id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.occurred.edit.clear()
    qtbot.keyClicks(dialog.occurred.edit, "14/6/25 3.30pm")
    qtbot.keyClicks(dialog.summary, "Spoke to the social worker")
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    [entry] = list_entries(ctx, child_id)
    assert entry.occurred_at == datetime(2025, 6, 14, 14, 30, tzinfo=UTC)


def test_a_skipped_hour_is_refused_in_the_log_dialog(qtbot, ctx, child_id, clock):
    clock.set(datetime(2026, 4, 1, 9, 0, tzinfo=UTC))
    dialog = LogEntryDialog(ctx, None, child_id=child_id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.occurred.edit.clear()
    qtbot.keyClicks(dialog.occurred.edit, "29/3/26 1.30am")
    qtbot.keyClicks(dialog.summary, "Called in the night")
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert "did not happen in the UK" in dialog.error.text()
    assert list_entries(ctx, child_id) == []


# -- wizard drafts keep a date as typed -----------------------------------------------------------------------


def test_a_wizard_draft_keeps_a_date_entry_text_as_typed(qtbot, ctx):
    from dsl_desk.ui.escalations.drafts import NEW_ESCALATION, DraftingWizard

    wizard = DraftingWizard(ctx, NEW_ESCALATION, 0)
    qtbot.addWidget(wizard)
    born = DateEntry(wizard, today=TODAY, past_only=True)
    wizard.bind("born", born)
    qtbot.keyClicks(born.edit, "31/02/20")  # half-typed and wrong: kept as it is, to be finished later
    assert wizard.values()["born"] == "31/02/20"
    assert wizard.draft_timer.isActive()  # an edit starts the save
    again = DraftingWizard(ctx, NEW_ESCALATION, 0)
    qtbot.addWidget(again)
    born_again = DateEntry(again, today=TODAY, past_only=True)
    again.bind("born", born_again)
    again.restore({"born": "14/3/15"})
    assert born_again.date() == date(2015, 3, 14)
