"""Forgeries told apart: every signature is checked, and whatever was added after it; a certificate bearing
the DSL's name is not the DSL's unless this desk knows it; a damaged file is reported, never a traceback."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from forgery import FORGED_TEXT, add_visible_text, forger_sign, home_made_identity
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.general import SigningError
from pypdf import PdfReader

from dsl_desk.documents.render import render_form
from dsl_desk.documents.signing import create_identity, sign_pdf, signers_in_pdf, verify_pdf

SIGNED_AT = datetime(2026, 11, 3, 14, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def rendered(forms) -> bytes:
    from documents_samples import SAMPLES, sample_meta

    form = forms["st_helens_escalation_notice"]
    return render_form(form, SAMPLES[form.id], sample_meta("st_helens"))


@pytest.fixture(scope="module")
def genuine(rendered, identity) -> bytes:
    return sign_pdf(
        rendered, identity, reason="Escalation notice", location="Penkford School",
        signer_name="Jane Smith", timestamp=SIGNED_AT,
    )  # fmt: skip


@pytest.fixture(scope="module")
def forger():
    return home_made_identity("Jane Smith", "Penkford School")


@pytest.fixture(scope="module")
def known(identity) -> dict[str, str]:
    return {identity.fingerprint: "the certificate of Jane Smith, a user of this desk"}


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_text_added_to_a_genuine_notice_and_re_signed_with_a_home_made_certificate_is_changed(
    genuine, forger, known, identity
):
    forged = forger_sign(add_visible_text(genuine), forger)
    assert FORGED_TEXT in _text(forged)  # the attack is real: a reader shows the added words
    assert forged.startswith(genuine)  # and the genuine signature's bytes are all still there
    report = verify_pdf(forged, known)
    assert report.status == "changed"
    assert not report.intact
    assert report.message.startswith("CHANGED:")
    first, second = report.signatures
    assert first.fingerprint == identity.fingerprint and first.intact and first.later_changes
    assert second.signer == "Jane Smith (DSL, Penkford School)"  # the forger's certificate bears her name …
    assert second.fingerprint != identity.fingerprint and not second.known_as  # … but it is not hers
    assert "Signature 2 of 2" in report.message and "UNKNOWN to this desk" in report.message


def test_a_wholly_forged_notice_is_intact_but_from_an_unknown_signer(rendered, forger, known):
    forged = sign_pdf(
        rendered, forger, reason="Escalation notice", location="Penkford School",
        signer_name="Jane Smith", timestamp=SIGNED_AT,
    )  # fmt: skip
    report = verify_pdf(forged, known)
    assert report.status == "intact_unknown"
    assert report.signer == "Jane Smith (DSL, Penkford School)"
    assert report.message.startswith("INTACT, UNKNOWN SIGNER:")
    assert "KNOWN SIGNER:" not in report.message.replace("UNKNOWN SIGNER:", "")
    assert forger.fingerprint in report.message  # the fingerprint to compare by telephone, in full


def test_a_genuine_desk_signed_notice_is_intact_from_a_known_signer(genuine, known):
    report = verify_pdf(genuine, known)
    assert report.status == "intact_known"
    assert report.message.startswith("INTACT, KNOWN SIGNER:")


def test_trusting_a_fingerprint_turns_an_unknown_signer_into_a_known_one(rendered, forger, known):
    other_school = sign_pdf(
        rendered, forger, reason="r", location="l", signer_name="Jane Smith", timestamp=SIGNED_AT
    )
    assert verify_pdf(other_school, known).status == "intact_unknown"
    trusted = {**known, forger.fingerprint: "trusted on 5 January 2026"}
    assert verify_pdf(other_school, trusted).status == "intact_known"


def test_forms_are_certified_with_no_changes_permitted(genuine):
    reader = PdfFileReader(io.BytesIO(genuine), strict=False)
    assert reader.root["/Perms"]["/DocMDP"] is not None
    (signature,) = reader.embedded_signatures
    assert signature.docmdp_level is not None and signature.docmdp_level.value == 1  # P=1: no changes
    assert verify_pdf(genuine).signatures[0].certified


def test_a_certified_form_refuses_every_later_change(genuine, identity, known):
    # pyHanko itself will not sign it again …
    with pytest.raises(SigningError, match="forbids all changes"):
        forger_sign(genuine, identity, ignore_certification=False)
    # … and when a tool that ignores the certification does, even with a certificate this desk KNOWS, the
    # file is changed: the certification permitted nothing after it.
    colleague = create_identity("Sam Lee", "Penkford School", valid_from=SIGNED_AT, role="Deputy DSL")
    cosigned = forger_sign(genuine, colleague)
    report = verify_pdf(cosigned, {**known, colleague.fingerprint: "a user of this desk"})
    assert report.status == "changed"
    assert "certified the document with no changes permitted" in report.message
    # Text added with no new signature at all is a change too.
    assert verify_pdf(add_visible_text(genuine), known).status == "changed"


def test_a_second_signature_on_an_uncertified_document_is_checked_as_well(rendered, identity, forger, known):
    """Forms signed before certification came in are approval signatures: another signature may follow
    (PDF readers allow it), but each signer is shown, and one unknown signer makes the file 'unknown'."""
    from forgery import forger_sign as sign_plainly

    first = sign_plainly(rendered, identity, field_name="Signature1")
    both = sign_plainly(first, forger)
    report = verify_pdf(both, known)
    assert [check.known_as != "" for check in report.signatures] == [True, False]
    assert report.status == "intact_unknown"
    assert verify_pdf(sign_plainly(add_visible_text(first), forger), known).status == "changed"


def _contents_span(pdf: bytes) -> tuple[int, int]:
    match = re.search(rb"/Contents\s*<([0-9a-fA-F]*)>", pdf)
    assert match is not None
    return match.start(1), match.end(1)


FLIPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.timeout(600)  # ~15 s alone; more on a machine shared with other work
@FLIPS
@given(data=st.data())
def test_a_flipped_byte_anywhere_is_changed_or_unreadable_never_a_traceback(genuine, known, data):
    position = data.draw(st.integers(0, len(genuine) - 1), label="position")
    bit = data.draw(st.sampled_from([1, 2, 4, 8, 16, 32, 64, 128]), label="bit")
    damaged = _check_flip(genuine, known, position, bit, _contents_span(genuine))
    signers_in_pdf(damaged)  # must not raise either (used by `dsl-desk trust add`)


@pytest.mark.timeout(600)
def test_every_digit_of_the_signatures_revision_flipped_is_changed_or_unreadable(genuine, known):
    """Object numbers, offsets and lengths: where a flip leaves a file that parses but points nowhere (on the
    code before this, 7 of these 372 positions raised AttributeError or AssertionError)."""
    start, end = _contents_span(genuine)
    signed_revision = genuine.index(b"%%EOF")
    positions = [
        p for p in range(signed_revision, len(genuine))
        if not start <= p < end and genuine[p : p + 1].isdigit()
    ]  # fmt: skip
    assert len(positions) > 200
    for position in positions:
        _check_flip(genuine, known, position, 1, (start, end))


def _check_flip(
    genuine: bytes, known: dict[str, str], position: int, bit: int, span: tuple[int, int]
) -> bytes:
    damaged = genuine[:position] + bytes([genuine[position] ^ bit]) + genuine[position + 1 :]
    report = verify_pdf(damaged, known)  # must not raise
    if not span[0] <= position < span[1]:
        # Every byte outside the signature's own hex string is covered by it.
        assert report.status in ("changed", "unreadable"), (position, report.message)
    assert report.message and "Traceback" not in report.message
    return damaged


@pytest.mark.parametrize("cut", [1, 9, 500, 20_000, -200, -10, -1])
def test_a_truncated_notice_is_unreadable(genuine, known, cut):
    report = verify_pdf(genuine[:cut], known)
    assert report.status in ("unreadable", "changed")
    assert report.status != "changed" or not report.intact


@pytest.mark.parametrize(
    "data", [b"", b"%PDF-", b"%PDF-1.7\n%%EOF", b"\x00" * 1000, b"%PDF-1.4\n" + b"(" * 50_000]
)
def test_nonsense_is_unreadable(data):
    assert verify_pdf(data).status in ("unreadable", "unsigned")
    assert signers_in_pdf(data) == []
