"""What the unlock screen shows before anyone has signed in: the accounts in the key file, whether the desk
holds the demo's fictional data, and how long to wait after failed attempts.

It reads only keyring.json and the throttle file — nothing that needs the database key — so the screen can be
painted before the database layer is even imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dsl_desk.store.keyring import UNSEALED, load_keyring
from dsl_desk.store.paths import DataPaths
from dsl_desk.store.throttle import PASSPHRASE_DOOR, RECOVERY_KEY_DOOR, UnlockThrottle, seconds_words

__all__ = ["Account", "Door", "read_door", "seconds_words", "wait_before_next_try"]


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str


@dataclass(frozen=True)
class Door:
    accounts: tuple[Account, ...]
    demo: bool  # fictional data: the unlock screen says so before anything is opened
    unsealed: bool  # an old key file without a checksum: a secret that fails may mean it is damaged


def read_door(paths: DataPaths) -> Door:
    """The key file as the unlock screen needs it. Raises KeyringDamaged (services.errors) when it cannot be
    read, with a message that says what to do."""
    keyring = load_keyring(paths.keyring)
    return Door(
        accounts=tuple(Account(slot.username, slot.display_name) for slot in keyring.users),
        demo=keyring.demo,
        unsealed=keyring.integrity == UNSEALED,
    )


def wait_before_next_try(paths: DataPaths, now: datetime, *, recovery_key: bool = False) -> timedelta:
    """How long the passphrase (or the recovery key) door stays shut after failed attempts; zero when open."""
    door = RECOVERY_KEY_DOOR if recovery_key else PASSPHRASE_DOOR
    return UnlockThrottle.for_data(paths, door).remaining(now)
