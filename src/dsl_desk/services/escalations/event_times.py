"""When something happened, as the DSL says it, apart from when they record it: never in the future, and
marked late when recorded more than a day after (as the discussion log does)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dsl_desk.core.i18n import _
from dsl_desk.services.errors import ValidationError

LATE_AFTER = timedelta(days=1)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # no escalation on any desk began before DSL Desk's policies


def event_time(given: datetime | None, now: datetime, what: str, *, field: str) -> datetime:
    """`given` checked (aware, not in the future, not absurdly old), or now when not given."""
    if given is None:
        return now
    if given.tzinfo is None:
        raise ValidationError(
            _("{what} needs a time of day as well as a date.").format(what=what), field=field
        )
    if given > now + timedelta(minutes=1):
        raise ValidationError(_("{what} cannot be in the future.").format(what=what), field=field)
    if given < EARLIEST:
        raise ValidationError(_("{what} is before 2000: check the year.").format(what=what), field=field)
    return given.astimezone(UTC)


def is_late(happened: datetime, recorded: datetime) -> bool:
    return recorded - happened > LATE_AFTER
