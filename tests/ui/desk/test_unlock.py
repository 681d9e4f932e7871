"""The unlock screen: the real widgets against a real encrypted database."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from dsl_desk.ui.desk.unlock import UnlockPanel
from tests.conftest import PASSPHRASE


def _panel(qtbot, data_paths, clock, packs) -> UnlockPanel:
    panel = UnlockPanel(data_paths, clock, packs)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def test_right_passphrase_unlocks(qtbot, ctx, data_paths, clock, packs):
    ctx.close()
    panel = _panel(qtbot, data_paths, clock, packs)
    assert panel.account.currentData() == "j.smith"
    qtbot.keyClicks(panel.secret, PASSPHRASE)
    with qtbot.waitSignal(panel.unlocked, timeout=5000) as signal:
        qtbot.mouseClick(panel.unlock_button, Qt.MouseButton.LeftButton)
    opened = signal.args[0]
    assert opened.actor.username == "j.smith"
    assert panel.secret.text() == ""  # the passphrase does not linger in the field
    opened.close()


def test_wrong_passphrase_says_so_then_makes_you_wait(qtbot, ctx, data_paths, clock, packs):
    ctx.close()
    panel = _panel(qtbot, data_paths, clock, packs)
    emitted = []
    panel.unlocked.connect(emitted.append)
    for _ in range(3):
        panel.secret.clear()
        qtbot.keyClicks(panel.secret, "wrong passphrase")
        qtbot.keyClick(panel.secret, Qt.Key.Key_Return)
    assert emitted == []
    assert panel.message.isVisible()
    assert "wait 2 seconds" in panel.message.text()
    assert not panel.unlock_button.isEnabled()
    clock.advance(timedelta(seconds=3))
    panel.refresh_wait()  # what the countdown timer calls each second
    assert panel.unlock_button.isEnabled()


def test_recovery_key_mode(qtbot, recovery_ctx, data_paths, clock, packs):
    ctx, recovery_key = recovery_ctx
    ctx.close()
    panel = _panel(qtbot, data_paths, clock, packs)
    qtbot.mouseClick(panel.mode_button, Qt.MouseButton.LeftButton)
    assert "recovery key" in panel.secret_label.text().lower()
    qtbot.keyClicks(panel.secret, recovery_key)
    with qtbot.waitSignal(panel.unlocked, timeout=5000) as signal:
        qtbot.keyClick(panel.secret, Qt.Key.Key_Return)
    signal.args[0].close()


def test_damaged_keyring_is_explained_and_unlock_disabled(qtbot, ctx, data_paths, clock, packs):
    ctx.close()
    data_paths.keyring.write_text("garbage")
    panel = _panel(qtbot, data_paths, clock, packs)
    assert "damaged" in panel.message.text()
    assert str(data_paths.keyring) in panel.message.text()
    assert not panel.unlock_button.isEnabled()


# -- never locked out ------------------------------------------------------------------------------------------


def _dialog(qtbot, data_paths, clock, packs):
    from dsl_desk.ui.desk.unlock import UnlockDialog

    dialog = UnlockDialog(data_paths, clock, packs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _type_and_enter(qtbot, field, text: str) -> None:
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def _failures(data_paths) -> int:
    from dsl_desk.store.throttle import UnlockThrottle

    return UnlockThrottle.for_data(data_paths).failures()


def test_enter_on_a_wrong_passphrase_shows_the_error_and_keeps_the_screen(
    qtbot, ctx, data_paths, clock, packs
):
    """In the start-up dialog Enter also pressed 'Use the recovery key instead': the error vanished."""
    ctx.close()
    dialog = _dialog(qtbot, data_paths, clock, packs)
    panel = dialog.panel
    panel.secret.setFocus()
    _type_and_enter(qtbot, panel.secret, "wrong passphrase")
    assert not panel._recovery_mode
    assert panel.secret_label.text() == "&Passphrase"
    assert panel.message.isVisible()
    assert "passphrase is not right" in panel.message.text()
    assert dialog.focusWidget() is panel.secret
    assert panel.secret.selectedText() == "wrong passphrase"  # typing again replaces it
    assert _failures(data_paths) == 1  # one Enter, one attempt
    assert dialog.isVisible() and dialog.context is None


def test_the_wait_disables_the_field_with_a_countdown_then_the_right_passphrase_works(
    qtbot, ctx, data_paths, clock, packs
):
    ctx.close()
    dialog = _dialog(qtbot, data_paths, clock, packs)
    panel = dialog.panel
    panel.secret.setFocus()
    for _ in range(3):
        _type_and_enter(qtbot, panel.secret, "wrong passphrase")
    assert "passphrase is not right" in panel.message.text()
    assert not panel.secret.isEnabled() and not panel.unlock_button.isEnabled()
    assert panel.wait_label.isVisible()
    assert panel.wait_label.text() == "Please wait 2 seconds before trying again."
    clock.advance(timedelta(seconds=1))
    panel._countdown.timeout.emit()  # what the countdown timer does each second
    assert panel.wait_label.text() == "Please wait 1 second before trying again."
    assert not panel.secret.isEnabled()
    clock.advance(timedelta(seconds=1))
    panel._countdown.timeout.emit()
    assert panel.secret.isEnabled() and panel.unlock_button.isEnabled()
    assert not panel.wait_label.isVisible()
    assert dialog.focusWidget() is panel.secret
    _type_and_enter(qtbot, panel.secret, PASSPHRASE)
    assert dialog.context is not None
    assert dialog.context.actor.username == "j.smith"
    dialog.context.close()


def test_the_recovery_key_is_open_while_the_passphrase_waits(qtbot, recovery_ctx, data_paths, clock, packs):
    ctx, recovery_key = recovery_ctx
    ctx.close()
    panel = _panel(qtbot, data_paths, clock, packs)
    for _ in range(5):
        clock.advance(timedelta(minutes=5))
        panel.refresh_wait()
        _type_and_enter(qtbot, panel.secret, "wrong passphrase")
    assert not panel.secret.isEnabled()
    qtbot.mouseClick(panel.mode_button, Qt.MouseButton.LeftButton)
    assert panel.secret.isEnabled() and panel.unlock_button.isEnabled()
    qtbot.keyClicks(panel.secret, recovery_key)
    with qtbot.waitSignal(panel.unlocked, timeout=5000) as signal:
        qtbot.keyClick(panel.secret, Qt.Key.Key_Return)
    signal.args[0].close()


def test_a_damaged_key_file_is_called_damaged_and_a_backup_of_it_opens_the_desk(
    qtbot, ctx, data_paths, clock, packs
):
    import base64
    import json

    from dsl_desk.services.people.children import add_child, list_children
    from dsl_desk.services.records.backups import make_backup
    from tests.conftest import fictional_child

    make_backup(ctx)
    add_child(ctx, fictional_child("After", "Backup"))
    ctx.close()
    raw = json.loads(data_paths.keyring.read_text())
    ciphertext = bytearray(base64.b64decode(raw["users"][0]["wrapped"]["ciphertext"]))
    ciphertext[0] ^= 0x80
    raw["users"][0]["wrapped"]["ciphertext"] = base64.b64encode(bytes(ciphertext)).decode()
    data_paths.keyring.write_text(json.dumps(raw))
    panel = _panel(qtbot, data_paths, clock, packs)
    for _ in range(4):
        _type_and_enter(qtbot, panel.secret, PASSPHRASE)
    assert "damaged" in panel.message.text()
    assert "passphrase is not right" not in panel.message.text()
    assert _failures(data_paths) == 0
    assert panel.secret.isEnabled()  # no wait: damage is not a wrong attempt
    assert panel.restore_key_button.isVisible()
    assert panel.mode_button.isEnabled()  # the recovery key is offered too
    with qtbot.waitSignal(panel.unlocked, timeout=5000) as signal:
        qtbot.mouseClick(panel.restore_key_button, Qt.MouseButton.LeftButton)
    opened = signal.args[0]
    assert [row.name for row in list_children(opened)] == ["After Backup"]  # nothing entered since is lost
    opened.close()


def test_an_unreadable_key_file_lists_the_backups_accounts_to_restore_it(
    qtbot, ctx, data_paths, clock, packs
):
    from dsl_desk.services.records.backups import make_backup

    make_backup(ctx)
    ctx.close()
    data_paths.keyring.write_text("garbage")
    panel = _panel(qtbot, data_paths, clock, packs)
    assert panel.account.currentData() == "j.smith"
    assert panel.restore_key_button.isVisible()
    qtbot.keyClicks(panel.secret, PASSPHRASE)
    with qtbot.waitSignal(panel.unlocked, timeout=5000) as signal:
        qtbot.mouseClick(panel.restore_key_button, Qt.MouseButton.LeftButton)
    signal.args[0].close()


def test_a_missing_key_file_comes_back_with_the_recovery_key_and_enter(
    qtbot, recovery_ctx, data_paths, clock, packs
):
    from dsl_desk.services.records.backups import make_backup

    ctx, recovery_key = recovery_ctx
    make_backup(ctx)
    ctx.close()
    data_paths.keyring.unlink()
    panel = _panel(qtbot, data_paths, clock, packs)
    assert "missing" in panel.message.text()
    qtbot.mouseClick(panel.mode_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(panel.secret, recovery_key)
    with qtbot.waitSignal(panel.unlocked, timeout=5000) as signal:
        qtbot.keyClick(panel.secret, Qt.Key.Key_Return)
    signal.args[0].close()
    assert data_paths.keyring.exists()


def test_the_unlock_screen_opens_whatever_the_failure_record_holds(qtbot, ctx, data_paths, clock, packs):
    """With 49 failures on record the screen used to die building itself (OverflowError): the GUI could not start."""
    import json

    ctx.close()
    data_paths.unlock_state.write_text(
        json.dumps({"failures": 10**6, "last_failure_at": "9999-12-31T23:59:59+00:00"})
    )
    data_paths.unlock_state_copy.write_text("{ not json")
    dialog = _dialog(qtbot, data_paths, clock, packs)
    panel = dialog.panel
    assert panel.wait_label.text() == "Please wait 300 seconds before trying again."
    assert not panel.secret.isEnabled()
    clock.advance(timedelta(minutes=5))
    panel._countdown.timeout.emit()
    assert panel.secret.isEnabled()
    _type_and_enter(qtbot, panel.secret, PASSPHRASE)
    assert dialog.context is not None
    dialog.context.close()
