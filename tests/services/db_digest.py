"""A digest of everything a database holds, to show that a refused action changed nothing.

Read with the database key straight from the keyring (not by signing in, which itself writes an audit row).
Signing in and signing out are left out of the audit rows compared: a refused command still signs in.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, select

from dsl_desk.store import keyring as kr
from dsl_desk.store.engine import make_engine
from dsl_desk.store.paths import DataPaths

SESSION_ACTIONS = ("unlock", "unlock_failed", "lock")


def database_digest(paths: DataPaths, passphrase: str, clock: Any = None) -> str:
    engine, metadata = _opened(str(paths.database), str(paths.keyring), passphrase)
    return engine_digest(engine, metadata)


@functools.cache
def _opened(database: str, keyring_path: str, passphrase: str) -> tuple[Engine, MetaData]:
    """One engine and one reflected schema per database file: the fuzz suites take hundreds of digests."""
    keyring = kr.load_keyring(Path(keyring_path))
    key = kr.unwrap_for_user(keyring, keyring.usernames()[0], passphrase)
    engine = make_engine(Path(database), bytes(key))
    kr.forget(key)
    metadata = MetaData()
    metadata.reflect(engine)  # every table the file has, whatever today's models say
    return engine, metadata


@functools.cache
def _reflected(engine: Engine) -> MetaData:
    metadata = MetaData()
    metadata.reflect(engine)
    return metadata


def engine_digest(engine: Engine, metadata: MetaData | None = None) -> str:
    metadata = metadata or _reflected(engine)
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for name in sorted(metadata.tables):
            if name.startswith("discussion_fts"):
                continue  # the search index follows the entries, which are compared
            table = metadata.tables[name]
            query = select(table).order_by(*table.primary_key.columns)
            if name == "audit_events":
                query = query.where(table.c.action.not_in(SESSION_ACTIONS))
            rows = connection.execute(query).all()
            digest.update(f"{name}:{len(rows)}\n".encode())
            for row in rows:
                digest.update(repr(tuple(row)).encode("utf-8", "backslashreplace"))
    return digest.hexdigest()
