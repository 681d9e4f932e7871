"""One running DSL Desk per data dir. An OS lock held on open files, so a crashed app never leaves a stale
lock behind, and deleting the lock file under a running desk does not let a second copy in.

POSIX: `flock` on the lock file *and* on the data folder itself. A lock belongs to the open file, not to
its name: if someone deletes dsl-desk.lock, the running desk still holds its lock on the deleted file, and
a second copy would create a new file and lock that. The folder cannot be deleted while it holds the
database, so its lock is the one that keeps the second copy out; the lock file stays for the process id
it shows. Windows: `msvcrt.locking` on the lock file, which Windows will not let anyone delete while the
running desk has it open.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import IO

from dsl_desk.core.i18n import _
from dsl_desk.store.errors import AlreadyOpen

_UNWRITABLE = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class InstanceLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None
        self._folder: int | None = None

    def acquire(self) -> None:
        folder = _lock_folder(self.path.parent)
        handle: IO[bytes] | None = None
        try:
            if folder == _HELD_ELSEWHERE:
                raise BlockingIOError("the data folder is locked by another copy")
            handle = self._open_lock_file()
            if handle is not None:
                _lock(handle)
        except OSError as error:
            if handle is not None:
                handle.close()
            _unlock_folder(folder)
            if handle is None and folder != _HELD_ELSEWHERE:
                raise  # the lock file cannot be made: not a second copy, a folder problem
            raise AlreadyOpen(
                _(
                    "DSL Desk is already open on the data folder {parent}. Switch to that window "
                    "(it may be minimised or locked); two copies at once could lose work."
                ).format(parent=self.path.parent),
                path=self.path,
            ) from error
        if handle is not None:
            try:
                handle.seek(0)
                handle.truncate()
                handle.write(str(os.getpid()).encode())
                handle.flush()
            except OSError:
                pass  # the process id is only a note for people; a full disk must not keep the desk from opening
        self._handle = handle
        self._folder = folder

    def _open_lock_file(self) -> IO[bytes] | None:
        try:
            return self.path.open(
                "a+b", buffering=0
            )  # unbuffered: a failed write fails at once, not at close
        except OSError as error:
            if error.errno not in _UNWRITABLE:
                raise
        # A read-only or full data folder: the desk opens read-only. An existing lock file can still be locked
        # (flock needs no write access); with none and no way to make one, the folder's lock alone guards it.
        try:
            return self.path.open("rb", buffering=0)
        except FileNotFoundError:
            return None

    def release(self) -> None:
        if self._handle is not None:
            try:
                _unlock(self._handle)
            finally:
                with contextlib.suppress(OSError):
                    self._handle.close()
                self._handle = None
        if self._folder is not None:
            _unlock_folder(self._folder)
            self._folder = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object | TracebackType | None) -> None:
        self.release()


_HELD_ELSEWHERE = -2  # the folder's lock is held by another copy
_NO_FOLDER_LOCK = -1  # this platform or file system cannot lock a folder: the lock file alone guards it

if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds
    import msvcrt

    def _lock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

    def _lock_folder(folder: Path) -> int:
        return _NO_FOLDER_LOCK

    def _unlock_folder(fd: int) -> None:
        return None

else:
    import fcntl

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _lock_folder(folder: Path) -> int:
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            return _NO_FOLDER_LOCK
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return _HELD_ELSEWHERE
        except OSError:  # a file system that cannot lock a folder
            os.close(fd)
            return _NO_FOLDER_LOCK
        return fd

    def _unlock_folder(fd: int) -> None:
        if fd >= 0:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
