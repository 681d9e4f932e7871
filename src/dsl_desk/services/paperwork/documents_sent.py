"""The forms this desk has exported, printed or emailed, and checking a signed PDF that comes back: whose signature, whether it was changed, whether this desk signed it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from dsl_desk.core.dates_in_words import numeric_date_time
from dsl_desk.core.i18n import _
from dsl_desk.services import bounds
from dsl_desk.services.context import AppContext
from dsl_desk.store.models import DocumentRecord, User

if TYPE_CHECKING:
    from dsl_desk.documents.signing import VerificationReport


@dataclass(frozen=True)
class DocumentRow:
    """One recorded export, print or email draft, for the escalation's history."""

    id: int
    form_id: str
    action: str
    recipient: str
    file_name: str
    signed: bool
    at_text: str
    by: str


@dataclass(frozen=True)
class DocumentCheck:
    """`status`: intact_known | intact_unknown | changed | unsigned | unreadable (documents/signing.py's
    `verify_pdf`); `report.message` says it in plain English."""

    status: str
    report: VerificationReport


def list_documents(ctx: AppContext, escalation_id: int) -> list[DocumentRow]:
    """What has been exported, printed or drafted as email for this escalation, newest first."""
    with ctx.store.session() as session:
        rows = session.execute(
            select(DocumentRecord, User.display_name)
            .join(User, DocumentRecord.by_id == User.id)
            .where(DocumentRecord.escalation_id == escalation_id)
            .order_by(DocumentRecord.at.desc(), DocumentRecord.id.desc())
        )
        return [
            DocumentRow(
                r.id,
                r.form_id,
                r.action,
                r.recipient,
                r.file_name,
                r.signed,
                numeric_date_time(r.at),
                name,
            )
            for r, name in rows
        ]


def verify_document(path: Path, known: Mapping[str, str] | None = None) -> DocumentCheck:
    """Who signed a PDF, when, whether it has changed since, and whether this desk knows the signer.

    Reads no database, so anyone may check: `known` (fingerprint -> how this desk knows the certificate)
    comes from services/trusted_certificates.py's list, which needs no passphrase either.
    """
    from dsl_desk.documents.signing import MAX_PDF_BYTES, verify_pdf
    from dsl_desk.store.files import FileRefused, check_source, read_source

    path = bounds.check_path(path, _("the file to check"))
    name = Path(path).name
    try:
        # An ordinary file only, size-checked before reading: /dev/zero or a named pipe returns at once.
        size = check_source(Path(path), kind="PDF file", limit=1 << 62)
        if size > MAX_PDF_BYTES:
            message = _("{name} is larger than any DSL Desk form can be ({value} MB): not checked.").format(
                name=name, value=MAX_PDF_BYTES >> 20
            )
            return DocumentCheck("unreadable", _unreadable(message))
        data = read_source(Path(path), kind="PDF file", limit=MAX_PDF_BYTES)
    except FileRefused as error:
        return DocumentCheck("unreadable", _unreadable(str(error)))
    if not data.strip():
        return DocumentCheck(
            "unreadable", _unreadable(_("{name} is empty: it is not a PDF file.").format(name=name))
        )
    if data.lstrip()[:5] != b"%PDF-":
        return DocumentCheck("unreadable", _unreadable(_("{name} is not a PDF file.").format(name=name)))
    report = verify_pdf(data, known)
    return DocumentCheck(report.status, report)


def _unreadable(message: str) -> VerificationReport:
    from dsl_desk.documents.signing import VerificationReport

    return VerificationReport(
        signed=False, signer="", signed_at=None, intact=False, covers_whole_file=False, message=message
    )
