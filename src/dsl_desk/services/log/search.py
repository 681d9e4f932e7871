"""Searching the discussion log: the FTS5 index (store/search.py) through the filters the Log page offers, one audit row per search."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.i18n import _
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.log.reading import load_child, references_of
from dsl_desk.services.log.views import (
    SearchHit,
    SearchResult,
    method_label,
)
from dsl_desk.store import search as fts
from dsl_desk.store.models import (
    Child,
    DiscussionEntry,
    User,
)

SEARCH_LIMIT = 200


def search_log(
    ctx: AppContext, text: str, filters: fts.SearchFilters | None = None, *, limit: int = SEARCH_LIMIT
) -> SearchResult:
    """Every entry (originals and corrections) containing all the words, newest first."""
    bounds.check_text(text, _("the words to search for"), limit=bounds.LINE_MAX, field="text")
    filters = filters or fts.SearchFilters()
    with ctx.store.session() as session:
        if filters.child_id is not None:
            load_child(session, filters.child_id)  # "There is no child …", not "no entries"
        # An author or escalation filter comes from a list: a stale one finds nothing, as before; only a
        # number no row can have (which SQLite cannot even compare) is refused.
        for ident, what in ((filters.escalation_id, "escalation"), (filters.author_id, "user")):
            if ident is not None:
                bounds.check_id(ident, what)
        for moment in (filters.occurred_from, filters.occurred_to):
            if moment is not None:
                bounds.check_date(moment, _("a date to search between"), field="occurred")
        raw = fts.search_entries(session, text, filters, limit=limit + 1)
        more = len(raw) > limit
        raw = raw[:limit]
        hits = _hits(session, raw)
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="log_searched",
            detail={"results": len(hits)},  # not the words: a search can itself be sensitive
        )
        return SearchResult(tuple(hits), more)


def _hits(session: Session, raw: list[fts.RawHit]) -> list[SearchHit]:
    if not raw:
        return []
    ids = [hit.entry_id for hit in raw]
    # The columns a hit shows, not whole entries (their text is in the snippet already).
    query = (
        select(
            DiscussionEntry.id,
            DiscussionEntry.child_id,
            DiscussionEntry.occurred_at,
            DiscussionEntry.method,
            DiscussionEntry.escalation_id,
            Child.given_names,
            Child.family_name,
            User.display_name,
        )
        .join(Child, Child.id == DiscussionEntry.child_id)
        .join(User, User.id == DiscussionEntry.author_id)
        .where(DiscussionEntry.id.in_(ids))
    )
    found = {
        row.id: (row, f"{row.given_names} {row.family_name}", row.display_name)
        for row in session.execute(query)
    }
    amended = set(
        session.scalars(select(DiscussionEntry.amends_id).where(DiscussionEntry.amends_id.in_(ids)))
    )
    references = references_of(session, {row.escalation_id for row, _child, _author in found.values()})
    hits = []
    for hit in raw:
        row, child, author = found[hit.entry_id]
        hits.append(
            SearchHit(
                entry_id=row.id,
                child_id=row.child_id,
                child_name=child,
                occurred_at=row.occurred_at,
                method_label=method_label(row.method),
                author=author,
                escalation_reference=references.get(row.escalation_id, "") if row.escalation_id else "",
                snippet=hit.snippet,
                superseded=row.id in amended,
            )
        )
    return hits
