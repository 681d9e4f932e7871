"""Errors the store raises. Each carries a plain-English message that says what happened and what to do."""

from __future__ import annotations

from pathlib import Path

from dsl_desk.core.errors import DeskError


class StoreError(DeskError):
    """Base for every storage failure a user may see. `str(error)` is the message to show."""

    def __init__(self, message: str, *, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class WrongPassphrase(StoreError):
    pass


class UnlockThrottled(StoreError):
    def __init__(self, message: str, *, wait_seconds: int) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


class DatabaseMissing(StoreError):
    pass


class DatabaseCorrupt(StoreError):
    pass


class DatabaseTooNew(StoreError):
    pass


class KeyringDamaged(StoreError):
    pass


class DataDirNotWritable(StoreError):
    pass


class DiskFull(StoreError):
    pass


class AlreadyOpen(StoreError):
    pass


class AlreadyInitialised(StoreError):
    pass


class NotFound(StoreError):
    pass


class ReadOnlyDesk(StoreError):
    """The data folder cannot be written (a full disk, a read-only drive): the desk is open read-only and
    this change was refused before anything was written."""


class SetupUnfinished(StoreError):
    """A set-up was killed or failed part-way: it is to be run again (`dsl-desk init` or the first-run)."""
