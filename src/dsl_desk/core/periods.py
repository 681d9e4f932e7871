"""Reporting periods: a calendar quarter, a school year (September to August) or any run of days.

A period is whole London days, `start` to `end` inclusive; `bounds()` gives the UTC instants that
enclose it, so "opened in the period" means the same thing whatever the clocks did in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dsl_desk.core.clock import LONDON
from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.core.i18n import _

_QUARTER_NAMES = ("January to March", "April to June", "July to September", "October to December")
_SEPTEMBER = 9


@dataclass(frozen=True)
class ReportPeriod:
    start: date
    end: date  # inclusive
    label: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A report period must end on or after the day it starts")

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware UTC datetimes: London midnight before `start` to midnight after `end`."""
        return _midnight(self.start), _midnight(self.end + timedelta(days=1))

    @property
    def slug(self) -> str:
        """For file names: 2026-01-01_to_2026-03-31."""
        return f"{self.start.isoformat()}_to_{self.end.isoformat()}"


def quarter_containing(day: date) -> ReportPeriod:
    index = (day.month - 1) // 3
    start = date(day.year, 3 * index + 1, 1)
    end = _last_day(day.year, 3 * index + 3)
    return ReportPeriod(start, end, f"{_QUARTER_NAMES[index]} {day.year}")


def previous_quarter(period: ReportPeriod) -> ReportPeriod:
    return quarter_containing(period.start - timedelta(days=1))


def school_year_containing(day: date) -> ReportPeriod:
    first_year = day.year if day.month >= _SEPTEMBER else day.year - 1
    return ReportPeriod(
        date(first_year, 9, 1),
        date(first_year + 1, 8, 31),
        _("School year {first_year}–{value:02d}").format(first_year=first_year, value=(first_year + 1) % 100),
    )


def custom_period(start: date, end: date) -> ReportPeriod:
    return ReportPeriod(start, end, f"{_long(start)} to {_long(end)}")


def _last_day(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=LONDON).astimezone(UTC)


def _long(day: date) -> str:
    return day_month_year(day)
