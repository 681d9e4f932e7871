"""The organisation's working-day calendar: its nation's bank holidays, its closure days, its cut-off."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.calendar import WorkingCalendar
from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext, ValidationError
from dsl_desk.store.models import ClosureDay, Organisation


def organisation(session: Session) -> Organisation:
    org = session.scalars(select(Organisation)).first()
    if org is None:
        raise ValidationError("This database has no organisation profile: its set-up was not finished.")
    return org


def calendar_in(session: Session) -> WorkingCalendar:
    org = organisation(session)
    return WorkingCalendar(org.nation, closure_dates(session), org.cutoff)


def closure_dates(session: Session) -> set[date]:
    """Every closed day, a holiday entered as one range included."""
    days: set[date] = set()
    for first, last in session.execute(select(ClosureDay.day, ClosureDay.last_day)):
        day = first
        while day <= (last or first):
            days.add(day)
            day += timedelta(days=1)
    return days


def working_calendar(ctx: AppContext) -> WorkingCalendar:
    with ctx.store.session() as session:
        return calendar_in(session)


def add_closure_day(ctx: AppContext, day: date, reason: str, last_day: date | None = None) -> int:
    """A closure (one day, or a holiday from `day` to `last_day` as one entry); every open escalation's
    deadlines not yet past are recomputed in the same transaction. Returns how many deadlines moved."""
    from dsl_desk.services.escalations.deadlines import refresh_all_open

    last = last_day if last_day and last_day != day else None
    with ctx.store.session() as session:
        taken = closure_dates(session)
        span = {day + timedelta(days=n) for n in range(((last or day) - day).days + 1)}
        overlap = sorted(span & taken)
        if overlap:
            raise ValidationError(f"{day_month_year(overlap[0])} is already a closure day.", field="day")
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
        return refresh_all_open(ctx, session, calendar_in(session), why="closure days changed")


def remove_closure_day(ctx: AppContext, day: date) -> int:
    """Take a closure (the whole range it belongs to) off the calendar; deadlines not yet past follow."""
    from dsl_desk.services.escalations.deadlines import refresh_all_open

    with ctx.store.session() as session:
        row = session.scalars(select(ClosureDay).where(ClosureDay.day == day)).first()
        if row is None:
            raise ValidationError(f"{day_month_year(day)} is not a closure day.", field="day")
        session.delete(row)
        session.flush()
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="closure_day_removed",
            detail={"day": day.isoformat()},
        )
        return refresh_all_open(ctx, session, calendar_in(session), why="closure days changed")
