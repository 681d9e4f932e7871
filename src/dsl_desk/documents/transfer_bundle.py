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
field against `SCHEMA` (transfer_record.py), every reference inside the record resolved. Every failure is a
`BundleRefused` with a plain message; nothing else escapes (tests/documents/test_transfer_bundle.py fuzzes it
with hypothesis). No Qt and no SQL here: services/records/transfer_export.py and transfer_import.py map the
record to the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import struct
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
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
from dsl_desk.documents.transfer_record import (
    MAX_BUNDLE_BYTES,
    MAX_STR,
    RECORD_FORMAT,
    bundle_id_ok,
    refused,
    validate_record,
)

if TYPE_CHECKING:  # signing.py loads pyHanko; start-up imports this module and must stay light
    from dsl_desk.documents.signing import SigningIdentity

MAGIC = b"DSL-DESK-TRANSFER\n"
FORMAT = 1  # the file layout (header, cipher, framing)
FILE_SUFFIX = ".dsltransfer"
MAX_HEADER_BYTES = 4096
MAX_RECORD_BYTES = 256 << 20
_SALT, _NONCE, _CHECK, _KEY = 16, 12, 16, 32


@dataclass(frozen=True)
class TransferKdf:
    """Argon2id cost; the defaults take a fraction of a second on a school laptop. Tests pass cheaper ones."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 2


# Bounds the reader accepts from a header: a forged header must not make us spend 10 GB or an hour.
_KDF_BOUNDS = {"time_cost": (1, 10), "memory_kib": (8, 1 << 20), "parallelism": (1, 8)}


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
                "attachment {row} does not match its size and SHA-256 in the record".format(row=row["id"])
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
        raise refused("too_large")
    if not data:
        raise refused("empty")
    if not data.startswith(MAGIC):
        raise refused("truncated" if MAGIC.startswith(data) else "foreign")
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + MAX_HEADER_BYTES)
    if end < 0:
        raise refused("truncated" if len(data) < len(MAGIC) + MAX_HEADER_BYTES else "damaged")
    raw = _json(data[len(MAGIC) : end])
    if not isinstance(raw, dict):
        raise refused("damaged")
    version = raw.get("format")
    if type(version) is int and version > FORMAT:
        raise refused("newer")
    return _header(raw), end + 1


def open_bundle(data: bytes, password: str) -> TransferBundle:
    header, start = read_header(data)
    ciphertext = data[start:]
    if len(ciphertext) < header.length:
        raise refused("truncated")
    if len(ciphertext) > header.length:
        raise refused("damaged")
    key, check = _derive(password, header.salt, header.kdf)
    if not hmac.compare_digest(check, header.check):
        raise refused("wrong_password")
    try:
        plaintext = AESGCM(key).decrypt(header.nonce, ciphertext, data[:start])
    except InvalidTag:
        raise refused("damaged") from None
    record, attachments, signer = _open_payload(plaintext)
    if record["bundle_id"] != header.bundle_id:
        raise refused("altered")
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
        or not bundle_id_ok(raw["bundle_id"])
        or type(raw["length"]) is not int
        or not 16 <= raw["length"] <= MAX_BUNDLE_BYTES
    ):
        raise refused("damaged")
    for name, (low, high) in _KDF_BOUNDS.items():
        if type(kdf[name]) is not int or not low <= kdf[name] <= high:
            raise refused("damaged")
    if kdf["memory_kib"] < 8 * kdf["parallelism"]:
        raise refused("damaged")
    return BundleHeader(
        format=raw["format"],
        bundle_id=raw["bundle_id"],
        salt=_unb64(kdf["salt"], _SALT),
        kdf=TransferKdf(kdf["time_cost"], kdf["memory_kib"], kdf["parallelism"]),
        nonce=_unb64(raw["nonce"], _NONCE),
        check=_unb64(raw["check"], _CHECK),
        length=raw["length"],
    )


def _unb64(value: object, length: int) -> bytes:
    if not isinstance(value, str):
        raise refused("damaged")
    try:
        decoded = base64.b64decode(value.encode("ascii"), validate=True)
    except ValueError:  # binascii.Error and UnicodeEncodeError are both ValueErrors
        raise refused("damaged") from None
    if len(decoded) != length:
        raise refused("damaged")
    return decoded


def _json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise refused("damaged") from None


def _no_constant(_name: str) -> Any:
    raise ValueError("NaN and Infinity are not JSON")


class _Frames:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, size: int) -> bytes:
        if size < 0 or self.at + size > len(self.data):
            raise refused("damaged")
        part = self.data[self.at : self.at + size]
        self.at += size
        return part

    def framed(self, limit: int) -> bytes:
        (size,) = struct.unpack(">I", self.take(4))
        if size > limit:
            raise refused("damaged")
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
            raise refused("damaged")
        public_key.verify(signature, record_bytes, PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        raise refused("altered") from None
    raw = _json(record_bytes)
    version = raw.get("record_format") if isinstance(raw, dict) else None
    if type(version) is int and version > RECORD_FORMAT:
        raise refused("newer")
    record = validate_record(raw)
    attachments: dict[int, bytes] = {}
    for row in record["attachments"]:
        content = frames.take(row["size"])
        if hashlib.sha256(content).hexdigest() != row["sha256"]:
            raise refused("altered")
        attachments[row["id"]] = content
    if frames.at != len(plaintext):
        raise refused("damaged")
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
        raise refused("damaged") from None
    return info, certificate


def _name_part(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    values = certificate.subject.get_attributes_for_oid(oid)
    return str(values[0].value)[:MAX_STR] if values else ""


def _fingerprint(der: bytes) -> str:
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
