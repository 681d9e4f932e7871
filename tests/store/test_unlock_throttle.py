"""Never locked out: the waits after failed unlocks are capped whatever the record says, the record survives
the loss of either of its two files, and a damaged key file is called damaged, not a wrong passphrase."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from dsl_desk.services.desk.setup import sign_in, sign_in_with_recovery_key
from dsl_desk.services.people.children import add_child, list_children
from dsl_desk.services.records import backups as bs
from dsl_desk.services.records import restore
from dsl_desk.store.errors import KeyringDamaged, StoreError, UnlockThrottled, WrongPassphrase
from dsl_desk.store.models import AuditEvent
from dsl_desk.store.throttle import MAX_WAIT, UnlockThrottle, wait_after
from tests.conftest import PASSPHRASE, fictional_child

WRONG = "not the passphrase at all"


def _failures(data_paths) -> int:
    return UnlockThrottle.for_data(data_paths).failures()


def _fail_once(data_paths, clock) -> None:
    """One wrong passphrase, after whatever wait the last one asked for."""
    clock.advance(MAX_WAIT)
    with pytest.raises(WrongPassphrase):
        sign_in(data_paths, "j.smith", WRONG, clock=clock)


def _failed_rows(context) -> list[dict]:
    with context.store.session() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "unlock_failed")).all()
        return [json.loads(row.detail) for row in rows]


def test_the_wait_is_capped_and_never_overflows_for_any_count():
    assert [wait_after(n).total_seconds() for n in range(1, 8)] == [0, 0, 2, 4, 8, 16, 32]
    waits = [wait_after(n) for n in range(3000)]
    assert waits == sorted(waits)  # it only ever grows …
    assert max(waits) == MAX_WAIT  # … up to five minutes
    for count in (47, 48, 49, 1000, 10**6, 10**12, 10**100):
        assert wait_after(count) == MAX_WAIT


def test_forty_nine_failures_over_hours_then_the_right_passphrase_works(ctx, data_paths, clock):
    """The 49th failure used to overflow (2**47 seconds) and every later unlock failed with a traceback."""
    ctx.close()
    for _ in range(49):
        _fail_once(data_paths, clock)
    assert _failures(data_paths) == 49
    with pytest.raises(UnlockThrottled, match=r"Please wait 300 seconds"):
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    clock.advance(MAX_WAIT)
    again = sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    [row] = _failed_rows(again)
    assert row["failed_attempts"] == 49
    again.close()


def test_a_million_failures_still_wait_only_five_minutes(ctx, data_paths, clock):
    ctx.close()
    _fail_once(data_paths, clock)
    for path in (data_paths.unlock_state, data_paths.unlock_state_copy):
        raw = json.loads(path.read_text())
        raw["doors"]["passphrase"]["failures"] = 10**6
        path.write_text(json.dumps(raw))
    throttle = UnlockThrottle.for_data(data_paths)
    assert throttle.remaining(clock.now()) == MAX_WAIT
    throttle.record_failure(clock.now(), "j.smith")  # the 1,000,001st
    assert throttle.failures() == 10**6 + 1
    with pytest.raises(UnlockThrottled) as caught:
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    assert caught.value.wait_seconds == 300
    clock.advance(MAX_WAIT)
    again = sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    [row] = _failed_rows(again)
    assert row["failed_attempts"] == 10**6 + 1
    assert row["times_not_kept"] == 10**6 + 1 - len(row["attempts"])
    again.close()


@pytest.mark.parametrize(
    "content",
    [
        "garbage {",
        "[]",
        "null",
        '{"failures": "lots", "last_failure_at": "yesterday"}',
        '{"failures": 1e400, "last_failure_at": "2026-01-05T09:00:00+00:00"}',  # 1e400 reads as infinity
        '{"failures": -7, "last_failure_at": "2026-01-05T09:00:00+00:00"}',
        '{"failures": 99999999999999999999999999999999, "last_failure_at": "2026-01-05T09:00:00+00:00"}',
        '{"failures": 9, "last_failure_at": "9999-12-31T23:59:59.999999+00:00"}',  # a time in the future
        '{"failures": 9, "last_failure_at": "0001-01-01T00:00:00+14:00"}',  # before the calendar starts in UTC
        '{"format": 2, "doors": 7}',
        '{"format": 2, "doors": {"passphrase": {"failures": 20, "attempts": [1, {"at": "x"}, "y"]}}}',
    ],
)
def test_a_corrupt_or_absurd_throttle_file_never_locks_anyone_out(ctx, data_paths, clock, content):
    ctx.close()
    data_paths.unlock_state.write_text(content)
    # At most the five-minute wait, never an error of any other kind …
    assert timedelta(0) <= UnlockThrottle.for_data(data_paths).remaining(clock.now()) <= MAX_WAIT
    clock.advance(MAX_WAIT)
    # … and after it the right passphrase works.
    sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock).close()
    assert not data_paths.unlock_state.exists()


def test_a_wrong_attempt_on_a_corrupt_throttle_file_starts_a_clean_count(ctx, data_paths, clock):
    ctx.close()
    data_paths.unlock_state.write_text('{"failures": 1e400}')
    with pytest.raises(WrongPassphrase):
        sign_in(data_paths, "j.smith", WRONG, clock=clock)
    assert _failures(data_paths) == 10**12  # "infinitely many" is read as the most there can be, then + 0
    assert UnlockThrottle.for_data(data_paths).remaining(clock.now()) == MAX_WAIT


@pytest.mark.parametrize("deleted", ["unlock_state", "unlock_state_copy"])
def test_deleting_either_file_keeps_the_wait_and_the_attempts(ctx, data_paths, clock, deleted):
    ctx.close()
    for _ in range(4):
        _fail_once(data_paths, clock)
    failed_at = clock.now()
    getattr(data_paths, deleted).unlink()
    assert _failures(data_paths) == 4
    with pytest.raises(UnlockThrottled, match="Please wait 4 seconds"):
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    # A fifth failure writes both copies again, counting on from 4.
    clock.advance(timedelta(seconds=4))
    with pytest.raises(WrongPassphrase, match="wait 8 seconds"):
        sign_in(data_paths, "j.smith", WRONG, clock=clock)
    assert data_paths.unlock_state.exists() and data_paths.unlock_state_copy.exists()
    clock.advance(timedelta(seconds=8))
    again = sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    [row] = _failed_rows(again)
    assert row["failed_attempts"] == 5
    assert row["with"] == "passphrase"
    assert len(row["attempts"]) == 5
    assert {attempt["account"] for attempt in row["attempts"]} == {"j.smith"}
    assert failed_at.isoformat() in [attempt["at"] for attempt in row["attempts"]]
    again.close()
    assert not data_paths.unlock_state.exists() and not data_paths.unlock_state_copy.exists()


def test_the_recovery_key_is_not_locked_out_by_wrong_passphrases(recovery_ctx, data_paths, clock):
    ctx, recovery_key = recovery_ctx
    ctx.close()
    for _ in range(10):
        _fail_once(data_paths, clock)
    with pytest.raises(UnlockThrottled):
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    recovered = sign_in_with_recovery_key(data_paths, "j.smith", recovery_key, clock=clock)
    [row] = _failed_rows(recovered)
    assert row["failed_attempts"] == 10
    recovered.close()
    sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock).close()  # the count started again


def test_wrong_recovery_keys_have_a_wait_of_their_own(recovery_ctx, data_paths, clock):
    ctx, recovery_key = recovery_ctx
    ctx.close()
    wrong = ("A" if recovery_key[0] != "A" else "B") + recovery_key[1:]
    for _ in range(3):
        with pytest.raises(WrongPassphrase, match="recovery key is not right"):
            sign_in_with_recovery_key(data_paths, "j.smith", wrong, clock=clock)
    with pytest.raises(UnlockThrottled):
        sign_in_with_recovery_key(data_paths, "j.smith", recovery_key, clock=clock)
    # The passphrase is not kept out by them, and its unlock reports them.
    again = sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    [row] = _failed_rows(again)
    assert row == {**row, "failed_attempts": 3, "with": "recovery key"}
    again.close()


def _alter_slot(data_paths, field: str, value: str) -> None:
    raw = json.loads(data_paths.keyring.read_text())
    raw["users"][0]["wrapped"][field] = value
    data_paths.keyring.write_text(json.dumps(raw))


def _flip(b64: str) -> str:
    raw = bytearray(base64.b64decode(b64))
    raw[3] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    "damage",
    [
        "ciphertext flipped",
        "nonce flipped",
        "nonce not base64",
        "nonce too short",
        "kdf missing",
        "absurd memory cost",
        "not json",
    ],
)
def test_a_damaged_key_file_is_called_damaged_and_not_counted(ctx, data_paths, clock, damage):
    ctx.close()
    slot = json.loads(data_paths.keyring.read_text())["users"][0]["wrapped"]
    if damage == "ciphertext flipped":
        _alter_slot(data_paths, "ciphertext", _flip(slot["ciphertext"]))
    elif damage == "nonce flipped":
        _alter_slot(data_paths, "nonce", _flip(slot["nonce"]))
    elif damage == "nonce not base64":
        _alter_slot(data_paths, "nonce", "%%%% not base64 %%%%")
    elif damage == "nonce too short":
        _alter_slot(data_paths, "nonce", base64.b64encode(b"short").decode())
    elif damage == "kdf missing":
        raw = json.loads(data_paths.keyring.read_text())
        del raw["users"][0]["wrapped"]["kdf"]
        data_paths.keyring.write_text(json.dumps(raw))
    elif damage == "absurd memory cost":
        raw = json.loads(data_paths.keyring.read_text())
        raw["users"][0]["wrapped"]["kdf"]["memory_kib"] = 10**12  # Argon2 would ask for a petabyte
        data_paths.keyring.write_text(json.dumps(raw))
    else:
        data_paths.keyring.write_text(data_paths.keyring.read_text()[:-40])
    for passphrase in (PASSPHRASE, WRONG, WRONG, WRONG, WRONG):
        with pytest.raises(KeyringDamaged, match="damaged"):
            sign_in(data_paths, "j.smith", passphrase, clock=clock)
    assert _failures(data_paths) == 0
    assert not data_paths.unlock_state.exists()


def test_a_key_file_without_a_checksum_still_opens_and_is_given_one(ctx, data_paths, clock):
    """Key files written before the checksum existed: a wrong passphrase is still counted (nothing can tell
    it from damage), and the first good unlock seals the file."""
    ctx.close()
    raw = json.loads(data_paths.keyring.read_text())
    del raw["checksum"]
    data_paths.keyring.write_text(json.dumps(raw))
    with pytest.raises(WrongPassphrase):
        sign_in(data_paths, "j.smith", WRONG, clock=clock)
    assert _failures(data_paths) == 1
    sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock).close()
    assert "checksum" in json.loads(data_paths.keyring.read_text())
    _alter_slot(data_paths, "ciphertext", _flip(raw["users"][0]["wrapped"]["ciphertext"]))
    with pytest.raises(KeyringDamaged):
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)


def test_the_key_file_comes_back_from_a_backup_and_no_record_is_lost(ctx, data_paths, clock):
    add_child(ctx, fictional_child("Before", "Backup"))
    bs.make_backup(ctx)
    add_child(ctx, fictional_child("After", "Backup"))  # only in the database, not in the backup
    ctx.close()
    data_paths.keyring.write_text("{ damaged")
    with pytest.raises(WrongPassphrase, match="does not open any backup copy"):
        restore.restore_key_file(data_paths, "j.smith", WRONG, clock=clock)
    assert _failures(data_paths) == 1
    restored = restore.restore_key_file(data_paths, "j.smith", PASSPHRASE, clock=clock)
    assert sorted(row.name for row in list_children(restored)) == ["After Backup", "Before Backup"]
    with restored.store.session() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "key_file_restored" in actions and "unlock_failed" in actions
    restored.close()
    assert list(data_paths.backups.glob("damaged-*.keyring-was.json"))
    sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock).close()  # the key file is whole again


def test_no_backup_of_the_key_file_is_a_plain_message(ctx, data_paths, clock):
    ctx.close()
    data_paths.keyring.write_text("{ damaged")
    with pytest.raises(StoreError, match=r"No backup in .* holds a good copy of the key file"):
        restore.restore_key_file(data_paths, "j.smith", PASSPHRASE, clock=clock)


def test_the_recovery_key_brings_back_an_unreadable_key_file(recovery_ctx, data_paths, clock):
    ctx, recovery_key = recovery_ctx
    bs.make_backup(ctx)
    ctx.close()
    data_paths.keyring.unlink()
    with pytest.raises(KeyringDamaged, match="missing"):
        sign_in_with_recovery_key(data_paths, "j.smith", recovery_key, clock=clock)
    restored = restore.restore_key_file(
        data_paths, "j.smith", recovery_key.lower(), clock=clock, recovery=True
    )
    assert restored.actor.username == "j.smith"
    restored.close()
    sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock).close()
