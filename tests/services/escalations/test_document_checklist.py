"""A form exported, emailed or printed by DSL Desk ticks off the checklist item that asks for it — per policy pack,
through the real services on a real encrypted desk."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from dsl_desk.services.escalations.checklist_items import complete_checklist_item
from dsl_desk.services.escalations.reading import get_escalation
from dsl_desk.services.escalations.stages import StageOutcome, escalate
from dsl_desk.services.paperwork.email_drafts import write_email_draft
from dsl_desk.services.paperwork.exports import export_form, prepare_print, record_printed
from dsl_desk.store.models import AuditEvent, ChecklistItem, User
from tests.services.escalation_walk import walk

NOTICE = "st_helens_escalation_notice"
MEDWAY_FORM = "medway_stage3_escalation_form"
APPENDIX3 = "wigan_appendix3_agency_report"


def item(ctx, escalation_id: int, key: str) -> ChecklistItem:
    with ctx.store.session() as session:
        row = session.scalars(
            select(ChecklistItem).where(
                ChecklistItem.escalation_id == escalation_id, ChecklistItem.requirement_key == key
            )
        ).one()
        session.expunge(row)
        return row


def jane_id(ctx) -> int:
    with ctx.store.session() as session:
        return session.scalars(select(User.id).where(User.display_name == "Jane Smith")).one()


def ticked_by_export(ctx) -> list[dict]:
    with ctx.store.session() as session:
        rows = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "checklist_done"))
        return [d for d in map(json.loads, rows) if d.get("by") == "export"]


@pytest.fixture
def notice_stage(ctx, clock, child_id) -> int:
    """A St Helens escalation at Stage Four, where the Escalation Notice and its copy to the LSCB are due."""
    escalation_id = walk(ctx, clock, child_id, pack_id="st_helens", escalations=3)
    assert get_escalation(ctx, escalation_id).current_stage_key == "stage_four"
    assert item(ctx, escalation_id, "escalation_notice").done_at is None
    assert item(ctx, escalation_id, "notice_copy_to_lscb").done_at is None
    clock.advance(timedelta(minutes=30))
    return escalation_id


# --- St Helens -------------------------------------------------------------------------------------------------


def test_saving_the_notice_ticks_the_notice_off_with_what_and_when(ctx, clock, notice_stage, tmp_path):
    out = tmp_path / "ESC-2026-0001 notice.pdf"
    result = export_form(ctx, notice_stage, NOTICE, sign=True, destination=out)
    notice = item(ctx, notice_stage, "escalation_notice")
    assert notice.done_at == clock.now()
    assert notice.done_by_id == jane_id(ctx)
    assert (
        notice.done_note == "Done by DSL Desk: Escalation Notice saved as ESC-2026-0001 notice.pdf (signed)"
    )
    assert result.completed == (notice.done_note,)
    # Saved on the laptop is not a copy sent to the LSCB.
    assert item(ctx, notice_stage, "notice_copy_to_lscb").done_at is None
    [audit] = ticked_by_export(ctx)
    assert audit["key"] == "escalation_notice"
    assert audit["document_id"] == result.record_id
    assert audit["document_action"] == "export"
    assert audit["file_name"] == "ESC-2026-0001 notice.pdf"
    # The dashboard's to-do list and the escalation's checklist both see it.
    assert "escalation_notice" not in {
        i.requirement_key for i in get_escalation(ctx, notice_stage).open_checklist
    }


def test_the_email_draft_to_the_board_ticks_the_copy_to_the_lscb(ctx, clock, notice_stage, tmp_path):
    write_email_draft(ctx, notice_stage, NOTICE, tmp_path, sign=False)
    copy = item(ctx, notice_stage, "notice_copy_to_lscb")
    assert copy.done_at == clock.now()
    assert copy.done_by_id == jane_id(ctx)
    assert copy.done_note.startswith(
        "Done by DSL Desk: Escalation Notice emailed to St Helens Safeguarding Children Board, for the attention "
        "of LSCB Business Manager, Alas House, Corporation Street, St Helens (draft "
    )
    assert copy.done_note.endswith(".eml)")
    # Emailing the notice itself also does what the form item asks.
    notice = item(ctx, notice_stage, "escalation_notice")
    assert notice.done_at == clock.now()
    assert "emailed to St Helens Safeguarding Children Board" in notice.done_note
    assert {d["key"] for d in ticked_by_export(ctx)} == {"escalation_notice", "notice_copy_to_lscb"}
    assert {d["recipient"] for d in ticked_by_export(ctx)} == {"St Helens Safeguarding Children Board"}


def test_an_encrypted_draft_says_so(ctx, notice_stage, tmp_path):
    write_email_draft(ctx, notice_stage, NOTICE, tmp_path, encrypt_password="ABCD-EFGH-JKMN-PQRT")
    assert "attachment encrypted" in item(ctx, notice_stage, "notice_copy_to_lscb").done_note


def test_printing_the_notice_is_recorded_and_ticks_it_off(ctx, clock, notice_stage):
    job = prepare_print(ctx, notice_stage, NOTICE, sign=True)
    assert item(ctx, notice_stage, "escalation_notice").done_at is None  # nothing recorded until it printed
    result = record_printed(ctx, job, pages=2)
    assert result.action == "print"
    notice = item(ctx, notice_stage, "escalation_notice")
    assert notice.done_at == clock.now()
    assert notice.done_note == "Done by DSL Desk: Escalation Notice printed (signed)"
    assert item(ctx, notice_stage, "notice_copy_to_lscb").done_at is None  # a printed copy went to nobody
    with ctx.store.session() as session:
        detail = json.loads(
            session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "document_print")).one()
        )
    assert detail["pages"] == 2


def test_printing_for_a_wet_signature_says_so(ctx, notice_stage):
    record_printed(ctx, prepare_print(ctx, notice_stage, NOTICE, wet_signature=True), pages=1)
    assert item(ctx, notice_stage, "escalation_notice").done_note == (
        "Done by DSL Desk: Escalation Notice printed (for a wet signature)"
    )


def test_another_form_leaves_the_notice_open(ctx, notice_stage, tmp_path):
    export_form(ctx, notice_stage, "general_escalation_record", sign=False)
    write_email_draft(ctx, notice_stage, "general_escalation_record", tmp_path, sign=False)
    assert item(ctx, notice_stage, "escalation_notice").done_at is None
    assert item(ctx, notice_stage, "notice_copy_to_lscb").done_at is None
    assert ticked_by_export(ctx) == []
    export_form(ctx, notice_stage, NOTICE, sign=False)  # and the notice itself does tick it off
    assert item(ctx, notice_stage, "escalation_notice").done_at is not None


def test_an_export_for_someone_else_is_not_the_copy_to_the_lscb(ctx, notice_stage):
    export_form(ctx, notice_stage, NOTICE, sign=False, recipient="Chair of governors")
    assert item(ctx, notice_stage, "notice_copy_to_lscb").done_at is None
    assert item(ctx, notice_stage, "escalation_notice").done_note == (
        "Done by DSL Desk: Escalation Notice saved as ESC-2026-0001_ZQ_st_helens_escalation_notice.pdf "
        "(not signed), for Chair of governors"
    )


def test_an_item_already_done_stays_as_it_was(ctx, clock, notice_stage, tmp_path):
    by_hand = item(ctx, notice_stage, "escalation_notice")
    complete_checklist_item(ctx, by_hand.id, "Handed to the Service Manager in person")
    before = item(ctx, notice_stage, "escalation_notice")
    clock.advance(timedelta(hours=1))
    export_form(ctx, notice_stage, NOTICE, sign=False)
    clock.advance(timedelta(hours=1))
    write_email_draft(ctx, notice_stage, NOTICE, tmp_path, sign=False)
    after = item(ctx, notice_stage, "escalation_notice")
    assert (after.done_at, after.done_by_id, after.done_note) == (
        before.done_at,
        before.done_by_id,
        "Handed to the Service Manager in person",
    )
    # The copy was ticked by the email, once; exporting again later does not re-date it.
    copy = item(ctx, notice_stage, "notice_copy_to_lscb")
    clock.advance(timedelta(hours=1))
    write_email_draft(ctx, notice_stage, NOTICE, tmp_path, sign=False)
    assert item(ctx, notice_stage, "notice_copy_to_lscb").done_at == copy.done_at
    assert [d["key"] for d in ticked_by_export(ctx)] == ["notice_copy_to_lscb"]


def test_the_resolution_template_after_closing(ctx, clock, child_id, tmp_path):
    escalation_id = walk(ctx, clock, child_id, pack_id="st_helens", escalations=1, resolved=True)
    key = "form:st_helens_resolution_template"
    assert item(ctx, escalation_id, key).done_at is None
    clock.advance(timedelta(hours=1))
    export_form(ctx, escalation_id, "st_helens_resolution_template", sign=True, wet_signature=True)
    template = item(ctx, escalation_id, key)
    assert template.done_at == clock.now()
    assert template.done_note == (
        "Done by DSL Desk: Escalation Resolution Template saved as "
        "ESC-2026-0001_ZQ_st_helens_resolution_template.pdf (for a wet signature)"
    )


# --- Medway ----------------------------------------------------------------------------------------------------


def test_medway_stage_three_form_and_its_copy_to_the_mscp(ctx, clock, child_id, tmp_path):
    escalation_id = walk(ctx, clock, child_id, pack_id="medway", escalations=2)
    assert get_escalation(ctx, escalation_id).current_stage_key == "stage_3"
    clock.advance(timedelta(minutes=10))
    export_form(ctx, escalation_id, MEDWAY_FORM, sign=True)
    form = item(ctx, escalation_id, "stage3_form")
    assert form.done_at == clock.now()
    assert form.done_note.startswith("Done by DSL Desk: Stage 3 Escalation Form saved as ")
    assert item(ctx, escalation_id, "stage3_form_to_mscp").done_at is None

    clock.advance(timedelta(minutes=10))
    write_email_draft(ctx, escalation_id, MEDWAY_FORM, tmp_path)
    copy = item(ctx, escalation_id, "stage3_form_to_mscp")
    assert copy.done_at == clock.now()
    assert copy.done_note.startswith(
        "Done by DSL Desk: Stage 3 Escalation Form emailed to mscp@medway.gov.uk (draft "
    )
    assert item(ctx, escalation_id, "stage3_form").done_at == form.done_at  # not re-dated


def test_medway_a_copy_exported_for_the_mscp_counts_as_addressed_to_it(ctx, clock, child_id):
    escalation_id = walk(ctx, clock, child_id, pack_id="medway", escalations=2)
    export_form(ctx, escalation_id, MEDWAY_FORM, sign=False, recipient="MSCP <mscp@medway.gov.uk>")
    assert item(ctx, escalation_id, "stage3_form_to_mscp").done_note.endswith(
        ", for MSCP <mscp@medway.gov.uk>"
    )


def test_medway_stage_four_form_printed(ctx, clock, child_id):
    escalation_id = walk(ctx, clock, child_id, pack_id="medway", escalations=3)
    assert item(ctx, escalation_id, "escalation_form_to_mscp").done_at is None
    record_printed(ctx, prepare_print(ctx, escalation_id, MEDWAY_FORM), pages=3)
    assert item(ctx, escalation_id, "escalation_form_to_mscp").done_note == (
        "Done by DSL Desk: Stage 3 Escalation Form printed (signed)"
    )


# --- Wigan -----------------------------------------------------------------------------------------------------


def test_wigan_appendix_three_at_each_level(ctx, clock, child_id):
    escalation_id = walk(ctx, clock, child_id, pack_id="wigan", escalations=0)
    assert item(ctx, escalation_id, "appendix3_level1").done_at is None
    export_form(ctx, escalation_id, APPENDIX3, sign=True)
    level1 = item(ctx, escalation_id, "appendix3_level1")
    assert level1.done_at == clock.now()
    assert level1.done_note.startswith("Done by DSL Desk: Agency Report Re: Recording Inter Agency Conflict")

    # Level 2 asks for the record again: the export made at level 1 does not count for it.
    clock.advance(timedelta(hours=1))
    escalate(ctx, escalation_id, StageOutcome(outcome="Not resolved at level 1."))
    assert item(ctx, escalation_id, "appendix3_level2").done_at is None
    clock.advance(timedelta(hours=1))
    record_printed(ctx, prepare_print(ctx, escalation_id, APPENDIX3, wet_signature=True), pages=2)
    assert item(ctx, escalation_id, "appendix3_level2").done_at == clock.now()
    assert item(ctx, escalation_id, "appendix3_level1").done_at == level1.done_at


def test_wigan_appendix_four_after_closing_at_level_three(ctx, clock, child_id, tmp_path):
    escalation_id = walk(ctx, clock, child_id, pack_id="wigan", escalations=2, resolved=True)
    key = "form:wigan_appendix4_proforma"
    assert item(ctx, escalation_id, key).done_at is None
    export_form(ctx, escalation_id, APPENDIX3, sign=False)  # another form: the pro-forma stays open
    assert item(ctx, escalation_id, key).done_at is None
    clock.advance(timedelta(minutes=5))
    write_email_draft(ctx, escalation_id, "wigan_appendix4_proforma", tmp_path)
    proforma = item(ctx, escalation_id, key)
    assert proforma.done_at == clock.now()
    assert "emailed to wscb@wigan.gov.uk (draft " in proforma.done_note


# --- City & Hackney and Barnet --------------------------------------------------------------------------------


def test_city_and_hackney_stage_four_record(ctx, clock, child_id):
    escalation_id = walk(ctx, clock, child_id, pack_id="city_and_hackney", escalations=3)
    assert item(ctx, escalation_id, "email_icsc_referral").done_at is None
    export_form(ctx, escalation_id, "general_escalation_record", sign=False)
    assert item(ctx, escalation_id, "email_icsc_referral").done_note.startswith(
        "Done by DSL Desk: Record of Professional Disagreement and Escalation saved as "
    )


def test_every_form_requirement_in_the_packs_is_one_the_tests_above_walk(packs):
    """If a pack gains a form requirement, this says so, so that a test for it is added here."""
    found = {
        (pack.id, requirement.key, requirement.kind)
        for pack in packs.values()
        for stage in pack.stages
        for requirement in stage.requirements
        if requirement.form
    }
    found |= {
        (pack.id, f"form:{form.form}", "form")
        for pack in packs.values()
        for form in pack.closing.closing_forms
    }
    assert found == {
        ("st_helens", "escalation_notice", "form"),
        ("st_helens", "notice_copy_to_lscb", "copy"),
        ("st_helens", "form:st_helens_resolution_template", "form"),
        ("medway", "stage3_form", "form"),
        ("medway", "stage3_form_to_mscp", "copy"),
        ("medway", "escalation_form_to_mscp", "form"),
        ("wigan", "appendix3_level1", "form"),
        ("wigan", "appendix3_level2", "form"),
        ("wigan", "appendix3_level3", "form"),
        ("wigan", "form:wigan_appendix4_proforma", "form"),
        ("city_and_hackney", "email_icsc_referral", "form"),
    }
