"""After a crash (a real process SIGKILLed with an attachment open for viewing, an email draft and a library's
temp file in the private folder), the next start of the app empties the folder before the unlock screen."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dsl_desk.services.log.discussion_log import NewEntry, log_discussion
from tests.conftest import PASSPHRASE

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

CRASHER = textwrap.dedent(
    """
    import sys, tempfile
    from datetime import UTC, datetime
    from pathlib import Path
    from dsl_desk.core.clock import FixedClock
    from dsl_desk.services.log.attachments import open_copy
    from dsl_desk.services.scratch import scratch_file, use_for_process_temp
    from dsl_desk.services.desk.setup import sign_in
    from dsl_desk.store.paths import DataPaths

    paths = DataPaths(Path(sys.argv[1]))
    ctx = sign_in(paths, "j.smith", sys.argv[2], clock=FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC)))
    use_for_process_temp(paths)
    print(open_copy(ctx, int(sys.argv[3])))
    print(scratch_file(paths, ".eml", b"X-Unsent: 1\\n\\nDraft about the case", label="STH-2026-0001"))
    spool = tempfile.NamedTemporaryFile(delete=False)  # what a print spool or library would leave
    spool.write(b"spooled page")
    spool.close()
    print(spool.name)
    print("ready", flush=True)
    sys.stdin.read()  # held open until killed
    """
)

NEXT_START = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from dsl_desk.app import run_gui
    from dsl_desk.core.clock import FixedClock
    from dsl_desk.store.paths import DataPaths
    from dsl_desk.ui.desk import unlock

    paths = DataPaths(Path(sys.argv[1]))

    def at_the_unlock_screen(dialog):
        print("at unlock:", sorted(p.name for p in paths.private_temp.iterdir()), flush=True)
        return 0  # the user closes the unlock screen

    unlock.UnlockDialog.exec = at_the_unlock_screen
    sys.exit(run_gui(paths, FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))))
    """
)


def test_the_next_start_after_a_crash_empties_the_private_folder(ctx, child_id, clock, data_paths, tmp_path):
    source = tmp_path / "Zephyrine bruise.pdf"
    source.write_bytes(b"%PDF-1.4 body map")
    entry = log_discussion(ctx, NewEntry(child_id, clock.now(), "letter", "Body map", attachments=(source,)))
    ctx.close()
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    env = {**os.environ, "TMPDIR": str(system_temp), "QT_QPA_PLATFORM": "offscreen"}
    argv = [str(data_paths.root), PASSPHRASE, str(entry.attachments[0].id)]
    crasher = subprocess.Popen(
        [sys.executable, "-c", CRASHER, *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines = [crasher.stdout.readline().strip() for _ in range(4)]
    finally:
        crasher.send_signal(signal.SIGKILL)
        crasher.wait(timeout=30)
    assert lines[-1] == "ready", lines
    written = [Path(line) for line in lines[:-1]]
    assert all(path.parent == data_paths.private_temp and path.exists() for path in written), written
    assert crasher.returncode == -signal.SIGKILL

    started = subprocess.run(
        [sys.executable, "-c", NEXT_START, str(data_paths.root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    assert "at unlock: []" in started.stdout, started.stdout + started.stderr
    assert not any(path.exists() for path in written)
    assert sorted(system_temp.iterdir()) == []
