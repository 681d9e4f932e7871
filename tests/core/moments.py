"""Helpers to write times the way a DSL reads them: London wall clock in, London dates out."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from dsl_desk.core.clock import LONDON


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A London wall-clock time as an aware UTC instant, the way services pass time in."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def london_date(instant: datetime | None) -> date | None:
    return None if instant is None else instant.astimezone(LONDON).date()


def london_time(instant: datetime) -> time:
    return instant.astimezone(LONDON).time()
