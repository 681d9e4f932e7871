"""What a forger can do with free tools: a home-made certificate bearing the DSL's name, text added to a
genuine signed notice in an incremental update, and a fresh signature over the lot.

Built with `cryptography` and pyHanko directly, as a forger would, not with DSL Desk's own signing code.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSigner
from pyhanko.stamp import TextStamp, TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from dsl_desk.documents.signing import SigningIdentity

FORGED_TEXT = "Agreed by telephone: no further action needed."


def home_made_identity(name: str = "Jane Smith", organisation: str = "Penkford School") -> SigningIdentity:
    """A self-signed certificate naming the DSL, with the same extensions DSL Desk puts in its own."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.TITLE, "DSL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=5 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return SigningIdentity(key_pem=key_pem, cert_pem=certificate.public_bytes(serialization.Encoding.PEM))


class _ForgerSigner(PdfSigner):
    """pyHanko politely refuses to sign after a no-changes certification; a forger's tool does not."""

    def _enforce_certification_constraints(self, reader: object) -> None:
        return None


def forger_sign(
    pdf: bytes,
    identity: SigningIdentity,
    field_name: str = "Signature2",
    *,
    ignore_certification: bool = True,
) -> bytes:
    certificate = asn1_x509.Certificate.load(identity.certificate.public_bytes(serialization.Encoding.DER))
    key = serialization.load_pem_private_key(identity.key_pem, password=None)
    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([certificate]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name="Jane Smith",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    tool = _ForgerSigner if ignore_certification else PdfSigner
    return tool(meta, signer=signer).sign_pdf(writer).getvalue()


def add_visible_text(pdf: bytes, text: str = FORGED_TEXT) -> bytes:
    """An incremental update that draws `text` on the first page: the signed bytes stay as they were."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    TextStamp(writer, TextStampStyle(stamp_text=text, border_width=0)).apply(0, 60, 60)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def resign_transfer(bundle: bytes, password: str, identity: SigningIdentity, change: str) -> bytes:
    """A transfer file decrypted with its password, its first log entry's summary replaced by `change`,
    re-signed with `identity` and encrypted again with the same password."""
    from dsl_desk.documents import transfer_bundle as tb

    genuine = tb.open_bundle(bundle, password)
    record = _json_ready(genuine.record)
    record["entries"][0]["summary"] = change
    fast = tb.TransferKdf(time_cost=1, memory_kib=64, parallelism=1)
    return tb.write_bundle(record, genuine.attachments, identity, password, kdf=fast)


def _json_ready(value: object) -> object:
    from dsl_desk.documents.transfer_record import record_to_json

    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, datetime | date):
        return record_to_json(value)
    return value
