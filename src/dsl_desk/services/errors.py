"""The errors a service call may raise, as the UI and the command line see them.

Every one is a `DeskError`: catch that and show `str(error)`. The store's own kinds that a screen treats
differently (a wrong passphrase, a damaged database or key file, a desk opened read-only) are named here, so that
no caller above the services imports the store to recognise them.
"""

from __future__ import annotations

from dsl_desk.core.errors import DeskError
from dsl_desk.store.errors import (
    AlreadyOpen,
    DatabaseCorrupt,
    DatabaseTooNew,
    DiskFull,
    KeyringDamaged,
    NotFound,
    ReadOnlyDesk,
    StoreError,
    UnlockThrottled,
    WrongPassphrase,
)

__all__ = [
    "AlreadyOpen",
    "DatabaseCorrupt",
    "DatabaseTooNew",
    "DeskError",
    "DiskFull",
    "KeyringDamaged",
    "NotFound",
    "ReadOnlyDesk",
    "ServiceError",
    "StoreError",
    "UnlockThrottled",
    "ValidationError",
    "WrongPassphrase",
]


class ServiceError(DeskError):
    """A request the rules refuse. `str(error)` is a plain-English message for the user."""


class ValidationError(ServiceError):
    """Input a user must correct. `field` names the form field when there is one."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field
