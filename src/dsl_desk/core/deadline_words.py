"""Deadlines in the words a DSL would use: "today 17:00", "Tue 5 Jan 17:00", "overdue since 17:00 yesterday"."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dsl_desk.core.clock import london

# Our own names rather than strftime's, which follow the machine's locale.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def describe_deadline(due_at: datetime | None, now: datetime) -> str:
    """Short, Europe/London. Adds the year only when it is not the current year."""
    if due_at is None:
        return "no deadline"
    due, today = london(due_at), london(now).date()
    clock = f"{due:%H:%M}"
    relative = _relative_day(due.date(), today)
    if due_at < now:
        return (
            f"overdue since {clock} {relative}"
            if relative
            else f"overdue since {_date(due.date(), today)} {clock}"
        )
    return f"{relative} {clock}" if relative else f"{_date(due.date(), today)} {clock}"


def describe_date(d: date, today: date) -> str:
    """'Tue 5 Jan', or 'Tue 5 Jan 2027' outside the current year."""
    return _date(d, today)


def long_date(d: date) -> str:
    """'Saturday 14 March 2015': a date read back in full, whatever the machine's locale."""
    return f"{DAY_NAMES[d.weekday()]} {d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


def _relative_day(d: date, today: date) -> str:
    words = {today: "today", today + timedelta(days=1): "tomorrow", today - timedelta(days=1): "yesterday"}
    return words.get(d, "")


def _date(d: date, today: date) -> str:
    text = f"{_DAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]}"
    return text if d.year == today.year else f"{text} {d.year}"
