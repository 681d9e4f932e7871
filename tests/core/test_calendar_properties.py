"""Rules every deadline must keep, for any event time, nation and set of school closures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dsl_desk.core.calendar import NATIONS, WorkingCalendar
from dsl_desk.core.clock import LONDON

FIRST, LAST = datetime(2024, 1, 1), datetime(2032, 12, 31)  # naive bounds: hypothesis adds UTC

events = st.datetimes(min_value=FIRST, max_value=LAST, timezones=st.just(UTC))
nations = st.sampled_from(sorted(NATIONS))
closures = st.frozensets(st.dates(min_value=FIRST.date(), max_value=LAST.date()), max_size=40)
days = st.integers(min_value=0, max_value=15)


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    return WorkingCalendar(draw(nations), closure_days=draw(closures))


def _local(instant: datetime) -> datetime:
    return instant.astimezone(LONDON)


@settings(max_examples=300, deadline=None)
@given(calendars(), events, days)
def test_deadline_is_a_working_day_at_the_cutoff_and_after_the_event(
    calendar: WorkingCalendar, event: datetime, n: int
) -> None:
    deadline = calendar.within_working_days(event, n)
    due = _local(deadline.due_at)
    assert calendar.is_working_day(due.date())
    assert due.time() == calendar.cutoff
    assert deadline.due_at > event
    assert deadline.due_at.tzinfo == UTC


@settings(max_examples=300, deadline=None)
@given(calendars(), events, events, days)
def test_deadline_is_monotone_in_the_event(
    calendar: WorkingCalendar, a: datetime, b: datetime, n: int
) -> None:
    early, late = sorted((a, b))
    assert calendar.within_working_days(early, n).due_at <= calendar.within_working_days(late, n).due_at


@settings(max_examples=300, deadline=None)
@given(calendars(), events, days)
def test_one_more_day_is_never_earlier(calendar: WorkingCalendar, event: datetime, n: int) -> None:
    shorter, longer = calendar.within_working_days(event, n), calendar.within_working_days(event, n + 1)
    assert longer.due_at >= shorter.due_at
    # Only one tie: an out-of-hours event's "same working day" is already the next working day, which is
    # also "within 1 working day" (both count from the event's own date).
    if n >= 1 or not shorter.out_of_hours:
        assert longer.due_at > shorter.due_at


@settings(max_examples=200, deadline=None)
@given(calendars(), events, st.integers(min_value=1, max_value=15))
def test_nth_working_day_has_exactly_n_working_days_up_to_it(
    calendar: WorkingCalendar, event: datetime, n: int
) -> None:
    start = _local(event).date()
    result = calendar.add_working_days(start, n)
    between = [start + timedelta(days=i) for i in range(1, (result - start).days + 1)]
    assert sum(calendar.is_working_day(d) for d in between) == n
    assert calendar.is_working_day(result)


@settings(max_examples=200, deadline=None)
@given(calendars(), events, st.integers(min_value=-30, max_value=400))
def test_working_days_elapsed_matches_counting_day_by_day(
    calendar: WorkingCalendar, start: datetime, offset_days: int
) -> None:
    end = start + timedelta(days=offset_days, hours=5)
    assert calendar.working_days_elapsed(start, end) == _count_slowly(calendar, start, end)


@settings(max_examples=200, deadline=None)
@given(calendars(), events)
def test_same_working_day_flags_out_of_hours_exactly(calendar: WorkingCalendar, event: datetime) -> None:
    local = _local(event)
    in_hours = calendar.is_working_day(local.date()) and local.time() < calendar.cutoff
    deadline = calendar.same_working_day(event)
    assert deadline.out_of_hours is not in_hours
    assert (_local(deadline.due_at).date() == local.date()) is in_hours


def _count_slowly(calendar: WorkingCalendar, start: datetime, end: datetime) -> int:
    if end <= start:
        return 0
    d: date = _local(start).date() + timedelta(days=1)
    last = _local(end).date()
    count = 0
    while d <= last:
        count += calendar.is_working_day(d)
        d += timedelta(days=1)
    return count
