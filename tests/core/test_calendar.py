"""Working-day examples across real bank holidays, closures and the BST/GMT changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from dsl_desk.core.calendar import NATIONS, SCHOOL_CLOSURE, WorkingCalendar

from .moments import at, london_date, london_time


def test_nations_are_the_four_uk_nations() -> None:
    assert NATIONS == {
        "england": "England",
        "wales": "Wales",
        "scotland": "Scotland",
        "northern_ireland": "Northern Ireland",
    }


def test_unknown_nation_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown nation"):
        WorkingCalendar("cornwall")


def test_naive_event_is_refused(england: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        england.same_working_day(datetime(2026, 1, 5, 10, 0))  # naive on purpose


@pytest.mark.parametrize(
    ("nation", "expected"),
    [
        # Easter 2026: Good Friday 3 Apr everywhere; Easter Monday 6 Apr is not a bank holiday in Scotland.
        ("england", date(2026, 4, 7)),
        ("wales", date(2026, 4, 7)),
        ("northern_ireland", date(2026, 4, 7)),
        ("scotland", date(2026, 4, 6)),
    ],
)
def test_easter_2026_differs_by_nation(nation: str, expected: date) -> None:
    calendar = WorkingCalendar(nation)
    assert calendar.next_working_day(date(2026, 4, 2)) == expected
    assert calendar.holiday_name(date(2026, 4, 3)) == "Good Friday"


def test_easter_monday_names(england: WorkingCalendar) -> None:
    assert england.holiday_name(date(2026, 4, 6)) == "Easter Monday"
    assert WorkingCalendar("scotland").holiday_name(date(2026, 4, 6)) is None
    assert WorkingCalendar("scotland").is_working_day(date(2026, 4, 6))


def test_christmas_2026_in_england(england: WorkingCalendar) -> None:
    # Fri 25 Dec, Sat 26 Dec (Boxing Day), Mon 28 Dec (Boxing Day observed), Fri 1 Jan.
    assert england.is_working_day(date(2026, 12, 24))
    assert not england.is_working_day(date(2026, 12, 25))
    assert england.holiday_name(date(2026, 12, 28)) == "Boxing Day (observed)"
    assert england.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)
    assert england.add_working_days(date(2026, 12, 24), 5) == date(2027, 1, 5)


def test_christmas_2026_in_scotland_adds_the_new_year_holidays() -> None:
    scotland = WorkingCalendar("scotland")
    # 2 Jan 2027 is a Saturday, so Scotland's New Year Holiday is observed on Mon 4 Jan.
    assert not scotland.is_working_day(date(2027, 1, 4))
    assert scotland.add_working_days(date(2026, 12, 24), 5) == date(2027, 1, 6)


def test_st_patricks_day_only_in_northern_ireland() -> None:
    assert not WorkingCalendar("northern_ireland").is_working_day(date(2026, 3, 17))
    assert WorkingCalendar("england").is_working_day(date(2026, 3, 17))


def test_late_summer_bank_holiday_england_and_scotland() -> None:
    assert not WorkingCalendar("england").is_working_day(date(2026, 8, 31))
    assert WorkingCalendar("scotland").is_working_day(date(2026, 8, 31))
    assert not WorkingCalendar("scotland").is_working_day(date(2026, 8, 3))


def test_closure_day_is_not_a_working_day() -> None:
    inset = date(2026, 1, 12)  # a Monday INSET day
    calendar = WorkingCalendar("england", closure_days=[inset])
    assert not calendar.is_working_day(inset)
    assert calendar.holiday_name(inset) == SCHOOL_CLOSURE
    assert calendar.within_working_days(at(2026, 1, 9), 1).due_at == at(2026, 1, 13, 17)


def test_weekend_has_no_holiday_name(england: WorkingCalendar) -> None:
    assert england.holiday_name(date(2026, 1, 10)) is None
    assert not england.is_working_day(date(2026, 1, 10))


def test_add_working_days_needs_at_least_one(england: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="n >= 1"):
        england.add_working_days(date(2026, 1, 5), 0)


def test_cutoff_is_17_00_london_in_gmt_and_bst(england: WorkingCalendar) -> None:
    assert england.cutoff_on(date(2026, 1, 5)) == datetime(2026, 1, 5, 17, 0, tzinfo=UTC)
    assert england.cutoff_on(date(2026, 7, 6)) == datetime(2026, 7, 6, 16, 0, tzinfo=UTC)


def test_week_the_clocks_go_forward(england: WorkingCalendar) -> None:
    # BST starts Sun 29 Mar 2026: Friday's 17:00 is 17:00 UTC, Monday's is 16:00 UTC.
    before = england.same_working_day(at(2026, 3, 27, 16, 30))
    assert before.due_at == datetime(2026, 3, 27, 17, 0, tzinfo=UTC)
    assert not before.out_of_hours
    late = england.same_working_day(at(2026, 3, 27, 17, 30))
    assert late.due_at == datetime(2026, 3, 30, 16, 0, tzinfo=UTC)
    assert late.out_of_hours


def test_week_the_clocks_go_back(england: WorkingCalendar) -> None:
    # GMT returns Sun 25 Oct 2026.
    deadline = england.within_working_days(at(2026, 10, 23, 9), 1)
    assert deadline.due_at == datetime(2026, 10, 26, 17, 0, tzinfo=UTC)
    assert london_time(deadline.due_at) == time(17, 0)


def test_same_working_day_at_and_after_cutoff(england: WorkingCalendar) -> None:
    assert england.same_working_day(at(2026, 1, 5, 16, 59)).due_at == at(2026, 1, 5, 17)
    # At 17:00 exactly the working day is over.
    at_cutoff = england.same_working_day(at(2026, 1, 5, 17, 0))
    assert at_cutoff.due_at == at(2026, 1, 6, 17)
    assert at_cutoff.out_of_hours


def test_saturday_event_is_due_monday(england: WorkingCalendar) -> None:
    deadline = england.same_working_day(at(2026, 1, 10, 11))
    assert london_date(deadline.due_at) == date(2026, 1, 12)
    assert deadline.out_of_hours


def test_within_working_days_counts_from_the_event_date(england: WorkingCalendar) -> None:
    # Thu 2 Apr 2026 + 5 working days, over Good Friday and Easter Monday: 7, 8, 9, 10, 13 Apr.
    assert london_date(england.within_working_days(at(2026, 4, 2), 5).due_at) == date(2026, 4, 13)
    assert england.within_working_days(at(2026, 4, 2), 0) == england.same_working_day(at(2026, 4, 2))


def test_custom_cutoff() -> None:
    calendar = WorkingCalendar("england", cutoff=time(15, 30))
    assert calendar.same_working_day(at(2026, 1, 5, 15, 45)).due_at == at(2026, 1, 6, 15, 30)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (at(2026, 1, 5, 9), at(2026, 1, 5, 16), 0),  # same day
        (at(2026, 1, 5, 9), at(2026, 1, 6, 9), 1),
        (at(2026, 1, 9, 9), at(2026, 1, 12, 9), 1),  # Fri -> Mon
        (at(2026, 12, 24, 9), at(2027, 1, 5, 9), 5),  # over Christmas and New Year
        (at(2026, 1, 6, 9), at(2026, 1, 5, 9), 0),  # end before start
    ],
)
def test_working_days_elapsed(
    england: WorkingCalendar, start: datetime, end: datetime, expected: int
) -> None:
    assert england.working_days_elapsed(start, end) == expected
