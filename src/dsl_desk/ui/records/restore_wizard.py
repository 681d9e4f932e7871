"""Restore from a backup: choose one, see what it holds, then replace — the current database is kept first.

Also the dialog offered when the database is damaged and will not open at all (before anyone is signed in).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from dsl_desk.core.clock import Clock, london
from dsl_desk.core.dates_in_words import at_time, long_date, with_time
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services.context import AppContext
from dsl_desk.services.desk.data_folder import DataPaths
from dsl_desk.services.errors import DeskError
from dsl_desk.services.records.backups import (
    BackupFile,
    BackupSummary,
    describe_backup,
    list_available_backups,
)
from dsl_desk.services.records.restore import (
    RestoreResult,
    newest_good_backup,
    restore_backup,
    restore_damaged_database,
)
from dsl_desk.ui.operations import run_and_wait
from dsl_desk.ui.widgets.common import hint

KIND_WORDS = {
    "daily": "daily, at start-up",
    "exit": "on closing",
    "manual": "made by hand",
    "before-restore": "taken before a restore",
    "copy": "copied by hand",
}


def backup_label(backup: BackupFile, data_backups: Path) -> str:
    where = "data folder" if backup.path.parent == data_backups else str(backup.path.parent)
    kind = KIND_WORDS.get(backup.meta.kind, backup.meta.kind)
    return f"{at_time(backup.made_at, long_date)} — {kind} — {where}"


def _error_label() -> QLabel:
    label = QLabel(objectName="error", wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.hide()
    return label


class ChooseBackupPage(QWizardPage):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setTitle(self.tr("Choose a backup"))
        self.setSubTitle(
            self.tr("Backups of this database, newest first. Nothing is replaced until the last step.")
        )
        layout = QVBoxLayout(self)
        self.backups = QListWidget(accessibleName=self.tr("Backups"))
        self.backups.currentItemChanged.connect(self._picked)
        self.backups.itemDoubleClicked.connect(lambda _item: self.wizard().next())
        layout.addWidget(self.backups, 1)
        self.empty = hint(self.tr("No backups were found in the data folder or the second backup folder."))
        layout.addWidget(self.empty)
        row = QHBoxLayout()
        caption = QLabel(self.tr("Backup &file:"))
        row.addWidget(caption)
        self.path = QLineEdit(accessibleName=self.tr("Backup file"))
        caption.setBuddy(self.path)
        self.path.setPlaceholderText(self.tr("…or the full path of a backup's .db file"))
        self.path.textChanged.connect(self.completeChanged)
        row.addWidget(self.path, 1)
        browse = QPushButton(self.tr("&Browse…"))
        browse.clicked.connect(self._browse)
        row.addWidget(browse)
        layout.addLayout(row)
        self.error = _error_label()
        layout.addWidget(self.error)

    def initializePage(self) -> None:
        self.backups.clear()
        for backup in list_available_backups(self.ctx):
            item = QListWidgetItem(backup_label(backup, self.ctx.paths.backups))
            item.setData(Qt.ItemDataRole.UserRole, str(backup.path))
            item.setToolTip(str(backup.path))
            self.backups.addItem(item)
        self.empty.setVisible(self.backups.count() == 0)
        if self.backups.count():
            self.backups.setCurrentRow(0)

    def _picked(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.path.setText(item.data(Qt.ItemDataRole.UserRole))

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a backup"), self.path.text(), self.tr("DSL Desk backups (*.db)")
        )
        if chosen:
            self.backups.setCurrentRow(-1)
            self.path.setText(chosen)

    def isComplete(self) -> bool:
        return bool(self.path.text().strip())

    def validatePage(self) -> bool:
        """Check the backup through its key before showing it: a refused one never reaches the next page."""
        ctx, path = self.ctx, Path(self.path.text().strip())
        try:
            summary = run_and_wait(
                self, lambda: describe_backup(ctx, path), label=self.tr("Opening the backup…")
            )
        except DeskError as error:
            self.error.setText(str(error))
            self.error.show()
            return False
        self.error.hide()
        self.wizard().summary = summary  # type: ignore[attr-defined]
        return True


class ReviewPage(QWizardPage):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setTitle(self.tr("What this backup holds"))
        self.setSubTitle(self.tr("Check it is the one you want. Restoring replaces what is in DSL Desk now."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Restore this backup"))
        layout = QVBoxLayout(self)
        card = QFrame(objectName="card")
        self.facts = QFormLayout(card)
        self.values: dict[str, QLabel] = {}
        for key, label in (
            ("made", self.tr("Made")),
            ("where", self.tr("File")),
            ("children", self.tr("Children")),
            ("escalations", self.tr("Escalations")),
            ("entries", self.tr("Discussion entries")),
            ("newest", self.tr("Newest entry")),
        ):
            value = QLabel(wordWrap=True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts.addRow(f"{label}:", value)
            self.values[key] = value
        layout.addWidget(card)
        self.warning = QLabel(wordWrap=True, objectName="hint")
        layout.addWidget(self.warning)
        self.understood = QCheckBox(
            self.tr("I understand that the current database will be replaced by this backup")
        )
        self.understood.toggled.connect(self.completeChanged)
        layout.addWidget(self.understood)
        layout.addStretch(1)
        self.error = _error_label()
        layout.addWidget(self.error)

    def initializePage(self) -> None:
        summary: BackupSummary = self.wizard().summary  # type: ignore[attr-defined]
        contents = summary.contents
        made = london(summary.made_at)
        self.values["made"].setText(at_time(made, long_date))
        self.values["where"].setText(str(summary.backup.path))
        self.values["children"].setText(str(contents.children))
        self.values["escalations"].setText(str(contents.escalations))
        self.values["entries"].setText(str(contents.entries))
        newest = contents.newest_entry_at
        self.values["newest"].setText(at_time(newest) if newest else self.tr("none — the log is empty"))
        self.warning.setText(
            self.tr(
                "Anything entered after %s will no longer be in the working database. Before anything is "
                "replaced, the current database is backed up to %s, so this restore can itself be undone."
            )
            % (with_time(made), self.ctx.paths.backups)
        )
        self.understood.setChecked(False)
        self.error.hide()

    def isComplete(self) -> bool:
        return self.understood.isChecked()

    def validatePage(self) -> bool:
        wizard = self.wizard()
        ctx, path = self.ctx, wizard.summary.backup.path  # type: ignore[attr-defined]
        try:
            # Off the GUI thread, under a modal progress dialog: a restore must not be interrupted, and the
            # main window's own refresh waits while the database is swapped (ui/operations.exclusive_running).
            wizard.result_value = run_and_wait(  # type: ignore[attr-defined]
                self, lambda: restore_backup(ctx, path), label=self.tr("Restoring the backup…")
            )
        except DeskError as error:
            self.error.setText(str(error))
            self.error.show()
            return False
        return True


class DonePage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Restored"))
        self.setSubTitle(self.tr("DSL Desk is now working from the backup."))
        layout = QVBoxLayout(self)
        self.message = QLabel(wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        layout.addWidget(
            hint(
                self.tr(
                    "The restore is recorded in the audit trail. Check the children and escalations you "
                    "expect are there; re-enter anything recorded after the backup was made."
                )
            )
        )
        layout.addStretch(1)

    def initializePage(self) -> None:
        result: RestoreResult = self.wizard().result_value  # type: ignore[attr-defined]
        self.message.setText(result.message)


class RestoreWizard(QWizard):
    """`result_value` holds the RestoreResult once the restore has been done (the caller then refreshes)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.summary: BackupSummary | None = None
        self.result_value: RestoreResult | None = None
        self.setWindowTitle(self.tr("Restore from a backup"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.choose_page = ChooseBackupPage(ctx)
        self.review_page = ReviewPage(ctx)
        self.done_page = DonePage()
        for page in (self.choose_page, self.review_page, self.done_page):
            self.addPage(page)
        self.resize(760, 520)


def run_restore_wizard(ctx: AppContext, parent: QWidget | None = None) -> RestoreResult | None:
    """Show the wizard; the RestoreResult if a backup was restored (then emit Changed for every page)."""
    wizard = RestoreWizard(ctx, parent)
    wizard.exec()
    return wizard.result_value


# -- when the database is damaged ---------------------------------------------------------------------------


class DamagedDatabaseDialog(QDialog):
    """Offers the newest good backup when the database will not open. `context` is set once restored."""

    def __init__(
        self,
        paths: DataPaths,
        clock: Clock,
        packs: Mapping[str, PolicyPack],
        username: str,
        passphrase: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.paths, self.clock, self.packs = paths, clock, packs
        self._username, self._passphrase = username, passphrase
        self.context: AppContext | None = None
        self.candidate: Path | None = None
        self.setWindowTitle(self.tr("The database is damaged"))
        self.setMinimumWidth(560)
        self._build()
        self.offer(newest_good_backup(paths))

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("The database is damaged and cannot be opened"), objectName="sectionTitle")
        layout.addWidget(title)
        self.explanation = QLabel(wordWrap=True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.explanation)
        self.error = _error_label()
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        self.other_button = QPushButton(self.tr("Choose another &backup…"))
        self.other_button.clicked.connect(self._browse)
        buttons.addWidget(self.other_button)
        buttons.addStretch(1)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.clicked.connect(self.reject)
        buttons.addWidget(cancel)
        self.restore_button = QPushButton(self.tr("&Restore this backup"))
        self.restore_button.setProperty("primary", True)
        self.restore_button.clicked.connect(self.restore)
        buttons.addWidget(self.restore_button)
        layout.addLayout(buttons)

    def offer(self, backup: BackupFile | Path | None) -> None:
        self.candidate = backup.path if isinstance(backup, BackupFile) else backup
        self.restore_button.setEnabled(self.candidate is not None)
        if self.candidate is None:
            self.explanation.setText(
                self.tr(
                    "No good backup was found in %s or the second backup folder. Choose a backup file "
                    "(for example from your USB drive), or ask your IT support for help. The damaged file "
                    "has not been changed."
                )
                % self.paths.backups
            )
            return
        made = at_time(backup.made_at, long_date) if isinstance(backup, BackupFile) else ""
        self.explanation.setText(
            self.tr(
                "The newest good backup is %s:\n%s\n\nRestoring puts it in place of the damaged database. "
                "A copy of the damaged file is kept in %s. Anything entered after the backup was made will "
                "need to be entered again."
            )
            % (made or self.tr("the file you chose"), self.candidate, self.paths.backups)
        )

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a backup"), str(self.paths.backups), self.tr("DSL Desk backups (*.db)")
        )
        if chosen:
            self.offer(Path(chosen))

    def restore(self) -> None:
        if self.candidate is None:
            return
        paths, candidate, username, passphrase = self.paths, self.candidate, self._username, self._passphrase
        clock, packs = self.clock, self.packs
        try:
            self.context = run_and_wait(
                self,
                lambda: restore_damaged_database(
                    paths, candidate, username, passphrase, clock=clock, packs=packs
                ),
                label=self.tr("Restoring the backup…"),
                trigger=self.restore_button,
            )
        except DeskError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self._passphrase = ""
        self.accept()


def offer_restore_after_corruption(
    parent: QWidget | None,
    paths: DataPaths,
    clock: Clock,
    packs: Mapping[str, PolicyPack],
    username: str,
    passphrase: str,
) -> AppContext | None:
    """For the unlock screen on DatabaseCorrupt: the signed-in context after a restore, or None."""
    dialog = DamagedDatabaseDialog(paths, clock, packs, username, passphrase, parent)
    dialog.exec()
    return dialog.context
