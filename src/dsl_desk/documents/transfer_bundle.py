"""The case-transfer file: one child's whole record, encrypted with a password and signed by the sending DSL.

Layout (everything after the header line is one AES-256-GCM ciphertext)::

    DSL-DESK-TRANSFER\\n                 magic line: anything else is "not a DSL Desk transfer file"
    {"format": 1, "bundle_id": …, "kdf": {…}, "nonce": …, "check": …, "length": N}\\n
    <N bytes of ciphertext>

- The key comes from the transfer password through Argon2id (salt and cost in the header). 16 bytes derived
  beside the key ("check") tell a wrong password apart from a damaged file; the password is 76 random bits
  read out by phone, so the check gives an attacker nothing the ciphertext did not already give them.
- The magic line and the header line are the AEAD's associated data: an edited header is caught, and the
  header's `length` (authenticated) says whether a file was cut short or had bytes added.
- The plaintext holds the record (JSON), the sending DSL's signature over it (RSA PKCS#1 v1.5, SHA-256), the
  signer's certificate, then each attachment's bytes in the order the record lists them. The record lists
  every attachment's size and SHA-256, so the signature covers the attachments too.
- The certificate is self-signed (documents/signing.py): nobody vouches for it. The receiver is shown who it
  names and its fingerprint, to be compared by telephone with the sending DSL.

The reader is strict and bounded: a size limit before anything is read, header and record checked field by
field against `SCHEMA`, every reference inside the record resolved. Every failure is a `BundleRefused` with a
plain message; nothing else escapes (tests/documents/test_transfer_bundle.py fuzzes it with hypothesis).
No Qt and no SQL here: services/transfer_export.py and transfer_import.py map the record to the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import struct
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from argon2.low_level import Type, hash_secret_raw
from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import NameOID

from dsl_desk.core.i18n import _

if TYPE_CHECKING:  # signing.py loads pyHanko; start-up imports this module and must stay light
    from dsl_desk.documents.signing import SigningIdentity

MAGIC = b"DSL-DESK-TRANSFER\n"
FORMAT = 1  # the file layout (header, cipher, framing)
RECORD_FORMAT = 2  # the record's sections and fields (SCHEMA); 2 added ADDED_IN_2
READABLE_FORMATS = (1, 2)
FILE_SUFFIX = ".dsltransfer"
MAX_BUNDLE_BYTES = 1 << 30  # 1 GiB: AES-GCM here is one-shot, and the whole file is held in memory
MAX_HEADER_BYTES = 4096
MAX_ATTACHMENT_BYTES = 64 << 20  # DSL Desk itself keeps attachments to 25 MB
MAX_RECORD_BYTES = 256 << 20
MAX_STR = 2_000
MAX_TEXT = 2_000_000
MAX_ROWS = 1_000_000
_SALT, _NONCE, _CHECK, _KEY = 16, 12, 16, 32


@dataclass(frozen=True)
class TransferKdf:
    """Argon2id cost; the defaults take a fraction of a second on a school laptop. Tests pass cheaper ones."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 2


# Bounds the reader accepts from a header: a forged header must not make us spend 10 GB or an hour.
_KDF_BOUNDS = {"time_cost": (1, 10), "memory_kib": (8, 1 << 20), "parallelism": (1, 8)}


class BundleRefused(Exception):
    """A transfer file that cannot be imported. `str(error)` is a plain message; `reason` is for code.

    reason: too_large | empty | foreign | newer | damaged | truncated | wrong_password | altered
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def refused(reason: str) -> BundleRefused:
    """The refusal for `reason` (a key of the messages below), in the words the DSL sees."""
    return _refused(reason)


def _refused(reason: str) -> BundleRefused:
    return BundleRefused(reason, _MESSAGES[reason])


_FRESH_COPY = "Nothing was imported. Ask the sending school for a fresh copy."
_MESSAGES = {
    "too_large": f"This file is larger than any DSL Desk transfer file can be ({MAX_BUNDLE_BYTES >> 20} MB). "
    "Check you chose the right file. Nothing was imported.",
    "empty": "This file is empty: it is not a DSL Desk transfer file. Nothing was imported.",
    "foreign": "This is not a DSL Desk transfer file (they end in .dsltransfer). Check you chose the right "
    "file. Nothing was imported.",
    "newer": "This transfer file was made by a newer version of DSL Desk. Install the newer version, then "
    "import it again. Nothing was imported.",
    "damaged": f"This transfer file is damaged and cannot be read. {_FRESH_COPY}",
    "truncated": f"This transfer file is incomplete: it was cut short, perhaps while it was being copied or "
    f"downloaded. {_FRESH_COPY}",
    "wrong_password": "That transfer password is not right. Check it with the sending DSL (it was given by "
    "phone: four groups of four letters and digits). If it is right, the file is damaged: ask for a fresh "
    "copy. Nothing was imported.",
    "altered": f"This transfer file has been altered since the sending DSL signed it, so it cannot be "
    f"trusted. {_FRESH_COPY}",
}


# --- the record's shape ------------------------------------------------------------------------------------

# Field kinds: str (short), text (long), int, bool, date, datetime; a trailing "?" allows null.
CHILD_FIELDS: dict[str, str] = {
    "given_names": "str",
    "family_name": "str",
    "date_of_birth": "date",
    "address": "text",
    "parents_carers": "text",
    "child_protection_plan": "bool",
    "looked_after": "bool",
    "child_in_need": "bool",
    "ehcp": "bool",
    "continuum_of_need": "str",
}
PARTY_FIELDS: dict[str, str] = {"organisation": "str", "name": "str", "role": "str", "contact": "str"}
# Sections in the order an importer inserts them: every reference points to an earlier section.
SCHEMA: dict[str, dict[str, str]] = {
    # A user's organisation is "" when their name already says where they work (someone this desk imported).
    "users": {"id": "int", "display_name": "str", "role": "str", "organisation": "str"},
    "agencies": {"id": "int", "name": "str", "kind": "str", "phone": "str", "email": "str"},
    "professionals": {
        "id": "int", "name": "str", "role": "str", "agency_id": "int?", "phone": "str", "email": "str",
    },
    "escalations": {
        "id": "int", "reference": "str", "policy_id": "str", "policy_version": "str", "our_agency": "str",
        "our_professional": "str", "other_agency_id": "int", "other_professional_id": "int?",
        "category": "str", "problem": "text", "outcome_sought": "text", "immediate_risk": "bool",
        "status": "str", "current_stage": "str", "opened_at": "datetime", "opened_by_id": "int",
        "closed_at": "datetime?", "withdrawn_reason": "text", "arose_at": "datetime?",
        "shortened_due_at": "datetime?", "shortened_reason": "text",
    },
    "stages": {
        "id": "int", "escalation_id": "int", "stage_key": "str", "entered_at": "datetime",
        "deadline": "datetime?", "raised_out_of_hours": "bool", "contacted": "text", "entered_by_id": "int",
        "outcome": "text", "left_at": "datetime?", "left_by_id": "int?", "timescale_met": "bool?",
        "missed_reason": "text", "started_at": "datetime?", "response_received_at": "datetime?",
        "deadline_moved_from": "datetime?",
    },
    "risk_changes": {
        "id": "int", "escalation_id": "int", "raised": "bool", "noticed_at": "datetime",
        "recorded_at": "datetime", "recorded_by_id": "int", "reason": "text",
    },
    "checklist": {
        "id": "int", "escalation_id": "int", "stage_key": "str", "requirement_key": "str", "kind": "str",
        "text": "text", "recipient": "str", "form_id": "str", "created_at": "datetime",
        "done_at": "datetime?", "done_by_id": "int?", "done_note": "text", "obligation": "str",
        "due_at": "datetime?", "due_from": "datetime?", "not_done": "bool",
    },
    "resolutions": {
        "id": "int", "escalation_id": "int", "resolved_stage": "str", "resolved_at": "datetime",
        "resolved_by_id": "int", "written_outcome": "text", "outcome_agreed_in_writing": "bool",
        "main_reason": "str", "actions": "text", "practitioners_informed": "text", "lessons_learnt": "text",
        "learning_referred_to_board": "bool", "debrief_held": "bool", "parents_informed": "bool",
        "parents_not_informed_reason": "text", "child_situation_improved": "str", "overrun_reason": "text",
        "manager_confirmed_child_safe": "bool", "manager_name": "str",
    },
    "entries": {
        "id": "int", "escalation_id": "int?", "stage_key": "str", "kind": "str", "occurred_at": "datetime",
        "recorded_at": "datetime", "author_id": "int", "method": "str", "participants": "text",
        "summary": "text", "decisions": "text", "shared_with": "text", "shared_at": "datetime?",
        "amends_id": "int?", "amend_reason": "text", "child_views": "text", "opinion": "text",
    },
    "shares": {
        "id": "int", "entry_id": "int", "shared_with": "text", "shared_at": "datetime",
        "recorded_at": "datetime", "recorded_by_id": "int",
    },
    "actions": {
        "id": "int", "entry_id": "int", "description": "text", "owner": "str", "due_on": "date?",
        "done_at": "datetime?", "done_by_id": "int?",
    },
    "attachments": {
        "id": "int", "entry_id": "int?", "escalation_id": "int?", "file_name": "str", "media_type": "str",
        "size": "int", "sha256": "str", "added_at": "datetime", "added_by_id": "int",
    },
    "documents": {
        "id": "int", "escalation_id": "int?", "form_id": "str", "action": "str", "recipient": "str",
        "file_name": "str", "signed": "bool", "sha256": "str", "at": "datetime", "by_id": "int",
    },
}  # fmt: skip
# Which section each id field points into. The importer remaps every one of these to its new row's id.
REFERENCES: dict[str, dict[str, str]] = {
    "professionals": {"agency_id": "agencies"},
    "escalations": {
        "other_agency_id": "agencies", "other_professional_id": "professionals", "opened_by_id": "users",
    },
    "stages": {"escalation_id": "escalations", "entered_by_id": "users", "left_by_id": "users"},
    "risk_changes": {"escalation_id": "escalations", "recorded_by_id": "users"},
    "checklist": {"escalation_id": "escalations", "done_by_id": "users"},
    "resolutions": {"escalation_id": "escalations", "resolved_by_id": "users"},
    "entries": {"escalation_id": "escalations", "author_id": "users", "amends_id": "entries"},
    "shares": {"entry_id": "entries", "recorded_by_id": "users"},
    "actions": {"entry_id": "entries", "done_by_id": "users"},
    "attachments": {"entry_id": "entries", "escalation_id": "escalations", "added_by_id": "users"},
    "documents": {"escalation_id": "escalations", "by_id": "users"},
}  # fmt: skip
# What a format-1 file (from DSL Desk before format 2) lacks, with the value it stands for.
ADDED_IN_2: dict[str, dict[str, Any]] = {
    "escalations": {"arose_at": None, "shortened_due_at": None, "shortened_reason": ""},
    "stages": {"started_at": None, "response_received_at": None, "deadline_moved_from": None},
    "checklist": {"obligation": "should", "due_at": None, "due_from": None, "not_done": False},
}
_TOP_LEVEL = {
    "record_format", "bundle_id", "exported_at", "app_version", "demo", "sender", "recipient", "child",
    "audit_head",
}  # fmt: skip


# --- what a reader gets back --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignerInfo:
    name: str
    role: str
    organisation: str
    fingerprint: str  # SHA-256 of the certificate, "AB:CD:…"
    valid_from: datetime
    valid_until: datetime

    def describe(self) -> str:
        extras = ", ".join(p for p in (self.role, self.organisation) if p)
        who = f"{self.name} ({extras})" if extras else self.name
        return _(
            "Signed by {who}. No certificate authority vouches for this signature: DSL Desk made the "
            "certificate on the sender's computer. Before relying on it, telephone the sending DSL and "
            "compare this fingerprint with theirs: {fingerprint}"
        ).format(who=who, fingerprint=self.fingerprint)


@dataclass(frozen=True)
class TransferBundle:
    """A bundle opened and checked: `record` holds Python values (date, datetime, …) in SCHEMA's shape."""

    bundle_id: str
    record: dict[str, Any]
    attachments: dict[int, bytes]  # by the attachment's id in the record
    signer: SignerInfo
    sha256: str  # of the whole file
    size: int = field(default=0)


@dataclass(frozen=True)
class BundleHeader:
    format: int
    bundle_id: str
    salt: bytes
    kdf: TransferKdf
    nonce: bytes
    check: bytes
    length: int


# --- writing -------------------------------------------------------------------------------------------------


def write_bundle(
    record: Mapping[str, Any],
    attachments: Mapping[int, bytes],
    identity: SigningIdentity,
    password: str,
    *,
    kdf: TransferKdf | None = None,
) -> bytes:
    """The bundle's bytes. `record` is JSON-ready (ISO dates); `attachments` by the record's attachment ids."""
    record_bytes = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    listed = record.get("attachments", [])
    for row in listed:
        content = attachments[row["id"]]
        if len(content) != row["size"] or hashlib.sha256(content).hexdigest() != row["sha256"]:
            raise ValueError(
                _("attachment {row} does not match its size and SHA-256 in the record").format(row=row["id"])
            )
    signature = identity.private_key.sign(record_bytes, PKCS1v15(), hashes.SHA256())
    certificate = identity.certificate.public_bytes(serialization.Encoding.DER)
    parts = [_frame(record_bytes), _frame(signature), _frame(certificate)]
    parts += [attachments[row["id"]] for row in listed]
    plaintext = b"".join(parts)
    kdf = kdf or TransferKdf()
    salt, nonce = secrets.token_bytes(_SALT), secrets.token_bytes(_NONCE)
    key, check = _derive(password, salt, kdf)
    header = {
        "format": FORMAT,
        "bundle_id": str(record["bundle_id"]),
        "kdf": {"name": "argon2id", "salt": _b64(salt), **asdict(kdf)},
        "cipher": "AES-256-GCM",
        "nonce": _b64(nonce),
        "check": _b64(check),
        "length": len(plaintext) + 16,
    }
    prefix = MAGIC + json.dumps(header, sort_keys=True, separators=(",", ":")).encode("ascii") + b"\n"
    return prefix + AESGCM(key).encrypt(nonce, plaintext, prefix)


def normalise_password(password: str) -> str:
    """What a person types from a phone call: any case, with or without spaces and dashes."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", password).upper() if ch not in " -\t\r\n")


def _derive(password: str, salt: bytes, kdf: TransferKdf) -> tuple[bytes, bytes]:
    master = hash_secret_raw(
        normalise_password(password).encode("utf-8"),
        salt,
        time_cost=kdf.time_cost,
        memory_cost=kdf.memory_kib,
        parallelism=kdf.parallelism,
        hash_len=_KEY,
        type=Type.ID,
    )
    key = HKDF(hashes.SHA256(), _KEY, salt=None, info=b"dsl-desk transfer key").derive(master)
    check = HKDF(hashes.SHA256(), _CHECK, salt=None, info=b"dsl-desk transfer check").derive(master)
    return key, check


def _frame(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- reading -------------------------------------------------------------------------------------------------


def read_header(data: bytes) -> tuple[BundleHeader, int]:
    """The header and where the ciphertext starts; no password needed. Refuses foreign and newer files."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise _refused("too_large")
    if not data:
        raise _refused("empty")
    if not data.startswith(MAGIC):
        raise _refused("truncated" if MAGIC.startswith(data) else "foreign")
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + MAX_HEADER_BYTES)
    if end < 0:
        raise _refused("truncated" if len(data) < len(MAGIC) + MAX_HEADER_BYTES else "damaged")
    raw = _json(data[len(MAGIC) : end])
    if not isinstance(raw, dict):
        raise _refused("damaged")
    version = raw.get("format")
    if type(version) is int and version > FORMAT:
        raise _refused("newer")
    return _header(raw), end + 1


def open_bundle(data: bytes, password: str) -> TransferBundle:
    header, start = read_header(data)
    ciphertext = data[start:]
    if len(ciphertext) < header.length:
        raise _refused("truncated")
    if len(ciphertext) > header.length:
        raise _refused("damaged")
    key, check = _derive(password, header.salt, header.kdf)
    if not hmac.compare_digest(check, header.check):
        raise _refused("wrong_password")
    try:
        plaintext = AESGCM(key).decrypt(header.nonce, ciphertext, data[:start])
    except InvalidTag:
        raise _refused("damaged") from None
    record, attachments, signer = _open_payload(plaintext)
    if record["bundle_id"] != header.bundle_id:
        raise _refused("altered")
    return TransferBundle(
        header.bundle_id, record, attachments, signer, hashlib.sha256(data).hexdigest(), len(data)
    )


def _header(raw: dict[str, Any]) -> BundleHeader:
    expected = {"format", "bundle_id", "kdf", "cipher", "nonce", "check", "length"}
    kdf = raw.get("kdf")
    if (
        set(raw) != expected
        or raw["format"] != FORMAT
        or type(raw["format"]) is not int
        or raw["cipher"] != "AES-256-GCM"
        or not isinstance(kdf, dict)
        or set(kdf) != {"name", "salt", *_KDF_BOUNDS}
        or kdf["name"] != "argon2id"
        or not _bundle_id_ok(raw["bundle_id"])
        or type(raw["length"]) is not int
        or not 16 <= raw["length"] <= MAX_BUNDLE_BYTES
    ):
        raise _refused("damaged")
    for name, (low, high) in _KDF_BOUNDS.items():
        if type(kdf[name]) is not int or not low <= kdf[name] <= high:
            raise _refused("damaged")
    if kdf["memory_kib"] < 8 * kdf["parallelism"]:
        raise _refused("damaged")
    return BundleHeader(
        format=raw["format"],
        bundle_id=raw["bundle_id"],
        salt=_unb64(kdf["salt"], _SALT),
        kdf=TransferKdf(kdf["time_cost"], kdf["memory_kib"], kdf["parallelism"]),
        nonce=_unb64(raw["nonce"], _NONCE),
        check=_unb64(raw["check"], _CHECK),
        length=raw["length"],
    )


def _bundle_id_ok(value: object) -> bool:
    return isinstance(value, str) and len(value) == 36 and all(c in "0123456789abcdef-" for c in value)


def _unb64(value: object, length: int) -> bytes:
    if not isinstance(value, str):
        raise _refused("damaged")
    try:
        decoded = base64.b64decode(value.encode("ascii"), validate=True)
    except ValueError:  # binascii.Error and UnicodeEncodeError are both ValueErrors
        raise _refused("damaged") from None
    if len(decoded) != length:
        raise _refused("damaged")
    return decoded


def _json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise _refused("damaged") from None


def _no_constant(_name: str) -> Any:
    raise ValueError("NaN and Infinity are not JSON")


class _Frames:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, size: int) -> bytes:
        if size < 0 or self.at + size > len(self.data):
            raise _refused("damaged")
        part = self.data[self.at : self.at + size]
        self.at += size
        return part

    def framed(self, limit: int) -> bytes:
        (size,) = struct.unpack(">I", self.take(4))
        if size > limit:
            raise _refused("damaged")
        return self.take(size)


def _open_payload(plaintext: bytes) -> tuple[dict[str, Any], dict[int, bytes], SignerInfo]:
    frames = _Frames(plaintext)
    record_bytes = frames.framed(MAX_RECORD_BYTES)
    signature = frames.framed(4096)
    certificate_der = frames.framed(16384)
    signer, certificate = _signer(certificate_der)
    try:
        public_key = certificate.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise _refused("damaged")
        public_key.verify(signature, record_bytes, PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        raise _refused("altered") from None
    raw = _json(record_bytes)
    version = raw.get("record_format") if isinstance(raw, dict) else None
    if type(version) is int and version > RECORD_FORMAT:
        raise _refused("newer")
    record = validate_record(raw)
    attachments: dict[int, bytes] = {}
    for row in record["attachments"]:
        content = frames.take(row["size"])
        if hashlib.sha256(content).hexdigest() != row["sha256"]:
            raise _refused("altered")
        attachments[row["id"]] = content
    if frames.at != len(plaintext):
        raise _refused("damaged")
    return record, attachments, signer


def _signer(der: bytes) -> tuple[SignerInfo, x509.Certificate]:
    try:
        certificate = x509.load_der_x509_certificate(der)
        info = SignerInfo(
            name=_name_part(certificate, NameOID.COMMON_NAME),
            role=_name_part(certificate, NameOID.TITLE),
            organisation=_name_part(certificate, NameOID.ORGANIZATION_NAME),
            fingerprint=_fingerprint(der),
            valid_from=certificate.not_valid_before_utc,
            valid_until=certificate.not_valid_after_utc,
        )
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise _refused("damaged") from None
    return info, certificate


def _name_part(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    values = certificate.subject.get_attributes_for_oid(oid)
    return str(values[0].value)[:MAX_STR] if values else ""


def _fingerprint(der: bytes) -> str:
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


# --- checking the record --------------------------------------------------------------------------------------


def validate_record(raw: Any) -> dict[str, Any]:
    """The record with every field checked and converted (dates and times to Python values), or refused."""
    if not isinstance(raw, dict) or type(raw.get("record_format")) is not int:
        raise _refused("damaged")
    version = raw["record_format"]
    if version not in READABLE_FORMATS:
        raise _refused("damaged")
    if version == 1:
        raw = _from_format_1(raw)
    if set(raw) != _TOP_LEVEL | set(SCHEMA):
        raise _refused("damaged")
    if not _bundle_id_ok(raw["bundle_id"]):
        raise _refused("damaged")
    record: dict[str, Any] = {
        "record_format": RECORD_FORMAT,
        "bundle_id": raw["bundle_id"],
        "exported_at": _value(raw["exported_at"], "datetime"),
        "app_version": _value(raw["app_version"], "str"),
        "demo": _value(raw["demo"], "bool"),  # from a demo desk: fictional, never imported into real records
        "sender": _row(raw["sender"], PARTY_FIELDS),
        "recipient": _row(raw["recipient"], PARTY_FIELDS),
        "child": _row(raw["child"], CHILD_FIELDS),
        # Where the sending desk's audit trail stood when it signed the file, in store/checkpoint.py's words:
        # the sender's signature vouches for it, so the receiving school holds proof of it ("" in format 1).
        "audit_head": _value(raw["audit_head"], "str"),
    }
    for section, fields in SCHEMA.items():
        rows = raw[section]
        if not isinstance(rows, list) or len(rows) > MAX_ROWS:
            raise _refused("damaged")
        record[section] = [_row(row, fields) for row in rows]
    _check_ids(record)
    _check_attachments(record["attachments"])
    return record


def _from_format_1(raw: dict[str, Any]) -> dict[str, Any]:
    """A format-1 record as format 2: the fields added since stand for what they meant then."""
    upgraded = dict(raw)
    if "risk_changes" in upgraded:
        raise _refused("damaged")
    upgraded["risk_changes"] = []
    if "audit_head" in upgraded:
        raise _refused("damaged")
    upgraded["audit_head"] = ""
    for section, added in ADDED_IN_2.items():
        rows = upgraded.get(section)
        if not isinstance(rows, list):
            raise _refused("damaged")
        fixed = []
        for row in rows:
            if not isinstance(row, dict) or set(added) & set(row):
                raise _refused("damaged")
            fixed.append({**row, **added})
        upgraded[section] = fixed
    return upgraded


def _row(raw: Any, fields: Mapping[str, str]) -> dict[str, Any]:
    if not isinstance(raw, dict) or set(raw) != set(fields):
        raise _refused("damaged")
    return {name: _value(raw[name], kind) for name, kind in fields.items()}


def _value(value: Any, kind: str) -> Any:
    if kind.endswith("?"):
        return None if value is None else _value(value, kind[:-1])
    if kind in ("str", "text"):
        if isinstance(value, str) and len(value) <= (MAX_STR if kind == "str" else MAX_TEXT):
            return value
    elif kind == "int":
        if type(value) is int and 0 <= value < 1 << 53:
            return value
    elif kind == "bool":
        if type(value) is bool:
            return value
    elif kind == "date":
        return _date(value)
    elif kind == "datetime":
        return _datetime(value)
    raise _refused("damaged")


def _date(value: Any) -> date:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _refused("damaged")


def _datetime(value: Any) -> datetime:
    if isinstance(value, str) and len(value) <= 40:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None and parsed.utcoffset() is not None:
            try:
                return parsed.astimezone(UTC)
            except (OverflowError, ValueError):
                pass
    raise _refused("damaged")


def _check_ids(record: dict[str, Any]) -> None:
    known: dict[str, set[int]] = {}
    for section in SCHEMA:
        ids = [row["id"] for row in record[section]]
        if len(set(ids)) != len(ids):
            raise _refused("damaged")
        for row in record[section]:
            for name, target in REFERENCES.get(section, {}).items():
                pointed = row[name]
                # An entry may only correct an earlier entry: a correction never comes before what it corrects.
                earlier = target != section or (pointed is not None and pointed < row["id"])
                if pointed is not None and (pointed not in known.get(target, set(ids)) or not earlier):
                    raise _refused("damaged")
        known[section] = set(ids)


def _check_attachments(rows: Sequence[dict[str, Any]]) -> None:
    total = 0
    for row in rows:
        sha = row["sha256"]
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise _refused("damaged")
        total += row["size"]
        if row["size"] > MAX_ATTACHMENT_BYTES or total > MAX_BUNDLE_BYTES:
            raise _refused("damaged")


def record_to_json(value: Any) -> Any:
    """JSON-ready values for a record the writer is given: dates and times as ISO text (times in UTC)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("record times must be timezone-aware")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value
