"""A database that opens but has a damaged page: found by whatever screen reads it first, never a crash.

Found by hand: a page overwritten in the middle of the file let the database open (its header is intact),
then the dashboard's first query failed and the window closed with a traceback.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from dsl_desk.services.desk.setup import sign_in
from dsl_desk.store.errors import DatabaseCorrupt
from dsl_desk.store.models import ClosureDay
from dsl_desk.ui.main_window import MainWindow
from tests.conftest import PASSPHRASE

PAGE_SIZE = 4096  # SQLCipher 4's default, which DSL Desk uses


def _damage_closure_days(ctx, data_paths, clock, packs):
    """Overwrite part of the page holding the closure days (read by the dashboard, not by signing in)."""
    with ctx.store.session() as session:
        root = session.execute(
            text("SELECT rootpage FROM sqlite_master WHERE name = 'closure_days'")
        ).scalar_one()
    ctx.close()
    with data_paths.database.open("r+b") as file:
        file.seek((root - 1) * PAGE_SIZE + 200)
        file.write(b"\x41" * 512)
    return sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock, packs=packs)


def test_a_damaged_page_is_reported_as_damage(ctx, data_paths, clock, packs):
    damaged = _damage_closure_days(ctx, data_paths, clock, packs)
    with pytest.raises(DatabaseCorrupt, match="is damaged and cannot be read"), damaged.store.session() as s:
        s.scalars(select(ClosureDay)).all()
    damaged.close()


def test_the_desk_locks_and_offers_a_backup_instead_of_crashing(
    qtbot, ctx, data_paths, clock, packs, tmp_path
):
    damaged = _damage_closure_days(ctx, data_paths, clock, packs)
    window = MainWindow(damaged, data_paths, clock, packs)  # raised before the fix
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.is_locked, timeout=5000)
    panel = window.unlock_panel
    assert panel._damage_found
    assert (
        "damaged" in panel.message.text()
    )  # from the dashboard's read or the start-up check, whichever first
    assert "Type your passphrase to choose a backup to restore." in panel.message.text()
    assert not damaged.store.is_open  # the key was dropped even though the lock could not be recorded
