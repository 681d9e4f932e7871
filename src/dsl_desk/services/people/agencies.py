"""The contacts directory: other agencies and their professionals."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.i18n import _
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.store.models import Agency, Professional


@dataclass(frozen=True)
class AgencyRow:
    id: int
    name: str
    kind: str
    phone: str
    email: str


@dataclass(frozen=True)
class ProfessionalRow:
    id: int
    name: str
    role: str
    agency: str
    agency_id: int | None
    phone: str
    email: str


def find_or_add_agency(session: Session, name: str, kind: str = "") -> Agency:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError(_("Enter the name of the other agency."), field="other_agency")
    agency = session.scalars(select(Agency).where(Agency.name == cleaned)).one_or_none()
    if agency is None:
        agency = Agency(name=cleaned, kind=kind)
        session.add(agency)
        session.flush()
    return agency


def add_professional(
    ctx: AppContext, name: str, role: str, agency_name: str, *, phone: str = "", email: str = ""
) -> ProfessionalRow:
    if not name.strip():
        raise ValidationError(_("Enter the professional's full name (not initials)."), field="name")
    if email and "@" not in email:
        raise ValidationError(
            _("“{email}” does not look like an email address.").format(email=email), field="email"
        )
    with ctx.store.session() as session:
        agency = find_or_add_agency(session, agency_name)
        person = Professional(
            name=name.strip(),
            role=role.strip(),
            agency_id=agency.id,
            phone=phone.strip(),
            email=email.strip(),
        )
        session.add(person)
        session.flush()
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="professional_added",
            entity="professional",
            entity_id=person.id,
        )
        return _professional_row(person, agency.name)


def list_agencies(ctx: AppContext) -> list[AgencyRow]:
    with ctx.store.session() as session:
        return [
            AgencyRow(a.id, a.name, a.kind, a.phone, a.email)
            for a in session.scalars(select(Agency).order_by(Agency.name))
        ]


def list_professionals(ctx: AppContext, agency_id: int | None = None) -> list[ProfessionalRow]:
    with ctx.store.session() as session:
        query = select(Professional, Agency.name).join(Agency, isouter=True).order_by(Professional.name)
        if agency_id is not None:
            query = query.where(Professional.agency_id == agency_id)
        return [_professional_row(p, agency or "") for p, agency in session.execute(query)]


def _professional_row(person: Professional, agency_name: str) -> ProfessionalRow:
    return ProfessionalRow(
        person.id, person.name, person.role, agency_name, person.agency_id, person.phone, person.email
    )
