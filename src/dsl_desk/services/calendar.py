"""The organisation's working-day calendar: its nation's bank holidays, its closure days, its cut-off."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.calendar import WorkingCalendar
from dsl_desk.core.i18n import _
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.store.models import ClosureDay, Organisation


def organisation(session: Session) -> Organisation:
    org = session.scalars(select(Organisation)).first()
    if org is None:
        raise ValidationError(_("This database has no organisation profile: its set-up was not finished."))
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
