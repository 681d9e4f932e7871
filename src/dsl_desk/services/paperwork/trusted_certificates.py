"""Which signing certificates this desk knows: its own users', and others confirmed by telephone.

Self-signed certificates can bear any name, so a signature only says who signed when the certificate is one
this desk knows. The list lives in store/known_certificates.py (a file beside the database, so that
`dsl-desk verify` needs no passphrase); trusting or forgetting a certificate is audited here.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.i18n import _
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.store.errors import StoreError
from dsl_desk.store.known_certificates import (
    KnownCertificate,
    KnownCertificates,
    add_known_certificate,
    load_known_certificates,
    normalise_fingerprint,
    remove_known_certificate,
)
from dsl_desk.store.models import AuditEvent
from dsl_desk.store.paths import DataPaths

if TYPE_CHECKING:
    from dsl_desk.documents.signing import SigningIdentity


@dataclass(frozen=True)
class CertificateInFile:
    fingerprint: str
    signer: str


def known_certificates(paths: DataPaths) -> KnownCertificates:
    return load_known_certificates(paths.known_certificates)


def remember_own_certificate(
    paths: DataPaths, identity: SigningIdentity, username: str, now: datetime
) -> None:
    """A user's own certificate is known to their desk. Best effort: a read-only folder never stops signing
    (verify then says the signer is unknown, which is honest)."""
    entry = KnownCertificate(
        fingerprint=identity.fingerprint,
        subject=identity.description,
        kind="desk",
        added_at=now,
        note=username,
    )
    with contextlib.suppress(StoreError):
        add_known_certificate(paths.known_certificates, entry)


def known_signer(session: Session, paths: DataPaths, fingerprint: str) -> str:
    """How this desk knows a certificate ("" when it does not), for decisions made while unlocked.

    The list beside the database is writable by anyone who can write the data folder, so an entry counts
    only when the (encrypted, hash-chained) audit trail agrees: the certificate was made for one of this
    desk's users, or trusted and not forgotten since.
    """
    described = known_certificates(paths).lookup().get(fingerprint, "")
    if not described:
        return ""
    events = session.scalars(
        select(AuditEvent.action)
        .where(
            AuditEvent.action.in_(
                ("signing_identity_created", "certificate_trusted", "certificate_untrusted")
            ),
            AuditEvent.detail.like(f'%"fingerprint": "{fingerprint}"%'),
        )
        .order_by(AuditEvent.id)
    ).all()
    if "signing_identity_created" in events or (events and events[-1] == "certificate_trusted"):
        return described
    return ""


def certificates_in_pdf(path: Path) -> list[CertificateInFile]:
    from dsl_desk.documents.signing import MAX_PDF_BYTES, signers_in_pdf

    data = _read(path, MAX_PDF_BYTES)
    return [CertificateInFile(fingerprint, signer) for fingerprint, signer in signers_in_pdf(data)]


def trust_certificate(
    ctx: AppContext, found: list[CertificateInFile], confirmed_fingerprint: str, *, source: str
) -> KnownCertificate:
    """Trust the certificate in `found` whose fingerprint the DSL confirmed by telephone (audited)."""
    wanted = normalise_fingerprint(confirmed_fingerprint)
    if not wanted:
        raise ValidationError(
            _(
                "A fingerprint is 64 letters and digits (0-9, A-F), usually written in pairs with colons. "
                "Type the one the signer read out to you on the telephone."
            ),
            field="fingerprint",
        )
    if not found:
        raise ValidationError(
            _("This file has no signature whose certificate could be read: nothing to trust.")
        )
    match = next((c for c in found if c.fingerprint == wanted), None)
    if match is None:
        shown = "\n".join(f"  {c.fingerprint}  {c.signer}" for c in found)
        raise ValidationError(
            _(
                "The fingerprint you typed is not that of any certificate that signed this file, so nothing was "
                "trusted. The file was signed with:\n{shown}\nIf the signer read out a different one, this file "
                "did not come from them."
            ).format(shown=shown),
            field="fingerprint",
        )
    now = ctx.clock.now()
    entry = KnownCertificate(
        fingerprint=match.fingerprint,
        subject=match.signer,
        kind="trusted",
        added_at=now,
        note=_("confirmed by telephone; recorded by {display_name}").format(
            display_name=ctx.actor.display_name
        ),
    )
    already = known_certificates(ctx.store.paths).find(match.fingerprint)
    if already is not None and already.kind == "desk":
        return already  # one of this desk's own users: known already, nothing to trust
    with ctx.store.session() as session:
        record_trust(session, ctx, entry, source=source)
    add_known_certificate(ctx.store.paths.known_certificates, entry)
    return known_certificates(ctx.store.paths).find(match.fingerprint) or entry


def record_trust(session: Session, ctx: AppContext, entry: KnownCertificate, *, source: str) -> None:
    """The audit row for trusting a certificate, in the caller's transaction."""
    audit.record(
        session,
        at=entry.added_at,
        user_id=ctx.actor.user_id,
        action="certificate_trusted",
        entity="certificate",
        detail={"fingerprint": entry.fingerprint, "subject": entry.subject, "source": source},
    )


def forget_certificate(ctx: AppContext, fingerprint: str) -> KnownCertificate:
    wanted = normalise_fingerprint(fingerprint)
    with ctx.store.session() as session:
        removed = remove_known_certificate(ctx.store.paths.known_certificates, wanted) if wanted else None
        if removed is None:
            raise ValidationError(
                _(
                    "No trusted certificate has that fingerprint (a user's own certificate cannot be forgotten). "
                    "See `dsl-desk trust list`."
                ),
                field="fingerprint",
            )
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="certificate_untrusted",
            entity="certificate",
            detail={"fingerprint": removed.fingerprint, "subject": removed.subject},
        )
    return removed


def _read(path: Path, limit: int) -> bytes:
    try:
        if path.stat().st_size > limit:
            raise ValidationError(
                _("{name} is too large to be a signed DSL Desk form.").format(name=path.name)
            )
        return path.read_bytes()
    except OSError as error:
        raise ValidationError(
            _("{path} could not be opened ({value}).").format(path=path, value=error.strerror or error)
        ) from error
