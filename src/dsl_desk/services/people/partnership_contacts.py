"""A partnership's escalation contacts: the pack's printed details, with the DSL's corrections applied."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.i18n import _
from dsl_desk.core.policy import BoardContact, Contact, PolicyPack
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.store.models import PartnershipContactEdit

BOARD_KEY = "board"


@dataclass(frozen=True)
class ContactEditInput:
    name: str = ""
    role: str = ""
    agency: str = ""
    phone: str = ""
    email: str = ""
    postal_address: str = ""
    hidden: bool = False


@dataclass(frozen=True)
class PartnershipContactRow:
    key: str
    contact: Contact
    edited: bool
    hidden: bool


def contact_key(contact: Contact) -> str:
    """Stable across pack updates that leave the printed contact itself unchanged."""
    return f"{contact.level}|{contact.role}|{contact.name}"


def _edits(session: Session, pack_id: str) -> dict[str, PartnershipContactEdit]:
    rows = session.scalars(select(PartnershipContactEdit).where(PartnershipContactEdit.policy_id == pack_id))
    return {row.contact_key: row for row in rows}


def merged_contacts(
    session: Session, pack: PolicyPack, *, include_hidden: bool = False
) -> list[PartnershipContactRow]:
    edits = _edits(session, pack.id)
    rows = []
    for contact in pack.contacts:
        key = contact_key(contact)
        edit = edits.get(key)
        if edit is None:
            rows.append(PartnershipContactRow(key, contact, edited=False, hidden=False))
            continue
        if edit.hidden and not include_hidden:
            continue
        changed = replace(
            contact, name=edit.name, role=edit.role, agency=edit.agency, phone=edit.phone, email=edit.email
        )
        rows.append(PartnershipContactRow(key, changed, edited=True, hidden=edit.hidden))
    return rows


def merged_board(session: Session, pack: PolicyPack) -> BoardContact:
    edit = _edits(session, pack.id).get(BOARD_KEY)
    if edit is None:
        return pack.board
    return BoardContact(
        name=edit.name, postal_address=edit.postal_address, email=edit.email, phone=edit.phone
    )


def partnership_contacts(
    ctx: AppContext, pack_id: str, *, include_hidden: bool = False
) -> list[PartnershipContactRow]:
    pack = ctx.pack(pack_id)
    with ctx.store.session() as session:
        return merged_contacts(session, pack, include_hidden=include_hidden)


def board_contact(ctx: AppContext, pack_id: str) -> BoardContact:
    """Where copies to the partnership go (the pack's address unless the DSL corrected it)."""
    pack = ctx.pack(pack_id)
    with ctx.store.session() as session:
        return merged_board(session, pack)


def edit_contact(ctx: AppContext, pack_id: str, key: str, values: ContactEditInput) -> None:
    pack = ctx.pack(pack_id)
    if key != BOARD_KEY and key not in {contact_key(c) for c in pack.contacts}:
        raise ValidationError(_("That contact is not in this policy's directory."))
    if values.email and "@" not in values.email:
        raise ValidationError(
            _("“{email}” does not look like an email address.").format(email=values.email), field="email"
        )
    if not values.hidden and not (values.name.strip() or values.role.strip()):
        raise ValidationError(_("Give at least a name or a role, or hide the contact instead."), field="name")
    with ctx.store.session() as session:
        edit = _edits(session, pack_id).get(key)
        if edit is None:
            edit = PartnershipContactEdit(policy_id=pack_id, contact_key=key)
            session.add(edit)
        for name, value in values.__dict__.items():
            setattr(edit, name, value.strip() if isinstance(value, str) else value)
        edit.updated_at = ctx.clock.now()
        edit.updated_by_id = ctx.actor.user_id
        session.flush()
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="partnership_contact_edited",
            entity="partnership_contact",
            entity_id=edit.id,
            detail={"policy": pack_id, "contact": key},
        )


def restore_printed_contact(ctx: AppContext, pack_id: str, key: str) -> None:
    """Go back to the details the policy printed. The correction is removed; the audit trail keeps it."""
    with ctx.store.session() as session:
        edit = _edits(session, pack_id).get(key)
        if edit is None:
            return
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="partnership_contact_restored",
            entity="partnership_contact",
            entity_id=edit.id,
            detail={
                "policy": pack_id,
                "contact": key,
                "was": {"name": edit.name, "phone": edit.phone, "email": edit.email},
            },
        )
        session.delete(edit)
