"""Import a child's file sent by their old school: choose the file, type the password given by phone, see
whose file it is and who signed it, then import it as a new child. Opening the file (key derivation,
decryption, checks) and importing run off the GUI thread.

A certificate can bear any name, so when the signer is not one this desk knows, a confirm step asks for the
fingerprint the sending DSL reads out by telephone; the import stays disabled until what is typed matches
the certificate that signed the file (services/transfer_import.py refuses it otherwise, too).
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
from dsl_desk.core.dates_in_words import day_month_year, with_time
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import DeskError, ServiceError
from dsl_desk.services.records.transfers import import_bundle, preview_bundle
from dsl_desk.ui.operations import run_operation
from dsl_desk.ui.paperwork.form_fields import error_label
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.widgets.common import hint, section_title
from dsl_desk.ui.widgets.folders import in_documents

if TYPE_CHECKING:
    from dsl_desk.services.records.transfer_import import BundlePreview, ImportedTransfer

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
        self.confirm_box = self._confirm_step()
        layout.addWidget(self.confirm_box)
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
        self.fingerprint.textChanged.connect(self._fingerprint_typed)

    def _confirm_step(self) -> QWidget:
        """Shown when the signer is unknown: the fingerprint read out by the sending DSL, checked as typed."""
        box = QWidget()
        confirm = QVBoxLayout(box)
        confirm.setContentsMargins(0, 0, 0, 0)
        confirm.addWidget(
            hint(
                self.tr(
                    "This certificate is not one this desk knows, and anyone can make a certificate bearing any "
                    "name. Telephone the sending DSL on a number you already have (not one from the file or its "
                    "email), ask them to read out their certificate fingerprint, and type it here."
                )
            )
        )
        self.fingerprint = QLineEdit(
            accessibleName=self.tr("Fingerprint read out by the sending DSL"),
            placeholderText="AB:CD:EF:…",
        )
        confirm.addWidget(self.fingerprint)
        self.fingerprint_state = QLabel(wordWrap=True)
        self.fingerprint_state.setTextFormat(Qt.TextFormat.PlainText)
        confirm.addWidget(self.fingerprint_state)
        box.hide()
        return box

    def _choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose the transfer file"),
            in_documents(),
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
        self.confirm_box.hide()
        self.fingerprint.clear()

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
        run_operation(
            self,
            lambda: preview_bundle(self.ctx, path, password),
            label=self.tr("Opening the file…"),
            on_done=self._checked,
            on_error=self._failed,
            progress=False,  # the dialog says so itself
        )

    def _checked(self, preview: BundlePreview) -> None:
        self._set_busy(False)
        self.preview = preview
        counts = ", ".join(f"{preview.counts[key]} {words}" for key, words in SECTION_WORDS.items())
        sent = london(preview.exported_at)
        lines = [
            self.tr("Child: %s, born %s") % (preview.child_name, day_month_year(preview.date_of_birth)),
            self.tr("From: %s, sent by %s on %s") % (preview.from_school, preview.sent_by, with_time(sent)),
            self.tr("Holds: %s") % counts,
            "",
            preview.signer.describe(),
        ]
        if preview.signer_known:
            lines.append(self.tr("Signer: known to this desk (%s).") % preview.signer_known)
        else:
            lines.append(self.tr("Signer: UNKNOWN to this desk. Confirm the fingerprint before importing."))
        self.details.setText("\n".join(lines))
        self.confirm_box.setVisible(not preview.signer_known and not preview.already_imported)
        self._fingerprint_typed()
        self.adjustSize()
        if preview.already_imported:
            self._show_error(preview.already_imported)
        self.import_button.setEnabled(self._can_import())

    def _can_import(self) -> bool:
        preview = self.preview
        if self.busy or preview is None or preview.already_imported:
            return False
        return bool(preview.signer_known) or preview.fingerprint_matches(self.fingerprint.text())

    def _fingerprint_typed(self) -> None:
        preview = self.preview
        typed = self.fingerprint.text().strip()
        if preview is None or preview.signer_known or not typed:
            self.fingerprint_state.clear()
        elif preview.fingerprint_matches(typed):
            self.fingerprint_state.setText(self.tr("✓ It matches the certificate that signed this file."))
        elif len("".join(ch for ch in typed if ch.isalnum())) >= 64:
            self.fingerprint_state.setText(
                self.tr(
                    "✗ It does NOT match the certificate that signed this file: the file did not come from the "
                    "DSL you telephoned, or was changed and signed again. Do not import it."
                )
            )
        else:
            self.fingerprint_state.clear()
        if not self.busy:
            self.import_button.setEnabled(self._can_import())

    def import_file(self) -> None:
        inputs = self._inputs()
        if inputs is None or not self._can_import():
            return
        confirmed = self.fingerprint.text() if self.confirm_box.isVisible() else ""
        self._set_busy(True, self.tr("Importing…"))
        self.confirm_box.hide()
        path, password = inputs
        run_operation(
            self,
            lambda: import_bundle(self.ctx, path, password, confirmed_fingerprint=confirmed),
            label=self.tr("Importing…"),
            on_done=self._imported,
            on_error=self._failed,
            progress=False,  # the dialog says so itself
            signals=self.signals,
            changes=Changed(records=True, children=True, escalations=True, log=True),
        )

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

    def _failed(self, error: Exception) -> None:
        self._set_busy(False)
        preview = self.preview
        self.confirm_box.setVisible(
            preview is not None and not preview.signer_known and not preview.already_imported
        )
        self.details.clear()  # not "Opening the file…" beside the reason it could not be opened
        if isinstance(error, ServiceError | DeskError):
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
        self.import_button.setEnabled(self._can_import())
        if busy:
            self.error.hide()
            self.details.setText(doing)
