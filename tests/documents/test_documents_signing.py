"""Signed PDFs verify; a changed byte or appended content is reported; encryption needs the password."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from dsl_desk.documents.render import render_form
from dsl_desk.documents.signing import SigningIdentity, create_identity, encrypt_pdf, sign_pdf, verify_pdf

SIGNED_AT = datetime(2026, 11, 3, 14, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def rendered(forms, identity) -> bytes:
    from documents_samples import SAMPLES, sample_meta

    form = forms["st_helens_escalation_notice"]
    return render_form(form, SAMPLES[form.id], sample_meta("st_helens"))


@pytest.fixture(scope="module")
def signed(rendered, identity) -> bytes:
    return sign_pdf(
        rendered, identity, reason="Escalation notice", location="Penkford School",
        signer_name="Jane Smith", timestamp=SIGNED_AT,
    )  # fmt: skip


def test_identity_names_the_signer_and_lasts_five_years(identity):
    assert identity.common_name == "Jane Smith"
    assert identity.organisation == "Penkford School"
    assert identity.valid_until.year == 2030
    assert "key_pem" not in repr(identity)


def test_identity_round_trips_through_encrypted_pkcs12(identity):
    blob = identity.to_pkcs12(b"correct horse")
    assert SigningIdentity.from_pkcs12(blob, b"correct horse") == identity
    with pytest.raises(ValueError, match=r"(?i)invalid password|could not deserialize"):
        SigningIdentity.from_pkcs12(blob, b"wrong")


def test_signing_appends_and_keeps_the_original_bytes(rendered, signed):
    assert signed.startswith(rendered)
    assert len(signed) > len(rendered)


def test_a_signed_pdf_verifies(signed, identity):
    report = verify_pdf(signed, {identity.fingerprint: "the certificate of Jane Smith, a user of this desk"})
    assert report.signed
    assert report.intact
    assert report.covers_whole_file
    assert report.status == "intact_known"
    assert report.signer == "Jane Smith (DSL, Penkford School)"
    assert report.signed_at == SIGNED_AT
    assert report.fingerprint == identity.fingerprint
    assert report.message.startswith(
        "INTACT, KNOWN SIGNER: the document has not been changed since it was signed"
    )
    assert (
        "Signature: signed by Jane Smith (DSL, Penkford School) on 3 Nov 2026 14:02, certifying the document"
        in report.message
    )
    assert f"fingerprint: {identity.fingerprint}" in report.message
    assert "known to this desk (the certificate of Jane Smith, a user of this desk)" in report.message


def test_the_same_pdf_from_a_desk_that_does_not_know_the_certificate_says_so(signed, identity):
    report = verify_pdf(signed)
    assert report.status == "intact_unknown"
    assert report.message.startswith("INTACT, UNKNOWN SIGNER:")
    assert (
        "UNKNOWN to this desk" in report.message and "not issued by a certificate authority" in report.message
    )


def test_one_changed_byte_fails_verification(signed):
    # A byte inside the first page's content stream: the file still parses, but the digest differs.
    position = signed.index(b"stream", 1000) + 40
    tampered = signed[:position] + bytes([signed[position] ^ 0x01]) + signed[position + 1 :]
    report = verify_pdf(tampered)
    assert report.signed
    assert not report.intact
    assert report.status == "changed"
    assert "CHANGED since it was signed" in report.message


def test_content_appended_after_signing_is_reported(signed):
    report = verify_pdf(signed + b"\n% added after signing\n")
    assert report.signed
    assert not report.covers_whole_file
    assert report.status == "changed"
    assert "ADDED" in report.message


def test_an_unsigned_pdf_says_so(rendered):
    report = verify_pdf(rendered)
    assert not report.signed
    assert report.status == "unsigned"
    assert report.message == "This document is not signed."


def test_something_that_is_not_a_pdf_is_reported_plainly():
    report = verify_pdf(b"hello")
    assert not report.signed
    assert report.status == "unreadable"
    assert report.message.startswith("This file could not be read as a PDF")


def test_naive_times_are_refused(rendered, identity):
    with pytest.raises(ValueError, match="timezone-aware"):
        sign_pdf(rendered, identity, reason="r", location="l", signer_name="n",
                 timestamp=datetime(2026, 1, 1))  # fmt: skip
    with pytest.raises(ValueError, match="timezone-aware"):
        create_identity("Jane", "School", valid_from=datetime(2026, 1, 1))


def test_encrypted_pdf_opens_only_with_its_password(rendered):
    encrypted = encrypt_pdf(rendered, "s3cret-Phrase")
    assert b"Escalation Notice" not in encrypted
    reader = PdfReader(io.BytesIO(encrypted))
    assert reader.is_encrypted
    with pytest.raises(FileNotDecryptedError):
        reader.pages[0].extract_text()
    assert not reader.decrypt("wrong password")
    locked = PdfReader(io.BytesIO(encrypted))
    assert locked.decrypt("s3cret-Phrase")
    assert "Escalation Notice" in locked.pages[0].extract_text()


def test_encryption_needs_a_password(rendered):
    with pytest.raises(ValueError, match="password"):
        encrypt_pdf(rendered, "")
