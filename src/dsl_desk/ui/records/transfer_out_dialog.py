"""Send a child's file to their new school: who it goes to, how, how long we keep our copy, where to write it;
then the password, shown once, with the instruction to give it by telephone.

The files are made off the GUI thread (key derivation, signing and the PDF take a second or two).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import london
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import DeskError, ServiceError, ValidationError
from dsl_desk.services.records.transfer_terms import default_keep_copy_until
from dsl_desk.services.records.transfers import (
    Destination,
    ExportedTransfer,
    export_bundle,
    mark_sent,
)
from dsl_desk.ui.operations import run_operation
from dsl_desk.ui.paperwork.form_fields import error_label
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.widgets.common import hint, section_title
from dsl_desk.ui.widgets.date_entry import DateEntry
from dsl_desk.ui.widgets.folders import in_documents

METHODS = (
    "Secure email (encrypted)",
    "Secure file transfer (e.g. the local authority's)",
    "By hand to the receiving DSL, on a USB drive",
)


class TransferOutDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        signals: AppSignals,
        child_id: int,
        child_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self.child_id = child_id
        self.exported: ExportedTransfer | None = None
        self.busy = False
        self.setWindowTitle(self.tr("Transfer file to a new school"))
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._form_page(child_name))
        self.pages.addWidget(self._password_page())
        layout.addWidget(self.pages)

    # --- page 1: where it goes -------------------------------------------------------------------------------

    def _form_page(self, child_name: str) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(section_title(self.tr("Send %s's safeguarding file") % child_name))
        layout.addWidget(
            hint(
                self.tr(
                    "DSL Desk writes two files: an encrypted transfer file with the whole record (a school "
                    "using DSL Desk imports it), and a PDF summary for a school with another system. Both open "
                    "only with a password you will give the receiving DSL by telephone."
                )
            )
        )
        form = QFormLayout()
        self.school = QLineEdit(accessibleName=self.tr("Receiving school"))
        self.dsl = QLineEdit(accessibleName=self.tr("Receiving DSL"))
        self.contact = QLineEdit(accessibleName=self.tr("Their email or phone"))
        self.method = QComboBox(editable=True, accessibleName=self.tr("How it will be sent"))
        self.method.addItems(METHODS)
        today = london(self.ctx.clock.now()).date()
        keep = default_keep_copy_until(today)
        self.keep = DateEntry(
            accessible_name=self.tr("Keep our copy until"),
            value=keep,
            required=True,
            today=today,
            earliest=today,
        )
        self.folder = QLineEdit(in_documents(), accessibleName=self.tr("Folder"))
        choose = QPushButton(self.tr("Choose…"))
        choose.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(choose)
        form.addRow(self.tr("Receiving school"), self.school)
        form.addRow(self.tr("Their DSL"), self.dsl)
        form.addRow(self.tr("Their email or phone"), self.contact)
        form.addRow(self.tr("How it will be sent"), self.method)
        form.addRow(self.tr("Keep our copy until"), self.keep)
        form.addRow(self.tr("Write the files to"), folder_row)
        layout.addLayout(form)
        layout.addWidget(
            hint(
                self.tr(
                    "Keeping a copy for a year lets you resend a file that goes astray; change it if your policy says otherwise."
                )
            )
        )
        self.error = error_label(self.tr("Problem with the transfer"))
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.reject)
        self.make_button = QPushButton(self.tr("&Make the transfer files"))
        self.make_button.setProperty("primary", True)
        self.make_button.clicked.connect(self.make_files)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.make_button)
        layout.addLayout(buttons)
        return page

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Write the transfer files to"), self.folder.text()
        )
        if chosen:
            self.folder.setText(chosen)

    def destination(self) -> Destination:
        return Destination(
            self.school.text(), self.dsl.text(), self.contact.text(), self.method.currentText()
        )

    def keep_until(self) -> date | None:
        """The day to keep our copy until; None (with the problem shown) when it is not a date we can use."""
        chosen = self.keep.date()
        if chosen is None:
            self._show_error(self.tr("Keep our copy until: %s") % self.keep.problem())
            self.keep.setFocus()
        return chosen

    def make_files(self) -> None:
        if self.busy:
            return
        if not self.school.text().strip():
            self._show_error(self.tr("Enter the school the child is moving to."))
            self.school.setFocus()
            return
        folder = Path(self.folder.text().strip()).expanduser()
        destination, keep = self.destination(), self.keep_until()
        if keep is None:
            return
        self._set_busy(True)
        run_operation(
            self,
            lambda: export_bundle(self.ctx, self.child_id, destination, folder, keep_copy_until=keep),
            label=self.tr("Making the transfer files…"),
            on_done=self._made,
            on_error=self._failed,
            progress=False,  # the dialog says so itself
            signals=self.signals,
            changes=Changed(records=True),
        )

    def _made(self, exported: ExportedTransfer) -> None:
        self._set_busy(False)
        self.exported = exported
        self.password.setText(exported.password)
        school = self.school.text().strip()
        who = self.dsl.text().strip() or self.tr("the receiving DSL")
        self.instruction.setText(
            self.tr(
                "Telephone %s at %s and read them this password. Never write it in the email that carries "
                "the files, and do not send it by text to the same address. It is shown only this once: DSL "
                "Desk does not keep it. If it is lost, make the files again."
            )
            % (who, school)
        )
        self.files.setText(
            self.tr("Transfer file: %s\nPDF summary: %s\nSigning certificate fingerprint: %s")
            % (exported.bundle_path, exported.summary_path, exported.fingerprint)
        )
        self.pages.setCurrentIndex(1)
        self.sent_button.setFocus()

    def _failed(self, error: Exception) -> None:
        self._set_busy(False)
        if isinstance(error, ServiceError | DeskError):
            self._show_error(str(error))
            if isinstance(error, ValidationError) and error.field == "keep_copy_until":
                self.keep.setFocus()
            return
        self._show_error(self.tr("The transfer files could not be made (%s). Nothing was sent.") % error)

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.adjustSize()  # a window ignores the height newly shown, wrapped text needs (as in Settings)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.make_button.setEnabled(not busy)
        self.make_button.setText(
            self.tr("Making the files…") if busy else self.tr("&Make the transfer files")
        )
        if busy:
            self.error.hide()

    # --- page 2: the password, once ----------------------------------------------------------------------------

    def _password_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(section_title(self.tr("The transfer password")))
        self.password = QLabel(objectName="recoveryKey")
        self.password.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.password.setAccessibleName(self.tr("Transfer password"))
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(18)
        font.setBold(True)
        self.password.setFont(font)
        layout.addWidget(self.password)
        self.instruction = QLabel(wordWrap=True)
        self.instruction.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.instruction)
        self.files = QLabel(wordWrap=True)
        self.files.setTextFormat(Qt.TextFormat.PlainText)
        self.files.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.files)
        self.sent_note = hint(
            self.tr(
                "Once the files have gone, say so: the five-school-day wait for their receipt starts then."
            )
        )
        layout.addWidget(self.sent_note)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.later_button = QPushButton(self.tr("I will send them later"))
        self.later_button.clicked.connect(self.accept)
        self.sent_button = QPushButton(self.tr("I have &sent them now"))
        self.sent_button.setProperty("primary", True)
        self.sent_button.clicked.connect(self.mark_sent_now)
        buttons.addWidget(self.later_button)
        buttons.addWidget(self.sent_button)
        layout.addLayout(buttons)
        return page

    def mark_sent_now(self) -> None:
        if self.exported is None:
            return
        try:
            mark_sent(self.ctx, self.exported.transfer_id, method=self.method.currentText())
        except DeskError as error:
            self.sent_note.setText(str(error))
            return
        self.signals.changed.emit(Changed(records=True))
        self.accept()
