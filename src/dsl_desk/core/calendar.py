"""Working days for a school in one UK nation: weekends, bank holidays and the school's own closures."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dsl_desk.core.clock import LONDON

NATIONS: dict[str, str] = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
}

# Bank holidays differ by nation (Easter Monday is not one in Scotland; St Patrick's Day is in Northern Ireland).
_SUBDIVISIONS: dict[str, str] = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern_ireland": "NIR",
}

SCHOOL_CLOSURE = "School closure"
_SATURDAY = 5

# Bank holidays are fixed data: one table per nation and one frozen set per year, made once per process and
# shared by every calendar (a calendar is built on each dashboard refresh). `holidays` is imported only here:
# the package loads every country it knows the first time (a few hundred ms), so it stays off the way to the
# unlock screen, and the app warms it in the background (`warm_bank_holidays`).
_TABLES: dict[str, Any] = {}
_YEARS: dict[tuple[str, int], frozenset[date]] = {}
_LOCK = threading.Lock()  # the holidays object fills a year in when first asked: one thread at a time


def _table(nation: str) -> Any:
    with _LOCK:
        table = _TABLES.get(nation)
        if table is None:
            import holidays

            table = _TABLES[nation] = holidays.country_holidays("GB", subdiv=_SUBDIVISIONS[nation])
        return table


def _bank_holidays(nation: str, year: int) -> frozenset[date]:
    days = _YEARS.get((nation, year))
    if days is None:
        table = _table(nation)
        with _LOCK:
            _ = date(year, 1, 1) in table  # fills the year in
            days = _YEARS[(nation, year)] = frozenset(d for d in table if d.year == year)
    return days


def warm_bank_holidays(nation: str = "england", years: Iterable[int] = ()) -> None:
    """Import `holidays` and fill in these years now (called off the GUI thread while the user types)."""
    for year in years or ():
        _bank_holidays(nation, year)
    _table(nation)


@dataclass(frozen=True)
class Deadline:
    """When something is due. `out_of_hours`: the event fell outside working hours, so the clock started later."""

    due_at: datetime  # aware, UTC
    out_of_hours: bool = False
    # Set when the school's own closure days moved this deadline: when it would have been due without them.
    moved_by_closure_from: datetime | None = None


class WorkingCalendar:
    """Mon–Fri, less the nation's bank holidays and the school's closure days; a working day ends at `cutoff`."""

    def __init__(self, nation: str, closure_days: Iterable[date] = (), cutoff: time = time(17, 0)) -> None:
        if nation not in _SUBDIVISIONS:
            raise ValueError(f"Unknown nation {nation!r}: choose one of {', '.join(NATIONS)}")
        if cutoff.tzinfo is not None:
            raise ValueError(
                "The end of the working day is a London wall-clock time: give it without a timezone"
            )
        self.nation = nation
        self.closure_days = frozenset(closure_days)
        self.cutoff = cutoff
        self._bare: WorkingCalendar | None = None

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar({self.nation!r}, closures={len(self.closure_days)}, cutoff={self.cutoff:%H:%M})"
        )

    def without_closures(self) -> WorkingCalendar:
        """The same calendar less the school's own closure days: for what another agency owes, a policy's
        maximum and anything where a child is at immediate risk, none of which wait for the school to reopen."""
        if not self.closure_days:
            return self
        if self._bare is None:
            self._bare = WorkingCalendar(self.nation, (), self.cutoff)
        return self._bare

    def in_working_hours(self, event: datetime) -> bool:
        return self._in_hours(_london(event))

    def is_working_day(self, d: date) -> bool:
        return (
            d.weekday() < _SATURDAY
            and d not in _bank_holidays(self.nation, d.year)
            and d not in self.closure_days
        )

    def holiday_name(self, d: date) -> str | None:
        """The bank holiday's name, "School closure", or None on an ordinary day (weekends included)."""
        if d in _bank_holidays(self.nation, d.year):
            table = _table(self.nation)
            with _LOCK:
                return str(table.get(d))
        return SCHOOL_CLOSURE if d in self.closure_days else None

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        d += timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def add_working_days(self, d: date, n: int) -> date:
        """The nth working day after `d`; `d` itself never counts."""
        if n < 1:
            raise ValueError("add_working_days needs n >= 1")
        for _ in range(n):
            d = self.next_working_day(d)
        return d

    def cutoff_on(self, d: date) -> datetime:
        """The end of working day `d` (London wall clock, so BST and GMT both give 17:00), as UTC."""
        return datetime.combine(d, self.cutoff, tzinfo=LONDON).astimezone(UTC)

    def same_working_day(self, event: datetime) -> Deadline:
        """By the end of the event's working day; after the cutoff or on a day off, the next working day's end."""
        local = _london(event)
        if self._in_hours(local):
            return Deadline(self.cutoff_on(local.date()))
        return Deadline(self.cutoff_on(self.next_working_day(local.date())), out_of_hours=True)

    def within_working_days(self, event: datetime, n: int) -> Deadline:
        """By the end of the nth working day after the event's London date (n=0: the same working day)."""
        if n < 0:
            raise ValueError("within_working_days needs n >= 0")
        if n == 0:
            return self.same_working_day(event)
        local = _london(event)
        due = self.cutoff_on(self.add_working_days(local.date(), n))
        return Deadline(due, out_of_hours=not self._in_hours(local))

    def working_days_elapsed(self, start: datetime, end: datetime) -> int:
        """Working days after start's date up to and including end's date (London); 0 if end <= start."""
        if end <= start:
            return 0
        first = _london(start).date() + timedelta(days=1)
        last = _london(end).date()
        if last < first:
            return 0
        return _weekdays_between(first, last) - len(self._weekday_days_off(first, last))

    def _in_hours(self, local: datetime) -> bool:
        return self.is_working_day(local.date()) and local.time() < self.cutoff

    def _weekday_days_off(self, first: date, last: date) -> set[date]:
        """Bank holidays and closures falling Mon–Fri within [first, last]."""
        candidates = set(self._holidays_between(first, last)) | self.closure_days
        return {d for d in candidates if first <= d <= last and d.weekday() < _SATURDAY}

    def _holidays_between(self, first: date, last: date) -> list[date]:
        return [
            d
            for year in range(first.year, last.year + 1)
            for d in _bank_holidays(self.nation, year)
            if first <= d <= last
        ]


def _weekdays_between(first: date, last: date) -> int:
    """Mon–Fri dates in [first, last] by arithmetic, so long-open escalations cost nothing to count."""
    days = (last - first).days + 1
    weeks, extra = divmod(days, 7)
    count = weeks * 5
    for offset in range(extra):
        if (first.weekday() + offset) % 7 < _SATURDAY:
            count += 1
    return count


def _london(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("Deadlines need a timezone-aware time")
    return instant.astimezone(LONDON)
