"""Settings › Backups through the real widgets: a second folder, back up now, and a vanished folder."""

from __future__ import annotations

from PySide6.QtCore import Qt

from dsl_desk.services.records.backup_settings import load_settings
from dsl_desk.ui.records.backup_settings_card import BackupSettingsCard
from dsl_desk.ui.signals import AppSignals


def _card(qtbot, ctx) -> BackupSettingsCard:
    card = BackupSettingsCard(ctx, AppSignals())
    qtbot.addWidget(card)
    card.show()
    return card


def test_second_folder_saved_and_used_by_back_up_now(qtbot, ctx, tmp_path, finish_operations):
    usb = tmp_path / "usb"
    usb.mkdir()
    card = _card(qtbot, ctx)
    assert "no backup" in card.status.text().lower()
    qtbot.keyClicks(card.folder, str(usb))
    qtbot.mouseClick(card.save_button, Qt.MouseButton.LeftButton)
    assert load_settings(ctx.store.paths).second_folder == usb
    qtbot.mouseClick(card.backup_button, Qt.MouseButton.LeftButton)
    finish_operations()
    assert card.message.text().startswith("Backup made")
    assert any(usb.glob("*.db")), "the second copy is on the USB drive"
    assert any(ctx.store.paths.backups.glob("*.db"))


def test_a_vanished_usb_drive_is_said_plainly_and_the_local_backup_still_made(
    qtbot, ctx, tmp_path, finish_operations
):
    usb = tmp_path / "usb"
    usb.mkdir()
    card = _card(qtbot, ctx)
    qtbot.keyClicks(card.folder, str(usb))
    qtbot.mouseClick(card.save_button, Qt.MouseButton.LeftButton)
    usb.rmdir()  # the drive was unplugged
    qtbot.mouseClick(card.backup_button, Qt.MouseButton.LeftButton)
    finish_operations()
    assert str(usb) in card.message.text()
    assert any(ctx.store.paths.backups.glob("*.db"))


def test_a_folder_inside_the_data_folder_is_refused(qtbot, ctx):
    card = _card(qtbot, ctx)
    qtbot.keyClicks(card.folder, str(ctx.store.paths.root / "inside"))
    qtbot.mouseClick(card.save_button, Qt.MouseButton.LeftButton)
    assert card.message.isVisible()
    assert load_settings(ctx.store.paths).second_folder is None


def test_a_damaged_settings_file_is_said_and_saving_mends_it(qtbot, ctx):
    ctx.store.paths.backup_settings.write_text('{"second_folder": 12, "generations": 4}')
    card = _card(qtbot, ctx)
    assert card.message.isVisible()
    assert "second_folder" in card.message.text() and "defaults" in card.message.text()
    assert card.generations.value() == 4  # what could be read is kept
    qtbot.mouseClick(card.save_button, Qt.MouseButton.LeftButton)
    assert card.message.text() == "Saved."
    assert load_settings(ctx.store.paths).generations == 4
