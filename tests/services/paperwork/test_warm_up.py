"""Warming up after unlock (issue 17): the libraries and the signing key a first document needs are loaded,
and nothing is made, stored or audited by it."""

from __future__ import annotations

import sys

from sqlalchemy import func, select

from dsl_desk.services.paperwork import signing_identity
from dsl_desk.services.paperwork.exports import warm_up
from dsl_desk.services.paperwork.signing_identity import ensure_signing_identity
from dsl_desk.store.models import AuditEvent, DocumentRecord, User


def _counts(ctx) -> tuple[int, int, bytes | None]:
    with ctx.store.session() as session:
        audit = session.scalar(select(func.count()).select_from(AuditEvent))
        documents = session.scalar(select(func.count()).select_from(DocumentRecord))
        identity = session.get(User, ctx.actor.user_id).signing_identity
    return audit, documents, identity


def test_warming_up_makes_no_identity_and_records_nothing(ctx):
    before = _counts(ctx)
    warm_up(ctx)
    assert _counts(ctx) == before
    assert before[2] is None  # still none: only signing a document makes one
    assert "reportlab.pdfgen.canvas" in sys.modules and "pyhanko.sign" in sys.modules


def test_warming_up_opens_the_stored_key_for_the_session(ctx):
    made = ensure_signing_identity(ctx)
    signing_identity._opened.pop(id(ctx.store), None)  # as after a fresh unlock: nothing opened yet
    before = _counts(ctx)
    warm_up(ctx)
    assert _counts(ctx) == before
    opened = signing_identity._opened_identity(ctx.store, ctx.actor.user_id, before[2])
    assert opened is not None and opened.certificate == made.certificate
