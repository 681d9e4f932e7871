"""The audit chain's length and head, kept outside the database: in keyring.json and in every backup.

The hash chain shows a row edited in place, but it has no secret: someone holding the database key can
delete the last rows, or edit a row and compute every later hash again, and the chain checks out. A
checkpoint written outside the database at sign-in, lock, backup and each check — how many rows the trail
had, the id and hash of its last row, and when — shows both: a trail shorter than a checkpoint lost rows,
and a trail whose row at the checkpoint's id has another hash was re-written.

Each checkpoint carries an HMAC-SHA256 keyed with a key derived (HKDF) from the database key. That proves it
was written by something holding the key — not made up or edited by anyone who only has the files. It does
not stop someone holding the key (the passphrase) from writing a new one: the DSL's signing key lives in the
same database, so signing the checkpoint would prove no more. What such a person cannot reach so easily are
the copies made earlier: backups on a USB drive or a share, and the signed PDFs sent to others.

A checkpoint is only ever moved forward, to a trail that still holds the rows it covered. A restore, which
replaces the trail on purpose (and says so in it), starts a new one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, func, select

from dsl_desk.core.dates_in_words import iso_date, with_time
from dsl_desk.store.models import AuditEvent

_INFO = b"dsl-desk audit checkpoint v1"


@dataclass(frozen=True)
class ChainHead:
    rows: int
    last_id: int
    head: str  # the hash of row last_id ("" for an empty trail)


@dataclass(frozen=True)
class Checkpoint:
    rows: int
    last_id: int
    head: str
    at: datetime
    mac: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "last_id": self.last_id,
            "head": self.head,
            "at": self.at.isoformat(),
            "mac": self.mac,
        }


def chain_head(connection: Connection) -> ChainHead:
    rows = connection.execute(select(func.count(AuditEvent.id))).scalar_one()
    last = connection.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return ChainHead(int(rows), int(last[0]) if last else 0, str(last[1]) if last else "")


HEAD_WORDS = "Audit trail when signed: {rows} rows, row {last_id} hash {head}"
_HEAD_PATTERN = re.compile(r"Audit trail when signed: (\d+) rows, row (\d+) hash ([0-9a-f]{64})")


def head_words(head: ChainHead) -> str:
    """The head in words, for a signed PDF's signature reason (which the signature covers)."""
    return HEAD_WORDS.format(rows=head.rows, last_id=head.last_id, head=head.head)


def parse_head_words(text: str) -> ChainHead | None:
    found = _HEAD_PATTERN.search(text or "")
    return ChainHead(int(found[1]), int(found[2]), found[3]) if found else None


def hash_at(connection: Connection, event_id: int) -> str | None:
    return connection.execute(select(AuditEvent.hash).where(AuditEvent.id == event_id)).scalar_one_or_none()


def _mac_key(db_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(bytes(db_key))


def _mac(db_key: bytes, database_id: str, rows: int, last_id: int, head: str, at: datetime) -> str:
    message = json.dumps([database_id, rows, last_id, head, at.isoformat()], separators=(",", ":"))
    return hmac.new(_mac_key(db_key), message.encode("utf-8"), hashlib.sha256).hexdigest()


def make_checkpoint(db_key: bytes, database_id: str, head: ChainHead, at: datetime) -> Checkpoint:
    at = at.astimezone(UTC)
    return Checkpoint(
        head.rows,
        head.last_id,
        head.head,
        at,
        _mac(db_key, database_id, head.rows, head.last_id, head.head, at),
    )


def parse_checkpoint(raw: Any) -> Checkpoint | None:
    """The checkpoint in a keyring's JSON, or None when there is none or it is not one (see `authentic`)."""
    if not isinstance(raw, dict):
        return None
    try:
        return Checkpoint(
            int(raw["rows"]),
            int(raw["last_id"]),
            str(raw["head"]),
            datetime.fromisoformat(str(raw["at"])).astimezone(UTC),
            str(raw["mac"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def authentic(checkpoint: Checkpoint, db_key: bytes, database_id: str) -> bool:
    expected = _mac(db_key, database_id, checkpoint.rows, checkpoint.last_id, checkpoint.head, checkpoint.at)
    return hmac.compare_digest(expected, checkpoint.mac)


def extends(connection: Connection, checkpoint: Checkpoint) -> bool:
    """Whether the trail as it is still holds every row the checkpoint covered, unchanged."""
    if checkpoint.last_id == 0:
        return True
    current = chain_head(connection)
    return current.rows >= checkpoint.rows and hash_at(connection, checkpoint.last_id) == checkpoint.head


def differences(connection: Connection, checkpoint: Checkpoint, where: str) -> list[tuple[int, str]]:
    """Plain sentences for how the trail differs from a checkpoint: (row id, message); [] when it holds it.

    Rows written after the checkpoint (a later time) cannot be among those it covered, even where they took
    the id of a removed row (SQLite gives the next row the highest id + 1).
    """
    if checkpoint.last_id == 0:
        return []
    when = _when(checkpoint.at)
    covered = connection.execute(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.id <= checkpoint.last_id, AuditEvent.at <= checkpoint.at
        )
    ).scalar_one()
    last = connection.execute(
        select(AuditEvent.hash, AuditEvent.at).where(AuditEvent.id == checkpoint.last_id)
    ).first()
    missing = checkpoint.rows - int(covered)
    if last is None or last.at > checkpoint.at or (last.hash == checkpoint.head and missing > 0):
        rows = (
            f"{missing} row{'s are' if missing != 1 else ' is'} missing"
            if missing > 0
            else "rows are missing"
        )
        return [
            (
                checkpoint.last_id,
                f"the audit trail is shorter than it was at {when}: {rows} (it had {checkpoint.rows} rows "
                f"then, up to row {checkpoint.last_id}; checkpoint {where})",
            )
        ]
    if last.hash != checkpoint.head:
        return [
            (
                checkpoint.last_id,
                f"rows up to {checkpoint.last_id} were re-written after {when}: row {checkpoint.last_id} no "
                f"longer has the hash it had then, so the rows before it were changed and their hashes "
                f"computed again (checkpoint {where})",
            )
        ]
    return []


def _when(instant: datetime) -> str:
    return with_time(instant, iso_date)
