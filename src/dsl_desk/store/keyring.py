"""The database key and the ways to unwrap it.

The SQLCipher database is encrypted with a random 256-bit key. That key is never stored in the clear: it is
wrapped (AES-256-GCM) once per user with a key derived from their passphrase (Argon2id), and once with a
recovery key shown at set-up for printing. Changing a passphrase re-wraps the key; the data is never
re-encrypted. The keyring file sits beside the database and holds nothing readable without a secret.

Telling a wrong passphrase from a damaged file: AES-GCM fails in exactly the same way for both, so the file
carries its own check. Loading it checks its structure (every field present, base64 that decodes to the
lengths this code writes, Argon2 costs in a sane range) and a SHA-256 checksum over its contents written
with it. A file that fails the structure check is refused as damaged; one whose checksum does not match is
still tried (a slot that unwraps is proven good by AES-GCM itself) but a failed unwrap is then called damage,
not a wrong passphrase. The checksum has no secret in it: it catches accidents (a flipped bit, a truncated
copy, a hand edit), not someone who alters the file on purpose and recomputes it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from dsl_desk.core.i18n import _
from dsl_desk.store.atomic import write_atomically
from dsl_desk.store.errors import KeyringDamaged, StoreError, WrongPassphrase

KEYRING_FORMAT = 1
KEY_BYTES = 32
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: it is read off paper
RECOVERY_GROUPS = 8
RECOVERY_GROUP_LEN = 4
SALT_BYTES = 16
NONCE_BYTES = 12
WRAPPED_BYTES = KEY_BYTES + 16  # the key and the AES-GCM tag

# What the file says about itself: written with a checksum that matches, written before checksums existed, or
# altered since it was written.
SEALED = "sealed"
UNSEALED = "unsealed"
DAMAGED = "damaged"


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. The defaults take a fraction of a second on a school laptop; tests pass cheaper ones."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 2


@dataclass(frozen=True)
class WrappedKey:
    salt: str
    nonce: str
    ciphertext: str
    kdf: KdfParams = field(default_factory=KdfParams)


@dataclass(frozen=True)
class UserSlot:
    username: str
    display_name: str
    wrapped: WrappedKey


@dataclass(frozen=True)
class Keyring:
    database_id: str
    users: tuple[UserSlot, ...]
    recovery: WrappedKey
    demo: bool = False  # fictional data: the unlock screen says so before anything is opened
    # The audit chain's length and head at the last checkpoint, with its HMAC (store/checkpoint.py).
    checkpoint: dict[str, Any] | None = None
    # Not part of the file: how load_keyring found it (SEALED, UNSEALED or DAMAGED).
    integrity: str = field(default=SEALED, compare=False, repr=False)

    def slot(self, username: str) -> UserSlot | None:
        return next((slot for slot in self.users if slot.username == username), None)

    def usernames(self) -> list[str]:
        return [slot.username for slot in self.users]


def new_database_key() -> bytearray:
    return bytearray(secrets.token_bytes(KEY_BYTES))


def new_recovery_key() -> str:
    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LEN))
    groups = [chars[i : i + RECOVERY_GROUP_LEN] for i in range(0, len(chars), RECOVERY_GROUP_LEN)]
    return "-".join(groups)


def normalise_recovery_key(text: str) -> str:
    """Accept what a person types from paper: any case, with or without spaces and dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


# argon2 and cryptography are imported by the functions that use them: the unlock screen lists the accounts
# from this file before anyone types, and importing them there cost time before it painted (issue 17).


def _passphrase_kek(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def _recovery_kek(recovery_key: str, salt: bytes) -> bytes:
    # The recovery key has 160 bits of entropy, so a fast KDF is enough; Argon2 would add nothing.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=b"dsl-desk recovery key")
    return hkdf.derive(normalise_recovery_key(recovery_key).encode("ascii"))


def _wrap(kek: bytes, db_key: bytes, aad: bytes, salt: bytes, params: KdfParams) -> WrappedKey:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    ciphertext = AESGCM(kek).encrypt(nonce, bytes(db_key), aad)
    return WrappedKey(salt=_b64(salt), nonce=_b64(nonce), ciphertext=_b64(ciphertext), kdf=params)


def _unwrap(kek: bytes, wrapped: WrappedKey, aad: bytes) -> bytearray:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return bytearray(AESGCM(kek).decrypt(_unb64(wrapped.nonce), _unb64(wrapped.ciphertext), aad))
    except InvalidTag as error:
        raise WrongPassphrase(_("That passphrase is not right. Check Caps Lock and try again.")) from error


def _user_aad(database_id: str, username: str) -> bytes:
    # Binding the slot to the database and the user stops a slot being copied to another keyring or account.
    return f"dsl-desk:{database_id}:user:{username}".encode()


def _recovery_aad(database_id: str) -> bytes:
    return f"dsl-desk:{database_id}:recovery".encode()


def wrap_for_user(
    db_key: bytes, database_id: str, username: str, passphrase: str, params: KdfParams
) -> WrappedKey:
    salt = secrets.token_bytes(16)
    kek = _passphrase_kek(passphrase, salt, params)
    return _wrap(kek, db_key, _user_aad(database_id, username), salt, params)


def wrap_for_recovery(db_key: bytes, database_id: str, recovery_key: str) -> WrappedKey:
    salt = secrets.token_bytes(16)
    return _wrap(_recovery_kek(recovery_key, salt), db_key, _recovery_aad(database_id), salt, KdfParams())


def unwrap_for_user(keyring: Keyring, username: str, passphrase: str) -> bytearray:
    slot = keyring.slot(username)
    if slot is None:
        raise WrongPassphrase(
            _("There is no account called “{username}” on this database.").format(username=username)
        )
    salt = _unb64(slot.wrapped.salt)
    kek = _passphrase_kek(passphrase, salt, slot.wrapped.kdf)
    return _unwrap(kek, slot.wrapped, _user_aad(keyring.database_id, username))


def unwrap_with_recovery(keyring: Keyring, recovery_key: str) -> bytearray:
    kek = _recovery_kek(recovery_key, _unb64(keyring.recovery.salt))
    try:
        return _unwrap(kek, keyring.recovery, _recovery_aad(keyring.database_id))
    except WrongPassphrase as error:
        raise WrongPassphrase(
            _(
                "That recovery key is not right. Check it against the printed sheet: it is 8 groups of 4 characters."
            )
        ) from error


def create_keyring(
    db_key: bytes, username: str, display_name: str, passphrase: str, params: KdfParams
) -> tuple[Keyring, str]:
    database_id = str(uuid.uuid4())
    recovery_key = new_recovery_key()
    slot = UserSlot(username, display_name, wrap_for_user(db_key, database_id, username, passphrase, params))
    keyring = Keyring(database_id, (slot,), wrap_for_recovery(db_key, database_id, recovery_key))
    return keyring, recovery_key


def with_user(keyring: Keyring, slot: UserSlot) -> Keyring:
    others = tuple(s for s in keyring.users if s.username != slot.username)
    return replace(keyring, users=(*others, slot))


def _body(keyring: Keyring) -> dict[str, Any]:
    body = {"format": KEYRING_FORMAT, **asdict(keyring)}
    body.pop("integrity")
    return body


def _checksum(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def keyring_payload(keyring: Keyring) -> dict[str, Any]:
    """What a keyring file holds: the keyring and the checksum that lets damage be told from a wrong passphrase."""
    body = _body(keyring)
    return {**body, "checksum": _checksum(body)}


def save_keyring(path: Path, keyring: Keyring) -> None:
    write_atomically(path, json.dumps(keyring_payload(keyring), indent=2).encode("utf-8"))


def damaged_slot_message(path: Path, what: str = "your passphrase") -> str:
    other = "the recovery key" if what != "the recovery key" else "your passphrase"
    return (
        f"The key file {path} is damaged: it has been altered since DSL Desk wrote it, so {what} could not be "
        f"checked against it. This is not counted as a wrong attempt. Try {other}, or restore the key file "
        "from a backup (your records are not touched)."
    )


def load_keyring(path: Path) -> Keyring:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise KeyringDamaged(
            _(
                "The key file {path} is missing, so the database cannot be unlocked. Restore it from a backup "
                "(it is saved beside every backup of the database)."
            ).format(path=path),
            path=path,
        ) from error
    except (OSError, ValueError) as error:
        raise KeyringDamaged(
            _(
                "The key file {path} is damaged and cannot be read. Restore it from a backup; the database itself "
                "has not been touched."
            ).format(path=path),
            path=path,
        ) from error
    return _parse_keyring(raw, path)


def _damaged(path: Path, what: str) -> KeyringDamaged:
    return KeyringDamaged(
        _(
            "The key file {path} is damaged ({what}). Restore it from a backup; the database itself has not been "
            "touched."
        ).format(path=path, what=what),
        path=path,
    )


def _parse_keyring(raw: Any, path: Path) -> Keyring:
    if not isinstance(raw, dict):
        raise _damaged(path, "it does not hold a keyring")
    try:
        if not isinstance(raw.get("format", 0), int):
            raise TypeError("format")
        if raw.get("format", 0) > KEYRING_FORMAT:
            raise StoreError(
                _(
                    "The key file {path} was written by a newer version of DSL Desk. Install the newer version to open it."
                ).format(path=path),
                path=path,
            )
        users = tuple(
            UserSlot(_text(u["username"]), _text(u["display_name"]), _parse_wrapped(u["wrapped"]))
            for u in raw["users"]
        )
        checkpoint = raw.get("checkpoint")
        keyring = Keyring(
            _text(raw["database_id"]),
            users,
            _parse_wrapped(raw["recovery"]),
            bool(raw.get("demo", False)),
            checkpoint if isinstance(checkpoint, dict) else None,
        )
    except _BadField as error:
        raise _damaged(path, f"{error} has the wrong form") from error
    except (KeyError, TypeError, AttributeError) as error:
        raise KeyringDamaged(
            _(
                "The key file {path} is damaged (a required entry is missing). Restore it from a backup; the "
                "database itself has not been touched."
            ).format(path=path),
            path=path,
        ) from error
    if not users:
        raise _damaged(path, "it has no accounts")
    written = raw.get("checksum")
    if written is None:
        return replace(keyring, integrity=UNSEALED)  # written before key files carried a checksum
    return keyring if written == _checksum(_body(keyring)) else replace(keyring, integrity=DAMAGED)


class _BadField(ValueError):
    pass


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


def _bytes_field(raw: dict[str, Any], name: str, length: int) -> str:
    value = raw[name]
    try:
        decoded = _unb64(value)
    except (binascii.Error, ValueError, UnicodeError, AttributeError) as error:
        raise _BadField(f"a wrapped key's {name}") from error
    if len(decoded) != length:
        raise _BadField(f"a wrapped key's {name}")
    return value


def _cost(value: Any, low: int, high: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _BadField(f"the passphrase cost ({name})")
    return value


def _parse_wrapped(raw: dict[str, Any]) -> WrappedKey:
    kdf = raw["kdf"]
    params = KdfParams(
        # Bounds a damaged file cannot push past: no zero-cost check, no gigabytes of memory asked for.
        time_cost=_cost(kdf["time_cost"], 1, 64, "time"),
        memory_kib=_cost(kdf["memory_kib"], 8, 4 * 1024 * 1024, "memory"),
        parallelism=_cost(kdf["parallelism"], 1, 64, "parallelism"),
    )
    if params.memory_kib < 8 * params.parallelism:
        raise _BadField("the passphrase cost (memory)")
    return WrappedKey(
        _bytes_field(raw, "salt", SALT_BYTES),
        _bytes_field(raw, "nonce", NONCE_BYTES),
        _bytes_field(raw, "ciphertext", WRAPPED_BYTES),
        params,
    )


def sqlcipher_key_literal(db_key: bytes) -> str:
    """The raw-key form SQLCipher accepts: x'<64 hex>'. A raw key skips SQLCipher's own PBKDF2."""
    return f"x'{bytes(db_key).hex()}'"


def forget(secret: bytearray) -> None:
    """Overwrite a key held in a bytearray. Best effort: Python may have made copies we cannot reach."""
    for index in range(len(secret)):
        secret[index] = 0
