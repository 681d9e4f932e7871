"""Deleting a child's record at the end of retention: the preview of what goes, the deletion itself in one transaction (leaving a tombstone), and tidying the database file afterwards."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from dsl_desk.core import retention as rules
from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.core.i18n import _
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError, ValidationError
from dsl_desk.services.records.retention import (
    LOG_GUARD,
    LOG_MIGRATION_FILE,
    Facts,
    Scope,
    describe_count_lines,
    describe_counts,
    load_child,
    mentions,
    names_match,
    plural,
    required_reason,
    scope_of,
    tied_rows,
    today_of,
)
from dsl_desk.store.errors import StoreError
from dsl_desk.store.migrate import MIGRATIONS_DIR
from dsl_desk.store.models import (
    CaseTransfer,
    Child,
    RetentionDeletion,
    User,
)

# Drafts are kept per wizard kind (ui.wizards.drafts, services.form_values): these are about one escalation.


# -- read models --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TombstoneRow:
    id: int
    former_child_id: int
    year_of_birth: int
    retention_until: date
    reason: str
    counts: dict[str, int]
    deleted_at: datetime
    deleted_by: str

    @property
    def what_went(self) -> str:
        return describe_counts(self.counts)


@dataclass(frozen=True)
class DeletionPreview:
    """Everything the confirmation shows before a record is deleted."""

    child_id: int
    name: str
    date_of_birth: date
    retention_until: date
    keep_until: date
    due: bool
    due_because: str
    blockers: tuple[str, ...]
    counts: dict[str, int]  # table -> rows that would be deleted
    backups_holding: int
    backup_note: str

    @property
    def can_delete(self) -> bool:
        return self.due and not self.blockers

    @property
    def lines(self) -> list[str]:
        return describe_count_lines(self.counts)


@dataclass(frozen=True)
class DeletionResult:
    tombstone_id: int
    counts: dict[str, int]
    file_overwritten: bool  # the file was rewritten and its write-ahead log emptied
    file_problem: str = ""

    @property
    def message(self) -> str:
        done = _("The record was deleted ({describe_counts}). A note of the deletion is kept.").format(
            describe_counts=describe_counts(self.counts)
        )
        if self.file_overwritten:
            return done
        return _(
            "{done} The database file could not be rewritten yet ({file_problem}), so traces may remain "
            "in its free space. Free some disk space, then run “dsl-desk retention tidy”."
        ).format(done=done, file_problem=self.file_problem)


# What a deletion removes, in the order it removes it (rows before the rows they point to). The words say
# what each table holds, for the confirmation and the list of past deletions.


def list_deletions(ctx: AppContext) -> list[TombstoneRow]:
    """Records deleted at the end of retention, newest first: no names, only what went, when, who and why."""
    with ctx.store.session() as session:
        query = (
            select(RetentionDeletion, User.display_name)
            .join(User, User.id == RetentionDeletion.deleted_by_id)
            .order_by(RetentionDeletion.deleted_at.desc(), RetentionDeletion.id.desc())
        )
        return [
            TombstoneRow(
                row.id,
                row.former_child_id,
                row.year_of_birth,
                row.retention_until,
                row.reason,
                {str(k): int(v) for k, v in json.loads(row.counts or "{}").items()},
                row.deleted_at,
                by,
            )
            for row, by in session.execute(query)
        ]


# -- deleting -----------------------------------------------------------------------------------------------


def deletion_preview(ctx: AppContext, child_id: int) -> DeletionPreview:
    """What deleting this record would remove, whether it may be deleted now, and what the backups hold."""
    today = today_of(ctx)
    with ctx.store.session() as session:
        child = load_child(session, child_id)
        decision = rules.review(Facts.load(session).of(child, today))
        scope = scope_of(session, child_id)
        counts = {
            table: int(session.scalar(select(func.count()).select_from(model).where(where(scope))) or 0)
            for table, model, where in tied_rows()
        }
        created_at = child.created_at
        name, born = child.full_name, child.date_of_birth
    holding, note = _backups_note(ctx, created_at)
    return DeletionPreview(
        child_id,
        name,
        born,
        decision.retention_until,
        decision.keep_until,
        decision.due,
        decision.due_because,
        decision.blockers,
        {table: count for table, count in counts.items() if count},
        holding,
        note,
    )


def _backups_note(ctx: AppContext, created_at: datetime) -> tuple[int, str]:
    from dsl_desk.services.records.backup_settings import load_settings
    from dsl_desk.services.records.backups import list_available_backups

    holding = sum(1 for backup in list_available_backups(ctx) if backup.made_at >= created_at)
    days = load_settings(ctx.store.paths).generations
    held = (
        _("No backup holds it now.")
        if not holding
        else _("{plural} made since it was started hold it now.").format(plural=plural(holding, "backup"))
    )
    return holding, (
        _(
            "Backups keep the record until they age out: DSL Desk keeps {plural} of backups, and copies "
            "made before a restore until someone removes them. {held} Restoring an older backup would bring it back."
        ).format(plural=plural(days, "day"), held=held)
    )


def delete_record(ctx: AppContext, child_id: int, reason: str, confirm_name: str) -> DeletionResult:
    """Delete everything held about a child whose retention period has ended, in one transaction.

    Refused, with nothing changed, unless the record is past its retention date with no hold, open escalation
    or open subject access request, and `confirm_name` is the child's full name.
    """
    reason = required_reason(
        reason,
        _(
            "Say why the record is being deleted (for example, “Retention period ended; reviewed by the DSL”)."
        ),
    )
    bounds.check_text(
        confirm_name, _("the name typed to confirm"), limit=bounds.LINE_MAX, field="confirm_name"
    )
    now = ctx.clock.now()
    with ctx.store.session() as session:
        child = load_child(session, child_id)
        decision = rules.review(Facts.load(session).of(child, london(now).date()))
        _check_deletable(child, decision, reason, confirm_name)
        scope = scope_of(session, child_id)
        counts = _delete_everything(session, scope)
        tombstone = RetentionDeletion(
            former_child_id=child_id,
            year_of_birth=child.date_of_birth.year,
            retention_until=decision.keep_until,
            reason=reason,
            counts=json.dumps(counts, sort_keys=True),
            deleted_at=now,
            deleted_by_id=ctx.actor.user_id,
        )
        session.add(tombstone)
        session.flush()
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="record_deleted",
            entity="child",
            entity_id=child_id,
            # Which entries and files went (ids only): `audit verify` then knows they were deleted, not lost.
            detail={
                "tombstone": tombstone.id,
                "counts": counts,
                "entry_ids": list(scope.entries),
                "attachment_ids": list(scope.attachments),
            },
        )
        tombstone_id = tombstone.id
    problem = tidy_database_file(ctx)
    return DeletionResult(tombstone_id, counts, not problem, problem)


def _check_deletable(child: Child, decision: rules.ReviewDecision, reason: str, confirm_name: str) -> None:
    if not decision.due:
        raise ServiceError(
            _(
                "{full_name}'s record is kept until {keep_until}, so it cannot be deleted "
                "yet. Nothing was deleted."
            ).format(full_name=child.full_name, keep_until=day_month_year(decision.keep_until))
        )
    if decision.blockers:
        raise ServiceError(
            _("This record cannot be deleted yet. ")
            + " ".join(decision.blockers)
            + _(" Nothing was deleted.")
        )
    if not names_match(confirm_name, child.full_name):
        raise ValidationError(
            _(
                "The name typed is not the child's full name as it is on the record, so nothing was deleted. "
                "Type it exactly as shown."
            ),
            field="confirm_name",
        )
    if mentions(reason, child):
        raise ValidationError(
            _("Leave the child's name out of the reason: the reason is kept after the record is gone."),
            field="reason",
        )


def _delete_everything(session: Session, scope: Scope) -> dict[str, int]:
    connection = session.connection()
    # The first write opens the transaction, so the guard dropped below is put back or rolled back with it.
    transfers = connection.execute(
        update(CaseTransfer).where(CaseTransfer.child_id == scope.child_id).values(child_id=None)
    ).rowcount
    driver = connection.connection.driver_connection
    if not getattr(driver, "in_transaction", False):
        raise ServiceError(
            _("The deletion could not start safely (no transaction was open). Nothing was deleted.")
        )
    secure_before = connection.exec_driver_sql("PRAGMA secure_delete").scalar()
    connection.exec_driver_sql("PRAGMA secure_delete = ON")  # freed space is overwritten, not just unlinked
    try:
        guard = _log_guard_sql()
        connection.exec_driver_sql(f"DROP TRIGGER {LOG_GUARD}")
        counts = {
            table: connection.execute(delete(model).where(where(scope))).rowcount
            for table, model, where in tied_rows()
        }
        connection.exec_driver_sql(guard)
        # The index keeps words of deleted entries in its old segments; rebuilt, it holds only what is left.
        connection.exec_driver_sql("INSERT INTO discussion_fts(discussion_fts) VALUES ('rebuild')")
    finally:
        # Also on failure. (SQLCipher turns secure_delete on for keyed databases anyway; setting it here
        # keeps the guarantee if that default ever changes.)
        connection.exec_driver_sql(f"PRAGMA secure_delete = {int(secure_before or 0)}")
    counts["case_transfers_kept_without_child"] = transfers
    return {table: count for table, count in counts.items() if count}


def _log_guard_sql() -> str:
    """The guard's SQL exactly as migration 0002 created it: the same trigger goes back.

    Loaded from the migration file as Alembic loads it (a frozen app keeps migrations as files, not modules).
    """
    path = MIGRATIONS_DIR / "versions" / LOG_MIGRATION_FILE
    spec = importlib.util.spec_from_file_location("dsl_desk_migration_0002", path)
    if spec is None or spec.loader is None:
        raise ServiceError(
            _("DSL Desk could not read {path}, so nothing was deleted. Reinstall DSL Desk.").format(path=path)
        )
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for statement in migration._TRIGGERS:
        if statement.startswith(f"CREATE TRIGGER {LOG_GUARD} "):
            return str(statement)
    raise ServiceError(
        _("{path} does not say how the discussion log is protected, so nothing was deleted.").format(
            path=path
        )
    )


def tidy_database_file(ctx: AppContext) -> str:
    """Rewrite the database file from what it holds now and empty its write-ahead log.

    Deleted rows can leave copies of older values in a page's free space and in the log beside the file;
    VACUUM builds every page afresh and TRUNCATE empties the log. Returns "" when done, else the reason.
    """
    try:
        # A unit of work of its own (no other one runs meanwhile), outside any transaction, as VACUUM needs.
        with ctx.store.session() as session:
            connection = session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            connection.exec_driver_sql("VACUUM")
            busy, _log, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    except (DBAPIError, StoreError) as error:
        return str(getattr(error, "orig", error))
    if busy:
        return _("another part of DSL Desk was reading the database")
    return ""


# -- helpers ------------------------------------------------------------------------------------------------
