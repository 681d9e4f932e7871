"""The audit trail: append-only, each row's hash covering its content and the previous row's hash.

An edited or removed row breaks the chain at that row, which `verify_chain` reports.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dsl_desk.store.errors import ReadOnlyDesk
from dsl_desk.store.models import AuditEvent

GENESIS = "0" * 64
# Looking, not changing: what a read-only desk still allows (unrecorded). Exports, prints and emails are not
# here: something leaving the desk must be in the audit trail, so they wait until it can be written.
VIEW_ACTIONS = frozenset(
    {
        "unlock",
        "unlock_failed",
        "lock",
        "child_viewed",
        "escalation_viewed",
        "log_viewed",
        "log_searched",
        "audit_viewed",
        "audit_verified",
        "backup_inspected",
        "attachment_opened",
    }
)


def _digest(*fields: object) -> str:
    """fields: prev_hash, at, user_id, action, entity, entity_id, detail — in that order."""
    canonical = json.dumps(
        [f.isoformat() if isinstance(f, datetime) else f for f in fields],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    at: datetime,
    user_id: int | None,
    action: str,
    entity: str = "",
    entity_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit row in the caller's transaction (so it commits or rolls back with the change).

    On a read-only desk (a full disk, a read-only drive) a view is not recorded — the banner says so — and
    any other action is refused here, before the change it belongs to can be written.
    """
    read_only = session.info.get("read_only", "")
    if read_only:
        if action in VIEW_ACTIONS:
            return AuditEvent(at=at, user_id=user_id, action=action, entity=entity, entity_id=entity_id)
        raise ReadOnlyDesk(read_only)
    at = at.replace(microsecond=at.microsecond)  # stored as-is; the hash uses the same UTC value read back
    claim_write_lock(session)
    last = session.scalars(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    prev = last or GENESIS
    detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    event = AuditEvent(
        at=at,
        user_id=user_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        detail=detail_text,
        prev_hash=prev,
        hash=_digest(prev, at, user_id, action, entity, entity_id, detail_text),
    )
    session.add(event)
    session.flush()
    return event


def claim_write_lock(session: Session) -> None:
    """Make the caller's transaction a write transaction before the last hash is read.

    SQLite starts a transaction at the first write, so a plain SELECT of the last hash runs outside it: two
    writers (two processes, or two copies of the app) could both read hash H and both append after it,
    forking the chain. A write that changes nothing takes the database's write lock first (waiting, up to
    the busy timeout, for another writer to finish), so the hash read next is the latest one and stays so
    until this transaction commits. It matches no row, so the append-only triggers do not fire.
    """
    session.execute(text("DELETE FROM audit_events WHERE 0"))


@dataclass(frozen=True)
class AuditProblem:
    event_id: int  # 0 when the problem is not at one row (an entry changed, a checkpoint altered)
    message: str

    @property
    def line(self) -> str:
        return f"row {self.event_id}: {self.message}" if self.event_id else self.message


def verify_chain(session: Session) -> list[AuditProblem]:
    """Walk the chain in order; report every row whose hash or link does not match."""
    problems: list[AuditProblem] = []
    expected_prev = GENESIS
    expected_id = None
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if expected_id is not None and event.id != expected_id:
            problems.append(
                AuditProblem(event.id, f"rows {expected_id}–{event.id - 1} are missing (removed)")
            )
        if event.prev_hash != expected_prev:
            problems.append(
                AuditProblem(event.id, "does not follow the row before it (a row was removed or changed)")
            )
        actual = _digest(
            event.prev_hash,
            event.at,
            event.user_id,
            event.action,
            event.entity,
            event.entity_id,
            event.detail,
        )
        if actual != event.hash:
            problems.append(AuditProblem(event.id, "its content was changed after it was written"))
        expected_prev = event.hash
        expected_id = event.id + 1
    return problems
