"""Case transfers: files sent to other schools (with the receipt countdown) and files received from them.

Sending starts from the child's page ("Transfer file to a new school…"); this tab follows a file once made:
mark it sent, chase a missing receipt (the message never names the child), record the receipt, cancel it;
and imports a file received from another school.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import describe_date, short_date
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import DeskError
from dsl_desk.services.records.transfers import (
    TransferRow,
    cancel,
    list_transfers,
    mark_sent,
    record_acknowledgement,
    record_chase,
)
from dsl_desk.ui import theme
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.table_model import ROW_ROLE, Column, RowTableModel
from dsl_desk.ui.translation import translate
from dsl_desk.ui.widgets.common import hint, make_table


def transfer_columns(today_of: object) -> list[Column[TransferRow]]:
    def when(row: TransferRow) -> str:
        instant = row.sent_at or row.created_at
        return describe_date(london(instant).date(), today_of())  # type: ignore[operator]

    def overdue_fg(row: TransferRow) -> str | None:
        return theme.OVERDUE if row.overdue else None

    def overdue_bg(row: TransferRow) -> str | None:
        return theme.OVERDUE_SOFT if row.overdue else None

    return [
        Column(translate("transfers_tab", "Direction"), lambda r: "Sent to" if r.direction == "out" else "From", sort_key=lambda r: r.direction),
        Column(translate("transfers_tab", "School"), lambda r: r.other_school, tooltip=lambda r: ", ".join(p for p in (r.other_dsl, r.other_contact) if p)),
        Column(translate("transfers_tab", "Child"), lambda r: r.child or "(record deleted)"),
        Column(translate("transfers_tab", "Status"), lambda r: r.status_words, foreground=overdue_fg, background=overdue_bg),
        Column(translate("transfers_tab", "Receipt"), lambda r: r.receipt_words or "–", sort_key=lambda r: r.receipt_due_on.isoformat() if r.receipt_due_on else "", foreground=overdue_fg),
        Column(translate("transfers_tab", "When"), when, sort_key=lambda r: (r.sent_at or r.created_at).isoformat()),
        Column(
            translate("transfers_tab", "Keep our copy until"),
            lambda r: short_date(r.keep_copy_until) if r.keep_copy_until else "–",
            sort_key=lambda r: r.keep_copy_until.isoformat() if r.keep_copy_until else "",
        ),
    ]  # fmt: skip


class TransfersTab(QWidget):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        layout = QVBoxLayout(self)
        layout.addWidget(
            hint(
                self.tr(
                    "To send a child's file, open the child and choose “Transfer file to a new school…”. "
                    "A receipt is due by the fifth school day after sending."
                )
            )
        )
        buttons = QHBoxLayout()
        self.import_button = QPushButton(self.tr("&Import a transfer file…"))
        self.import_button.clicked.connect(self.import_file)
        self.sent_button = QPushButton(self.tr("Mark as &sent"))
        self.sent_button.clicked.connect(self.mark_sent)
        self.chase_button = QPushButton(self.tr("&Chase"))
        self.chase_button.clicked.connect(self.chase)
        self.receipt_button = QPushButton(self.tr("Record &receipt…"))
        self.receipt_button.clicked.connect(self.record_receipt)
        self.cancel_button = QPushButton(self.tr("Cancel transfer…"))
        self.cancel_button.clicked.connect(self.cancel_transfer)
        for button in (self.sent_button, self.chase_button, self.receipt_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        layout.addLayout(buttons)
        self.model: RowTableModel[TransferRow] = RowTableModel(
            transfer_columns(lambda: london(self.ctx.clock.now()).date()), self
        )
        self.view, self.proxy = make_table(
            self.model, accessible_name=self.tr("Case transfers"), stretch_column=1
        )
        self.view.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self._update_buttons()
        )
        layout.addWidget(self.view, 1)
        self.message = QLabel(wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.message)
        self.chase_text = QPlainTextEdit(readOnly=True)
        self.chase_text.setAccessibleName(self.tr("Chase message"))
        self.chase_text.setMaximumHeight(180)
        self.chase_text.hide()
        layout.addWidget(self.chase_text)
        self.refresh()

    def refresh(self) -> None:
        chosen = self.selected()
        self.model.set_rows(list_transfers(self.ctx))
        if chosen is not None:
            self.select(chosen.id)
        self._update_buttons()

    def on_changed(self, changed: Changed) -> None:
        if changed.records or changed.children:
            self.refresh()

    def selected(self) -> TransferRow | None:
        index = self.view.currentIndex()
        return self.proxy.data(index, ROW_ROLE) if index.isValid() else None

    def select(self, transfer_id: int) -> None:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.proxy.data(index, ROW_ROLE).id == transfer_id:
                self.view.setCurrentIndex(index)
                return

    def _update_buttons(self) -> None:
        row = self.selected()
        out = row is not None and row.direction == "out"
        status = row.status if row is not None else ""
        self.sent_button.setEnabled(out and status == "prepared")
        self.chase_button.setEnabled(out and status == "sent")
        self.receipt_button.setEnabled(out and status == "sent")
        self.cancel_button.setEnabled(out and status in ("prepared", "sent"))

    # --- actions --------------------------------------------------------------------------------------------------

    def import_file(self) -> None:
        from dsl_desk.ui.records.transfer_import_dialog import TransferImportDialog

        TransferImportDialog(self.ctx, self.signals, self).exec()

    def mark_sent(self) -> None:
        row = self.selected()
        if row is not None:
            self._do(
                lambda: mark_sent(self.ctx, row.id),
                self.tr("Marked as sent: the receipt is %s."),
                "receipt_words",
            )

    def chase(self) -> None:
        row = self.selected()
        if row is None:
            return
        try:
            text = record_chase(self.ctx, row.id)
        except DeskError as error:
            self.message.setText(str(error))
            return
        self.chase_text.setPlainText(text)
        self.chase_text.show()
        QApplication.clipboard().setText(text)
        self.message.setText(
            self.tr(
                "Chase recorded. The message below (it does not name the child) is copied, ready to paste."
            )
        )
        self.signals.changed.emit(Changed(records=True))

    def record_receipt(self) -> None:
        row = self.selected()
        if row is None:
            return
        by, accepted = QInputDialog.getText(
            self,
            self.tr("Record receipt"),
            self.tr("Who at %s confirmed they have the file?") % row.other_school,
            text=row.other_dsl,
        )
        if accepted:
            self._do(lambda: record_acknowledgement(self.ctx, row.id, by), self.tr("%s."), "status_words")

    def cancel_transfer(self) -> None:
        row = self.selected()
        if row is None:
            return
        reason, accepted = QInputDialog.getText(
            self,
            self.tr("Cancel transfer"),
            self.tr("Why is this transfer cancelled? (Kept with the transfer.)"),
        )
        if accepted:
            self._do(lambda: cancel(self.ctx, row.id, reason), self.tr("Transfer %s."), "status_words")

    def _do(self, work: object, done: str, field: str) -> None:
        try:
            result = work()  # type: ignore[operator]
        except DeskError as error:
            self.message.setText(str(error))
            return
        self.message.setText(done % getattr(result, field))
        self.signals.changed.emit(Changed(records=True))
        self.refresh()
