"""Real processes killed with SIGKILL at random points of a schema upgrade, of ordinary writes and of a backup:
nothing committed is lost, the audit chain stays whole, and every desk opens afterwards.

`make test` kills a few times per kind; `make test-slow` kills 40 times per kind (with the set-up kills of
test_setup_all_or_nothing.py, well over a hundred). The moments are drawn by a seeded generator, so a failure
names a moment that can be replayed.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from dsl_desk.core.clock import FixedClock
from dsl_desk.services.audit.verify import verify_audit_trail
from dsl_desk.services.desk.setup import sign_in
from dsl_desk.services.escalations.reading import get_escalation
from dsl_desk.services.people.children import list_children
from dsl_desk.store import backup as bk
from dsl_desk.store import keyring as kr
from dsl_desk.store.migrate import head_revision
from dsl_desk.store.models import Child, DiscussionEntry, ImmediateRiskChange
from dsl_desk.store.paths import DataPaths
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.fixtures import make_fixtures as fx

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

QUICK_KILLS = 3
SLOW_KILLS = 40
CLOCK = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

_SIGN_IN = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from dsl_desk.core.clock import FixedClock
from dsl_desk.services.desk.policies import load_policies
from dsl_desk.services.desk.setup import sign_in
from dsl_desk.store.paths import DataPaths

ctx = sign_in(DataPaths(Path(sys.argv[1])), sys.argv[2], sys.argv[3],
              clock=FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC)), packs=dict(load_policies().packs))
print("open", flush=True)
"""

UPGRADER = textwrap.dedent(_SIGN_IN + "ctx.close()\nprint('closed', flush=True)\n")

WRITER = textwrap.dedent(
    _SIGN_IN
    + """
from datetime import date
from dsl_desk.services.people.children import ChildDetails, add_child
from dsl_desk.services.log.discussion_log import NewEntry, log_discussion
from dsl_desk.services.escalations.changes import set_immediate_risk
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
for n in range(100000):
    child = add_child(ctx, ChildDetails(f"Kill{n}", "Suite", date(2015, 1, 1), address="x" * 2000))
    print("child", child.id, flush=True)  # printed only after the commit returned
    entry = log_discussion(ctx, NewEntry(child_id=child.id, occurred_at=ctx.clock.now(), method="telephone",
                                         summary=f"Call number {n} about the referral."))
    print("entry", entry.id, flush=True)
    opened = open_escalation(ctx, NewEscalation(
        child_id=child.id, other_agency="Kill Suite Social Care", other_agency_kind="social_care",
        category="level_of_need", problem="p", outcome_sought="o", policy_id="st_helens",
        arose_at=ctx.clock.now()))
    set_immediate_risk(ctx, opened.id, raised=True, reason=f"Raised {n}")
    print("risk", opened.id, flush=True)  # the escalation, its deadlines and the risk change all committed
"""
)

BACKER_UPPER = textwrap.dedent(
    _SIGN_IN
    + """
from dsl_desk.services.records.backups import make_backup
while True:
    outcome = make_backup(ctx, "manual")
    print("backup", outcome.backup.path.name, flush=True)
"""
)


def _run_and_kill(
    script: str, paths: DataPaths, username: str, delay: float, *, once_open: bool = False
) -> tuple[list[str], bool]:
    """Start the script, kill it after `delay` seconds (timed by waiting on the process, not by sleeping),
    and return what it printed and whether it had already finished. With `once_open` the delay counts from the
    moment it has signed in ("open"), so a loaded machine's slow imports do not eat the whole window."""
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(paths.root), username, PASSPHRASE],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    first = [process.stdout.readline().strip()] if once_open else []  # "open", or "" if it died first
    try:
        process.wait(timeout=delay)
        finished = True
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        finished = False
    return [*first, *process.stdout.read().splitlines()], finished


def _old_desk(root: Path) -> DataPaths:
    """A desk made by schema 0001 (tests/fixtures), with a keyring for its fixture key."""
    paths = DataPaths(root)
    paths.root.mkdir(parents=True)
    shutil.copyfile(fx.fixture_path("0001"), paths.database)
    keyring, _recovery = kr.create_keyring(
        fx.fixture_key(), fx.USERNAME, "Wren Ashcombe", PASSPHRASE, FAST_KDF
    )
    kr.save_keyring(paths.keyring, keyring)
    return paths


def _opens_whole(paths: DataPaths, username: str, packs):
    ctx = sign_in(paths, username, PASSPHRASE, clock=FixedClock(CLOCK), packs=packs)
    with ctx.store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    report = verify_audit_trail(ctx)
    assert report.intact, report.problems
    return ctx


def _upgrade_kills(tmp_path: Path, packs, kills: int) -> dict[str, int]:
    seed = random.Random(20261204)
    outcomes = {"finished": 0, "killed": 0}
    for n in range(kills):
        paths = _old_desk(tmp_path / f"upgrade-{n}")
        _printed, finished = _run_and_kill(UPGRADER, paths, fx.USERNAME, seed.uniform(0.05, 3.0))
        outcomes["finished" if finished else "killed"] += 1
        ctx = _opens_whole(paths, fx.USERNAME, packs)  # upgrades now if the killed run did not
        assert ctx.store.migration is None or ctx.store.migration.to_revision == head_revision()
        names = {row.name for row in list_children(ctx)}
        assert names == {f"{given} {family}" for given, family, _born in fx.CHILDREN}, n
        assert get_escalation(ctx, 1).reference == fx.ESCALATION_REFERENCE
        ctx.close()
    return outcomes


def _write_kills(ctx, data_paths: DataPaths, packs, kills: int) -> int:
    seed = random.Random(4)
    ctx.close()
    total = 0
    for n in range(kills):
        printed, _finished = _run_and_kill(
            WRITER, data_paths, "j.smith", seed.uniform(0.05, 2.0), once_open=True
        )
        children = {int(line.split()[1]) for line in printed if line.startswith("child ")}
        entries = {int(line.split()[1]) for line in printed if line.startswith("entry ")}
        risked = {int(line.split()[1]) for line in printed if line.startswith("risk ")}
        reopened = _opens_whole(data_paths, "j.smith", packs)
        with reopened.store.session() as session:
            assert children <= set(session.scalars(select(Child.id))), n
            assert entries <= set(session.scalars(select(DiscussionEntry.id))), n
            assert risked <= set(session.scalars(select(ImmediateRiskChange.escalation_id))), n
        for escalation_id in risked:  # the new code's rows came back whole: deadlines, must items, risk
            detail = get_escalation(reopened, escalation_id)
            assert detail.immediate_risk and detail.current_deadline is not None, n
            assert any(i.requirement_key == "pre:social_worker" for i in detail.checklist), n
        reopened.close()
        total += len(children) + len(entries)
    assert total > 0, "no writer ever got going"
    return total


def _backup_kills(ctx, data_paths: DataPaths, packs, kills: int) -> None:
    seed = random.Random(7)
    database_id = ctx.store.keyring.database_id
    ctx.close()
    for n in range(kills):
        _run_and_kill(BACKER_UPPER, data_paths, "j.smith", seed.uniform(0.0, 2.0), once_open=True)
        for backup in bk.list_backups(data_paths.backups, database_id):
            assert bk.damage_without_key(backup) == "", (n, backup.path.name)  # no half backup is listed
        _opens_whole(data_paths, "j.smith", packs).close()


# ---- make test: a few of each -----------------------------------------------------------------------------


def test_an_upgrade_killed_anywhere_leaves_a_desk_that_opens_with_every_record(tmp_path, packs):
    outcomes = _upgrade_kills(tmp_path, packs, QUICK_KILLS)
    assert sum(outcomes.values()) == QUICK_KILLS


def test_writes_killed_anywhere_lose_nothing_committed_and_keep_the_audit_chain(ctx, data_paths, packs):
    _write_kills(ctx, data_paths, packs, QUICK_KILLS)


def test_backups_killed_anywhere_list_nothing_half_made(ctx, data_paths, packs):
    _backup_kills(ctx, data_paths, packs, QUICK_KILLS)


# ---- make test-slow: forty of each ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_forty_upgrades_killed(tmp_path, packs):
    outcomes = _upgrade_kills(tmp_path, packs, SLOW_KILLS)
    assert outcomes["killed"] > 0, outcomes  # some kills really landed mid-upgrade
    print(f"upgrade kills: {outcomes}")


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_forty_writers_killed(ctx, data_paths, packs):
    print(
        f"rows committed before the kills and all found: {_write_kills(ctx, data_paths, packs, SLOW_KILLS)}"
    )


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_forty_backups_killed(ctx, data_paths, packs):
    _backup_kills(ctx, data_paths, packs, SLOW_KILLS)
