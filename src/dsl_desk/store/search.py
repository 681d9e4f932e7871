"""Full-text search over the discussion log, through the FTS5 index `discussion_fts` (migration 0002).

The user's words are never passed to FTS5 as query syntax: each word becomes a quoted prefix term, so
"O'Brien", "AND", a lone quote or an Arabic name are searched for, not parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, literal_column, select, table
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from dsl_desk.store.models import DiscussionEntry

FTS_TABLE = "discussion_fts"
# Markers around matched words in snippets: control characters no one types, turned into markup by the UI.
MATCH_START = "\x02"
MATCH_END = "\x03"
SNIPPET_TOKENS = 24
_WORD = re.compile(r"\w+", re.UNICODE)

_fts = table(FTS_TABLE)
_fts_rowid = literal_column(f"{FTS_TABLE}.rowid")
_fts_self = literal_column(FTS_TABLE)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic hook: the FTS5 table and its shadow tables are made by raw SQL, not by the models."""
    return not (type_ == "table" and reflected and name is not None and name.startswith(FTS_TABLE))


def match_expression(text: str) -> str:
    """An FTS5 query matching entries that contain every word of `text` (as a word or word prefix).

    Returns "" when `text` has no words (only punctuation or spaces): there is nothing to search for.
    """
    words = _WORD.findall(text)
    # Each word is quoted (a double quote inside is doubled) and made a prefix term: "bri"* finds Bright.
    return " AND ".join('"' + word.replace('"', '""') + '"*' for word in words)


@dataclass(frozen=True)
class SearchFilters:
    child_id: int | None = None
    escalation_id: int | None = None
    occurred_from: datetime | None = None  # inclusive
    occurred_to: datetime | None = None  # exclusive
    method: str = ""
    author_id: int | None = None


@dataclass(frozen=True)
class RawHit:
    entry_id: int
    snippet: str


def search_entries(session: Session, text: str, filters: SearchFilters, *, limit: int = 200) -> list[RawHit]:
    """Newest-written matches first, at most `limit`. Snippets mark matches with MATCH_START/END.

    Ordered by the index's own rowid (the entry id), not by relevance: FTS5 then streams matches in
    order and stops at `limit`, where ranking must score every match first (seconds on 200,000 entries
    for a common word). For a log, the latest records are the ones usually wanted.
    """
    expression = match_expression(text)
    if not expression:
        return []
    query = _filtered(_base_query(expression), filters).order_by(_fts_rowid.desc()).limit(limit)
    return [RawHit(entry_id, snippet) for entry_id, snippet in session.execute(query)]


def _base_query(expression: str) -> Select[Any]:
    snippet = func.snippet(_fts_self, -1, MATCH_START, MATCH_END, "…", SNIPPET_TOKENS)
    return (
        select(DiscussionEntry.id, snippet)
        .select_from(_fts)
        .join(DiscussionEntry, DiscussionEntry.id == _fts_rowid)
        .where(_fts_self.op("MATCH")(expression))
    )


def _filtered(query: Select[Any], filters: SearchFilters) -> Select[Any]:
    if filters.child_id is not None:
        query = query.where(DiscussionEntry.child_id == filters.child_id)
    if filters.escalation_id is not None:
        query = query.where(DiscussionEntry.escalation_id == filters.escalation_id)
    if filters.occurred_from is not None:
        query = query.where(DiscussionEntry.occurred_at >= filters.occurred_from)
    if filters.occurred_to is not None:
        query = query.where(DiscussionEntry.occurred_at < filters.occurred_to)
    if filters.method:
        query = query.where(DiscussionEntry.method == filters.method)
    if filters.author_id is not None:
        query = query.where(DiscussionEntry.author_id == filters.author_id)
    return query


def index_is_consistent(session: Session) -> bool:
    """FTS5's own integrity check of the index against the entries table (for tests and health checks)."""
    try:
        session.connection().exec_driver_sql(
            "INSERT INTO discussion_fts(discussion_fts, rank) VALUES ('integrity-check', 1)"
        )
    except DatabaseError:
        return False
    return True
