"""The database is encrypted at rest and opens only with a user's passphrase or the recovery key."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select

from dsl_desk.services.desk.setup import sign_in, sign_in_with_recovery_key
from dsl_desk.services.people.children import add_child, list_children
from dsl_desk.store import database
from dsl_desk.store.errors import WrongPassphrase
from dsl_desk.store.models import AuditEvent, Child
from tests.conftest import FAST_KDF, PASSPHRASE, fictional_child


def _all_bytes(data_paths) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(data_paths.root.glob("dsl-desk.db*")))


def test_file_holds_no_plaintext_of_a_childs_name(ctx, data_paths):
    add_child(ctx, fictional_child("Zephyrine", "Quillborough"))
    with ctx.store.session() as session:  # the name is really in there, readable through the key
        assert session.scalar(select(Child.family_name)) == "Quillborough"
    ctx.close()
    raw = _all_bytes(data_paths)
    assert len(raw) > 4096
    for needle in ("Quillborough", "Zephyrine", "Penkford"):
        assert needle.encode() not in raw
        assert needle.encode("utf-16-le") not in raw
    assert not raw.startswith(b"SQLite format 3")


def test_plain_sqlite_cannot_read_it(ctx, data_paths):
    ctx.close()
    connection = sqlite3.connect(data_paths.database)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        connection.execute("SELECT * FROM sqlite_master").fetchall()
    connection.close()


def test_opens_with_passphrase_and_with_recovery_key(recovery_ctx, data_paths, clock):
    ctx, recovery_key = recovery_ctx
    add_child(ctx, fictional_child())
    ctx.close()
    again = sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    assert [row.name for row in list_children(again)] == ["Zephyrine Quillborough"]
    again.close()
    # Typed from paper: lower case, spaces instead of dashes.
    recovered = sign_in_with_recovery_key(
        data_paths, "j.smith", recovery_key.lower().replace("-", " "), clock=clock
    )
    assert [row.name for row in list_children(recovered)] == ["Zephyrine Quillborough"]
    recovered.close()


def test_wrong_passphrase_and_wrong_recovery_key_open_nothing(recovery_ctx, data_paths, clock):
    ctx, recovery_key = recovery_ctx
    ctx.close()
    with pytest.raises(WrongPassphrase, match="not right"):
        sign_in(data_paths, "j.smith", PASSPHRASE + "x", clock=clock)
    wrong = ("A" if recovery_key[0] != "A" else "B") + recovery_key[1:]
    with pytest.raises(WrongPassphrase, match="recovery key is not right"):
        sign_in_with_recovery_key(data_paths, "j.smith", wrong, clock=clock)


def test_passphrase_change_keeps_every_row_and_retires_the_old_one(ctx, data_paths, clock):
    for index in range(25):
        add_child(ctx, fictional_child(f"Child{index}", "Example"))
    with ctx.store.session() as session:
        audit_rows = session.scalar(select(func.count(AuditEvent.id)))
    key_before = ctx.store.db_key_copy()
    database.change_passphrase(ctx.store, "j.smith", PASSPHRASE, "a brand new long passphrase", kdf=FAST_KDF)
    ctx.close()
    with pytest.raises(WrongPassphrase):
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    again = sign_in(data_paths, "j.smith", "a brand new long passphrase", clock=clock)
    assert len(list_children(again)) == 25
    with again.store.session() as session:
        assert session.scalar(select(func.count(AuditEvent.id))) >= audit_rows
    # Re-wrapping, not re-encrypting: the database is still under the very same key.
    assert again.store.db_key_copy() == key_before
    again.close()


def test_a_deputy_has_an_account_of_their_own(ctx, data_paths, clock):
    from dsl_desk.store.models import User

    database.add_user_slot(ctx.store, "a.deputy", "Alex Deputy", "deputy passphrase here", kdf=FAST_KDF)
    with ctx.store.session() as session:
        session.add(
            User(username="a.deputy", display_name="Alex Deputy", role="Deputy DSL", created_at=clock.now())
        )
    ctx.close()
    deputy = sign_in(data_paths, "a.deputy", "deputy passphrase here", clock=clock)
    child = add_child(deputy, fictional_child("Deputy", "Written"))
    with deputy.store.session() as session:
        assert session.get(Child, child.id).created_by_id == deputy.actor.user_id
    assert deputy.actor.display_name == "Alex Deputy"
    deputy.close()
