"""What the dashboard shows about records: transfers awaiting receipt, subject access requests due, and
records past their retention date. Each feature's service gives its own rows; this module gathers them.
"""

from __future__ import annotations

from datetime import date

from dsl_desk.core.clock import london
from dsl_desk.services.context import AppContext
from dsl_desk.services.records import retention, subject_access, transfers
from dsl_desk.services.records.due_item import RecordDue

__all__ = ["RecordDue", "list_records_due"]


def list_records_due(ctx: AppContext) -> list[RecordDue]:
    """Overdue first, then by date; rows without a date (e.g. the retention summary) last.

    The dashboard asks every minute: the rows depend on the records and on today's date only, so they are
    kept until either changes (the store's change signal, Store.data_changes)."""
    today = london(ctx.clock.now()).date()
    key = (ctx.store.data_changes(), today)
    return list(ctx.store.kept("records_due", key, lambda: _records_due(ctx)))


def _records_due(ctx: AppContext) -> list[RecordDue]:
    rows = [*transfers.records_due(ctx), *subject_access.records_due(ctx), *retention.records_due(ctx)]
    return sorted(rows, key=lambda r: (not r.overdue, r.due_on is None, r.due_on or date.max, r.child))
