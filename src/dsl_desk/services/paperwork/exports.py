"""Forms leaving the database: PDF export, printing, email drafts, and checking a signed PDF.

Children's data leaves the encrypted database only through these functions, and every one of them writes a
DocumentRecord (what, when, to whom, how) and an audit row in the same transaction, and ticks off the checklist
items the document completes (services/document_checklist.py). A preview is the one
exception: it is drawn on the DSL's own screen and never written anywhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy.orm import Session

from dsl_desk.core.clock import london
from dsl_desk.core.i18n import _
from dsl_desk.documents.forms import FieldKind, FormDefinition, values_from_sources
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.escalations.checklist import complete_items_for_document
from dsl_desk.services.paperwork.form_values import (
    check_form_applies,
    escalation_sources,
    form_definition,
    typed_values,
)
from dsl_desk.store.atomic import write_atomically
from dsl_desk.store.errors import NotFound, StoreError
from dsl_desk.store.models import DocumentRecord, Escalation, User

if TYPE_CHECKING:
    from dsl_desk.documents.render import RenderMeta, SignatureBlock


# ReportLab and pyHanko are imported inside the functions that use them: the GUI imports this module to
# build its pages, and start-up stays light (tests/test_lazy_imports.py).

Action = Literal["export", "print", "email"]
ACTIONS: tuple[str, ...] = ("export", "print", "email")


@dataclass(frozen=True)
class PreparedForm:
    """Everything needed to draw one form. `render()` touches no database, so it may run on any thread."""

    form: FormDefinition
    values: dict[str, str]
    meta: RenderMeta
    signature: SignatureBlock | None
    wet_signature: bool
    file_name: str

    def render(self) -> bytes:
        from dsl_desk.documents.render import render_form

        return render_form(
            self.form, self.values, self.meta, signature=self.signature, wet_signature=self.wet_signature
        )


@dataclass(frozen=True)
class ExportResult:
    pdf_bytes: bytes
    file_name: str
    form_id: str
    form_title: str
    reference: str
    action: str
    recipient: str
    signed: bool
    sha256: str
    record_id: int
    completed: tuple[str, ...] = ()  # the done notes of the checklist items this ticked off


@dataclass(frozen=True)
class PrintJob:
    """A form drawn for the printer and not yet recorded: `record_printed` records it once it has printed."""

    escalation_id: int
    prepared: PreparedForm
    pdf_bytes: bytes
    signed: bool
    wet_signature: bool


@dataclass(frozen=True)
class Recipient:
    """Where the partnership's copy goes, from the policy pack."""

    name: str
    email: str
    postal_address: str

    @property
    def label(self) -> str:
        return self.email or self.name


def prepare_form(
    ctx: AppContext,
    escalation_id: int,
    form_id: str,
    *,
    typed: Mapping[str, str] | None = None,
    signed_look: bool = False,
    wet_signature: bool = False,
    pending: Mapping[str, str] | None = None,
) -> PreparedForm:
    """The form filled from the record, the user's typed values over it (their saved draft if `typed` is None).

    `signed_look` prints the DSL's drawn signature, name and date in the signature boxes; `wet_signature`
    leaves those boxes empty for ink (e.g. the chair of governors). `pending` overrides sources for what is
    happening now (the copy being emailed to the partnership is dated today).
    """
    from dsl_desk.documents.render import RenderMeta, SignatureBlock, safe_file_name

    form = form_definition(form_id)
    now = ctx.clock.now()
    with ctx.store.session() as session:
        escalation = _escalation(session, escalation_id)
        pack = ctx.pack(escalation.policy_id)
        check_form_applies(form, pack.id)
        org = organisation(session)
        meta = RenderMeta(
            partnership_name=pack.name,
            policy_pack_label=f"{pack.name} escalation policy (pack {pack.id}, version {escalation.policy_version})",
            reference=escalation.reference,
            organisation=org.name,
            exported_at=now,
            author=f"{ctx.actor.display_name}, {ctx.actor.role}",
            demo=org.is_demo,
        )
        initials = _initials(escalation)
        reference = escalation.reference
        drawn = bounds.fetch(session, User, ctx.actor.user_id)
        signature_png = drawn.signature_png if drawn else None
    sources = {**escalation_sources(ctx, escalation_id, form_id=form_id), **(pending or {})}
    if typed is None:
        typed = typed_values(ctx, escalation_id, form_id)
    values = _field_values(form, sources, typed, signed_look=signed_look, wet_signature=wet_signature)
    signature = None
    if signed_look and not wet_signature:
        today = london(now).date()
        signature = SignatureBlock(ctx.actor.display_name, ctx.actor.role, today, signature_png)
    return PreparedForm(
        form, values, meta, signature, wet_signature, safe_file_name(reference, initials, form.id)
    )


def suggested_file_name(ctx: AppContext, escalation_id: int, form_id: str) -> str:
    """Reference, child's initials and form: identifies the case without personal data."""
    from dsl_desk.documents.render import safe_file_name

    form = form_definition(form_id)
    with ctx.store.session() as session:
        escalation = _escalation(session, escalation_id)
        return safe_file_name(escalation.reference, _initials(escalation), form.id)


def _field_values(
    form: FormDefinition,
    sources: Mapping[str, str],
    typed: Mapping[str, str],
    *,
    signed_look: bool,
    wet_signature: bool,
) -> dict[str, str]:
    if wet_signature:
        # The ink signatory (often the chair of governors) fills in their own name, role and date.
        sources = {k: v for k, v in sources.items() if not k.startswith("signer.")}
    values = values_from_sources(form, sources)
    if not signed_look:
        # An unsigned copy must not print the DSL's name in the "Signed" box as if they had signed it.
        for f in form.fields:
            if f.kind is FieldKind.SIGNATURE:
                values.pop(f.key, None)
    known = {f.key for f in form.fields}
    values.update({k: v for k, v in typed.items() if k in known})
    return values


def _initials(escalation: Escalation) -> str:
    child = escalation.child
    return "".join(part[:1] for part in (child.given_names.strip(), child.family_name.strip()) if part)


def _escalation(session: Session, escalation_id: int) -> Escalation:
    escalation = bounds.fetch(session, Escalation, escalation_id)
    if escalation is None:
        raise NotFound(
            _("There is no escalation number {escalation_id}.").format(
                escalation_id=bounds.shown(escalation_id)
            )
        )
    return escalation


def export_form(
    ctx: AppContext,
    escalation_id: int,
    form_id: str,
    *,
    typed: Mapping[str, str] | None = None,
    sign: bool = True,
    wet_signature: bool = False,
    action: Action = "export",
    recipient: str = "",
    destination: Path | None = None,
) -> ExportResult:
    """Render the form, sign it with the DSL's own identity when asked, record and audit it, and return it.

    With `destination`, the PDF is also written there (atomically) before the record is committed, so a
    failed write leaves no record of a file that does not exist.
    """
    if action not in ACTIONS:
        raise ValidationError(_("Unknown document action “{action}”.").format(action=action))
    bounds.check_text(form_id, "the form", limit=bounds.NAME_MAX, field="form")
    bounds.check_text(recipient, "the recipient", limit=bounds.LINE_MAX, field="recipient")
    if destination is not None:
        bounds.check_path(destination, _("the file to write"))
    prepared = prepare_form(
        ctx,
        escalation_id,
        form_id,
        typed=typed,
        signed_look=sign and not wet_signature,
        wet_signature=wet_signature,
    )
    pdf = prepared.render()
    signed = sign and not wet_signature
    if signed:
        pdf = _sign(ctx, pdf, prepared)
    file_name = destination.name if destination is not None else prepared.file_name
    with ctx.store.session() as session:
        if destination is not None:
            _write(destination, pdf)
        record, completed = _record(
            session,
            ctx,
            escalation_id,
            prepared,
            pdf,
            action=action,
            recipient=recipient,
            file_name=file_name,
            signed=signed,
            extra={"wet_signature": wet_signature},
        )
        return _result(prepared, pdf, record, completed)


def prepare_print(
    ctx: AppContext,
    escalation_id: int,
    form_id: str,
    *,
    typed: Mapping[str, str] | None = None,
    sign: bool = True,
    wet_signature: bool = False,
) -> PrintJob:
    """The PDF to send to the printer. Nothing is recorded yet: call `record_printed` when it has printed,
    so a printer that fails to start leaves no record of a copy that was never made."""
    signed = sign and not wet_signature
    prepared = prepare_form(
        ctx, escalation_id, form_id, typed=typed, signed_look=signed, wet_signature=wet_signature
    )
    pdf = prepared.render()
    if signed:
        pdf = _sign(ctx, pdf, prepared)
    return PrintJob(escalation_id, prepared, pdf, signed, wet_signature)


def record_printed(ctx: AppContext, job: PrintJob, *, pages: int) -> ExportResult:
    """Record and audit a printed form (and tick off the checklist items it completes), in one transaction."""
    with ctx.store.session() as session:
        _escalation(session, job.escalation_id)
        record, completed = _record(
            session,
            ctx,
            job.escalation_id,
            job.prepared,
            job.pdf_bytes,
            action="print",
            recipient="",
            file_name="",
            signed=job.signed,
            extra={"wet_signature": job.wet_signature, "pages": pages},
        )
        return _result(job.prepared, job.pdf_bytes, record, completed)


def warm_up(ctx: AppContext) -> None:
    """What the first document of a session would otherwise wait for (issue 17): ReportLab and the shipped
    fonts, pyHanko, and the signed-in user's signing key, opened (never made: see open_stored_identity). A
    throwaway page is drawn and signed in memory so their first-use work is done too; nothing is stored,
    recorded or audited. Called off the GUI thread a little after unlock."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from dsl_desk.documents import render  # noqa: F401 - imported for what it loads
    from dsl_desk.documents.fonts import REGULAR, register_fonts
    from dsl_desk.documents.signing import sign_pdf
    from dsl_desk.services.paperwork.signing_identity import open_stored_identity

    register_fonts()
    buffer = io.BytesIO()
    page = Canvas(buffer, pagesize=A4)
    page.setFont(REGULAR, 11)
    page.drawString(72, 770, "DSL Desk")
    page.showPage()
    page.save()
    identity = open_stored_identity(ctx)
    if identity is not None:
        sign_pdf(
            buffer.getvalue(),
            identity,
            reason="warming up",
            location="",
            signer_name=ctx.actor.display_name,
            timestamp=ctx.clock.now(),
        )


def _sign(ctx: AppContext, pdf: bytes, prepared: PreparedForm) -> bytes:
    from dsl_desk.documents.signing import sign_pdf
    from dsl_desk.services.audit.verify import trail_head_words
    from dsl_desk.services.paperwork.signing_identity import ensure_signing_identity

    identity = ensure_signing_identity(ctx)
    return sign_pdf(
        pdf,
        identity,
        # The trail's head as it was when signed: `dsl-desk audit verify --against` compares it with the trail.
        reason=f"{prepared.form.title}, reference {prepared.meta.reference}. {trail_head_words(ctx)}",
        location=prepared.meta.organisation,
        signer_name=ctx.actor.display_name,
        timestamp=ctx.clock.now(),
    )


def _write(path: Path, data: bytes) -> None:
    if not path.parent.is_dir():
        raise StoreError(
            _("The folder {parent} does not exist. Choose another place to save.").format(parent=path.parent),
            path=path,
        )
    write_atomically(path, data)


def _record(
    session: Session,
    ctx: AppContext,
    escalation_id: int,
    prepared: PreparedForm,
    pdf: bytes,
    *,
    action: str,
    recipient: str,
    file_name: str,
    signed: bool,
    extra: Mapping[str, object],
) -> tuple[DocumentRecord, tuple[str, ...]]:
    """The DocumentRecord and its audit row, and the checklist items it completes ticked off (their notes)."""
    now = ctx.clock.now()
    digest = hashlib.sha256(pdf).hexdigest()
    record = DocumentRecord(
        escalation_id=escalation_id,
        form_id=prepared.form.id,
        action=action,
        recipient=recipient.strip(),
        file_name=file_name,
        signed=signed,
        sha256=digest,
        at=now,
        by_id=ctx.actor.user_id,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=ctx.actor.user_id,
        action=f"document_{action}",
        entity="document",
        entity_id=record.id,
        detail={
            "escalation_id": escalation_id,
            "reference": prepared.meta.reference,
            "form": prepared.form.id,
            "recipient": recipient.strip(),
            "file_name": file_name,
            "signed": signed,
            "sha256": digest,
            **extra,
        },
    )
    ticked = complete_items_for_document(session, ctx, record, form_title=prepared.form.title, extra=extra)
    return record, tuple(t.note for t in ticked)


def _result(
    prepared: PreparedForm, pdf: bytes, record: DocumentRecord, completed: tuple[str, ...]
) -> ExportResult:
    return ExportResult(
        pdf_bytes=pdf,
        file_name=record.file_name,
        form_id=prepared.form.id,
        form_title=prepared.form.title,
        reference=prepared.meta.reference,
        action=record.action,
        recipient=record.recipient,
        signed=record.signed,
        sha256=record.sha256,
        record_id=record.id,
        completed=completed,
    )


def free_path(directory: Path, name: str) -> Path:
    """A path in `directory` that does not overwrite an earlier draft (…-2.eml, …-3.eml)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(
            _("Could not create the folder {directory}: {value}. Choose another folder.").format(
                directory=directory, value=error.strerror or error
            ),
            path=directory,
        ) from error
    candidate = directory / name
    stem, suffix = candidate.stem, candidate.suffix
    number = 2
    while candidate.exists():
        candidate = directory / f"{stem}-{number}{suffix}"
        number += 1
    return candidate
