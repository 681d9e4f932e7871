"""The SQLCipher engine: SQLAlchemy over sqlcipher3 with a raw 256-bit key, WAL and foreign keys on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL

from dsl_desk.store.keyring import sqlcipher_key_literal


def make_engine(database: Path, db_key: bytes) -> Engine:
    # The dialect runs `PRAGMA key=<quoted password>` on every new connection; quoting x'..' as an
    # identifier yields SQLCipher's raw-key syntax, so no passphrase KDF runs per connection.
    url = URL.create("sqlite+pysqlcipher", password=sqlcipher_key_literal(db_key), database=str(database))
    engine = create_engine(url)
    event.listen(engine, "connect", _configure_connection)
    return engine


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
