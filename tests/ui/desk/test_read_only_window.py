"""The window on a full disk: open read-only with a banner saying why, the records readable, changes refused;
and the first-run wizard offering an unfinished set-up again."""

from __future__ import annotations

import sys

import pytest

from dsl_desk.services.desk.setup import initialise, sign_in
from dsl_desk.services.people.children import add_child
from dsl_desk.store.errors import ReadOnlyDesk
from dsl_desk.store.paths import DataPaths
from dsl_desk.ui.desk.setup_wizard import SetupWizard
from dsl_desk.ui.main_window import MainWindow
from tests.conftest import FAST_KDF, PASSPHRASE, fictional_child
from tests.store.mounts import fill, tmpfs


@pytest.fixture
def full_desk(tmp_path, clock, profile, first_user, packs):
    with tmpfs(tmp_path / "disk", "4m") as disk:
        paths = DataPaths(disk / "data")
        ctx, _ = initialise(paths, profile, first_user, clock=clock, packs=packs, kdf=FAST_KDF)
        add_child(ctx, fictional_child())
        ctx.close()
        fill(disk)
        yield paths


def test_a_full_disk_opens_the_window_read_only_with_a_banner(qtbot, full_desk, clock, packs, tmp_path):
    ctx = sign_in(full_desk, "j.smith", PASSPHRASE, clock=clock, packs=packs)
    window = MainWindow(ctx, full_desk, clock, packs)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.read_only_banner.isVisible()
    assert "cannot be written to (disk full): DSL Desk is open read-only" in window.read_only_label.text()
    assert not window.actions_by_name["new_escalation"].isEnabled()
    assert not window.actions_by_name["log_discussion"].isEnabled()
    assert window.actions_by_name["lock"].isEnabled()
    window.show_page("children")  # reading still works
    from dsl_desk.services.people.children import list_children

    assert [row.name for row in list_children(window.ctx)] == ["Zephyrine Quillborough"]
    window.close()  # no backup on exit is attempted (it would need room), and nothing fails
    assert not full_desk.backups.exists()


def test_a_storage_error_no_page_caught_is_shown_plainly(monkeypatch):
    from dsl_desk import app
    from dsl_desk.ui import messages

    shown: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda _parent, _title, message: shown.append(message))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    app._show_store_errors_plainly()
    error = ReadOnlyDesk("The data folder X cannot be written to (disk full): DSL Desk is open read-only")
    sys.excepthook(ReadOnlyDesk, error, None)
    assert shown == [str(error)]


def test_the_first_run_offers_an_unfinished_set_up_again(qtbot, data_paths, clock, packs):
    data_paths.setup_staging.mkdir(parents=True)  # what a set-up killed part-way leaves
    wizard = SetupWizard(data_paths, clock, packs, kdf=FAST_KDF)
    qtbot.addWidget(wizard)
    assert "Set-up did not finish last time; start it again" in wizard.welcome_page.subTitle()
