"""Dates and times as a UK user types them: read day first, never silently misread.

Dates (`parse_uk_date`) — numbers are always day, month, year:
    14/03/2015   14/3/15   14.3.15   14-03-2015   14 3 2015      separators / . - or spaces
    14 Mar 2015   14 March 2015   14th March 2015   14-Mar-2015   14 Sept 2015
    Saturday 14 March 2015 (the weekday is checked)   March 14, 2015 (a month name is never ambiguous)
    2015-03-14 (ISO: a four-digit first number is a year, so year-month-day)
    today, yesterday, tomorrow (only when `today` is passed)
A two-digit year is put in the century that makes sense: with `past_only` the latest year that is not in the
future (14/3/15 → 2015, 14/3/98 → 1998); otherwise within 80 years before and 19 after `today` (without
`today`: 00–69 → 2000s, 70–99 → 1900s). Years run 1900..9999. A date without a year is refused.

Date-times (`parse_uk_datetime`): any date above, then the time, optionally after "at" or a comma:
    14/03/2015 15:30   14/3/15 3.30pm   14 March 2015 at 9am   2015-03-14T15:30   today 12 noon   midnight
A time needs minutes unless it has am/pm ("3pm"); 24-hour times run 00:00..23:59. The result is a naive
UK wall-clock time: `london_instant` turns it into an aware UTC instant, refusing the hour the clocks skip.

Every refusal is a `DateEntryError` whose message names what was wrong, e.g.
"31/02/2015 is not a date: February 2015 has 28 days." Core never reads the clock: `today`/`now` are passed in.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta

from dsl_desk.core.clock import LONDON
from dsl_desk.core.dates_in_words import DAY_NAMES, MONTH_NAMES, at_time, clock_time, long_date
from dsl_desk.core.i18n import _

__all__ = [
    "DATETIME_EXAMPLE",
    "DATE_EXAMPLE",
    "DateEntryError",
    "datetime_words",
    "london_instant",
    "long_date",
    "parse_uk_date",
    "parse_uk_datetime",
]

DATE_EXAMPLE = "14/03/2015"
DATETIME_EXAMPLE = "14/03/2015 15:30"
EARLIEST_YEAR, LATEST_YEAR = 1900, 9999


class DateEntryError(ValueError):
    """What a user typed is not a date (or time) we can take; the message says why, in plain English."""


def _name_table(names: tuple[str, ...], extra: dict[str, int]) -> dict[str, int]:
    table = {name.lower(): i for i, name in enumerate(names)}
    table.update({name[:3].lower(): i for i, name in enumerate(names)})
    table.update(extra)
    return table


_MONTH_WORDS = _name_table(MONTH_NAMES, {"sept": 8})
_DAY_WORDS = _name_table(DAY_NAMES, {"tues": 1, "weds": 2, "thur": 3, "thurs": 3})
_ALLOWED = re.compile(r"[a-z0-9\s/.,\-]*")
_SEPARATORS = re.compile(r"[\s/.,\-]+")
_NUMBER = re.compile(r"(\d+)(st|nd|rd|th)?")
_FORMS_HINT = "Type the day first, e.g. 14/03/2015 or 14 March 2015"


# -- dates ----------------------------------------------------------------------------------------------------


def parse_uk_date(
    text: str,
    *,
    today: date | None = None,
    past_only: bool = False,
    earliest: date | None = None,
    latest: date | None = None,
) -> date:
    """The date `text` means, read the UK way (formats in the module docstring), or a DateEntryError.

    `past_only` refuses a date after `today` (which it needs); `earliest`/`latest` bound the answer."""
    if past_only and today is None:
        raise TypeError("past_only needs today")
    raw = " ".join(text.split())
    if not raw:
        raise DateEntryError(_("Enter a date, e.g. {DATE_EXAMPLE}.").format(DATE_EXAMPLE=DATE_EXAMPLE))
    day = _read_date(raw, today, past_only)
    _check_bounds(long_date(day), day, today if past_only else None, earliest, latest)
    return day


def _read_date(raw: str, today: date | None, past_only: bool) -> date:
    lowered = raw.lower().strip(" .,")
    if lowered in _RELATIVE:
        return _relative(raw, _RELATIVE[lowered], today)
    if not _ALLOWED.fullmatch(lowered):
        raise DateEntryError(
            _("“{raw}” is not a date. {FORMS_HINT}.").format(raw=raw, FORMS_HINT=_FORMS_HINT)
        )
    parts = [p for p in _SEPARATORS.split(lowered) if p and p != "of"]
    weekday = _DAY_WORDS[parts.pop(0)] if parts and parts[0] in _DAY_WORDS else None
    words = [p for p in parts if not _NUMBER.fullmatch(p)]
    numbers = [p for p in parts if _NUMBER.fullmatch(p)]
    if not numbers:
        raise DateEntryError(
            _("“{raw}” is not a date. {FORMS_HINT}.").format(raw=raw, FORMS_HINT=_FORMS_HINT)
        )
    unknown = [w for w in words if w not in _MONTH_WORDS]
    if unknown or len(words) > 1:
        raise DateEntryError(
            _("“{raw}” is not a date: “{value}” is not a month. {FORMS_HINT}.").format(
                raw=raw, value=(unknown or words[1:])[0], FORMS_HINT=_FORMS_HINT
            )
        )
    if words:
        day_number, month, year_text = _named_month(raw, _MONTH_WORDS[words[0]] + 1, numbers)
    else:
        day_number, month, year_text = _numeric(raw, numbers)
    year = _year(raw, year_text, month, day_number, today, past_only)
    days_in_month = calendar.monthrange(year, month)[1]
    if day_number == 0:
        raise DateEntryError(_("{raw} is not a date: there is no day 0.").format(raw=raw))
    if day_number > days_in_month:
        raise DateEntryError(
            _("{raw} is not a date: {MONTH_NAMES} {year} has {days_in_month} days.").format(
                raw=raw, MONTH_NAMES=MONTH_NAMES[month - 1], year=year, days_in_month=days_in_month
            )
        )
    result = date(year, month, day_number)
    if weekday is not None and weekday != result.weekday():
        raise DateEntryError(
            _(
                "{raw} does not add up: {day} {MONTH_NAMES} {year} is a {DAY_NAMES}, not a {DAY_NAMES2}."
            ).format(
                raw=raw,
                day=result.day,
                MONTH_NAMES=MONTH_NAMES[month - 1],
                year=year,
                DAY_NAMES=DAY_NAMES[result.weekday()],
                DAY_NAMES2=DAY_NAMES[weekday],
            )
        )
    return result


_RELATIVE = {"today": 0, "yesterday": -1, "tomorrow": 1}


def _relative(raw: str, days: int, today: date | None) -> date:
    if today is None:
        raise DateEntryError(
            _("Type the date itself, e.g. {DATE_EXAMPLE}.").format(DATE_EXAMPLE=DATE_EXAMPLE)
        )
    try:
        return today + timedelta(days=days)
    except OverflowError:
        raise DateEntryError(
            _("“{raw}” is past the year {LATEST_YEAR}.").format(raw=raw, LATEST_YEAR=LATEST_YEAR)
        ) from None


def _named_month(raw: str, month: int, numbers: list[str]) -> tuple[int, int, str]:
    """14 March 2015, March 14 2015, 2015 March 14: the four-figure number is the year."""
    if len(numbers) != 2:
        raise _missing(raw, numbers, True)
    first, second = (_digits(n) for n in numbers)
    day_text, year_text = (second, first) if len(first) == 4 else (first, second)
    if len(day_text) > 2:
        raise DateEntryError(
            _("“{raw}” is not a date. {FORMS_HINT}.").format(raw=raw, FORMS_HINT=_FORMS_HINT)
        )
    return int(day_text), month, year_text


def _numeric(raw: str, numbers: list[str]) -> tuple[int, int, str]:
    """Day, month, year — or year, month, day when the first number has four figures (ISO)."""
    if any(n != _digits(n) for n in numbers):  # "14th/3/2015" is not how anyone writes it
        raise DateEntryError(
            _("“{raw}” is not a date. {FORMS_HINT}.").format(raw=raw, FORMS_HINT=_FORMS_HINT)
        )
    if len(numbers) != 3:
        raise _missing(raw, numbers, False)
    if len(numbers[0]) == 4:
        year_text, month_text, day_text = numbers
    else:
        day_text, month_text, year_text = numbers
    if len(day_text) > 2 or len(month_text) > 2:
        raise DateEntryError(
            _("“{raw}” is not a date. {FORMS_HINT}.").format(raw=raw, FORMS_HINT=_FORMS_HINT)
        )
    day_number, month = int(day_text), int(month_text)
    if not 1 <= month <= 12:
        raise DateEntryError(_month_problem(raw, day_number, month, year_text))
    return day_number, month, year_text


def _digits(part: str) -> str:
    match = _NUMBER.fullmatch(part)
    assert match is not None
    return match.group(1)


def _missing(raw: str, numbers: list[str], with_month_name: bool) -> DateEntryError:
    wanted = 2 if with_month_name else 3
    if len(numbers) == wanted - 1:  # one number short: say which
        if any(len(_digits(n)) == 4 for n in numbers):
            return DateEntryError(
                _("“{raw}” has no day. Add it, e.g. {DATE_EXAMPLE}.").format(
                    raw=raw, DATE_EXAMPLE=DATE_EXAMPLE
                )
            )
        return DateEntryError(
            _("“{raw}” has no year. Add it, e.g. {DATE_EXAMPLE}.").format(raw=raw, DATE_EXAMPLE=DATE_EXAMPLE)
        )
    return DateEntryError(_("“{raw}” is not a date. {FORMS_HINT}.").format(raw=raw, FORMS_HINT=_FORMS_HINT))


def _month_problem(raw: str, day: int, month: int, year_text: str) -> str:
    if month == 0:
        return _("{raw} is not a date: there is no month 0.").format(raw=raw)
    if 1 <= day <= 12:  # looks like month/day/year, the American way round
        return _(
            "{raw} is not a date: there is no month {month}. The day comes first, "
            "then the month: {month:02d}/{day:02d}/{year_text}."
        ).format(raw=raw, month=month, day=day, year_text=year_text)
    return _("{raw} is not a date: there is no month {month}.").format(raw=raw, month=month)


def _year(raw: str, text: str, month: int, day: int, today: date | None, past_only: bool) -> int:
    if len(text) == 2:
        return _full_year(int(text), month, day, today, past_only)
    if len(text) != 4:
        raise DateEntryError(
            _("“{raw}”: write the year in full, e.g. 2015, or as two figures, e.g. 15.").format(raw=raw)
        )
    year = int(text)
    if year < EARLIEST_YEAR:
        raise DateEntryError(
            _("{raw}: the year {year} is too early. Dates from {EARLIEST_YEAR} on are taken.").format(
                raw=raw, year=year, EARLIEST_YEAR=EARLIEST_YEAR
            )
        )
    return year


def _full_year(short: int, month: int, day: int, today: date | None, past_only: bool) -> int:
    if today is None:
        return 2000 + short if short < 70 else 1900 + short
    year = today.year // 100 * 100 + short
    if past_only:
        # the latest such year that is not in the future (day 29 of February is checked later)
        return year - 100 if (year, month, day) > (today.year, today.month, today.day) else year
    if year > today.year + 19:
        return year - 100
    if year < today.year - 80:
        return year + 100
    return year


def _check_bounds(
    words: str,
    value: date | datetime,
    not_after: date | datetime | None,
    earliest: date | datetime | None,
    latest: date | datetime | None,
) -> None:
    if not_after is not None and value > not_after:  # type: ignore[operator]
        raise DateEntryError(
            _("{words} is in the future. It cannot be after {words2}.").format(
                words=words, words2=_words(not_after)
            )
        )
    if latest is not None and value > latest:  # type: ignore[operator]
        raise DateEntryError(
            _("{words} is too late: the latest allowed here is {words2}.").format(
                words=words, words2=_words(latest)
            )
        )
    if earliest is not None and value < earliest:  # type: ignore[operator]
        raise DateEntryError(
            _("{words} is too early: the earliest allowed here is {words2}.").format(
                words=words, words2=_words(earliest)
            )
        )


def _words(value: date | datetime) -> str:
    return datetime_words(value) if isinstance(value, datetime) else long_date(value)


# -- date-times -----------------------------------------------------------------------------------------------

_TIME = re.compile(
    r"""(?:\s*(?:,|\bat\b)\s*|\s+|(?<=\d)t)     # what joins the date and the time
    (?P<time>
        (?:12\s*)?(?:noon|midday)|midnight
      | (?P<hour>\d{1,2})(?:[:.](?P<minute>\d{1,2}))?(?::(?P<second>\d{2}))?\s*(?P<half>[ap])\.?\s*m\.?
      | (?P<hour24>\d{1,2})[:.](?P<minute24>\d{1,2})(?::(?P<second24>\d{2}))?
    )$""",
    re.VERBOSE,
)


def parse_uk_datetime(
    text: str,
    *,
    now: datetime | None = None,
    past_only: bool = False,
    earliest: datetime | None = None,
    latest: datetime | None = None,
) -> datetime:
    """The UK wall-clock date and time `text` means (naive), or a DateEntryError.

    `now` (naive, UK wall clock) gives "today" and two-digit years their meaning; `past_only` refuses a
    moment after `now`; `earliest`/`latest` (naive) bound the answer."""
    if past_only and now is None:
        raise TypeError("past_only needs now")
    raw = " ".join(text.split())
    if not raw:
        raise DateEntryError(
            _("Enter a date and time, e.g. {DATETIME_EXAMPLE}.").format(DATETIME_EXAMPLE=DATETIME_EXAMPLE)
        )
    lowered = raw.lower().rstrip(" .")
    if _TIME.fullmatch(" " + lowered):
        raise DateEntryError(
            _("Add the date to “{raw}”, e.g. {DATETIME_EXAMPLE} or today 15:30.").format(
                raw=raw, DATETIME_EXAMPLE=DATETIME_EXAMPLE
            )
        )
    match = _TIME.search(lowered)
    if match is None or not lowered[: match.start()].strip(" ,"):
        if match is None and _looks_like_date(lowered, now):
            raise DateEntryError(
                _("Add the time to “{raw}”, e.g. {DATETIME_EXAMPLE}.").format(
                    raw=raw, DATETIME_EXAMPLE=DATETIME_EXAMPLE
                )
            )
        if match is not None:
            raise DateEntryError(
                _("Add the date to “{raw}”, e.g. {DATETIME_EXAMPLE} or today 15:30.").format(
                    raw=raw, DATETIME_EXAMPLE=DATETIME_EXAMPLE
                )
            )
        raise DateEntryError(
            _("“{raw}” is not a date and time. Type the day first, e.g. {DATETIME_EXAMPLE}.").format(
                raw=raw, DATETIME_EXAMPLE=DATETIME_EXAMPLE
            )
        )
    source = raw if len(raw) == len(lowered) else lowered  # lower() can change the length of odd letters
    date_text = source[: match.start()].strip(" ,")
    today = now.date() if now is not None else None
    day = parse_uk_date(date_text, today=today, past_only=False)
    clock = _read_time(source[match.start("time") : match.end("time")], match)
    result = datetime.combine(day, clock)
    _check_bounds(datetime_words(result), result, now if past_only else None, earliest, latest)
    return result


def _looks_like_date(text: str, now: datetime | None) -> bool:
    try:
        parse_uk_date(text, today=now.date() if now is not None else None)
    except DateEntryError:
        return False
    return True


def _read_time(written: str, match: re.Match[str]) -> time:
    words = match.group("time")
    if "noon" in words or "midday" in words:
        return time(12, 0)
    if words == "midnight":
        return time(0, 0)
    if match.group("half"):
        hour, minute = int(match.group("hour")), int(match.group("minute") or 0)
        second = int(match.group("second") or 0)
        if not 1 <= hour <= 12:
            raise DateEntryError(
                _("{written} is not a time: with am or pm the hour runs from 1 to 12.").format(
                    written=written
                )
            )
        hour = hour % 12 + (12 if match.group("half") == "p" else 0)
    else:
        hour, minute = int(match.group("hour24")), int(match.group("minute24"))
        second = int(match.group("second24") or 0)
        if hour > 23:
            raise DateEntryError(
                _("{written} is not a time: hours run from 00 to 23.").format(written=written)
            )
    if len(match.group("minute") or match.group("minute24") or "00") != 2:
        raise DateEntryError(
            _("{written} is not a time: write the minutes as two figures, e.g. 15:05.").format(
                written=written
            )
        )
    if minute > 59 or second > 59:
        raise DateEntryError(_("{written} is not a time: minutes run from 00 to 59.").format(written=written))
    return time(hour, minute, second)


def datetime_words(moment: datetime) -> str:
    """'Saturday 14 March 2015 at 15:30'."""
    return at_time(moment, long_date)


def london_instant(wall: datetime) -> datetime:
    """A naive UK wall-clock time as an aware UTC instant. In the hour the clocks go back, the first (BST)."""
    aware = wall.replace(tzinfo=LONDON, fold=0)
    back = aware.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None)
    if back != wall.replace(fold=0):
        raise DateEntryError(
            _(
                "{wall} on {wall2} did not happen in the UK: "
                "the clocks went forward an hour at 01:00. Check the time."
            ).format(wall=clock_time(wall), wall2=long_date(wall.date()))
        )
    return aware.astimezone(UTC)
