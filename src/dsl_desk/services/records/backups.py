"""Backups and restores: automatic encrypted copies to the data dir and a second folder, and putting one back.

Every backup, failed backup and restore is written to the audit trail. The files themselves are made by
store.backup; this module decides when, where, how many to keep, and what may be restored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from dsl_desk import __version__
from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import at_time, long_date, medium_date
from dsl_desk.core.i18n import _
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError
from dsl_desk.store import backup as bk
from dsl_desk.store.backup import BackupFile
from dsl_desk.store.backup_settings import available_backups, load_settings
from dsl_desk.store.checkpoint_file import save_checkpoint
from dsl_desk.store.errors import StoreError
from dsl_desk.store.files import FileRefused, check_source
from dsl_desk.store.migrate import current_revision, known_revisions
from dsl_desk.store.models import AuditEvent

STALE_AFTER = timedelta(days=2)
MAX_BACKUP_BYTES = 1 << 40  # no school's database comes near this; the check is that it is an ordinary file
BACKUP_ACTIONS = ("backup_made", "backup_failed")


class BackupFailed(ServiceError):
    """No backup could be made in the data dir. Nothing was changed; the message says why."""


@dataclass(frozen=True)
class BackupOutcome:
    backup: BackupFile
    second_copy: BackupFile | None
    second_folder_problem: str  # "" when the second copy was made or no second folder is set
    pruned: int

    @property
    def message(self) -> str:
        made = _("Backup made: {path}.").format(path=self.backup.path)
        if self.second_copy is not None:
            made += _(" A copy is in {parent}.").format(parent=self.second_copy.path.parent)
        if self.second_folder_problem:
            made += f" {self.second_folder_problem}"
        return made


@dataclass(frozen=True)
class BackupStatus:
    ok: bool
    message: str
    last_at: datetime | None  # the newest complete backup in the data dir
    last_attempt_failed: bool
    second_folder_problem: str
    backups_kept: int


@dataclass(frozen=True)
class BackupSummary:
    """A backup checked and read through its key: what a restore would bring back."""

    backup: BackupFile
    contents: bk.BackupContents

    @property
    def made_at(self) -> datetime:
        return self.backup.made_at


def make_backup(ctx: AppContext, kind: str = "manual") -> BackupOutcome:
    """Back up to the data dir, then copy to the second folder if one is set, then keep N days of each."""
    store = ctx.store
    if store.read_only:
        raise BackupFailed(_("No backup was made. {read_only}").format(read_only=store.read_only))
    settings = load_settings(store.paths)
    # The backup's key file carries the trail's head as it is now, so a later cut or re-written trail is found.
    save_checkpoint(store, ctx.clock.now())
    try:
        bk.clean_partials(store.paths.backups, store.keyring.database_id)
        made = bk.write_backup(
            store.engine,
            store.db_key_copy(),
            store.keyring,
            store.paths.backups,
            made_at=ctx.clock.now(),
            kind=kind,
            schema=current_revision(store.engine) or "",
            app_version=__version__,
        )
    except (StoreError, OSError) as error:
        _audit_failure(ctx, kind, error)
        raise BackupFailed(
            _(
                "The backup could not be made in {backups} ({reason}). Nothing was changed; "
                "free some disk space or check the folder, then choose “Back up now”."
            ).format(backups=store.paths.backups, reason=_reason(error))
        ) from error
    second, problem = _copy_to_second_folder(ctx, made, settings.second_folder)
    pruned = 0
    if kind != "before-restore":  # a copy kept before a restore takes no day's place from the daily ones
        pruned = _prune(store.paths.backups, store.keyring.database_id, settings.generations, made)
        if second is not None and settings.second_folder is not None:
            pruned += _prune(settings.second_folder, store.keyring.database_id, settings.generations, second)
    outcome = BackupOutcome(made, second, problem, pruned)
    _audit_success(ctx, outcome)
    return outcome


def backup_if_due(ctx: AppContext) -> BackupOutcome | None:
    """At the first start of a day: a backup unless one was already made today (London time)."""
    if ctx.store.read_only:
        return None  # a backup needs room in the data folder; the read-only banner already says why
    today = london(ctx.clock.now()).date()
    newest = _newest(ctx)
    if newest is not None and london(newest.made_at).date() == today:
        return None
    return make_backup(ctx, "daily")


def backup_on_exit(ctx: AppContext) -> BackupOutcome:
    return make_backup(ctx, "exit")


def _copy_to_second_folder(
    ctx: AppContext, made: BackupFile, folder: Path | None
) -> tuple[BackupFile | None, str]:
    if folder is None:
        return None, ""
    # Never create the folder itself: an unmounted drive's mount point would silently fill the laptop's disk.
    if not folder.is_dir():
        return None, (
            _(
                "The second backup folder {folder} is not available (is the USB drive plugged in, or the network "
                "share connected?), so only the copy in the data folder was made."
            ).format(folder=folder)
        )
    try:
        bk.clean_partials(folder, ctx.store.keyring.database_id)
        return bk.copy_backup(made, folder, ctx.store.keyring), ""
    except (StoreError, OSError) as error:
        return None, (
            _(
                "The copy to the second backup folder {folder} failed ({reason}); the copy in the data "
                "folder was made."
            ).format(folder=folder, reason=_reason(error))
        )


def _prune(folder: Path, database_id: str, generations: int, just_made: BackupFile) -> int:
    """Keep the newest backup of each of the newest `generations` days; copies taken before a restore stay.

    The backup just made always counts as the newest, whatever the clock or the file system says.
    """
    kept_days: list[date] = [london(just_made.made_at).date()]
    removed = 0
    for backup in bk.list_backups(folder, database_id):  # newest first
        if backup.meta.kind == "before-restore" or backup.path == just_made.path:
            continue
        day = london(backup.made_at).date()
        if day not in kept_days and len(kept_days) < generations:
            kept_days.append(day)
            continue
        # The .db goes first: a keyring left alone is not a backup; a .db left alone would look like one.
        backup.path.unlink(missing_ok=True)
        backup.keyring_path.unlink(missing_ok=True)
        removed += 1
    return removed


def _audit_success(ctx: AppContext, outcome: BackupOutcome) -> None:
    with ctx.store.session() as session:
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="backup_made",
            entity="backup",
            detail={
                "file": outcome.backup.path.name,
                "kind": outcome.backup.meta.kind,
                "size": outcome.backup.meta.size,
                "second_folder": str(outcome.second_copy.path.parent) if outcome.second_copy else None,
                "second_folder_problem": outcome.second_folder_problem,
                "removed_old": outcome.pruned,
            },
        )


def _audit_failure(ctx: AppContext, kind: str, error: BaseException) -> None:
    with ctx.store.session() as session:
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="backup_failed",
            entity="backup",
            detail={"kind": kind, "error": _reason(error)},
        )


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


# -- status -------------------------------------------------------------------------------------------------


def _newest(ctx: AppContext) -> BackupFile | None:
    found = bk.list_backups(ctx.store.paths.backups, ctx.store.keyring.database_id)
    return found[0] if found else None


def backup_status(ctx: AppContext) -> BackupStatus:
    """For the dashboard: ok, or a plain warning when the last backup failed or none is recent."""
    backups = bk.list_backups(ctx.store.paths.backups, ctx.store.keyring.database_id)
    last_at = backups[0].made_at if backups else None
    failed, second_problem = _last_attempt(ctx)
    status = BackupStatus(True, "", last_at, failed, second_problem, len(backups))
    if failed:
        return replace(status, ok=False, message=failed_message(failed))
    if last_at is None:
        return replace(status, ok=False, message=_("No backup has been made yet. Choose “Back up now”."))
    if ctx.clock.now() - last_at > STALE_AFTER:
        return replace(
            status,
            ok=False,
            message=_(
                "The newest backup is from {last_at}: more than two days old. Choose “Back up now”."
            ).format(last_at=long_date(london(last_at).date())),
        )
    if second_problem:
        return replace(status, ok=False, message=second_problem)
    return replace(status, message=_("Last backup {last_at}.").format(last_at=at_time(last_at, medium_date)))


def failed_message(reason: str) -> str:
    return _(
        "The last backup failed: {reason} Check the data folder has space, then choose “Back up now”."
    ).format(reason=reason)


def _last_attempt(ctx: AppContext) -> tuple[str, str]:
    """(failure reason or "", second-folder problem or "") of the newest backup attempt in the audit trail.
    The dashboard asks every minute: kept until the store changes (Store.data_changes covers the file)."""
    return ctx.store.kept("last_backup_attempt", ctx.store.data_changes(), lambda: _read_last_attempt(ctx))


def _read_last_attempt(ctx: AppContext) -> tuple[str, str]:
    import json

    with ctx.store.session() as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(BACKUP_ACTIONS))
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).first()
    if event is None:
        return "", ""
    detail = json.loads(event.detail or "{}")
    if event.action == "backup_failed":
        reason = str(detail.get("error", "unknown reason"))
        return (reason if reason.endswith(".") else f"{reason}."), ""
    return "", str(detail.get("second_folder_problem") or "")


# -- choosing and checking a backup -------------------------------------------------------------------------


def list_available_backups(ctx: AppContext) -> list[BackupFile]:
    """Backups of this database in the data dir and the second folder, newest first."""
    return available_backups(ctx.store.paths, ctx.store.keyring.database_id)


def describe_backup(ctx: AppContext, path: Path) -> BackupSummary:
    """Check a backup fully and say what it holds. Raises BackupRefused with a plain message."""
    summary = check_backup(path, ctx.store.keyring.database_id, ctx.store.db_key_copy())
    _audit_view(ctx, summary)
    return summary


def _audit_view(ctx: AppContext, summary: BackupSummary) -> None:
    with ctx.store.session() as session:
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="backup_inspected",
            entity="backup",
            detail={"file": str(summary.backup.path), "made_at": summary.made_at.isoformat()},
        )


def check_backup(path: Path, database_id: str, db_key: bytes) -> BackupSummary:
    if not path.exists():
        raise bk.BackupRefused(
            _("There is no backup file at {path}. Nothing was changed.").format(path=path), path=path
        )
    try:
        check_source(path, kind="backup", limit=MAX_BACKUP_BYTES)  # an ordinary file, never a device or pipe
    except FileRefused as error:
        raise bk.BackupRefused(str(error), path=path) from error
    backup = bk.read_backup_file(path)
    if backup is None:
        raise bk.BackupRefused(
            _(
                "The key file that belongs with {name} ({name2}) is missing or "
                "damaged, so this backup cannot be used. Copy the key file back beside it. Nothing was changed."
            ).format(name=path.name, name2=bk.keyring_path_for(path).name),
            path=path,
        )
    if backup.database_id != database_id:
        raise bk.BackupRefused(
            _(
                "{name} is a backup of a different DSL Desk database, so it was not restored. "
                "Choose a backup of this database. Nothing was changed."
            ).format(name=path.name),
            path=path,
        )
    damage = bk.damage_without_key(backup)
    if damage:
        raise bk.BackupRefused(
            _(
                "The backup {name} cannot be used: {damage}. Choose another backup. Nothing was changed."
            ).format(name=path.name, damage=damage),
            path=path,
        )
    contents = bk.inspect_backup(path, db_key)
    if contents.schema is not None and contents.schema not in known_revisions():
        raise bk.BackupRefused(
            _(
                "The backup {name} was made by a newer version of DSL Desk (schema {schema}). "
                "Install the newest DSL Desk to restore it. Nothing was changed."
            ).format(name=path.name, schema=contents.schema),
            path=path,
        )
    return BackupSummary(backup, contents)


# -- restoring ----------------------------------------------------------------------------------------------
