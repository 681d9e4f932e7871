"""Accounts: deputy DSLs on the same database, passphrase changes, drawn signatures."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from dsl_desk.core.i18n import _
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.desk.setup import NewUser, passphrase_problem, validate_new_user
from dsl_desk.services.errors import ValidationError
from dsl_desk.store import database
from dsl_desk.store.keyring import KdfParams
from dsl_desk.store.models import User


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: str
    is_active: bool
    has_signature: bool


def list_users(ctx: AppContext) -> list[UserRow]:
    with ctx.store.session() as session:
        return [
            UserRow(u.id, u.username, u.display_name, u.role, u.is_active, u.signature_png is not None)
            for u in session.scalars(select(User).order_by(User.display_name))
        ]


def add_deputy(ctx: AppContext, user: NewUser, *, kdf: KdfParams | None = None) -> UserRow:
    """A deputy DSL gets an account and passphrase of their own on this database; rows record who wrote them."""
    validate_new_user(user)
    with ctx.store.session() as session:
        if session.scalars(select(User).where(User.username == user.username)).first():
            raise ValidationError(
                _("There is already an account called “{username}”.").format(username=user.username),
                field="username",
            )
    database.add_user_slot(
        ctx.store, user.username, user.display_name.strip(), user.passphrase, kdf=kdf or KdfParams()
    )
    with ctx.store.session() as session:
        row = User(
            username=user.username,
            display_name=user.display_name.strip(),
            role=user.role.strip(),
            signature_png=user.signature_png,
            created_at=ctx.clock.now(),
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="user_added",
            entity="user",
            entity_id=row.id,
            detail={"username": user.username, "role": user.role},
        )
        return UserRow(row.id, row.username, row.display_name, row.role, True, row.signature_png is not None)


def change_passphrase(ctx: AppContext, old: str, new: str, *, kdf: KdfParams | None = None) -> None:
    problem = passphrase_problem(new)
    if problem:
        raise ValidationError(problem, field="new_passphrase")
    if old == new:
        raise ValidationError(_("The new passphrase is the same as the old one."), field="new_passphrase")
    database.change_passphrase(ctx.store, ctx.actor.username, old, new, kdf=kdf or KdfParams())
    with ctx.store.session() as session:
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="passphrase_changed",
            entity="user",
            entity_id=ctx.actor.user_id,
        )


def set_signature(ctx: AppContext, png: bytes | None) -> None:
    with ctx.store.session() as session:
        user = session.get(User, ctx.actor.user_id)
        assert user is not None
        user.signature_png = png
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="signature_changed",
            entity="user",
            entity_id=user.id,
        )


def signature_of(ctx: AppContext) -> bytes | None:
    with ctx.store.session() as session:
        user = session.get(User, ctx.actor.user_id)
        return user.signature_png if user else None
