"""Checking the audit trail: its hash chain, the checkpoints kept outside the database, the log's hashes.

What each check proves (README, "How the data is protected", says the same for users):
- the chain: no row was edited in place or removed from the middle, unless every later hash was re-computed;
- the checkpoints (keyring.json and every backup's key file, store/checkpoint.py): the trail is not shorter
  than, and was not re-written since, each checkpoint — unless that checkpoint too was re-made by someone
  holding the database key;
- the content hashes (services/record_hashes.py): each discussion log entry and attachment is as it was
  written, and none was removed except by an audited retention deletion;
- the search index: it holds the words of the log as it is (one out of step is rebuilt, and reported).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from dsl_desk.core.dates_in_words import iso_date, with_time
from dsl_desk.core.i18n import _
from dsl_desk.services.audit import record_hashes
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError
from dsl_desk.store import checkpoint as cp
from dsl_desk.store import keyring as kr
from dsl_desk.store.backup_settings import available_backups
from dsl_desk.store.checkpoint_file import save_checkpoint
from dsl_desk.store.errors import StoreError
from dsl_desk.store.models import AuditEvent


@dataclass(frozen=True)
class AuditReport:
    rows: int
    problems: tuple[audit.AuditProblem, ...]
    notes: tuple[str, ...] = ()

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def message(self) -> str:
        if self.intact:
            text = _(
                "The audit trail is intact: {rows} rows, none edited or removed, none missing since its "
                "last checkpoint; every discussion log entry and attachment with a recorded hash matches it."
            ).format(rows=self.rows)
            return " ".join((text, *self.notes))
        return _(
            "The audit trail has been TAMPERED WITH: {length} problem(s) in {rows} rows. "
            "Keep this database as it is and tell your head teacher or data protection officer."
        ).format(length=len(self.problems), rows=self.rows)


def verify_audit_trail(ctx: AppContext) -> AuditReport:
    now = ctx.clock.now()
    key = ctx.store.db_key_copy()
    notes: list[str] = []
    with ctx.store.session() as session:
        rows = session.scalar(select(func.count(AuditEvent.id))) or 0
        problems = list(audit.verify_chain(session))
        outside, outside_notes = _outside_checkpoints(ctx, session.connection(), key)
        problems += outside
        notes += outside_notes
        problems += record_hashes.check_records(session)
        # FTS5's integrity check is an INSERT command, which a read-only desk cannot run: say so instead.
        index_rebuilt = not ctx.store.read_only and not record_hashes.search_index_in_step(session)
        if ctx.store.read_only:
            notes.append(_("The search index was not checked: DSL Desk is open read-only."))
        if index_rebuilt:
            record_hashes.rebuild_search_index(session)
            problems.append(
                audit.AuditProblem(
                    0,
                    _(
                        "the search index did not match the discussion log (it still held the words of an entry "
                        "as it was before it was changed or removed outside DSL Desk); it has been rebuilt"
                    ),
                )
            )
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="audit_verified",
            detail={"rows": rows, "problems": len(problems), "search_index_rebuilt": index_rebuilt},
        )
    if not problems:
        save_checkpoint(ctx.store, now)
    return AuditReport(rows, tuple(problems), tuple(notes))


def _outside_checkpoints(
    ctx: AppContext, connection: Connection, key: bytes
) -> tuple[list[audit.AuditProblem], list[str]]:
    database_id = ctx.store.keyring.database_id
    problems: list[audit.AuditProblem] = []
    notes: list[str] = []
    seen: set[tuple[int, int, str]] = set()

    def compare(raw: object, where: str) -> None:
        checkpoint = cp.parse_checkpoint(raw)
        if checkpoint is None or not cp.authentic(checkpoint, key, database_id):
            problems.append(
                audit.AuditProblem(
                    0,
                    _(
                        "the audit checkpoint {where} has been altered or made up: its seal does not match this "
                        "database's key"
                    ).format(where=where),
                )
            )
            return
        if (checkpoint.rows, checkpoint.last_id, checkpoint.head) in seen:
            return
        seen.add((checkpoint.rows, checkpoint.last_id, checkpoint.head))
        problems.extend(
            audit.AuditProblem(row, text) for row, text in cp.differences(connection, checkpoint, where)
        )

    on_disk = _keyring_checkpoint(ctx)
    if on_disk is not None:
        compare(on_disk, "in keyring.json")
    problems.extend(_checkpoint_lost(connection))
    restored_at = _last_restore(connection)
    skipped = 0
    for backup in available_backups(ctx.store.paths, database_id):
        raw = _sidecar_checkpoint(backup.keyring_path)
        if raw is None:
            continue  # made by a version that kept no checkpoint
        if restored_at is not None and backup.made_at <= restored_at:
            skipped += 1  # its trail is the one the restore replaced
            continue
        compare(raw, f"in backup {backup.path.name}")
    if skipped and restored_at is not None:
        notes.append(
            _(
                "{skipped} backup(s) made before the restore of {restored_at} hold the trail "
                "that restore replaced, so they were not compared."
            ).format(skipped=skipped, restored_at=with_time(restored_at))
        )
    return problems, notes


def _checkpoint_lost(connection: Connection) -> list[audit.AuditProblem]:
    """Sign-ins record whether keyring.json held a checkpoint; once one has, a later one without is a loss."""
    rows = connection.execute(
        select(AuditEvent.id, AuditEvent.at, AuditEvent.detail)
        .where(AuditEvent.action == "unlock")
        .order_by(AuditEvent.id)
    )
    had_one = False
    for event_id, at, detail_text in rows:
        try:
            found = json.loads(detail_text or "{}").get("checkpoint")
        except (ValueError, AttributeError):
            continue
        if found is True:
            had_one = True
        elif found is False and had_one:
            return [
                audit.AuditProblem(
                    event_id,
                    _(
                        "there was no audit checkpoint in keyring.json at the sign-in of {at}, "
                        "though there had been one before: it was removed, or the key file was replaced"
                    ).format(at=with_time(at, iso_date)),
                )
            ]
    return []


def _keyring_checkpoint(ctx: AppContext) -> object | None:
    try:
        return kr.load_keyring(ctx.store.paths.keyring).checkpoint
    except StoreError:
        return ctx.store.keyring.checkpoint


def _sidecar_checkpoint(path: object) -> object | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    except (OSError, ValueError):
        return None
    return raw.get("checkpoint") if isinstance(raw, dict) else None


def _last_restore(connection: Connection) -> datetime | None:
    return connection.execute(
        select(func.max(AuditEvent.at)).where(AuditEvent.action == "restored")
    ).scalar_one_or_none()


def trail_head_words(ctx: AppContext) -> str:
    """'Audit trail when signed: N rows, row N hash …', for the reason of a PDF being signed now."""
    with ctx.store.session() as session:
        return cp.head_words(cp.chain_head(session.connection()))


def check_signed_document(ctx: AppContext, pdf: bytes, name: str) -> list[audit.AuditProblem]:
    """Compare the trail with the head a signed PDF from this desk recorded when it was signed.

    The PDF's own signature (the DSL's signing key) vouches for the head, so this holds even when keyring.json
    and the backups were replaced. Raises ServiceError when the PDF carries no head to compare.
    """
    from dsl_desk.documents.signing import signature_reason, verify_pdf

    report = verify_pdf(pdf)
    if not report.signed or not report.intact or report.signed_at is None:
        raise ServiceError(
            _("{name} cannot be compared with the audit trail: {message}").format(
                name=name, message=report.message
            )
        )
    head = cp.parse_head_words(signature_reason(pdf))
    if head is None:
        raise ServiceError(
            _(
                "{name} does not say where the audit trail stood when it was signed (it was signed by an older "
                "version of DSL Desk, or by other software), so it cannot be compared with the trail."
            ).format(name=name)
        )
    checkpoint = cp.Checkpoint(head.rows, head.last_id, head.head, report.signed_at, "")
    with ctx.store.session() as session:
        found = cp.differences(
            session.connection(), checkpoint, _("in the signed PDF {name}").format(name=name)
        )
    return [audit.AuditProblem(row, text) for row, text in found]
