"""The Forms & reports page, driven through its widgets against a real encrypted database."""

from __future__ import annotations

import email
import tempfile
from email import policy
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog
from sqlalchemy import select

from dsl_desk.services.desk.setup import lock
from dsl_desk.services.paperwork.form_values import form_values
from dsl_desk.store.models import AuditEvent, DocumentRecord
from dsl_desk.ui.paperwork import forms_page
from dsl_desk.ui.paperwork.forms_page import EmailChoice, EmailDialog, FormsPage
from dsl_desk.ui.signals import AppSignals
from tests.services.escalation_walk import OTHER_AGENCY, walk

NOTICE = "st_helens_escalation_notice"


@pytest.fixture
def page(qtbot, ctx, clock, child_id) -> FormsPage:
    escalation_id = walk(ctx, clock, child_id, escalations=1)
    widget = FormsPage(ctx, AppSignals())
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    widget.show_escalation_forms(escalation_id)
    widget.show_form(NOTICE)
    return widget


@pytest.fixture
def system_temp(tmp_path, monkeypatch) -> Path:
    """An empty stand-in for the system temp folder (Python, Qt and the CUPS spool honour TMPDIR)."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)
    return folder


def _text(data_or_path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(data_or_path).pages)


def _records(ctx) -> list[DocumentRecord]:
    with ctx.store.session() as session:
        return list(session.scalars(select(DocumentRecord)))


def test_form_opens_filled_from_the_escalation(page):
    assert page.form_combo.currentText() == "Escalation Notice"
    assert [page.form_combo.itemText(i) for i in range(page.form_combo.count())] == [
        "Escalation Notice",
        "Escalation Resolution Template",
        "Record of Professional Disagreement and Escalation",
    ]
    editor = page.editor
    assert editor.inputs["child_name"].value() == "Zephyrine Quillborough"
    assert editor.inputs["child_dob"].value() == "14 March 2015"
    assert editor.inputs["agency_receiving"].value() == OTHER_AGENCY
    assert editor.typed() == {}


def test_edit_a_box_and_save_as_pdf(page, qtbot, ctx, tmp_path, monkeypatch, finish_operations):
    out = tmp_path / "notice.pdf"
    asked: list[str] = []

    def fake_save(_parent, _title, start, _filter):
        asked.append(start)
        return str(out), "PDF (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_save))
    box = page.editor.inputs["agency_receiving"].widget
    box.clear()
    qtbot.keyClicks(box, "Assessment Team")
    qtbot.mouseClick(page.buttons["save"], Qt.MouseButton.LeftButton)
    finish_operations()

    assert Path(asked[0]).name == "ESC-2026-0001_ZQ_st_helens_escalation_notice.pdf"  # no child's name
    text = _text(out)
    assert "Assessment Team" in text
    assert "Zephyrine Quillborough" in text
    [record] = _records(ctx)
    assert (record.action, record.form_id, record.signed, record.file_name) == (
        "export",
        NOTICE,
        True,
        "notice.pdf",
    )
    assert "Saved" in page.status.text()
    # What was typed is kept as a draft for this escalation and form.
    assert form_values(ctx, page.escalation_id, NOTICE).typed == {"agency_receiving": "Assessment Team"}


def test_typed_values_come_back_when_the_form_is_opened_again(page, qtbot, ctx):
    page.editor.set_text("lessons_learnt", "Chwarae teg — a home visit first.")  # non-ASCII: set, not typed
    page.show_form("st_helens_resolution_template")  # switching forms saves the draft
    page.show_form(NOTICE)
    assert page.editor.inputs["lessons_learnt"].value() == "Chwarae teg — a home visit first."


def test_preview_draws_off_the_gui_thread_and_records_nothing(page, qtbot, ctx, system_temp, data_paths):
    qtbot.mouseClick(page.buttons["preview"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.preview_document.pageCount() == 1, timeout=20000)
    assert "not saved anywhere" in page.preview_hint.text()
    assert _records(ctx) == []
    assert list(system_temp.iterdir()) == []  # drawn in memory: no file anywhere
    assert not data_paths.private_temp.exists() or list(data_paths.private_temp.iterdir()) == []


def test_email_writes_a_draft_opens_it_and_fills_the_copy_date(
    page, qtbot, ctx, monkeypatch, data_paths, system_temp, finish_operations
):
    opened = []
    monkeypatch.setattr(
        EmailDialog, "ask", staticmethod(lambda _r, _p=None: EmailChoice("ABCD-EFGH-JKMN-PQRT"))
    )
    monkeypatch.setattr(
        forms_page.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True
    )
    qtbot.mouseClick(page.buttons["email"], Qt.MouseButton.LeftButton)
    finish_operations()
    [path] = list(data_paths.private_temp.glob("*.eml"))  # the private folder, emptied at lock
    assert opened == [str(path)]
    assert page.status.text().startswith("Email draft handed to your mail program")
    assert not page.open_folder_button.isVisible()
    assert "Zephyrine" not in path.name and "Quillborough" not in path.name
    assert "removed when the desk locks" in page.status.text()
    assert list(system_temp.iterdir()) == []
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert "Zephyrine" not in message["Subject"]
    assert page.editor.inputs["copy_to_lscb_date"].value() == "5 January 2026"
    with ctx.store.session() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "document_email")).one()
    lock(ctx)  # what every route to locking the desk calls
    assert list(data_paths.private_temp.iterdir()) == []


def test_when_no_mail_program_opens_the_draft_the_page_says_so_and_where_it_is(
    page, qtbot, monkeypatch, data_paths, system_temp, finish_operations
):
    opened = []
    monkeypatch.setattr(
        EmailDialog, "ask", staticmethod(lambda _r, _p=None: EmailChoice("ABCD-EFGH-JKMN-PQRT"))
    )

    def no_mail_program(url):
        opened.append(url.toLocalFile())
        return False

    monkeypatch.setattr(forms_page.QDesktopServices, "openUrl", no_mail_program)
    qtbot.mouseClick(page.buttons["email"], Qt.MouseButton.LeftButton)
    finish_operations()
    [path] = list(data_paths.private_temp.glob("*.eml"))
    assert page.status.text().startswith("No mail program opened the draft.")
    assert str(path) in page.status.text()
    assert "opened in your mail program" not in page.status.text()
    assert page.open_folder_button.isVisible()
    qtbot.mouseClick(page.open_folder_button, Qt.MouseButton.LeftButton)
    assert opened == [str(path), str(path.parent)]


def test_print_for_wet_signature(page, qtbot, ctx, tmp_path, monkeypatch, system_temp, finish_operations):
    out = tmp_path / "printed.pdf"

    def fake_exec(dialog):
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", fake_exec)
    qtbot.mouseClick(page.buttons["wet"], Qt.MouseButton.LeftButton)
    finish_operations()
    assert out.exists()
    assert len(PdfReader(out).pages) == 1
    [record] = _records(ctx)
    assert (record.action, record.signed) == ("print", False)
    assert "wet signature" in page.status.text()
    assert list(system_temp.iterdir()) == []


def test_printing_says_how_many_pages_with_no_space_before_the_full_stop(
    page, qtbot, tmp_path, monkeypatch, system_temp
):
    """It said "Sent 1 page to the printer ." when the copy was not for a wet signature."""

    def fake_exec(dialog):
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "printed.pdf"))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", fake_exec)
    plain = "Sent 1 page to the printer. Recorded on the escalation."
    qtbot.keyClick(page.buttons["print"], Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: page.status.text() == plain, timeout=30_000)  # printing runs off the GUI thread
    wet = "Sent 1 page to the printer for a wet signature. Recorded on the escalation."
    qtbot.keyClick(page.buttons["wet"], Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: page.status.text() == wet, timeout=30_000)
    assert (
        forms_page.printed_words(3, wet=False) == "Sent 3 pages to the printer. Recorded on the escalation."
    )


def test_email_dialog_shows_a_password_to_phone(qtbot, tmp_path, ctx):
    from dsl_desk.services.paperwork.exports import Recipient

    dialog = EmailDialog(Recipient("Medway Safeguarding Children Partnership", "mscp@medway.gov.uk", ""))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.password in dialog.password_label.text()
    assert "never send it by email" in dialog.instruction.text()
    assert "removes its copy of the draft when the desk locks" in dialog.temporary_note.text()
    assert dialog.choice() == EmailChoice(dialog.password)
    qtbot.mouseClick(dialog.encrypt, Qt.MouseButton.LeftButton)
    assert dialog.choice().password is None
    assert not dialog.password_label.isVisible()


def test_choice_with_an_ampersand_keeps_its_words(page):
    page.show_form("st_helens_resolution_template")
    box = page.editor.inputs["main_reason"]
    box.set_value("Communication; Roles & Responsibilities")
    assert box.value() == "Communication; Roles & Responsibilities"
    assert [b.text() for b in box.boxes][-1] == "Roles && Responsibilities"  # shown as one "&"
    assert page.editor.typed() == {"main_reason": "Communication; Roles & Responsibilities"}
