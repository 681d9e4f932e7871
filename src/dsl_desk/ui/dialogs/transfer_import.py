"""Import a child's file sent by their old school: choose the file, type the password given by phone, see
whose file it is and who signed it (and the certificate fingerprint to compare by phone), then import it as
a new child. Opening the file (key derivation, decryption, checks) and importing run off the GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import london
from dsl_desk.services.context import AppContext, ServiceError
from dsl_desk.services.transfers import import_bundle, preview_bundle
from dsl_desk.store.errors import StoreError
from dsl_desk.ui.background import run_in_background
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.widgets.common import hint, section_title
from dsl_desk.ui.widgets.form_fields import error_label

if TYPE_CHECKING:
    from dsl_desk.services.transfer_import import BundlePreview, ImportedTransfer

SECTION_WORDS = {
    "escalations": "escalation(s)",
    "entries": "log entries",
    "attachments": "attachment(s)",
    "documents": "form(s) sent",
}


class TransferImportDialog(QDialog):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self.preview: BundlePreview | None = None
        self.imported: ImportedTransfer | None = None
        self.busy = False
        self.setWindowTitle(self.tr("Import a transfer file"))
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.addWidget(section_title(self.tr("A child's file from their old school")))
        layout.addWidget(
            hint(
                self.tr(
                    "The child is added as a new record: nothing already here is changed. The sending DSL gives "
                    "you the password by telephone."
                )
            )
        )
        form = QFormLayout()
        self.file = QLineEdit(accessibleName=self.tr("Transfer file"))
        choose = QPushButton(self.tr("Choose…"))
        choose.clicked.connect(self._choose_file)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(choose)
        form.addRow(self.tr("Transfer file"), row)
        self.password = QLineEdit(
            accessibleName=self.tr("Transfer password"), placeholderText="ABCD-EFGH-JKMN-PQRT"
        )
        form.addRow(self.tr("Password"), self.password)
        layout.addLayout(form)
        self.details = QLabel(wordWrap=True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.details)
        self.error = error_label(self.tr("Problem with the transfer file"))
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        self.check_button = QPushButton(self.tr("&Open and check"))
        self.check_button.clicked.connect(self.check_file)
        self.import_button = QPushButton(self.tr("&Import as a new child"))
        self.import_button.setProperty("primary", True)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.import_file)
        for button in (self.close_button, self.check_button, self.import_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.file.textChanged.connect(self._forget_preview)
        self.password.textChanged.connect(self._forget_preview)

    def _choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose the transfer file"),
            str(Path.home()),
            self.tr("DSL Desk transfer files (*.dsltransfer);;All files (*)"),
        )
        if name:
            self.file.setText(name)

    def _forget_preview(self) -> None:
        if self.busy:
            return
        self.preview = None
        self.import_button.setEnabled(False)
        self.details.clear()

    def _inputs(self) -> tuple[Path, str] | None:
        path, password = self.file.text().strip(), self.password.text().strip()
        if not path:
            self._show_error(self.tr("Choose the transfer file first."))
            return None
        if not password:
            self._show_error(self.tr("Type the password the sending DSL gave you by telephone."))
            self.password.setFocus()
            return None
        return Path(path).expanduser(), password

    def check_file(self) -> None:
        inputs = self._inputs()
        if inputs is None or self.busy:
            return
        self._set_busy(True, self.tr("Opening the file…"))
        path, password = inputs
        run_in_background(lambda: preview_bundle(self.ctx, path, password), self._checked, self._failed)

    def _checked(self, preview: BundlePreview) -> None:
        self._set_busy(False)
        self.preview = preview
        counts = ", ".join(f"{preview.counts[key]} {words}" for key, words in SECTION_WORDS.items())
        sent = london(preview.exported_at)
        lines = [
            self.tr("Child: %s, born %s") % (preview.child_name, f"{preview.date_of_birth:%d %B %Y}"),
            self.tr("From: %s, sent by %s on %s")
            % (preview.from_school, preview.sent_by, f"{sent:%d %B %Y %H:%M}"),
            self.tr("Holds: %s") % counts,
            "",
            preview.signer.describe(),
        ]
        self.details.setText("\n".join(lines))
        self.adjustSize()
        if preview.already_imported:
            self._show_error(preview.already_imported)
        self.import_button.setEnabled(not preview.already_imported)

    def import_file(self) -> None:
        inputs = self._inputs()
        if inputs is None or self.busy or self.preview is None:
            return
        self._set_busy(True, self.tr("Importing…"))
        path, password = inputs
        run_in_background(lambda: import_bundle(self.ctx, path, password), self._imported, self._failed)

    def _imported(self, result: ImportedTransfer) -> None:
        self._set_busy(False)
        self.imported = result
        self.import_button.setEnabled(False)
        note = ""
        if result.transferred_open:
            count = result.transferred_open
            note = self.tr(
                "\n\n%s still open at %s. They are kept on the record as “transferred”, not "
                "as your open cases. If you share the concern, open your own escalation."
            ) % ("1 escalation was" if count == 1 else f"{count} escalations were", result.from_school)
        self.details.setText(
            self.tr("Imported: %s is now on your desk (child number %d).")
            % (result.child_name, result.child_id)
            + note
        )
        self.close_button.setText(self.tr("Done"))
        self.adjustSize()
        self.signals.changed.emit(Changed(records=True, children=True, escalations=True, log=True))

    def _failed(self, error: Exception) -> None:
        self._set_busy(False)
        self.details.clear()  # not "Opening the file…" beside the reason it could not be opened
        if isinstance(error, ServiceError | StoreError):
            self._show_error(str(error))
        else:
            self._show_error(self.tr("The file could not be imported (%s). Nothing was imported.") % error)

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.adjustSize()  # a window ignores the height newly shown, wrapped text needs (as in Settings)

    def _set_busy(self, busy: bool, doing: str = "") -> None:
        self.busy = busy
        self.check_button.setEnabled(not busy)
        self.import_button.setEnabled(
            not busy and self.preview is not None and not self.preview.already_imported
        )
        if busy:
            self.error.hide()
            self.details.setText(doing)
