"""Creating, unlocking and closing the encrypted database.

The caller holds the data dir's InstanceLock for as long as it uses the store.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import threading
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dsl_desk.core.i18n import _
from dsl_desk.store import keyring as kr
from dsl_desk.store.engine import make_engine
from dsl_desk.store.errors import (
    AlreadyInitialised,
    DatabaseCorrupt,
    DatabaseMissing,
    DatabaseTooNew,
    DataDirNotWritable,
    DiskFull,
    KeyringDamaged,
    ReadOnlyDesk,
    SetupUnfinished,
    StoreError,
    WrongPassphrase,
)
from dsl_desk.store.migrate import (
    MigrationReport,
    current_revision,
    head_revision,
    known_revisions,
    upgrade_to_head,
)
from dsl_desk.store.paths import DataPaths, ensure_writable
from dsl_desk.store.readonly import read_only_message, refusing_writes, write_problem
from dsl_desk.store.throttle import PASSPHRASE_DOOR, RECOVERY_KEY_DOOR, UnlockThrottle, seconds_words

T = TypeVar("T")


@dataclass
class Store:
    """An unlocked database. `close()` disposes every connection and overwrites the key we hold."""

    paths: DataPaths
    engine: Engine
    keyring: kr.Keyring
    _db_key: bytearray = field(repr=False)
    migration: MigrationReport | None = None
    # Why nothing can be written ('' when the desk is writable): a full disk or a read-only data folder.
    read_only: str = ""
    _sessions: sessionmaker[Session] = field(init=False, repr=False)
    # One unit of work at a time in this process: the audit chain reads its last hash and appends in the
    # same transaction, so two threads must not interleave. (InstanceLock keeps other processes out.)
    _unit_lock: threading.RLock = field(init=False, repr=False, default_factory=threading.RLock)
    # The change signal: how many committed transactions have written to each table through this engine.
    # A service may keep what it read while the counts of the tables it read are unchanged (see changes_to).
    _writes: dict[str, int] = field(init=False, repr=False, default_factory=dict)
    _kept: dict[str, tuple[Hashable, Any]] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        _count_writes(self.engine, self._writes)

    def changes_to(self, *tables: str) -> tuple[int, ...]:
        """How many committed writes each of these tables has had in this process: equal tuples mean none of
        them changed in between (only this process writes while it holds the instance lock)."""
        everything = self._writes.get(_ANY_TABLE, 0)
        return tuple(self._writes.get(table, 0) + everything for table in tables)

    def data_changes(self) -> Hashable:
        """Changes to anything a screen shows: this process's committed writes to every table but the audit
        trail (a view is recorded there) and the drafts (wizards save them as the user types), and the state
        of the database file and its WAL, which any commit by any connection or process changes."""
        ours = sum(count for table, count in self._writes.items() if table not in _NOT_SHOWN)
        return ours, _file_state(self.paths.database), _file_state(Path(f"{self.paths.database}-wal"))

    def kept(self, name: str, key: Hashable, compute: Callable[[], T]) -> T:
        """What `compute()` gave the last time `name` was asked for with this same key, else compute it now.
        Callers put in the key everything the result depends on (data_changes(), the day, …), so nothing
        kept outlives a change: the change signal is the key."""
        with self._unit_lock:
            found = self._kept.get(name)
            if found is not None and found[0] == key:
                return found[1]  # type: ignore[no-any-return]
        value = compute()
        with self._unit_lock:
            self._kept[name] = (key, value)
        return value

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error, translates a full disk."""
        with self._unit_lock, self._sessions() as session, refusing_writes(self.read_only):
            # audit.record reads this: on a read-only desk views go unrecorded and changes are refused at once.
            session.info["read_only"] = self.read_only
            try:
                yield session
                session.commit()
            except OperationalError as error:
                session.rollback()
                if self.read_only and "readonly" in str(error.orig).lower():
                    raise ReadOnlyDesk(self.read_only) from error
                raise translate_operational_error(error, self.paths.database) from error
            except DatabaseError as error:
                # A page that no longer decrypts (damaged on disk after the file opened fine): say so plainly,
                # so the app offers the newest good backup instead of failing on whatever screen asked.
                session.rollback()
                if not is_damage(error):
                    raise
                raise DatabaseCorrupt(
                    _(
                        "Part of the database {database} is damaged and cannot be read "
                        "({orig}). Nothing was changed. Restore the newest good backup."
                    ).format(database=self.paths.database, orig=error.orig),
                    path=self.paths.database,
                ) from error
            except BaseException:
                session.rollback()
                raise

    @property
    def is_open(self) -> bool:
        return bool(self._db_key)

    def db_key_copy(self) -> bytes:
        """For backups that must stay encrypted with the same key."""
        return bytes(self._db_key)

    def save_keyring(self, keyring: kr.Keyring) -> None:
        if self.read_only:
            raise ReadOnlyDesk(self.read_only)
        kr.save_keyring(self.paths.keyring, keyring)
        self.keyring = keyring

    def close(self) -> None:
        self.engine.dispose()
        kr.forget(self._db_key)
        self._db_key = bytearray()


_WRITE = re.compile(
    r"^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+[\"`\[]?(\w+)",
    re.IGNORECASE,
)


def _file_state(path: Path) -> tuple[int, int]:
    try:
        found = path.stat()
    except OSError:
        return (0, 0)
    return (found.st_mtime_ns, found.st_size)


_NOT_SHOWN = frozenset({"audit_events", "drafts"})
_ANY_TABLE = (
    "*"  # a statement that changes what cannot be named (DDL, a restore): every table counts as changed
)


def _count_writes(engine: Engine, writes: dict[str, int]) -> None:
    """Note the tables each statement writes, and count them once its transaction commits."""

    @event.listens_for(engine, "before_cursor_execute")
    def _note(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        head = statement.lstrip()[:8].upper()
        if head.startswith(("SELECT", "PRAGMA", "SAVEPOIN", "RELEASE", "BEGIN", "WITH")):
            return  # reads, and a transaction's own bookkeeping
        found = _WRITE.match(statement)
        connection.info.setdefault("dsl_desk_writes", set()).add(found[1].lower() if found else _ANY_TABLE)

    @event.listens_for(engine, "commit")
    def _committed(connection: Any) -> None:
        for table in connection.info.pop("dsl_desk_writes", ()):
            writes[table] = writes.get(table, 0) + 1

    @event.listens_for(engine, "rollback")
    def _rolled_back(connection: Any) -> None:
        connection.info.pop("dsl_desk_writes", None)


def is_damage(error: DatabaseError) -> bool:
    message = str(error.orig).lower()
    return "malformed" in message or "not a database" in message or "corrupt" in message


def translate_operational_error(error: OperationalError, database: Path) -> StoreError:
    message = str(error.orig).lower()
    if "disk is full" in message or "database or disk is full" in message:
        return DiskFull(
            _(
                "The disk holding {database} is full, so the last change was not saved. Nothing already saved "
                "was lost. Free some space (or move the data folder), then try again."
            ).format(database=database),
            path=database,
        )
    if "readonly" in message or "read-only" in message:
        return StoreError(
            _(
                "The database {database} cannot be written to (it is read-only). Check the file's permissions."
            ).format(database=database),
            path=database,
        )
    return StoreError(
        _("The database {database} reported an error: {orig}. Nothing was saved.").format(
            database=database, orig=error.orig
        ),
        path=database,
    )


def create_database(
    paths: DataPaths,
    username: str,
    display_name: str,
    passphrase: str,
    *,
    now: datetime,
    kdf: kr.KdfParams,
    populate: Callable[[Store], None] | None = None,
) -> tuple[Store, str]:
    """Make a new encrypted database and its keyring, all or nothing. Returns the store and the recovery key.

    Both are built in paths.setup_staging inside the data folder (so policies/ or backups/ already there are
    left alone, and the renames stay on one file system); `populate` writes the first rows there. Only then
    are the database and the key file renamed into place, and the staging folder removed: its removal is the
    moment the set-up is done. A set-up killed before that leaves the staging folder, which says so
    (DataPaths.setup_unfinished), and `clear_unfinished_setup` takes back what it made.
    """
    ensure_writable(paths)
    if paths.exists():
        raise AlreadyInitialised(
            _(
                "There is already a DSL Desk database in {root}. Open it instead, or choose another data folder."
            ).format(root=paths.root),
            path=paths.root,
        )
    staged = DataPaths(paths.setup_staging)
    try:
        staged.root.mkdir()
    except FileExistsError:
        raise AlreadyInitialised(
            _("A set-up of {root} did not finish last time. Start the set-up again.").format(root=paths.root),
            path=paths.root,
        ) from None
    except OSError as error:
        raise DataDirNotWritable(
            _("DSL Desk cannot write to its data folder {root} ({value}). Nothing was created.").format(
                root=paths.root, value=error.strerror or error
            ),
            path=paths.root,
        ) from error
    db_key = kr.new_database_key()
    kept_key = bytes(db_key)
    try:
        keyring, recovery_key = kr.create_keyring(kept_key, username, display_name, passphrase, kdf)
        store = open_with_key(staged, keyring, db_key, now)
        try:
            restrict_to_owner(staged.database)
            kr.save_keyring(staged.keyring, keyring)  # first: populate may add to it (the audit checkpoint)
            if populate is not None:
                populate(store)
            with store.engine.connect() as connection:  # everything into the main file: one file to move
                connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        finally:
            store.close()
        _move_into_place(staged, paths)
        keyring = kr.load_keyring(paths.keyring)
    except BaseException:
        # Nothing of the user's is in a half-made set-up yet: take it back so set-up can simply be run again.
        with contextlib.suppress(OSError):
            clear_unfinished_setup(paths)
        raise
    return open_with_key(paths, keyring, bytearray(kept_key), now), recovery_key


def _move_into_place(staged: DataPaths, paths: DataPaths) -> None:
    for companion in ("-wal", "-shm"):
        Path(f"{staged.database}{companion}").unlink(missing_ok=True)  # closed and checkpointed: empty
    os.replace(staged.database, paths.database)
    _fsync_folder(paths.root)
    os.replace(staged.keyring, paths.keyring)
    _fsync_folder(paths.root)
    shutil.rmtree(staged.root)  # the commit: from here on the set-up is done
    _fsync_folder(paths.root)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not possible on Windows; the renames are still atomic there
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def clear_unfinished_setup(paths: DataPaths) -> list[Path]:
    """Take back what an unfinished set-up made, so it can run again. Returns files kept aside (never deleted).

    With the staging folder present, the database and key file beside it were made by that set-up (it
    refuses to start where either exists), so they go with it. An older version's keyless database without
    the staging folder is not deleted but renamed aside, in case it is anything more than it seems.
    """
    kept: list[Path] = []
    if paths.setup_staging.exists():
        for made in (
            paths.keyring,
            paths.database,
            Path(f"{paths.database}-wal"),
            Path(f"{paths.database}-shm"),
        ):
            made.unlink(missing_ok=True)
        shutil.rmtree(paths.setup_staging, ignore_errors=True)
        _fsync_folder(paths.root)
    elif paths.setup_unfinished():
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        for suffix in ("", "-wal"):
            part = Path(f"{paths.database}{suffix}")
            if part.exists():
                aside = paths.setup_aside(stamp, suffix)
                os.replace(part, aside)
                kept.append(aside)
        Path(f"{paths.database}-shm").unlink(missing_ok=True)
    return kept


def restrict_to_owner(path: Path) -> None:
    """Other accounts on a shared laptop have no business reading even the encrypted file."""
    with contextlib.suppress(OSError):  # not every file system keeps POSIX permissions (FAT USB drives)
        path.chmod(0o600)


def unlock(paths: DataPaths, username: str, passphrase: str, *, now: datetime) -> Store:
    """Open with a passphrase. Failed attempts are counted here; they are cleared only by the service that
    signs in, once it has written them to the audit trail."""
    keyring = _keyring_for_existing(paths)
    throttle = UnlockThrottle.for_data(paths, PASSPHRASE_DOOR)
    throttle.check(now)
    try:
        db_key = kr.unwrap_for_user(keyring, username, passphrase)
    except WrongPassphrase as error:
        if keyring.integrity == kr.DAMAGED and keyring.slot(username) is not None:
            # The file is not as it was written: a failure proves nothing about the passphrase, so it is not
            # counted (and the person is sent to a backup of the key file, not made to wait).
            raise KeyringDamaged(
                kr.damaged_slot_message(paths.keyring, "your passphrase"), path=paths.keyring
            ) from error
        wait = throttle.record_failure(now, username)
        if wait:
            raise WrongPassphrase(
                _(
                    "{error} After several wrong attempts you must wait {seconds_words} before the next try."
                ).format(error=error, seconds_words=seconds_words(int(wait.total_seconds())))
            ) from error
        raise
    return _sealed(open_desk(paths, keyring, db_key, now))


def unlock_with_recovery(paths: DataPaths, recovery_key: str, *, now: datetime) -> Store:
    """Open with the recovery key: a door of its own, never kept shut by mistyped passphrases."""
    keyring = _keyring_for_existing(paths)
    throttle = UnlockThrottle.for_data(paths, RECOVERY_KEY_DOOR)
    throttle.check(now)
    try:
        db_key = kr.unwrap_with_recovery(keyring, recovery_key)
    except WrongPassphrase as error:
        if keyring.integrity == kr.DAMAGED:
            raise KeyringDamaged(
                kr.damaged_slot_message(paths.keyring, "the recovery key"), path=paths.keyring
            ) from error
        throttle.record_failure(now)
        if keyring.integrity == kr.UNSEALED and UnlockThrottle.for_data(paths, PASSPHRASE_DOOR).failures():
            # An old key file has no checksum: when neither secret opens it, say damage is possible.
            raise WrongPassphrase(
                _(
                    "{error} If you are sure of both the recovery key and your passphrase, the key file "
                    "{keyring} may be damaged: restore it from a backup."
                ).format(error=error, keyring=paths.keyring)
            ) from error
        raise
    return _sealed(open_desk(paths, keyring, db_key, now))


def _sealed(store: Store) -> Store:
    """A key file from before checksums existed gets one, now that a secret has proven it good."""
    if store.keyring.integrity == kr.UNSEALED and not store.read_only:
        with contextlib.suppress(OSError, StoreError):  # sealing is for later; opening must not fail on it
            store.save_keyring(dataclasses.replace(store.keyring, integrity=kr.SEALED))
    return store


def open_desk(paths: DataPaths, keyring: kr.Keyring, db_key: bytearray, now: datetime) -> Store:
    """Open for writing when the data folder can be written; else read-only, saying why (Store.read_only)."""
    problem = write_problem(paths.root)
    if problem:
        return open_read_only(paths, keyring, db_key, problem)
    spare = bytearray(db_key)  # open_with_key forgets the key it was given when it fails
    try:
        store = open_with_key(paths, keyring, db_key, now)
    except StoreError:
        # The disk may have filled, or the drive turned read-only, between the probe and the open.
        problem = write_problem(paths.root)
        if not problem:
            kr.forget(spare)
            raise
        return open_read_only(paths, keyring, spare, problem)
    kr.forget(spare)
    return store


def open_read_only(paths: DataPaths, keyring: kr.Keyring, db_key: bytearray, problem: str) -> Store:
    """SQLite's mode=ro; where even that needs to write (its -shm index on a full disk), immutable=1 —
    but only when no WAL holds changes the main file lacks, or those changes would silently not show."""
    message = read_only_message(paths.root, problem)
    wal = Path(f"{paths.database}-wal")
    last_error: DatabaseError | None = None
    try:
        for immutable in (False, True):
            if immutable and _has_content(wal):
                raise ReadOnlyDesk(
                    _(
                        "The data folder {root} cannot be written to ({problem}), and the newest changes are "
                        "still in {name}, which cannot be read without writing beside it. Nothing was changed. "
                        "Free some space (or make the folder writable), then open DSL Desk again."
                    ).format(root=paths.root, problem=problem, name=wal.name),
                    path=paths.root,
                )
            engine = make_engine(paths.database, bytes(db_key), read_only=True, immutable=immutable)
            try:
                current = current_revision(engine)
            except DatabaseError as error:
                engine.dispose()
                last_error = error
                continue
            _check_schema_read_only(current, paths, problem)
            return Store(paths, engine, keyring, db_key, None, read_only=message)
    except BaseException:
        kr.forget(db_key)
        raise
    kr.forget(db_key)
    raise DatabaseCorrupt(
        _(
            "The database {database} could not be opened, even read-only ({value}), "
            "and its folder cannot be written to ({problem}). It has not been changed. Free some space or make the "
            "folder writable, then try again."
        ).format(database=paths.database, value=last_error and last_error.orig, problem=problem),
        path=paths.database,
    )


def _has_content(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _check_schema_read_only(current: str | None, paths: DataPaths, problem: str) -> None:
    if current == head_revision():
        return
    if current is not None and current not in known_revisions():
        raise DatabaseTooNew(
            _(
                "The database {database} was made by a newer version of DSL Desk (schema {current}). "
                "It has not been changed. Install the newest DSL Desk to open it."
            ).format(database=paths.database, current=current),
            path=paths.database,
        )
    raise ReadOnlyDesk(
        _(
            "The database {database} must be upgraded for this version of DSL Desk, and its folder cannot "
            "be written to ({problem}). Nothing was changed. Free some space (or make the folder writable), then "
            "open DSL Desk again."
        ).format(database=paths.database, problem=problem),
        path=paths.database,
    )


SETUP_UNFINISHED = "Set-up did not finish last time; start it again"


def _keyring_for_existing(paths: DataPaths) -> kr.Keyring:
    if paths.setup_unfinished():
        raise SetupUnfinished(
            _(
                "{SETUP_UNFINISHED} (open DSL Desk, or run `dsl-desk init`). Nothing you entered is lost: "
                "the set-up of {root} was stopped before it was done."
            ).format(SETUP_UNFINISHED=SETUP_UNFINISHED, root=paths.root),
            path=paths.root,
        )
    if not paths.database.exists():
        if paths.keyring.exists():
            raise DatabaseMissing(
                _(
                    "The database file {database} is missing, though its key file is there. Restore the "
                    "database from a backup (or put the file back); DSL Desk will not make a new, empty one in its place."
                ).format(database=paths.database),
                path=paths.database,
            )
        raise DatabaseMissing(
            _("There is no DSL Desk database in {root}. Run the set-up first.").format(root=paths.root),
            path=paths.database,
        )
    return kr.load_keyring(paths.keyring)


def open_with_key(paths: DataPaths, keyring: kr.Keyring, db_key: bytearray, now: datetime) -> Store:
    engine = make_engine(paths.database, bytes(db_key))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT count(*) FROM sqlite_master"))
        migration = upgrade_to_head(engine, paths.database, paths.backups, now)
    except DatabaseError as error:
        engine.dispose()
        kr.forget(db_key)
        if isinstance(error, OperationalError) and "disk is full" in str(error.orig).lower():
            raise translate_operational_error(error, paths.database) from error
        raise DatabaseCorrupt(
            _(
                "The database {database} is damaged or is not a DSL Desk database ({orig}). "
                "It has not been changed. Restore the newest backup, or ask for help before doing anything else "
                "with the file."
            ).format(database=paths.database, orig=error.orig),
            path=paths.database,
        ) from error
    except BaseException:
        engine.dispose()
        kr.forget(db_key)
        raise
    return Store(paths, engine, keyring, db_key, migration)


def change_passphrase(
    store: Store, username: str, old_passphrase: str, new_passphrase: str, *, kdf: kr.KdfParams
) -> None:
    """Re-wrap the database key under a new passphrase. The data is not re-encrypted."""
    verified = kr.unwrap_for_user(store.keyring, username, old_passphrase)
    if bytes(verified) != store.db_key_copy():
        raise KeyringDamaged(_("The key file does not match this database. Nothing was changed."))
    kr.forget(verified)
    slot = store.keyring.slot(username)
    assert slot is not None
    wrapped = kr.wrap_for_user(store.db_key_copy(), store.keyring.database_id, username, new_passphrase, kdf)
    store.save_keyring(kr.with_user(store.keyring, kr.UserSlot(username, slot.display_name, wrapped)))


def add_user_slot(
    store: Store, username: str, display_name: str, passphrase: str, *, kdf: kr.KdfParams
) -> None:
    if store.keyring.slot(username) is not None:
        raise StoreError(
            _("There is already an account called “{username}”. Choose another user name.").format(
                username=username
            )
        )
    wrapped = kr.wrap_for_user(store.db_key_copy(), store.keyring.database_id, username, passphrase, kdf)
    store.save_keyring(kr.with_user(store.keyring, kr.UserSlot(username, display_name, wrapped)))
