"""Wizard drafts: what a user typed into an unfinished wizard, kept in the encrypted database so that closing
the window or a crash loses nothing. One draft per user, kind and subject; saving replaces it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from dsl_desk.services.context import AppContext
from dsl_desk.store.models import Draft


@dataclass(frozen=True)
class DraftView:
    kind: str
    subject_id: int
    values: dict[str, Any]
    saved_at: datetime


def save_draft(ctx: AppContext, kind: str, values: dict[str, Any], subject_id: int = 0) -> None:
    if ctx.store.read_only:
        return  # nothing can be kept on a read-only desk; the wizard's own change is refused plainly
    payload = json.dumps(values, ensure_ascii=False, default=str)
    with ctx.store.session() as session:
        draft = session.scalars(
            select(Draft).where(
                Draft.user_id == ctx.actor.user_id, Draft.kind == kind, Draft.subject_id == subject_id
            )
        ).one_or_none()
        if draft is None:
            session.add(
                Draft(
                    user_id=ctx.actor.user_id,
                    kind=kind,
                    subject_id=subject_id,
                    payload=payload,
                    saved_at=ctx.clock.now(),
                )
            )
        else:
            draft.payload = payload
            draft.saved_at = ctx.clock.now()


def load_draft(ctx: AppContext, kind: str, subject_id: int = 0) -> DraftView | None:
    with ctx.store.session() as session:
        draft = session.scalars(
            select(Draft).where(
                Draft.user_id == ctx.actor.user_id, Draft.kind == kind, Draft.subject_id == subject_id
            )
        ).one_or_none()
        if draft is None:
            return None
        return DraftView(draft.kind, draft.subject_id, json.loads(draft.payload), draft.saved_at)


def list_drafts(ctx: AppContext) -> list[DraftView]:
    with ctx.store.session() as session:
        drafts = session.scalars(
            select(Draft).where(Draft.user_id == ctx.actor.user_id).order_by(Draft.saved_at)
        )
        return [DraftView(d.kind, d.subject_id, json.loads(d.payload), d.saved_at) for d in drafts]


def discard_draft(ctx: AppContext, kind: str, subject_id: int = 0) -> None:
    """Called when the wizard finishes (its work is saved properly) or the user chooses to discard it."""
    with ctx.store.session() as session:
        session.execute(
            delete(Draft).where(
                Draft.user_id == ctx.actor.user_id, Draft.kind == kind, Draft.subject_id == subject_id
            )
        )
