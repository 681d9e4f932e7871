"""A full disk or a read-only data folder: the desk opens read-only, every read works, every write is refused.

Real folders that cannot be written, even by root: a small tmpfs filled to the last byte (ENOSPC), and the
same tmpfs remounted read-only (EROFS). chmod would not do: root ignores it. The commands run as real
subprocesses, the way a DSL runs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from dsl_desk.services.desk.setup import initialise, sign_in
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
from dsl_desk.services.log.discussion_log import NewEntry, log_discussion
from dsl_desk.services.people.children import add_child, list_children
from dsl_desk.store import database
from dsl_desk.store.errors import ReadOnlyDesk, WrongPassphrase
from dsl_desk.store.instance_lock import InstanceLock
from dsl_desk.store.keyring import KdfParams
from dsl_desk.store.paths import DataPaths
from tests.conftest import FAST_KDF, PASSPHRASE, fictional_child
from tests.store.mounts import fill, remount, tmpfs

READ_ONLY_WORDS = "DSL Desk is open read-only; nothing can be changed until"
PERIOD = ("--from", "2025-09-01", "--to", "2026-08-31")


def run_cli(root: Path, *args: str, passphrase: str = PASSPHRASE) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dsl_desk", "--data-dir", str(root), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DSL_DESK_PASSPHRASE": passphrase},
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def desk(tmp_path, clock, profile, first_user, packs):
    """A real desk on its own 4 MB tmpfs: a child, an escalation and a log entry, then closed."""
    with tmpfs(tmp_path / "disk", "4m") as disk:
        paths = DataPaths(disk / "data")
        ctx, _ = initialise(paths, profile, first_user, clock=clock, packs=packs, kdf=FAST_KDF)
        child = add_child(ctx, fictional_child())
        open_escalation(
            ctx,
            NewEscalation(
                child_id=child.id,
                other_agency="Demo Social Care",
                category=ctx.pack("st_helens").categories[0].key,
                problem="The referral was closed with no assessment.",
                outcome_sought="A strategy discussion.",
            ),
        )
        log_discussion(
            ctx,
            NewEntry(
                child_id=child.id,
                occurred_at=clock.now() - timedelta(hours=1),
                method="telephone",
                summary="Rang the duty social worker about the closed referral.",
            ),
        )
        ctx.close()
        yield paths


def _every_read_works(paths: DataPaths, problem: str) -> None:
    root = paths.root
    cases = run_cli(root, "cases", "--json")
    assert cases.returncode == 0, cases.stderr
    assert "Traceback" not in cases.stderr
    assert f"cannot be written to ({problem})" in cases.stderr and READ_ONLY_WORDS in cases.stderr
    assert [row["child"] for row in json.loads(cases.stdout)] == ["Zephyrine Quillborough"]

    children = run_cli(root, "children", "--json")
    assert children.returncode == 0, children.stderr
    child_id = json.loads(children.stdout)[0]["id"]

    listing = run_cli(root, "log", "list", "--child", str(child_id))
    assert listing.returncode == 0, listing.stderr
    assert "closed referral" in listing.stdout
    search = run_cli(root, "log", "search", "referral")
    assert search.returncode == 0, search.stderr
    assert "closed [referral]" in search.stdout

    policies = run_cli(root, "policy", "list")
    assert policies.returncode == 0 and "st_helens" in policies.stdout, policies.stderr
    verify = run_cli(root, "audit", "verify")
    assert verify.returncode == 0 and "intact" in verify.stdout, verify.stderr
    report = run_cli(root, "report", *PERIOD, "--json")
    assert report.returncode == 0, report.stderr
    json.loads(report.stdout)

    wrong = run_cli(root, "cases", passphrase="not the passphrase at all")
    assert wrong.returncode == 2 and "passphrase is not right" in wrong.stderr, wrong.stderr
    assert "Traceback" not in wrong.stderr


def _every_write_is_refused(paths: DataPaths, clock, elsewhere: Path) -> None:
    # An export could not be audited, so it is refused before the file is written, even to a writable folder.
    export = run_cli(paths.root, "report", *PERIOD, "--csv", str(elsewhere / "figures.csv"))
    assert export.returncode == 2, export.stderr
    assert READ_ONLY_WORDS in export.stderr and "Traceback" not in export.stderr
    assert not (elsewhere / "figures.csv").exists()
    chronology = run_cli(paths.root, "log", "export", "--child", "1", "--out", str(elsewhere / "c.pdf"))
    assert chronology.returncode == 2 and READ_ONLY_WORDS in chronology.stderr, chronology.stderr
    backup = run_cli(paths.root, "backup")
    assert backup.returncode == 2 and READ_ONLY_WORDS in backup.stderr, backup.stderr

    ctx = sign_in(paths, "j.smith", PASSPHRASE, clock=clock)
    try:
        assert READ_ONLY_WORDS in ctx.store.read_only
        assert [row.name for row in list_children(ctx)] == ["Zephyrine Quillborough"]
        with pytest.raises(ReadOnlyDesk, match=READ_ONLY_WORDS):
            add_child(ctx, fictional_child("Second", "Child"))
        with pytest.raises(ReadOnlyDesk, match=READ_ONLY_WORDS):
            database.change_passphrase(
                ctx.store, "j.smith", PASSPHRASE, "another long passphrase", kdf=KdfParams(1, 8192, 1)
            )
    finally:
        ctx.close()


def test_a_full_disk_opens_the_desk_read_only(desk, clock, tmp_path):
    fill(desk.root.parent)
    _every_read_works(desk, "disk full")
    _every_write_is_refused(desk, clock, tmp_path)

    # Space freed: the desk opens for writing again and nothing was lost.
    for filler in desk.root.parent.glob(".filler*"):
        filler.unlink()
    ctx = sign_in(desk, "j.smith", PASSPHRASE, clock=clock)
    try:
        assert ctx.store.read_only == ""
        add_child(ctx, fictional_child("Second", "Child"))
        assert len(list_children(ctx)) == 2
    finally:
        ctx.close()


def test_a_read_only_data_folder_opens_the_desk_read_only(desk, clock, tmp_path):
    remount(desk.root.parent, "ro")
    try:
        _every_read_works(desk, "read-only")
        _every_write_is_refused(desk, clock, tmp_path)
    finally:
        remount(desk.root.parent, "rw")


def test_wrong_passphrases_on_a_full_disk_are_plain_errors(desk, clock):
    fill(desk.root.parent)
    for _ in range(4):  # the throttle cannot be written: its failure is not the user's problem
        with pytest.raises(WrongPassphrase):
            sign_in(desk, "j.smith", "not the passphrase", clock=clock)


def test_the_lock_is_taken_on_a_read_only_folder_and_still_keeps_a_second_copy_out(desk):
    from dsl_desk.store.errors import AlreadyOpen

    with InstanceLock(desk.lock_file):
        pass  # the lock file a normal start leaves behind
    remount(desk.root.parent, "ro")
    try:
        with InstanceLock(desk.lock_file), pytest.raises(AlreadyOpen):
            InstanceLock(desk.lock_file).acquire()
    finally:
        remount(desk.root.parent, "rw")


def test_a_lock_file_that_cannot_be_made_does_not_stop_a_read_only_open(desk):
    desk.lock_file.unlink(missing_ok=True)
    remount(desk.root.parent, "ro")
    try:
        lock = InstanceLock(desk.lock_file)
        lock.acquire()  # nothing to lock and no way to make it: go on, read-only
        lock.release()
    finally:
        remount(desk.root.parent, "rw")


def test_a_full_disk_with_changes_still_in_the_wal_is_refused_plainly(desk, clock, tmp_path):
    # A WAL left by a crash holds committed changes; immutable=1 would hide them, so we say so instead.
    ctx = sign_in(desk, "j.smith", PASSPHRASE, clock=clock)
    add_child(ctx, fictional_child("In", "Wal"))
    wal = Path(f"{desk.database}-wal")
    kept = tmp_path / "wal-copy"
    shutil.copy2(wal, kept)
    ctx.close()
    shutil.copy2(kept, wal)  # as if the process had died before its last checkpoint
    Path(f"{desk.database}-shm").unlink(missing_ok=True)
    fill(desk.root.parent)
    with pytest.raises(ReadOnlyDesk, match="newest changes are still in"):
        sign_in(desk, "j.smith", PASSPHRASE, clock=clock)
