"""Spotting a known child's name in text that must not hold one (a Partnership Practice Alert, a report).

Whole words only and case-insensitive, so "Leo" is found in "leo's school" but not in "Leon"; names
shorter than three letters are ignored, because "Al" or "Jo" would flag ordinary words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MIN_NAME_LETTERS = 3
REDACTED = "[name removed]"


class NameMatcher:
    def __init__(self, names: Iterable[str]) -> None:
        words = {part for name in names for part in _parts(name) if len(part) >= MIN_NAME_LETTERS}
        # Longest first, so "Rees-Amberley" is reported whole rather than as "Rees".
        ordered = sorted(words, key=lambda w: (-len(w), w.casefold()))
        self._pattern = (
            re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in ordered) + r")(?!\w)", re.IGNORECASE)
            if ordered
            else None
        )

    def find(self, text: str) -> tuple[str, ...]:
        """The names in `text`, as typed there, each once, in order of first appearance."""
        if self._pattern is None or not text:
            return ()
        seen: dict[str, str] = {}
        for match in self._pattern.finditer(text):
            seen.setdefault(match.group(0).casefold(), match.group(0))
        return tuple(seen.values())

    def redact(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(REDACTED, text)


def _parts(name: str) -> set[str]:
    """A name and its pieces: "Rees-Amberley" gives itself, "Rees" and "Amberley"."""
    parts: set[str] = set()
    for word in name.split():
        cleaned = word.strip(".,;:()'\"")
        parts.add(cleaned)
        parts.update(piece for piece in cleaned.split("-") if piece)
    return parts
