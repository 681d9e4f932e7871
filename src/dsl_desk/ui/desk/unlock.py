"""The unlock screen: choose an account, type the passphrase (or the recovery key), and nothing opens until
the key unwraps. Used at start-up and whenever the desk is locked."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dsl_desk import APP_NAME
from dsl_desk.core.clock import Clock
from dsl_desk.services.context import AppContext
from dsl_desk.services.desk.data_folder import DataPaths
from dsl_desk.services.desk.door import Door, read_door, seconds_words, wait_before_next_try
from dsl_desk.services.errors import DatabaseCorrupt, DeskError, KeyringDamaged
from dsl_desk.ui import preload
from dsl_desk.ui.operations import run_and_wait

if TYPE_CHECKING:
    from dsl_desk.core.policy import PolicyPack


class UnlockPanel(QWidget):
    """Emits `unlocked(AppContext)` once a passphrase or the recovery key opens the database."""

    unlocked = Signal(object)

    def __init__(
        self, paths: DataPaths, clock: Clock, packs: Mapping[str, PolicyPack], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.paths = paths
        self.clock = clock
        self.packs = packs
        self.keyring: Door | None = None
        self._recovery_mode = False
        self._damage_found = False  # set when the open desk found a damaged page: unlocking restores
        self._waiting = False  # a wait after failed attempts is running: the field and button are off
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self.refresh_wait)
        self._build()
        self.reload_accounts()

    # -- layout -------------------------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        card = QFrame(objectName="card")
        card.setMaximumWidth(520)
        card.setMinimumWidth(420)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(28, 24, 28, 24)
        title = QLabel(self.tr("%s is locked") % APP_NAME, objectName="pageTitle")
        layout.addWidget(title)
        self.demo_banner = QFrame(objectName="demoBanner")
        demo_layout = QVBoxLayout(self.demo_banner)
        self.demo_label = QLabel(wordWrap=True)
        demo_layout.addWidget(self.demo_label)
        self.demo_banner.hide()
        layout.addWidget(self.demo_banner)
        self.explanation = QLabel(wordWrap=True, objectName="hint")
        layout.addWidget(self.explanation)
        form = QFormLayout()
        self.account = QComboBox()
        self.account.setAccessibleName(self.tr("Account"))
        form.addRow(self.tr("&Account"), self.account)
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setAccessibleName(self.tr("Passphrase"))
        self.secret.returnPressed.connect(self.try_unlock)
        self.secret_label = QLabel(self.tr("&Passphrase"))
        self.secret_label.setBuddy(self.secret)
        form.addRow(self.secret_label, self.secret)
        layout.addLayout(form)
        self._build_buttons(layout)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def _build_buttons(self, layout: QVBoxLayout) -> None:
        self.message = QLabel(wordWrap=True, objectName="error")
        self.message.setAccessibleName(self.tr("Unlock message"))
        self.message.hide()
        layout.addWidget(self.message)
        self.wait_label = QLabel(wordWrap=True, objectName="hint")
        self.wait_label.setAccessibleName(self.tr("Wait before the next try"))
        self.wait_label.hide()
        layout.addWidget(self.wait_label)
        self.restore_key_button = QPushButton(self.tr("Restore the key file from a &backup"))
        self.restore_key_button.setAutoDefault(False)
        self.restore_key_button.setToolTip(
            self.tr("Puts back a backup's copy of the key file; the records themselves are not replaced.")
        )
        self.restore_key_button.clicked.connect(self.restore_key_file)
        self.restore_key_button.hide()
        layout.addWidget(self.restore_key_button)
        buttons = QHBoxLayout()
        self.mode_button = QPushButton(self.tr("Use the &recovery key instead"))
        self.mode_button.setFlat(True)
        # Enter in the passphrase field means "unlock" and nothing else: no button of the panel is a default
        # button, which a dialog would also press (it pressed this one, switching to the recovery key).
        self.mode_button.setAutoDefault(False)
        self.mode_button.clicked.connect(self.toggle_recovery_mode)
        buttons.addWidget(self.mode_button)
        buttons.addStretch(1)
        self.unlock_button = QPushButton(self.tr("&Unlock"))
        self.unlock_button.setProperty("primary", True)
        self.unlock_button.setAutoDefault(False)
        self.unlock_button.clicked.connect(self.try_unlock)
        buttons.addWidget(self.unlock_button)
        layout.addLayout(buttons)
        self.file_label = QLabel(objectName="hint", wordWrap=True)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.file_label)

    def reload_accounts(self) -> None:
        self.file_label.setText(self.tr("Data file: %s") % self.paths.database)
        self.account.clear()
        try:
            self.keyring = read_door(self.paths)
        except DeskError as error:
            self.keyring = None
            self._show_message(str(error))
            self.unlock_button.setEnabled(False)
            if isinstance(error, KeyringDamaged):
                # The accounts are listed from the backups' copies of the key file, to restore one.
                from dsl_desk.services.records.restore import accounts_in_backups

                for username in accounts_in_backups(self.paths):
                    self.account.addItem(username, username)
                self.restore_key_button.setVisible(True)
            self.refresh_wait()
            return
        self.restore_key_button.hide()
        for account in self.keyring.accounts:
            self.account.addItem(f"{account.display_name} ({account.username})", account.username)
        self.demo_banner.setVisible(self.keyring.demo)
        if self.keyring.demo:
            from dsl_desk.services.demo import DEMO_PASSPHRASE

            self.demo_label.setText(
                self.tr("DEMO DATABASE — every child and professional in it is fictional. Passphrase: “%s”")
                % DEMO_PASSPHRASE
            )
        self._update_mode_texts()
        self.refresh_wait()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.secret.setFocus()  # the one thing to do on this screen is type the passphrase

    # -- behaviour ----------------------------------------------------------------------------------------------

    def toggle_recovery_mode(self) -> None:
        self._recovery_mode = not self._recovery_mode
        self.secret.clear()
        self.message.hide()
        self._update_mode_texts()
        self.refresh_wait()  # each has its own wait: mistyped passphrases never keep the recovery key out
        self.secret.setFocus()

    def _update_mode_texts(self) -> None:
        if self._recovery_mode:
            self.explanation.setText(
                self.tr(
                    "Type the recovery key from the sheet printed at set-up: 8 groups of 4 letters and digits. "
                    "After unlocking, set a new passphrase in Settings."
                )
            )
            self.secret_label.setText(self.tr("&Recovery key"))
            self.secret.setEchoMode(QLineEdit.EchoMode.Normal)
            self.secret.setAccessibleName(self.tr("Recovery key"))
            self.mode_button.setText(self.tr("Use my &passphrase instead"))
        else:
            self.explanation.setText(
                self.tr("Choose your account and type your passphrase to open the records.")
            )
            self.secret_label.setText(self.tr("&Passphrase"))
            self.secret.setEchoMode(QLineEdit.EchoMode.Password)
            self.secret.setAccessibleName(self.tr("Passphrase"))
            self.mode_button.setText(self.tr("Use the &recovery key instead"))

    def refresh_wait(self) -> None:
        """While a wait after failed attempts runs, the field and the button are off, with a countdown; once it
        is over they come back, with the cursor in the field."""
        remaining = wait_before_next_try(self.paths, self.clock.now(), recovery_key=self._recovery_mode)
        if remaining.total_seconds() > 0:
            seconds = max(1, math.ceil(remaining.total_seconds()))
            self._waiting = True
            self.secret.setEnabled(False)
            self.unlock_button.setEnabled(False)
            self.restore_key_button.setEnabled(False)
            self.wait_label.setText(self.tr("Please wait %s before trying again.") % seconds_words(seconds))
            self.wait_label.show()
            if not self._countdown.isActive():
                self._countdown.start()
            return
        self._countdown.stop()
        self.wait_label.hide()
        self.secret.setEnabled(True)
        self.restore_key_button.setEnabled(True)
        self.unlock_button.setEnabled(self.keyring is not None)
        if self._waiting:
            self._waiting = False
            if "wait" in self.message.text():
                self.message.hide()  # "you must wait N seconds" is over
            self.secret.setFocus()
            self.secret.selectAll()  # what was typed before the wait is replaced by typing again

    def try_unlock(self) -> None:
        self._finish_loading()
        if self.keyring is None and self.restore_key_button.isVisible():
            self.restore_key_file()  # the key file cannot be read: Enter restores it from a backup
        else:
            self._unlock_with_secret()

    def _finish_loading(self) -> None:
        """The store, the services and the policy packs loaded while the person typed (ui/preload.py): wait
        for whatever is left before signing in."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            preload.finish()
        finally:
            QGuiApplication.restoreOverrideCursor()

    def _unlock_with_secret(self) -> None:
        self.refresh_wait()
        if not self.unlock_button.isEnabled():
            return
        username = self.account.currentData()
        secret = self.secret.text()
        if not secret:
            self._show_message(
                self.tr("Type your passphrase first.")
                if not self._recovery_mode
                else self.tr("Type the recovery key first.")
            )
            return
        if self._damage_found and not self._recovery_mode:
            self._unlock_by_restoring(username, secret)
            return
        from dsl_desk.services.desk.setup import sign_in, sign_in_with_recovery_key

        paths, clock, packs = self.paths, self.clock, self.packs
        enter = sign_in_with_recovery_key if self._recovery_mode else sign_in
        try:
            # Argon2id and opening the encrypted database take a second or two: off the GUI thread.
            ctx = run_and_wait(
                self,
                lambda: enter(paths, username, secret, clock=clock, packs=packs),
                label=self.tr("Signing in…"),
                trigger=self.unlock_button,
            )
        except DatabaseCorrupt as error:
            self._show_message(str(error))
            ctx = self._offer_restore(username, secret)
            if ctx is None:
                return
        except KeyringDamaged as error:
            # Not a wrong passphrase and not counted as one: offer the way back (a backup's key file).
            self._show_message(str(error))
            self.restore_key_button.setVisible(True)
            self._keep_typing()
            return
        except DeskError as error:
            self._show_message(str(error))
            if self._recovery_mode and self.keyring is not None and self.keyring.unsealed:
                # Neither secret opens an old key file that has no checksum: it may be damaged after all.
                self.restore_key_button.setVisible(True)
            self._keep_typing()
            return
        self._finish(ctx)

    def _unlock_by_restoring(self, username: str, secret: str) -> None:
        # The desk found damage after it had opened: the passphrase goes straight to restoring a backup.
        ctx = self._offer_restore(username, secret)
        if ctx is None:
            return
        self._damage_found = False
        self._finish(ctx)

    def _keep_typing(self) -> None:
        """After a refusal: the same screen, the message shown, the cursor in the field to type again."""
        self.refresh_wait()
        if self.secret.isEnabled():
            self.secret.setFocus()
            self.secret.selectAll()

    def _finish(self, ctx: AppContext) -> None:
        self.secret.clear()
        self.message.hide()
        self.restore_key_button.hide()
        self.unlocked.emit(ctx)

    def restore_key_file(self) -> None:
        """The key file is damaged: put back a backup's copy, checked with the passphrase or recovery key typed."""
        self.refresh_wait()
        username = self.account.currentData()
        secret = self.secret.text()
        if not secret or not username:
            self._show_message(
                self.tr("Choose your account and type the recovery key first.")
                if self._recovery_mode
                else self.tr("Choose your account and type your passphrase first.")
            )
            return
        if not self.secret.isEnabled():
            return
        self._finish_loading()
        from dsl_desk.services.records.restore import restore_key_file

        paths, clock, packs, recovery = self.paths, self.clock, self.packs, self._recovery_mode
        try:
            ctx = run_and_wait(
                self,
                lambda: restore_key_file(
                    paths, username, secret, clock=clock, packs=packs, recovery=recovery
                ),
                label=self.tr("Restoring the key file…"),
                trigger=self.restore_key_button,
            )
        except DeskError as error:
            self._show_message(str(error))
            self._keep_typing()
            return
        self._finish(ctx)

    def expect_damage(self, message: str) -> None:
        """Shown after the desk locked itself on finding a damaged database: unlocking offers a backup."""
        self._damage_found = True
        self._show_message(message + "\n\n" + self.tr("Type your passphrase to choose a backup to restore."))

    def _offer_restore(self, username: str, secret: str) -> AppContext | None:
        """A damaged database: offer the newest good backup (restoring checks the passphrase again)."""
        if self._recovery_mode:
            return None  # restoring needs an account passphrase; the message already says what happened
        from dsl_desk.ui.records.restore_wizard import offer_restore_after_corruption

        return offer_restore_after_corruption(self, self.paths, self.clock, self.packs, username, secret)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()


class UnlockDialog(QDialog):
    """The start-up form of the unlock screen. `context` holds the AppContext once accepted."""

    def __init__(
        self, paths: DataPaths, clock: Clock, packs: Mapping[str, PolicyPack], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Unlock %s") % APP_NAME)
        self.context: AppContext | None = None
        self.panel = UnlockPanel(paths, clock, packs, self)
        self.panel.unlocked.connect(self._accept_context)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        self.resize(640, 460)

    def _accept_context(self, ctx: AppContext) -> None:
        self.context = ctx
        self.accept()
