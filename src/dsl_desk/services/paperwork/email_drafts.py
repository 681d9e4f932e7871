"""An email draft of a form for the recipient a stage names: the signed PDF in an encrypted attachment, its password to give by phone, the covering text, written where the DSL's mail program can open it."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import TYPE_CHECKING

from dsl_desk.core.clock import london
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import BoardContact, PolicyPack
from dsl_desk.services.context import AppContext
from dsl_desk.services.paperwork.exports import (
    PreparedForm,
    Recipient,
    _escalation,
    _record,
    _sign,
    _write,
    free_path,
    prepare_form,
)
from dsl_desk.services.paperwork.form_values import (
    EMAIL,
    SECURE_EMAIL,
)
from dsl_desk.services.people.partnership_contacts import merged_board
from dsl_desk.services.scratch import scratch_folder

if TYPE_CHECKING:
    pass

# Letters and digits that cannot be confused when read aloud over the phone (no 0/O, 1/I/L, 5/S, 2/Z).
_PASSWORD_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"  # noqa: S105 - an alphabet, not a password
_PASSWORD_GROUPS, _PASSWORD_GROUP_LENGTH = 4, 4


def recipient_for(ctx: AppContext, escalation_id: int) -> Recipient:
    """The partnership's board from the escalation's policy pack, with any correction the DSL made to its
    address (its email may be blank: not published)."""
    with ctx.store.session() as session:
        pack = ctx.pack(_escalation(session, escalation_id).policy_id)
        return _recipient(merged_board(session, pack))


def _recipient(board: BoardContact) -> Recipient:
    return Recipient(board.name, board.email, board.postal_address)


def new_document_password() -> str:
    """A password to read out over the phone: four groups of four unambiguous letters and digits."""
    groups = (
        "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(_PASSWORD_GROUP_LENGTH))
        for _ in range(_PASSWORD_GROUPS)
    )
    return "-".join(groups)


def write_email_draft(
    ctx: AppContext,
    escalation_id: int,
    form_id: str,
    directory: Path | None = None,
    *,
    typed: Mapping[str, str] | None = None,
    sign: bool = True,
    encrypt_password: str | None = None,
) -> Path:
    """Write an unsent email (.eml) to the partnership with the form attached, record it, and return its path.

    Without `directory` the draft goes in the private temporary folder (services/scratch.py), named by the
    case reference and initials, and is removed when the desk locks or the app closes: the mail program is
    expected to have it open as a draft by then (the desk says so).

    The subject and body carry the case reference, never the child's name. With `encrypt_password` the PDF
    is AES-256 encrypted and the body says the password follows by phone. Encryption rewrites the file and
    would break a digital signature, so an encrypted copy carries the printed signature block only.
    """
    with ctx.store.session() as session:
        pack = ctx.pack(_escalation(session, escalation_id).policy_id)
        recipient = _recipient(merged_board(session, pack))
    encrypted = bool(encrypt_password)
    method = SECURE_EMAIL if encrypted else EMAIL
    today = london(ctx.clock.now()).date().isoformat()
    pending = {
        "export.copy_to_lscb": recipient.label,
        "export.copy_to_lscb_date": today,
        "export.sent_to_partnership": "yes",
        "export.sent_to_partnership_on": today,
        "export.method_of_delivery": method,
    }
    prepared = prepare_form(ctx, escalation_id, form_id, typed=typed, signed_look=sign, pending=pending)
    pdf = prepared.render()
    digitally_signed = sign and not encrypted
    if digitally_signed:
        pdf = _sign(ctx, pdf, prepared)
    if encrypt_password:
        from dsl_desk.documents.signing import encrypt_pdf

        pdf = encrypt_pdf(pdf, encrypt_password)
    message = _email(ctx, prepared, pack, recipient, pdf, encrypted=encrypted)
    folder = scratch_folder(ctx.store.paths) if directory is None else Path(directory)
    path = free_path(folder, Path(prepared.file_name).with_suffix(".eml").name)
    with ctx.store.session() as session:
        _write(path, bytes(message))
        _record(  # its ticked items are on the escalation's checklist; the caller wants the draft's path
            session,
            ctx,
            escalation_id,
            prepared,
            pdf,
            action="email",
            recipient=recipient.label,
            file_name=path.name,
            signed=digitally_signed,
            extra={"encrypted": encrypted, "method_of_delivery": method, "attachment": prepared.file_name},
        )
    return path


def _email(
    ctx: AppContext,
    prepared: PreparedForm,
    pack: PolicyPack,
    recipient: Recipient,
    pdf: bytes,
    *,
    encrypted: bool,
) -> EmailMessage:
    meta = prepared.meta
    message = EmailMessage(policy=SMTP)
    if recipient.email:
        message["To"] = recipient.email
    # No child's name: subjects show in inbox lists, notifications and mail server logs.
    message["Subject"] = f"OFFICIAL-SENSITIVE: {prepared.form.title} - {meta.reference}"
    # Outlook (and Thunderbird) open a message with this header as a draft to edit and send, not as received mail.
    message["X-Unsent"] = "1"
    message.set_content(_body(ctx, prepared, pack, recipient, encrypted=encrypted))
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=prepared.file_name)
    return message


def _body(
    ctx: AppContext, prepared: PreparedForm, pack: PolicyPack, recipient: Recipient, *, encrypted: bool
) -> str:
    meta = prepared.meta
    lines = [
        f"Dear {recipient.name},",
        "",
        _(
            "Please find attached the {title} for our case reference {reference}, "
            "under the {name} escalation policy."
        ).format(title=prepared.form.title, reference=meta.reference, name=pack.name),
        "",
    ]
    if encrypted:
        lines += [
            _(
                "The attachment is encrypted. I will telephone you with the password: it is not in this email."
            ),
            "",
        ]
    if not recipient.email:
        where = (
            _(" Its postal address is {postal_address}.").format(postal_address=recipient.postal_address)
            if recipient.postal_address
            else ""
        )
        lines += [
            _(
                "(The policy does not publish an email address for {name}.{where} "
                "Add the recipient before sending, and delete this note.)"
            ).format(name=recipient.name, where=where),
            "",
        ]
    lines += [_("Kind regards,"), "", ctx.actor.display_name, f"{ctx.actor.role}, {meta.organisation}"]
    return "\n".join(lines) + "\n"
