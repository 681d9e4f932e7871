"""Creating, unlocking and closing the encrypted database.

The caller holds the data dir's InstanceLock for as long as it uses the store.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dsl_desk.store import keyring as kr
from dsl_desk.store.engine import make_engine
from dsl_desk.store.errors import (
    AlreadyInitialised,
    DatabaseCorrupt,
    DatabaseMissing,
    DiskFull,
    KeyringDamaged,
    StoreError,
    WrongPassphrase,
)
from dsl_desk.store.migrate import MigrationReport, upgrade_to_head
from dsl_desk.store.paths import DataPaths, ensure_writable
from dsl_desk.store.throttle import PASSPHRASE_DOOR, RECOVERY_KEY_DOOR, UnlockThrottle, seconds_words


@dataclass
class Store:
    """An unlocked database. `close()` disposes every connection and overwrites the key we hold."""

    paths: DataPaths
    engine: Engine
    keyring: kr.Keyring
    _db_key: bytearray = field(repr=False)
    migration: MigrationReport | None = None
    _sessions: sessionmaker[Session] = field(init=False, repr=False)
    # One unit of work at a time in this process: the audit chain reads its last hash and appends in the
    # same transaction, so two threads must not interleave. (InstanceLock keeps other processes out.)
    _unit_lock: threading.RLock = field(init=False, repr=False, default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error, translates a full disk."""
        with self._unit_lock, self._sessions() as session:
            try:
                yield session
                session.commit()
            except OperationalError as error:
                session.rollback()
                raise translate_operational_error(error, self.paths.database) from error
            except DatabaseError as error:
                # A page that no longer decrypts (damaged on disk after the file opened fine): say so plainly,
                # so the app offers the newest good backup instead of failing on whatever screen asked.
                session.rollback()
                if not is_damage(error):
                    raise
                raise DatabaseCorrupt(
                    f"Part of the database {self.paths.database} is damaged and cannot be read "
                    f"({error.orig}). Nothing was changed. Restore the newest good backup.",
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
        kr.save_keyring(self.paths.keyring, keyring)
        self.keyring = keyring

    def close(self) -> None:
        self.engine.dispose()
        kr.forget(self._db_key)
        self._db_key = bytearray()


def is_damage(error: DatabaseError) -> bool:
    message = str(error.orig).lower()
    return "malformed" in message or "not a database" in message or "corrupt" in message


def translate_operational_error(error: OperationalError, database: Path) -> StoreError:
    message = str(error.orig).lower()
    if "disk is full" in message or "database or disk is full" in message:
        return DiskFull(
            f"The disk holding {database} is full, so the last change was not saved. Nothing already saved "
            "was lost. Free some space (or move the data folder), then try again.",
            path=database,
        )
    if "readonly" in message or "read-only" in message:
        return StoreError(
            f"The database {database} cannot be written to (it is read-only). Check the file's permissions.",
            path=database,
        )
    return StoreError(
        f"The database {database} reported an error: {error.orig}. Nothing was saved.", path=database
    )


def create_database(
    paths: DataPaths, username: str, display_name: str, passphrase: str, *, now: datetime, kdf: kr.KdfParams
) -> tuple[Store, str]:
    """Make a new encrypted database and its keyring. Returns the store and the one-time recovery key."""
    ensure_writable(paths)
    if paths.exists():
        raise AlreadyInitialised(
            f"There is already a DSL Desk database in {paths.root}. Open it instead, or choose another data folder.",
            path=paths.root,
        )
    db_key = kr.new_database_key()
    keyring, recovery_key = kr.create_keyring(bytes(db_key), username, display_name, passphrase, kdf)
    try:
        store = open_with_key(paths, keyring, db_key, now)
        restrict_to_owner(paths.database)
        kr.save_keyring(paths.keyring, keyring)
    except BaseException:
        # Nothing of the user's is in a half-made database yet: remove it so set-up can simply be run again.
        for leftover in (
            paths.database,
            Path(f"{paths.database}-wal"),
            Path(f"{paths.database}-shm"),
            paths.keyring,
        ):
            leftover.unlink(missing_ok=True)
        raise
    return store, recovery_key


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
                f"{error} After several wrong attempts you must wait {seconds_words(int(wait.total_seconds()))} "
                "before the next try."
            ) from error
        raise
    return _sealed(open_with_key(paths, keyring, db_key, now))


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
                f"{error} If you are sure of both the recovery key and your passphrase, the key file "
                f"{paths.keyring} may be damaged: restore it from a backup."
            ) from error
        raise
    return _sealed(open_with_key(paths, keyring, db_key, now))


def _sealed(store: Store) -> Store:
    """A key file from before checksums existed gets one, now that a secret has proven it good."""
    if store.keyring.integrity == kr.UNSEALED:
        with contextlib.suppress(OSError):
            store.save_keyring(dataclasses.replace(store.keyring, integrity=kr.SEALED))
    return store


def _keyring_for_existing(paths: DataPaths) -> kr.Keyring:
    if not paths.database.exists():
        if paths.keyring.exists():
            raise DatabaseMissing(
                f"The database file {paths.database} is missing, though its key file is there. Restore the "
                "database from a backup (or put the file back); DSL Desk will not make a new, empty one in its place.",
                path=paths.database,
            )
        raise DatabaseMissing(
            f"There is no DSL Desk database in {paths.root}. Run the set-up first.", path=paths.database
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
            f"The database {paths.database} is damaged or is not a DSL Desk database ({error.orig}). "
            "It has not been changed. Restore the newest backup, or ask for help before doing anything else "
            "with the file.",
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
        raise KeyringDamaged("The key file does not match this database. Nothing was changed.")
    kr.forget(verified)
    slot = store.keyring.slot(username)
    assert slot is not None
    wrapped = kr.wrap_for_user(store.db_key_copy(), store.keyring.database_id, username, new_passphrase, kdf)
    store.save_keyring(kr.with_user(store.keyring, kr.UserSlot(username, slot.display_name, wrapped)))


def add_user_slot(
    store: Store, username: str, display_name: str, passphrase: str, *, kdf: kr.KdfParams
) -> None:
    if store.keyring.slot(username) is not None:
        raise StoreError(f"There is already an account called “{username}”. Choose another user name.")
    wrapped = kr.wrap_for_user(store.db_key_copy(), store.keyring.database_id, username, passphrase, kdf)
    store.save_keyring(kr.with_user(store.keyring, kr.UserSlot(username, display_name, wrapped)))
