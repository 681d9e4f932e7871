"""Settings › Backups: the second folder (a USB drive or network share), how many days to keep, back up now,
and restore from a backup."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import DeskError
from dsl_desk.services.records.backup_settings import (
    MAX_GENERATIONS,
    BackupSettings,
    load_settings,
    save_settings,
    settings_note,
)
from dsl_desk.services.records.backups import BackupOutcome, backup_status, make_backup
from dsl_desk.ui.operations import run_operation
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.widgets.common import hint, section_title


class BackupSettingsCard(QFrame):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self.setObjectName("card")
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 12, 16, 14)
        box.addWidget(section_title(self.tr("Backups")))
        box.addWidget(
            hint(
                self.tr(
                    "DSL Desk backs up at the first start of each day and when you close it. The backups stay encrypted. "
                    "Add a second folder on a USB drive or network share, so a lost laptop does not take them too."
                )
            )
        )
        self.status = QLabel(wordWrap=True)
        box.addWidget(self.status)
        form = QFormLayout()
        self.folder = QLineEdit(accessibleName=self.tr("Second backup folder"))
        self.folder.setPlaceholderText(self.tr("None — backups only in the data folder"))
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self.choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form.addRow(self.tr("Second folder"), row)
        self.generations = QSpinBox(accessibleName=self.tr("Days of backups to keep"))
        self.generations.setRange(1, MAX_GENERATIONS)
        self.generations.setSuffix(self.tr(" days"))
        form.addRow(self.tr("Keep"), self.generations)
        box.addLayout(form)
        self.message = QLabel(wordWrap=True, objectName="error")
        self.message.hide()
        box.addWidget(self.message)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.clicked.connect(self.save)
        self.backup_button = QPushButton(self.tr("&Back up now"))
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton(self.tr("Restore from a backup…"))
        self.restore_button.clicked.connect(self.restore)
        for button in (self.save_button, self.backup_button, self.restore_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        box.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        settings = load_settings(self.ctx.paths)
        self.folder.setText(str(settings.second_folder) if settings.second_folder else "")
        self.generations.setValue(settings.generations)
        if note := settings_note(self.ctx.paths):  # a damaged settings file: say so, and what is used instead
            self._say(note, problem=True)
        status = backup_status(self.ctx)
        self.status.setText(status.message)
        self.status.setObjectName("hint" if status.ok else "error")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Choose the second backup folder"), self.folder.text()
        )
        if chosen:
            self.folder.setText(chosen)

    def save(self) -> bool:
        text = self.folder.text().strip()
        try:
            save_settings(self.ctx, BackupSettings(Path(text) if text else None, self.generations.value()))
        except DeskError as error:
            self._say(str(error), problem=True)
            return False
        self._say(self.tr("Saved."), problem=False)
        self.refresh()
        return True

    def back_up_now(self) -> None:
        ctx = self.ctx

        def done(outcome: BackupOutcome) -> None:
            self._say(outcome.message, problem=bool(outcome.second_folder_problem))
            self.refresh()

        run_operation(
            self,
            lambda: make_backup(ctx, "manual"),
            label=self.tr("Backing up…"),
            on_done=done,
            on_error=lambda error: self._say(str(error), problem=True),
            trigger=(self.backup_button, self.restore_button),
        )

    def restore(self) -> None:
        from dsl_desk.ui.records.restore_wizard import run_restore_wizard

        if run_restore_wizard(self.ctx, self) is not None:
            self.signals.changed.emit(
                Changed(escalations=True, children=True, contacts=True, log=True, settings=True)
            )

    def _say(self, text: str, *, problem: bool) -> None:
        self.message.setObjectName("error" if problem else "hint")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.show()
