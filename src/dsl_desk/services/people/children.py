"""Children: add, edit, find. Every change is audited; viewing a child's record is audited too."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import func, or_, select

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.core.i18n import _
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import Child, Escalation

OLDEST_AGE_YEARS = 25  # records are kept to the 25th birthday; nobody older is a child on this desk


@dataclass(frozen=True)
class ChildDetails:
    given_names: str
    family_name: str
    date_of_birth: date
    address: str = ""
    parents_carers: str = ""
    child_protection_plan: bool = False
    looked_after: bool = False
    child_in_need: bool = False
    ehcp: bool = False
    continuum_of_need: str = ""


@dataclass(frozen=True)
class ChildRow:
    id: int
    name: str
    date_of_birth: date
    flags: tuple[str, ...]
    open_escalations: int


@dataclass(frozen=True)
class ChildView:
    id: int
    details: ChildDetails

    @property
    def name(self) -> str:
        return f"{self.details.given_names} {self.details.family_name}".strip()


def validate(details: ChildDetails, today: date) -> None:
    names = {
        "given_names": bounds.NAME_MAX,
        "family_name": bounds.NAME_MAX,
        "continuum_of_need": bounds.NAME_MAX,
    }
    bounds.check_texts(details, names, default=bounds.LINE_MAX * 10)
    bounds.check_date(details.date_of_birth, _("the date of birth"), field="date_of_birth")
    if not details.given_names.strip():
        raise ValidationError(_("Enter the child's first name(s)."), field="given_names")
    if not details.family_name.strip():
        raise ValidationError(_("Enter the child's family name."), field="family_name")
    if details.date_of_birth > today:
        raise ValidationError(
            _("The date of birth {date_of_birth} is in the future. Check the date.").format(
                date_of_birth=day_month_year(details.date_of_birth)
            ),
            field="date_of_birth",
        )
    if details.date_of_birth.year < today.year - OLDEST_AGE_YEARS:
        raise ValidationError(
            _("A date of birth in {year} makes this person over {OLDEST_AGE_YEARS}. Check the date.").format(
                year=details.date_of_birth.year, OLDEST_AGE_YEARS=OLDEST_AGE_YEARS
            ),
            field="date_of_birth",
        )


def flags_of(child: Child | ChildDetails) -> tuple[str, ...]:
    names = []
    if child.child_protection_plan:
        names.append(_("Child protection plan"))
    if child.looked_after:
        names.append(_("Looked after"))
    if child.child_in_need:
        names.append(_("Child in need"))
    if child.ehcp:
        names.append("EHCP")
    return tuple(names)


def _details_of(child: Child) -> ChildDetails:
    return ChildDetails(**{f.name: getattr(child, f.name) for f in fields(ChildDetails)})


def add_child(ctx: AppContext, details: ChildDetails) -> ChildView:
    now = ctx.clock.now()
    validate(details, london(now).date())
    with ctx.store.session() as session:
        child = Child(**_clean(details).__dict__, created_at=now, created_by_id=ctx.actor.user_id)
        session.add(child)
        session.flush()
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="child_added",
            entity="child",
            entity_id=child.id,
        )
        return ChildView(child.id, _details_of(child))


def update_child(ctx: AppContext, child_id: int, details: ChildDetails) -> ChildView:
    now = ctx.clock.now()
    validate(details, london(now).date())
    with ctx.store.session() as session:
        child = _get(session, child_id)
        before = _details_of(child)
        changed = [
            f.name for f in fields(ChildDetails) if getattr(before, f.name) != getattr(details, f.name)
        ]
        for name, value in _clean(details).__dict__.items():
            setattr(child, name, value)
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="child_updated",
            entity="child",
            entity_id=child.id,
            detail={"fields": changed},
        )
        return ChildView(child.id, _details_of(child))


def get_child(ctx: AppContext, child_id: int) -> ChildView:
    """Open a child's record. Views are audited: who looked at a child's file matters."""
    with ctx.store.session() as session:
        child = _get(session, child_id)
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="child_viewed",
            entity="child",
            entity_id=child.id,
        )
        return ChildView(child.id, _details_of(child))


def list_children(ctx: AppContext, search: str = "") -> list[ChildRow]:
    if not isinstance(search, str):
        raise ValidationError(_("The search must be text."), field="search")
    if not bounds.storable(search, 2 * bounds.NAME_MAX + 1):
        return []  # longer than any name, or characters no name has: nothing can match
    with ctx.store.session() as session:
        open_count = (
            select(func.count(Escalation.id))
            .where(Escalation.child_id == Child.id, Escalation.status == "open")
            .scalar_subquery()
        )
        query = select(Child, open_count).order_by(Child.family_name, Child.given_names)
        for word in search.split():
            pattern = f"%{word}%"
            query = query.where(or_(Child.given_names.ilike(pattern), Child.family_name.ilike(pattern)))
        return [
            ChildRow(child.id, child.full_name, child.date_of_birth, flags_of(child), count)
            for child, count in session.execute(query)
        ]


def _get(session: object, child_id: int) -> Child:
    child = bounds.fetch(session, Child, child_id)  # type: ignore[attr-defined]
    if child is None:
        raise NotFound(
            _("There is no child record number {child_id}.").format(child_id=bounds.shown(child_id))
        )
    return child


def _clean(details: ChildDetails) -> ChildDetails:
    return ChildDetails(
        **{
            f.name: (
                getattr(details, f.name).strip()
                if isinstance(getattr(details, f.name), str)
                else getattr(details, f.name)
            )
            for f in fields(ChildDetails)
        }
    )
