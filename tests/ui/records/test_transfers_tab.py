"""Case transfer through the real widgets: the export dialog on the child's page, the Transfers tab, and the
import dialog at a second school — each against a real encrypted database."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog

from dsl_desk.services.people.children import list_children
from dsl_desk.services.records import transfers as tr
from dsl_desk.ui.people.children_page import ChildrenPage
from dsl_desk.ui.records.transfer_import_dialog import TransferImportDialog
from dsl_desk.ui.records.transfer_out_dialog import TransferOutDialog
from dsl_desk.ui.records.transfers_tab import TransfersTab
from dsl_desk.ui.signals import AppSignals
from tests.documents.forgery import home_made_identity, resign_transfer
from tests.services.transfer_world import receiving_school

PASSWORD_SHAPE = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$")


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.fixture
def oakfield(tmp_path, clock, packs):
    context = receiving_school(tmp_path / "oakfield", clock, packs)
    yield context
    if context.store.is_open:
        context.close()


def export_through_dialog(qtbot, ctx, child_id, folder, *, sent: bool) -> TransferOutDialog:
    signals = AppSignals()
    dialog = TransferOutDialog(ctx, signals, child_id, "Zephyrine Quillborough")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.school, "Oakfield Academy")
    qtbot.keyClicks(dialog.dsl, "Ruth Ndlovu")
    dialog.folder.setText(str(folder))
    with qtbot.waitSignal(signals.changed, timeout=30_000):
        click(qtbot, dialog.make_button)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=5_000)
    if sent:
        click(qtbot, dialog.sent_button)
    else:
        click(qtbot, dialog.later_button)
    return dialog


def test_export_dialog_makes_the_files_and_shows_the_password_once(qtbot, ctx, child_id, tmp_path):
    dialog = export_through_dialog(qtbot, ctx, child_id, tmp_path / "outbox", sent=True)
    exported = dialog.exported
    assert exported is not None
    assert PASSWORD_SHAPE.match(dialog.password.text()) and dialog.password.text() == exported.password
    assert "Telephone Ruth Ndlovu at Oakfield Academy" in dialog.instruction.text()
    assert "Never write it in the email" in dialog.instruction.text()
    assert exported.bundle_path.exists() and exported.summary_path.exists()
    [row] = tr.list_transfers(ctx)
    assert (row.status, row.other_school, row.method) == (
        "sent",
        "Oakfield Academy",
        "Secure email (encrypted)",
    )
    assert row.receipt_due_on is not None


def test_export_dialog_refuses_a_missing_school_and_writes_nothing(qtbot, ctx, child_id, tmp_path):
    dialog = TransferOutDialog(ctx, AppSignals(), child_id, "Zephyrine Quillborough")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.folder.setText(str(tmp_path / "outbox"))
    click(qtbot, dialog.make_button)
    assert dialog.error.isVisible() and "school the child is moving to" in dialog.error.text()
    assert dialog.pages.currentIndex() == 0
    assert not (tmp_path / "outbox").exists()
    assert tr.list_transfers(ctx) == []


def test_the_childs_page_offers_the_transfer(qtbot, ctx, child_id, monkeypatch):
    opened = []
    monkeypatch.setattr(TransferOutDialog, "exec", lambda self: opened.append(self.child_id) or 0)
    page = ChildrenPage(ctx, AppSignals())
    qtbot.addWidget(page)
    page.show()
    button = page.detail.transfer_button
    assert not button.isEnabled()  # no child chosen yet
    page.show_child(child_id)
    click(qtbot, button)
    assert opened == [child_id]


def test_transfers_tab_chases_and_records_the_receipt(qtbot, ctx, child_id, clock, tmp_path, monkeypatch):
    export_through_dialog(qtbot, ctx, child_id, tmp_path / "outbox", sent=True)
    tab = TransfersTab(ctx, AppSignals())
    qtbot.addWidget(tab)
    tab.show()
    [row] = tab.model.rows
    assert row.receipt_words == "due Mon 12 Jan"
    columns = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    assert columns[0] == "Direction"
    keep = tab.model.data(tab.model.index(0, columns.index("Keep our copy until")))
    assert keep == "Tue 5 Jan 2027"  # in words, like the dates beside it (a year after Mon 5 Jan 2026)
    tab.select(row.id)
    assert not tab.sent_button.isEnabled()  # already sent
    clock.advance(timedelta(days=8))  # Tue 13 Jan: overdue
    tab.refresh()
    assert tab.model.rows[0].status_words == "No receipt: overdue"
    click(qtbot, tab.chase_button)
    chase = tab.chase_text.toPlainText()
    assert tab.chase_text.isVisible() and "Oakfield Academy" in chase
    assert "Zephyrine" not in chase and "Quillborough" not in chase
    assert QApplication.clipboard().text() == chase
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *args, **kwargs: ("Ruth Ndlovu", True)))
    click(qtbot, tab.receipt_button)
    assert tab.model.rows[0].status_words == "Receipt confirmed by Ruth Ndlovu"
    assert tr.records_due(ctx) == []
    assert not tab.receipt_button.isEnabled() and not tab.cancel_button.isEnabled()


def test_transfers_tab_marks_sent_and_cancels_with_a_reason(qtbot, ctx, child_id, tmp_path, monkeypatch):
    export_through_dialog(qtbot, ctx, child_id, tmp_path / "outbox", sent=False)
    tab = TransfersTab(ctx, AppSignals())
    qtbot.addWidget(tab)
    tab.show()
    tab.select(tab.model.rows[0].id)
    assert tab.model.rows[0].status == "prepared"
    assert not tab.receipt_button.isEnabled()
    click(qtbot, tab.sent_button)
    assert tab.model.rows[0].status == "sent" and "Marked as sent" in tab.message.text()
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *args, **kwargs: ("  ", True)))
    click(qtbot, tab.cancel_button)
    assert "Say why" in tab.message.text() and tab.model.rows[0].status == "sent"
    monkeypatch.setattr(
        QInputDialog, "getText", staticmethod(lambda *args, **kwargs: ("Place fell through", True))
    )
    click(qtbot, tab.cancel_button)
    assert tab.model.rows[0].status == "cancelled"


def test_import_dialog_checks_then_imports_at_the_receiving_school(qtbot, ctx, child_id, oakfield, tmp_path):
    exported = export_through_dialog(qtbot, ctx, child_id, tmp_path / "outbox", sent=True).exported
    signals = AppSignals()
    dialog = TransferImportDialog(oakfield, signals)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.file.setText(str(exported.bundle_path))
    assert not dialog.import_button.isEnabled()
    # A wrong password: refused plainly, nothing imported.
    qtbot.keyClicks(dialog.password, "AAAA-BBBB-CCCC-DDDD")
    click(qtbot, dialog.check_button)
    qtbot.waitUntil(dialog.error.isVisible, timeout=10_000)
    assert "password is not right" in dialog.error.text()
    assert not dialog.import_button.isEnabled()
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, exported.password.lower().replace("-", " "))  # as typed from a call
    click(qtbot, dialog.check_button)
    qtbot.waitUntil(dialog.confirm_box.isVisible, timeout=10_000)
    details = dialog.details.text()
    assert "Zephyrine Quillborough" in details and "Penkford School" in details
    assert exported.fingerprint in details and "No certificate authority" in details
    assert "UNKNOWN to this desk" in details
    # The signer is unknown here: nothing can be imported until the fingerprint read out by phone is typed.
    assert not dialog.import_button.isEnabled()
    qtbot.keyClicks(dialog.fingerprint, "12" * 32)
    assert "does NOT match" in dialog.fingerprint_state.text()
    assert not dialog.import_button.isEnabled()
    dialog.fingerprint.clear()
    qtbot.keyClicks(dialog.fingerprint, exported.fingerprint.replace(":", " ").lower())
    assert "matches" in dialog.fingerprint_state.text()
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(signals.changed, timeout=10_000):
        click(qtbot, dialog.import_button)
    assert dialog.imported is not None
    assert "is now on your desk" in dialog.details.text()
    assert [c.name for c in list_children(oakfield)] == ["Zephyrine Quillborough"]
    # The same file again is refused, naming the child already imported.
    again = TransferImportDialog(oakfield, AppSignals())
    qtbot.addWidget(again)
    again.show()
    again.file.setText(str(exported.bundle_path))
    again.password.setText(exported.password)
    click(qtbot, again.check_button)
    qtbot.waitUntil(again.error.isVisible, timeout=10_000)
    assert "already imported" in again.error.text()
    assert not again.import_button.isEnabled()
    assert not again.confirm_box.isVisible()
    assert "known to this desk (trusted on" in again.details.text()  # confirmed once: known from now on
    tab = TransfersTab(oakfield, AppSignals())
    qtbot.addWidget(tab)
    [row] = tab.model.rows
    assert (row.direction, row.status_words, row.other_school) == (
        "in",
        "Received and imported",
        "Penkford School",
    )


def test_a_re_signed_transfer_file_cannot_be_imported_with_the_sending_dsls_fingerprint(
    qtbot, ctx, child_id, oakfield, tmp_path
):
    exported = export_through_dialog(qtbot, ctx, child_id, tmp_path / "outbox", sent=True).exported
    forger = home_made_identity("Jane Smith", "Penkford School")
    forged = tmp_path / "forged.dsltransfer"
    from dsl_desk.services.log.discussion_log import NewEntry, log_discussion

    log_discussion(ctx, NewEntry(child_id=child_id, occurred_at=ctx.clock.now(), method="telephone",
                                 summary="Bruising seen; referral made."))  # fmt: skip
    again = tr.export_bundle(ctx, child_id, tr.Destination("Oakfield Academy"), tmp_path / "o2")
    forged.write_bytes(
        resign_transfer(again.bundle_path.read_bytes(), again.password, forger, "All is well.")
    )
    dialog = TransferImportDialog(oakfield, AppSignals())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.file.setText(str(forged))
    dialog.password.setText(again.password)
    click(qtbot, dialog.check_button)
    qtbot.waitUntil(dialog.confirm_box.isVisible, timeout=30_000)
    assert "Jane Smith" in dialog.details.text() and forger.fingerprint in dialog.details.text()
    # The real Jane Smith reads out HER fingerprint on the phone: it does not match the file's.
    qtbot.keyClicks(dialog.fingerprint, exported.fingerprint)
    assert "does NOT match" in dialog.fingerprint_state.text()
    assert not dialog.import_button.isEnabled()
    dialog.import_file()  # even called directly, nothing happens
    assert dialog.imported is None and list_children(oakfield) == []
