"""Whom to call now when a child is at immediate risk out of hours: the pack's urgent contacts, as edited."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dsl_desk.core.i18n import _
from dsl_desk.core.policy import Contact, PolicyPack
from dsl_desk.services.people.partnership_contacts import merged_contacts

# Said whatever the pack: no policy needs to print it.
EMERGENCY_LINE = "If a child is in immediate danger, call the police on 999."


def merged_urgent_contacts(session: Session, pack: PolicyPack) -> list[Contact]:
    return [row.contact for row in merged_contacts(session, pack) if row.contact.urgent]


def contact_line(contact: Contact) -> str:
    who = ", ".join(part for part in (contact.name, contact.role, contact.agency) if part)
    number = contact.phone or _("no number yet: add it in Contacts")
    return f"{who} ({number})"


def out_of_hours_text(pack: PolicyPack, contacts: list[Contact]) -> str:
    """The checklist line for an immediate-risk case raised out of hours: call now, and whom."""
    if contacts:
        whom = "".join(f"\n• {contact_line(c)}" for c in contacts)
        return _("Out of hours, a child at immediate risk: call now —{whom}\n{EMERGENCY_LINE}").format(
            whom=whom, EMERGENCY_LINE=EMERGENCY_LINE
        )
    return _(
        "Out of hours, a child at immediate risk: call your local children's social care emergency duty team "
        "now (the {short_name} policy prints no out-of-hours number: add one in Contacts). {EMERGENCY_LINE}"
    ).format(short_name=pack.short_name, EMERGENCY_LINE=EMERGENCY_LINE)
