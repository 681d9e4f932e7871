"""The one-month deadline for a subject access request, as the ICO counts it."""

from __future__ import annotations

from datetime import date

import pytest

from dsl_desk.core.calendar import WorkingCalendar
from dsl_desk.core.subject_access import (
    EXEMPTIONS,
    add_months,
    clock_starts,
    exemption,
    response_due,
)

ENGLAND = WorkingCalendar("england")


def test_the_day_of_receipt_is_day_one_and_the_deadline_is_the_same_date_next_month():
    # Tue 3 Feb 2026 -> Tue 3 Mar 2026 (ICO: "received on 3 September ... until 3 October").
    assert response_due(date(2026, 2, 3), ENGLAND) == date(2026, 3, 3)


def test_31_january_is_due_28_february_or_29_in_a_leap_year():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 30), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 10, 31), 1) == date(2026, 11, 30)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    # 28 Feb 2026 is a Saturday, so the response is due on Monday 2 March.
    assert response_due(date(2026, 1, 31), ENGLAND) == date(2026, 3, 2)
    assert response_due(date(2028, 1, 31), ENGLAND) == date(2028, 2, 29)  # a Tuesday


def test_a_request_received_on_a_saturday_still_starts_the_clock_that_day():
    # Sat 7 Feb 2026 -> Sat 7 Mar 2026, a weekend -> Mon 9 Mar.
    assert response_due(date(2026, 2, 7), ENGLAND) == date(2026, 3, 9)


def test_a_deadline_on_a_bank_holiday_moves_to_the_next_working_day():
    # 25 Apr 2025 -> 25 May 2025 is a Sunday, 26 May is the Spring bank holiday: due Tue 27 May.
    assert response_due(date(2025, 4, 25), ENGLAND) == date(2025, 5, 27)
    # 25 Nov 2026 -> Fri 25 Dec (Christmas), Sat, Sun, Mon 28 Dec (Boxing Day substitute): Tue 29 Dec.
    assert response_due(date(2026, 11, 25), ENGLAND) == date(2026, 12, 29)


def test_bank_holidays_are_the_nations_own():
    # 17 Feb 2026 -> Tue 17 Mar: St Patrick's Day is a bank holiday in Northern Ireland only.
    assert response_due(date(2026, 2, 17), ENGLAND) == date(2026, 3, 17)
    assert response_due(date(2026, 2, 17), WorkingCalendar("northern_ireland")) == date(2026, 3, 18)


def test_a_school_closure_day_does_not_move_the_deadline_when_left_out_of_the_calendar():
    with_closure = WorkingCalendar("england", closure_days=[date(2026, 3, 3)])
    assert response_due(date(2026, 2, 3), with_closure) == date(2026, 3, 4)  # why callers leave them out
    assert response_due(date(2026, 2, 3), ENGLAND) == date(2026, 3, 3)


def test_the_month_runs_from_when_identity_was_confirmed_if_later():
    assert clock_starts(date(2026, 2, 3), date(2026, 2, 10)) == date(2026, 2, 10)
    assert clock_starts(date(2026, 2, 3), date(2026, 2, 1)) == date(2026, 2, 3)  # never earlier
    assert response_due(date(2026, 2, 3), ENGLAND, identity_confirmed_on=date(2026, 2, 10)) == date(
        2026, 3, 10
    )


def test_an_extension_adds_up_to_two_further_months():
    # 3 Apr 2026 is Good Friday, then the weekend and Easter Monday: due Tue 7 Apr.
    assert response_due(date(2026, 2, 3), ENGLAND, extension_months=1) == date(2026, 4, 7)
    # 3 May 2026 is a Sunday and 4 May the Early May bank holiday: due Tue 5 May.
    assert response_due(date(2026, 2, 3), ENGLAND, extension_months=2) == date(2026, 5, 5)
    # 31 Jan + 3 months -> 30 Apr 2026 (a Thursday).
    assert response_due(date(2026, 1, 31), ENGLAND, extension_months=2) == date(2026, 4, 30)
    with pytest.raises(ValueError, match="one or two"):
        response_due(date(2026, 2, 3), ENGLAND, extension_months=3)


def test_every_exemption_has_a_statutory_reference_and_a_plain_label():
    assert len({e.key for e in EXEMPTIONS}) == len(EXEMPTIONS)
    for item in EXEMPTIONS:
        assert item.reference.startswith("DPA 2018 Sch. ")
        assert item.label and item.explanation
    assert exemption("child_abuse").reference == "DPA 2018 Sch. 3 Part 5"
    assert exemption("no_longer_known").label == "No longer known"
