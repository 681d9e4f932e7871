"""The organisation profile as the screens read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from dsl_desk.core import retention
from dsl_desk.core.dates_in_words import clock_time
from dsl_desk.core.i18n import _
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError


@dataclass(frozen=True)
class ProfileView:
    name: str
    agency_type: str
    partnership_id: str
    nation: str
    cutoff: time
    working_day_start: time
    working_day_end: time
    idle_lock_minutes: int
    is_demo: bool
    retention_years_after_birth: int = retention.DEFAULT_YEARS_AFTER_BIRTH


def get_profile(ctx: AppContext) -> ProfileView:
    with ctx.store.session() as session:
        org = organisation(session)
        return ProfileView(
            org.name,
            org.agency_type,
            org.partnership_id,
            org.nation,
            org.cutoff,
            org.working_day_start,
            org.working_day_end,
            org.idle_lock_minutes,
            org.is_demo,
            org.retention_years_after_birth,
        )


def update_working_hours(ctx: AppContext, *, cutoff: time, idle_lock_minutes: int) -> ProfileView:
    """A changed cut-off recomputes every open deadline not yet past (recorded in each escalation's
    history); deadlines already past stay as they were."""
    from dsl_desk.services.calendar import calendar_in
    from dsl_desk.services.escalations.deadlines import refresh_all_open

    if not 1 <= idle_lock_minutes <= 120:
        raise ValidationError(
            _("Lock after between 1 and 120 minutes without use."), field="idle_lock_minutes"
        )
    with ctx.store.session() as session:
        org = organisation(session)
        if not (org.working_day_start < cutoff <= org.working_day_end):
            raise ValidationError(
                _(
                    "The cut-off must fall within the working day ({working_day_start}–{working_day_end})."
                ).format(
                    working_day_start=clock_time(org.working_day_start),
                    working_day_end=clock_time(org.working_day_end),
                ),
                field="cutoff",
            )
        org.cutoff = cutoff
        org.idle_lock_minutes = idle_lock_minutes
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="profile_updated",
            entity="organisation",
            entity_id=org.id,
            detail={"cutoff": cutoff.isoformat(), "idle_lock_minutes": idle_lock_minutes},
        )
        session.flush()
        refresh_all_open(ctx, session, calendar_in(session), why=_("the end of the working day changed"))
    return get_profile(ctx)


def update_retention_years(ctx: AppContext, years: int) -> ProfileView:
    """How long children's records are kept: to this birthday, then reviewed (core.retention says why 25)."""
    fewest, most = retention.FEWEST_YEARS_AFTER_BIRTH, retention.MOST_YEARS_AFTER_BIRTH
    if not fewest <= years <= most:
        raise ValidationError(
            _(
                "Keep records to the child's {ordinal} birthday at least (the Information and "
                "Records Management Society's guidance for child protection files), and at most to their "
                "{ordinal2}."
            ).format(ordinal=retention.ordinal(fewest), ordinal2=retention.ordinal(most)),
            field="retention_years_after_birth",
        )
    with ctx.store.session() as session:
        org = organisation(session)
        before = org.retention_years_after_birth
        org.retention_years_after_birth = years
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="profile_updated",
            entity="organisation",
            entity_id=org.id,
            detail={"retention_years_after_birth": years, "was": before},
        )
    return get_profile(ctx)
