"""What a subject access response holds, as plain values the PDF and the JSON file are both made from.

Everything here is already decided: withheld items are left out (or stand as a one-line notice), third
parties' names are already redacted. The renderers only lay it out, so the PDF and the JSON cannot
disagree about what was disclosed.

The JSON file's structure (schema "dsl-desk/subject-access-disclosure", version 1):

    {
      "schema": "dsl-desk/subject-access-disclosure",
      "schema_version": 1,
      "generated_at": "2026-01-05T09:00:00+00:00",     # UTC, ISO 8601
      "organisation": "Penkford School",
      "request": {"reference": "SAR-1", "requester": ..., "relationship": ..., "received_on": "2026-01-05",
                  "respond_by": "2026-02-05"},
      "about": "…the covering note, in plain English…",
      "sections": [                                     # in this order: child, escalations, log
        {"key": "child" | "escalations" | "discussion_log",
         "title": "…",
         "items": [
            {"type": "child" | "escalation" | "entry" | "withheld",
             "id": 12 | null,                            # the record's number in DSL Desk; null when withheld
             "heading": "…",
             "fields": [{"key": "summary", "label": "What was discussed", "value": "…"}],
             "lists": [{"key": "actions", "title": "Actions agreed",
                        "rows": [[{"key": …, "label": …, "value": …}, …], …]}],
             "exemption": {"key": …, "label": …, "reference": …} | null}   # only on "withheld" items
         ]}
      ]
    }

Keys never change meaning; a later version adds keys rather than renaming them, and raises
schema_version if it ever must change one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

SCHEMA = "dsl-desk/subject-access-disclosure"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    value: str


@dataclass(frozen=True)
class ItemList:
    key: str
    title: str
    rows: tuple[tuple[Field, ...], ...]


@dataclass(frozen=True)
class WithheldNotice:
    key: str
    label: str
    reference: str


@dataclass(frozen=True)
class Item:
    type: str  # child | escalation | entry | withheld
    id: int | None
    heading: str
    fields: tuple[Field, ...] = ()
    lists: tuple[ItemList, ...] = ()
    exemption: WithheldNotice | None = None


@dataclass(frozen=True)
class Section:
    key: str  # child | escalations | discussion_log
    title: str
    items: tuple[Item, ...]
    empty_text: str = ""


@dataclass(frozen=True)
class Disclosure:
    reference: str  # "SAR-3"
    organisation: str
    child_name: str  # already redacted like everything else (a child's own name never is a term)
    requester: str
    relationship: str
    received_on: date
    respond_by: date
    generated_at: datetime
    prepared_by: str
    about: str  # the covering note
    sections: tuple[Section, ...]
    demo: bool = False

    def __post_init__(self) -> None:
        if self.generated_at.tzinfo is None:
            raise ValueError("Disclosure.generated_at must be timezone-aware")


@dataclass(frozen=True)
class LogLine:
    """One decision in the redaction log (the school's own record, never sent to the requester)."""

    number: int
    what: str  # "Name redacted throughout: “Ms Smith”" / "Withheld: Entry 12 (6 Jan 2026, Telephone)"
    exemption: str  # "Child abuse data (DPA 2018 Sch. 3 Part 5)"
    reason: str
    decided: str  # "5 January 2026 09:00 by Jane Smith"
    status: str  # "In force" / "Taken back 6 January 2026 10:00 by Jane Smith"
    silent: bool = False  # the response does not say that anything was withheld here
    replacements: int | None = None  # for a name: how many times it was redacted in this response


@dataclass(frozen=True)
class RedactionLog:
    reference: str
    organisation: str
    child_name: str
    requester: str
    relationship: str
    received_on: date
    respond_by: date
    status: str
    generated_at: datetime
    prepared_by: str
    lines: tuple[LogLine, ...] = field(default=())
    demo: bool = False


def disclosure_json(disclosure: Disclosure) -> bytes:
    """The JSON file, UTF-8, keys in a fixed order so two exports of the same response compare equal."""
    document = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generated_at": disclosure.generated_at.isoformat(),
        "organisation": disclosure.organisation,
        "request": {
            "reference": disclosure.reference,
            "requester": disclosure.requester,
            "relationship": disclosure.relationship,
            "received_on": disclosure.received_on.isoformat(),
            "respond_by": disclosure.respond_by.isoformat(),
        },
        "about": disclosure.about,
        "sections": [_section(s) for s in disclosure.sections],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _section(section: Section) -> dict[str, Any]:
    return {"key": section.key, "title": section.title, "items": [_item(i) for i in section.items]}


def _item(item: Item) -> dict[str, Any]:
    return {
        "type": item.type,
        "id": item.id,
        "heading": item.heading,
        "fields": [_field(f) for f in item.fields],
        "lists": [
            {"key": lst.key, "title": lst.title, "rows": [[_field(f) for f in row] for row in lst.rows]}
            for lst in item.lists
        ],
        "exemption": (
            None
            if item.exemption is None
            else {
                "key": item.exemption.key,
                "label": item.exemption.label,
                "reference": item.exemption.reference,
            }
        ),
    }


def _field(f: Field) -> dict[str, str]:
    return {"key": f.key, "label": f.label, "value": f.value}
