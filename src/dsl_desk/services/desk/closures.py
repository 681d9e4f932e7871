"""Closure days: listing, adding and removing them, and moving the open deadlines they change in the same
transaction (services/escalations/deadlines.py `refresh_all_open`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from dsl_desk.core.dates_in_words import day_month_year, long_date
from dsl_desk.core.i18n import _
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import calendar_in, closure_dates, working_calendar
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.escalations.deadlines import refresh_all_open
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
            raise ValidationError(_("The last day of the closure is before its first day."), field="last_day")
        if (last_day - day).days > 120:
            raise ValidationError(
                _("A closure longer than 120 days is not a school holiday: check the dates.")
            )
        return add_closure_day(ctx, day, reason, last_day)
    calendar = working_calendar(ctx)
    when = long_date(day)
    if day.weekday() >= 5:
        raise ValidationError(
            _("{when} is a weekend, so it is not a working day anyway.").format(when=when), field="day"
        )
    holiday = calendar.holiday_name(day)
    if holiday and day not in calendar.closure_days:
        raise ValidationError(
            _("{when} is a bank holiday ({holiday}), so it is not a working day anyway.").format(
                when=when, holiday=holiday
            ),
            field="day",
        )
    return add_closure_day(ctx, day, reason)  # an existing closure day is refused there, with its own message


def add_closure_day(ctx: AppContext, day: date, reason: str, last_day: date | None = None) -> int:
    """A closure (one day, or a holiday from `day` to `last_day` as one entry); every open escalation's
    deadlines not yet past are recomputed in the same transaction. Returns how many deadlines moved."""
    last = last_day if last_day and last_day != day else None
    with ctx.store.session() as session:
        taken = closure_dates(session)
        span = {day + timedelta(days=n) for n in range(((last or day) - day).days + 1)}
        overlap = sorted(span & taken)
        if overlap:
            raise ValidationError(
                _("{overlap} is already a closure day.").format(overlap=day_month_year(overlap[0])),
                field="day",
            )
        session.add(
            ClosureDay(day=day, last_day=last, reason=reason.strip(), created_by_id=ctx.actor.user_id)
        )
        session.flush()
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="closure_day_added",
            detail={"day": day.isoformat(), "last_day": last.isoformat() if last else None, "reason": reason},
        )
        return refresh_all_open(ctx, session, calendar_in(session), why=_("closure days changed"))


def remove_closure_day(ctx: AppContext, day: date) -> int:
    """Take a closure (the whole range it belongs to) off the calendar; deadlines not yet past follow."""
    with ctx.store.session() as session:
        row = session.scalars(select(ClosureDay).where(ClosureDay.day == day)).first()
        if row is None:
            raise ValidationError(
                _("{day} is not a closure day.").format(day=day_month_year(day)), field="day"
            )
        session.delete(row)
        session.flush()
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="closure_day_removed",
            detail={"day": day.isoformat()},
        )
        return refresh_all_open(ctx, session, calendar_in(session), why=_("closure days changed"))
