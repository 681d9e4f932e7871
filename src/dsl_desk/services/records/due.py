"""What the dashboard shows about records: transfers awaiting receipt, subject access requests due, and
records past their retention date. Each feature's service gives its own rows; this module gathers them.
"""

from __future__ import annotations

from datetime import date

from dsl_desk.services.context import AppContext
from dsl_desk.services.records import retention, subject_access, transfers
from dsl_desk.services.records.due_item import RecordDue

__all__ = ["RecordDue", "list_records_due"]


def list_records_due(ctx: AppContext) -> list[RecordDue]:
    """Overdue first, then by date; rows without a date (e.g. the retention summary) last."""
    rows = [*transfers.records_due(ctx), *subject_access.records_due(ctx), *retention.records_due(ctx)]
    return sorted(rows, key=lambda r: (not r.overdue, r.due_on is None, r.due_on or date.max, r.child))
