"""One running DSL Desk per data dir. An OS file lock, so a crashed app never leaves a stale lock behind."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import IO

from dsl_desk.store.errors import AlreadyOpen

_UNWRITABLE = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class InstanceLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None

    def acquire(self) -> None:
        try:
            handle = self.path.open("a+b", buffering=0)  # a failed write fails here, not at close
        except OSError as error:
            if error.errno not in _UNWRITABLE:
                raise
            # A read-only or full data folder: the desk opens read-only, and an existing lock file can still
            # be locked (flock needs no write access). With no lock file and no way to make one, go on
            # unlocked: a second copy could not change anything in that folder either.
            try:
                handle = self.path.open("rb", buffering=0)
            except FileNotFoundError:
                return
        try:
            _lock(handle)
        except OSError as error:
            handle.close()
            raise AlreadyOpen(
                f"DSL Desk is already open on the data folder {self.path.parent}. Switch to that window "
                "(it may be minimised or locked); two copies at once could lose work.",
                path=self.path,
            ) from error
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()).encode())
            handle.flush()
        except OSError:
            pass  # the process id is only a note for people; a full disk must not keep the desk from opening
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            try:
                _unlock(self._handle)
            finally:
                with contextlib.suppress(OSError):
                    self._handle.close()
                self._handle = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object | TracebackType | None) -> None:
        self.release()


if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds
    import msvcrt

    def _lock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
