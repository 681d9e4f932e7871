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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

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
from pyhanko.sign.general import SigningError, get_pyca_cryptography_hash
from pyhanko.sign.signers.pdf_signer import PdfSigner, PdfSigningSession
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from dsl_desk.core.clock import london

SIGNATURE_FIELD = "DSLDeskSignature"
_KEY_BITS = 3072  # RSA rather than EC: every PDF reader in schools and councils checks RSA signatures
_DAYS_PER_YEAR = 365


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


@dataclass(frozen=True)
class VerificationReport:
    signed: bool
    signer: str
    signed_at: datetime | None
    intact: bool
    covers_whole_file: bool
    message: str
    fingerprint: str = ""


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
    """Add a PAdES B-B signature as an incremental update; the original bytes stay as they were."""
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
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    output = _ClockedPdfSigner(meta, signer=signer, signing_time=timestamp).sign_pdf(writer)
    return output.getvalue()


def verify_pdf(pdf: bytes) -> VerificationReport:
    """Check the last signature of a PDF and describe the result in plain English."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError) as error:
        return _unreadable(f"This file could not be read as a PDF ({error}).", signed=False)
    if not signatures:
        return VerificationReport(
            signed=False,
            signer="",
            signed_at=None,
            intact=False,
            covers_whole_file=False,
            message="This document is not signed.",
        )
    embedded = signatures[-1]
    try:
        return _report(embedded)
    except (PdfError, SignatureValidationError, SigningError, ValueError, KeyError) as error:
        return _unreadable(
            f"This document carries a signature that could not be checked ({error}). "
            "Treat it as changed and ask the sender for a fresh copy.",
            signed=True,
        )


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
        return session


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


def _report(embedded: EmbeddedPdfSignature) -> VerificationReport:
    certificate = embedded.signer_cert
    # The signer's own certificate is the only trust root: this checks the maths and the file's
    # integrity, and says nothing about who issued the certificate (nobody did: it is self-signed).
    context = ValidationContext(trust_roots=[certificate], allow_fetching=False)
    status = validate_pdf_signature(embedded, context)
    intact = bool(status.intact and status.valid)
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    signer = _signer_description(certificate)
    signed_at = status.signer_reported_dt
    fingerprint = _fingerprint(certificate.dump())
    return VerificationReport(
        signed=True,
        signer=signer,
        signed_at=signed_at,
        intact=intact,
        covers_whole_file=whole,
        message=_message(signer, signed_at, intact=intact, whole=whole, fingerprint=fingerprint),
        fingerprint=fingerprint,
    )


def _message(signer: str, signed_at: datetime | None, *, intact: bool, whole: bool, fingerprint: str) -> str:
    when = f" on {_when(signed_at)}" if signed_at else ""
    opening = f"Signed by {signer}{when}."
    if not intact:
        state = "The document has been CHANGED since it was signed: do not rely on it."
    elif not whole:
        state = (
            "The signed part has not been changed, but content was ADDED to the file after it was "
            "signed: check what was added, or ask the sender for a fresh copy."
        )
    else:
        state = "The document has not been changed since it was signed."
    trust = (
        "The signing certificate was made by DSL Desk for the signer, not issued by a certificate "
        f"authority; its fingerprint is {fingerprint[:23]}…"
    )
    return f"{opening} {state} {trust}"


def _when(instant: datetime) -> str:
    local = london(instant)
    return f"{local.day} {local:%b %Y %H:%M}"


def _signer_description(certificate: asn1_x509.Certificate) -> str:
    subject = certificate.subject.native
    name = subject.get("common_name", "an unnamed signer")
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
    )


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
