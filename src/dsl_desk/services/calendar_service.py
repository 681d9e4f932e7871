"""The organisation's working-day calendar: its nation's bank holidays, its closure days, its cut-off."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.calendar import WorkingCalendar
from dsl_desk.services import audit
from dsl_desk.services.context import AppContext, ValidationError
from dsl_desk.store.models import ClosureDay, Organisation


def organisation(session: Session) -> Organisation:
    org = session.scalars(select(Organisation)).first()
    if org is None:
        raise ValidationError("This database has no organisation profile: its set-up was not finished.")
    return org


def calendar_in(session: Session) -> WorkingCalendar:
    org = organisation(session)
    closures = session.scalars(select(ClosureDay.day)).all()
    return WorkingCalendar(org.nation, closures, org.cutoff)


def working_calendar(ctx: AppContext) -> WorkingCalendar:
    with ctx.store.session() as session:
        return calendar_in(session)


def add_closure_day(ctx: AppContext, day: date, reason: str) -> None:
    with ctx.store.session() as session:
        if session.scalars(select(ClosureDay).where(ClosureDay.day == day)).first():
            raise ValidationError(f"{day:%d %B %Y} is already a closure day.", field="day")
        session.add(ClosureDay(day=day, reason=reason.strip(), created_by_id=ctx.actor.user_id))
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="closure_day_added",
            detail={"day": day.isoformat(), "reason": reason},
        )
