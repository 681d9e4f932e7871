"""The one injectable clock. Core code never reads the wall clock itself: time is passed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock tests move by hand; it never advances by itself."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

    def __post_init__(self) -> None:
        self.current = _aware_utc(self.current)

    def now(self) -> datetime:
        return self.current

    def set(self, instant: datetime) -> None:
        self.current = _aware_utc(instant)

    def advance(self, delta: timedelta) -> None:
        self.current = self.current + delta


def _aware_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("FixedClock needs a timezone-aware datetime")
    return instant.astimezone(UTC)


def london(instant: datetime) -> datetime:
    """Show an aware instant in Europe/London time (what every screen and form uses)."""
    return instant.astimezone(LONDON)
