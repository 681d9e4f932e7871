"""Encrypted backup files: made with SQLite's online backup API, checked, and renamed into place only when whole.

A backup is two files side by side:

    dsl-desk-20260105-090000Z-daily.db            the database, encrypted with the same key as the live one
    dsl-desk-20260105-090000Z-daily.keyring.json  the keyring (a backup is useless without it), plus a
                                                  "backup" entry: when, what kind, size and SHA-256

The .db file is written under a hidden ".partial" name and renamed last, after its keyring is saved, so a
crash at any moment leaves either a complete pair or a partial file that nothing lists as a backup.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine

from dsl_desk.core.i18n import _
from dsl_desk.store import keyring as kr
from dsl_desk.store.atomic import write_atomically
from dsl_desk.store.errors import StoreError
from dsl_desk.store.files import FileRefused, read_source

PREFIX = "dsl-desk-"
DB_SUFFIX = ".db"
KEYRING_SUFFIX = ".keyring.json"
PARTIAL_SUFFIX = ".partial"
PAGES_PER_STEP = 256  # 1 MB a step: other connections may write between steps
BACKUP_FORMAT = 1
_CHUNK = 1 << 20
MAX_SIDECAR_BYTES = 1 << 20


class BackupRefused(StoreError):
    """A backup file that must not be restored: damaged, truncated, of another database, or too new."""


@dataclass(frozen=True)
class BackupMeta:
    made_at: datetime
    kind: str  # daily | exit | manual | before-restore
    size: int
    sha256: str
    schema: str
    app_version: str


@dataclass(frozen=True)
class BackupFile:
    path: Path
    keyring_path: Path
    database_id: str
    meta: BackupMeta

    @property
    def made_at(self) -> datetime:
        return self.meta.made_at


@dataclass(frozen=True)
class BackupContents:
    """What a backup holds, read through its key."""

    schema: str | None
    children: int
    escalations: int
    entries: int
    audit_rows: int
    newest_entry_at: datetime | None
    usernames: tuple[str, ...]


# -- writing ------------------------------------------------------------------------------------------------


def write_backup(
    engine: Engine,
    db_key: bytes,
    keyring: kr.Keyring,
    folder: Path,
    *,
    made_at: datetime,
    kind: str,
    schema: str,
    app_version: str,
) -> BackupFile:
    """Copy the live database (WAL included) into `folder`. Raises StoreError; leaves no file that looks good."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = _partial_name(folder, keyring.database_id)
    try:
        with _raw_connection(engine) as source:
            _online_copy(source, partial, db_key)
        problems = quick_check_file(partial, db_key)
        if problems:
            raise StoreError(
                _("The new backup failed its check ({problems}), so it was not kept.").format(
                    problems=problems[0]
                )
            )
        return _finish(partial, folder, keyring, _meta(partial, made_at, kind, schema, app_version))
    finally:
        partial.unlink(missing_ok=True)


def copy_backup(backup: BackupFile, folder: Path, keyring: kr.Keyring) -> BackupFile:
    """Copy a finished backup to a second folder (a USB drive or a share), checking the copy's checksum."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = _partial_name(folder, keyring.database_id)
    try:
        with backup.path.open("rb") as source, partial.open("wb") as target:
            shutil.copyfileobj(source, target, _CHUNK)
            target.flush()
            os.fsync(target.fileno())
        if sha256_of(partial) != backup.meta.sha256:
            raise StoreError(
                _("The copy in {folder} did not match the original, so it was not kept.").format(
                    folder=folder
                )
            )
        return _finish(partial, folder, keyring, backup.meta)
    finally:
        partial.unlink(missing_ok=True)


def _partial_name(folder: Path, database_id: str) -> Path:
    # Hidden, unique, and tagged with our database id so a shared folder's other users can tell it is ours.
    return folder / f".{PREFIX}{database_id}-{secrets.token_hex(4)}{PARTIAL_SUFFIX}"


@contextlib.contextmanager
def _raw_connection(engine: Engine) -> Iterator[Any]:
    proxy = engine.raw_connection()
    try:
        yield proxy.driver_connection
    finally:
        proxy.close()


def _online_copy(source: Any, target_path: Path, db_key: bytes) -> None:
    target = sqlcipher3.connect(str(target_path))
    try:
        _key(target, db_key)
        source.backup(target, pages=PAGES_PER_STEP)
        # A backup is one self-contained file: no -wal beside it on a USB stick.
        target.execute("PRAGMA journal_mode = DELETE").fetchall()
    finally:
        target.close()
    with target_path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _meta(path: Path, made_at: datetime, kind: str, schema: str, app_version: str) -> BackupMeta:
    return BackupMeta(
        made_at.astimezone(UTC), kind, path.stat().st_size, sha256_of(path), schema, app_version
    )


def _finish(partial: Path, folder: Path, keyring: kr.Keyring, meta: BackupMeta) -> BackupFile:
    stem = _free_stem(folder, meta)
    keyring_path = folder / f"{stem}{KEYRING_SUFFIX}"
    final = folder / f"{stem}{DB_SUFFIX}"
    write_atomically(keyring_path, _sidecar_bytes(keyring, meta))
    with contextlib.suppress(
        OSError
    ):  # as the live database: other accounts may not read even the ciphertext
        partial.chmod(0o600)
    os.replace(partial, final)  # the commit point: only now does the pair look like a backup
    _fsync_dir(folder)
    return BackupFile(final, keyring_path, keyring.database_id, meta)


def _free_stem(folder: Path, meta: BackupMeta) -> str:
    base = f"{PREFIX}{meta.made_at:%Y%m%d-%H%M%S}Z-{meta.kind}"
    stem, number = base, 1
    while (folder / f"{stem}{DB_SUFFIX}").exists() or (folder / f"{stem}{KEYRING_SUFFIX}").exists():
        number += 1
        stem = f"{base}-{number}"
    return stem


def _sidecar_bytes(keyring: kr.Keyring, meta: BackupMeta) -> bytes:
    payload = kr.keyring_payload(keyring)
    payload["backup"] = {**asdict(meta), "format": BACKUP_FORMAT, "made_at": meta.made_at.isoformat()}
    return json.dumps(payload, indent=2).encode("utf-8")


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open a directory and does not need it.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def clean_partials(folder: Path, database_id: str) -> int:
    """Remove what a killed backup of *this* database left behind. Other databases' partials are theirs."""
    removed = 0
    with contextlib.suppress(OSError):
        for leftover in folder.glob(f".{PREFIX}{database_id}-*{PARTIAL_SUFFIX}"):
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed


# -- reading ------------------------------------------------------------------------------------------------


def list_backups(folder: Path, database_id: str | None = None) -> list[BackupFile]:
    """Complete backups in `folder`, newest first. A .db without its keyring, or a partial, is not one."""
    found: list[BackupFile] = []
    try:
        candidates = sorted(folder.glob(f"{PREFIX}*{DB_SUFFIX}"))
    except OSError:
        return []
    for path in candidates:
        backup = read_backup_file(path)
        if backup is not None and (database_id is None or backup.database_id == database_id):
            found.append(backup)
    return sorted(found, key=_newest_first_key, reverse=True)


def _newest_first_key(backup: BackupFile) -> tuple[datetime, int]:
    # Two backups in the same second (start-up, then "Back up now") are told apart by when the file was written.
    try:
        written = backup.path.stat().st_mtime_ns
    except OSError:
        written = 0
    return backup.made_at, written


def keyring_path_for(path: Path) -> Path:
    beside = path.with_name(path.name.removesuffix(DB_SUFFIX) + KEYRING_SUFFIX)
    # A backup copied by hand may have only a plain keyring.json next to it.
    return beside if beside.exists() else path.with_name("keyring.json")


def read_backup_file(path: Path) -> BackupFile | None:
    keyring_path = keyring_path_for(path)
    try:
        # The key file beside a backup is small; a pipe or device in its place is refused, never waited on.
        raw = json.loads(read_source(keyring_path, kind="key file", limit=MAX_SIDECAR_BYTES).decode("utf-8"))
        meta = raw.get("backup")
        parsed = _parse_meta(meta) if isinstance(meta, dict) else _meta_from_file(path)
        return BackupFile(path, keyring_path, str(raw["database_id"]), parsed)
    except (OSError, FileRefused, ValueError, KeyError, TypeError, AttributeError):
        return None


def _parse_meta(raw: dict[str, Any]) -> BackupMeta:
    return BackupMeta(
        made_at=datetime.fromisoformat(raw["made_at"]),
        kind=str(raw["kind"]),
        size=int(raw["size"]),
        sha256=str(raw["sha256"]),
        schema=str(raw.get("schema", "")),
        app_version=str(raw.get("app_version", "")),
    )


def _meta_from_file(path: Path) -> BackupMeta:
    # A hand-made copy (database + keyring.json): no checksum to check; the key and quick_check still are.
    made_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return BackupMeta(made_at, "copy", path.stat().st_size, "", "", "")


def damage_without_key(backup: BackupFile) -> str:
    """What a keyless look finds wrong (truncated, altered); "" when size and checksum match."""
    try:
        size = backup.path.stat().st_size
    except OSError as error:
        return f"it cannot be read ({error.strerror or error})"
    if backup.meta.sha256 and size != backup.meta.size:
        return f"it is incomplete (truncated): {size:,} bytes of {backup.meta.size:,}"
    if backup.meta.sha256 and sha256_of(backup.path) != backup.meta.sha256:
        return "its contents have changed since it was made (damaged)"
    if size == 0 or size % 512:
        return "it is incomplete (truncated)"
    return ""


def open_backup(path: Path, db_key: bytes) -> Any:
    """A read-only sqlcipher3 connection to a backup. Raises BackupRefused when the key does not open it."""
    connection = sqlcipher3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _key(connection, db_key)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except sqlcipher3.DatabaseError as error:
        connection.close()
        raise BackupRefused(
            _(
                "The backup {name} cannot be opened with this database's key ({error}). It is from another "
                "DSL Desk database, or it is damaged. Nothing was changed."
            ).format(name=path.name, error=error),
            path=path,
        ) from error
    return connection


def quick_check_file(path: Path, db_key: bytes) -> list[str]:
    connection = open_backup(path, db_key)
    try:
        return quick_check_connection(connection)
    finally:
        connection.close()


def quick_check_connection(connection: Any) -> list[str]:
    """[] when PRAGMA quick_check says ok, else its complaints (or the error it raised)."""
    try:
        rows = [str(row[0]) for row in connection.execute("PRAGMA quick_check").fetchall()]
    except sqlcipher3.DatabaseError as error:
        return [str(error)]
    return [] if rows == ["ok"] else rows


def inspect_backup(path: Path, db_key: bytes) -> BackupContents:
    connection = open_backup(path, db_key)
    try:
        problems = quick_check_connection(connection)
        if problems:
            raise BackupRefused(
                _(
                    "The backup {name} is damaged ({problems}). Choose another backup. Nothing was changed."
                ).format(name=path.name, problems=problems[0]),
                path=path,
            )
        return _contents(connection)
    finally:
        connection.close()


def _contents(connection: Any) -> BackupContents:
    def scalar(sql: str) -> Any:
        try:
            row = connection.execute(sql).fetchone()
        except sqlcipher3.OperationalError:  # a table an older schema did not have yet
            return None
        return row[0] if row else None

    newest = scalar("SELECT max(recorded_at) FROM discussion_entries")
    users = connection.execute("SELECT username FROM users ORDER BY username").fetchall()
    return BackupContents(
        schema=scalar("SELECT version_num FROM alembic_version"),
        children=scalar("SELECT count(*) FROM children") or 0,
        escalations=scalar("SELECT count(*) FROM escalations") or 0,
        entries=scalar("SELECT count(*) FROM discussion_entries") or 0,
        audit_rows=scalar("SELECT count(*) FROM audit_events") or 0,
        newest_entry_at=_as_utc(newest),
        usernames=tuple(str(row[0]) for row in users),
    )


def _as_utc(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _key(connection: Any, db_key: bytes) -> None:
    connection.execute(f'PRAGMA key = "{kr.sqlcipher_key_literal(db_key)}"')


# -- replacing the live database ----------------------------------------------------------------------------


def replace_database(database: Path, source: Path) -> None:
    """Put a copy of `source` in place of `database`. The caller has closed every connection to it.

    The copy is made under a temporary name and renamed over the live file, so a crash leaves the old
    database or the new one. The old -wal/-shm go first: a stale WAL would be replayed into the new file.
    """
    partial = database.with_name(f".{database.name}.restoring{PARTIAL_SUFFIX}")
    try:
        with source.open("rb") as reader, partial.open("wb") as writer:
            shutil.copyfileobj(reader, writer, _CHUNK)
            writer.flush()
            os.fsync(writer.fileno())
        for companion in (Path(f"{database}-wal"), Path(f"{database}-shm")):
            companion.unlink(missing_ok=True)
        os.replace(partial, database)
        _fsync_dir(database.parent)
    finally:
        partial.unlink(missing_ok=True)


def keep_copy(database: Path, folder: Path, stamp: str) -> Path:
    """Copy a damaged database (and its WAL) aside before it is replaced: it may still hold something.

    A copy, not a move, so that if the replacement fails the damaged file is still where it was.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"damaged-{stamp}{DB_SUFFIX}"
    for suffix in ("", "-wal"):
        part = Path(f"{database}{suffix}")
        if part.exists():
            shutil.copy2(part, Path(f"{target}{suffix}"))
    return target
