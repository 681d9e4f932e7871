"""A backup killed with SIGKILL mid-way leaves the live database and the last good backup whole, and its
half-written file is never taken for a backup."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date

import pytest
from sqlalchemy import text

from dsl_desk.services.desk.setup import sign_in
from dsl_desk.services.records import backups as bs
from dsl_desk.services.records import restore
from dsl_desk.store import backup as bk
from dsl_desk.store.models import Child
from tests.conftest import PASSPHRASE

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

BACKER_UPPER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from dsl_desk.core.clock import FixedClock
    from dsl_desk.services.records.backups import make_backup
    from dsl_desk.services.desk.setup import sign_in
    from dsl_desk.store.paths import DataPaths

    ctx = sign_in(DataPaths(Path(sys.argv[1])), "j.smith", sys.argv[2],
                  clock=FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC)))
    while True:
        print("start", flush=True)
        outcome = make_backup(ctx, "manual")
        print("done", outcome.backup.path, flush=True)
    """
)


def _fill(ctx, megabytes: int) -> None:
    """A database big enough that one backup takes a noticeable moment (written directly, for speed)."""
    now = ctx.clock.now()
    with ctx.store.session() as session:
        session.add_all(
            Child(
                given_names=f"Bulk{n}",
                family_name="Crashtest",
                date_of_birth=date(2015, 1, 1),
                address=os.urandom(4000).hex(),  # random: nothing compresses or dedupes it
                created_at=now,
                created_by_id=ctx.actor.user_id,
            )
            for n in range(megabytes * 128)
        )


def _partials(folder) -> list:
    return list(folder.glob(f".*{bk.PARTIAL_SUFFIX}"))


def test_sigkill_mid_backup_leaves_live_database_and_last_backup_whole(ctx, data_paths, clock):
    _fill(ctx, 24)
    ctx.close()
    process = subprocess.Popen(
        [sys.executable, "-c", BACKER_UPPER, str(data_paths.root), PASSPHRASE],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    done = 0
    deadline = time.monotonic() + 90
    while done < 2 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        done += line.startswith("done")
    assert done == 2, "the backup loop did not get going"
    # Wait (busy, not sleeping) until the third backup's partial file has begun to fill, then kill.
    partial_seen = False
    while time.monotonic() < deadline and process.poll() is None:
        found = _partials(data_paths.backups)
        if found and any(p.exists() and p.stat().st_size > 0 for p in found):
            partial_seen = True
            break
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert partial_seen, "never caught the backup mid-way"

    # Whatever the moment of the kill, nothing half-written is listed as a backup …
    database_id = ctx.store.keyring.database_id
    listed = bk.list_backups(data_paths.backups, database_id)
    assert listed, "the last good backup is gone"
    for backup in listed:
        assert not backup.path.name.startswith(".")
        assert bk.damage_without_key(backup) == ""
    # … the live database is whole …
    reopened = sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    with reopened.store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    key = reopened.store.db_key_copy()
    # … the newest complete backup is whole and holds every child …
    newest = listed[0]
    connection = bk.open_backup(newest.path, key)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert connection.execute("SELECT count(*) FROM children").fetchone() == (24 * 128,)
    connection.close()
    assert restore.newest_good_backup(data_paths, key) == newest
    # … and the next backup clears away what the killed one left.
    assert bs.make_backup(reopened).backup.path.exists()
    assert _partials(data_paths.backups) == []
    reopened.close()
