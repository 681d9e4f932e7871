"""The DSL can correct the contact details a policy printed; the pack itself is never changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dsl_desk.services.errors import ValidationError
from dsl_desk.services.people.partnership_contacts import (
    BOARD_KEY,
    ContactEditInput,
    board_contact,
    contact_key,
    edit_contact,
    partnership_contacts,
    restore_printed_contact,
)
from dsl_desk.store.models import AuditEvent


def test_a_corrected_number_replaces_the_printed_one_and_can_be_restored(ctx):
    wigan = ctx.pack("wigan")
    printed = wigan.contacts[0]
    key = contact_key(printed)
    edit_contact(
        ctx,
        "wigan",
        key,
        ContactEditInput(
            name=printed.name,
            role=printed.role,
            agency=printed.agency,
            phone="01942 000000",
            email=printed.email,
        ),
    )
    row = next(r for r in partnership_contacts(ctx, "wigan") if r.key == key)
    assert row.edited
    assert row.contact.phone == "01942 000000"
    assert ctx.pack("wigan").contacts[0].phone == printed.phone  # the pack is untouched
    restore_printed_contact(ctx, "wigan", key)
    row = next(r for r in partnership_contacts(ctx, "wigan") if r.key == key)
    assert not row.edited
    assert row.contact.phone == printed.phone
    with ctx.store.session() as session:
        actions = list(
            session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "partnership_contact"))
        )
    assert actions == ["partnership_contact_edited", "partnership_contact_restored"]


def test_a_hidden_contact_is_left_out(ctx):
    key = contact_key(ctx.pack("wigan").contacts[1])
    edit_contact(ctx, "wigan", key, ContactEditInput(hidden=True))
    assert key not in {r.key for r in partnership_contacts(ctx, "wigan")}
    assert key in {r.key for r in partnership_contacts(ctx, "wigan", include_hidden=True)}


def test_the_board_address_can_be_corrected_and_email_drafts_use_it(ctx, child_id, tmp_path):
    from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
    from dsl_desk.services.paperwork.email_drafts import recipient_for

    edit_contact(
        ctx,
        "st_helens",
        BOARD_KEY,
        ContactEditInput(
            name="St Helens Safeguarding Partnership",
            email="partnership@example.org",
            postal_address="1 New Street",
        ),
    )
    assert board_contact(ctx, "st_helens").email == "partnership@example.org"
    escalation = open_escalation(
        ctx,
        NewEscalation(
            child_id=child_id,
            other_agency="Demo CSC",
            category=ctx.pack("st_helens").categories[0].key,
            problem="p",
            outcome_sought="o",
        ),
    )
    assert recipient_for(ctx, escalation.id).email == "partnership@example.org"


def test_bad_corrections_are_refused(ctx):
    key = contact_key(ctx.pack("wigan").contacts[0])
    with pytest.raises(ValidationError, match="does not look like an email"):
        edit_contact(ctx, "wigan", key, ContactEditInput(name="A Person", email="not-an-address"))
    with pytest.raises(ValidationError, match="at least a name or a role"):
        edit_contact(ctx, "wigan", key, ContactEditInput())
    with pytest.raises(ValidationError, match="not in this policy"):
        edit_contact(ctx, "wigan", "nobody|nothing|none", ContactEditInput(name="X"))


def test_the_dashboard_offers_the_corrected_contact(ctx, child_id):
    from dsl_desk.services.escalations.dashboard import list_open_cases
    from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation

    wigan = ctx.pack("wigan")
    first_stage_contacts = wigan.contacts_for(wigan.first_stage.key)
    assert first_stage_contacts, "Wigan prints level 1 contacts"
    printed = first_stage_contacts[0]
    edit_contact(
        ctx,
        "wigan",
        contact_key(printed),
        ContactEditInput(name="Corrected Name", role=printed.role, phone="01942 111111"),
    )
    open_escalation(
        ctx,
        NewEscalation(
            child_id=child_id,
            other_agency="Demo CSC",
            category=wigan.categories[0].key,
            problem="p",
            outcome_sought="o",
            policy_id="wigan",
        ),
    )
    [row] = list_open_cases(ctx)
    assert "Corrected Name" in row.next_contact
    assert "01942 111111" in row.next_contact
