"""The one module for dates and relative days in words (core/dates_in_words.py)."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dsl_desk.core import dates_in_words as w

SRC = Path(__file__).resolve().parents[2] / "src" / "dsl_desk"
SAT = date(2015, 3, 14)
TODAY = date(2026, 1, 5)  # a Monday


def test_dates_have_no_leading_zero_and_english_names_whatever_the_locale():
    assert w.long_date(SAT) == "Saturday 14 March 2015"
    assert w.day_month_year(date(2026, 3, 5)) == "5 March 2026"
    assert w.day_month(date(2026, 3, 5)) == "5 March"
    assert w.month_year(SAT) == "March 2015"
    assert w.medium_date(date(2026, 3, 5)) == "5 Mar 2026"
    assert w.numeric_date(date(2026, 3, 5)) == "05/03/2026"
    assert w.iso_date(date(2026, 3, 5)) == "2026-03-05"
    assert w.short_day_month(SAT) == "Sat 14 Mar"
    assert w.short_date(SAT) == "Sat 14 Mar 2015"
    assert w.short_date(date(2026, 1, 9), TODAY) == "Fri 9 Jan"  # this year: no year
    assert w.describe_date(date(2027, 1, 9), TODAY) == "Sat 9 Jan 2027"


def test_times_are_shown_in_london_whatever_zone_they_come_in():
    summer = datetime(2026, 7, 1, 13, 2, 9, tzinfo=UTC)  # 14:02 BST
    assert w.clock_time(summer) == "14:02"
    assert w.clock_time_seconds(summer) == "14:02:09"
    assert w.at_time(summer) == "1 July 2026 at 14:02"
    assert w.at_time(summer, w.long_date) == "Wednesday 1 July 2026 at 14:02"
    assert w.with_time(summer) == "1 July 2026 14:02"
    assert w.with_time(summer, w.medium_date) == "1 Jul 2026 14:02"
    assert w.numeric_date_time(summer) == "01/07/2026 14:02"
    assert w.with_time(datetime(2026, 7, 1, 9, 5)) == "1 July 2026 09:05"  # naive: already local


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (date(2026, 1, 5), "today"),
        (date(2026, 1, 6), "tomorrow"),
        (date(2026, 1, 4), "yesterday"),
        (date(2026, 1, 8), "in 3 days"),
        (date(2026, 1, 3), "2 days ago"),
    ],
)
def test_one_vocabulary_for_relative_days(day, words):
    assert w.relative_day(day, TODAY) == words


def test_working_days_and_days_due():
    assert w.working_days(1) == "1 working day"
    assert w.working_days(3) == "3 working days"
    assert w.in_working_days(0) == "today"
    assert w.in_working_days(3) == "in 3 working days"
    assert w.due_on_words(None, TODAY) == ""
    assert w.due_on_words(TODAY, TODAY) == "due today"
    assert w.due_on_words(date(2026, 1, 12), TODAY) == "due Mon 12 Jan"
    assert w.due_on_words(date(2026, 1, 2), TODAY) == "overdue: was due Fri 2 Jan"


def test_a_deadline_phrase_never_says_due_overdue():
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    assert w.deadline_phrase(datetime(2026, 1, 5, 17, 0, tzinfo=UTC), now) == "due today 17:00"
    assert w.deadline_phrase(datetime(2026, 1, 9, 17, 0, tzinfo=UTC), now) == "due Fri 9 Jan 17:00"
    assert w.deadline_phrase(datetime(2026, 1, 4, 17, 0, tzinfo=UTC), now) == "overdue since 17:00 yesterday"
    assert w.deadline_phrase(None, now) == ""


def test_the_records_dashboard_speaks_one_vocabulary_for_every_kind():
    """Transfers put 'overdue: was due Mon 13 Apr' in the dashboard's Due column beside subject access
    requests' 'in 31 days' (services/records/due.py documents the second): both now come from relative_day."""
    from dsl_desk.services.records import subject_access, transfers

    for module in (subject_access, transfers):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            if getattr(call.func, "id", "") == "RecordDue":
                due_words = next(k.value for k in call.keywords if k.arg == "due_words")
                assert ast.unparse(due_words).startswith(("relative_day(", "r.due_words")), module.__name__


def test_no_inline_date_format_outside_this_module():
    """strftime names follow the machine's locale (Qt sets it) and zero-pad ('05 March'); every date a person
    reads comes from dates_in_words. File names and PDF date stamps (digits only) are not words."""
    words = ("%a", "%A", "%b", "%B", "%d/", "%d %", "%H:%M}")
    found = []
    for path in SRC.rglob("*.py"):
        if path.name == "dates_in_words.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(f":{fmt}" in line or (f"{fmt}" in line and "strftime" in line) for fmt in words):
                found.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert not [f for f in found if "crash.py" not in f and "calendar.py" not in f], "\n".join(found)
