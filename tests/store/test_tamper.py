"""Tampering by someone who has the passphrase, done with the raw key on the real encrypted database.

Each attack is what a person holding the passphrase could do with the sqlcipher shell: unwrap the database key
from keyring.json, open the file, and change it while DSL Desk is shut. Each must be found by `audit verify`,
through the service and through the command line (exit code 1), with a plain sentence saying what was done.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import event, select

from dsl_desk.cli import main
from dsl_desk.cli.commands import PASSPHRASE_ENV
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.audit.verify import AuditReport, verify_audit_trail
from dsl_desk.services.desk.setup import sign_in
from dsl_desk.services.log.attachments import add_attachment
from dsl_desk.services.log.discussion_log import NewEntry, log_discussion
from dsl_desk.services.log.search import search_log
from dsl_desk.services.records.backups import make_backup
from dsl_desk.store import database
from dsl_desk.store import keyring as kr
from dsl_desk.store.errors import AlreadyOpen
from dsl_desk.store.instance_lock import InstanceLock
from dsl_desk.store.models import AuditEvent
from tests.conftest import PASSPHRASE

SECRET_WORDS = "marmalade xylophone"


def _entry(child_id: int, clock, summary: str) -> NewEntry:
    return NewEntry(
        child_id=child_id,
        occurred_at=clock.now() - timedelta(hours=1),
        method="telephone",
        summary=summary,
        participants="Dawn Brightwater, social worker",
    )


@pytest.fixture
def world(ctx, child_id, clock, tmp_path) -> dict[str, int]:
    """A desk used for a morning: two log entries (one with a photo attached), then shut."""
    first = log_discussion(ctx, _entry(child_id, clock, f"Rang the social worker about the {SECRET_WORDS}."))
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    attachment = add_attachment(ctx, first.id, photo)
    second = log_discussion(ctx, _entry(child_id, clock, "Met the class teacher; no new concerns."))
    assert verify_audit_trail(ctx).intact
    ctx.close()  # the desk is shut: the attacker now has the files to themselves
    clock.advance(timedelta(hours=2))
    return {"first": first.id, "second": second.id, "attachment": attachment.id}


@contextlib.contextmanager
def shell(data_paths) -> Iterator[sqlcipher3.Connection]:
    """The sqlcipher shell, opened as someone with the passphrase would: unwrap the key, PRAGMA key."""
    key = kr.unwrap_for_user(kr.load_keyring(data_paths.keyring), "j.smith", PASSPHRASE)
    connection = sqlcipher3.connect(str(data_paths.database))
    connection.execute(f'PRAGMA key = "{kr.sqlcipher_key_literal(bytes(key))}"')
    try:
        yield connection
        connection.commit()
    finally:
        connection.close()


@contextlib.contextmanager
def guards_lifted(connection: sqlcipher3.Connection, table: str) -> Iterator[None]:
    """Drop the triggers that refuse UPDATE/DELETE on `table`, then put them back exactly as they were."""
    rows = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name LIKE '%_no_%'",
        (table,),
    ).fetchall()
    for name, _sql in rows:
        connection.execute(f"DROP TRIGGER {name}")
    yield
    for _name, sql in rows:
        connection.execute(sql)


def verify_now(data_paths, clock) -> AuditReport:
    ctx = sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    try:
        return verify_audit_trail(ctx)
    finally:
        ctx.close()


def cli_verify(data_paths, clock, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    code = main(["--data-dir", str(data_paths.root), "audit", "verify"], clock=clock)
    return code, capsys.readouterr().out


def lines(report: AuditReport) -> str:
    return "\n".join(problem.line for problem in report.problems)


def assert_found(data_paths, clock, monkeypatch, capsys, *expected: str) -> None:
    report = verify_now(data_paths, clock)
    assert not report.intact
    assert "TAMPERED WITH" in report.message
    for words in expected:
        assert words in lines(report), lines(report)
    code, out = cli_verify(data_paths, clock, monkeypatch, capsys)
    assert code == 1
    assert "TAMPERED WITH" in out
    for words in expected:
        assert words in out, out


def rehash_from_start(connection: sqlcipher3.Connection) -> None:
    """What the hash's lack of a secret allows: compute every row's hash again, in order."""
    prev = audit.GENESIS
    rows = connection.execute(
        "SELECT id, at, user_id, action, entity, entity_id, detail FROM audit_events ORDER BY id"
    ).fetchall()
    from datetime import UTC, datetime

    for event_id, at, user_id, action, entity, entity_id, detail in rows:
        when = datetime.fromisoformat(at).replace(tzinfo=UTC)
        digest = audit._digest(prev, when, user_id, action, entity, entity_id, detail)
        connection.execute(
            "UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, event_id)
        )
        prev = digest


# --- the audit trail itself -----------------------------------------------------------------------------------


def test_deleting_the_last_audit_rows_is_found(world, data_paths, clock, monkeypatch, capsys):
    with shell(data_paths) as raw, guards_lifted(raw, "audit_events"):
        (last,) = raw.execute("SELECT max(id) FROM audit_events").fetchone()
        raw.execute("DELETE FROM audit_events WHERE id > ?", (last - 3,))
    # What remains is a perfect chain: the old check alone passes it.
    assert_found(
        data_paths,
        clock,
        monkeypatch,
        capsys,
        "the audit trail is shorter than it was at 2026-01-05 09:00: 3 rows are missing",
    )


def test_editing_a_row_and_rehashing_the_whole_chain_is_found(world, data_paths, clock, monkeypatch, capsys):
    with shell(data_paths) as raw, guards_lifted(raw, "audit_events"):
        (target,) = raw.execute("SELECT id FROM audit_events WHERE action = 'child_added'").fetchone()
        raw.execute(
            """UPDATE audit_events SET detail = '{"note": "nothing to see"}' WHERE id = ?""", (target,)
        )
        rehash_from_start(raw)
        (last,) = raw.execute("SELECT max(id) FROM audit_events").fetchone()
    assert_found(
        data_paths, clock, monkeypatch, capsys, f"rows up to {last} were re-written after 2026-01-05 09:00"
    )


def test_a_backups_key_file_still_shows_a_cut_trail_when_keyring_json_loses_its_checkpoint(
    ctx, child_id, data_paths, clock, monkeypatch, capsys
):
    make_backup(ctx)
    ctx.close()
    clock.advance(timedelta(hours=1))
    with shell(data_paths) as raw, guards_lifted(raw, "audit_events"):
        (last,) = raw.execute("SELECT max(id) FROM audit_events").fetchone()
        raw.execute("DELETE FROM audit_events WHERE id > ?", (last - 2,))
    keyring = json.loads(data_paths.keyring.read_text(encoding="utf-8"))
    keyring.pop("checkpoint", None)
    data_paths.keyring.write_text(json.dumps(keyring), encoding="utf-8")
    assert_found(
        data_paths,
        clock,
        monkeypatch,
        capsys,
        "the audit trail is shorter than it was at 2026-01-05 09:00: 1 row is missing",
        "checkpoint in backup dsl-desk-",
    )


def test_a_checkpoint_removed_from_keyring_json_is_found(world, data_paths, clock, monkeypatch, capsys):
    verify_now(data_paths, clock)  # a sign-in that finds the checkpoint, and says so in the trail
    keyring = json.loads(data_paths.keyring.read_text(encoding="utf-8"))
    del keyring["checkpoint"]
    data_paths.keyring.write_text(json.dumps(keyring), encoding="utf-8")
    assert_found(
        data_paths,
        clock,
        monkeypatch,
        capsys,
        "there was no audit checkpoint in keyring.json at the sign-in of 2026-01-05 11:00, though there had "
        "been one before",
    )


def test_a_checkpoint_edited_in_keyring_json_is_found(world, data_paths, clock, monkeypatch, capsys):
    keyring = json.loads(data_paths.keyring.read_text(encoding="utf-8"))
    keyring["checkpoint"]["rows"] = 3  # to match a trail cut short, without the key to seal it
    data_paths.keyring.write_text(json.dumps(keyring), encoding="utf-8")
    assert_found(
        data_paths,
        clock,
        monkeypatch,
        capsys,
        "the audit checkpoint in keyring.json has been altered or made up",
    )


def test_the_database_refuses_to_change_or_delete_an_audit_row(ctx, data_paths):
    ctx.close()
    with shell(data_paths) as raw:
        with pytest.raises(sqlcipher3.IntegrityError, match="append-only"):
            raw.execute("UPDATE audit_events SET detail = '{}' WHERE id = 1")
        with pytest.raises(sqlcipher3.IntegrityError, match="append-only"):
            raw.execute("DELETE FROM audit_events WHERE id = 1")
        assert raw.execute("SELECT count(*) FROM audit_events WHERE id = 1").fetchone() == (1,)


def test_a_signed_pdf_shows_a_cut_trail_even_when_the_checkpoint_was_forged_again(
    ctx, child_id, data_paths, clock, monkeypatch, capsys, tmp_path
):
    """The limit, and what still catches it: with the key, keyring.json's checkpoint can be re-made for the
    cut trail (so `audit verify` alone finds nothing), but the PDF sent to the partnership, signed with the
    DSL's key, says where the trail stood when it was signed."""
    from dsl_desk.services.paperwork.exports import export_form
    from dsl_desk.store import checkpoint as cp
    from tests.services.escalation_walk import walk

    escalation_id = walk(ctx, clock, child_id, escalations=1)
    notice = tmp_path / "notice.pdf"
    notice.write_bytes(export_form(ctx, escalation_id, "st_helens_escalation_notice", sign=True).pdf_bytes)
    ctx.close()
    clock.advance(timedelta(hours=1))
    with shell(data_paths) as raw, guards_lifted(raw, "audit_events"):
        (last,) = raw.execute("SELECT max(id) FROM audit_events").fetchone()
        raw.execute("DELETE FROM audit_events WHERE id > ?", (last - 4,))
    # ...and the checkpoint made again to match, sealed with the key the attacker has.
    key = bytes(kr.unwrap_for_user(kr.load_keyring(data_paths.keyring), "j.smith", PASSPHRASE))
    keyring = json.loads(data_paths.keyring.read_text(encoding="utf-8"))
    store = database.unlock(data_paths, "j.smith", PASSPHRASE, now=clock.now())
    with store.engine.connect() as connection:
        head = cp.chain_head(connection)
    store.close()
    keyring["checkpoint"] = cp.make_checkpoint(key, keyring["database_id"], head, clock.now()).as_dict()
    data_paths.keyring.write_text(json.dumps(keyring), encoding="utf-8")

    assert verify_now(data_paths, clock).intact  # what the database and keyring.json alone can show
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    code = main(
        ["--data-dir", str(data_paths.root), "audit", "verify", "--against", str(notice)], clock=clock
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "TAMPERED WITH: it no longer holds what a signed PDF says it held" in out
    assert "the audit trail is shorter than it was at 2026-01-05" in out
    assert "in the signed PDF notice.pdf" in out


# --- the discussion log and its files -------------------------------------------------------------------------


def test_an_entry_edited_with_the_guard_dropped_and_put_back_is_found(
    world, data_paths, clock, monkeypatch, capsys
):
    with shell(data_paths) as raw, guards_lifted(raw, "discussion_entries"):
        raw.execute(
            "UPDATE discussion_entries SET summary = 'Nothing of note.' WHERE id = ?", (world["first"],)
        )
    ctx = sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    try:
        # The index still finds the words the entry no longer has: the sign of an edit outside the triggers.
        assert [hit.entry_id for hit in search_log(ctx, SECRET_WORDS).hits] == [world["first"]]
        report = verify_audit_trail(ctx)
        assert f"discussion log entry {world['first']} has been CHANGED since it was written" in lines(report)
        assert "the search index did not match the discussion log" in lines(report)
        assert "it has been rebuilt" in lines(report)
        assert search_log(ctx, SECRET_WORDS).hits == ()  # rebuilt: it finds what the log says now
    finally:
        ctx.close()
    assert_found(
        data_paths,
        clock,
        monkeypatch,
        capsys,
        f"discussion log entry {world['first']} has been CHANGED since it was written",
    )


def test_an_entry_deleted_with_the_guard_dropped_is_found(world, data_paths, clock, monkeypatch, capsys):
    with shell(data_paths) as raw, guards_lifted(raw, "discussion_entries"):
        raw.execute("DELETE FROM discussion_entries WHERE id = ?", (world["second"],))
    assert_found(
        data_paths,
        clock,
        monkeypatch,
        capsys,
        f"discussion log entry {world['second']} has been REMOVED",
    )


def test_an_attachment_with_other_bytes_is_found(world, data_paths, clock, monkeypatch, capsys):
    with shell(data_paths) as raw:
        other = b"\x89PNG\r\n\x1a\n" + b"another picture" * 100
        import hashlib

        raw.execute(
            "UPDATE attachments SET content = ?, size = ?, sha256 = ? WHERE id = ?",
            (other, len(other), hashlib.sha256(other).hexdigest(), world["attachment"]),
        )
    assert_found(
        data_paths,
        clock,
        monkeypatch,
        capsys,
        f"attachment {world['attachment']} has been CHANGED: its file is not the one that was attached",
    )


def test_an_untouched_desk_verifies_intact_through_the_cli(world, data_paths, clock, monkeypatch, capsys):
    code, out = cli_verify(data_paths, clock, monkeypatch, capsys)
    assert code == 0, out
    assert "intact" in out


# --- two writers and the instance lock ------------------------------------------------------------------------


def test_two_writers_at_once_do_not_fork_the_chain(ctx, data_paths, clock):
    """Two stores on one file (as two copies of the app would be), the second writing while the first is
    between reading the last hash and appending after it."""
    ctx.close()
    first = database.unlock(data_paths, "j.smith", PASSPHRASE, now=clock.now())
    second = database.unlock(data_paths, "j.smith", PASSPHRASE, now=clock.now())
    other_writer: list[threading.Thread] = []

    def write(store: database.Store, action: str) -> None:
        with store.session() as session:
            audit.record(session, at=clock.now(), user_id=None, action=action)

    def before_insert(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS") and not other_writer:
            thread = threading.Thread(target=write, args=(second, "second_writer"))
            other_writer.append(thread)
            thread.start()
            thread.join(timeout=2)  # long enough for it to finish, were it not made to wait its turn

    event.listen(first.engine, "before_cursor_execute", before_insert)
    try:
        write(first, "first_writer")
        other_writer[0].join()
        with first.session() as session:
            problems = audit.verify_chain(session)
            actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    finally:
        event.remove(first.engine, "before_cursor_execute", before_insert)
        first.close()
        second.close()
    assert problems == []  # one chain: the second writer appended after the first, not beside it
    assert actions[-2:] == ["first_writer", "second_writer"]


HOLDER = """
import sys
from pathlib import Path
from dsl_desk.store.instance_lock import InstanceLock
lock = InstanceLock(Path(sys.argv[1]))
lock.acquire()
print("locked", flush=True)
sys.stdin.readline()
lock.release()
"""


def test_deleting_the_lock_file_under_a_running_desk_does_not_let_a_second_copy_in(data_paths):
    data_paths.root.mkdir(parents=True)
    running = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_paths.lock_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert running.stdout is not None and running.stdout.readline().strip() == "locked"
        data_paths.lock_file.unlink()
        with pytest.raises(AlreadyOpen, match="already open on the data folder"):
            InstanceLock(data_paths.lock_file).acquire()
    finally:
        assert running.stdin is not None
        running.stdin.write("\n")
        running.stdin.flush()
        running.wait(timeout=30)
    again = InstanceLock(Path(data_paths.lock_file))  # free once the first copy has gone
    again.acquire()
    again.release()


# --- no false alarms -------------------------------------------------------------------------------------------


def test_restoring_an_older_backup_is_no_tampering_and_says_which_backups_were_left_out(ctx, child_id, clock):
    from dsl_desk.services.records.restore import restore_backup

    older = make_backup(ctx).backup
    clock.advance(timedelta(days=1))  # another day's backup: a day's newest one is kept
    log_discussion(ctx, _entry(child_id, clock, "Written after the backup, gone after the restore."))
    make_backup(ctx)  # a newer backup, whose trail the restore replaces
    clock.advance(timedelta(hours=1))
    restore_backup(ctx, older.path)
    report = verify_audit_trail(ctx)
    assert report.intact, lines(report)
    assert "3 backup(s) made before the restore of 6 January 2026 10:00 hold the trail" in report.message
