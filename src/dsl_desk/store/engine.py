"""The SQLCipher engine: SQLAlchemy over sqlcipher3 with a raw 256-bit key, WAL and foreign keys on."""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL

from dsl_desk.store.keyring import sqlcipher_key_literal


def make_engine(database: Path, db_key: bytes, *, read_only: bool = False, immutable: bool = False) -> Engine:
    """read_only: SQLite's `mode=ro`, so nothing on this engine can write (a full disk, a read-only drive).
    immutable: also assume no one changes the file, so no -shm/-wal is needed (a full disk cannot hold one)."""
    # The dialect runs `PRAGMA key=<quoted password>` on every new connection; quoting x'..' as an
    # identifier yields SQLCipher's raw-key syntax, so no passphrase KDF runs per connection.
    password = sqlcipher_key_literal(db_key)
    if read_only:
        query = {"uri": "true", "mode": "ro", **({"immutable": "1"} if immutable else {})}
        target = "file:" + urllib.parse.quote(str(database))
        url = URL.create("sqlite+pysqlcipher", password=password, database=target, query=query)
        engine = create_engine(url)
        event.listen(engine, "connect", _configure_read_only_connection)
        return engine
    url = URL.create("sqlite+pysqlcipher", password=password, database=str(database))
    engine = create_engine(url)
    event.listen(engine, "connect", _configure_connection)
    return engine


def _configure_read_only_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT count(*) FROM sqlite_master")
        cursor.execute(
            "PRAGMA query_only = ON"
        )  # belt and braces: refused by SQLite before any page is touched
        cursor.execute("PRAGMA busy_timeout = 5000")
    finally:
        cursor.close()


def _configure_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # Reading the schema proves the key is right before anything else happens on this connection.
        cursor.execute("SELECT count(*) FROM sqlite_master")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed escalation must survive a power cut, and writes here are few and small.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA busy_timeout = 5000")
    finally:
        cursor.close()
