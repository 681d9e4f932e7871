"""Putting a backup back: a chosen backup restored over the desk (a safety copy first), a damaged database replaced by the newest good backup, a damaged key file restored from a backup's copy, the integrity check that says one is needed."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from dsl_desk.core.clock import Clock
from dsl_desk.core.dates_in_words import at_time
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.records.backups import BackupFailed, BackupSummary, check_backup, make_backup
from dsl_desk.store import backup as bk
from dsl_desk.store import database
from dsl_desk.store import keyring as kr
from dsl_desk.store.backup import BackupFile
from dsl_desk.store.backup_settings import backup_folders
from dsl_desk.store.checkpoint_file import save_checkpoint
from dsl_desk.store.errors import KeyringDamaged, StoreError, WrongPassphrase
from dsl_desk.store.models import User
from dsl_desk.store.paths import DataPaths
from dsl_desk.store.throttle import PASSPHRASE_DOOR, RECOVERY_KEY_DOOR, UnlockThrottle


@dataclass(frozen=True)
class RestoreResult:
    restored: BackupSummary
    safety_copy: Path  # the database as it was just before the restore

    @property
    def message(self) -> str:
        return _(
            "The backup made {made_at} has been restored. "
            "The database as it was before is kept in {safety_copy}."
        ).format(made_at=at_time(self.restored.made_at), safety_copy=self.safety_copy)


@dataclass(frozen=True)
class IntegrityReport:
    ok: bool
    problems: tuple[str, ...]
    seconds: float

    @property
    def message(self) -> str:
        if self.ok:
            return _("The database passed its start-up check.")
        return _(
            "The database is damaged ({problems}). Restore the newest good backup before entering "
            "anything else; the damaged file will be kept."
        ).format(problems=self.problems[0])


# -- making backups -----------------------------------------------------------------------------------------


def restore_backup(ctx: AppContext, path: Path) -> RestoreResult:
    """Replace the open database with a backup. The current database is backed up first; both audited.

    `ctx.store` is swapped for the restored database, so every page holding `ctx` sees it.
    """
    summary = check_backup(path, ctx.store.keyring.database_id, ctx.store.db_key_copy())
    if ctx.actor.username not in summary.contents.usernames:
        raise bk.BackupRefused(
            _(
                "The backup {name} was made before the account “{username}” existed, so you could "
                "not sign in to it. Ask whoever set DSL Desk up to restore it. Nothing was changed."
            ).format(name=path.name, username=ctx.actor.username),
            path=path,
        )
    with ctx.store.session() as session:
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="restore_started",
            entity="backup",
            detail={"file": str(path), "made_at": summary.made_at.isoformat()},
        )
    safety = _safety_copy(ctx)
    _swap_database(ctx, path, safety.path)
    _audit_restored(ctx, summary, safety.path, reason=_("chosen by the user"))
    return RestoreResult(summary, safety.path)


def _safety_copy(ctx: AppContext) -> BackupFile:
    try:
        return make_backup(ctx, "before-restore").backup
    except BackupFailed as error:
        raise BackupFailed(
            _(
                "The current database could not be backed up first, so the restore was not started. {error}"
            ).format(error=error)
        ) from error


def _swap_database(ctx: AppContext, source: Path, safety: Path) -> None:
    paths, keyring, key, now = ctx.store.paths, ctx.store.keyring, ctx.store.db_key_copy(), ctx.clock.now()
    ctx.store.close()
    try:
        bk.replace_database(paths.database, source)
        ctx.store = _open(paths, keyring, key, now)
    except BaseException:
        # Whatever went wrong, put back the database as it was a moment ago.
        bk.replace_database(paths.database, safety)
        ctx.store = _open(paths, keyring, key, now)
        raise
    with ctx.store.session() as session:
        user = session.scalars(select(User).where(User.username == ctx.actor.username)).one()
        ctx.actor = replace(ctx.actor, user_id=user.id, display_name=user.display_name, role=user.role)


def _open(paths: DataPaths, keyring: kr.Keyring, key: bytes, now: datetime) -> database.Store:
    # open_with_key also upgrades an older backup's schema (taking its own copy first).
    return database.open_with_key(paths, keyring, bytearray(key), now)


def _audit_restored(ctx: AppContext, summary: BackupSummary, kept: Path, *, reason: str) -> None:
    with ctx.store.session() as session:
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="restored",
            entity="backup",
            detail={
                "file": str(summary.backup.path),
                "made_at": summary.made_at.isoformat(),
                "reason": reason,
                "previous_database_kept_as": str(kept),
            },
        )
    # The restore replaced the trail on purpose, and the row above says so: checkpoints start again from here.
    save_checkpoint(ctx.store, ctx.clock.now(), restart=True)


# -- start-up integrity and damaged databases ---------------------------------------------------------------


def integrity_check(ctx: AppContext) -> IntegrityReport:
    """PRAGMA quick_check: every page and index structure, without cross-checking index contents."""
    started = time.perf_counter()  # measures how long the check took; no deadline depends on it
    with ctx.store.engine.connect() as connection:
        try:
            rows = [str(row[0]) for row in connection.execute(text("PRAGMA quick_check"))]
        except DatabaseError as error:  # an unreadable page is damage too: report it, do not crash
            rows = [str(getattr(error, "orig", error))]
    problems = () if rows == ["ok"] else tuple(rows)
    return IntegrityReport(not problems, problems, time.perf_counter() - started)


def newest_good_backup(paths: DataPaths, db_key: bytes | None = None) -> BackupFile | None:
    """The newest backup that is whole: checksum and size without a key; with the key, quick_check too."""
    database_id = _database_id(paths)
    candidates: list[BackupFile] = []
    for folder in backup_folders(paths):
        candidates.extend(bk.list_backups(folder, database_id))
    for backup in sorted(candidates, key=lambda b: b.made_at, reverse=True):
        if bk.damage_without_key(backup):
            continue
        if db_key is not None and _fails_check(backup.path, db_key):
            continue
        return backup
    return None


def _fails_check(path: Path, db_key: bytes) -> bool:
    try:
        return bool(bk.quick_check_file(path, db_key))
    except StoreError:
        return True


def _database_id(paths: DataPaths) -> str | None:
    try:
        return kr.load_keyring(paths.keyring).database_id
    except StoreError:
        return None  # the keyring is damaged too: any backup's own keyring may bring it back


def restore_damaged_database(
    paths: DataPaths,
    backup_path: Path,
    username: str,
    passphrase: str,
    *,
    clock: Clock,
    packs: Mapping[str, PolicyPack] | None = None,
) -> AppContext:
    """When the database cannot be opened (DatabaseCorrupt): keep it aside, put a backup in, sign in.

    Runs before any AppContext exists, so the key comes from the passphrase, checked against the current
    keyring (or the backup's own when the current one is damaged too).
    """
    from dsl_desk.services.desk.setup import sign_in

    keyring, keyring_from_backup = _keyring_for_restore(paths, backup_path)
    db_key = _unwrap(paths, keyring, username, passphrase, clock.now())
    summary = check_backup(backup_path, keyring.database_id, bytes(db_key))
    kr.forget(db_key)
    if username not in summary.contents.usernames:
        raise bk.BackupRefused(
            _("The backup {name} has no account called “{username}”. Nothing was changed.").format(
                name=backup_path.name, username=username
            ),
            path=backup_path,
        )
    stamp = f"{clock.now():%Y%m%d-%H%M%S}Z"
    kept = bk.keep_copy(paths.database, paths.backups, stamp)
    bk.replace_database(paths.database, backup_path)
    if keyring_from_backup:
        kr.save_keyring(paths.keyring, keyring)
    ctx = sign_in(paths, username, passphrase, clock=clock, packs=packs)
    _audit_restored(ctx, summary, kept, reason=_("the database was damaged"))
    return ctx


def _keyring_for_restore(paths: DataPaths, backup_path: Path) -> tuple[kr.Keyring, bool]:
    try:
        current = kr.load_keyring(paths.keyring)
    except KeyringDamaged:
        return kr.load_keyring(bk.keyring_path_for(backup_path)), True
    if current.integrity == kr.DAMAGED:
        return kr.load_keyring(bk.keyring_path_for(backup_path)), True
    return current, False


def restore_key_file(
    paths: DataPaths,
    username: str,
    secret: str,
    *,
    clock: Clock,
    packs: Mapping[str, PolicyPack] | None = None,
    recovery: bool = False,
) -> AppContext:
    """When keyring.json is damaged but the database is not: put back a backup's copy of the key file.

    The database key never changes (a new passphrase only re-wraps it), so any backup's key file opens today's
    database with the passphrase that was current when that backup was made, or with the recovery key.
    Nothing in the database is replaced and no record is lost. The damaged key file is kept aside in the
    backups folder. `secret` is the passphrase, or the recovery key when `recovery` is set.
    """
    from dsl_desk.services.desk.setup import sign_in, sign_in_with_recovery_key

    now = clock.now()
    throttle = UnlockThrottle.for_data(paths, RECOVERY_KEY_DOOR if recovery else PASSPHRASE_DOOR)
    throttle.check(now)
    candidates: list[BackupFile] = []
    for folder in backup_folders(paths):
        candidates.extend(bk.list_backups(folder))
    usable = 0
    for backup in sorted(candidates, key=lambda b: b.made_at, reverse=True):
        keyring = _good_keyring(backup.keyring_path)
        if keyring is None or keyring.slot(username) is None:
            continue
        usable += 1
        try:
            if recovery:
                db_key = kr.unwrap_with_recovery(keyring, secret)
            else:
                db_key = kr.unwrap_for_user(keyring, username, secret)
            database.open_with_key(paths, keyring, db_key, now).close()  # the key opens this very database
        except StoreError:
            continue  # not this secret, a backup of another database, or this one is damaged too
        if paths.keyring.exists():
            paths.backups.mkdir(parents=True, exist_ok=True)
            kept = paths.backups / f"damaged-{now:%Y%m%d-%H%M%S}Z.keyring-was.json"
            kept.write_bytes(paths.keyring.read_bytes())
        kr.save_keyring(paths.keyring, replace(keyring, integrity=kr.SEALED))
        if recovery:
            ctx = sign_in_with_recovery_key(paths, username, secret, clock=clock, packs=packs)
        else:
            ctx = sign_in(paths, username, secret, clock=clock, packs=packs)
        with ctx.store.session() as session:
            audit.record(
                session,
                at=clock.now(),
                user_id=ctx.actor.user_id,
                action="key_file_restored",
                entity="backup",
                detail={"from": str(backup.keyring_path), "made_at": backup.made_at.isoformat()},
            )
        return ctx
    if not usable:
        raise StoreError(
            _(
                "No backup in {backups} holds a good copy of the key file with an account called "
                "“{username}”. If a backup is elsewhere (a USB drive), copy it — the .db file and its .keyring.json "
                "— into that folder and try again."
            ).format(backups=paths.backups, username=username),
            path=paths.keyring,
        )
    throttle.record_failure(now, "" if recovery else username)
    if recovery:
        raise WrongPassphrase(_("That recovery key does not open any backup copy of the key file."))
    raise WrongPassphrase(
        _(
            "That passphrase does not open any backup copy of the key file. If you changed your passphrase after "
            "the backups were made, type the one you had then."
        )
    )


def accounts_in_backups(paths: DataPaths) -> list[str]:
    """The accounts in the backups' copies of the key file: whom to offer when keyring.json cannot be read."""
    names: list[str] = []
    for folder in backup_folders(paths):
        for backup in bk.list_backups(folder):
            keyring = _good_keyring(backup.keyring_path)
            names.extend(n for n in (keyring.usernames() if keyring else []) if n not in names)
    return names


def _good_keyring(path: Path) -> kr.Keyring | None:
    try:
        keyring = kr.load_keyring(path)
    except StoreError:
        return None
    return None if keyring.integrity == kr.DAMAGED else keyring


def _unwrap(
    paths: DataPaths, keyring: kr.Keyring, username: str, passphrase: str, now: datetime
) -> bytearray:
    # The same throttle as the unlock screen, so this door is no faster for guessing passphrases.
    # Failed attempts are cleared by the sign-in that follows, once the audit trail has them.
    throttle = UnlockThrottle.for_data(paths)
    throttle.check(now)
    try:
        key = kr.unwrap_for_user(keyring, username, passphrase)
    except WrongPassphrase as error:
        if keyring.integrity == kr.DAMAGED and keyring.slot(username) is not None:
            raise KeyringDamaged(kr.damaged_slot_message(paths.keyring), path=paths.keyring) from error
        throttle.record_failure(now, username)
        raise
    return key
