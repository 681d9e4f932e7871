"""Set-up is all or nothing: killed at any moment, or refused for bad input, the next set-up works (or the desk,
if it was finished, opens) and nothing else in the data folder is touched."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import deque
from pathlib import Path

import pytest
from sqlalchemy import select

from dsl_desk.services.desk.setup import NewUser, OrganisationProfile, initialise, sign_in
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.people.children import list_children
from dsl_desk.store.errors import SetupUnfinished
from dsl_desk.store.models import Organisation
from dsl_desk.store.paths import DataPaths
from tests.conftest import FAST_KDF, PASSPHRASE

AHEAD = 4

SETUP = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from dsl_desk.core.clock import FixedClock
    from dsl_desk.services.desk.policies import load_policies
    from dsl_desk.services.desk.setup import NewUser, OrganisationProfile, initialise
    from dsl_desk.store.keyring import KdfParams
    from dsl_desk.store.paths import DataPaths

    packs = dict(load_policies().packs)
    profile = OrganisationProfile("Penkford School", "School", "st_helens", "england")
    user = NewUser("j.smith", "Jane Smith", "Designated Safeguarding Lead", sys.argv[2])
    print("ready", flush=True)
    sys.stdin.readline()  # the test starts its clock, then says go
    ctx, _ = initialise(DataPaths(Path(sys.argv[1])), profile, user,
                        clock=FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC)), packs=packs,
                        kdf=KdfParams(time_cost=1, memory_kib=8192, parallelism=1))
    ctx.close()
    print("done", flush=True)
    """
)


def _spawn(root: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", SETUP, str(root), PASSPHRASE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def _ready(process: subprocess.Popen) -> subprocess.Popen:
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


def _start(root: Path) -> subprocess.Popen:
    return _ready(_spawn(root))


def _go(process: subprocess.Popen) -> float:
    assert process.stdin is not None
    process.stdin.write("go\n")
    process.stdin.flush()
    return time.monotonic()


def _untouched(paths: DataPaths) -> None:
    assert (paths.policies / "my-partnership.toml").read_text() == "# a pack of our own\n"
    assert (paths.backups / "note.txt").read_text() == "kept\n"


def _prepare(root: Path) -> DataPaths:
    paths = DataPaths(root)
    paths.policies.mkdir(parents=True)
    (paths.policies / "my-partnership.toml").write_text("# a pack of our own\n")
    paths.backups.mkdir()
    (paths.backups / "note.txt").write_text("kept\n")
    return paths


def _setup_duration(tmp_path: Path) -> float:
    process = _start(tmp_path / "timing")
    started = _go(process)
    assert process.stdout is not None and process.stdout.readline().strip() == "done"
    process.wait(timeout=60)
    return time.monotonic() - started


def _kill_at_random_points(tmp_path, clock, packs, profile, first_user, kills: int) -> dict[str, int]:
    duration = _setup_duration(tmp_path)
    seed = random.randrange(1 << 30)
    chooser = random.Random(seed)
    outcomes = {"finished": 0, "unfinished": 0, "nothing made yet": 0}
    # A few set-ups are started ahead (each waits, imported, for its "go"): starting Python is the slow part.
    waiting = deque(_spawn(_prepare(tmp_path / f"kill-{n}").root) for n in range(min(AHEAD, kills)))
    for n in range(kills):
        paths = DataPaths(tmp_path / f"kill-{n}")
        process = _ready(waiting.popleft())
        if n + AHEAD < kills:
            waiting.append(_spawn(_prepare(tmp_path / f"kill-{n + AHEAD}").root))
        delay = chooser.uniform(0, duration * 2)  # some kills land after the end: the desk must then open
        started = _go(process)
        while time.monotonic() - started < delay:
            pass  # a busy wait of a few milliseconds: a sleep this short is not precise enough
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        assert process.stdout is not None
        process.stdout.close()
        assert process.stdin is not None
        process.stdin.close()
        context = f"kill {n} after {delay:.3f}s of {duration:.3f}s (seed {seed})"
        try:
            ctx = sign_in(paths, "j.smith", PASSPHRASE, clock=clock, packs=packs)
            outcomes["finished"] += 1
        except SetupUnfinished:
            ctx = None
            outcomes["unfinished"] += 1
        except Exception as error:
            if paths.exists() or paths.setup_unfinished():
                pytest.fail(f"{context}: the desk neither opens nor offers set-up again: {error!r}")
            ctx = None  # killed before anything was made: a plain first run
            outcomes["nothing made yet"] += 1
        if ctx is None:
            ctx, _ = initialise(paths, profile, first_user, clock=clock, packs=packs, kdf=FAST_KDF)
        try:
            with ctx.store.session() as session:
                assert session.scalars(select(Organisation.name)).all() == ["Penkford School"], context
            assert list_children(ctx) == []
        finally:
            ctx.close()
        assert not paths.setup_staging.exists(), context
        _untouched(paths)
    return outcomes


def test_setup_killed_at_random_points_can_always_be_finished(tmp_path, clock, packs, profile, first_user):
    outcomes = _kill_at_random_points(tmp_path, clock, packs, profile, first_user, kills=20)
    assert sum(outcomes.values()) == 20
    assert outcomes["unfinished"] >= 1, outcomes  # the kills did land in the middle of set-ups
    print(outcomes)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_setup_killed_at_many_random_points(tmp_path, clock, packs, profile, first_user):
    outcomes = _kill_at_random_points(tmp_path, clock, packs, profile, first_user, kills=150)
    assert sum(outcomes.values()) == 150
    assert outcomes["unfinished"] >= 1, outcomes
    print(outcomes)


def test_killed_between_moving_the_database_and_the_key_file(tmp_path, clock, packs, profile, first_user):
    # The state a kill between the two renames leaves: the database in place, the key file still staged.
    paths = _prepare(tmp_path / "data")
    ctx, _ = initialise(paths, profile, first_user, clock=clock, packs=packs, kdf=FAST_KDF)
    ctx.close()
    paths.setup_staging.mkdir()
    os.replace(paths.keyring, paths.setup_staging / "keyring.json")
    assert paths.setup_unfinished()
    with pytest.raises(SetupUnfinished, match="Set-up did not finish last time; start it again"):
        sign_in(paths, "j.smith", PASSPHRASE, clock=clock)
    again, _ = initialise(paths, profile, first_user, clock=clock, packs=packs, kdf=FAST_KDF)
    again.close()
    assert not paths.setup_unfinished()
    sign_in(paths, "j.smith", PASSPHRASE, clock=clock).close()
    _untouched(paths)


def test_a_keyless_database_from_an_older_set_up_is_kept_aside_and_set_up_runs_again(
    tmp_path, clock, packs, profile, first_user
):
    # What main left when set-up was killed after the database was made but before its key file was written.
    paths = _prepare(tmp_path / "data")
    ctx, _ = initialise(paths, profile, first_user, clock=clock, packs=packs, kdf=FAST_KDF)
    ctx.close()
    paths.keyring.unlink()
    old = paths.database.read_bytes()
    assert paths.setup_unfinished()
    ctx, _ = initialise(paths, profile, first_user, clock=clock, packs=packs, kdf=FAST_KDF)
    ctx.close()
    kept = list(paths.root.glob("unfinished-setup-*.db"))
    assert [p.read_bytes() for p in kept] == [old]  # never deleted
    _untouched(paths)


def test_a_keyless_database_that_was_backed_up_is_not_taken_for_an_unfinished_set_up(ctx, data_paths):
    from dsl_desk.services.records.backups import make_backup

    make_backup(ctx)
    ctx.close()
    data_paths.keyring.unlink()
    assert not data_paths.setup_unfinished()  # its key file is to be restored from beside a backup


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"name": "Penk\udcffford"}, "not valid text"),
        ({"name": "Penk\x00ford"}, "control character"),
        ({"name": "Penk\tford"}, "control character"),
        ({"name": "P" * 201}, "at most 200"),
        ({"agency_type": "S" * 61}, "at most 60"),
    ],
)
def test_a_bad_organisation_leaves_nothing_behind(tmp_path, clock, packs, first_user, changes, words):
    paths = DataPaths(tmp_path / "data")
    values = {"name": "Penkford School", "agency_type": "School", "partnership_id": "st_helens"}
    bad = OrganisationProfile(**{**values, **changes}, nation="england")
    with pytest.raises(ValidationError, match=words):
        initialise(paths, bad, first_user, clock=clock, packs=packs, kdf=FAST_KDF)
    assert not paths.root.exists()
    good = OrganisationProfile(**values, nation="england")
    initialise(paths, good, first_user, clock=clock, packs=packs, kdf=FAST_KDF)[0].close()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"display_name": "Jane\udcc3 Smith"}, "not valid text"),
        ({"role": "DSL\n"}, "control character"),
        ({"display_name": "J" * 201}, "at most 200"),
        ({"passphrase": "purple elephant \udcff river"}, "not valid text"),
    ],
)
def test_a_bad_first_user_leaves_nothing_behind(tmp_path, clock, packs, profile, changes, words):
    paths = DataPaths(tmp_path / "data")
    values = {"username": "j.smith", "display_name": "Jane Smith", "role": "DSL", "passphrase": PASSPHRASE}
    with pytest.raises(ValidationError, match=words):
        initialise(paths, profile, NewUser(**{**values, **changes}), clock=clock, packs=packs, kdf=FAST_KDF)
    assert not paths.root.exists()


def test_the_command_line_refuses_a_non_utf8_organisation_and_leaves_nothing(tmp_path):
    root = tmp_path / "data"
    command = [
        sys.executable,
        "-m",
        "dsl_desk",
        "--data-dir",
        str(root),
        "init",
        "--organisation",
        os.fsdecode(b"Penk\xffford School"),
        "--partnership",
        "st_helens",
        "--username",
        "j.smith",
        "--display-name",
        "Jane Smith",
    ]
    env = {**os.environ, "DSL_DESK_PASSPHRASE": PASSPHRASE}
    refused = subprocess.run(command, check=False, capture_output=True, text=True, env=env, timeout=120)
    assert refused.returncode == 2, refused.stderr
    assert "not valid text" in refused.stderr and "Traceback" not in refused.stderr
    assert not root.exists()
    command[command.index("--organisation") + 1] = "Penkford School"
    done = subprocess.run(command, check=False, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_command_line_offers_an_unfinished_set_up_again(tmp_path):
    root = tmp_path / "data"
    paths = _prepare(root)
    paths.setup_staging.mkdir()  # what a set-up killed part-way leaves
    (paths.setup_staging / "dsl-desk.db").write_bytes(b"half a database")
    env = {**os.environ, "DSL_DESK_PASSPHRASE": PASSPHRASE}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "dsl_desk", "--data-dir", str(root), *args],
            check=False,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    cases = cli("cases")
    assert cases.returncode == 2 and "Set-up did not finish last time; start it again" in cases.stderr
    init = cli(
        "init",
        "--organisation",
        "Penkford School",
        "--partnership",
        "st_helens",
        "--username",
        "j.smith",
        "--display-name",
        "Jane Smith",
    )
    assert init.returncode == 0, init.stderr
    assert "Set-up did not finish last time; starting it again." in init.stderr
    assert cli("cases").returncode == 0
    assert not paths.setup_staging.exists()
    _untouched(paths)
