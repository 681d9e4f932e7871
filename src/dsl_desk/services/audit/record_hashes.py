"""Content hashes of discussion log entries and attachments, kept in their audit rows, and checked again.

The discussion log is append-only (migration 0002's triggers), but someone holding the database key can drop
the triggers, edit or delete an entry and put them back. The audit row written with each entry carries a
SHA-256 of everything the entry says (and each attachment's bytes), and the audit row cannot itself be
changed without breaking the chain, so `check_records` finds an entry or file that no longer matches.

An entry or file written before these hashes were kept (an older version) has none; it is left unchecked,
and an entry with an id *after* the first hashed one but no hash of its own was added outside DSL Desk.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from dsl_desk.services.audit.trail import AuditProblem
from dsl_desk.store.models import Attachment, AuditEvent, DiscussionEntry

ENTRY_KEY = "entry_sha256"
ATTACHMENTS_KEY = "attachment_sha256"
# Audit actions whose detail holds content hashes (ENTRY_KEY / ATTACHMENTS_KEY, or "sha256" for one file).
_WRITTEN = ("log_entry_added", "log_entry_amended", "attachment_added", "transfer_imported")
_FIELDS = (
    "child_id",
    "escalation_id",
    "stage_key",
    "kind",
    "occurred_at",
    "recorded_at",
    "author_id",
    "method",
    "participants",
    "summary",
    "decisions",
    "shared_with",
    "shared_at",
    "amends_id",
    "amend_reason",
    "child_views",
    "opinion",
)


def entry_digest(entry: Any) -> str:
    """SHA-256 over every field of the entry (a DiscussionEntry, or a row of its columns), in a fixed order,
    times as UTC ISO text."""
    values = [getattr(entry, name) for name in _FIELDS]
    canonical = json.dumps(
        [v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v for v in values],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def file_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def hashes_detail(
    entries: Iterable[DiscussionEntry] = (), attachments: Iterable[Attachment] = ()
) -> dict[str, dict[str, str]]:
    """The detail keys an audit row carries for the entries and files it records (ids as text: JSON keys)."""
    detail: dict[str, dict[str, str]] = {}
    entry_hashes = {str(entry.id): entry_digest(entry) for entry in entries}
    file_hashes = {str(item.id): file_digest(item.content) for item in attachments}
    if entry_hashes:
        detail[ENTRY_KEY] = entry_hashes
    if file_hashes:
        detail[ATTACHMENTS_KEY] = file_hashes
    return detail


def check_records(session: Session) -> list[AuditProblem]:
    """Every entry and attachment whose audit row holds its hash, hashed again: changed, removed or added."""
    entries, files, deleted_entries, deleted_files = _expected(session)
    problems: list[AuditProblem] = []
    # Columns, not objects, and only a digest kept per entry: the log may hold hundreds of thousands.
    columns = [DiscussionEntry.id, *(getattr(DiscussionEntry, name) for name in _FIELDS)]
    current_entries = {row.id: entry_digest(row) for row in session.execute(select(*columns))}
    for entry_id, (event_id, digest) in sorted(entries.items()):
        actual = current_entries.get(entry_id)
        if actual is None:
            if entry_id not in deleted_entries:
                problems.append(
                    AuditProblem(
                        event_id,
                        f"discussion log entry {entry_id} has been REMOVED: it is no longer in the log, and "
                        "no retention deletion removed it",
                    )
                )
        elif actual != digest:
            problems.append(
                AuditProblem(
                    event_id,
                    f"discussion log entry {entry_id} has been CHANGED since it was written: what it says "
                    "now does not match the hash recorded when it was written",
                )
            )
    if entries:
        first_hashed = min(entries)
        for entry_id in sorted(set(current_entries) - set(entries)):
            if entry_id > first_hashed:
                problems.append(
                    AuditProblem(
                        0,
                        f"discussion log entry {entry_id} has no audit row: it was added outside DSL Desk",
                    )
                )
    # One file at a time: the files together can be far larger than the memory to spare.
    current_files = {
        file_id: file_digest(content)
        for file_id, content in session.execute(
            select(Attachment.id, Attachment.content).execution_options(yield_per=1)
        )
    }
    for file_id, (event_id, digest) in sorted(files.items()):
        actual = current_files.get(file_id)
        if actual is None:
            if file_id not in deleted_files:
                problems.append(
                    AuditProblem(
                        event_id,
                        f"attachment {file_id} has been REMOVED, and no retention deletion removed it",
                    )
                )
        elif actual != digest:
            problems.append(
                AuditProblem(
                    event_id,
                    f"attachment {file_id} has been CHANGED: its file is not the one that was attached",
                )
            )
    return problems


def _expected(
    session: Session,
) -> tuple[dict[int, tuple[int, str]], dict[int, tuple[int, str]], set[int], set[int]]:
    entries: dict[int, tuple[int, str]] = {}
    files: dict[int, tuple[int, str]] = {}
    deleted_entries: set[int] = set()
    deleted_files: set[int] = set()
    query = select(AuditEvent.id, AuditEvent.action, AuditEvent.entity_id, AuditEvent.detail).where(
        AuditEvent.action.in_((*_WRITTEN, "record_deleted"))
    )
    for event_id, action, entity_id, detail_text in session.execute(query):
        detail = _parsed(detail_text)
        if action == "record_deleted":
            deleted_entries.update(int(i) for i in detail.get("entry_ids", ()))
            deleted_files.update(int(i) for i in detail.get("attachment_ids", ()))
            continue
        for key, digest in _mapping(detail.get(ENTRY_KEY)).items():
            entries[int(key)] = (event_id, digest)
        for key, digest in _mapping(detail.get(ATTACHMENTS_KEY)).items():
            files[int(key)] = (event_id, digest)
        if action == "attachment_added" and entity_id is not None and isinstance(detail.get("sha256"), str):
            files[entity_id] = (event_id, detail["sha256"])
    return entries, files, deleted_entries, deleted_files


def _parsed(detail_text: str) -> dict[str, Any]:
    try:
        parsed = json.loads(detail_text or "{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _mapping(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if str(k).isdigit()}


def search_index_in_step(session: Session) -> bool:
    """Whether the FTS5 index holds exactly the words of the log as it is (FTS5's own integrity check
    against its content table). False after an entry was changed or removed with the triggers dropped."""
    try:
        session.execute(
            text("INSERT INTO discussion_fts(discussion_fts, rank) VALUES ('integrity-check', 1)")
        )
    except DatabaseError:
        return False
    return True


def rebuild_search_index(session: Session) -> None:
    session.execute(text("INSERT INTO discussion_fts(discussion_fts) VALUES ('rebuild')"))
