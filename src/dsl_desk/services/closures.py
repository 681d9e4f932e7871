"""Closure days as the Settings page lists and adds them; the writing itself is calendar_service.add_closure_day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from dsl_desk.services.calendar_service import add_closure_day, working_calendar
from dsl_desk.services.context import AppContext, ValidationError
from dsl_desk.store.models import ClosureDay, User


@dataclass(frozen=True)
class ClosureRow:
    day: date
    reason: str
    added_by: str


def list_closure_days(ctx: AppContext, *, since: date | None = None) -> list[ClosureRow]:
    """Closure days in date order; `since` leaves out the ones already past."""
    query = (
        select(ClosureDay.day, ClosureDay.reason, User.display_name)
        .join(User, User.id == ClosureDay.created_by_id)
        .order_by(ClosureDay.day)
    )
    if since is not None:
        query = query.where(ClosureDay.day >= since)
    with ctx.store.session() as session:
        return [ClosureRow(day, reason, added_by) for day, reason, added_by in session.execute(query)]


def add_closure(ctx: AppContext, day: date, reason: str) -> None:
    """Add a closure day, refusing a weekend or bank holiday: it is not a working day anyway, so closing it
    would change no deadline and only clutter the list."""
    calendar = working_calendar(ctx)
    when = f"{day:%A} {day.day} {day:%B %Y}"
    if day.weekday() >= 5:
        raise ValidationError(f"{when} is a weekend, so it is not a working day anyway.", field="day")
    holiday = calendar.holiday_name(day)
    if holiday and day not in calendar.closure_days:
        raise ValidationError(
            f"{when} is a bank holiday ({holiday}), so it is not a working day anyway.", field="day"
        )
    add_closure_day(ctx, day, reason)  # an existing closure day is refused there, with its own message
