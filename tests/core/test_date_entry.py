"""Typed UK dates and times: day first always, two-digit years placed sensibly, every refusal said plainly."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl_desk.core.date_entry import (
    DateEntryError,
    datetime_words,
    london_instant,
    long_date,
    parse_uk_date,
    parse_uk_datetime,
)
from dsl_desk.core.dates_in_words import DAY_NAMES, MONTH_NAMES

TODAY = date(2026, 1, 5)  # the test clock's Monday
NOW = datetime(2026, 1, 5, 9, 0)
PI_DAY = date(2015, 3, 14)


@pytest.mark.parametrize(
    "typed",
    [
        "14/03/2015",
        "14/3/15",
        "14.3.15",
        "14-03-2015",
        "14 3 2015",
        "14 Mar 2015",
        "14 March 2015",
        "14 march 2015",
        "14th March 2015",
        "14th of March 2015",
        "14-Mar-2015",
        "Saturday 14 March 2015",
        "Sat 14 Mar 2015",
        "March 14, 2015",
        "2015-03-14",
        "  14 / 03 / 2015  ",
    ],
)
def test_every_accepted_form_of_14_march_2015(typed: str) -> None:
    assert parse_uk_date(typed, today=TODAY) == PI_DAY
    assert parse_uk_date(typed, today=TODAY, past_only=True) == PI_DAY


def test_numbers_are_read_day_first_even_when_both_could_be_months() -> None:
    assert parse_uk_date("03/04/2015") == date(2015, 4, 3)
    assert parse_uk_date("1/12/2018") == date(2018, 12, 1)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31/02/2015", "31/02/2015 is not a date: February 2015 has 28 days."),
        ("29/02/2023", "29/02/2023 is not a date: February 2023 has 28 days."),
        ("31/04/2015", "31/04/2015 is not a date: April 2015 has 30 days."),
        ("03/14/2015", "there is no month 14. The day comes first, then the month: 14/03/2015."),
        ("14/13/2015", "14/13/2015 is not a date: there is no month 13."),
        ("0/3/2015", "there is no day 0"),
        ("14/0/2015", "there is no month 0"),
        ("banana", "“banana” is not a date. Type the day first, e.g. 14/03/2015 or 14 March 2015."),
        ("14 Smarch 2015", "“smarch” is not a month"),
        ("14/03", "“14/03” has no year"),
        ("14 March", "has no year"),
        ("March 2015", "has no day"),
        ("Friday 14 March 2015", "14 March 2015 is a Saturday, not a Friday."),
        ("14/03/1850", "the year 1850 is too early"),
        ("14/03/215", "write the year in full"),
        ("14/3/15/3", "is not a date"),
        ("14//", "is not a date"),
        ("£14/03/2015", "is not a date"),
        ("", "Enter a date, e.g. 14/03/2015."),
        ("   ", "Enter a date"),
    ],
)
def test_what_is_wrong_is_said_plainly(typed: str, message: str) -> None:
    with pytest.raises(DateEntryError) as refused:
        parse_uk_date(typed, today=TODAY)
    assert message in str(refused.value)


def test_a_leap_day_is_a_date_in_a_leap_year() -> None:
    assert parse_uk_date("29/02/2024") == date(2024, 2, 29)
    assert parse_uk_date("29/2/24", today=TODAY, past_only=True) == date(2024, 2, 29)


def test_past_only_refuses_the_future_relative_to_the_today_given() -> None:
    with pytest.raises(DateEntryError) as refused:
        parse_uk_date("14/03/2030", today=TODAY, past_only=True)
    assert str(refused.value) == (
        "Thursday 14 March 2030 is in the future. It cannot be after Monday 5 January 2026."
    )
    assert parse_uk_date("5/1/2026", today=TODAY, past_only=True) == TODAY  # today itself is fine
    assert parse_uk_date("14/03/2030", today=TODAY) == date(2030, 3, 14)  # without past_only it is a date
    with pytest.raises(TypeError):
        parse_uk_date("14/03/2015", past_only=True)  # a caller bug, not a user's mistake


def test_two_digit_years_for_a_past_only_field_are_never_in_the_future() -> None:
    assert parse_uk_date("14/3/15", today=TODAY, past_only=True) == date(2015, 3, 14)
    assert parse_uk_date("14/3/98", today=TODAY, past_only=True) == date(1998, 3, 14)
    assert parse_uk_date("4/1/26", today=TODAY, past_only=True) == date(2026, 1, 4)
    assert parse_uk_date("6/1/26", today=TODAY, past_only=True) == date(
        1926, 1, 6
    )  # tomorrow is not a birthday


def test_two_digit_years_elsewhere_fall_within_80_years_back_and_19_ahead() -> None:
    assert parse_uk_date("14/3/45", today=TODAY) == date(2045, 3, 14)
    assert parse_uk_date("14/3/46", today=TODAY) == date(1946, 3, 14)
    assert parse_uk_date("14/3/69") == date(2069, 3, 14)  # no today: the usual 69/70 pivot
    assert parse_uk_date("14/3/70") == date(1970, 3, 14)


def test_earliest_and_latest_bound_the_date() -> None:
    with pytest.raises(DateEntryError, match="too early: the earliest allowed here is Monday 5 January 2026"):
        parse_uk_date("4/1/2026", earliest=TODAY)
    with pytest.raises(DateEntryError, match="too late: the latest allowed here is Monday 5 January 2026"):
        parse_uk_date("6/1/2026", latest=TODAY)


def test_today_yesterday_and_tomorrow_need_a_today() -> None:
    assert parse_uk_date("Yesterday", today=TODAY) == date(2026, 1, 4)
    assert parse_uk_date("today", today=TODAY) == TODAY
    with pytest.raises(DateEntryError):
        parse_uk_date("today")
    with pytest.raises(DateEntryError, match="in the future"):
        parse_uk_date("tomorrow", today=TODAY, past_only=True)


def test_a_date_in_words_names_the_weekday_whatever_the_locale() -> None:
    assert long_date(PI_DAY) == "Saturday 14 March 2015"
    assert long_date(date(2026, 1, 5)) == "Monday 5 January 2026"
    assert datetime_words(datetime(2015, 3, 14, 15, 30)) == "Saturday 14 March 2015 at 15:30"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("14/03/2015 15:30", datetime(2015, 3, 14, 15, 30)),
        ("14/3/15 3.30pm", datetime(2015, 3, 14, 15, 30)),
        ("14/3/15 3:30 PM", datetime(2015, 3, 14, 15, 30)),
        ("14/3/15, 3:05 p.m.", datetime(2015, 3, 14, 15, 5)),
        ("14 March 2015 at 9am", datetime(2015, 3, 14, 9, 0)),
        ("14.3.15 09.05", datetime(2015, 3, 14, 9, 5)),
        ("2015-03-14T15:30", datetime(2015, 3, 14, 15, 30)),
        ("2015-03-14 15:30:20", datetime(2015, 3, 14, 15, 30, 20)),
        ("14/03/2015 12am", datetime(2015, 3, 14, 0, 0)),
        ("14/03/2015 12pm", datetime(2015, 3, 14, 12, 0)),
        ("14/03/2015 12 noon", datetime(2015, 3, 14, 12, 0)),
        ("14/03/2015 midnight", datetime(2015, 3, 14, 0, 0)),
        ("today 08:15", datetime(2026, 1, 5, 8, 15)),
        ("yesterday 4pm", datetime(2026, 1, 4, 16, 0)),
    ],
)
def test_date_times_as_typed(typed: str, meant: datetime) -> None:
    assert parse_uk_datetime(typed, now=NOW, past_only=True) == meant


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("14/03/2015", "Add the time to “14/03/2015”, e.g. 14/03/2015 15:30."),
        ("15:30", "Add the date to “15:30”"),
        ("14/03/2015 25:00", "25:00 is not a time: hours run from 00 to 23."),
        ("14/03/2015 13pm", "with am or pm the hour runs from 1 to 12"),
        ("14/03/2015 3.75pm", "minutes run from 00 to 59"),
        ("14/03/2015 15:3", "write the minutes as two figures"),
        ("31/02/2015 15:30", "February 2015 has 28 days"),
        ("14/03/2015 15", "is not a date and time"),
        ("today 09:01", "Monday 5 January 2026 at 09:01 is in the future."),
        ("", "Enter a date and time"),
    ],
)
def test_date_time_refusals(typed: str, message: str) -> None:
    with pytest.raises(DateEntryError) as refused:
        parse_uk_datetime(typed, now=NOW, past_only=True)
    assert message in str(refused.value)


def test_uk_wall_clock_times_become_utc_and_the_skipped_hour_is_refused() -> None:
    assert london_instant(datetime(2026, 1, 5, 9, 0)) == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert london_instant(datetime(2026, 6, 1, 9, 0)) == datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # BST
    with pytest.raises(DateEntryError, match="did not happen in the UK: the clocks went forward"):
        london_instant(datetime(2026, 3, 29, 1, 30))
    # the hour the clocks go back happens twice: the first (BST) is taken
    assert london_instant(datetime(2026, 10, 25, 1, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


# -- properties: whatever date, written in any accepted style, reads back as itself --------------------------

_MONTH_ABBREVIATIONS = [name[:3] for name in MONTH_NAMES]


def _styles(d: date) -> list[str]:
    month, abbreviation = MONTH_NAMES[d.month - 1], _MONTH_ABBREVIATIONS[d.month - 1]
    return [
        f"{d.day:02d}/{d.month:02d}/{d.year}",
        f"{d.day}/{d.month}/{d.year}",
        f"{d.day}.{d.month}.{d.year}",
        f"{d.day:02d}-{d.month:02d}-{d.year}",
        f"{d.day} {abbreviation} {d.year}",
        f"{d.day} {month} {d.year}",
        f"{d.day}-{abbreviation}-{d.year}",
        f"{DAY_NAMES[d.weekday()]} {d.day} {month} {d.year}",
        f"{month} {d.day}, {d.year}",
        d.isoformat(),
        long_date(d),
    ]


def _short_styles(d: date) -> list[str]:
    short = d.year % 100
    return [
        f"{d.day}/{d.month}/{short:02d}",
        f"{d.day}.{d.month}.{short:02d}",
        f"{d.day:02d}-{d.month:02d}-{short:02d}",
        f"{d.day} {_MONTH_ABBREVIATIONS[d.month - 1]} {short:02d}",
    ]


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_any_date_in_any_full_style_reads_back_as_itself(d: date) -> None:
    for typed in _styles(d):
        assert parse_uk_date(typed, today=TODAY) == d, typed


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1946, 1, 1), max_value=date(2045, 12, 31)))
def test_a_two_digit_year_reads_back_within_its_window(d: date) -> None:
    for typed in _short_styles(d):
        assert parse_uk_date(typed, today=TODAY) == d, typed


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1926, 1, 6), max_value=TODAY))
def test_a_two_digit_past_only_year_reads_back_for_the_last_hundred_years(d: date) -> None:
    for typed in _short_styles(d) + _styles(d):
        assert parse_uk_date(typed, today=TODAY, past_only=True) == d, typed


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)))
def test_any_date_time_in_any_style_reads_back_as_itself(moment: datetime) -> None:
    moment = moment.replace(second=0, microsecond=0)
    d = moment.date()
    hour12 = moment.hour % 12 or 12
    half = "am" if moment.hour < 12 else "pm"
    for typed in (
        f"{d.day:02d}/{d.month:02d}/{d.year} {moment:%H:%M}",
        f"{d.day}/{d.month}/{d.year} {hour12}.{moment.minute:02d}{half}",
        f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year} at {hour12}:{moment.minute:02d} {half.upper()}",
        f"{d.isoformat()}T{moment:%H:%M}",
        datetime_words(moment),
    ):
        assert parse_uk_datetime(typed, now=NOW) == moment, typed
