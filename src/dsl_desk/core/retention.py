"""How long a child's record is kept, and whether it may be deleted now.

Child protection files are kept until the child's 25th birthday and then reviewed: the IRMS Information
Management Toolkit for Schools ("date of birth of the child + 25 years, then review"), which the DfE's Data
Protection Toolkit for Schools repeats. Keeping Children Safe in Education asks that the file be kept securely
and follow the child when they move school; it leaves the period to that guidance. A school may keep records
longer (its own policy, or an inquiry's instruction not to destroy), never shorter, so the profile allows
25 years or more.

Pure: dates are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.core.i18n import _

DEFAULT_YEARS_AFTER_BIRTH = 25
FEWEST_YEARS_AFTER_BIRTH = 25  # the guidance above; fewer would destroy files a court may still ask for
MOST_YEARS_AFTER_BIRTH = 75
_SUFFIXES = {1: "st", 2: "nd", 3: "rd"}


def retention_date(date_of_birth: date, years: int) -> date:
    """The child's birthday `years` after birth: the last day the record must be kept.

    Someone born on 29 February has that birthday on 28 February in a year that is not a leap year.
    """
    target_year = date_of_birth.year + years
    try:
        return date_of_birth.replace(year=target_year)
    except ValueError:  # 29 February in a year without one
        return date(target_year, 2, 28)


def born_before_for_review(today: date, years: int) -> date:
    """Everyone whose record can be past retention today was born before this date (a superset: the exact
    test is `review`). Lets the review look only at the few oldest records rather than at every child."""
    return date(today.year - years + 1, 1, 1)


def is_past(keep_until: date, today: date) -> bool:
    """A record may go only once its last day to be kept has passed, never on that day itself."""
    return today > keep_until


@dataclass(frozen=True)
class TransferOut:
    """The child's file was sent to another school; we keep our copy until `keep_copy_until`."""

    other_school: str
    keep_copy_until: date
    acknowledged: bool  # the receiving school confirmed it has the file


@dataclass(frozen=True)
class Hold:
    reason: str
    review_on: date | None


@dataclass(frozen=True)
class ReviewFacts:
    date_of_birth: date
    years_after_birth: int
    today: date
    transfer: TransferOut | None = None  # the latest transfer out whose kept copy has an end date
    hold: Hold | None = None
    open_escalations: int = 0
    open_requests: int = 0  # subject access requests still to be answered


@dataclass(frozen=True)
class ReviewDecision:
    retention_until: date  # the child's birthday that ends the retention period
    keep_until: date  # the date that counts: the birthday, or the end of a copy kept after a transfer
    due: bool  # past `keep_until`: the record should be reviewed
    due_because: str
    blockers: tuple[str, ...]  # reasons it must not be deleted now, in plain English

    @property
    def can_delete(self) -> bool:
        return self.due and not self.blockers


def review(facts: ReviewFacts) -> ReviewDecision:
    """Whether a record is past its retention date, and what stops it being deleted."""
    until = retention_date(facts.date_of_birth, facts.years_after_birth)
    birthday = f"{ordinal(facts.years_after_birth)} birthday"
    keep_until, because = (
        until,
        _("Kept to the {birthday} ({until}), which has passed.").format(
            birthday=birthday, until=day_month_year(until)
        ),
    )
    blockers: list[str] = []
    transfer = facts.transfer
    if (
        transfer is not None
        and transfer.keep_copy_until < until
        and is_past(transfer.keep_copy_until, facts.today)
    ):
        keep_until = transfer.keep_copy_until
        because = _("The file went to {other_school}; our copy was kept until {keep_copy_until}.").format(
            other_school=transfer.other_school, keep_copy_until=day_month_year(transfer.keep_copy_until)
        )
        if not transfer.acknowledged and not is_past(until, facts.today):
            blockers.append(
                _("{other_school} has not confirmed it received the file. Get their receipt first.").format(
                    other_school=transfer.other_school
                )
            )
    due = is_past(keep_until, facts.today)
    if not due:
        because = _("Kept to the {birthday} ({until}).").format(
            birthday=birthday, until=day_month_year(until)
        )
    blockers.extend(_other_blockers(facts))
    return ReviewDecision(until, keep_until, due, because, tuple(blockers))


def _other_blockers(facts: ReviewFacts) -> list[str]:
    found = []
    if facts.open_escalations:
        found.append(
            _("{count} still open. Resolve or withdraw it first.").format(
                count=_count(facts.open_escalations, "escalation is", "escalations are")
            )
        )
    if facts.open_requests:
        found.append(
            _("{count} still open. Respond to it first.").format(
                count=_count(facts.open_requests, "subject access request is", "subject access requests are")
            )
        )
    if facts.hold is not None:
        review_on = f" (review on {day_month_year(facts.hold.review_on)})" if facts.hold.review_on else ""
        found.append(
            _("Kept longer{review_on}: {reason}").format(review_on=review_on, reason=facts.hold.reason)
        )
    return found


def ordinal(number: int) -> str:
    """25 -> "25th", 31 -> "31st", 42 -> "42nd", 73 -> "73rd", 11 -> "11th"."""
    suffix = "th" if 10 <= number % 100 <= 20 else _SUFFIXES.get(number % 10, "th")
    return f"{number}{suffix}"


def _count(number: int, one: str, many: str) -> str:
    return f"1 {one}" if number == 1 else f"{number} {many}"
