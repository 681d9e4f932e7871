"""Forms & reports: fill in a partnership's form from the record, preview it, save, print or email it.

The page only gathers choices; the services render, sign, record and audit. Previews, exports, prints and email
drafts are made off the GUI thread (ui/operations.py: the first render of a session takes over a second) and
the result is shown when it is ready.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QRect,
    QSize,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import QDesktopServices, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import DeskError
from dsl_desk.services.escalations.reading import list_escalations
from dsl_desk.services.paperwork.email_drafts import new_document_password, recipient_for, write_email_draft
from dsl_desk.services.paperwork.exports import (
    Action,
    ExportResult,
    PreparedForm,
    Recipient,
    export_form,
    prepare_form,
    prepare_print,
    record_printed,
    suggested_file_name,
)
from dsl_desk.services.paperwork.form_values import form_values, forms_for, save_typed_values
from dsl_desk.ui.messages import show_error
from dsl_desk.ui.operations import run_operation
from dsl_desk.ui.paperwork.form_editor import FormEditor
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.translation import translate
from dsl_desk.ui.widgets.common import hint, page_title
from dsl_desk.ui.widgets.folders import in_documents

T = TypeVar("T")
_DRAFT_DELAY_MS = 700
_MAX_PRINT_DPI = 300  # enough for text on paper; a 600 dpi A4 image would take ~140 MB per page


def printed_words(pages: int, *, wet: bool) -> str:
    """ "Sent 1 page to the printer." — one page or several, and no space before the full stop when the copy
    is not for a wet signature (it said "Sent 1 page to the printer .")."""
    count = "1 page" if pages == 1 else f"{pages} pages"
    what = " for a wet signature" if wet else ""
    return f"Sent {count} to the printer{what}. Recorded on the escalation."


# --- printing --------------------------------------------------------------------------------------------------


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Draw each page of `pdf` onto `printer` (honouring a chosen page range); returns the pages printed.
    Qt allows painting on a QPrinter off the GUI thread, so this runs in the print operation's work."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    first, last = printer.fromPage(), printer.toPage()
    pages = range((first or 1) - 1, min(last or document.pageCount(), document.pageCount()))
    painter = QPainter()
    if not painter.begin(printer):
        raise DeskError(
            translate(
                "forms_page", "The printer could not be started. Check that it is switched on and try again."
            )
        )
    try:
        for position, index in enumerate(pages):
            if position:
                printer.newPage()
            _draw_page(painter, document, index, min(printer.resolution(), _MAX_PRINT_DPI))
    finally:
        painter.end()
    return len(pages)


def _draw_page(painter: QPainter, document: QPdfDocument, index: int, dpi: int) -> None:
    area = painter.viewport()
    points = document.pagePointSize(index)
    scale = min(area.width() / points.width(), area.height() / points.height())
    target = QRect(0, 0, int(points.width() * scale), int(points.height() * scale))
    image = document.render(index, QSize(int(points.width() * dpi / 72), int(points.height() * dpi / 72)))
    painter.drawImage(target, image)


# --- the email dialog ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailChoice:
    password: str | None


class EmailDialog(QDialog):
    """Whether to encrypt the PDF with a password to phone through. The draft itself is a temporary file in
    the private folder, removed when the desk locks or closes: the dialog says so before it is written."""

    def __init__(self, recipient: Recipient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Email to the partnership"))
        self.password = new_document_password()
        layout = QVBoxLayout(self)
        to = recipient.email or self.tr("no published address — add it in your mail program")
        layout.addWidget(
            QLabel(self.tr("To: {name} ({to})").format(name=recipient.name, to=to), wordWrap=True)
        )
        layout.addWidget(
            hint(self.tr("The subject and message give the case reference, never the child's name."))
        )
        self.encrypt = QCheckBox(self.tr("Encrypt the PDF with a password (recommended)"), checked=True)
        layout.addWidget(self.encrypt)
        self.password_label = QLabel(objectName="password")
        self.password_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.password_label.setText(
            f"<span style='font-family:monospace;font-size:14pt'>{self.password}</span>"
        )
        layout.addWidget(self.password_label)
        self.instruction = hint(
            self.tr(
                "Write this password down. Telephone it to the recipient after they have the email — never "
                "send it by email. Encryption replaces the digital signature; the printed signature stays."
            )
        )
        layout.addWidget(self.instruction)
        self.encrypt.toggled.connect(self._encrypt_toggled)
        self.temporary_note = hint(
            self.tr(
                "The draft opens in your mail program. Send it from there before you lock the desk: DSL Desk "
                "removes its copy of the draft when the desk locks or closes, so nothing readable is left "
                "on this computer. To keep a copy of the form, use Save as PDF."
            )
        )
        layout.addWidget(self.temporary_note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Write email draft"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _encrypt_toggled(self, on: bool) -> None:
        self.password_label.setVisible(on)
        self.instruction.setVisible(on)

    def choice(self) -> EmailChoice:
        return EmailChoice(self.password if self.encrypt.isChecked() else None)

    @staticmethod
    def ask(recipient: Recipient, parent: QWidget | None = None) -> EmailChoice | None:
        dialog = EmailDialog(recipient, parent)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None


# --- the page --------------------------------------------------------------------------------------------------


class FormsPage(QWidget):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self.escalation_id: int | None = None
        self.form_id = ""
        self.preview_document = QPdfDocument(self)
        self._preview_buffer: QBuffer | None = None
        self._render_number = 0
        self._announcing = False  # emitting Changed for our own recorded export: do not refresh ourselves
        self._draft_timer = QTimer(self, singleShot=True, interval=_DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self._build()
        self.refresh()

    # layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(page_title(self.tr("Forms")))
        layout.addWidget(
            hint(
                self.tr(
                    "Choose an escalation and one of its partnership's forms. The boxes are filled from the "
                    "record; change or add anything and it is kept as a draft. Every save, print and email is "
                    "recorded on the escalation."
                )
            )
        )
        layout.addLayout(self._selectors())
        splitter = QSplitter(Qt.Orientation.Horizontal, objectName="forms_splitter")  # sizes kept on close
        splitter.addWidget(self._editor_area())
        splitter.addWidget(self._preview_area())
        splitter.setSizes([620, 520])
        layout.addWidget(splitter, 1)
        layout.addLayout(self._actions())
        self.status = QLabel(objectName="hint", wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        self.draft_path: Path | None = None
        self.open_folder_button = QPushButton(self.tr("Open the draft's &folder"))
        self.open_folder_button.clicked.connect(self._open_draft_folder)
        self.open_folder_button.hide()
        status_row.addWidget(self.open_folder_button)
        layout.addLayout(status_row)

    def _selectors(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.escalation_combo = QComboBox(accessibleName=self.tr("Escalation"))
        self.escalation_combo.setMinimumContentsLength(40)
        self.escalation_combo.currentIndexChanged.connect(self._escalation_chosen)
        self.form_combo = QComboBox(accessibleName=self.tr("Form"))
        self.form_combo.setMinimumContentsLength(36)
        self.form_combo.currentIndexChanged.connect(self._form_chosen)
        for text, combo in (
            (self.tr("Escala&tion"), self.escalation_combo),
            (self.tr("F&orm"), self.form_combo),
        ):
            label = QLabel(text)
            label.setBuddy(combo)
            row.addWidget(label)
            row.addWidget(combo, 1)
        return row

    def _editor_area(self) -> QScrollArea:
        self.editor = FormEditor()
        self.editor.edited.connect(self._edited)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.editor)
        return scroll

    def _preview_area(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.preview_hint = hint(self.tr("Press Preview to see the form as it will print."))
        top.addWidget(self.preview_hint, 1)
        # The pane is narrower than a page: the text must be readable, so the user can zoom.
        for text, name, slot in (
            ("−", self.tr("Zoom out"), lambda: self._zoom(1 / 1.25)),
            ("+", self.tr("Zoom in"), lambda: self._zoom(1.25)),
            (self.tr("Fit width"), self.tr("Fit the page to the width"), self._fit_width),
        ):
            button = QPushButton(text)
            button.setAccessibleName(name)
            button.setToolTip(name)
            button.clicked.connect(slot)
            top.addWidget(button)
        layout.addLayout(top)
        self.preview = QPdfView(box)
        self.preview.setAccessibleName(self.tr("Preview of the form"))
        self.preview.setDocument(self.preview_document)
        self.preview.setPageMode(QPdfView.PageMode.MultiPage)
        self.preview.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        layout.addWidget(self.preview, 1)
        return box

    def _zoom(self, factor: float) -> None:
        current = self.preview.zoomFactor()
        self.preview.setZoomMode(QPdfView.ZoomMode.Custom)
        self.preview.setZoomFactor(max(0.25, min(4.0, current * factor)))

    def _fit_width(self) -> None:
        self.preview.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def _actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.sign_box = QCheckBox(self.tr("&Sign with my digital signature"), checked=True)
        row.addWidget(self.sign_box)
        row.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (
            ("preview", self.tr("&Preview"), self.show_preview),
            ("save", self.tr("Save as P&DF…"), self.save_pdf),
            ("print", self.tr("P&rint…"), self.print_form),
            ("wet", self.tr("Print for &wet signature…"), self.print_for_wet_signature),
            ("email", self.tr("E&mail to the LSCB…"), self.email_form),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            self.buttons[key] = button
            row.addWidget(button)
        self.buttons["save"].setProperty("primary", True)
        return row

    # choosing

    def refresh(self) -> None:
        """Reload the escalations, keeping the one and the form being worked on."""
        rows = list_escalations(self.ctx)
        keep_escalation, keep_form = self.escalation_id, self.form_id
        self.escalation_combo.blockSignals(True)
        self.escalation_combo.clear()
        for row in rows:
            self.escalation_combo.addItem(f"{row.reference} · {row.child} · {row.status}", row.escalation_id)
        index = self.escalation_combo.findData(keep_escalation) if keep_escalation is not None else -1
        self.escalation_combo.setCurrentIndex(max(index, 0) if rows else -1)
        self.escalation_combo.blockSignals(False)
        self._load_escalation(prefer_form=keep_form if index >= 0 else "")
        self._enable(bool(rows))
        if not rows:
            self.status.setText(self.tr("There are no escalations yet. Forms are filled from an escalation."))

    def on_changed(self, changed: Changed) -> None:
        if (changed.escalations or changed.children) and not self._announcing:
            self.refresh()

    def _recorded(self) -> None:
        """A recorded export, print or email may have ticked off checklist items: the other pages refresh
        (this one is already up to date, and refreshing it would clear the preview)."""
        self._announcing = True
        try:
            self.signals.changed.emit(Changed(escalations=True))
        finally:
            self._announcing = False

    def show_escalation_forms(self, escalation_id: int) -> None:
        index = self.escalation_combo.findData(escalation_id)
        if index < 0:
            self.refresh()
            index = self.escalation_combo.findData(escalation_id)
        self.escalation_combo.setCurrentIndex(index)

    def show_form(self, form_id: str) -> None:
        self.form_combo.setCurrentIndex(self.form_combo.findData(form_id))

    def _escalation_chosen(self) -> None:
        self._load_escalation()

    def _load_escalation(self, prefer_form: str = "") -> None:
        self._flush_draft()
        self.escalation_id = self.escalation_combo.currentData()
        self.form_combo.blockSignals(True)
        self.form_combo.clear()
        if self.escalation_id is not None:
            for choice in forms_for(self.ctx, self.escalation_id):
                self.form_combo.addItem(choice.title, choice.id)
        self.form_combo.setCurrentIndex(
            max(self.form_combo.findData(prefer_form), 0) if self.form_combo.count() else -1
        )
        self.form_combo.blockSignals(False)
        self._form_chosen()

    def _form_chosen(self) -> None:
        self._flush_draft()
        self.form_id = self.form_combo.currentData() or ""
        self._clear_preview()
        if self.escalation_id is None or not self.form_id:
            return
        values = form_values(self.ctx, self.escalation_id, self.form_id)
        self.editor.set_form(values.form, values.prefilled, values.typed)

    def _enable(self, on: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(on)

    # drafts

    def _edited(self) -> None:
        self._draft_timer.start()
        self.status.setText(self.tr("Changes not saved yet…"))

    def _flush_draft(self) -> None:
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self.save_draft()

    def save_draft(self) -> None:
        if self.escalation_id is None or not self.form_id:
            return
        if self._run(self._save_typed):
            self.status.setText(self.tr("Your changes to this form are saved as a draft."))

    def _save_typed(self) -> bool:
        assert self.escalation_id is not None
        save_typed_values(self.ctx, self.escalation_id, self.form_id, self.editor.typed())
        return True

    # actions

    def _ready(self) -> bool:
        self._flush_draft()
        return self.escalation_id is not None and bool(self.form_id)

    def show_preview(self) -> None:
        if not self._ready():
            return
        ctx, escalation_id, form_id = self.ctx, self.escalation_id, self.form_id
        typed, signed_look = self.editor.typed(), self.sign_box.isChecked()

        def work() -> bytes:
            prepared: PreparedForm = prepare_form(
                ctx, escalation_id, form_id, typed=typed, signed_look=signed_look
            )
            return prepared.render()

        self._render_number += 1
        number = self._render_number
        self.preview_hint.setText(self.tr("Drawing the preview…"))
        run_operation(
            self,
            work,
            label=self.tr("Drawing the preview…"),
            on_done=lambda pdf: self._preview_ready(number, pdf),
            on_error=lambda error: self._preview_failed(number, str(error)),
            progress=False,  # the preview pane says so itself
        )

    def _preview_ready(self, number: int, pdf: bytes) -> None:
        if number != self._render_number:
            return  # an older preview finished after a newer one was asked for
        self.preview_document.close()
        self._preview_buffer = QBuffer(self)
        self._preview_buffer.setData(QByteArray(pdf))
        self._preview_buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.preview_document.load(self._preview_buffer)
        self.preview_hint.setText(
            self.tr("Preview (not saved anywhere). Pages: {n}").format(n=self.preview_document.pageCount())
        )

    def _preview_failed(self, number: int, message: str) -> None:
        if number == self._render_number:
            self.preview_hint.setText(self.tr("The preview could not be drawn: {m}").format(m=message))

    def _clear_preview(self) -> None:
        self._render_number += 1
        self.preview_document.close()
        self.preview_hint.setText(self.tr("Press Preview to see the form as it will print."))

    def save_pdf(self) -> None:
        if not self._ready():
            return
        name = self._run(lambda: suggested_file_name(self.ctx, self.escalation_id, self.form_id))
        if name is None:
            return
        start = in_documents(name)
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save the form as PDF"), start, "PDF (*.pdf)"
        )
        if not path:
            return
        destination = Path(path) if path.lower().endswith(".pdf") else Path(path + ".pdf")
        export = self._exporter(sign=self.sign_box.isChecked(), destination=destination)

        def saved(result: ExportResult) -> None:
            state = self.tr("signed") if result.signed else self.tr("not signed")
            self.status.setText(
                self.tr("Saved {file} ({state}). The export is recorded on the escalation.").format(
                    file=destination, state=state
                )
            )
            self._recorded()

        self._operation(export, self.tr("Saving the form as PDF…"), saved)

    def print_form(self) -> None:
        self._print(wet=False)

    def print_for_wet_signature(self) -> None:
        self._print(wet=True)

    def _print(self, *, wet: bool) -> None:
        if not self._ready():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        ctx, escalation_id, form_id = self.ctx, self.escalation_id, self.form_id
        sign, typed = not wet and self.sign_box.isChecked(), self.editor.typed()
        assert escalation_id is not None

        def work() -> int:
            job = prepare_print(ctx, escalation_id, form_id, typed=typed, sign=sign, wet_signature=wet)
            pages = print_pdf(job.pdf_bytes, printer)
            # Recorded once it has printed: a printer that would not start leaves no record of a copy never made.
            record_printed(ctx, job, pages=pages)
            return pages

        def printed(pages: int) -> None:
            self.status.setText(printed_words(pages, wet=wet))
            self._recorded()

        self._operation(work, self.tr("Printing the form…"), printed)

    def email_form(self) -> None:
        if not self._ready():
            return
        recipient = self._run(lambda: recipient_for(self.ctx, self.escalation_id))
        if recipient is None:
            return
        choice = EmailDialog.ask(recipient, self)
        if choice is None:
            return
        ctx, escalation_id, form_id = self.ctx, self.escalation_id, self.form_id
        typed, sign = self.editor.typed(), self.sign_box.isChecked()
        assert escalation_id is not None

        def written(path: Path) -> None:
            self.draft_path = path
            if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
                self.open_folder_button.hide()
                self.status.setText(
                    self.tr(
                        "Email draft handed to your mail program ({file}). Check it and send it from there before "
                        "you lock the desk: the draft file is removed when the desk locks or closes."
                    ).format(file=path.name)
                )
            else:  # nothing on this computer opens .eml files: say so, and where the draft is
                self.open_folder_button.show()
                self.status.setText(
                    self.tr(
                        "No mail program opened the draft. It is saved as {file}: open it with your mail program "
                        "(or attach it to a new email) and send it before you lock the desk: the draft file is "
                        "removed when the desk locks or closes."
                    ).format(file=path)
                )
            self._form_chosen()  # "Copy to … Date" and "Method of delivery" now follow the recorded email
            self._recorded()

        self._operation(
            lambda: write_email_draft(
                ctx, escalation_id, form_id, typed=typed, sign=sign, encrypt_password=choice.password
            ),
            self.tr("Writing the email draft…"),
            written,
        )

    def _open_draft_folder(self) -> None:
        if self.draft_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.draft_path.parent)))

    def _exporter(
        self, *, sign: bool, wet: bool = False, action: Action = "export", destination: Path | None = None
    ) -> Callable[[], ExportResult]:
        """The export as work for the pool: what was typed is read from the editor now, on the GUI thread."""
        ctx, escalation_id, form_id, typed = self.ctx, self.escalation_id, self.form_id, self.editor.typed()
        assert escalation_id is not None
        return lambda: export_form(
            ctx,
            escalation_id,
            form_id,
            typed=typed,
            sign=sign,
            wet_signature=wet,
            action=action,
            destination=destination,
        )

    def _operation(self, work: Callable[[], T], label: str, on_done: Callable[[T], None]) -> None:
        """A render, export, print or email off the GUI thread; the actions wait until it has finished."""
        buttons = [button for button in self.buttons.values() if button.isEnabled()]
        run_operation(self, work, label=label, on_done=on_done, title=self.tr("Forms"), trigger=buttons)

    def _run(self, work: Callable[[], T]) -> T | None:
        """A quick service call (a draft, a file name); show its plain-English message if it refuses."""
        try:
            return work()
        except DeskError as error:
            show_error(self, self.tr("Forms"), str(error))
            return None
