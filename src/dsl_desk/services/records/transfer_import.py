"""Receiving a child's file from their old school: a transfer bundle imported as a new child.

One unit of work: the whole record goes in, or (on any failure, or the process killed) nothing does. Nothing
here is ever overwritten: the child is always a new record, even if a child of the same name is already on
this desk (the DSL decides whether they are the same person; merging two records is not something to do
silently). A bundle already imported is refused, naming when and as which child.

Faithful to the sending school's record:
- Authors become inactive accounts named "Ann Example (Oakfield School)": they cannot sign in here, and the
  chronology says who wrote each entry, where. Recorded and occurred times are kept as they were.
- Agencies are matched by name or added; professionals by name within their agency, or added.
- Escalation references get "-T" (or "-T2", "-T3", …): an imported reference must never take a number from
  this desk's own sequence (escalations.py counts "ESC-<year>-" references to number the next one), and the
  suffix shows at a glance the case came from elsewhere; the original reference stays in front of it.
- An escalation still open at the old school becomes "transferred": it was that school's disagreement with
  another agency, about its own practice and contacts, on its partnership's policy. The new DSL sees all of
  it (stages, deadlines, checklist), but it is not one of their open cases: no deadlines on the dashboard, no
  escalate/resolve buttons. If they share the concern, they open their own escalation, which starts their own
  policy's clock.
- Corrections keep their links to the entries they amend (entries go in in their original order); the log's
  append-only triggers stay on, since the import only ever inserts.
- Attachments go in byte for byte; each one's SHA-256 was checked against the signed record on reading.

Who signed it: the sending DSL's certificate is self-signed, so it can bear any name, and anyone who has the
transfer password could decrypt the file, change it, re-sign it with a home-made certificate in the DSL's
name and encrypt it again. A file is therefore imported only when its certificate is one this desk knows
(services/trusted_certificates.py), or when the receiving DSL has confirmed its fingerprint with the sending
DSL by telephone and typed it in (`confirmed_fingerprint`); the certificate is then trusted (audited), so
the next file from the same DSL is recognised.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import at_time, clock_time
from dsl_desk.core.i18n import _
from dsl_desk.documents import transfer_bundle as tb
from dsl_desk.documents.transfer_bundle import SignerInfo, TransferBundle
from dsl_desk.documents.transfer_record import REFERENCES, SCHEMA, BundleRefused, refused
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.audit.record_hashes import hashes_detail
from dsl_desk.services.calendar import organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError
from dsl_desk.services.paperwork.trusted_certificates import CertificateInFile, known_signer, record_trust
from dsl_desk.store.files import FileRefused, check_source, read_source
from dsl_desk.store.known_certificates import KnownCertificate, add_known_certificate, normalise_fingerprint
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

IMPORTED_USER_PREFIX = "transferred-"  # the username of an author imported from another school
TRANSFERRED = "transferred"  # the status of an escalation that was open at the old school
_MODELS: dict[str, Any] = {
    "escalations": Escalation,
    "stages": StageRecord,
    "risk_changes": ImmediateRiskChange,
    "checklist": ChecklistItem,
    "resolutions": Resolution,
    "entries": DiscussionEntry,
    "shares": EntryShare,
    "actions": ActionItem,
    "attachments": Attachment,
    "documents": DocumentRecord,
}
_REFERENCE_LENGTH = 30


class TransferRefused(ServiceError):
    """A transfer file that cannot be imported; the message says why and what to do."""

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason  # the bundle's refusal key ("too_large", "damaged", …) when it came from one


class SignerNotConfirmed(TransferRefused):
    """The file's certificate is not one this desk knows, and its fingerprint was not confirmed (or did not
    match what was confirmed). `signer` holds the certificate to compare by telephone."""

    def __init__(self, message: str, signer: SignerInfo) -> None:
        super().__init__(message)
        self.signer = signer


@dataclass(frozen=True)
class BundlePreview:
    """What the DSL sees before importing: whose file, from where, signed by whom, how much."""

    bundle_id: str
    child_name: str
    date_of_birth: date
    from_school: str
    sent_by: str
    exported_at: datetime
    signer: SignerInfo
    counts: dict[str, int]
    already_imported: str  # a message when this file is already on this desk, else ""
    signer_known: str = ""  # how this desk knows the signing certificate; "" when it does not

    def fingerprint_matches(self, typed: str) -> bool:
        return normalise_fingerprint(typed) == self.signer.fingerprint


@dataclass(frozen=True)
class ImportedTransfer:
    transfer_id: int
    child_id: int
    child_name: str
    from_school: str
    signer: SignerInfo
    counts: dict[str, int]
    transferred_open: int  # escalations still open at the old school, now "transferred"
    newly_trusted: bool = False  # the certificate was trusted now, its fingerprint confirmed by telephone


def open_bundle_file(path: Path, password: str) -> TransferBundle:
    """Open a transfer file with its password. A missing, unreadable, special or oversized file is refused
    plainly, before it is read: /dev/zero or a named pipe is never read forever."""
    try:
        try:
            check_source(path, kind="transfer file", limit=1 << 62)
            if path.stat().st_size > tb.MAX_BUNDLE_BYTES:
                raise refused("too_large")
            data = read_source(path, kind="transfer file", limit=tb.MAX_BUNDLE_BYTES)
        except FileRefused as error:
            raise BundleRefused(_("unreadable"), str(error)) from error
        except OSError as error:
            raise BundleRefused(
                _("unreadable"),
                _("The file {path} could not be read ({value}). Nothing was imported.").format(
                    path=path, value=error.strerror or error
                ),
            ) from error
        return tb.open_bundle(data, password)
    except BundleRefused as error:
        raise TransferRefused(str(error), reason=error.reason) from error


def certificate_in_transfer(path: Path, password: str) -> CertificateInFile:
    """The certificate that signed a transfer file (which is opened, and checked, with its password)."""
    signer = open_bundle_file(path, password).signer
    who = ", ".join(p for p in (signer.role, signer.organisation) if p)
    return CertificateInFile(signer.fingerprint, f"{signer.name} ({who})" if who else signer.name)


def preview_bundle(ctx: AppContext, path: Path, password: str) -> BundlePreview:
    bundle = open_bundle_file(path, password)
    record = bundle.record
    with ctx.store.session() as session:
        already = _mixing_message(session, bundle.record) or _known_message(session, bundle.bundle_id, ctx)
        signer_known = known_signer(session, ctx.store.paths, bundle.signer.fingerprint)
    sender = record["sender"]
    return BundlePreview(
        bundle_id=bundle.bundle_id,
        child_name=_child_name(record),
        date_of_birth=record["child"]["date_of_birth"],
        from_school=sender["organisation"],
        sent_by=", ".join(p for p in (sender["name"], sender["role"]) if p),
        exported_at=record["exported_at"],
        signer=bundle.signer,
        counts=_counts(record),
        already_imported=already,
        signer_known=signer_known,
    )


def import_bundle(
    ctx: AppContext, path: Path, password: str, *, confirmed_fingerprint: str = ""
) -> ImportedTransfer:
    """Import the file as a new child. Refused (SignerNotConfirmed) unless its certificate is known here
    or `confirmed_fingerprint` — read out by the sending DSL on the telephone — is its fingerprint."""
    bundle = open_bundle_file(path, password)  # Argon2 and decryption happen before the database is touched
    record = bundle.record
    now = ctx.clock.now()
    with ctx.store.session() as session:
        already = _mixing_message(session, bundle.record) or _known_message(session, bundle.bundle_id, ctx)
        if already:
            raise TransferRefused(already)
        newly_trusted = _check_signer(session, ctx, bundle.signer, confirmed_fingerprint)
        school = record["sender"]["organisation"]
        ids: dict[str, dict[int, int]] = {
            "users": _users(session, record["users"], now),
            "agencies": _agencies(session, record["agencies"]),
        }
        ids["professionals"] = _professionals(session, record["professionals"], ids["agencies"])
        child = Child(**record["child"], created_at=now, created_by_id=ctx.actor.user_id)
        session.add(child)
        session.flush()
        extras: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "escalations": lambda row: _escalation_extras(session, row, child.id, record["exported_at"]),
            "entries": lambda _row: {"child_id": child.id},
            "attachments": lambda row: {"content": bundle.attachments[row["id"]]},
        }
        for section in _MODELS:
            ids[section] = _insert(session, section, record[section], ids, extras.get(section))
        transfer = _transfer_row(ctx, bundle, child.id, now)
        session.add(transfer)
        session.flush()
        counts = _counts(record)
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="transfer_imported",
            entity="child",
            entity_id=child.id,
            detail={
                "transfer_id": transfer.id,
                "bundle_id": bundle.bundle_id,
                "bundle_sha256": bundle.sha256,
                "sender_audit_head": bundle.record["audit_head"],
                "fingerprint": bundle.signer.fingerprint,
                "fingerprint_confirmed_by_phone": newly_trusted is not None,
                "counts": counts,
                **_content_hashes(session, ids),
            },
        )
        if newly_trusted is not None:
            record_trust(session, ctx, newly_trusted, source="transfer file")
        result = ImportedTransfer(
            transfer_id=transfer.id,
            child_id=child.id,
            child_name=_child_name(record),
            from_school=school,
            signer=bundle.signer,
            counts=counts,
            transferred_open=sum(1 for e in record["escalations"] if e["status"] == "open"),
            newly_trusted=newly_trusted is not None,
        )
    if newly_trusted is not None:
        # After the commit: the certificate becomes trusted only once the import it was confirmed for is in.
        add_known_certificate(ctx.store.paths.known_certificates, newly_trusted)
    return result


# --- who signed it ---------------------------------------------------------------------------------------------


def _check_signer(
    session: Session, ctx: AppContext, signer: SignerInfo, confirmed: str
) -> KnownCertificate | None:
    """None when the certificate is already known; the entry to trust when its fingerprint was confirmed."""
    if known_signer(session, ctx.store.paths, signer.fingerprint):
        return None
    who = ", ".join(p for p in (signer.role, signer.organisation) if p)
    named = f"{signer.name} ({who})" if who else signer.name
    if not confirmed.strip():
        raise SignerNotConfirmed(
            _(
                "This transfer file is signed with a certificate this desk does not know, bearing the name "
                "{named}. Anyone can make a certificate bearing any name. Telephone the sending DSL on a number "
                "you already have (not one from the file or its email), ask them to read out their certificate "
                "fingerprint, and check it is this one:\n{fingerprint}\nThen import again with the "
                "fingerprint confirmed. Nothing was imported."
            ).format(named=named, fingerprint=signer.fingerprint),
            signer,
        )
    if normalise_fingerprint(confirmed) != signer.fingerprint:
        raise SignerNotConfirmed(
            _(
                "The fingerprint you confirmed is not the one of the certificate that signed this file, so it "
                "did not come from the DSL you telephoned, or it was altered and signed again. This file's "
                "certificate: {fingerprint}. Do not import it: ask the sending DSL to send it again. "
                "Nothing was imported."
            ).format(fingerprint=signer.fingerprint),
            signer,
        )
    return KnownCertificate(
        fingerprint=signer.fingerprint,
        subject=named,
        kind="trusted",
        added_at=ctx.clock.now(),
        note=_("confirmed by telephone when importing a transfer file; recorded by {display_name}").format(
            display_name=ctx.actor.display_name
        ),
    )


def _content_hashes(session: Session, ids: dict[str, dict[int, int]]) -> dict[str, dict[str, str]]:
    """Each imported entry's and attachment's hash, as read back, for `audit verify` to check later."""
    entries = [session.get(DiscussionEntry, new_id) for new_id in ids["entries"].values()]
    files = [session.get(Attachment, new_id) for new_id in ids["attachments"].values()]
    for item in (*entries, *files):
        session.refresh(item)
    return hashes_detail([e for e in entries if e is not None], [f for f in files if f is not None])


# --- refusing a file already here ---------------------------------------------------------------------------


def _mixing_message(session: Session, record: dict[str, Any]) -> str:
    """Fictional and real records never mix: a demo desk's file goes only into a demo desk, and back."""
    here_demo = organisation(session).is_demo
    if record["demo"] and not here_demo:
        return _(
            "This transfer file comes from a DSL Desk demo: every child in it is fictional. It cannot be "
            "imported into a real school's records. Nothing was imported."
        )
    if here_demo and not record["demo"]:
        return _("This is a demo desk: a real child's file cannot be imported here. Nothing was imported.")
    return ""


def _known_message(session: Session, bundle_id: str, ctx: AppContext) -> str:
    known = session.scalars(select(CaseTransfer).where(CaseTransfer.bundle_id == bundle_id)).first()
    if known is None:
        return ""
    if known.direction == "out":
        return _(
            "This transfer file was made on this desk: the child's record is already here. "
            "It is for the receiving school to import. Nothing was imported."
        )
    child = session.get(Child, known.child_id) if known.child_id is not None else None
    when = london(known.created_at)
    today = london(ctx.clock.now()).date()
    on = at_time(when) if when.date() != today else f"today at {clock_time(when)}"
    who = (
        _("the record of {full_name} (child number {id})").format(full_name=child.full_name, id=child.id)
        if child
        else _("a record since deleted")
    )
    return _("This transfer file was already imported {on}, as {who}. Nothing was imported again.").format(
        on=on, who=who
    )


# --- people and agencies ----------------------------------------------------------------------------------------


def _users(session: Session, rows: list[dict[str, Any]], now: datetime) -> dict[int, int]:
    mapping: dict[int, int] = {}
    for row in rows:
        name = _outside_name(row["display_name"], row["organisation"])
        found = session.scalars(
            select(User).where(
                User.display_name == name,
                User.role == row["role"],
                User.is_active.is_(False),
                User.username.like(f"{IMPORTED_USER_PREFIX}%"),
            )
        ).first()
        if found is None:
            found = User(
                username=f"{IMPORTED_USER_PREFIX}{uuid.uuid4().hex[:12]}",
                display_name=name,
                role=row["role"],
                is_active=False,  # a name on the record, not an account: it has no passphrase and cannot sign in
                created_at=now,
            )
            session.add(found)
            session.flush()
        mapping[row["id"]] = found.id
    return mapping


def _outside_name(name: str, organisation: str) -> str:
    """'Ann Example (Oakfield School)'. Someone the sender had imported already carries their own school."""
    name = name.strip() or _("Unnamed colleague")
    return f"{name} ({organisation.strip()})" if organisation.strip() else name


def _agencies(session: Session, rows: list[dict[str, Any]]) -> dict[int, int]:
    mapping: dict[int, int] = {}
    for row in rows:
        found = session.scalars(
            select(Agency).where(func.lower(Agency.name) == row["name"].strip().lower())
        ).first()
        if found is None:
            found = Agency(name=row["name"].strip(), kind=row["kind"], phone=row["phone"], email=row["email"])
            session.add(found)
            session.flush()
        mapping[row["id"]] = found.id
    return mapping


def _professionals(session: Session, rows: list[dict[str, Any]], agencies: dict[int, int]) -> dict[int, int]:
    mapping: dict[int, int] = {}
    for row in rows:
        agency_id = agencies[row["agency_id"]] if row["agency_id"] is not None else None
        found = session.scalars(
            select(Professional).where(
                func.lower(Professional.name) == row["name"].strip().lower(),
                Professional.agency_id.is_(None)
                if agency_id is None
                else Professional.agency_id == agency_id,
            )
        ).first()
        if found is None:
            found = Professional(
                name=row["name"].strip(),
                role=row["role"],
                agency_id=agency_id,
                phone=row["phone"],
                email=row["email"],
            )
            session.add(found)
            session.flush()
        mapping[row["id"]] = found.id
    return mapping


# --- the record ---------------------------------------------------------------------------------------------------


def _insert(
    session: Session,
    section: str,
    rows: list[dict[str, Any]],
    ids: dict[str, dict[int, int]],
    extras: Callable[[dict[str, Any]], dict[str, Any]] | None,
) -> dict[int, int]:
    """Add one section's rows with every reference remapped; returns old id -> new id."""
    model, references = _MODELS[section], REFERENCES.get(section, {})
    mapping: dict[int, int] = {}
    ids[section] = mapping  # an entry's correction points into its own section
    pending: list[tuple[int, Any]] = []
    for row in sorted(rows, key=lambda r: r["id"]):
        if any(
            target == section and row[name] not in mapping and row[name] is not None
            for name, target in references.items()
        ):
            _flush(session, pending, mapping)
        values = {name: value for name, value in row.items() if name != "id"}
        for name, target in references.items():
            if values[name] is not None:
                values[name] = ids[target][values[name]]
        if extras is not None:
            values.update(extras(row))
        item = model(**values)
        session.add(item)
        pending.append((row["id"], item))
    _flush(session, pending, mapping)
    return mapping


def _flush(session: Session, pending: list[tuple[int, Any]], mapping: dict[int, int]) -> None:
    session.flush()
    mapping.update((old, item.id) for old, item in pending)
    pending.clear()


def _escalation_extras(
    session: Session, row: dict[str, Any], child_id: int, sent_at: datetime
) -> dict[str, Any]:
    extras: dict[str, Any] = {"child_id": child_id, "reference": _free_reference(session, row["reference"])}
    if row["status"] == "open":
        # Open at the old school when the file was sent: theirs, ended for them when the child left.
        extras |= {"status": TRANSFERRED, "closed_at": row["closed_at"] or sent_at}
    return extras


def _free_reference(session: Session, original: str) -> str:
    number = 1
    while True:
        suffix = "-T" if number == 1 else f"-T{number}"
        candidate = original[: _REFERENCE_LENGTH - len(suffix)] + suffix
        if session.scalars(select(Escalation.id).where(Escalation.reference == candidate)).first() is None:
            return candidate
        number += 1


def _transfer_row(ctx: AppContext, bundle: TransferBundle, child_id: int, now: datetime) -> CaseTransfer:
    sender = bundle.record["sender"]
    return CaseTransfer(
        direction="in",
        child_id=child_id,
        bundle_id=bundle.bundle_id,
        bundle_sha256=bundle.sha256,
        signer_fingerprint=bundle.signer.fingerprint,
        other_school=sender["organisation"][:200],
        other_dsl=", ".join(p for p in (sender["name"], sender["role"]) if p)[:200],
        other_contact=sender["contact"][:200],
        method="",
        status="imported",
        created_at=now,
        created_by_id=ctx.actor.user_id,
        sent_at=bundle.record["exported_at"],
        notes=bundle.signer.describe(),
    )


def _counts(record: dict[str, Any]) -> dict[str, int]:
    return {section: len(record[section]) for section in SCHEMA}


def _child_name(record: dict[str, Any]) -> str:
    return f"{record['child']['given_names']} {record['child']['family_name']}".strip()
