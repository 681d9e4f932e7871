"""Reading a policy pack's TOML: typed values that carry their dotted path ('stages[2].timescale.kind'), so
every error names its field, and the line of the file that field is on."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

from dsl_desk.core.i18n import _

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*")


def syntax_error_position(exc: tomllib.TOMLDecodeError) -> tuple[int | None, str]:
    """tomllib puts '(at line L, column C)' in its message; Python 3.14 also has exc.lineno."""
    text = str(exc)
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)", text)
    if match is None:
        return getattr(exc, "lineno", None), text
    return int(match.group(1)), f"{text[: match.start()]} (column {match.group(2)})"


# --- finding the line of a dotted field, as best we can --------------------------------------------------------

_HEADER = re.compile(r"^\s*\[")


def find_field_line(text: str, dotted: str) -> int | None:
    """1-based line of a field like 'stages[2].timescale.kind', or of the nearest enclosing table found."""
    lines = text.splitlines()
    position: int | None = None
    prefix: list[str] = []
    for name, index in _segments(dotted):
        prefix.append(name)
        start = 0 if position is None else position
        hit = _find_segment(lines, start, ".".join(prefix), name, index)
        if hit is None:
            break
        position = hit
    return None if position is None else position + 1


def _segments(dotted: str) -> list[tuple[str, int | None]]:
    segments: list[tuple[str, int | None]] = []
    for part in dotted.split("."):
        match = re.fullmatch(r"(.+?)\[(\d+)\]", part)
        segments.append((match.group(1), int(match.group(2))) if match else (part, None))
    return [s for s in segments if s[0]]


def _find_segment(lines: list[str], start: int, header: str, name: str, index: int | None) -> int | None:
    escaped = re.escape(header)
    if index is not None:
        array = re.compile(rf"^\s*\[\[\s*{escaped}\s*\]\]")
        hits = [i for i in range(start, len(lines)) if array.match(lines[i])]
        return hits[index] if index < len(hits) else None
    table = re.compile(rf"^\s*\[\s*{escaped}\s*\]")
    for i in range(start, len(lines)):
        if table.match(lines[i]):
            return i
    return _find_key(lines, start, name)


def _find_key(lines: list[str], start: int, name: str) -> int | None:
    key = re.compile(rf"(?:^|[{{,\s]){re.escape(name)}\s*=")
    for i in range(start, len(lines)):
        if i > start and _HEADER.match(lines[i]):
            return None  # left the table we were in
        if not lines[i].lstrip().startswith("#") and key.search(lines[i]):
            return i
    return None


# --- reading typed values with their dotted path ----------------------------------------------------------------


class SchemaError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Table:
    """A TOML table plus its dotted path, so every error names the field it is about."""

    def __init__(self, data: dict[str, Any], path: str) -> None:
        self.data = data
        self.path = path

    def name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> SchemaError:
        return SchemaError(self.name(key), message)

    def allow(self, *keys: str) -> None:
        """Unknown keys are almost always typos ("timscale"), so they are errors, with a suggestion."""
        for key in self.data:
            if key not in keys:
                guess = difflib.get_close_matches(key, keys, n=1)
                hint = (
                    _(" – did you mean {guess!r}?").format(guess=guess[0])
                    if guess
                    else _("; expected one of: {join}").format(join=", ".join(keys))
                )
                raise self.error(key, f"is not a field this table can have{hint}")

    def _get(self, key: str, kind: type | tuple[type, ...], what: str, default: Any) -> Any:
        if key not in self.data:
            if default is REQUIRED:
                raise self.error(key, f"is missing; it should be {what}")
            return default
        value = self.data[key]
        # bool is an int in Python; TOML keeps them apart, so do we.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise self.error(key, f"should be {what}, not {describe(value)}")
        return value

    def text(self, key: str, default: Any = None) -> str:
        value = self._get(key, str, _("text in quotes"), REQUIRED if default is None else default)
        return cast(str, value).strip()

    def key(self, key: str) -> str:
        value = self.text(key)
        if not KEY_PATTERN.fullmatch(value):
            raise self.error(key, f"{value!r} should be lower case letters, digits and _ (e.g. 'stage_1')")
        return value

    def choice(self, key: str, options: Iterable[str], default: str | None = None) -> str:
        value = self.text(key, default)
        if value not in options:
            raise self.error(key, f"{value!r} is not one of: {', '.join(options)}")
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        return cast(bool, self._get(key, bool, _("true or false"), REQUIRED if default is None else default))

    def number(self, key: str, default: Any = None) -> int:
        return cast(int, self._get(key, int, _("a whole number"), REQUIRED if default is None else default))

    def optional_number(self, key: str) -> int | None:
        return cast(int | None, self._get(key, int, _("a whole number"), None))

    def optional_date(self, key: str) -> date | None:
        value = self._get(key, date, _("a date written like 2019-07-31 (no quotes)"), None)
        if isinstance(value, datetime):
            raise self.error(key, "should be a date without a time, like 2019-07-31")
        return cast(date | None, value)

    def texts(self, key: str) -> tuple[str, ...]:
        values = self._get(key, list, _("a list of texts in quotes"), [])
        for i, value in enumerate(values):
            if not isinstance(value, str):
                raise SchemaError(
                    f"{self.name(key)}[{i}]",
                    _("should be text in quotes, not {describe}").format(describe=describe(value)),
                )
        return tuple(v.strip() for v in values)

    def table(self, key: str) -> Table:
        return Table(self._get(key, dict, "a table", REQUIRED), self.name(key))

    def optional_table(self, key: str) -> Table | None:
        value = self._get(key, dict, "a table", None)
        return None if value is None else Table(value, self.name(key))

    def tables(self, key: str) -> list[Table]:
        values = self._get(key, list, _("a list of tables ([[...]])"), [])
        result: list[Table] = []
        for i, value in enumerate(values):
            if not isinstance(value, dict):
                raise SchemaError(
                    f"{self.name(key)}[{i}]",
                    _("should be a table, not {describe}").format(describe=describe(value)),
                )
            result.append(Table(value, f"{self.name(key)}[{i}]"))
        return result


REQUIRED: Any = object()


def describe(value: object) -> str:
    names = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)
