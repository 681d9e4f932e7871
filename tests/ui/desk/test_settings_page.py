"""Settings, driven through its real fields, buttons and dialogs, checked against the encrypted database."""

from __future__ import annotations

import math
from datetime import date, time

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDateTimeEdit, QDialogButtonBox

from dsl_desk.services.calendar import working_calendar
from dsl_desk.services.desk.closures import add_closure_day
from dsl_desk.services.desk.profile import get_profile
from dsl_desk.services.desk.setup import NewUser, sign_in
from dsl_desk.services.desk.users import add_deputy, list_users, signature_of
from dsl_desk.store.errors import WrongPassphrase
from dsl_desk.ui.desk.settings_dialogs import AddDeputyDialog, ChangePassphraseDialog, SignatureDialog
from dsl_desk.ui.desk.settings_page import SettingsPage
from dsl_desk.ui.signals import AppSignals, Changed
from tests.conftest import FAST_KDF, PASSPHRASE

OK = QDialogButtonBox.StandardButton.Ok
NEW_PASSPHRASE = "green kettle morning stars"
DEPUTY_PASSPHRASE = "lantern orchard pebble violin"


@pytest.fixture
def signals() -> AppSignals:
    return AppSignals()


@pytest.fixture
def page(qtbot, ctx, signals) -> SettingsPage:
    widget = SettingsPage(ctx, signals, kdf=FAST_KDF)
    qtbot.addWidget(widget)
    widget.resize(1080, 740)
    widget.show()
    return widget


def type_into(qtbot, widget, text: str) -> None:
    """Replace a field's text by typing, as a user who tabs into it (Tab selects what is there)."""
    widget.setFocus()
    if isinstance(widget, QDateTimeEdit):
        widget.setSelectedSection(widget.sectionAt(0))
    else:
        widget.selectAll()
    qtbot.keyClicks(widget, text)


def click_ok(qtbot, buttons: QDialogButtonBox) -> None:
    qtbot.mouseClick(buttons.button(OK), Qt.MouseButton.LeftButton)


def fill_deputy(
    qtbot, dialog: AddDeputyDialog, *, name: str = "Sam Patel", again: str = DEPUTY_PASSPHRASE
) -> None:
    type_into(qtbot, dialog.name_edit, name)
    type_into(qtbot, dialog.first_edit, DEPUTY_PASSPHRASE)
    type_into(qtbot, dialog.second_edit, again)


# -- what it shows -----------------------------------------------------------------------------------------------


def test_the_page_shows_the_organisation(page, packs):
    labels = page.profile_labels
    assert labels["name"].text() == "Penkford School"
    assert labels["partnership"].text() == packs["st_helens"].name
    assert labels["nation"].text() == "England"
    assert labels["hours"].text() == "08:00–17:00"
    assert page.cutoff_edit.time().toString("HH:mm") == "17:00"
    assert page.idle_spin.value() == 10
    assert page.users_model.rowCount() == 1
    assert "No signature yet" in page.signature_view.text()
    assert page.closures_empty.isVisible()


def test_the_policies_section_lists_packs_and_load_errors(qtbot, ctx, signals, packs):
    ctx.store.paths.policies.mkdir(parents=True, exist_ok=True)
    (ctx.store.paths.policies / "our_partnership.toml").write_text("[pack\nid = 1\n")
    page = SettingsPage(ctx, signals, kdf=FAST_KDF)
    qtbot.addWidget(page)
    page.show()
    for pack in packs.values():
        assert pack.name in page.policies_label.text()
    assert "(yours)" in page.policies_label.text()
    assert page.policy_errors.isVisible()
    assert "our_partnership.toml" in page.policy_errors.text()
    assert str(ctx.store.paths.policies) in page.policies_hint.text()


def test_on_changed_refreshes_the_lists(page, ctx):
    add_deputy(ctx, NewUser("sam.patel", "Sam Patel", "Deputy DSL", DEPUTY_PASSPHRASE), kdf=FAST_KDF)
    page.on_changed(Changed(children=True))
    assert page.users_model.rowCount() == 1  # not a settings change: nothing to reload
    page.on_changed(Changed(settings=True))
    assert page.users_model.rowCount() == 2


# -- organisation and working day ----------------------------------------------------------------------------------


def test_a_new_cut_off_is_saved(qtbot, page, ctx, signals):
    type_into(qtbot, page.cutoff_edit, "16:00")
    type_into(qtbot, page.idle_spin, "20")
    with qtbot.waitSignal(signals.changed, timeout=1000) as emitted:
        qtbot.mouseClick(page.hours_button, Qt.MouseButton.LeftButton)
    assert emitted.args[0].settings
    profile = get_profile(ctx)
    assert profile.cutoff == time(16, 0)
    assert profile.idle_lock_minutes == 20
    assert page.hours_message.isVisible()
    assert page.hours_message.text() == "Saved."


def test_a_cut_off_after_the_working_day_is_refused_inline(qtbot, page, ctx):
    type_into(qtbot, page.cutoff_edit, "18:00")
    qtbot.mouseClick(page.hours_button, Qt.MouseButton.LeftButton)
    assert page.hours_message.isVisible()
    assert "cut-off" in page.hours_message.text()
    assert get_profile(ctx).cutoff == time(17, 0)


# -- closure days ------------------------------------------------------------------------------------------------


def test_adding_a_closure_day_makes_it_a_non_working_day(qtbot, page, ctx):
    inset = date(2026, 2, 16)  # a Monday
    assert working_calendar(ctx).is_working_day(inset)
    type_into(qtbot, page.closure_date.edit, "16/02/2026")
    assert "Monday 16 February 2026" in page.closure_date.words.text()
    type_into(qtbot, page.closure_reason, "INSET day")
    qtbot.mouseClick(page.closure_button, Qt.MouseButton.LeftButton)
    assert not working_calendar(ctx).is_working_day(inset)
    assert page.closures_model.rowCount() == 1
    row = page.closures_model.row_at(0)
    assert (row.day, row.reason, row.added_by) == (inset, "INSET day", "Jane Smith")
    assert page.closures_view.isVisible()
    assert not page.closures_empty.isVisible()
    assert page.closure_reason.text() == ""
    assert "Monday 16 February 2026" in page.closure_message.text()


def test_a_weekend_or_repeated_closure_day_is_refused_inline(qtbot, page, ctx):
    type_into(qtbot, page.closure_date.edit, "14/02/2026")  # a Saturday
    qtbot.mouseClick(page.closure_button, Qt.MouseButton.LeftButton)
    assert "weekend" in page.closure_message.text()
    add_closure_day(ctx, date(2026, 2, 16), "INSET day")
    type_into(qtbot, page.closure_date.edit, "16/02/2026")
    qtbot.mouseClick(page.closure_button, Qt.MouseButton.LeftButton)
    assert "already a closure day" in page.closure_message.text()


def test_a_bank_holiday_is_refused_as_a_closure_day(qtbot, page):
    type_into(qtbot, page.closure_date.edit, "25/12/2026")
    qtbot.mouseClick(page.closure_button, Qt.MouseButton.LeftButton)
    assert "bank holiday" in page.closure_message.text()


def test_a_holiday_is_added_as_one_closure_and_removed_again(qtbot, page, ctx):
    type_into(qtbot, page.closure_date.edit, "23/7/26")
    type_into(qtbot, page.closure_last.edit, "2/9/26")
    type_into(qtbot, page.closure_reason, "Summer holiday")
    qtbot.mouseClick(page.closure_button, Qt.MouseButton.LeftButton)
    assert page.closures_model.rowCount() == 1
    assert "to Wednesday 2 September 2026" in page.closure_message.text()
    assert not working_calendar(ctx).is_working_day(date(2026, 8, 12))
    page.closures_view.selectRow(0)
    qtbot.mouseClick(page.remove_closure_button, Qt.MouseButton.LeftButton)
    assert "working day again" in page.closure_message.text()
    assert working_calendar(ctx).is_working_day(date(2026, 8, 12))


def test_a_closure_that_ends_before_it_starts_is_refused(qtbot, page, ctx):
    type_into(qtbot, page.closure_date.edit, "10/9/26")
    type_into(qtbot, page.closure_last.edit, "9/9/26")
    qtbot.mouseClick(page.closure_button, Qt.MouseButton.LeftButton)
    assert "before its first day" in page.closure_message.text()
    assert page.closures_model.rowCount() == 0


# -- accounts ----------------------------------------------------------------------------------------------------


def test_add_a_deputy_through_the_page_then_sign_in_as_them(qtbot, page, ctx, data_paths, clock, packs):
    seen: list[object] = []

    def fill_and_ok() -> None:
        dialog = QApplication.activeModalWidget()
        seen.append(dialog)
        try:
            assert isinstance(dialog, AddDeputyDialog)
            fill_deputy(qtbot, dialog)
            assert dialog.username_edit.text() == "sam.patel"
            assert dialog.role_edit.text() == "Deputy Designated Safeguarding Lead"
            click_ok(qtbot, dialog.buttons)
        finally:
            if dialog is not None and dialog.isVisible():
                dialog.reject()  # never leave a modal dialog blocking the test

    QTimer.singleShot(0, fill_and_ok)
    qtbot.mouseClick(page.add_deputy_button, Qt.MouseButton.LeftButton)
    assert seen and isinstance(seen[0], AddDeputyDialog)
    assert page.users_model.rowCount() == 2
    assert "Sam Patel can now unlock" in page.accounts_message.text()

    ctx.close()
    deputy = sign_in(data_paths, "sam.patel", DEPUTY_PASSPHRASE, clock=clock, packs=packs)
    try:
        assert deputy.actor.display_name == "Sam Patel"
        assert deputy.actor.role == "Deputy Designated Safeguarding Lead"
        assert {u.username for u in list_users(deputy)} == {"j.smith", "sam.patel"}
    finally:
        deputy.close()


def test_the_deputy_dialog_keeps_typing_and_says_what_is_wrong(qtbot, ctx):
    dialog = AddDeputyDialog(ctx, kdf=FAST_KDF)
    qtbot.addWidget(dialog)
    dialog.show()
    fill_deputy(qtbot, dialog, again="something else entirely")
    click_ok(qtbot, dialog.buttons)
    assert dialog.isVisible()
    assert dialog.second_error.isVisible()
    assert "different" in dialog.second_error.text()

    type_into(qtbot, dialog.second_edit, DEPUTY_PASSPHRASE)
    type_into(qtbot, dialog.username_edit, "j.smith")  # already taken by the DSL
    click_ok(qtbot, dialog.buttons)
    assert dialog.isVisible()
    assert dialog.username_error.isVisible()
    assert "already an account" in dialog.username_error.text()
    assert dialog.name_edit.text() == "Sam Patel"  # nothing typed is lost
    assert len(list_users(ctx)) == 1


def test_change_my_passphrase(qtbot, ctx, data_paths, clock, packs):
    dialog = ChangePassphraseDialog(ctx, kdf=FAST_KDF)
    qtbot.addWidget(dialog)
    dialog.show()
    type_into(qtbot, dialog.old_edit, "not my passphrase")
    type_into(qtbot, dialog.new_edit, NEW_PASSPHRASE)
    type_into(qtbot, dialog.again_edit, NEW_PASSPHRASE)
    buttons = dialog.findChild(QDialogButtonBox)
    click_ok(qtbot, buttons)
    assert dialog.isVisible()
    assert dialog.old_error.isVisible()
    assert "not your current passphrase" in dialog.old_error.text()

    type_into(qtbot, dialog.old_edit, PASSPHRASE)
    click_ok(qtbot, buttons)
    assert dialog.changed
    assert not dialog.isVisible()

    ctx.close()
    with pytest.raises(WrongPassphrase):
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock, packs=packs)
    again = sign_in(data_paths, "j.smith", NEW_PASSPHRASE, clock=clock, packs=packs)
    again.close()


def test_a_too_short_new_passphrase_is_refused(qtbot, ctx):
    dialog = ChangePassphraseDialog(ctx, kdf=FAST_KDF)
    qtbot.addWidget(dialog)
    dialog.show()
    type_into(qtbot, dialog.old_edit, PASSPHRASE)
    type_into(qtbot, dialog.new_edit, "short")
    type_into(qtbot, dialog.again_edit, "short")
    click_ok(qtbot, dialog.findChild(QDialogButtonBox))
    assert dialog.isVisible()
    assert "at least 10 characters" in dialog.new_error.text()


# -- my signature ------------------------------------------------------------------------------------------------


def test_draw_a_new_signature(qtbot, ctx, page):
    dialog = SignatureDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok_button.isEnabled()  # nothing drawn yet
    canvas = dialog.pad.canvas
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(40, 80))
    for i in range(1, 40):
        QTest.mouseMove(canvas, QPoint(40 + i * 7, 80 + round(20 * math.sin(i / 3))))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(320, 80))
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.saved
    png = signature_of(ctx)
    assert png is not None
    assert png.startswith(b"\x89PNG")
    page.on_changed(Changed(settings=True))
    assert page.signature_view.pixmap() is not None
    assert not page.signature_view.pixmap().isNull()
