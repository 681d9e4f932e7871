"""The transfer file format: a round trip, and every way a file can be wrong refused with a plain message."""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl_desk.documents import transfer_bundle as tb
from dsl_desk.documents.signing import create_identity
from dsl_desk.documents.transfer_record import RECORD_FORMAT, BundleRefused, validate_record
from dsl_desk.services.records.transfer_import import TransferRefused, open_bundle_file

FAST = tb.TransferKdf(time_cost=1, memory_kib=64, parallelism=1)
PASSWORD = "ABCD-EFGH-JKMN-PQRT"
ATTACHMENT = b"%PDF-1.4\n" + bytes(range(256)) * 8


def sample_record(bundle_id: str | None = None) -> dict[str, Any]:
    at = datetime(2026, 1, 5, 9, 30, tzinfo=UTC).isoformat()
    return {
        "record_format": RECORD_FORMAT,
        "bundle_id": bundle_id or str(uuid.uuid4()),
        "exported_at": at,
        "app_version": "0.1.0",
        "demo": False,
        "audit_head": "Audit trail when signed: 3 rows, row 3 hash " + "ab" * 32,
        "sender": {"organisation": "Penkford School", "name": "Jane Smith", "role": "DSL", "contact": ""},
        "recipient": {"organisation": "Oakfield Academy", "name": "Ruth Ndlovu", "role": "", "contact": ""},
        "child": {
            "given_names": "Zephyrine",
            "family_name": "Quillborough",
            "date_of_birth": "2015-03-14",
            "address": "1 Example Row",
            "parents_carers": "",
            "child_protection_plan": True,
            "looked_after": False,
            "child_in_need": False,
            "ehcp": False,
            "continuum_of_need": "",
        },
        "users": [{"id": 1, "display_name": "Jane Smith", "role": "DSL", "organisation": "Penkford School"}],
        "agencies": [],
        "professionals": [],
        "escalations": [],
        "stages": [],
        "risk_changes": [],
        "checklist": [],
        "resolutions": [],
        "entries": [_entry(3, None), _entry(7, 3)],
        "shares": [],
        "actions": [],
        "attachments": [
            {
                "id": 11,
                "entry_id": 3,
                "escalation_id": None,
                "file_name": "letter.pdf",
                "media_type": "application/pdf",
                "size": len(ATTACHMENT),
                "sha256": hashlib.sha256(ATTACHMENT).hexdigest(),
                "added_at": at,
                "added_by_id": 1,
            }
        ],
        "documents": [],
    }


def _entry(entry_id: int, amends: int | None) -> dict[str, Any]:
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC).isoformat()
    return {
        "id": entry_id, "escalation_id": None, "stage_key": "", "kind": "discussion", "occurred_at": at,
        "recorded_at": at, "author_id": 1, "method": "telephone", "participants": "", "summary": "Called.",
        "decisions": "", "shared_with": "", "shared_at": None, "amends_id": amends,
        "amend_reason": "Typo" if amends else "", "child_views": "", "opinion": "",
    }  # fmt: skip


@pytest.fixture(scope="module")
def signer():
    return create_identity(
        "Jane Smith", "Penkford School", valid_from=datetime(2026, 1, 1, tzinfo=UTC), role="DSL"
    )


@pytest.fixture(scope="module")
def bundle(signer) -> bytes:
    return tb.write_bundle(sample_record(), {11: ATTACHMENT}, signer, PASSWORD, kdf=FAST)


def refused(data: bytes, password: str = PASSWORD) -> str:
    with pytest.raises(BundleRefused) as caught:
        tb.open_bundle(data, password)
    assert str(caught.value)  # always a message for the user
    return caught.value.reason


def test_round_trip_keeps_record_attachments_and_signer(bundle, signer):
    opened = tb.open_bundle(bundle, PASSWORD)
    assert opened.attachments == {11: ATTACHMENT}
    assert opened.record["child"]["date_of_birth"] == date(2015, 3, 14)
    assert opened.record["entries"][1]["amends_id"] == 3
    assert opened.record["exported_at"] == datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    assert opened.signer.fingerprint == signer.fingerprint
    assert opened.signer.name == "Jane Smith" and opened.signer.organisation == "Penkford School"
    assert "No certificate authority vouches" in opened.signer.describe()
    assert opened.sha256 == hashlib.sha256(bundle).hexdigest()
    # Nothing readable outside the encryption: not the child's name, nor the attachment.
    assert b"Quillborough" not in bundle and ATTACHMENT[:200] not in bundle


def test_password_as_typed_from_a_phone_call_works(bundle):
    assert tb.open_bundle(bundle, "abcd efgh jkmn pqrt").bundle_id


def test_wrong_password_is_told_apart_from_damage(bundle):
    assert refused(bundle, "ABCD-EFGH-JKMN-PQRX") == "wrong_password"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\n" + b"x" * 500, "foreign"),
        (b"PK\x03\x04" + b"\0" * 100, "foreign"),
        (b"SQLite format 3\0" + b"\0" * 100, "foreign"),
        (b"DSL-DESK", "truncated"),
    ],
)
def test_foreign_and_empty_files_are_refused(data, reason):
    assert refused(data) == reason


def test_a_file_from_a_newer_version_is_refused_before_the_password(bundle):
    _header, start = tb.read_header(bundle)
    raw = json.loads(bundle[len(tb.MAGIC) : start - 1])
    raw["format"] = tb.FORMAT + 1
    newer = tb.MAGIC + json.dumps(raw).encode() + b"\n" + bundle[start:]
    assert refused(newer, "not even the password") == "newer"


def test_a_record_from_a_newer_version_is_refused(signer):
    record = sample_record()
    record["record_format"] = RECORD_FORMAT + 1
    record["a_new_section"] = []
    data = tb.write_bundle(record, {11: ATTACHMENT}, signer, PASSWORD, kdf=FAST)
    assert refused(data) == "newer"


def test_tampering_with_any_byte_is_refused(bundle):
    # Every byte of the header and a spread of the ciphertext, each flipped on its own.
    _header, start = tb.read_header(bundle)
    positions = list(range(start + 64)) + random.Random(7).sample(range(start, len(bundle)), 150)
    for position in positions:
        damaged = bytearray(bundle)
        damaged[position] ^= 0x41
        assert refused(bytes(damaged)) in {"damaged", "foreign", "truncated", "wrong_password", "newer"}, (
            position
        )


def test_truncation_at_every_length_is_refused(bundle):
    for length in range(0, len(bundle), 97):
        assert refused(bundle[:length]) in {"empty", "truncated", "damaged"}, length
    assert refused(bundle[:-1]) == "truncated"
    assert refused(bundle + b"\0") == "damaged"


def test_a_record_changed_and_re_encrypted_without_the_signers_key_is_refused(bundle, signer):
    # Someone with the password, but not the signing key, rebuilds the file around an edited record.
    opened_header, start = tb.read_header(bundle)
    key, _check = tb._derive(PASSWORD, opened_header.salt, opened_header.kdf)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    plaintext = AESGCM(key).decrypt(opened_header.nonce, bundle[start:], bundle[:start])
    edited = plaintext.replace(b"Called.", b"Nothing")
    assert edited != plaintext
    forged = bundle[:start] + AESGCM(key).encrypt(opened_header.nonce, edited, bundle[:start])
    assert refused(forged) == "altered"


def test_an_attachment_swapped_after_signing_is_refused(signer):
    other = b"%PDF-1.4\n" + bytes(reversed(range(256))) * 8
    with pytest.raises(ValueError, match="does not match"):
        tb.write_bundle(sample_record(), {11: other}, signer, PASSWORD, kdf=FAST)


def test_a_forged_header_cannot_ask_for_unbounded_work(bundle):
    _header, start = tb.read_header(bundle)
    raw = json.loads(bundle[len(tb.MAGIC) : start - 1])
    raw["kdf"]["memory_kib"] = 1 << 30
    greedy = tb.MAGIC + json.dumps(raw).encode() + b"\n" + bundle[start:]
    assert refused(greedy) == "damaged"


def test_the_file_size_is_checked_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.dsltransfer"
    path.write_bytes(b"x" * 2048)
    monkeypatch.setattr(tb, "MAX_BUNDLE_BYTES", 1024)
    with pytest.raises(TransferRefused) as caught:
        open_bundle_file(path, PASSWORD)
    assert caught.value.reason == "too_large"
    with pytest.raises(TransferRefused, match="could not be read"):
        open_bundle_file(tmp_path / "missing.dsltransfer", PASSWORD)


def test_record_references_must_resolve():
    record = sample_record()
    record["entries"][1]["amends_id"] = 99  # corrects an entry that is not there
    with pytest.raises(BundleRefused):
        validate_record(record)
    record = sample_record()
    record["entries"][0]["amends_id"] = 7  # "corrects" a later entry
    with pytest.raises(BundleRefused):
        validate_record(record)
    record = sample_record()
    record["attachments"][0]["added_by_id"] = 2
    with pytest.raises(BundleRefused):
        validate_record(record)


# --- fuzzing: nothing but BundleRefused ever comes out of the reader ------------------------------------------


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_are_refused(data):
    with pytest.raises(BundleRefused):
        tb.open_bundle(data, PASSWORD)


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_after_the_magic_line_are_refused(data):
    with pytest.raises(BundleRefused):
        tb.open_bundle(tb.MAGIC + data, PASSWORD)


@FUZZ
@given(data=st.data())
def test_mutated_bundles_are_refused(bundle, data):
    mutated = bytearray(bundle)
    for _ in range(data.draw(st.integers(1, 4))):
        operation = data.draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        at = data.draw(st.integers(0, max(0, len(mutated) - 1)))
        if operation == "flip" and mutated:
            mutated[at] ^= data.draw(st.integers(1, 255))
        elif operation == "cut":
            del mutated[at:]
        elif operation == "insert":
            mutated[at:at] = data.draw(st.binary(min_size=1, max_size=16))
        elif mutated:
            del mutated[at : at + data.draw(st.integers(1, 16))]
    if bytes(mutated) == bundle:
        return
    with pytest.raises(BundleRefused):
        tb.open_bundle(bytes(mutated), PASSWORD)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(_json_values)
def test_any_json_is_refused_or_accepted_as_a_record_never_crashes(value):
    with pytest.raises(BundleRefused):
        validate_record(value)


@FUZZ
@given(data=st.data())
def test_a_valid_record_with_one_field_changed_is_checked_without_crashing(data):
    record = sample_record()
    section = data.draw(st.sampled_from(["child", "sender", "entries", "attachments"]))
    row = record[section][0] if isinstance(record[section], list) else record[section]
    name = data.draw(st.sampled_from(sorted(row)))
    row[name] = data.draw(_json_values)
    try:
        checked = validate_record(record)
    except BundleRefused:
        return
    assert checked["bundle_id"] == record["bundle_id"]  # a value of the right kind was drawn: accepted


def test_a_format_1_record_from_an_earlier_version_still_reads():
    """Files written before format 2 lack immediate-risk changes and the when-it-happened fields."""
    record = sample_record()
    record["record_format"] = 1
    del record["risk_changes"]
    del record["audit_head"]
    checked = validate_record(record)
    assert checked["risk_changes"] == []
    assert checked["audit_head"] == ""
    record["risk_changes"] = []  # a format-1 file never has the section
    with pytest.raises(BundleRefused):
        validate_record(record)
