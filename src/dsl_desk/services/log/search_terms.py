"""The words of a log search as the screens use them: the filters, whether a text can be searched, and the
markers around each match in a snippet (the FTS5 index itself is store/search.py)."""

from __future__ import annotations

from dsl_desk.store.search import MATCH_END, MATCH_START, SearchFilters, match_expression

__all__ = ["MATCH_END", "MATCH_START", "SearchFilters", "match_expression"]
