"""The unlock screen: the real widgets against a real encrypted database."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from dsl_desk.ui.unlock import UnlockPanel
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
