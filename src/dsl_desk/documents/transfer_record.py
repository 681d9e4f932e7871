"""The record inside a case-transfer file: its shape (`SCHEMA`), the strict check of a record read back, and
the reader's refusals in plain words (`BundleRefused`).

transfer_bundle.py puts the record in a file (encryption, signature, framing) and takes it out again; this
module says what a record is. No Qt and no SQL: services/records/transfer_export.py and transfer_import.py map the
record to the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

RECORD_FORMAT = 2  # the record's sections and fields (SCHEMA); 2 added ADDED_IN_2
READABLE_FORMATS = (1, 2)
MAX_BUNDLE_BYTES = 1 << 30  # 1 GiB: AES-GCM here is one-shot, and the whole file is held in memory
MAX_ATTACHMENT_BYTES = 64 << 20  # DSL Desk itself keeps attachments to 25 MB
MAX_STR = 2_000
MAX_TEXT = 2_000_000
MAX_ROWS = 1_000_000


class BundleRefused(Exception):
    """A transfer file that cannot be imported. `str(error)` is a plain message; `reason` is for code.

    reason: too_large | empty | foreign | newer | damaged | truncated | wrong_password | altered
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def refused(reason: str) -> BundleRefused:
    """The refusal for `reason` (a key of the messages below), in the words the DSL sees."""
    return BundleRefused(reason, _MESSAGES[reason])


_FRESH_COPY = "Nothing was imported. Ask the sending school for a fresh copy."


_MESSAGES = {
    "too_large": f"This file is larger than any DSL Desk transfer file can be ({MAX_BUNDLE_BYTES >> 20} MB). "
    "Check you chose the right file. Nothing was imported.",
    "empty": "This file is empty: it is not a DSL Desk transfer file. Nothing was imported.",
    "foreign": "This is not a DSL Desk transfer file (they end in .dsltransfer). Check you chose the right "
    "file. Nothing was imported.",
    "newer": "This transfer file was made by a newer version of DSL Desk. Install the newer version, then "
    "import it again. Nothing was imported.",
    "damaged": f"This transfer file is damaged and cannot be read. {_FRESH_COPY}",
    "truncated": f"This transfer file is incomplete: it was cut short, perhaps while it was being copied or "
    f"downloaded. {_FRESH_COPY}",
    "wrong_password": "That transfer password is not right. Check it with the sending DSL (it was given by "
    "phone: four groups of four letters and digits). If it is right, the file is damaged: ask for a fresh "
    "copy. Nothing was imported.",
    "altered": f"This transfer file has been altered since the sending DSL signed it, so it cannot be "
    f"trusted. {_FRESH_COPY}",
}


# --- the record's shape ------------------------------------------------------------------------------------

# Field kinds: str (short), text (long), int, bool, date, datetime; a trailing "?" allows null.
CHILD_FIELDS: dict[str, str] = {
    "given_names": "str",
    "family_name": "str",
    "date_of_birth": "date",
    "address": "text",
    "parents_carers": "text",
    "child_protection_plan": "bool",
    "looked_after": "bool",
    "child_in_need": "bool",
    "ehcp": "bool",
    "continuum_of_need": "str",
}
PARTY_FIELDS: dict[str, str] = {"organisation": "str", "name": "str", "role": "str", "contact": "str"}
# Sections in the order an importer inserts them: every reference points to an earlier section.
SCHEMA: dict[str, dict[str, str]] = {
    # A user's organisation is "" when their name already says where they work (someone this desk imported).
    "users": {"id": "int", "display_name": "str", "role": "str", "organisation": "str"},
    "agencies": {"id": "int", "name": "str", "kind": "str", "phone": "str", "email": "str"},
    "professionals": {
        "id": "int", "name": "str", "role": "str", "agency_id": "int?", "phone": "str", "email": "str",
    },
    "escalations": {
        "id": "int", "reference": "str", "policy_id": "str", "policy_version": "str", "our_agency": "str",
        "our_professional": "str", "other_agency_id": "int", "other_professional_id": "int?",
        "category": "str", "problem": "text", "outcome_sought": "text", "immediate_risk": "bool",
        "status": "str", "current_stage": "str", "opened_at": "datetime", "opened_by_id": "int",
        "closed_at": "datetime?", "withdrawn_reason": "text", "arose_at": "datetime?",
        "shortened_due_at": "datetime?", "shortened_reason": "text",
    },
    "stages": {
        "id": "int", "escalation_id": "int", "stage_key": "str", "entered_at": "datetime",
        "deadline": "datetime?", "raised_out_of_hours": "bool", "contacted": "text", "entered_by_id": "int",
        "outcome": "text", "left_at": "datetime?", "left_by_id": "int?", "timescale_met": "bool?",
        "missed_reason": "text", "started_at": "datetime?", "response_received_at": "datetime?",
        "deadline_moved_from": "datetime?",
    },
    "risk_changes": {
        "id": "int", "escalation_id": "int", "raised": "bool", "noticed_at": "datetime",
        "recorded_at": "datetime", "recorded_by_id": "int", "reason": "text",
    },
    "checklist": {
        "id": "int", "escalation_id": "int", "stage_key": "str", "requirement_key": "str", "kind": "str",
        "text": "text", "recipient": "str", "form_id": "str", "created_at": "datetime",
        "done_at": "datetime?", "done_by_id": "int?", "done_note": "text", "obligation": "str",
        "due_at": "datetime?", "due_from": "datetime?", "not_done": "bool",
    },
    "resolutions": {
        "id": "int", "escalation_id": "int", "resolved_stage": "str", "resolved_at": "datetime",
        "resolved_by_id": "int", "written_outcome": "text", "outcome_agreed_in_writing": "bool",
        "main_reason": "str", "actions": "text", "practitioners_informed": "text", "lessons_learnt": "text",
        "learning_referred_to_board": "bool", "debrief_held": "bool", "parents_informed": "bool",
        "parents_not_informed_reason": "text", "child_situation_improved": "str", "overrun_reason": "text",
        "manager_confirmed_child_safe": "bool", "manager_name": "str",
    },
    "entries": {
        "id": "int", "escalation_id": "int?", "stage_key": "str", "kind": "str", "occurred_at": "datetime",
        "recorded_at": "datetime", "author_id": "int", "method": "str", "participants": "text",
        "summary": "text", "decisions": "text", "shared_with": "text", "shared_at": "datetime?",
        "amends_id": "int?", "amend_reason": "text", "child_views": "text", "opinion": "text",
    },
    "shares": {
        "id": "int", "entry_id": "int", "shared_with": "text", "shared_at": "datetime",
        "recorded_at": "datetime", "recorded_by_id": "int",
    },
    "actions": {
        "id": "int", "entry_id": "int", "description": "text", "owner": "str", "due_on": "date?",
        "done_at": "datetime?", "done_by_id": "int?",
    },
    "attachments": {
        "id": "int", "entry_id": "int?", "escalation_id": "int?", "file_name": "str", "media_type": "str",
        "size": "int", "sha256": "str", "added_at": "datetime", "added_by_id": "int",
    },
    "documents": {
        "id": "int", "escalation_id": "int?", "form_id": "str", "action": "str", "recipient": "str",
        "file_name": "str", "signed": "bool", "sha256": "str", "at": "datetime", "by_id": "int",
    },
}  # fmt: skip
# Which section each id field points into. The importer remaps every one of these to its new row's id.
REFERENCES: dict[str, dict[str, str]] = {
    "professionals": {"agency_id": "agencies"},
    "escalations": {
        "other_agency_id": "agencies", "other_professional_id": "professionals", "opened_by_id": "users",
    },
    "stages": {"escalation_id": "escalations", "entered_by_id": "users", "left_by_id": "users"},
    "risk_changes": {"escalation_id": "escalations", "recorded_by_id": "users"},
    "checklist": {"escalation_id": "escalations", "done_by_id": "users"},
    "resolutions": {"escalation_id": "escalations", "resolved_by_id": "users"},
    "entries": {"escalation_id": "escalations", "author_id": "users", "amends_id": "entries"},
    "shares": {"entry_id": "entries", "recorded_by_id": "users"},
    "actions": {"entry_id": "entries", "done_by_id": "users"},
    "attachments": {"entry_id": "entries", "escalation_id": "escalations", "added_by_id": "users"},
    "documents": {"escalation_id": "escalations", "by_id": "users"},
}  # fmt: skip
# What a format-1 file (from DSL Desk before format 2) lacks, with the value it stands for.
ADDED_IN_2: dict[str, dict[str, Any]] = {
    "escalations": {"arose_at": None, "shortened_due_at": None, "shortened_reason": ""},
    "stages": {"started_at": None, "response_received_at": None, "deadline_moved_from": None},
    "checklist": {"obligation": "should", "due_at": None, "due_from": None, "not_done": False},
}
_TOP_LEVEL = {
    "record_format", "bundle_id", "exported_at", "app_version", "demo", "sender", "recipient", "child",
    "audit_head",
}  # fmt: skip


def bundle_id_ok(value: object) -> bool:
    return isinstance(value, str) and len(value) == 36 and all(c in "0123456789abcdef-" for c in value)


# --- checking the record --------------------------------------------------------------------------------------


def validate_record(raw: Any) -> dict[str, Any]:
    """The record with every field checked and converted (dates and times to Python values), or refused."""
    if not isinstance(raw, dict) or type(raw.get("record_format")) is not int:
        raise refused("damaged")
    version = raw["record_format"]
    if version not in READABLE_FORMATS:
        raise refused("damaged")
    if version == 1:
        raw = _from_format_1(raw)
    if set(raw) != _TOP_LEVEL | set(SCHEMA):
        raise refused("damaged")
    if not bundle_id_ok(raw["bundle_id"]):
        raise refused("damaged")
    record: dict[str, Any] = {
        "record_format": RECORD_FORMAT,
        "bundle_id": raw["bundle_id"],
        "exported_at": _value(raw["exported_at"], "datetime"),
        "app_version": _value(raw["app_version"], "str"),
        "demo": _value(raw["demo"], "bool"),  # from a demo desk: fictional, never imported into real records
        "sender": _row(raw["sender"], PARTY_FIELDS),
        "recipient": _row(raw["recipient"], PARTY_FIELDS),
        "child": _row(raw["child"], CHILD_FIELDS),
        # Where the sending desk's audit trail stood when it signed the file, in store/checkpoint.py's words:
        # the sender's signature vouches for it, so the receiving school holds proof of it ("" in format 1).
        "audit_head": _value(raw["audit_head"], "str"),
    }
    for section, fields in SCHEMA.items():
        rows = raw[section]
        if not isinstance(rows, list) or len(rows) > MAX_ROWS:
            raise refused("damaged")
        record[section] = [_row(row, fields) for row in rows]
    _check_ids(record)
    _check_attachments(record["attachments"])
    return record


def _from_format_1(raw: dict[str, Any]) -> dict[str, Any]:
    """A format-1 record as format 2: the fields added since stand for what they meant then."""
    upgraded = dict(raw)
    if "risk_changes" in upgraded:
        raise refused("damaged")
    upgraded["risk_changes"] = []
    if "audit_head" in upgraded:
        raise refused("damaged")
    upgraded["audit_head"] = ""
    for section, added in ADDED_IN_2.items():
        rows = upgraded.get(section)
        if not isinstance(rows, list):
            raise refused("damaged")
        fixed = []
        for row in rows:
            if not isinstance(row, dict) or set(added) & set(row):
                raise refused("damaged")
            fixed.append({**row, **added})
        upgraded[section] = fixed
    return upgraded


def _row(raw: Any, fields: Mapping[str, str]) -> dict[str, Any]:
    if not isinstance(raw, dict) or set(raw) != set(fields):
        raise refused("damaged")
    return {name: _value(raw[name], kind) for name, kind in fields.items()}


def _value(value: Any, kind: str) -> Any:
    if kind.endswith("?"):
        return None if value is None else _value(value, kind[:-1])
    if kind in ("str", "text"):
        if isinstance(value, str) and len(value) <= (MAX_STR if kind == "str" else MAX_TEXT):
            return value
    elif kind == "int":
        if type(value) is int and 0 <= value < 1 << 53:
            return value
    elif kind == "bool":
        if type(value) is bool:
            return value
    elif kind == "date":
        return _date(value)
    elif kind == "datetime":
        return _datetime(value)
    raise refused("damaged")


def _date(value: Any) -> date:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise refused("damaged")


def _datetime(value: Any) -> datetime:
    if isinstance(value, str) and len(value) <= 40:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None and parsed.utcoffset() is not None:
            try:
                return parsed.astimezone(UTC)
            except (OverflowError, ValueError):
                pass
    raise refused("damaged")


def _check_ids(record: dict[str, Any]) -> None:
    known: dict[str, set[int]] = {}
    for section in SCHEMA:
        ids = [row["id"] for row in record[section]]
        if len(set(ids)) != len(ids):
            raise refused("damaged")
        for row in record[section]:
            for name, target in REFERENCES.get(section, {}).items():
                pointed = row[name]
                # An entry may only correct an earlier entry: a correction never comes before what it corrects.
                earlier = target != section or (pointed is not None and pointed < row["id"])
                if pointed is not None and (pointed not in known.get(target, set(ids)) or not earlier):
                    raise refused("damaged")
        known[section] = set(ids)


def _check_attachments(rows: Sequence[dict[str, Any]]) -> None:
    total = 0
    for row in rows:
        sha = row["sha256"]
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise refused("damaged")
        total += row["size"]
        if row["size"] > MAX_ATTACHMENT_BYTES or total > MAX_BUNDLE_BYTES:
            raise refused("damaged")


def record_to_json(value: Any) -> Any:
    """JSON-ready values for a record the writer is given: dates and times as ISO text (times in UTC)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("record times must be timezone-aware")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value
