"""What the transfer summary PDF prints, built from the record exactly as it goes into the bundle.

Kept apart from transfer_export.py so that file stays about writing the bundle. The chronology's entries are
printed by log_export's own pieces, so they read as the chronology export does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from dsl_desk.core.categories import category_words
from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import day_month_year, with_time
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import PolicyPack
from dsl_desk.documents.transfer_summary import (
    SummaryContents,
    SummaryEscalation,
    SummaryMeta,
    SummaryStage,
)
from dsl_desk.services.log.export import _size, printed_events
from dsl_desk.services.log.views import Chronology
from dsl_desk.services.people.children import ChildDetails, flags_of

STATUS_HEADINGS = {
    "open": "Open",
    "resolved": "Resolved",
    "withdrawn": "Withdrawn",
    "transferred": "Open at an earlier school when the child moved",
}


def summary_meta(record: Mapping[str, Any], fingerprint: str, demo: bool) -> SummaryMeta:
    child, sender, recipient = record["child"], record["sender"], record["recipient"]
    return SummaryMeta(
        child_name=f"{child['given_names']} {child['family_name']}".strip(),
        date_of_birth=child["date_of_birth"],
        sending_school=sender["organisation"],
        sent_by=", ".join(p for p in (sender["name"], sender["role"]) if p),
        sender_contact=sender["contact"],
        receiving_school=recipient["organisation"],
        receiving_dsl=recipient["name"],
        exported_at=record["exported_at"],
        bundle_id=record["bundle_id"],
        fingerprint=fingerprint,
        demo=demo,
    )


def summary_contents(
    packs: Mapping[str, PolicyPack], record: Mapping[str, Any], chronology: Chronology
) -> SummaryContents:
    users = {u["id"]: ", ".join(p for p in (u["display_name"], u["role"]) if p) for u in record["users"]}
    return SummaryContents(
        child_facts=_child_facts(record["child"]),
        escalations=tuple(_escalation(packs, record, e, users) for e in record["escalations"]),
        events=tuple(printed_events(chronology)),
        attachments=tuple(_attachment_line(a, record) for a in record["attachments"]),
        documents=tuple(_document_line(d, record, users) for d in record["documents"]),
    )


def _child_facts(child: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    details = ChildDetails(**child)
    return (
        ("Name", f"{details.given_names} {details.family_name}".strip()),
        (_("Date of birth"), _day(details.date_of_birth)),
        ("Address", details.address or "–"),
        ("Parents / carers", details.parents_carers or "–"),
        ("Status", ", ".join(flags_of(details)) or _("No plan recorded")),
        (_("Continuum of need"), details.continuum_of_need or "–"),
    )


def _escalation(
    packs: Mapping[str, PolicyPack],
    record: Mapping[str, Any],
    escalation: Mapping[str, Any],
    users: Mapping[int, str],
) -> SummaryEscalation:
    pack = packs.get(escalation["policy_id"])
    agencies = {a["id"]: a["name"] for a in record["agencies"]}
    professionals = {p["id"]: p for p in record["professionals"]}
    other = professionals.get(escalation["other_professional_id"])
    facts = [
        (_("Other agency"), agencies.get(escalation["other_agency_id"], "")),
        (
            _("Their professional"),
            ", ".join(p for p in (other["name"], other["role"]) if p) if other else "–",
        ),
        ("Policy", pack.name if pack else escalation["policy_id"]),
        ("About", _category(pack, escalation["category"])),
        (_("Immediate risk"), "Yes" if escalation["immediate_risk"] else "No"),
        ("Opened", f"{_when(escalation['opened_at'])} by {users.get(escalation['opened_by_id'], '')}"),
        (_("The problem"), escalation["problem"]),
        (_("Outcome sought"), escalation["outcome_sought"]),
    ]
    if escalation["closed_at"]:
        facts.append(("Closed", _when(escalation["closed_at"])))
    if escalation["withdrawn_reason"]:
        facts.append((_("Why withdrawn"), escalation["withdrawn_reason"]))
    stage_label = _stage_label(pack, escalation["current_stage"])
    heading = STATUS_HEADINGS.get(escalation["status"], escalation["status"].capitalize())
    heading += f" — {stage_label}" if escalation["status"] == "open" else f" (last stage: {stage_label})"
    mine = escalation["id"]
    return SummaryEscalation(
        reference=escalation["reference"],
        heading=heading,
        facts=tuple(facts),
        stages=tuple(_stage(pack, s) for s in record["stages"] if s["escalation_id"] == mine),
        checklist=tuple(_checklist_line(c) for c in record["checklist"] if c["escalation_id"] == mine),
        resolution=next(
            (_resolution(r, users) for r in record["resolutions"] if r["escalation_id"] == mine), ()
        ),
    )


def _stage(pack: PolicyPack | None, stage: Mapping[str, Any]) -> SummaryStage:
    met = stage["timescale_met"]
    timescale = (
        "" if met is None else "met" if met else f"missed: {stage['missed_reason'] or _('no reason given')}"
    )
    return SummaryStage(
        label=_stage_label(pack, stage["stage_key"]),
        entered_at=stage["entered_at"],
        deadline=stage["deadline"],
        left_at=stage["left_at"],
        contacted=stage["contacted"],
        outcome=stage["outcome"],
        timescale=timescale,
    )


def _checklist_line(item: Mapping[str, Any]) -> str:
    done = f"Done {_when(item['done_at'])}" if item["done_at"] else _("Not done")
    to = f" (to {item['recipient']})" if item["recipient"] else ""
    note = f" — {item['done_note']}" if item["done_note"] else ""
    return f"{done}: {item['text']}{to}{note}"


def _resolution(resolution: Mapping[str, Any], users: Mapping[int, str]) -> tuple[tuple[str, str], ...]:
    facts = [
        ("Resolved", f"{_when(resolution['resolved_at'])} by {users.get(resolution['resolved_by_id'], '')}"),
        ("Outcome", resolution["written_outcome"]),
        (_("Agreed in writing"), "Yes" if resolution["outcome_agreed_in_writing"] else "No"),
        (_("Main reason"), resolution["main_reason"]),
        ("Actions", resolution["actions"]),
        (_("Practitioners informed"), resolution["practitioners_informed"]),
        (_("Lessons learnt"), resolution["lessons_learnt"]),
        (_("Parents informed"), "Yes" if resolution["parents_informed"] else "No"),
        (_("Why not informed"), resolution["parents_not_informed_reason"]),
        (_("Child's situation improved"), resolution["child_situation_improved"]),
        (_("Why the timescale was not met"), resolution["overrun_reason"]),
        (_("Manager confirmed child safe"), "Yes" if resolution["manager_confirmed_child_safe"] else "No"),
        ("Manager", resolution["manager_name"]),
    ]
    return tuple((label, value) for label, value in facts if value)


def _attachment_line(attachment: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    where = f" with entry {attachment['entry_id']}" if attachment["entry_id"] else ""
    if not where and attachment["escalation_id"]:
        references = {e["id"]: e["reference"] for e in record["escalations"]}
        where = f" to escalation {references.get(attachment['escalation_id'], '')}"
    return f"{attachment['file_name']} ({_size(attachment['size'])}), added {_when(attachment['added_at'])}{where}"


def _document_line(document: Mapping[str, Any], record: Mapping[str, Any], users: Mapping[int, str]) -> str:
    references = {e["id"]: e["reference"] for e in record["escalations"]}
    form = document["form_id"].replace("_", " ").capitalize()
    actions = {"export": "saved as PDF", "print": "printed", "email": _("drafted as email")}
    text = f"{form} ({references.get(document['escalation_id'], '')}), {actions.get(document['action'], document['action'])}"
    text += f" {_when(document['at'])} by {users.get(document['by_id'], '')}"
    if document["recipient"]:
        text += f", to {document['recipient']}"
    return text + (", digitally signed" if document["signed"] else "")


def _category(pack: PolicyPack | None, key: str) -> str:
    return category_words(pack, key)


def _stage_label(pack: PolicyPack | None, key: str) -> str:
    if pack is None or not pack.has_stage(key):
        return key
    return pack.stage(key).display_name


def _when(instant: datetime) -> str:
    local = london(instant)
    return with_time(local)


def _day(day: date) -> str:
    return day_month_year(day)
