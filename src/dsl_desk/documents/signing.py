"""PAdES signatures on exported forms with pyHanko, and checking them.

Each DSL gets a self-signed certificate made on this computer. No certificate authority vouches for it,
so verification never claims "trusted": it says who the certificate names, when they signed, and
whether the file has changed since. That is what a partnership needs to know when it receives a form.

The signature is invisible (it lives in the reader's signature panel): the form already prints a
signature box with the signer's name and drawn signature, and a visible stamp would need a fixed place
on a last page whose length depends on the answers, where it could cover them.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, Literal

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers.pdf_signer import PdfSigner, PdfSigningSession
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import medium_date, with_time
from dsl_desk.core.i18n import _

SIGNATURE_FIELD = "DSLDeskSignature"
_KEY_BITS = 3072  # RSA rather than EC: every PDF reader in schools and councils checks RSA signatures
_DAYS_PER_YEAR = 365
MAX_PDF_BYTES = 64 << 20  # a form is a few hundred kB; anything this large is not one of ours

# pyHanko logs a damaged file's difference analysis as an error with a traceback. Without a handler Python
# prints those on stderr; the reader gets the plain verdict instead.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


@dataclass(frozen=True)
class SigningIdentity:
    """A signer's private key and self-signed certificate, both PEM.

    Persist it with `to_pkcs12(passphrase)`: a PKCS#12 blob encrypted with AES-256, kept in the
    (itself encrypted) database, and read back with `from_pkcs12`.
    """

    key_pem: bytes = field(repr=False)
    cert_pem: bytes

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    @cached_property
    def private_key(self) -> rsa.RSAPrivateKey:
        """Loaded once per identity. Skipping RSA validation is safe for a key DSL Desk generated itself and
        kept in the encrypted database; validating a 3072-bit key cost ~0.15 s on every load."""
        key = serialization.load_pem_private_key(
            self.key_pem, password=None, unsafe_skip_rsa_key_validation=True
        )
        assert isinstance(key, rsa.RSAPrivateKey)
        return key

    @property
    def common_name(self) -> str:
        return _name_part(self.certificate.subject, NameOID.COMMON_NAME)

    @property
    def organisation(self) -> str:
        return _name_part(self.certificate.subject, NameOID.ORGANIZATION_NAME)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the certificate, for comparing with the copy the partnership was sent."""
        return _fingerprint(self.certificate.public_bytes(serialization.Encoding.DER))

    @property
    def description(self) -> str:
        """The certificate's subject as `verify_pdf` shows it: "Jane Smith (DSL, Penkford School)"."""
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        return _signer_description(asn1_x509.Certificate.load(der))

    @property
    def valid_until(self) -> datetime:
        return self.certificate.not_valid_after_utc

    def to_pkcs12(self, passphrase: bytes) -> bytes:
        if not passphrase:
            raise ValueError("a passphrase is needed to protect the signing key")
        key = serialization.load_pem_private_key(self.key_pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError("only RSA signing keys are supported")
        encryption = serialization.BestAvailableEncryption(passphrase)
        return pkcs12.serialize_key_and_certificates(
            self.common_name.encode(), key, self.certificate, None, encryption
        )

    @classmethod
    def from_pkcs12(cls, data: bytes, passphrase: bytes) -> SigningIdentity:
        key, cert, _extra = pkcs12.load_key_and_certificates(data, passphrase)
        if key is None or cert is None:
            raise ValueError("the PKCS#12 data holds no key and certificate")
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return cls(key_pem=key_pem, cert_pem=cert.public_bytes(serialization.Encoding.PEM))


Status = Literal["intact_known", "intact_unknown", "changed", "unsigned", "unreadable"]


@dataclass(frozen=True)
class SignatureCheck:
    """One signature in a PDF: whose certificate, whether its bytes hold, and what changed after it."""

    number: int  # 1 for the first signature in the file
    signer: str  # the certificate's subject: name (role, organisation)
    fingerprint: str  # SHA-256 of the certificate, "AB:CD:…"
    signed_at: datetime | None
    intact: bool  # the bytes it covers are as signed, and the signature matches the certificate
    certified: bool  # a certification (DocMDP) signature
    later_changes: str  # "" when nothing after it goes beyond what it permits, else what did
    known_as: str = ""  # how this desk knows the certificate, or "" when it does not

    @property
    def ok(self) -> bool:
        return self.intact and not self.later_changes


@dataclass(frozen=True)
class VerificationReport:
    signed: bool
    signer: str
    signed_at: datetime | None
    intact: bool
    covers_whole_file: bool
    message: str
    fingerprint: str = ""
    status: Status = "unreadable"
    signatures: tuple[SignatureCheck, ...] = ()


def create_identity(
    common_name: str,
    organisation: str,
    *,
    valid_from: datetime,
    years: int = 5,
    role: str = "",
) -> SigningIdentity:
    """A new RSA key and a self-signed certificate naming the signer (and their role, if given)."""
    if valid_from.tzinfo is None:
        raise ValueError("valid_from must be timezone-aware")
    if not common_name.strip():
        raise ValueError("a signer name is needed")
    key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_BITS)
    subject = _subject(common_name, organisation, role)
    start = valid_from.astimezone(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=_DAYS_PER_YEAR * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_signing_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return SigningIdentity(key_pem=key_pem, cert_pem=certificate.public_bytes(serialization.Encoding.PEM))


def sign_pdf(
    pdf: bytes,
    identity: SigningIdentity,
    *,
    reason: str,
    location: str,
    signer_name: str,
    timestamp: datetime,
) -> bytes:
    """Add a PAdES B-B signature as an incremental update; the original bytes stay as they were.

    The signature CERTIFIES the document (DocMDP, no changes permitted): a reader then treats anything added
    later — text, annotations, even another signature — as a change, and so does `verify_pdf`.
    """
    if timestamp.tzinfo is None:
        raise ValueError("timestamp must be timezone-aware")
    signer = _signer(identity)
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=reason,
        location=location,
        name=signer_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=MDPPerm.NO_CHANGES,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    output = _ClockedPdfSigner(meta, signer=signer, signing_time=timestamp).sign_pdf(writer)
    return output.getvalue()


def verify_pdf(pdf: bytes, known: Mapping[str, str] | None = None) -> VerificationReport:
    """Check EVERY signature of a PDF, and every change made after each, and say it in plain English.

    `known` maps the fingerprints of certificates this desk knows (its users', and those confirmed by
    telephone) to how it knows them. A signature is "intact" when its bytes are as signed and nothing added
    after it goes beyond what it permits (a certified form permits nothing; any other signature permits
    form filling and further signatures, as PDF readers do); the document is "changed" when any signature
    is not intact, or something was added after the last one.

    Never raises: a file pyHanko cannot read or check, however it is damaged, is reported "unreadable".
    """
    known = known or {}
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as error:
        # A damaged file makes pyHanko fail in many ways (KeyError, AttributeError, …): all mean unreadable.
        return _unreadable(
            _("This file could not be read as a PDF ({short}).").format(short=_short(error)), signed=False
        )
    if not embedded and b"/ByteRange" in pdf:
        return _unreadable(
            _(
                "This file seems to have carried a signature, but it is damaged and the signature can no longer "
                "be found. Treat it as changed and ask the sender for a fresh copy."
            ),
            signed=True,
        )
    if not embedded:
        return VerificationReport(
            signed=False,
            signer="",
            signed_at=None,
            intact=False,
            covers_whole_file=False,
            message=_("This document is not signed."),
            status="unsigned",
        )
    try:
        checks = tuple(_check(number, sig, known) for number, sig in enumerate(embedded, start=1))
        whole = embedded[-1].coverage == SignatureCoverageLevel.ENTIRE_FILE
    except Exception as error:
        # Damage inside a signature (its dictionary, CMS data, byte range) is just as varied.
        return _unreadable(
            _(
                "This document carries a signature that could not be checked ({short}). "
                "Treat it as changed and ask the sender for a fresh copy."
            ).format(short=_short(error)),
            signed=True,
        )
    return _report(checks, whole=whole)


def signature_reason(pdf: bytes) -> str:
    """The /Reason of the last signature ("" when there is none or the file cannot be read)."""
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        return str(signatures[-1].sig_object.get("/Reason", "")) if signatures else ""
    except (PdfError, ValueError, KeyError, TypeError):
        return ""


def encrypt_pdf(pdf: bytes, password: str) -> bytes:
    """An AES-256 encrypted copy for e-mail: it opens only with `password`.

    Encryption rewrites the file, so a signature in `pdf` does not survive: encrypt the signed copy's
    source rendering, or send the signed copy through a channel that is already encrypted. Encryption
    keeps the content confidential; it is not tamper evidence (that is what the signature is for).
    """
    if not password:
        raise ValueError("a password is needed to encrypt the document")
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(pdf), strict=False))
    # pdf_mac is a 2024 PDF 2.0 extension that older readers in schools may refuse; AES-256 alone opens
    # everywhere.
    writer.encrypt(password, password, pdf_mac=False)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- helpers -------------------------------------------------------------------------------------------


class _ClockedPdfSigner(PdfSigner):
    """pyHanko reads the wall clock for the signing time; DSL Desk's time comes from its one clock."""

    def __init__(
        self, meta: signers.PdfSignatureMetadata, *, signer: signers.Signer, signing_time: datetime
    ) -> None:
        super().__init__(meta, signer=signer)
        self._signing_time = signing_time

    def init_signing_session(
        self, pdf_out: IncrementalPdfFileWriter, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        _reuse_size_estimate(session, self.signer)
        return session


# pyHanko sizes the space for the signature by making a whole dummy signature first (an RSA signature and
# the CMS around it): half the cost of signing a Notice. The size depends only on the certificate and on
# settings that are the same for every Notice (no timestamp server), so it is worked out once per certificate.
_RESERVED: dict[bytes, int] = {}


def _reuse_size_estimate(session: PdfSigningSession, signer: signers.Signer) -> None:
    certificate = signer.signing_cert
    if certificate is None:
        return
    key = certificate.dump()
    estimate = session.estimate_signature_container_size

    async def once_per_certificate(validation_info: Any, tight: bool = False) -> int:
        if tight:
            return await estimate(validation_info, tight=tight)
        if key not in _RESERVED:
            _RESERVED[key] = await estimate(validation_info, tight=False)
        return _RESERVED[key]

    session.estimate_signature_container_size = once_per_certificate  # type: ignore[method-assign]


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner re-reads (and re-validates) the private key for every signature it makes;
    this one signs with the key already loaded."""

    def __init__(self, key: rsa.RSAPrivateKey, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if mechanism.signature_algo != "rsassa_pkcs1v15":
            return super().sign_raw(data, digest_algorithm)
        return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


def _signer(identity: SigningIdentity) -> signers.SimpleSigner:
    certificate = asn1_x509.Certificate.load(identity.certificate.public_bytes(serialization.Encoding.DER))
    key = identity.private_key
    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return _LoadedKeySigner(
        key,
        signing_cert=certificate,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([certificate]),
    )


def _check(number: int, embedded: EmbeddedPdfSignature, known: Mapping[str, str]) -> SignatureCheck:
    certificate = embedded.signer_cert
    # The signer's own certificate is the only trust root: this checks the maths and the file's integrity,
    # and says nothing about who issued the certificate (nobody did: it is self-signed). Who it is comes
    # from `known`, i.e. from this desk's own records.
    context = ValidationContext(trust_roots=[certificate], allow_fetching=False)
    status = validate_pdf_signature(embedded, context)
    fingerprint = _fingerprint(certificate.dump())
    docmdp = embedded.docmdp_level
    return SignatureCheck(
        number=number,
        signer=_signer_description(certificate),
        fingerprint=fingerprint,
        signed_at=status.signer_reported_dt,
        intact=bool(status.intact and status.valid),
        certified=docmdp is not None,
        later_changes=_later_changes(status.modification_level, docmdp, docmdp_ok=status.docmdp_ok),
        known_as=known.get(fingerprint, ""),
    )


def _later_changes(level: ModificationLevel | None, docmdp: MDPPerm | None, *, docmdp_ok: bool | None) -> str:
    """What was changed after a signature beyond what it permits, in words; "" when nothing was."""
    permitted = docmdp or MDPPerm.FILL_FORMS  # an approval signature permits form filling and signing
    if level is None or level == ModificationLevel.OTHER:
        return _("the file was changed after this signature (content, pages or structure)")
    if level.value <= permitted.value and docmdp_ok is not False:
        return ""
    if permitted == MDPPerm.NO_CHANGES:
        return _(
            "this signature certified the document with no changes permitted, and something (such as "
            "another signature or form field) was added since"
        )
    if level == ModificationLevel.ANNOTATIONS:
        return _("annotations or comments were added after this signature")
    return _("the file was changed after this signature in a way it does not permit")


def _report(checks: tuple[SignatureCheck, ...], *, whole: bool) -> VerificationReport:
    last = checks[-1]
    if not all(check.ok for check in checks):
        status: Status = "changed"
        verdict = _("CHANGED: the document has been CHANGED since it was signed. Do not rely on it.")
    elif not whole:
        status = "changed"
        verdict = _(
            "CHANGED: the signed part has not been changed, but content was ADDED to the file after the last "
            "signature. Do not rely on it: ask the sender for a fresh copy."
        )
    elif all(check.known_as for check in checks):
        status = "intact_known"
        verdict = _(
            "INTACT, KNOWN SIGNER: the document has not been changed since it was signed, and the signing "
            "certificate is one this desk knows."
        )
    else:
        status = "intact_unknown"
        verdict = _(
            "INTACT, UNKNOWN SIGNER: the document has not been changed since it was signed, but by a "
            "certificate this desk does not know. Anyone can make a certificate bearing any name: telephone "
            "the signer and compare the fingerprint below with theirs before relying on it."
        )
    lines = [verdict, ""]
    lines += [line for check in checks for line in _describe(check, len(checks))]
    return VerificationReport(
        signed=True,
        signer=last.signer,
        signed_at=last.signed_at,
        intact=all(check.ok for check in checks),
        covers_whole_file=whole,
        message="\n".join(lines).rstrip(),
        fingerprint=last.fingerprint,
        status=status,
        signatures=checks,
    )


def _describe(check: SignatureCheck, count: int) -> list[str]:
    label = f"Signature {check.number} of {count}" if count > 1 else "Signature"
    when = f" on {_when(check.signed_at)}" if check.signed_at else ""
    kind = _(", certifying the document (no changes permitted after it)") if check.certified else ""
    lines = [f"{label}: signed by {check.signer}{when}{kind}."]
    if not check.intact:
        lines.append(
            _("  The bytes it covers have been CHANGED, or the signature does not match its certificate.")
        )
    if check.later_changes:
        lines.append(f"  CHANGED after it: {check.later_changes}.")
    lines.append(f"  Certificate SHA-256 fingerprint: {check.fingerprint}")
    if check.known_as:
        lines.append(_("  Signer: known to this desk ({known_as}).").format(known_as=check.known_as))
    else:
        lines.append(
            _(
                "  Signer: UNKNOWN to this desk. The certificate was not issued by a certificate authority; "
                "nobody vouches for the name in it."
            )
        )
    return [*lines, ""]


def _when(instant: datetime) -> str:
    local = london(instant)
    return with_time(local, medium_date)


def _signer_description(certificate: asn1_x509.Certificate) -> str:
    subject = certificate.subject.native
    name = subject.get("common_name", _("an unnamed signer"))
    extras = [part for part in (subject.get("title", ""), subject.get("organization_name", "")) if part]
    return f"{name} ({', '.join(extras)})" if extras else name


def _unreadable(message: str, *, signed: bool) -> VerificationReport:
    return VerificationReport(
        signed=signed,
        signer="",
        signed_at=None,
        intact=False,
        covers_whole_file=False,
        message=message,
        status="unreadable",
    )


def _short(error: BaseException) -> str:
    """The error's own words, first line only and bounded: a damaged file's details can be very long."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text if len(text) <= 160 else f"{text[:157]}…"


def _subject(common_name: str, organisation: str, role: str) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COMMON_NAME, common_name.strip())]
    if role.strip():
        parts.append(x509.NameAttribute(NameOID.TITLE, role.strip()))
    if organisation.strip():
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation.strip()))
    return x509.Name(parts)


def _signing_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _name_part(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _fingerprint(der: bytes) -> str:
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def signers_in_pdf(pdf: bytes) -> list[tuple[str, str]]:
    """(fingerprint, signer) of each signature's certificate, in file order; [] when none can be read."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        return [
            (_fingerprint(sig.signer_cert.dump()), _signer_description(sig.signer_cert))
            for sig in reader.embedded_signatures
        ]
    except Exception:
        # As in verify_pdf: however the file is damaged, it simply has no readable signer.
        return []
