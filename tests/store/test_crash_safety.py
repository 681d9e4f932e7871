"""A writer killed with SIGKILL mid-way leaves a whole database holding every row it reported committed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from sqlalchemy import select, text

from dsl_desk.services.desk.setup import sign_in
from dsl_desk.store.models import Child
from tests.conftest import PASSPHRASE

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, date, datetime
    from pathlib import Path
    from dsl_desk.core.clock import FixedClock
    from dsl_desk.services.people.children import ChildDetails, add_child
    from dsl_desk.services.desk.setup import sign_in
    from dsl_desk.store.paths import DataPaths

    ctx = sign_in(DataPaths(Path(sys.argv[1])), "j.smith", sys.argv[2],
                  clock=FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC)))
    for n in range(100000):
        row = add_child(ctx, ChildDetails(f"Crash{n}", "Test" * 50, date(2015, 1, 1), address="x" * 3600))
        print(row.id, flush=True)  # printed only after the commit returned
    """
)


def test_sigkill_mid_write_keeps_every_committed_row(ctx, data_paths, clock):
    ctx.close()
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data_paths.root), PASSPHRASE],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    committed: list[int] = []
    deadline = time.monotonic() + 60
    while len(committed) < 40 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        committed.append(int(line))
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert len(committed) >= 40, "the writer did not get going"

    reopened = sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    with reopened.store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    with reopened.store.session() as session:
        stored = set(session.scalars(select(Child.id)))
    reopened.close()
    assert set(committed) <= stored
