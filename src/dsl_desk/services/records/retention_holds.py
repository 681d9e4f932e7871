"""Legal holds: a child's record kept past its retention date while a reason stands (placed and lifted with a reason, audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.core.i18n import _
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.records.retention import active_holds, load_child, required_reason, today_of
from dsl_desk.store.models import (
    Child,
    RetentionHold,
    User,
)

# Drafts are kept per wizard kind (ui.wizards.drafts, services.form_values): these are about one escalation.


# -- read models --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldRow:
    hold_id: int
    child_id: int
    name: str
    date_of_birth: date
    reason: str
    review_on: date | None
    placed_at: datetime
    placed_by: str
    review_due: bool  # its review date has come: keep it longer, or lift it


def list_holds(ctx: AppContext) -> list[HoldRow]:
    """Records kept past their retention date (or before it, on an instruction not to destroy)."""
    today = today_of(ctx)
    with ctx.store.session() as session:
        query = (
            active_holds()
            .add_columns(Child, User.display_name)
            .join(Child, Child.id == RetentionHold.child_id)
            .join(User, User.id == RetentionHold.placed_by_id)
            .order_by(RetentionHold.placed_at)
        )
        return [_hold_row(hold, child, by, today) for hold, child, by in session.execute(query)]


def _hold_row(hold: RetentionHold, child: Child, placed_by: str, today: date) -> HoldRow:
    return HoldRow(
        hold.id,
        child.id,
        child.full_name,
        child.date_of_birth,
        hold.reason,
        hold.review_on,
        hold.placed_at,
        placed_by,
        hold.review_on is not None and hold.review_on <= today,
    )


def place_hold(ctx: AppContext, child_id: int, reason: str, review_on: date | None = None) -> HoldRow:
    """Keep a record past its retention date, saying why and (if known) when to look at it again."""
    reason = required_reason(
        reason,
        _(
            "Say why this record is to be kept longer (for example, an inquiry "
            "has asked that such records are not destroyed)."
        ),
    )
    if review_on is not None:
        bounds.check_date(review_on, _("the review date"), field="review_on")
    now = ctx.clock.now()
    today = london(now).date()
    if review_on is not None and review_on <= today:
        raise ValidationError(
            _(
                "The review date {review_on} is not in the future. Choose a later date, or leave it empty."
            ).format(review_on=day_month_year(review_on)),
            field="review_on",
        )
    with ctx.store.session() as session:
        child = load_child(session, child_id)
        existing = session.scalars(active_holds().where(RetentionHold.child_id == child_id)).first()
        if existing is not None:
            raise ValidationError(
                _(
                    "{full_name}'s record is already kept longer ({reason}). Lift that hold first "
                    "to change it."
                ).format(full_name=child.full_name, reason=existing.reason),
                field="reason",
            )
        hold = RetentionHold(
            child_id=child_id,
            reason=reason,
            review_on=review_on,
            placed_at=now,
            placed_by_id=ctx.actor.user_id,
        )
        session.add(hold)
        session.flush()
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="retention_hold_placed",
            entity="child",
            entity_id=child_id,
            detail={"hold": hold.id, "review_on": review_on.isoformat() if review_on else None},
        )
        return _hold_row(hold, child, ctx.actor.display_name, today)


def lift_hold(ctx: AppContext, child_id: int) -> None:
    """End the hold on a record: it comes back to the review list if it is past its retention date."""
    now = ctx.clock.now()
    with ctx.store.session() as session:
        child = load_child(session, child_id)
        holds = list(session.scalars(active_holds().where(RetentionHold.child_id == child_id)))
        if not holds:
            raise ValidationError(
                _("{full_name}'s record is not being kept longer: there is no hold to lift.").format(
                    full_name=child.full_name
                )
            )
        for hold in holds:
            hold.lifted_at = now
            hold.lifted_by_id = ctx.actor.user_id
            audit.record(
                session,
                at=now,
                user_id=ctx.actor.user_id,
                action="retention_hold_lifted",
                entity="child",
                entity_id=child_id,
                detail={"hold": hold.id},
            )


# -- past deletions -----------------------------------------------------------------------------------------
