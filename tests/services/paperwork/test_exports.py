"""Forms filled from the record, exported, signed, emailed and checked, against a real encrypted database."""

from __future__ import annotations

import email
import io
import json
import re
from email import policy

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from dsl_desk.services.errors import ValidationError
from dsl_desk.services.paperwork.documents_sent import list_documents, verify_document
from dsl_desk.services.paperwork.email_drafts import new_document_password, write_email_draft
from dsl_desk.services.paperwork.exports import export_form, prepare_form
from dsl_desk.services.paperwork.form_values import (
    escalation_id_for,
    escalation_sources,
    form_values,
    forms_for,
    save_typed_values,
)
from dsl_desk.services.paperwork.signing_identity import ensure_signing_identity
from dsl_desk.services.paperwork.trusted_certificates import known_certificates
from dsl_desk.store.models import AuditEvent, DocumentRecord, User
from tests.services.escalation_walk import OTHER_AGENCY, PROBLEM, walk

CHILD = "Zephyrine Quillborough"
NOTICE = "st_helens_escalation_notice"
RESOLUTION = "st_helens_resolution_template"


def pdf_text(data: bytes, password: str | None = None) -> str:
    reader = PdfReader(io.BytesIO(data))
    if password is not None:
        reader.decrypt(password)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def escalation_id(ctx, clock, child_id) -> int:
    return walk(ctx, clock, child_id, escalations=1)


@pytest.fixture
def resolved_id(ctx, clock, child_id) -> int:
    return walk(ctx, clock, child_id, escalations=1, resolved=True)


def test_only_the_partnerships_forms_and_the_general_record_apply(ctx, escalation_id):
    ids = [choice.id for choice in forms_for(ctx, escalation_id)]
    assert ids == [NOTICE, RESOLUTION, "general_escalation_record"]
    with pytest.raises(ValidationError, match="another partnership"):
        export_form(ctx, escalation_id, "medway_stage3_escalation_form", sign=False)


def test_sources_come_from_the_record(ctx, resolved_id):
    sources = escalation_sources(ctx, resolved_id)
    assert sources["child.name"] == CHILD
    assert sources["child.date_of_birth"] == "2015-03-14"
    assert sources["escalation.other_agency"] == OTHER_AGENCY
    assert sources["escalation.our_agency"] == "Penkford School"
    assert sources["escalation.stage_1.raised_on"] == "2026-01-05"
    assert sources["escalation.stage_1.timescale_met"] == "yes"
    assert sources["escalation.stage_2.reached"] == "yes"
    assert sources["escalation.stage_3.reached"] == "no"  # resolved before stage three
    assert sources["resolution.stage"] == "Stage Two"
    assert sources["signer.name"] == "Jane Smith"
    assert "export.copy_to_lscb_date" not in sources  # nothing has been sent yet


def test_exported_notice_reads_like_the_template_with_the_escalations_values(ctx, escalation_id):
    result = export_form(ctx, escalation_id, NOTICE, sign=False)
    text = pdf_text(result.pdf_bytes)
    for label in (
        "Escalation Notice",
        "Agency issuing Escalation Notice",
        "Name of Child/Young Person",
        "D.O.B",
    ):
        assert label in text
    assert CHILD in text
    assert "14 March 2015" in text
    assert "Penkford School" in text
    assert OTHER_AGENCY in text
    assert PROBLEM in text
    assert "OFFICIAL-SENSITIVE" in text
    assert (
        "Jane Smith" not in text.split("Signed", 1)[1].split("Role", 1)[0]
    )  # unsigned: no name as signature


def test_resolution_template_ticks_what_was_recorded(ctx, resolved_id):
    text = pdf_text(export_form(ctx, resolved_id, RESOLUTION, sign=False).pdf_bytes)
    assert "Escalation Resolution Template" in text
    assert "☒ Threshold Conflict" in text
    assert "Timescales adhered to Stage 1 ☒ Yes ☐ No" in text
    assert "Stage Two – Discussion between the professionals" in text
    assert "Share the chronology" not in text  # not on this form: lessons are on the notice
    assert "Class teacher, SENCo" in text


def test_medway_form_prints_each_stages_dates(ctx, clock, child_id):
    escalation_id = walk(ctx, clock, child_id, pack_id="medway", escalations=1)
    text = pdf_text(export_form(ctx, escalation_id, "medway_stage3_escalation_form", sign=False).pdf_bytes)
    assert "Stage One – Service Manager Date escalation raised 5 January 2026" in text
    assert "Name of manager (s) Dana Whitlock, Team Manager" in text
    assert (
        "Stage Two – Designated Safeguarding Lead / Head of Service Date escalation raised 5 January 2026"
        in text
    )
    assert CHILD in text


def test_signed_export_verifies_and_a_changed_byte_fails(ctx, escalation_id, tmp_path):
    result = export_form(ctx, escalation_id, NOTICE, sign=True)
    assert result.signed
    path = tmp_path / result.file_name
    path.write_bytes(result.pdf_bytes)
    assert verify_document(path).status == "intact_unknown"  # nobody told it which certificates are known …
    check = verify_document(path, known_certificates(ctx.store.paths).lookup())
    assert check.status == "intact_known"  # … and this desk knows its own user's certificate
    assert check.report.signer.startswith("Jane Smith")
    assert "Jane Smith, Designated Safeguarding Lead — signed 5 January 2026" in pdf_text(result.pdf_bytes)
    data = result.pdf_bytes
    position = data.index(b"stream", 1000) + 40
    path.write_bytes(data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :])
    assert verify_document(path).status == "changed"


def test_verify_says_unsigned_and_unreadable(ctx, escalation_id, tmp_path):
    unsigned = tmp_path / "unsigned.pdf"
    unsigned.write_bytes(export_form(ctx, escalation_id, NOTICE, sign=False).pdf_bytes)
    assert verify_document(unsigned).status == "unsigned"
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")
    assert verify_document(junk).status == "unreadable"
    assert verify_document(tmp_path / "missing.pdf").status == "unreadable"


def test_export_is_recorded_and_audited_with_a_file_name_without_the_childs_name(
    ctx, escalation_id, tmp_path
):
    out = tmp_path / "out.pdf"
    result = export_form(ctx, escalation_id, NOTICE, sign=False, destination=out)
    assert out.read_bytes() == result.pdf_bytes
    default = export_form(ctx, escalation_id, NOTICE, sign=False).file_name
    assert default == "ESC-2026-0001_ZQ_st_helens_escalation_notice.pdf"
    assert "Zephyrine" not in default
    assert "Quillborough" not in default
    with ctx.store.session() as session:
        record = session.get(DocumentRecord, result.record_id)
        assert (record.action, record.form_id, record.file_name, record.escalation_id) == (
            "export",
            NOTICE,
            "out.pdf",
            escalation_id,
        )
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "document", AuditEvent.entity_id == record.id)
        ).one()
        assert event.action == "document_export"
        assert json.loads(event.detail)["sha256"] == result.sha256
    assert [row.action for row in list_documents(ctx, escalation_id)] == ["export", "export"]


def test_typed_values_are_kept_per_escalation_and_form_and_override_the_record(ctx, escalation_id):
    save_typed_values(
        ctx, escalation_id, NOTICE, {"agency_receiving": "Assessment Team", "issues_raised": "Typed"}
    )
    values = form_values(ctx, escalation_id, NOTICE)
    assert values.prefilled["agency_receiving"] == OTHER_AGENCY
    assert values.merged["agency_receiving"] == "Assessment Team"
    assert form_values(ctx, escalation_id, RESOLUTION).typed == {}
    text = pdf_text(export_form(ctx, escalation_id, NOTICE, sign=False).pdf_bytes)  # the draft is used
    assert "Assessment Team" in text
    assert OTHER_AGENCY not in text
    with pytest.raises(ValidationError, match="no field"):
        save_typed_values(ctx, escalation_id, NOTICE, {"not_a_field": "x"})


def test_wet_signature_leaves_the_signature_boxes_empty(ctx, escalation_id):
    result = export_form(ctx, escalation_id, NOTICE, sign=False, wet_signature=True, action="print")
    text = pdf_text(result.pdf_bytes)
    assert "Jane Smith" not in text.split("Signed", 1)[1]
    assert "Designated Safeguarding Lead" not in text.split("Signed", 1)[1]
    assert not result.signed
    assert result.action == "print"


def test_email_draft_is_an_unsent_message_to_the_partnership_without_the_childs_name(
    ctx, clock, child_id, tmp_path
):
    escalation_id = walk(ctx, clock, child_id, pack_id="medway", escalations=0)
    path = write_email_draft(
        ctx, escalation_id, "medway_stage3_escalation_form", tmp_path / "outgoing", sign=False
    )
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == ctx.pack("medway").board.email == "mscp@medway.gov.uk"
    assert message["X-Unsent"] == "1"
    assert "ESC-2026-0001" in message["Subject"]
    for part in ("Zephyrine", "Quillborough"):
        assert part not in message["Subject"]
        assert part not in message.get_body(("plain",)).get_content()
        assert part not in path.name
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "ESC-2026-0001_ZQ_medway_stage3_escalation_form.pdf"
    text = pdf_text(attachment.get_content())
    assert CHILD in text
    assert "Form sent to MSCP mscp@medway.gov.uk ☒ Yes ☐ No Date sent 5 January 2026" in text  # this copy
    with ctx.store.session() as session:
        record = session.scalars(select(DocumentRecord).where(DocumentRecord.action == "email")).one()
        assert record.recipient == "mscp@medway.gov.uk"
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "document_email")).one()


def test_copy_to_lscb_date_and_method_are_filled_after_an_email_draft(ctx, clock, escalation_id, tmp_path):
    assert "copy_to_lscb_date" not in form_values(ctx, escalation_id, NOTICE).prefilled
    write_email_draft(ctx, escalation_id, NOTICE, tmp_path, sign=False, encrypt_password="ABCD-EFGH")
    values = form_values(ctx, escalation_id, NOTICE).prefilled
    assert values["copy_to_lscb_date"] == "2026-01-05"
    assert values["copy_to_lscb"] == "St Helens Safeguarding Children Board"  # no email address published
    assert (
        form_values(ctx, escalation_id, RESOLUTION).prefilled.get("method_of_delivery") is None
    )  # other form
    write_email_draft(ctx, escalation_id, RESOLUTION, tmp_path, sign=False, encrypt_password="ABCD-EFGH")
    assert form_values(ctx, escalation_id, RESOLUTION).prefilled["method_of_delivery"] == "Secure email"
    text = pdf_text(export_form(ctx, escalation_id, NOTICE, sign=False).pdf_bytes)
    assert "Copy to LSCB St Helens Safeguarding Children Board Date 5 January 2026" in text


def test_encrypted_attachment_opens_only_with_its_password(ctx, escalation_id, tmp_path):
    password = new_document_password()
    assert re.fullmatch(r"[A-Z3-9]{4}(-[A-Z3-9]{4}){3}", password)
    path = write_email_draft(ctx, escalation_id, NOTICE, tmp_path, sign=True, encrypt_password=password)
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    body = message.get_body(("plain",)).get_content()
    assert "telephone you with the password" in body
    assert password not in path.read_bytes().decode("ascii", "replace")
    pdf = next(message.iter_attachments()).get_content()
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.is_encrypted
    assert not reader.decrypt("wrong password")
    assert CHILD in pdf_text(pdf, password)


def test_email_drafts_never_overwrite_each_other(ctx, escalation_id, tmp_path):
    first = write_email_draft(ctx, escalation_id, NOTICE, tmp_path, sign=False)
    second = write_email_draft(ctx, escalation_id, NOTICE, tmp_path, sign=False)
    assert first != second
    assert first.exists()
    assert second.exists()


def test_signing_identity_is_made_once_and_kept_protected(ctx):
    first = ensure_signing_identity(ctx)
    second = ensure_signing_identity(ctx)
    assert first.fingerprint == second.fingerprint
    assert first.common_name == "Jane Smith"
    with ctx.store.session() as session:
        stored = session.get(User, ctx.actor.user_id).signing_identity
        created = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "signing_identity_created")
        ).all()
    assert stored
    assert b"PRIVATE KEY" not in stored
    assert len(created) == 1
    # Its fingerprint (not secret) is kept beside the database, so `dsl-desk verify` knows it without a
    # passphrase; the file holds no key.
    known = known_certificates(ctx.store.paths).find(first.fingerprint)
    assert known is not None and known.kind == "desk" and known.note == "j.smith"
    assert b"PRIVATE" not in ctx.store.paths.known_certificates.read_bytes()


def test_preview_is_not_recorded(ctx, escalation_id):
    pdf = prepare_form(ctx, escalation_id, NOTICE, signed_look=True).render()
    assert pdf.startswith(b"%PDF-")
    assert list_documents(ctx, escalation_id) == []


def test_escalation_named_by_reference_or_number(ctx, escalation_id):
    assert escalation_id_for(ctx, "esc-2026-0001") == escalation_id
    assert escalation_id_for(ctx, str(escalation_id)) == escalation_id


def test_signed_copy_carries_the_drawn_signature(ctx, escalation_id):
    from PIL import Image

    from dsl_desk.services.desk.users import set_signature

    buffer = io.BytesIO()
    Image.new("RGB", (240, 80), "white").save(buffer, format="PNG")
    set_signature(ctx, buffer.getvalue())
    signed = PdfReader(io.BytesIO(export_form(ctx, escalation_id, NOTICE, sign=True).pdf_bytes))
    unsigned = PdfReader(io.BytesIO(export_form(ctx, escalation_id, NOTICE, sign=False).pdf_bytes))
    assert len(signed.pages[0].images) == 1
    assert len(unsigned.pages[0].images) == 0


def test_email_to_a_partnership_without_an_address_says_where_it_should_go(ctx, escalation_id, tmp_path):
    path = write_email_draft(ctx, escalation_id, NOTICE, tmp_path, sign=False)
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] is None
    assert "Alas House, Corporation Street, St Helens" in message.get_body(("plain",)).get_content()
