"""Form definitions: the partnerships' paper forms, read from dsl_desk/resources/forms/*.toml.

A form is data (see resources/forms/README.md): adding a partnership's form is adding a file. Loading checks the
whole file and names the file and the field at fault, because the person fixing a form is editing TOML,
not reading a traceback.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from dsl_desk.core.i18n import _
from dsl_desk.core.resources import forms_dir

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_SOURCE = re.compile(r"^([a-z][a-z0-9_]*)(\.[a-z0-9][a-z0-9_]*)*$")
_MAX_LINES = 40


class FieldKind(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    DATE = "date"
    YESNO = "yesno"
    CHOICE = "choice"
    SIGNATURE = "signature"


@dataclass(frozen=True)
class FormField:
    """One box on the form. `label` is in the template's own words."""

    key: str
    label: str
    kind: FieldKind
    source: str = ""
    hint: str = ""
    options: tuple[str, ...] = ()
    multiple: bool = False
    half: bool = False
    lines: int = 1


@dataclass(frozen=True)
class FormSection:
    title: str
    fields: tuple[FormField, ...]
    note: str = ""


@dataclass(frozen=True)
class FormDefinition:
    id: str
    title: str
    partnership: str
    sections: tuple[FormSection, ...]
    intro: str = ""
    closing: str = ""
    purpose: str = ""  # what the app uses the form for beyond a stage: "practice_alert" (forms/README.md)
    short_title: str = ""  # the form's name in a footer, e.g. "Partnership Practice Alert (Appendix Three)"

    @property
    def fields(self) -> tuple[FormField, ...]:
        return tuple(f for section in self.sections for f in section.fields)

    def field(self, key: str) -> FormField:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    def applies_to(self, partnership: str) -> bool:
        return self.partnership in ("any", partnership)


class FormDefinitionError(ValueError):
    """A form file that cannot be used; the message names the file and the place in it."""

    def __init__(self, path: Path | str, where: str, problem: str) -> None:
        self.path = Path(path)
        self.where = where
        self.problem = problem
        place = f"{self.path}: {where}: " if where else f"{self.path}: "
        super().__init__(place + problem)


def builtin_forms_dir() -> Path:
    """The form definitions shipped with the app (package data: see core/resources.py)."""
    return forms_dir()


def load_forms(directory: Path) -> dict[str, FormDefinition]:
    """Every *.toml in `directory`, by form id; a duplicate id is an error, not a silent override."""
    forms: dict[str, FormDefinition] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        form = load_form(path)
        if form.id in forms:
            raise FormDefinitionError(
                path, "id", _("form id {id!r} is already used by another file").format(id=form.id)
            )
        forms[form.id] = form
    return forms


def load_form(path: Path) -> FormDefinition:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise FormDefinitionError(path, "", f"not valid TOML ({error})") from error
    except OSError as error:
        raise FormDefinitionError(
            path, "", _("cannot be read ({strerror})").format(strerror=error.strerror)
        ) from error
    return _parse_form(path, data)


def values_from_sources(form: FormDefinition, data: Mapping[str, str]) -> dict[str, str]:
    """Map values named by source ("child.name") to the form's field keys; typed-only fields stay out."""
    return {f.key: data[f.source] for f in form.fields if f.source and f.source in data}


def iter_sources(forms: Mapping[str, FormDefinition]) -> Iterator[str]:
    """Every distinct source named by the given forms (what the services have to supply)."""
    seen: set[str] = set()
    for form in forms.values():
        for f in form.fields:
            if f.source and f.source not in seen:
                seen.add(f.source)
                yield f.source


# --- parsing -------------------------------------------------------------------------------------------


def _parse_form(path: Path, data: dict[str, Any]) -> FormDefinition:
    _no_unknown_keys(
        path,
        "",
        data,
        {"id", "title", "partnership", "intro", "closing", "purpose", "short_title", "sections"},
    )
    form_id = _text(path, "id", data, required=True)
    if not _KEY.match(form_id):
        raise FormDefinitionError(
            path, "id", _("{form_id!r} must be lower_snake_case").format(form_id=form_id)
        )
    sections_raw = data.get("sections")
    if not isinstance(sections_raw, list) or not sections_raw:
        raise FormDefinitionError(path, "sections", _("a form needs at least one [[sections]] table"))
    sections = tuple(_parse_section(path, i, raw) for i, raw in enumerate(sections_raw))
    _unique_keys(path, sections)
    return FormDefinition(
        id=form_id,
        title=_text(path, "title", data, required=True),
        partnership=_text(path, "partnership", data, required=True),
        sections=sections,
        intro=_text(path, "intro", data),
        closing=_text(path, "closing", data),
        purpose=_text(path, "purpose", data),
        short_title=_text(path, "short_title", data),
    )


def _parse_section(path: Path, index: int, raw: object) -> FormSection:
    where = f"sections[{index}]"
    if not isinstance(raw, dict):
        raise FormDefinitionError(path, where, _("must be a [[sections]] table"))
    _no_unknown_keys(path, where, raw, {"title", "note", "fields"})
    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, list) or not fields_raw:
        raise FormDefinitionError(path, where, _("a section needs at least one [[sections.fields]] table"))
    fields = tuple(_parse_field(path, f"{where}.fields[{i}]", f) for i, f in enumerate(fields_raw))
    return FormSection(
        title=_text(path, f"{where}.title", raw),
        note=_text(path, f"{where}.note", raw),
        fields=fields,
    )


_FIELD_KEYS = {"key", "label", "kind", "source", "hint", "options", "multiple", "half", "lines"}


def _parse_field(path: Path, where: str, raw: object) -> FormField:
    if not isinstance(raw, dict):
        raise FormDefinitionError(path, where, _("must be a [[sections.fields]] table"))
    key = _text(path, f"{where}.key", raw, required=True)
    where = f"{where} (field {key!r})"
    _no_unknown_keys(path, where, raw, _FIELD_KEYS)
    if not _KEY.match(key):
        raise FormDefinitionError(path, where, _("key must be lower_snake_case"))
    kind = _kind(path, where, raw)
    source = _text(path, f"{where}.source", raw)
    if source and not _SOURCE.match(source):
        raise FormDefinitionError(
            path, where, _("source {source!r} must be a dotted name like child.name").format(source=source)
        )
    return FormField(
        key=key,
        label=_text(path, f"{where}.label", raw, required=True),
        kind=kind,
        source=source,
        hint=_text(path, f"{where}.hint", raw),
        options=_options(path, where, raw, kind),
        multiple=_flag(path, where, raw, "multiple"),
        half=_flag(path, where, raw, "half"),
        lines=_lines(path, where, raw),
    )


def _kind(path: Path, where: str, raw: dict[str, Any]) -> FieldKind:
    value = raw.get("kind")
    try:
        return FieldKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in FieldKind)
        raise FormDefinitionError(
            path, where, _("kind {value!r} is not one of {allowed}").format(value=value, allowed=allowed)
        ) from None


def _options(path: Path, where: str, raw: dict[str, Any], kind: FieldKind) -> tuple[str, ...]:
    options = raw.get("options", [])
    if not isinstance(options, list) or not all(isinstance(o, str) and o.strip() for o in options):
        raise FormDefinitionError(path, where, _("options must be a list of non-empty strings"))
    if kind is FieldKind.CHOICE and len(options) < 2:
        raise FormDefinitionError(path, where, _("a choice field needs at least two options"))
    if kind is not FieldKind.CHOICE and options:
        raise FormDefinitionError(
            path, where, _("options are only for choice fields, not {value}").format(value=kind.value)
        )
    if "multiple" in raw and kind is not FieldKind.CHOICE:
        raise FormDefinitionError(path, where, _("multiple is only for choice fields"))
    return tuple(options)


def _lines(path: Path, where: str, raw: dict[str, Any]) -> int:
    lines = raw.get("lines", 1)
    # bool is an int in Python; `lines = true` is a typo, not one line.
    if isinstance(lines, bool) or not isinstance(lines, int) or not 1 <= lines <= _MAX_LINES:
        raise FormDefinitionError(
            path, where, _("lines must be a whole number from 1 to {MAX_LINES}").format(MAX_LINES=_MAX_LINES)
        )
    return lines


def _flag(path: Path, where: str, raw: dict[str, Any], name: str) -> bool:
    value = raw.get(name, False)
    if not isinstance(value, bool):
        raise FormDefinitionError(path, where, _("{name} must be true or false").format(name=name))
    return value


def _text(path: Path, where: str, raw: dict[str, Any], *, required: bool = False) -> str:
    name = where.rsplit(".", 1)[-1]
    value = raw.get(name, "")
    if not isinstance(value, str):
        raise FormDefinitionError(path, where, _("must be a string"))
    if required and not value.strip():
        raise FormDefinitionError(path, where, "is required")
    return value.strip()


def _no_unknown_keys(path: Path, where: str, raw: dict[str, Any], allowed: set[str]) -> None:
    # A misspelt key ("lable") would otherwise be ignored and the form would quietly lose a setting.
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise FormDefinitionError(path, where or "top level", f"unknown key(s): {', '.join(unknown)}")


def _unique_keys(path: Path, sections: tuple[FormSection, ...]) -> None:
    seen: set[str] = set()
    for section_index, section in enumerate(sections):
        for field_index, f in enumerate(section.fields):
            if f.key in seen:
                where = f"sections[{section_index}].fields[{field_index}] (field {f.key!r})"
                raise FormDefinitionError(path, where, _("key is used twice in this form"))
            seen.add(f.key)


@cache
def shipped_forms() -> dict[str, FormDefinition]:
    """The shipped form definitions, read once: they are files in the install, not user data."""
    return load_forms(builtin_forms_dir())
