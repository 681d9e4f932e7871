"""Sending a child's safeguarding file to their new school: one encrypted, signed bundle plus a PDF summary.

The bundle holds the whole record (details, escalations with stages, checklist and resolution, every log
entry and correction, shares, actions, attachments and the forms sent), so another DSL Desk imports it as a
new child (services/transfer_import.py). The PDF summary, encrypted with the same password, is for a school
with another system. Both files are written, and the CaseTransfer row and audit row added, in one unit of
work: if the commit fails, the files are removed, so no unaudited copy of a child's record is left on disk.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dsl_desk import __version__
from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.core.i18n import _
from dsl_desk.documents.transfer_bundle import FILE_SUFFIX, TransferKdf, write_bundle
from dsl_desk.documents.transfer_record import (
    CHILD_FIELDS,
    RECORD_FORMAT,
    SCHEMA,
    record_to_json,
    validate_record,
)
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.log.reading import get_chronology
from dsl_desk.services.log.views import Chronology
from dsl_desk.services.paperwork.email_drafts import new_document_password
from dsl_desk.services.paperwork.exports import free_path
from dsl_desk.services.paperwork.signing_identity import ensure_signing_identity
from dsl_desk.services.records.transfer_import import IMPORTED_USER_PREFIX
from dsl_desk.services.records.transfer_summary import summary_contents, summary_meta
from dsl_desk.services.records.transfer_terms import (
    Destination,
    ExportedTransfer,
    check_destination,
    default_keep_copy_until,
)
from dsl_desk.store.atomic import write_atomically
from dsl_desk.store.checkpoint import chain_head, head_words
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import (
    ActionItem,
    Agency,
    Attachment,
    CaseTransfer,
    ChecklistItem,
    Child,
    DiscussionEntry,
    DocumentRecord,
    EntryShare,
    Escalation,
    ImmediateRiskChange,
    Professional,
    Resolution,
    StageRecord,
    User,
)


def export_bundle(
    ctx: AppContext,
    child_id: int,
    destination: Destination,
    out_dir: Path,
    *,
    keep_copy_until: date | None = None,
    kdf: TransferKdf | None = None,
) -> ExportedTransfer:
    now = ctx.clock.now()
    today = london(now).date()
    destination = check_destination(destination)
    with ctx.store.session() as session:  # before the signing identity is made: a refusal changes nothing
        if bounds.fetch(session, Child, child_id) is None:
            raise NotFound(
                _("There is no child record number {child_id}.").format(child_id=bounds.shown(child_id))
            )
    keep = keep_copy_until or default_keep_copy_until(today)
    if keep < today:
        raise ValidationError(
            _("Keep our copy until {keep} is in the past. Choose a date from today on.").format(
                keep=day_month_year(keep)
            ),
            field="keep_copy_until",
        )
    identity = ensure_signing_identity(ctx)
    # Read before this unit of work opens: get_chronology commits an audit row of its own, and a unit of work
    # that started reading before that commit could not then write.
    chronology = get_chronology(ctx, child_id)
    password = new_document_password()
    bundle_id = str(uuid.uuid4())
    written: list[Path] = []
    try:
        with ctx.store.session() as session:
            child = bounds.fetch(session, Child, child_id)
            if child is None:
                raise NotFound(
                    _("There is no child record number {child_id}.").format(child_id=bounds.shown(child_id))
                )
            org = organisation(session)
            record, contents = _record(session, ctx, child, destination, bundle_id, org.name, now)
            bundle = write_bundle(record, contents, identity, password, kdf=kdf)
            summary = _summary_pdf(ctx, record, chronology, identity.fingerprint, org.is_demo, password)
            initials = _initials(child)
            bundle_path = free_path(out_dir, f"transfer_{initials}_{today.isoformat()}{FILE_SUFFIX}")
            write_atomically(bundle_path, bundle)
            written.append(bundle_path)
            summary_path = free_path(out_dir, f"transfer-summary_{initials}_{today.isoformat()}.pdf")
            write_atomically(summary_path, summary)
            written.append(summary_path)
            transfer = _transfer_row(
                ctx, destination, child_id, bundle_id, bundle, identity.fingerprint, keep
            )
            session.add(transfer)
            session.flush()
            audit.record(
                session,
                at=now,
                user_id=ctx.actor.user_id,
                action="transfer_exported",
                entity="case_transfer",
                entity_id=transfer.id,
                detail={
                    "child_id": child_id,
                    "bundle_id": bundle_id,
                    "bundle_sha256": transfer.bundle_sha256,
                    "fingerprint": identity.fingerprint,
                    "counts": {section: len(record[section]) for section in SCHEMA},
                    "keep_copy_until": keep.isoformat(),
                },
            )
            transfer_id = transfer.id
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return ExportedTransfer(
        transfer_id, bundle_path, summary_path, password, bundle_id, identity.fingerprint, keep
    )


def _initials(child: Child) -> str:
    from dsl_desk.documents.render import _initials as initials_of

    return initials_of(child.full_name) or "child"


def _transfer_row(
    ctx: AppContext,
    destination: Destination,
    child_id: int,
    bundle_id: str,
    bundle: bytes,
    fingerprint: str,
    keep: date,
) -> CaseTransfer:
    return CaseTransfer(
        direction="out",
        child_id=child_id,
        bundle_id=bundle_id,
        bundle_sha256=hashlib.sha256(bundle).hexdigest(),
        signer_fingerprint=fingerprint,
        other_school=destination.school,
        other_dsl=destination.dsl,
        other_contact=destination.contact,
        method=destination.method,
        status="prepared",
        created_at=ctx.clock.now(),
        created_by_id=ctx.actor.user_id,
        keep_copy_until=keep,
    )


# --- the record ------------------------------------------------------------------------------------------------


def _record(
    session: Session,
    ctx: AppContext,
    child: Child,
    destination: Destination,
    bundle_id: str,
    organisation_name: str,
    now: datetime,
) -> tuple[dict[str, Any], dict[int, bytes]]:
    """The child's record in SCHEMA's shape (JSON-ready), and the attachments' bytes by id."""
    escalations = select(Escalation.id).where(Escalation.child_id == child.id)
    entries = select(DiscussionEntry.id).where(DiscussionEntry.child_id == child.id)
    queries: dict[str, tuple[Any, Any]] = {
        "escalations": (Escalation, Escalation.child_id == child.id),
        "stages": (StageRecord, StageRecord.escalation_id.in_(escalations)),
        "risk_changes": (ImmediateRiskChange, ImmediateRiskChange.escalation_id.in_(escalations)),
        "checklist": (ChecklistItem, ChecklistItem.escalation_id.in_(escalations)),
        "resolutions": (Resolution, Resolution.escalation_id.in_(escalations)),
        "entries": (DiscussionEntry, DiscussionEntry.child_id == child.id),
        "shares": (EntryShare, EntryShare.entry_id.in_(entries)),
        "actions": (ActionItem, ActionItem.entry_id.in_(entries)),
        "attachments": (
            Attachment,
            or_(Attachment.entry_id.in_(entries), Attachment.escalation_id.in_(escalations)),
        ),
        "documents": (DocumentRecord, DocumentRecord.escalation_id.in_(escalations)),
    }
    record: dict[str, Any] = {}
    contents: dict[int, bytes] = {}
    for section, (model, belongs) in queries.items():
        rows = list(session.scalars(select(model).where(belongs).order_by(model.id)))
        record[section] = [_row(row, SCHEMA[section]) for row in rows]
        if section == "attachments":
            contents = {row.id: row.content for row in rows}
    record["professionals"] = _referenced(
        session, Professional, record["escalations"], "other_professional_id"
    )
    agency_ids = {e["other_agency_id"] for e in record["escalations"]}
    agency_ids |= {p["agency_id"] for p in record["professionals"] if p["agency_id"] is not None}
    record["agencies"] = _rows_with_ids(session, Agency, agency_ids, "agencies")
    record["users"] = _users(session, _user_ids(record, child.created_by_id), organisation_name)
    actor = bounds.fetch(session, User, ctx.actor.user_id)
    record.update(
        record_format=RECORD_FORMAT,
        bundle_id=bundle_id,
        exported_at=record_to_json(now),
        app_version=__version__,
        demo=organisation(session).is_demo,
        audit_head=head_words(chain_head(session.connection())),
        sender={
            "organisation": organisation_name,
            "name": actor.display_name if actor else ctx.actor.display_name,
            "role": actor.role if actor else ctx.actor.role,
            "contact": "",
        },
        recipient={
            "organisation": destination.school,
            "name": destination.dsl,
            "role": "",
            "contact": destination.contact,
        },
        child={name: record_to_json(getattr(child, name)) for name in CHILD_FIELDS},
    )
    return record, contents


def _row(row: object, fields: dict[str, str]) -> dict[str, Any]:
    return {name: record_to_json(getattr(row, name)) for name in fields}


def _referenced(session: Session, model: type, rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    ids = {row[key] for row in rows if row[key] is not None}
    return _rows_with_ids(session, model, ids, "professionals")


def _rows_with_ids(session: Session, model: Any, ids: set[int], section: str) -> list[dict[str, Any]]:
    if not ids:
        return []
    found = session.scalars(select(model).where(model.id.in_(sorted(ids))).order_by(model.id))
    return [_row(row, SCHEMA[section]) for row in found]


def _users(session: Session, ids: set[int], organisation_name: str) -> list[dict[str, Any]]:
    """Who wrote the record. Someone imported from another school already carries their school in their name."""
    users = session.scalars(select(User).where(User.id.in_(sorted(ids))).order_by(User.id))
    return [
        {
            "id": user.id,
            "display_name": user.display_name,
            "role": user.role,
            "organisation": "" if user.username.startswith(IMPORTED_USER_PREFIX) else organisation_name,
        }
        for user in users
    ]


def _user_ids(record: dict[str, Any], child_creator: int) -> set[int]:
    from dsl_desk.documents.transfer_record import REFERENCES

    ids = {child_creator}
    for section, references in REFERENCES.items():
        for name, target in references.items():
            if target == "users":
                ids |= {row[name] for row in record.get(section, []) if row[name] is not None}
    return ids


def _summary_pdf(
    ctx: AppContext,
    record: dict[str, Any],
    chronology: Chronology,
    fingerprint: str,
    demo: bool,
    password: str,
) -> bytes:
    from dsl_desk.documents.signing import encrypt_pdf
    from dsl_desk.documents.transfer_summary import render_transfer_summary

    typed = validate_record(record)  # the record as the receiver will read it, and a check of it
    meta = summary_meta(typed, fingerprint, demo)
    pdf = render_transfer_summary(meta, summary_contents(ctx.packs, typed, chronology))
    # The summary carries the whole chronology, so it travels encrypted too, with the same password.
    return encrypt_pdf(pdf.content, password)
