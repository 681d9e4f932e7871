"""Every file DSL Desk writes in its data folder is one DataPaths names: a demo made by the command line, then the
window opened on it headless, every page visited, the window locked and unlocked, a backup setting saved, and the
window closed (a backup on exit)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt

import dsl_desk
from dsl_desk.core.clock import FixedClock
from dsl_desk.services.desk.policies import load_policies
from dsl_desk.services.desk.setup import sign_in
from dsl_desk.store.paths import DataPaths
from dsl_desk.ui.main_window import MainWindow
from dsl_desk.ui.navigation import NAVIGATION
from dsl_desk.ui.records.backup_settings_card import BackupSettingsCard

DEMO_USER, DEMO_PASSPHRASE = "demo.dsl", "demo passphrase"


def _everything_in(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*"))


def test_every_file_a_demo_and_its_window_write_is_named(qtbot, tmp_path):
    paths = DataPaths(tmp_path / "desk")
    made = subprocess.run(
        [sys.executable, "-m", "dsl_desk", "--data-dir", str(paths.root), "demo", "--no-gui"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(dsl_desk.__file__).parents[1])},
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    clock = FixedClock(datetime.now(UTC))
    packs = dict(load_policies(paths).packs)
    window = MainWindow(
        sign_in(paths, DEMO_USER, DEMO_PASSPHRASE, clock=clock, packs=packs), paths, clock, packs
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    for key, _title, _factory in NAVIGATION:
        window._ensure_page(key)
    window.lock()
    qtbot.keyClicks(window.unlock_panel.secret, DEMO_PASSPHRASE)  # the demo's one account is the one offered
    with qtbot.waitSignal(window.unlocked, timeout=60_000):
        qtbot.keyClick(window.unlock_panel.secret, Qt.Key.Key_Return)
    card = window._ensure_page("settings").findChild(BackupSettingsCard)
    card.generations.setValue(12)
    assert card.save()
    window.close()

    unnamed = [
        str(path.relative_to(paths.root)) for path in _everything_in(paths.root) if not paths.name_of(path)
    ]
    assert unnamed == [], "written in the data folder without a name in DataPaths"
    left = [p.name for p in _everything_in(paths.root) if paths.name_of(p) == "transient"]
    assert left == [], "a temporary file outlived the code that made it"
    # The window wrote its layout here, and the backup on exit went to the named folder.
    assert paths.window_state.is_file()
    assert paths.settings.backup.load().value.generations == 12
    assert any(paths.backups.glob("*.db"))


def test_nothing_in_the_package_uses_the_platform_settings_store():
    package = Path(dsl_desk.__file__).parent
    users = [
        str(p.relative_to(package)) for p in package.rglob("*.py") if "QSettings" in p.read_text("utf-8")
    ]
    assert users == [], "window state belongs in the data folder (DataPaths.settings), not QSettings"
