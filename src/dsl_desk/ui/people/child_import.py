"""Bring children in from what the school has: choose a CSV export of the MIS or a Common Transfer File, see
row by row what importing would do (add, already here, refused and why), then import in one go."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.dates_in_words import numeric_date
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import DeskError
from dsl_desk.services.people.child_import import ImportRow, ImportSummary, import_children, preview_import
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.table_model import Column, RowTableModel
from dsl_desk.ui.widgets.common import hint, make_table, section_title
from dsl_desk.ui.widgets.folders import in_documents

VERDICT_WORDS = {
    "add": "Will be added",
    "added": "Added",
    "already here": "Already here",
    "refused": "Refused",
}


def _what_happens(row: ImportRow) -> str:
    words = VERDICT_WORDS.get(row.verdict, row.verdict)
    detail = " ".join(part for part in (row.reason, row.note and f"Note: {row.note}.") if part)
    return f"{words}: {detail}" if detail else words


class ChildImportDialog(QDialog):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self.preview: ImportSummary | None = None
        self.imported: ImportSummary | None = None
        self.setWindowTitle(self.tr("Bring in children from the school's records"))
        self.setMinimumWidth(720)
        layout = QVBoxLayout(self)
        layout.addWidget(section_title(self.tr("Children from your MIS or a Common Transfer File")))
        layout.addWidget(
            hint(
                self.tr(
                    "Choose a CSV export of your management information system (a pupil list with names and "
                    "dates of birth; columns are found by their headings) or a Common Transfer File (.xml). "
                    "You see what would happen before anything is added, and a child already here is never "
                    "added twice."
                )
            )
        )
        row = QHBoxLayout()
        self.file = QLineEdit(accessibleName=self.tr("File to import"))
        self.file.setPlaceholderText(self.tr("pupils.csv or a CTF such as 999LLLL_CTF_3421234_001.xml"))
        choose = QPushButton(self.tr("&Choose…"))
        choose.clicked.connect(self._choose_file)
        choose.setAutoDefault(False)  # Return in the file box previews; it never opens the file chooser
        self.preview_button = QPushButton(self.tr("&Preview"))
        self.preview_button.setDefault(True)
        self.preview_button.clicked.connect(self.show_preview)
        row.addWidget(self.file, 1)
        row.addWidget(choose)
        row.addWidget(self.preview_button)
        layout.addLayout(row)
        self.columns = QLabel(wordWrap=True)
        self.columns.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.columns)
        self.model: RowTableModel[ImportRow] = RowTableModel(
            [
                Column(self.tr("Row"), lambda r: str(r.row), sort_key=lambda r: r.row),
                Column(self.tr("Name"), lambda r: r.name),
                Column(self.tr("Born"), lambda r: numeric_date(r.date_of_birth) if r.date_of_birth else "–"),
                Column(self.tr("Status"), lambda r: ", ".join(r.flags)),
                Column(self.tr("What happens"), _what_happens, tooltip=_what_happens),
            ],
            self,
        )
        self.table, _proxy = make_table(
            self.model, accessible_name=self.tr("Children in the file"), stretch_column=4
        )
        self.table.setMinimumHeight(220)
        layout.addWidget(self.table, 1)
        self.summary = QLabel(wordWrap=True, objectName="importSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.summary)
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setAccessibleName(self.tr("Problem with the file"))
        self.error.hide()
        layout.addWidget(self.error)
        layout.addLayout(self._buttons())
        self.file.textChanged.connect(self._forget_preview)

    def _buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        self.close_button.setAutoDefault(False)
        self.import_button = QPushButton(self.tr("&Import"))
        self.import_button.setProperty("primary", True)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.import_file)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.import_button)
        return buttons

    def _choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose the MIS export or Common Transfer File"),
            in_documents(),
            self.tr("Pupil lists (*.csv *.xml *.txt);;All files (*)"),
        )
        if name:
            self.file.setText(name)
            self.show_preview()

    def _forget_preview(self) -> None:
        self.preview = None
        self.import_button.setEnabled(False)
        self.import_button.setText(self.tr("&Import"))
        self.preview_button.setDefault(True)
        self.model.set_rows([])
        self.columns.clear()
        self.summary.clear()
        self.error.hide()

    def _path(self) -> Path | None:
        text = self.file.text().strip()
        if not text:
            self._show_error(self.tr("Choose the file first."))
            return None
        return Path(text).expanduser()

    def show_preview(self) -> None:
        path = self._path()
        if path is None:
            return
        self._forget_preview()
        try:
            summary = preview_import(self.ctx, path)
        except DeskError as error:
            self._show_error(str(error))
            return
        self.preview = summary
        self._show(summary)
        if summary.added:
            self.import_button.setText(
                self.tr("&Import 1 child")
                if summary.added == 1
                else self.tr("&Import %d children") % summary.added
            )
            self.import_button.setEnabled(True)
            self.import_button.setDefault(True)
            self.import_button.setFocus()

    def import_file(self) -> None:
        path = self._path()
        if path is None or self.preview is None:
            return
        try:
            summary = import_children(self.ctx, path)
        except DeskError as error:
            self._show_error(str(error))
            return
        self.imported = summary
        self.preview = None
        self._show(summary)
        self.import_button.setEnabled(False)
        self.close_button.setText(self.tr("Done"))
        self.close_button.setFocus()
        if summary.added:
            self.signals.changed.emit(Changed(children=True))

    def _show(self, summary: ImportSummary) -> None:
        self.model.set_rows(list(summary.rows))
        lines = []
        if summary.kind == "CTF":
            lines.append(
                self.tr("A Common Transfer File")
                + (self.tr(" from %s") % summary.source if summary.source else "")
            )
        if summary.columns:
            lines.append(
                self.tr("Columns used: ") + "; ".join(f"{h} → {what}" for h, what in summary.columns)
            )
        if summary.unused:
            lines.append(self.tr("Columns not kept here: ") + ", ".join(summary.unused))
        if summary.repeats:
            lines.append(
                self.tr(
                    "%d row(s) repeat a pupil already in the file (one row per contact): taken as that pupil."
                )
                % summary.repeats
            )
        self.columns.setText("\n".join(lines))
        self.summary.setText(
            summary.words() if summary.imported else self.tr("If imported: ") + summary.words()
        )

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
