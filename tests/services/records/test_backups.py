"""Backups and restores against real encrypted files: what a backup holds, where it goes, what is refused."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import select

from dsl_desk.services.audit.verify import verify_audit_trail
from dsl_desk.services.desk.setup import NewUser, OrganisationProfile, initialise, sign_in
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.people.children import add_child, list_children
from dsl_desk.services.records import backups as bs
from dsl_desk.services.records import restore
from dsl_desk.services.records.backup_settings import BackupSettings, load_settings, save_settings
from dsl_desk.store import backup as bk
from dsl_desk.store.errors import DatabaseCorrupt
from dsl_desk.store.keyring import load_keyring, sqlcipher_key_literal
from dsl_desk.store.models import AuditEvent
from dsl_desk.store.paths import DataPaths
from tests.conftest import FAST_KDF, PASSPHRASE, fictional_child


def names(ctx) -> list[str]:
    return sorted(row.name for row in list_children(ctx))


def actions(ctx) -> list[str]:
    with ctx.store.session() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def open_with_key(path: Path, key: bytes):
    connection = sqlcipher3.connect(str(path))
    connection.execute(f'PRAGMA key = "{sqlcipher_key_literal(key)}"')
    return connection


def rewrite_sidecar(backup: bk.BackupFile, **changes) -> None:
    """Edit a backup's keyring file as someone with a text editor might."""
    raw = json.loads(backup.keyring_path.read_text())
    for key, value in changes.items():
        if key == "database_id":
            raw["database_id"] = value
        else:
            raw["backup"][key] = value
    backup.keyring_path.write_text(json.dumps(raw))


@pytest.fixture
def other_ctx(tmp_path, clock, packs):
    """A second, unrelated database: its backups must never be restored into ours."""
    context, _ = initialise(
        DataPaths(tmp_path / "other"),
        OrganisationProfile("Other School", "School", "st_helens", "england"),
        NewUser("o.other", "Olive Other", "DSL", PASSPHRASE),
        clock=clock,
        packs=packs,
        kdf=FAST_KDF,
    )
    yield context
    if context.store.is_open:
        context.close()


# -- making backups -----------------------------------------------------------------------------------------


def test_backup_is_encrypted_with_the_same_key_and_has_its_keyring_beside_it(ctx, data_paths):
    add_child(ctx, fictional_child("Zephyrine", "Quillborough"))  # committed to the WAL, not yet checkpointed
    outcome = bs.make_backup(ctx)
    made = outcome.backup
    assert made.path.parent == data_paths.backups
    raw = made.path.read_bytes()
    for needle in (b"Quillborough", b"Zephyrine", b"Penkford", b"SQLite format 3"):
        assert needle not in raw
    plain = sqlite3.connect(made.path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        plain.execute("SELECT * FROM sqlite_master").fetchall()
    plain.close()
    connection = open_with_key(made.path, ctx.store.db_key_copy())
    assert connection.execute("SELECT family_name FROM children").fetchall() == [("Quillborough",)]
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    connection.close()
    assert load_keyring(made.keyring_path).database_id == ctx.store.keyring.database_id
    assert made.meta.sha256 == bk.sha256_of(made.path)
    assert not list(data_paths.backups.glob("*.partial"))
    assert actions(ctx)[-1] == "backup_made"


def test_second_folder_gets_a_checked_copy(ctx, data_paths, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    save_settings(ctx, BackupSettings(second_folder=usb, generations=5))
    outcome = bs.make_backup(ctx)
    assert outcome.second_copy is not None
    assert outcome.second_copy.path.read_bytes() == outcome.backup.path.read_bytes()
    assert bk.list_backups(usb, ctx.store.keyring.database_id)[0].path == outcome.second_copy.path
    assert "backup_settings_changed" in actions(ctx)


def test_a_vanished_second_folder_gives_a_plain_message_and_the_data_dir_backup_is_still_made(
    ctx, data_paths, tmp_path
):
    usb = tmp_path / "usb"
    usb.mkdir()
    save_settings(ctx, BackupSettings(second_folder=usb))
    usb.rmdir()  # the USB drive is pulled out
    outcome = bs.make_backup(ctx)
    assert outcome.backup.path.exists()
    assert outcome.second_copy is None
    assert "not available" in outcome.second_folder_problem
    assert "USB drive" in outcome.second_folder_problem
    assert not usb.exists()  # never created in its place: that would fill the laptop's disk instead
    assert load_settings(data_paths).second_folder == usb  # the setting stays for when it comes back
    status = bs.backup_status(ctx)
    assert not status.ok
    assert "not available" in status.message


def test_settings_are_validated(ctx, data_paths):
    with pytest.raises(ValidationError, match="between 1 and"):
        save_settings(ctx, BackupSettings(generations=0))
    with pytest.raises(ValidationError, match="another drive"):
        save_settings(ctx, BackupSettings(second_folder=data_paths.root / "inside"))
    assert load_settings(data_paths) == BackupSettings()


def test_a_damaged_settings_file_falls_back_to_the_defaults(ctx, data_paths):
    data_paths.backup_settings.write_text("{not json")
    assert load_settings(data_paths) == BackupSettings()
    assert bs.make_backup(ctx).backup.path.exists()


def test_one_backup_a_day_at_start_up_and_one_on_exit(ctx, clock, data_paths):
    first = bs.backup_if_due(ctx)
    assert first is not None
    assert first.backup.meta.kind == "daily"
    clock.advance(timedelta(hours=3))
    assert bs.backup_if_due(ctx) is None  # started again the same day
    exit_backup = bs.backup_on_exit(ctx)
    assert exit_backup.backup.meta.kind == "exit"
    clock.advance(timedelta(days=1))
    assert bs.backup_if_due(ctx) is not None


def test_keeps_the_newest_backup_of_each_of_the_last_n_days(ctx, clock, data_paths):
    save_settings(ctx, BackupSettings(generations=3))
    for _day in range(5):
        bs.make_backup(ctx, "daily")
        clock.advance(timedelta(hours=8))
        bs.make_backup(ctx, "exit")
        clock.advance(timedelta(hours=16))
    kept = bk.list_backups(data_paths.backups, ctx.store.keyring.database_id)
    assert [b.meta.kind for b in kept] == ["exit", "exit", "exit"]
    assert len({b.made_at.date() for b in kept}) == 3
    # No orphan keyring files left behind by pruning.
    assert len(list(data_paths.backups.glob("*.keyring.json"))) == 3


def test_status_warns_when_there_is_no_backup_a_stale_one_or_a_failed_one(ctx, clock, data_paths):
    status = bs.backup_status(ctx)
    assert not status.ok
    assert "No backup" in status.message
    bs.make_backup(ctx)
    assert bs.backup_status(ctx).ok
    clock.advance(timedelta(days=2, hours=1))
    stale = bs.backup_status(ctx)
    assert not stale.ok
    assert "more than two days old" in stale.message
    # The backups folder becomes a file: the next backup cannot be written.
    for leftover in data_paths.backups.iterdir():
        leftover.unlink()
    data_paths.backups.rmdir()
    data_paths.backups.write_text("in the way")
    with pytest.raises(bs.BackupFailed, match="could not be made"):
        bs.make_backup(ctx)
    failed = bs.backup_status(ctx)
    assert not failed.ok
    assert failed.message.startswith("The last backup failed")
    assert actions(ctx)[-1] == "backup_failed"


# -- restoring ----------------------------------------------------------------------------------------------


def test_restore_shows_what_the_backup_holds_then_replaces_keeping_the_current_database(ctx, clock):
    add_child(ctx, fictional_child("Amir", "Haddad"))
    made = bs.make_backup(ctx).backup
    clock.advance(timedelta(hours=1))
    add_child(ctx, fictional_child("Grace", "Okonkwo"))
    summary = bs.describe_backup(ctx, made.path)
    assert summary.contents.children == 1
    assert summary.contents.usernames == ("j.smith",)

    result = restore.restore_backup(ctx, made.path)

    assert names(ctx) == ["Amir Haddad"]
    assert actions(ctx)[-1] == "restored"
    assert verify_audit_trail(ctx).intact
    # The database as it was (with Grace) was backed up first and its audit says a restore began.
    safety = open_with_key(result.safety_copy, ctx.store.db_key_copy())
    assert len(safety.execute("SELECT id FROM children").fetchall()) == 2
    assert safety.execute("SELECT action FROM audit_events ORDER BY id DESC LIMIT 1").fetchone() == (
        "restore_started",
    )
    safety.close()
    # The restored database is the live one from now on, even after signing out and in again.
    ctx.close()
    again = sign_in(ctx.store.paths, "j.smith", PASSPHRASE, clock=clock)
    assert names(again) == ["Amir Haddad"]
    again.close()


def test_a_backup_of_another_database_is_refused_and_nothing_changes(ctx, other_ctx):
    add_child(ctx, fictional_child())
    theirs = bs.make_backup(other_ctx).backup
    with pytest.raises(bk.BackupRefused, match="different DSL Desk database"):
        restore.restore_backup(ctx, theirs.path)
    # …and with its keyring edited to claim our database id, our key cannot open it.
    rewrite_sidecar(theirs, database_id=ctx.store.keyring.database_id)
    with pytest.raises(bk.BackupRefused, match="cannot be opened with this database's key"):
        restore.restore_backup(ctx, theirs.path)
    assert names(ctx) == ["Zephyrine Quillborough"]
    assert "restore_started" not in actions(ctx)


def test_a_truncated_backup_is_refused(ctx):
    add_child(ctx, fictional_child())
    made = bs.make_backup(ctx).backup
    data = made.path.read_bytes()
    made.path.write_bytes(data[: len(data) // 2])
    with pytest.raises(bk.BackupRefused, match="incomplete"):
        restore.restore_backup(ctx, made.path)
    # Without the checksum to go by (keyring copied by hand), the key and quick_check still catch it.
    rewrite_sidecar(made, sha256="", size=len(data) // 2)
    with pytest.raises(bk.BackupRefused):
        restore.restore_backup(ctx, made.path)
    assert names(ctx) == ["Zephyrine Quillborough"]


def test_a_backup_without_its_keyring_is_refused(ctx):
    made = bs.make_backup(ctx).backup
    made.keyring_path.unlink()
    with pytest.raises(bk.BackupRefused, match="key file"):
        restore.restore_backup(ctx, made.path)


def test_a_backup_from_a_newer_version_is_refused_and_nothing_changes(ctx):
    add_child(ctx, fictional_child())
    made = bs.make_backup(ctx).backup
    connection = open_with_key(made.path, ctx.store.db_key_copy())
    connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.commit()
    connection.close()
    rewrite_sidecar(made, sha256=bk.sha256_of(made.path), size=made.path.stat().st_size)
    with pytest.raises(bk.BackupRefused, match="newer version of DSL Desk"):
        restore.restore_backup(ctx, made.path)
    assert names(ctx) == ["Zephyrine Quillborough"]
    assert not list(ctx.store.paths.backups.glob("*before-restore*"))


# -- integrity and damaged databases ------------------------------------------------------------------------


def _damage(database: Path, offset: int) -> None:
    with database.open("r+b") as handle:
        handle.seek(offset)
        handle.write(b"\xff" * 64)


def test_integrity_check_passes_on_a_whole_database(ctx):
    for n in range(50):
        add_child(ctx, fictional_child(f"Child{n}", "Whole"))
    report = restore.integrity_check(ctx)
    assert report.ok, report.problems
    assert report.seconds < 5


def test_integrity_check_reports_a_damaged_page(ctx, clock, data_paths):
    for n in range(200):
        add_child(ctx, fictional_child(f"Child{n}", "Damaged" * 20))
    ctx.close()  # checkpoints the WAL into the file
    size = data_paths.database.stat().st_size
    _damage(data_paths.database, size - 4096 + 100)  # inside the last page, not the schema page
    reopened = sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    report = restore.integrity_check(reopened)
    reopened.close()
    assert not report.ok
    assert "damaged" in report.message


def test_a_database_that_will_not_open_is_restored_from_the_newest_good_backup(ctx, clock, data_paths):
    add_child(ctx, fictional_child("Amir", "Haddad"))
    older = bs.make_backup(ctx).backup
    clock.advance(timedelta(days=1))
    newest = bs.make_backup(ctx).backup
    newest.path.write_bytes(newest.path.read_bytes()[:8192])  # the newest one is truncated
    ctx.close()
    _damage(data_paths.database, 20)  # page 1: nothing opens
    with pytest.raises(DatabaseCorrupt):
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)

    good = restore.newest_good_backup(data_paths)
    assert good is not None
    assert good.path == older.path
    restored = restore.restore_damaged_database(data_paths, good.path, "j.smith", PASSPHRASE, clock=clock)
    assert names(restored) == ["Amir Haddad"]
    assert actions(restored)[-1] == "restored"
    restored.close()
    assert list(data_paths.backups.glob("damaged-*.db"))  # the damaged file is kept, not deleted


def test_restoring_a_damaged_database_needs_the_right_passphrase(ctx, clock, data_paths):
    made = bs.make_backup(ctx).backup
    ctx.close()
    _damage(data_paths.database, 20)
    before = data_paths.database.read_bytes()
    from dsl_desk.store.errors import WrongPassphrase

    with pytest.raises(WrongPassphrase):
        restore.restore_damaged_database(data_paths, made.path, "j.smith", "not the passphrase", clock=clock)
    assert data_paths.database.read_bytes() == before


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_backup_is_readable_by_its_owner_only(ctx):
    """Found by hand: backups were left world-readable (0644) while the live database is 0600."""
    outcome = bs.make_backup(ctx)
    assert stat.S_IMODE(outcome.backup.path.stat().st_mode) == 0o600
