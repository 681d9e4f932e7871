"""The subject access tab and its dialogs, driven through real widgets against a real encrypted database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from dsl_desk.services.records.subject_access import get_request, list_requests
from dsl_desk.ui import theme
from dsl_desk.ui.people.children_page import ChildrenPage
from dsl_desk.ui.records import access_tab as records_access
from dsl_desk.ui.records.access_tab import SubjectAccessTab
from dsl_desk.ui.records.subject_access_new import NewRequestDialog
from dsl_desk.ui.records.subject_access_terms import RedactNamesDialog
from dsl_desk.ui.records.subject_access_withhold import WithholdDialog
from dsl_desk.ui.signals import AppSignals
from tests.services.subject_access_seed import SECRET_SUMMARY, THIRD_PARTY, seed


@pytest.fixture
def signals():
    return AppSignals()


@pytest.fixture
def tab(qtbot, ctx, signals):
    widget = SubjectAccessTab(ctx, signals)
    signals.changed.connect(widget.on_changed)  # as the main window wires every page
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _in_modal(expected: type, act) -> list[object]:
    """Run `act(dialog)` on the modal dialog the next click opens; never leave it blocking the test."""
    seen: list[object] = []

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        seen.append(dialog)
        try:
            assert isinstance(dialog, expected)
            act(dialog)
        finally:
            if dialog is not None and dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, run)
    return seen


def _click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_record_a_request_through_the_dialog(qtbot, tab, ctx, child_id):
    def fill(dialog: NewRequestDialog) -> None:
        qtbot.keyClicks(dialog.requester_name, "Ms A Quillborough")
        dialog.relationship.setCurrentText("Mother")
        dialog.received_on.edit.clear()
        qtbot.keyClicks(dialog.received_on.edit, "2 Jan 2026")
        _click(qtbot, dialog.save_button)

    seen = _in_modal(NewRequestDialog, fill)
    _click(qtbot, tab.new_button)
    assert seen
    [row] = list_requests(ctx)
    assert (row.relationship, str(row.received_on), str(row.due_on)) == ("Mother", "2026-01-02", "2026-02-02")
    assert tab.model.rowCount() == 1
    assert tab.detail is not None and tab.detail.request.id == row.id
    assert "Identity not yet confirmed" in tab.facts.text()


def test_the_dialog_keeps_what_was_typed_and_says_what_is_missing(qtbot, ctx, child_id):
    dialog = NewRequestDialog(ctx, child_id=child_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert (
        dialog.child_id.currentText() == "Zephyrine Quillborough (born 14 March 2015)"
    )  # as in the log dialog
    qtbot.keyClicks(dialog.requester_name, "Mr B Example")
    _click(qtbot, dialog.save_button)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert "who the requester is" in dialog.error.text()
    assert dialog.requester_name.text() == "Mr B Example"
    assert not dialog.child_id.isEnabled()  # opened from the child's page: the child is fixed
    assert list_requests(ctx) == []


def test_an_overdue_request_is_coloured_and_says_so(qtbot, ctx, child_id, clock, signals, tmp_path):
    seeded = seed(ctx, clock, child_id, tmp_path)
    clock.advance(timedelta(days=40))
    tab = SubjectAccessTab(ctx, signals)
    qtbot.addWidget(tab)
    index = tab.model.index(0, 4)
    assert "days ago" in tab.model.data(index)
    assert tab.model.data(index, Qt.ItemDataRole.ForegroundRole).color().name() == theme.OVERDUE
    tab.select(seeded.request_id)
    assert "This response is overdue." in tab.facts.text()


def test_withhold_redact_and_export_from_the_tab(
    qtbot, tab, ctx, child_id, clock, tmp_path, monkeypatch, finish_operations
):
    seeded = seed(ctx, clock, child_id, tmp_path)
    tab.refresh()
    tab.select(seeded.request_id)
    assert "withheld" in tab.preview_label.text()

    # Withhold the secret entry, with an exemption and a reason.
    row = next(
        r for r in range(tab.items.rowCount())
        if tab.items.row_at(r).item_type == "entry" and tab.items.row_at(r).item_id == seeded.secret_entry_id
    )  # fmt: skip
    tab.item_view.selectRow(row)
    assert tab.withhold_button.isEnabled() and not tab.disclose_button.isEnabled()

    def withhold(dialog: WithholdDialog) -> None:
        _click(qtbot, dialog.save_button)  # no reason yet: refused, still open
        assert "Say why" in dialog.error.text()
        dialog.exemption.setCurrentIndex(dialog.exemption.findData("child_abuse"))
        qtbot.keyClicks(dialog.reason, "Not in the child's best interests")
        _click(qtbot, dialog.save_button)

    assert _in_modal(WithholdDialog, withhold) is not None
    _click(qtbot, tab.withhold_button)
    detail = get_request(ctx, seeded.request_id)
    [decision] = detail.withheld
    assert (decision.item_id, decision.exemption_key, decision.silent) == (
        seeded.secret_entry_id,
        "child_abuse",
        False,
    )
    assert "1 withheld" in tab.preview_label.text()

    # Tick a suggested name to redact.
    def tick(dialog: RedactNamesDialog) -> None:
        names = [dialog.suggestions.item(i).text() for i in range(dialog.suggestions.count())]
        dialog.suggestions.item(names.index(THIRD_PARTY)).setCheckState(Qt.CheckState.Checked)
        _click(qtbot, dialog.save_button)

    _in_modal(RedactNamesDialog, tick)
    _click(qtbot, tab.add_terms_button)
    assert [d.term for d in get_request(ctx, seeded.request_id).terms] == [THIRD_PARTY]
    assert tab.terms.rowCount() == 1

    # Export to a folder chosen in the (stand-in) folder picker.
    out = tmp_path / "response"
    out.mkdir()
    monkeypatch.setattr(records_access, "choose_folder", lambda *_: str(out))
    _click(qtbot, tab.export_button)
    finish_operations()
    assert tab.last_export is not None
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(tab.last_export.response_pdf).pages).split())
    assert SECRET_SUMMARY not in text and THIRD_PARTY not in text
    assert "do not send it" in tab.preview_label.text()

    # Disclose the entry again: the decision is taken back, and kept in the log.
    tab.item_view.selectRow(row)
    assert tab.disclose_button.isEnabled()
    _click(qtbot, tab.disclose_button)
    detail = get_request(ctx, seeded.request_id)
    assert detail.withheld == () and len(detail.decisions) == 2


def test_the_childs_page_opens_a_request_for_that_child(qtbot, ctx, child_id, signals):
    page = ChildrenPage(ctx, signals)
    qtbot.addWidget(page)
    page.show_child(child_id)
    opened: list[tuple[str, int]] = []
    signals.open_records.connect(lambda tab_key, subject: opened.append((tab_key, subject)))

    def fill(dialog: NewRequestDialog) -> None:
        assert dialog.child_id.currentData() == child_id
        qtbot.keyClicks(dialog.requester_name, "Zephyrine Quillborough")
        dialog.relationship.setCurrentText("The child")
        dialog.identity.setChecked(True)
        _click(qtbot, dialog.save_button)

    seen = _in_modal(NewRequestDialog, fill)
    _click(qtbot, page.detail.access_button)
    assert seen
    [row] = list_requests(ctx)
    assert row.child_id == child_id and row.identity_confirmed
    assert opened == [("access", row.id)]
