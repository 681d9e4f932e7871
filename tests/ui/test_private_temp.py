"""Nothing readable left behind: an attachment opened from the real desk goes in the private folder inside the
data folder (never the system temp folder), under a name without the child's or the file's name, and every
route to locking (and quitting) empties that folder."""

from __future__ import annotations

import os
import stat
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtTest import QTest

from dsl_desk.services.log.discussion_log import NewEntry, log_discussion
from dsl_desk.ui.main_window import MainWindow

CONTENT = b"%PDF-1.4 a letter from the GP about Zephyrine"


@pytest.fixture
def system_temp(tmp_path, monkeypatch) -> Path:
    """An empty stand-in for the system temp folder, where Python, Qt and CUPS would write."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.setenv(name, str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)  # forget the folder Python chose at start
    return folder


@pytest.fixture
def attachment_id(ctx, child_id, clock, tmp_path) -> int:
    source = tmp_path / "source" / "Zephyrine Quillborough GP letter.pdf"
    source.parent.mkdir()
    source.write_bytes(CONTENT)
    entry = log_discussion(ctx, NewEntry(child_id, clock.now(), "letter", "GP letter", attachments=(source,)))
    return entry.attachments[0].id


@pytest.fixture
def opened(monkeypatch) -> list[Path]:
    """What the desk asked the desktop to open (no real viewer is started in a test)."""
    urls: list[Path] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(Path(url.toLocalFile())) or True)
    return urls


@pytest.fixture
def window(qtbot, ctx, data_paths, clock, packs, tmp_path, system_temp):
    main = MainWindow(ctx, data_paths, clock, packs)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


def _open_from_the_log_page(window, child_id: int, attachment_id: int, opened: list[Path]) -> Path:
    page = window.show_page("log")
    page.show_child_log(child_id)
    page.chronology.browser.anchorClicked.emit(QUrl(f"attachment:{attachment_id}"))
    [path] = opened
    return path


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_an_opened_attachment_is_in_the_private_folder_without_the_childs_name(
    window, child_id, attachment_id, opened, data_paths, system_temp
):
    path = _open_from_the_log_page(window, child_id, attachment_id, opened)
    assert path.parent == data_paths.private_temp
    assert path.read_bytes() == CONTENT
    for word in ("Zephyrine", "Quillborough", "GP", "letter"):
        assert word.lower() not in path.name.lower()
    assert path.suffix == ".pdf"  # so the viewer knows what it is
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_paths.private_temp.stat().st_mode) == 0o700
    assert _listing(system_temp) == []


def _toolbar(qtbot, window) -> None:
    button = window.toolbar.widgetForAction(window.actions_by_name["lock"])
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _shortcut(qtbot, window) -> None:
    key = QKeySequence("Ctrl+Shift+L")[0]
    QTest.keyClick(window, key.key(), key.keyboardModifiers())


def _idle(qtbot, window) -> None:
    window.clock.advance(timedelta(minutes=10))
    window.idle_guard.check()  # what the guard's timer calls every 15 seconds


def _lock_requested(qtbot, window) -> None:
    window.signals.lock_requested.emit()


@pytest.mark.parametrize("lock", [_toolbar, _shortcut, _idle, _lock_requested], ids=lambda f: f.__name__[1:])
def test_locking_by_any_route_empties_the_private_folder(
    qtbot, window, child_id, attachment_id, opened, data_paths, system_temp, lock
):
    path = _open_from_the_log_page(window, child_id, attachment_id, opened)
    assert path.exists()
    lock(qtbot, window)
    assert window.is_locked
    assert not path.exists()
    assert _listing(data_paths.private_temp) == []
    assert data_paths.private_temp.is_dir()  # the folder stays, owner-only, for the next unlock
    assert _listing(system_temp) == []


def test_quitting_empties_the_private_folder(
    window, child_id, attachment_id, opened, data_paths, system_temp
):
    _open_from_the_log_page(window, child_id, attachment_id, opened)
    window.close()
    assert _listing(data_paths.private_temp) == []
    assert _listing(system_temp) == []


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root removes files from a read-only folder"
)
def test_a_file_that_cannot_be_removed_is_said_plainly_and_locking_still_happens(
    window, child_id, attachment_id, opened, data_paths
):
    path = _open_from_the_log_page(window, child_id, attachment_id, opened)
    # A viewer holding the file open on Windows refuses its removal; a read-only folder does the same here.
    stuck = data_paths.private_temp / "held-open"
    stuck.mkdir()
    (stuck / "page.png").write_bytes(b"png")
    stuck.chmod(0o500)
    try:
        window.lock()
        assert window.is_locked
        assert not path.exists()
        assert "could not be removed yet" in window.statusBar().currentMessage()
    finally:
        stuck.chmod(0o700)
