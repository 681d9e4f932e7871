"""A banner for the dashboard: shown only when the last backup failed or none is recent, with "Back up now"."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from dsl_desk.services.context import AppContext
from dsl_desk.services.records.backups import BackupOutcome, BackupStatus, backup_status, make_backup
from dsl_desk.ui.operations import run_operation


class BackupWarning(QFrame):
    """Hidden while backups are fine. `backed_up` is emitted after a successful "Back up now"."""

    backed_up = Signal(object)  # BackupOutcome

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("riskBanner")
        self.ctx = ctx
        self.status: BackupStatus | None = None
        layout = QHBoxLayout(self)
        self.label = QLabel(wordWrap=True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAccessibleName(self.tr("Backup warning"))
        layout.addWidget(self.label, 1)
        self.button = QPushButton(self.tr("&Back up now"))
        self.button.clicked.connect(self.back_up_now)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        self.refresh()

    def refresh(self) -> None:
        self.status = backup_status(self.ctx)
        self.label.setText(self.tr("Backups: %s") % self.status.message)
        self.setVisible(not self.status.ok)

    def back_up_now(self) -> None:
        ctx = self.ctx
        run_operation(
            self,
            lambda: make_backup(ctx, "manual"),
            label=self.tr("Backing up…"),
            on_done=self._backed_up,
            on_error=self._failed,
            trigger=self.button,
        )

    def _backed_up(self, outcome: BackupOutcome) -> None:
        self.refresh()
        self.backed_up.emit(outcome)

    def _failed(self, error: Exception) -> None:
        self.refresh()
        self.label.setText(str(error))
