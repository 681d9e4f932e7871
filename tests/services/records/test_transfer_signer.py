"""A transfer file is imported only from a signer this desk knows or whose fingerprint was confirmed by phone.

The attack: whoever has the transfer password (it travels by phone, but a colleague overhears, or the email
and the password both reach the wrong person) decrypts the file, changes the record, re-signs it with a
home-made certificate bearing the sending DSL's name, and encrypts it again with the same password.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dsl_desk.documents import transfer_bundle as tb
from dsl_desk.services.paperwork.trusted_certificates import (
    CertificateInFile,
    known_certificates,
    trust_certificate,
)
from dsl_desk.services.records import transfers as tr
from dsl_desk.services.records.transfer_import import SignerNotConfirmed, certificate_in_transfer
from dsl_desk.store.known_certificates import KnownCertificate, add_known_certificate
from dsl_desk.store.models import AuditEvent, Child, DiscussionEntry
from tests.documents.forgery import home_made_identity, resign_transfer
from tests.services.transfer_world import receiving_school

FAST = tb.TransferKdf(time_cost=1, memory_kib=64, parallelism=1)
OAKFIELD = tr.Destination("Oakfield Academy", "Ruth Ndlovu", "dsl@oakfield.example", "Secure email")
FORGED_SUMMARY = "Parents say all is well now; no further concerns."


@pytest.fixture
def oakfield(tmp_path, clock, packs):
    context = receiving_school(tmp_path / "oakfield", clock, packs)
    yield context
    if context.store.is_open:
        context.close()


@pytest.fixture
def sent(ctx, clock, tmp_path, child_id):
    from dsl_desk.services.log.discussion_log import NewEntry, log_discussion

    log_discussion(
        ctx,
        NewEntry(
            child_id=child_id, occurred_at=clock.now(), method="telephone", participants="Social worker",
            summary="Bruising seen on the child's arm; referral made.",
        ),
    )  # fmt: skip
    return tr.export_bundle(ctx, child_id, OAKFIELD, tmp_path / "out", kdf=FAST)


@pytest.fixture
def forger():
    return home_made_identity("Jane Smith", "Penkford School")


@pytest.fixture
def forged(sent, forger, tmp_path):
    """The genuine file, decrypted with its password, altered, re-signed in Jane Smith's name, re-encrypted."""
    path = tmp_path / "forged.dsltransfer"
    path.write_bytes(resign_transfer(sent.bundle_path.read_bytes(), sent.password, forger, FORGED_SUMMARY))
    reopened = tb.open_bundle(path.read_bytes(), sent.password)  # the format accepts it: the maths is right
    assert reopened.signer.name == "Jane Smith" and reopened.signer.fingerprint == forger.fingerprint
    return path


def _children(ctx) -> int:
    with ctx.store.session() as session:
        return session.execute(select(func.count()).select_from(Child)).scalar_one()


def test_a_re_signed_transfer_file_is_not_imported_at_once(oakfield, sent, forged, forger):
    preview = tr.preview_bundle(oakfield, forged, sent.password)
    assert preview.signer_known == ""  # shown as unknown, with the fingerprint to compare
    with pytest.raises(SignerNotConfirmed) as refused:
        tr.import_bundle(oakfield, forged, sent.password)
    message = str(refused.value)
    assert "certificate this desk does not know" in message and forger.fingerprint in message
    assert "Nothing was imported" in message
    # The sending DSL reads out THEIR fingerprint on the phone: it does not match, so it is refused again.
    with pytest.raises(SignerNotConfirmed, match="is not the one of the certificate that signed this file"):
        tr.import_bundle(oakfield, forged, sent.password, confirmed_fingerprint=sent.fingerprint)
    assert _children(oakfield) == 0
    assert known_certificates(oakfield.store.paths).find(forger.fingerprint) is None


def test_the_genuine_file_imports_once_its_fingerprint_is_confirmed_and_the_signer_is_then_known(
    ctx, oakfield, sent, child_id, tmp_path
):
    assert tr.preview_bundle(oakfield, sent.bundle_path, sent.password).signer_known == ""
    with pytest.raises(SignerNotConfirmed):
        tr.import_bundle(oakfield, sent.bundle_path, sent.password)
    spoken = sent.fingerprint.replace(":", " ").lower()  # as typed from a phone call
    result = tr.import_bundle(oakfield, sent.bundle_path, sent.password, confirmed_fingerprint=spoken)
    assert result.newly_trusted
    with oakfield.store.session() as session:
        entry = session.scalars(
            select(DiscussionEntry).where(DiscussionEntry.child_id == result.child_id)
        ).one()
        assert entry.summary.startswith("Bruising seen")
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions[-2:] == ["transfer_imported", "certificate_trusted"]
    trusted = known_certificates(oakfield.store.paths).find(sent.fingerprint)
    assert trusted is not None and trusted.kind == "trusted"
    # The next file from the same DSL is recognised: no fingerprint needed.
    again = tr.export_bundle(ctx, child_id, OAKFIELD, tmp_path / "again", kdf=FAST)
    assert tr.preview_bundle(oakfield, again.bundle_path, again.password).signer_known.startswith(
        "trusted on"
    )
    assert not tr.import_bundle(oakfield, again.bundle_path, again.password).newly_trusted


def test_trusting_the_certificate_beforehand_lets_the_file_in(oakfield, sent):
    found = [certificate_in_transfer(sent.bundle_path, sent.password)]
    assert found == [
        CertificateInFile(sent.fingerprint, "Jane Smith (Designated Safeguarding Lead, Penkford School)")
    ]
    trust_certificate(oakfield, found, sent.fingerprint, source="transfer file")
    assert tr.preview_bundle(oakfield, sent.bundle_path, sent.password).signer_known
    assert tr.import_bundle(oakfield, sent.bundle_path, sent.password).child_name == "Zephyrine Quillborough"


def test_a_fingerprint_written_into_the_list_by_hand_does_not_let_a_forgery_in(
    oakfield, sent, forged, forger
):
    """The list beside the database is not secret and not protected; the import also asks the audit trail."""
    add_known_certificate(
        oakfield.store.paths.known_certificates,
        KnownCertificate(forger.fingerprint, "Jane Smith", "trusted", oakfield.clock.now()),
    )
    assert tr.preview_bundle(oakfield, forged, sent.password).signer_known == ""
    with pytest.raises(SignerNotConfirmed):
        tr.import_bundle(oakfield, forged, sent.password)
    assert _children(oakfield) == 0
