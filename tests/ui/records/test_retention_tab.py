"""The Retention review tab and its dialogs, driven through real widgets against a real encrypted database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from dsl_desk.services.people.children import add_child, list_children
from dsl_desk.services.records.retention_deletion import delete_record, list_deletions
from dsl_desk.services.records.retention_holds import list_holds, place_hold
from dsl_desk.ui.records.retention_delete import RetentionDeleteDialog
from dsl_desk.ui.records.retention_tab import KeepLongerDialog, RetentionTab
from dsl_desk.ui.signals import AppSignals, Changed
from tests.conftest import fictional_child
from tests.services.escalation_walk import walk

DAY_AFTER_25TH = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
NAME = "Zephyrine Quillborough"


@pytest.fixture
def signals() -> AppSignals:
    return AppSignals()


@pytest.fixture
def old_child(ctx, clock) -> int:
    child = add_child(ctx, replace(fictional_child(), date_of_birth=date(2001, 3, 14))).id
    add_child(ctx, replace(fictional_child("Amir", "Haddad"), parents_carers="Mr B Haddad"))
    clock.set(DAY_AFTER_25TH)
    return child


def make_tab(qtbot, ctx, signals) -> RetentionTab:
    tab = RetentionTab(ctx, signals)
    qtbot.addWidget(tab)
    tab.resize(1100, 760)
    tab.show()
    return tab


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def in_modal_dialog(qtbot, kind, act) -> list[object]:
    """Run `act(dialog)` on the modal dialog the next click opens; reject it later if it is still open."""
    seen: list[object] = []

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        seen.append(dialog)
        assert isinstance(dialog, kind)
        act(dialog)
        QTimer.singleShot(20_000, dialog, dialog.reject)  # never block the suite; dies with the dialog

    QTimer.singleShot(0, run)
    return seen


def test_shows_the_record_past_retention_with_what_would_go(qtbot, ctx, signals, old_child):
    tab = make_tab(qtbot, ctx, signals)
    assert tab.review_model.rowCount() == 1
    row = tab.review_model.row_at(0)
    assert (row.child_id, row.name) == (old_child, NAME)
    texts = [tab.review_model.index(0, column).data() for column in range(tab.review_model.columnCount())]
    assert texts == [
        NAME,
        "14/03/2001",
        "14/03/2026",
        "0 escalations, 0 log entries, 0 attachments",
        "Nothing",
    ]
    assert "25th birthday" in tab.intro.text()
    assert tab.review_view.isVisible()
    assert tab.holds_empty.isVisible()
    assert tab.deletions_empty.isVisible()
    assert not tab.delete_button.isEnabled()  # nothing selected yet
    assert tab.select_child(old_child)
    assert tab.delete_button.isEnabled()
    assert tab.keep_button.isEnabled()


def test_nothing_due_shows_an_empty_list(qtbot, ctx, signals, child_id):
    tab = make_tab(qtbot, ctx, signals)
    assert tab.review_model.rowCount() == 0
    assert tab.review_empty.isVisible()
    assert not tab.review_view.isVisible()


def test_an_open_escalation_shows_why_and_the_delete_button_stays_off(qtbot, ctx, clock, signals):
    child = add_child(ctx, replace(fictional_child(), date_of_birth=date(2001, 3, 14))).id
    walk(ctx, clock, child, escalations=0)
    clock.set(DAY_AFTER_25TH)
    tab = make_tab(qtbot, ctx, signals)
    tab.select_child(child)
    assert not tab.delete_button.isEnabled()
    assert "escalation is still open" in tab.delete_button.toolTip()
    dialog = RetentionDeleteDialog(ctx, child)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "cannot be deleted now" in dialog.message.text()
    assert not dialog.name_edit.isEnabled()
    assert not dialog.delete_button.isEnabled()


def test_keep_longer_through_the_dialog_then_lift_the_hold(qtbot, ctx, signals, old_child):
    tab = make_tab(qtbot, ctx, signals)
    tab.select_child(old_child)

    def fill(dialog: KeepLongerDialog) -> None:
        qtbot.keyClicks(dialog.reason_edit, "Inquiry asked that such records are kept")
        click(qtbot, dialog.ok_button)

    seen = in_modal_dialog(qtbot, KeepLongerDialog, fill)
    with qtbot.waitSignal(signals.changed, timeout=5000) as emitted:
        click(qtbot, tab.keep_button)
    assert seen
    assert emitted.args[0].records
    [hold] = list_holds(ctx)
    assert (hold.child_id, hold.reason, hold.review_on) == (
        old_child,
        "Inquiry asked that such records are kept",
        None,
    )
    assert tab.review_model.rowCount() == 0
    assert tab.holds_model.rowCount() == 1
    assert "kept longer" in tab.result_label.text()

    tab.holds_view.setCurrentIndex(tab.holds_proxy.index(0, 0))
    assert tab.lift_button.isEnabled()
    click(qtbot, tab.lift_button)
    assert list_holds(ctx) == []
    assert tab.review_model.rowCount() == 1
    assert "is lifted" in tab.result_label.text()


def test_the_hold_dialog_refuses_without_a_reason_and_stays_open(qtbot, ctx, signals, old_child):
    tab = make_tab(qtbot, ctx, signals)
    dialog = KeepLongerDialog(ctx, tab.review_model.row_at(0))
    qtbot.addWidget(dialog)
    dialog.show()
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible()
    assert dialog.message.isVisible()
    assert "Say why this record is to be kept longer" in dialog.message.text()
    dialog.review_check.setChecked(True)
    dialog.review_date.edit.clear()
    qtbot.keyClicks(dialog.review_date.edit, "1/3/2026")  # before the test clock's today
    qtbot.keyClicks(dialog.reason_edit, "Claim pending")
    click(qtbot, dialog.ok_button)
    assert "is not in the future" in dialog.message.text()
    assert list_holds(ctx) == []


def test_the_delete_dialog_says_what_goes_and_wants_the_full_name(qtbot, ctx, signals, old_child):
    dialog = RetentionDeleteDialog(ctx, old_child)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "1 child's details" in dialog.what_goes.text()
    assert "This cannot be undone" in dialog.warning.text()
    assert "Backups keep the record until they age out" in dialog.warning.text()
    assert not dialog.delete_button.isEnabled()
    qtbot.keyClicks(dialog.reason_edit, "Retention period ended")
    qtbot.keyClicks(dialog.name_edit, "Zephyrine Quilborough")  # one letter short
    assert not dialog.delete_button.isEnabled()
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "zephyrine quillborough")
    assert dialog.delete_button.isEnabled()
    dialog.reason_edit.clear()
    assert not dialog.delete_button.isEnabled()
    qtbot.keyClicks(dialog.reason_edit, "Quillborough retention ended")  # names the child: refused
    click(qtbot, dialog.delete_button)
    qtbot.waitUntil(dialog.reason_edit.isEnabled, timeout=10_000)
    assert "Leave the child's name out of the reason" in dialog.message.text()
    assert dialog.result is None
    assert [row.name for row in list_children(ctx)] == ["Amir Haddad", NAME]


def test_delete_a_record_from_the_tab(qtbot, ctx, signals, old_child):
    tab = make_tab(qtbot, ctx, signals)
    tab.select_child(old_child)

    def confirm(dialog: RetentionDeleteDialog) -> None:
        qtbot.keyClicks(dialog.reason_edit, "Retention period ended; reviewed by the DSL")
        qtbot.keyClicks(dialog.name_edit, NAME)
        click(qtbot, dialog.delete_button)

    seen = in_modal_dialog(qtbot, RetentionDeleteDialog, confirm)
    with qtbot.waitSignal(signals.changed, timeout=20_000) as emitted:
        click(qtbot, tab.delete_button)
    assert seen
    changed = emitted.args[0]
    assert changed.records
    assert changed.children
    assert [row.name for row in list_children(ctx)] == ["Amir Haddad"]
    [tombstone] = list_deletions(ctx)
    assert tombstone.former_child_id == old_child
    assert tab.review_model.rowCount() == 0
    assert tab.deletions_model.rowCount() == 1
    assert tab.deletions_model.index(0, 2).data() == "2001"
    assert NAME not in " ".join(
        str(tab.deletions_model.index(0, column).data())
        for column in range(tab.deletions_model.columnCount())
    )
    assert "The record was deleted" in tab.result_label.text()


def test_on_changed_refreshes(qtbot, ctx, signals, old_child):
    tab = make_tab(qtbot, ctx, signals)
    place_hold(ctx, old_child, "Inquiry", None)
    tab.on_changed(Changed(log=True))
    assert tab.review_model.rowCount() == 1  # not a change it shows: nothing reloaded
    tab.on_changed(Changed(records=True))
    assert tab.review_model.rowCount() == 0
    assert tab.holds_model.rowCount() == 1


def test_a_record_deleted_elsewhere_meanwhile_is_said_plainly(qtbot, ctx, signals, old_child):
    tab = make_tab(qtbot, ctx, signals)
    tab.select_child(old_child)
    delete_record(ctx, old_child, "Retention period ended", NAME)  # from the command line, say
    click(qtbot, tab.delete_button)
    assert "no child record number" in tab.result_label.text()
    assert tab.review_model.rowCount() == 0
