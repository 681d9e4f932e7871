"""What a disagreement is about: one of the policy's categories, or several where the policy joins its list with
"and/or" (St Helens: "Disagreements may relate to ... ; and/or ..."). Several are kept as their keys joined by
"+" in the one column an escalation has for them, in the policy's own order."""

from __future__ import annotations

from collections.abc import Iterable

from dsl_desk.core.policy import PolicyPack

SEPARATOR = "+"


def category_keys(value: str) -> tuple[str, ...]:
    return tuple(key for key in (part.strip() for part in value.split(SEPARATOR)) if key)


def join_categories(pack: PolicyPack, keys: Iterable[str]) -> str:
    """The keys in the policy's order, each once."""
    chosen = set(keys)
    return SEPARATOR.join(c.key for c in pack.categories if c.key in chosen)


def valid_categories(pack: PolicyPack, value: str) -> bool:
    keys = category_keys(value)
    known = {c.key for c in pack.categories}
    if not keys or any(key not in known for key in keys) or len(set(keys)) != len(keys):
        return False
    return len(keys) == 1 or pack.several_categories


def category_words(pack: PolicyPack | None, value: str, *, unknown: str | None = None) -> str:
    """The policy's own words: "The nature and level of a child's needs; and the nature and severity of risk"."""
    if pack is None:
        return value
    labels = {c.key: c.label for c in pack.categories}
    keys = category_keys(value)
    words = [labels.get(key, key if unknown is None else unknown) for key in keys]
    words = [w for w in words if w]
    if len(words) <= 1:
        return words[0] if words else (value if unknown is None else unknown)
    return "; ".join(words[:-1]) + "; and " + words[-1][:1].lower() + words[-1][1:]
