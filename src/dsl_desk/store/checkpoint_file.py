"""Writing the audit checkpoint (store/checkpoint.py) into keyring.json, forward only, never raising."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import datetime

from sqlalchemy.exc import DBAPIError

from dsl_desk.store import checkpoint as cp
from dsl_desk.store import keyring as kr
from dsl_desk.store.database import Store
from dsl_desk.store.errors import StoreError


def save_checkpoint(store: Store, now: datetime, *, restart: bool = False) -> None:
    """Write the trail's length and head to keyring.json, sealed with a key derived from the database key.

    Only ever moves forward: when the trail no longer holds what the last checkpoint covered, the old one is
    kept (it is the evidence `verify_audit_trail` reports) unless `restart` — a restore, which replaced the
    trail on purpose and recorded that in it. Never raises: a checkpoint that cannot be written (a read-only
    key file, a damaged database) must not stop anyone working; the next one will be written.
    """
    with contextlib.suppress(OSError, StoreError, DBAPIError):
        key = store.db_key_copy()
        # The file as it is, not the copy read at sign-in: something else may have rewritten it since (the
        # demo marks its keyring), and whatever it says must be kept, the checkpoint aside.
        keyring = kr.load_keyring(store.paths.keyring)
        database_id = keyring.database_id
        if database_id != store.keyring.database_id:
            return
        with store.session() as session:
            connection = session.connection()
            old = cp.parse_checkpoint(keyring.checkpoint)
            kept = keyring.checkpoint is not None and not restart
            if kept and (
                old is None or not cp.authentic(old, key, database_id) or not cp.extends(connection, old)
            ):
                return
            head = cp.chain_head(connection)
        fresh = cp.make_checkpoint(key, database_id, head, now)
        store.save_keyring(replace(keyring, checkpoint=fresh.as_dict()))
