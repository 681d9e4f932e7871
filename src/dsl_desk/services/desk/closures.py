"""Closure days as the Settings page lists and adds them; the writing itself is calendar_service.add_closure_day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from dsl_desk.core.dates_in_words import long_date
from dsl_desk.services.calendar import add_closure_day, working_calendar
from dsl_desk.services.context import AppContext, ValidationError
from dsl_desk.store.models import ClosureDay, User


@dataclass(frozen=True)
class ClosureRow:
    day: date
    reason: str
    added_by: str
    last_day: date | None = None  # a holiday entered as one range


def list_closure_days(ctx: AppContext, *, since: date | None = None) -> list[ClosureRow]:
    """Closure days in date order; `since` leaves out the ones already past."""
    query = (
        select(ClosureDay.day, ClosureDay.reason, User.display_name, ClosureDay.last_day)
        .join(User, User.id == ClosureDay.created_by_id)
        .order_by(ClosureDay.day)
    )
    if since is not None:
        query = query.where(func.coalesce(ClosureDay.last_day, ClosureDay.day) >= since)
    with ctx.store.session() as session:
        return [ClosureRow(day, reason, by, last) for day, reason, by, last in session.execute(query)]


def add_closure(ctx: AppContext, day: date, reason: str, last_day: date | None = None) -> int:
    """Add a closure day, or a holiday from `day` to `last_day` as one entry. A single day that is a weekend
    or bank holiday is refused: it is not a working day anyway, so closing it would change no deadline and only
    clutter the list. Returns how many open deadlines moved (only steps inside the school ever move)."""
    if last_day is not None and last_day != day:
        if last_day < day:
            raise ValidationError("The last day of the closure is before its first day.", field="last_day")
        if (last_day - day).days > 120:
            raise ValidationError("A closure longer than 120 days is not a school holiday: check the dates.")
        return add_closure_day(ctx, day, reason, last_day)
    calendar = working_calendar(ctx)
    when = long_date(day)
    if day.weekday() >= 5:
        raise ValidationError(f"{when} is a weekend, so it is not a working day anyway.", field="day")
    holiday = calendar.holiday_name(day)
    if holiday and day not in calendar.closure_days:
        raise ValidationError(
            f"{when} is a bank holiday ({holiday}), so it is not a working day anyway.", field="day"
        )
    return add_closure_day(ctx, day, reason)  # an existing closure day is refused there, with its own message
