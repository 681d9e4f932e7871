"""One row of what the dashboard shows about records (a transfer awaiting receipt, a subject access request
due, records past their retention date). Each feature's service makes its own rows; records/due.py gathers them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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
