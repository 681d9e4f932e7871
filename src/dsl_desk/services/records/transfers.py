"""Case transfers: a child's safeguarding file sent to their new school, or received from their old one.

The sending side tracks each transfer: prepared (the files are made), sent (when and how), a receipt due by
the fifth school day after sending (working calendar: bank holidays and closure days do not count), chased
when no receipt comes, acknowledged by whom and when, and how long our own copy is kept.

Keeping Children Safe in Education (Annex C, "The designated safeguarding lead") asks the DSL to transfer the
child protection file to the new school "as soon as possible, and within 5 days for an in-year transfer",
securely, separately from the main pupil file, and to obtain confirmation of receipt; local guidance (e.g.
North Northamptonshire's "How to transfer school safeguarding files") adds: record what was sent, when, who
acknowledged it, and follow up if no receipt is confirmed within five days.

How long the sending school keeps its own copy (`KEEP_COPY_YEARS`): no statutory guidance settles it. The
IRMS Information Management Toolkit for Schools has the child protection file *move with the child* (the
school the child leaves last keeps it to the 25th birthday), and safeguarding advisers describe practice
ranging from keeping nothing to keeping copies to the 25th birthday (safeguardinginschools.co.uk, "FAQs about
child protection records"). The South West Education Group's Child Protection Record Transfer Protocol
recommends keeping a copy "for a year due to any changes in education provision or loss of records". DSL Desk
defaults to that one year — long enough to resend a file that goes astray or a place that falls through, short
enough not to keep a second full file indefinitely — and the DSL can choose another date when exporting.

Export and import live in transfer_export.py and transfer_import.py, imported only when used: they load
the signing and PDF libraries, which start-up must not pay for (tests/test_lazy_imports.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import describe_date, due_on_words, relative_day, with_time
from dsl_desk.core.i18n import _
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import calendar_in, organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.records.due_item import RecordDue
from dsl_desk.services.records.transfer_terms import (
    MAX_FIELD,
    Destination,
    ExportedTransfer,
)
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import CaseTransfer, Child

if TYPE_CHECKING:
    from dsl_desk.documents.transfer_bundle import TransferKdf
    from dsl_desk.services.records.transfer_import import BundlePreview, ImportedTransfer

RECEIPT_SCHOOL_DAYS = 5
STATUS_WORDS = {
    "prepared": "Prepared, not sent yet",
    "sent": "Sent, awaiting receipt",
    "acknowledged": "Receipt confirmed",
    "cancelled": "Cancelled",
    "imported": "Received and imported",
}


@dataclass(frozen=True)
class TransferRow:
    id: int
    direction: str  # out | in
    child_id: int | None
    child: str  # "" once the child's record has been deleted at the end of retention
    other_school: str
    other_dsl: str
    other_contact: str
    method: str
    status: str
    status_words: str
    created_at: datetime
    sent_at: datetime | None
    receipt_due_on: date | None
    receipt_words: str  # "due Mon 12 Jan", "due today", "overdue: was due Mon 12 Jan", or ""
    overdue: bool
    acknowledged_at: datetime | None
    acknowledged_by: str
    last_chased_at: datetime | None
    keep_copy_until: date | None
    bundle_id: str
    signer_fingerprint: str


# --- export and import (heavy: imported when used) ------------------------------------------------------------


def export_bundle(
    ctx: AppContext,
    child_id: int,
    destination: Destination,
    out_dir: Path,
    *,
    keep_copy_until: date | None = None,
    kdf: TransferKdf | None = None,
) -> ExportedTransfer:
    from dsl_desk.services.records import transfer_export

    if keep_copy_until is not None:
        bounds.check_date(keep_copy_until, _("the date to keep our copy until"), field="keep_copy_until")
    bounds.check_path(out_dir, _("the folder to write to"))
    return transfer_export.export_bundle(
        ctx, child_id, destination, out_dir, keep_copy_until=keep_copy_until, kdf=kdf
    )


def preview_bundle(ctx: AppContext, path: Path, password: str) -> BundlePreview:
    from dsl_desk.services.records import transfer_import

    bounds.check_path(path, _("the transfer file"))
    bounds.check_text(password, _("the transfer password"), limit=bounds.NAME_MAX, field="password")
    return transfer_import.preview_bundle(ctx, path, password)


def import_bundle(
    ctx: AppContext, path: Path, password: str, *, confirmed_fingerprint: str = ""
) -> ImportedTransfer:
    """Refused unless the signing certificate is known here or its fingerprint was confirmed by phone."""
    from dsl_desk.services.records import transfer_import

    bounds.check_path(path, _("the transfer file"))
    bounds.check_text(password, _("the transfer password"), limit=bounds.NAME_MAX, field="password")
    return transfer_import.import_bundle(ctx, path, password, confirmed_fingerprint=confirmed_fingerprint)


# --- tracking a transfer out ------------------------------------------------------------------------------------


def mark_sent(ctx: AppContext, transfer_id: int, *, method: str = "") -> TransferRow:
    """The file has gone: the five-school-day wait for a receipt starts today."""
    bounds.check_text(method, _("how it was sent"), limit=MAX_FIELD, field="method")
    now = ctx.clock.now()
    with ctx.store.session() as session:
        transfer = _outgoing(session, transfer_id, allowed=("prepared",), doing=_("marked as sent"))
        if method.strip():
            transfer.method = method.strip()[:MAX_FIELD]
        transfer.status = "sent"
        transfer.sent_at = now
        transfer.receipt_due_on = calendar_in(session).add_working_days(
            london(now).date(), RECEIPT_SCHOOL_DAYS
        )
        _audit(
            ctx, session, "transfer_sent", transfer, {"receipt_due_on": transfer.receipt_due_on.isoformat()}
        )
        return _row(transfer, _child_names(session), london(now).date())


def record_acknowledgement(
    ctx: AppContext, transfer_id: int, by: str, *, at: datetime | None = None
) -> TransferRow:
    """The receiving school confirmed it has the file: who, and when (now unless told otherwise)."""
    bounds.check_text(by, _("who confirmed receipt"), limit=MAX_FIELD, field="by")
    if at is not None:
        bounds.check_date(at, _("the date of the receipt"), field="at")
    now = ctx.clock.now()
    when = at or now
    by = by.strip()
    if not by:
        raise ValidationError(
            _("Enter who confirmed receipt (their name, and school if it helps)."), field="by"
        )
    if len(by) > MAX_FIELD:
        raise ValidationError(
            _("That is too long (at most {MAX_FIELD} characters).").format(MAX_FIELD=MAX_FIELD), field="by"
        )
    if when.tzinfo is None:
        raise ValueError("the acknowledgement time must be timezone-aware")
    if when > now:
        raise ValidationError(_("The receipt cannot be confirmed in the future. Check the date."), field="at")
    with ctx.store.session() as session:
        transfer = _outgoing(session, transfer_id, allowed=("sent",), doing=_("given a receipt"))
        if transfer.sent_at and when < transfer.sent_at:
            raise ValidationError(
                _("The receipt cannot come before the file was sent. Check the date."), field="at"
            )
        transfer.status = "acknowledged"
        transfer.acknowledged_at = when
        transfer.acknowledged_by = by
        _audit(ctx, session, "transfer_acknowledged", transfer, {"acknowledged_at": when.isoformat()})
        return _row(transfer, _child_names(session), london(now).date())


def chase_text(ctx: AppContext, transfer_id: int) -> str:
    """A message asking for the receipt. It never names the child: it may go by ordinary email."""
    with ctx.store.session() as session:
        transfer = _get(session, transfer_id)
        org = organisation(session).name
        today = london(ctx.clock.now()).date()
        sent = describe_date(london(transfer.sent_at).date(), today) if transfer.sent_at else "recently"
        how = f" by {transfer.method}" if transfer.method else ""
        greeting = f"Dear {transfer.other_dsl}," if transfer.other_dsl else _("Dear colleague,")
        return "\n".join(
            [
                greeting,
                "",
                _(
                    "On {sent} I sent you{how} the child protection file of a pupil who has moved from {org} "
                    "to {other_school} (our transfer reference {reference})."
                ).format(
                    sent=sent,
                    how=how,
                    org=org,
                    other_school=transfer.other_school,
                    reference=reference(transfer),
                ),
                _(
                    "I have not yet had confirmation that it arrived. Please let me know that you have received "
                    "it and can open it, or telephone me if there is a problem with the file or the password."
                ),
                "",
                _("Kind regards,"),
                ctx.actor.display_name,
                f"{ctx.actor.role}, {org}",
            ]
        )


def record_chase(ctx: AppContext, transfer_id: int) -> str:
    """Note that the receiving school was chased today; returns the chase message to send."""
    text = chase_text(ctx, transfer_id)
    with ctx.store.session() as session:
        transfer = _outgoing(session, transfer_id, allowed=("sent",), doing="chased")
        transfer.last_chased_at = ctx.clock.now()
        _audit(ctx, session, "transfer_chased", transfer, {})
    return text


def cancel(ctx: AppContext, transfer_id: int, reason: str) -> TransferRow:
    """The transfer will not happen (the place fell through, the file was remade). The reason is kept."""
    bounds.check_text(reason, "the reason", field="reason")
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the transfer is cancelled."), field="reason")
    now = ctx.clock.now()
    with ctx.store.session() as session:
        transfer = _outgoing(session, transfer_id, allowed=("prepared", "sent"), doing="cancelled")
        transfer.status = "cancelled"
        stamp = with_time(now)
        transfer.notes = "\n".join(p for p in (transfer.notes, f"Cancelled {stamp}: {reason}") if p)
        _audit(ctx, session, "transfer_cancelled", transfer, {})  # the reason is free text: not in the audit
        return _row(transfer, _child_names(session), london(now).date())


def reference(transfer: CaseTransfer) -> str:
    """A short reference for letters and phone calls, without the child's name."""
    return f"TR-{transfer.id:04d}-{transfer.bundle_id[:8].upper()}"


# --- reading ------------------------------------------------------------------------------------------------------


def list_transfers(ctx: AppContext, *, child_id: int | None = None) -> list[TransferRow]:
    """Every transfer, out and in, newest first."""
    if child_id is not None:
        bounds.check_id(child_id, "child")
    today = london(ctx.clock.now()).date()
    with ctx.store.session() as session:
        query = select(CaseTransfer).order_by(CaseTransfer.created_at.desc(), CaseTransfer.id.desc())
        if child_id is not None:
            query = query.where(CaseTransfer.child_id == child_id)
        names = _child_names(session)
        return [_row(transfer, names, today) for transfer in session.scalars(query)]


def get_transfer(ctx: AppContext, transfer_id: int) -> TransferRow:
    with ctx.store.session() as session:
        return _row(_get(session, transfer_id), _child_names(session), london(ctx.clock.now()).date())


def records_due(ctx: AppContext) -> list[RecordDue]:
    """Files sent and not yet acknowledged, for the dashboard: overdue after the fifth school day."""
    today = london(ctx.clock.now()).date()
    rows = [
        row
        for row in list_transfers(ctx)
        if row.direction == "out" and row.status == "sent" and row.receipt_due_on
    ]
    return [
        RecordDue(
            kind="transfer",
            subject_id=row.id,
            child_id=row.child_id,
            child=row.child,
            what=_("No receipt yet from {other_school} for the file sent on {value}").format(
                other_school=row.other_school,
                value=describe_date(london(row.sent_at).date(), today) if row.sent_at else "?",
            ),
            due_on=row.receipt_due_on,
            due_words=relative_day(
                row.receipt_due_on, today
            ),  # the dashboard's one vocabulary, as for requests
            overdue=row.overdue,
        )
        for row in rows
    ]


def receipt_words(due: date | None, today: date) -> str:
    return due_on_words(due, today)


# --- helpers -------------------------------------------------------------------------------------------------------


def _get(session: Session, transfer_id: int) -> CaseTransfer:
    transfer = bounds.fetch(session, CaseTransfer, transfer_id)
    if transfer is None:
        raise NotFound(
            _("There is no transfer number {transfer_id}.").format(transfer_id=bounds.shown(transfer_id))
        )
    return transfer


def _outgoing(session: Session, transfer_id: int, *, allowed: tuple[str, ...], doing: str) -> CaseTransfer:
    transfer = _get(session, transfer_id)
    if transfer.direction != "out":
        raise ValidationError(
            _("This file was received from another school; only a file we sent can be ") + doing + "."
        )
    if transfer.status not in allowed:
        now_words = STATUS_WORDS.get(transfer.status, transfer.status).lower()
        hint = _(" Mark it as sent first.") if transfer.status == "prepared" else ""
        raise ValidationError(
            _("Transfer {reference} is {now_words}, so it cannot be {doing}.{hint}").format(
                reference=reference(transfer), now_words=now_words, doing=doing, hint=hint
            )
        )
    return transfer


def _audit(
    ctx: AppContext, session: Session, action: str, transfer: CaseTransfer, detail: dict[str, object]
) -> None:
    audit.record(
        session,
        at=ctx.clock.now(),
        user_id=ctx.actor.user_id,
        action=action,
        entity="case_transfer",
        entity_id=transfer.id,
        detail={"child_id": transfer.child_id, "bundle_id": transfer.bundle_id, **detail},
    )


def _child_names(session: Session) -> dict[int, str]:
    query = select(Child.id, Child.given_names, Child.family_name).where(
        Child.id.in_(select(CaseTransfer.child_id))
    )
    return {row[0]: f"{row[1]} {row[2]}".strip() for row in session.execute(query)}


def _row(transfer: CaseTransfer, names: dict[int, str], today: date) -> TransferRow:
    waiting = transfer.direction == "out" and transfer.status == "sent"
    due = transfer.receipt_due_on if waiting else None
    overdue = bool(due and today > due)
    words = STATUS_WORDS.get(transfer.status, transfer.status)
    if transfer.status == "acknowledged" and transfer.acknowledged_by:
        words = _("Receipt confirmed by {acknowledged_by}").format(acknowledged_by=transfer.acknowledged_by)
    elif overdue:
        words = _("No receipt: overdue")
    return TransferRow(
        id=transfer.id,
        direction=transfer.direction,
        child_id=transfer.child_id,
        child=names.get(transfer.child_id, "") if transfer.child_id is not None else "",
        other_school=transfer.other_school,
        other_dsl=transfer.other_dsl,
        other_contact=transfer.other_contact,
        method=transfer.method,
        status=transfer.status,
        status_words=words,
        created_at=transfer.created_at,
        sent_at=transfer.sent_at,
        receipt_due_on=transfer.receipt_due_on,
        receipt_words=receipt_words(due, today),
        overdue=overdue,
        acknowledged_at=transfer.acknowledged_at,
        acknowledged_by=transfer.acknowledged_by,
        last_chased_at=transfer.last_chased_at,
        keep_copy_until=transfer.keep_copy_until,
        bundle_id=transfer.bundle_id,
        signer_fingerprint=transfer.signer_fingerprint,
    )
