"""The set-up wizard's last page and the sheet it prints: the recovery key, shown once, what it is for and where to keep it. The page cannot be left until the key is put away."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from dsl_desk import APP_NAME
from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.ui.desk.setup_pages import SetupPage
from dsl_desk.ui.paperwork.form_fields import (
    error_label,
    hint_label,
)
from dsl_desk.ui.widgets.folders import in_documents

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter


@dataclass(frozen=True)
class RecoverySheet:
    organisation: str
    account: str
    date_text: str
    key: str
    data_file: str


SHEET_INSTRUCTIONS = (
    "This key opens your DSL Desk records if the passphrase is forgotten. It is the only way back in.",
    "Lock this sheet away, for example in the school safe. Do not keep it with the laptop: anyone who has "
    "both can read the records.",
    "To use it: on the unlock screen choose “Use the recovery key instead”, type the key (capitals and dashes "
    "are optional), then set a new passphrase in Settings.",
    "The key has no letter O or I and no digit 0 or 1.",
)


def print_sheet(printer: QPrinter, sheet: RecoverySheet) -> bool:
    """Paint the one-page recovery sheet onto a printer (paper or PDF). False when the printer would not start."""
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        page = QRectF(printer.pageLayout().paintRectPixels(printer.resolution()))
        page.moveTo(0, 0)
        inset = 10 / 25.4 * printer.resolution()  # 1 cm inside the printer's own margin: a calm sheet
        page.adjust(inset, inset, -inset, -inset)
        _SheetPainter(painter, page, printer.resolution()).paint(sheet)
    finally:
        painter.end()
    return True


def save_sheet_pdf(path: Path, sheet: RecoverySheet) -> bool:
    from PySide6.QtGui import QPageSize
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setDocName(f"{APP_NAME} recovery key")
    printer.setOutputFileName(str(path))
    return print_sheet(printer, sheet)


class _SheetPainter:
    """Lays the sheet out top to bottom in printer pixels; fonts are in points so any resolution works."""

    def __init__(self, painter: QPainter, page: QRectF, dpi: int) -> None:
        self.painter = painter
        self.page = page
        self.dpi = dpi
        self.y = page.top()

    def paint(self, sheet: RecoverySheet) -> None:
        self.text(f"{APP_NAME} — recovery key", self.font(20, bold=True))
        self.gap(0.3)
        self.text(sheet.organisation, self.font(14, bold=True))
        self.text(f"Account: {sheet.account}    Printed: {sheet.date_text}", self.font(11))
        self.gap(0.4)
        self.key_box(sheet.key)
        self.gap(0.5)
        for line in SHEET_INSTRUCTIONS:
            self.text(f"•  {line}", self.font(11))
            self.gap(0.15)
        self.gap(0.8)
        self.text("Where this sheet is kept: ______________________________________", self.font(11))
        self.gap(0.6)
        self.text(f"Data file at set-up: {sheet.data_file}", self.font(9), colour="#52606d")

    def font(self, points: float, *, bold: bool = False, fixed: bool = False) -> QFont:
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont) if fixed else QFont()
        font.setPointSizeF(points)
        font.setBold(bold)
        return font

    def gap(self, centimetres: float) -> None:
        self.y += centimetres / 2.54 * self.dpi

    def text(self, text: str, font: QFont, *, colour: str = "#1f2933") -> None:
        self.painter.setFont(font)
        self.painter.setPen(QColor(colour))
        area = QRectF(self.page.left(), self.y, self.page.width(), self.page.bottom() - self.y)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
        used = self.painter.boundingRect(area, flags, text)
        self.painter.drawText(area, flags, text)
        self.y += used.height()

    def key_box(self, key: str) -> None:
        """The key in a ruled box, as large as fits on one line of the page."""
        padding = 0.4 / 2.54 * self.dpi
        font = self.font(24, bold=True, fixed=True)
        width = self.page.width() - 2 * padding
        while (
            font.pointSizeF() > 10
            and QFontMetricsF(font, self.painter.device()).horizontalAdvance(key) > width
        ):
            font.setPointSizeF(font.pointSizeF() - 1)
        height = QFontMetricsF(font, self.painter.device()).height() + 2 * padding
        box = QRectF(self.page.left(), self.y, self.page.width(), height)
        self.painter.setPen(QPen(QColor("#1f2933"), max(1.0, self.dpi / 100)))
        self.painter.drawRect(box)
        self.painter.setFont(font)
        self.painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), key)
        self.y += height


class RecoveryPage(SetupPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Your recovery key — shown only once"))
        self.setSubTitle(
            self.tr("If you forget your passphrase, this key is the only way to open your records.")
        )
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(self._build_key_box())
        layout.addLayout(self._build_buttons())
        self.status = QLabel(wordWrap=True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAccessibleName(self.tr("Print or save result"))
        self.status.hide()
        layout.addWidget(self.status)
        layout.addWidget(
            hint_label(
                self.tr(
                    "Print it, or save it as a PDF on a USB stick, then lock it away — for example in the school "
                    "safe. Do not keep it with this laptop: anyone with the key and the laptop can read the records."
                )
            )
        )
        self.confirm = QCheckBox(self.tr("I have &printed or written down the recovery key"))
        self.confirm.setAccessibleName(self.tr("I have printed or written down the recovery key"))
        self.confirm.setStyleSheet("font-weight: 600;")
        self.confirm.toggled.connect(self._confirmed)
        layout.addWidget(self.confirm)
        self.error = error_label(self.tr("Recovery key reminder"))
        layout.addWidget(self.error)
        layout.addStretch(1)

    def _build_key_box(self) -> QFrame:
        frame = QFrame(objectName="card")
        box = QVBoxLayout(frame)
        box.setContentsMargins(20, 16, 20, 16)
        box.addWidget(QLabel(self.tr("Recovery key"), objectName="sectionTitle"))
        self.key_label = QLabel()
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 10.0) * 1.8)
        font.setWeight(QFont.Weight.DemiBold)
        self.key_label.setFont(font)
        self.key_label.setWordWrap(True)
        self.key_label.setTextFormat(Qt.TextFormat.PlainText)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setAccessibleName(self.tr("Recovery key"))
        box.addWidget(self.key_label)
        box.addWidget(
            hint_label(self.tr("Capital letters and digits. There is no letter O or I, and no 0 or 1."))
        )
        return frame

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.print_button = QPushButton(self.tr("P&rint…"))
        self.print_button.setProperty("primary", True)
        self.print_button.clicked.connect(self.print_key)
        row.addWidget(self.print_button)
        self.pdf_button = QPushButton(self.tr("Save as P&DF…"))
        self.pdf_button.clicked.connect(self.save_pdf)
        row.addWidget(self.pdf_button)
        row.addStretch(1)
        return row

    def initializePage(self) -> None:
        wizard = self.setup_wizard()
        self.key_label.setText(wizard.recovery_key)
        # Nothing to cancel now the database exists; closing is refused until the key is put away.
        wizard.setOption(QWizard.WizardOption.NoCancelButton, True)

    def isComplete(self) -> bool:
        return self.confirm.isChecked() and bool(self.setup_wizard().recovery_key)

    def _confirmed(self) -> None:
        if self.confirm.isChecked():
            self.show_message(self.error, "")
        self.completeChanged.emit()

    def remind(self) -> None:
        self.show_message(
            self.error,
            self.tr("Print or write down the recovery key and tick the box before you close this window."),
            self.confirm,
        )

    def sheet(self) -> RecoverySheet:
        wizard = self.setup_wizard()
        today = london(wizard.clock.now())
        return RecoverySheet(
            organisation=wizard.organisation_page.name_edit.text().strip(),
            account=wizard.you_page.username_edit.text(),
            date_text=day_month_year(today),
            key=wizard.recovery_key,
            data_file=str(wizard.paths.database),
        )

    def print_key(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("Print the recovery key"))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        ok = print_sheet(printer, self.sheet())
        self._report(ok, self.tr("Sent to the printer. Check the page came out before you tick the box."))

    def save_pdf(self) -> None:
        default = in_documents(f"{APP_NAME} recovery key.pdf")
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save the recovery key as a PDF"), default, self.tr("PDF files (*.pdf)")
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        ok = save_sheet_pdf(Path(path), self.sheet())
        self._report(ok, self.tr("Saved to %s. Move it somewhere safe, away from this laptop.") % path)

    def _report(self, ok: bool, success: str) -> None:
        self.status.setObjectName("hint" if ok else "error")
        self.status.setText(
            success if ok else self.tr("That did not work. Try again, or write the key down by hand.")
        )
        self.status.style().unpolish(self.status)  # re-read the style sheet for the new object name
        self.status.style().polish(self.status)
        self.status.show()
