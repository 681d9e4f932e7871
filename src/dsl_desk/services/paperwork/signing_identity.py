"""Each DSL's own signing key and certificate, made on first need and kept in the encrypted database."""

from __future__ import annotations

import base64
import hashlib
import weakref

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dsl_desk.core.i18n import _
from dsl_desk.documents.signing import SigningIdentity, create_identity
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError
from dsl_desk.services.paperwork.trusted_certificates import remember_own_certificate
from dsl_desk.store.database import Store
from dsl_desk.store.models import User

_HKDF_SALT = b"dsl-desk signing identity v1"
# Opening the PKCS#12 blob costs about half a second (key derivation and RSA key checks), so the opened
# identity is kept while its database is unlocked: id(store) -> (user id, blob digest, identity). The entry
# goes when the Store object does, and is ignored once the store is closed (locked).
_opened: dict[int, tuple[int, str, SigningIdentity]] = {}


def ensure_signing_identity(ctx: AppContext) -> SigningIdentity:
    """The signed-in user's identity, created (and audited) the first time it is needed.

    A new one is also made when the stored one has expired or can no longer be opened (e.g. after the
    database key was changed); the old certificate stays valid for the documents it already signed.
    """
    now = ctx.clock.now()
    with ctx.store.session() as session:
        user = session.get(User, ctx.actor.user_id)
        if user is None:
            raise ServiceError(_("The signed-in account no longer exists. Lock DSL Desk and sign in again."))
        existing = _opened_identity(ctx.store, user.id, user.signing_identity)
        passphrase = _pkcs12_passphrase(ctx, user.id)
        if existing is None:
            existing = _load(user.signing_identity, passphrase)
        if existing is not None and existing.valid_until > now:
            _remember(ctx.store, user.id, user.signing_identity, existing)
            remember_own_certificate(ctx.store.paths, existing, user.username, now)
            return existing
        identity = create_identity(
            user.display_name, organisation(session).name, valid_from=now, role=user.role
        )
        user.signing_identity = identity.to_pkcs12(passphrase)
        _remember(ctx.store, user.id, user.signing_identity, identity)
        remember_own_certificate(ctx.store.paths, identity, user.username, now)
        audit.record(
            session,
            at=now,
            user_id=user.id,
            action="signing_identity_created",
            entity="user",
            entity_id=user.id,
            detail={"fingerprint": identity.fingerprint, "replaced": existing is not None},
        )
        return identity


def open_stored_identity(ctx: AppContext) -> SigningIdentity | None:
    """The signed-in user's stored identity, opened and kept for this session (the PKCS#12 key takes a
    noticeable moment to open), or None when there is none yet or it has expired. It never makes one: only
    ensure_signing_identity does, when a document is signed. For warming up after unlock."""
    with ctx.store.session() as session:
        user = session.get(User, ctx.actor.user_id)
        if user is None or not user.signing_identity:
            return None
        blob = user.signing_identity
    existing = _opened_identity(ctx.store, ctx.actor.user_id, blob)
    if existing is None:
        existing = _load(blob, _pkcs12_passphrase(ctx, ctx.actor.user_id))
    if existing is None or existing.valid_until <= ctx.clock.now():
        return None
    _remember(ctx.store, ctx.actor.user_id, blob, existing)
    return existing


def _opened_identity(store: Store, user_id: int, blob: bytes | None) -> SigningIdentity | None:
    entry = _opened.get(id(store))
    if not blob or entry is None or not store.is_open:
        return None
    cached_user, digest, identity = entry
    return identity if (cached_user, digest) == (user_id, _digest(blob)) else None


def _remember(store: Store, user_id: int, blob: bytes | None, identity: SigningIdentity) -> None:
    if not blob:
        return
    if id(store) not in _opened:
        weakref.finalize(store, _opened.pop, id(store), None)
    _opened[id(store)] = (user_id, _digest(blob), identity)


def _digest(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def _load(data: bytes | None, passphrase: bytes) -> SigningIdentity | None:
    if not data:
        return None
    try:
        return SigningIdentity.from_pkcs12(data, passphrase)
    except ValueError:
        return None


def _pkcs12_passphrase(ctx: AppContext, user_id: int) -> bytes:
    # The PKCS#12 blob lives inside the SQLCipher database, and the database key is the real protection:
    # anyone who can read the blob already holds that key. Deriving the blob's passphrase from the key
    # (HKDF, one per user) keeps the blob from being a plain private key if it is ever copied out of the
    # database, without asking the DSL for a second passphrase.
    key = ctx.store.db_key_copy()
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=f"user:{user_id}".encode()
    ).derive(key)
    # Text, not raw bytes: PKCS#12 passwords are converted to UTF-16, which arbitrary bytes are not.
    return base64.urlsafe_b64encode(derived)
