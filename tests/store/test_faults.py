"""Every way opening or saving can go wrong: a plain message naming the file, and nothing overwritten."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text

from dsl_desk.services.desk.setup import sign_in
from dsl_desk.services.people.children import add_child, list_children
from dsl_desk.store.errors import (
    AlreadyInitialised,
    AlreadyOpen,
    DatabaseCorrupt,
    DatabaseMissing,
    DatabaseTooNew,
    DataDirNotWritable,
    DiskFull,
    KeyringDamaged,
    UnlockThrottled,
    WrongPassphrase,
)
from dsl_desk.store.instance_lock import InstanceLock
from dsl_desk.store.paths import DataPaths, ensure_writable
from dsl_desk.store.throttle import wait_after
from tests.conftest import PASSPHRASE, fictional_child


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_wait_grows_after_repeated_failures():
    assert [wait_after(n).total_seconds() for n in range(1, 8)] == [0, 0, 2, 4, 8, 16, 32]
    assert wait_after(40) == timedelta(minutes=5)


def test_repeated_wrong_passphrases_make_the_user_wait_then_succeed(ctx, data_paths, clock):
    ctx.close()
    for _ in range(2):
        with pytest.raises(WrongPassphrase):
            sign_in(data_paths, "j.smith", "not the passphrase", clock=clock)
    with pytest.raises(WrongPassphrase, match="wait 2 seconds"):
        sign_in(data_paths, "j.smith", "not the passphrase", clock=clock)
    # Even the right passphrase is refused during the wait; nothing is opened.
    with pytest.raises(UnlockThrottled, match="Please wait 2 seconds"):
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    clock.advance(timedelta(seconds=2))
    with pytest.raises(WrongPassphrase, match="wait 4 seconds"):
        sign_in(data_paths, "j.smith", "still wrong", clock=clock)
    clock.advance(timedelta(seconds=3))
    with pytest.raises(UnlockThrottled, match="wait 1 second before"):
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    clock.advance(timedelta(seconds=1))
    again = sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    with again.store.session() as session:
        failed = session.execute(
            text("SELECT detail FROM audit_events WHERE action='unlock_failed'")
        ).scalar_one()
    assert '"failed_attempts": 4' in failed
    again.close()
    # The count starts again after a success: both copies of the record are gone.
    assert not data_paths.unlock_state.exists()
    assert not data_paths.unlock_state_copy.exists()


def test_missing_database_is_not_recreated(ctx, data_paths, clock):
    ctx.close()
    data_paths.database.rename(data_paths.root / "moved-away.db")
    with pytest.raises(DatabaseMissing, match=r"dsl-desk\.db is missing.*Restore") as caught:
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    assert str(data_paths.database) in str(caught.value)
    assert not data_paths.database.exists()


def test_corrupt_database_is_reported_and_left_alone(ctx, data_paths, clock):
    add_child(ctx, fictional_child())
    ctx.close()
    raw = bytearray(data_paths.database.read_bytes())
    raw[0:4096] = bytes(4096)  # a wiped first page: the header and schema are gone
    data_paths.database.write_bytes(bytes(raw))
    before = _digest(data_paths.database)
    with pytest.raises(DatabaseCorrupt, match="damaged") as caught:
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    assert str(data_paths.database) in str(caught.value)
    assert _digest(data_paths.database) == before


def test_database_from_a_newer_version_is_refused_untouched(ctx, data_paths, clock):
    with ctx.store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    ctx.close()
    before = _digest(data_paths.database)
    with pytest.raises(DatabaseTooNew, match=r"newer version of DSL Desk.*has not been changed"):
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    assert _digest(data_paths.database) == before
    assert not data_paths.backups.exists() or not any(data_paths.backups.iterdir())


def test_damaged_keyring_is_reported(ctx, data_paths, clock):
    ctx.close()
    data_paths.keyring.write_text("{ this is not json")
    with pytest.raises(KeyringDamaged, match=r"key file .* is damaged"):
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    data_paths.keyring.write_text('{"format": 1, "users": []}')
    with pytest.raises(KeyringDamaged, match="a required entry is missing"):
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)


def test_tampered_keyring_slot_does_not_unlock(ctx, data_paths, clock):
    import json

    ctx.close()
    raw = json.loads(data_paths.keyring.read_text())
    ciphertext = bytearray(raw["users"][0]["wrapped"]["ciphertext"], "ascii")
    ciphertext[5] = ord("A") if ciphertext[5] != ord("A") else ord("B")
    raw["users"][0]["wrapped"]["ciphertext"] = ciphertext.decode()
    data_paths.keyring.write_text(json.dumps(raw))
    # Nothing opens, and the file is called damaged (its checksum no longer matches), not the passphrase wrong.
    with pytest.raises(KeyringDamaged, match="damaged"):
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)


def test_data_dir_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DataDirNotWritable, match="cannot write to its data folder") as caught:
        ensure_writable(DataPaths(blocker / "data"))
    assert "--data-dir" in str(caught.value)


def test_setting_up_twice_is_refused(ctx, data_paths, clock, profile, first_user, packs):
    from dsl_desk.services.desk.setup import initialise
    from tests.conftest import FAST_KDF

    before = _digest(data_paths.keyring)
    with pytest.raises(AlreadyInitialised, match="already a DSL Desk database"):
        initialise(data_paths, profile, first_user, clock=clock, packs=packs, kdf=FAST_KDF)
    assert _digest(data_paths.keyring) == before


def test_disk_full_while_saving_loses_nothing_already_saved(ctx):
    add_child(ctx, fictional_child("Saved", "Before"))
    with ctx.store.engine.connect() as connection:
        pages = connection.execute(text("PRAGMA page_count")).scalar_one()

    # SQLite's own limit on the file's size produces the same SQLITE_FULL error as a full disk.
    def limit(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 1}")

    from sqlalchemy import event

    ctx.store.engine.dispose()
    event.listen(ctx.store.engine, "connect", limit)
    with pytest.raises(DiskFull, match=r"is full.*Nothing already saved was lost"):
        add_child(
            ctx, replace(fictional_child("Very", "Long"), address="x" * 9000, parents_carers="y" * 9000)
        )
    event.remove(ctx.store.engine, "connect", limit)
    ctx.store.engine.dispose()
    assert [row.name for row in list_children(ctx)] == ["Saved Before"]


def test_second_instance_on_the_same_data_dir_is_refused(data_paths):
    data_paths.root.mkdir(parents=True)
    with (
        InstanceLock(data_paths.lock_file),
        pytest.raises(AlreadyOpen, match="already open on the data folder"),
    ):
        InstanceLock(data_paths.lock_file).acquire()
    second = InstanceLock(data_paths.lock_file)
    second.acquire()  # free again once the first lets go
    second.release()
