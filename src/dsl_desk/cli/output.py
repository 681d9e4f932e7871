"""Plain-text tables and JSON for the CLI, from the same read-model dataclasses the screens use."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any


def to_plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


def print_json(value: Any) -> None:
    print(json.dumps(to_plain(value), indent=2, ensure_ascii=False))


def _cell(value: Any) -> str:
    plain = to_plain(value)
    if isinstance(plain, list):
        return ", ".join(str(item) for item in plain) if plain else "–"
    if isinstance(plain, bool):
        return "yes" if plain else "no"
    return "–" if plain in (None, "") else str(plain)


def print_table(rows: Sequence[Any], attributes: Sequence[str], headings: Sequence[str]) -> None:
    if not rows:
        print("(none)")
        return
    cells = [[_cell(getattr(row, name)) for name in attributes] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headings)]
    print("  ".join(h.ljust(w) for h, w in zip(headings, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
