"""The retention date of a record and the decision whether it may be deleted."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsl_desk.core.retention import (
    Hold,
    ReviewFacts,
    TransferOut,
    born_before_for_review,
    is_past,
    ordinal,
    retention_date,
    review,
)

BORN = date(2001, 3, 14)


def facts(today: date, **changes: object) -> ReviewFacts:
    return ReviewFacts(**{"date_of_birth": BORN, "years_after_birth": 25, "today": today, **changes})


@pytest.mark.parametrize(
    ("born", "years", "until"),
    [
        (date(2001, 3, 14), 25, date(2026, 3, 14)),
        (date(2004, 2, 29), 25, date(2029, 2, 28)),  # 2029 is not a leap year
        (date(2004, 2, 29), 24, date(2028, 2, 29)),  # 2028 is
        (date(2000, 2, 29), 100, date(2100, 2, 28)),  # 2100 is not (a century, not divisible by 400)
        (date(2010, 12, 31), 31, date(2041, 12, 31)),
    ],
)
def test_retention_date_is_that_birthday(born, years, until):
    assert retention_date(born, years) == until


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2050, 12, 31)), st.integers(25, 75))
def test_retention_date_is_always_the_birthday_or_28_february(born, years):
    until = retention_date(born, years)
    assert until.year == born.year + years
    if (born.month, born.day) == (2, 29) and until.month == 2 and until.day == 28:
        return
    assert (until.month, until.day) == (born.month, born.day)


def test_a_record_is_past_only_after_its_last_day():
    assert not is_past(date(2026, 3, 14), date(2026, 3, 13))
    assert not is_past(date(2026, 3, 14), date(2026, 3, 14))  # the birthday itself: still kept
    assert is_past(date(2026, 3, 14), date(2026, 3, 15))


def test_not_due_before_the_25th_birthday_has_passed():
    decision = review(facts(date(2026, 3, 14)))
    assert not decision.due
    assert not decision.can_delete
    assert decision.retention_until == date(2026, 3, 14)
    assert "25th birthday (14 March 2026)" in decision.due_because


def test_due_the_day_after():
    decision = review(facts(date(2026, 3, 15)))
    assert decision.due
    assert decision.can_delete
    assert decision.blockers == ()
    assert "which has passed" in decision.due_because


def test_a_longer_period_from_the_profile_moves_the_date():
    decision = review(facts(date(2026, 3, 15), years_after_birth=31))
    assert not decision.due
    assert decision.retention_until == date(2032, 3, 14)
    assert "31st birthday" in decision.due_because


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"open_escalations": 1}, "1 escalation is still open"),
        ({"open_escalations": 2}, "2 escalations are still open"),
        ({"open_requests": 1}, "1 subject access request is still open"),
        (
            {"hold": Hold("Inquiry: do not destroy", date(2027, 1, 1))},
            "Kept longer (review on 1 January 2027)",
        ),
    ],
)
def test_each_reason_to_stop_blocks_deletion(changes, words):
    decision = review(facts(date(2026, 3, 15), **changes))
    assert decision.due
    assert not decision.can_delete
    assert any(words in blocker for blocker in decision.blockers), decision.blockers


def test_a_copy_kept_after_a_transfer_is_due_when_its_time_ends():
    sent = TransferOut("Oakfield Academy", keep_copy_until=date(2025, 9, 1), acknowledged=True)
    decision = review(facts(date(2025, 9, 2), transfer=sent))
    assert decision.due
    assert decision.can_delete
    assert decision.keep_until == date(2025, 9, 1)
    assert decision.retention_until == date(2026, 3, 14)
    assert "Oakfield Academy" in decision.due_because
    assert not review(facts(date(2025, 9, 1), transfer=sent)).due


def test_a_copy_is_not_deleted_before_the_receiving_school_confirms_receipt():
    sent = TransferOut("Oakfield Academy", keep_copy_until=date(2025, 9, 1), acknowledged=False)
    decision = review(facts(date(2025, 9, 2), transfer=sent))
    assert decision.due
    assert not decision.can_delete
    assert "has not confirmed it received the file" in decision.blockers[0]
    # Past the 25th birthday the record goes anyway: the receipt no longer matters.
    assert review(facts(date(2026, 3, 15), transfer=sent)).can_delete


def test_a_transfer_never_keeps_a_record_past_its_birthday():
    sent = TransferOut("Oakfield Academy", keep_copy_until=date(2030, 1, 1), acknowledged=True)
    decision = review(facts(date(2026, 3, 15), transfer=sent))
    assert decision.due
    assert decision.keep_until == date(2026, 3, 14)


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (25, "25th"),
    ],
)
def test_ordinals(number, words):
    assert ordinal(number) == words


def test_hold_without_review_date_still_blocks():
    decision = review(facts(date(2026, 3, 15) + timedelta(days=400), hold=Hold("Legal claim", None)))
    assert decision.blockers == ("Kept longer: Legal claim",)


@given(
    born=st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31)),
    years=st.integers(min_value=25, max_value=75),
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
)
def test_the_review_shortlist_never_leaves_out_a_record_past_retention(born, years, today):
    """The SQL shortlist (born before a date) must hold every record the exact rule finds past retention."""
    if is_past(retention_date(born, years), today):
        assert born < born_before_for_review(today, years)
