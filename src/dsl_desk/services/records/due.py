"""What the dashboard shows about records: transfers awaiting receipt, subject access requests due, and
records past their retention date. Each feature's service gives its own rows; this module gathers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dsl_desk.services.context import AppContext


@dataclass(frozen=True)
class RecordDue:
    kind: str  # transfer | subject_access | retention
    subject_id: int  # the transfer's, request's or child's id (what opening the row shows)
    child_id: int | None
    child: str  # the child's name, or "" for a summary row
    what: str  # e.g. "No receipt yet from Oakfield Academy for the file sent on 2 March"
    due_on: date | None
    due_words: str  # "today", "in 3 days", "2 days ago" (core.dates_in_words.relative_day)
    overdue: bool


def list_records_due(ctx: AppContext) -> list[RecordDue]:
    """Overdue first, then by date; rows without a date (e.g. the retention summary) last."""
    from dsl_desk.services.records import retention, subject_access, transfers

    rows = [*transfers.records_due(ctx), *subject_access.records_due(ctx), *retention.records_due(ctx)]
    return sorted(rows, key=lambda r: (not r.overdue, r.due_on is None, r.due_on or date.max, r.child))
