"""What the app already knows about an escalation, named the way the form definitions name it.

Each form field has a `source` ("child.name", "escalation.stage_2.raised_on", "export.copy_to_lscb_date").
This module builds the `source -> value` mapping for one escalation, so one form definition drives both the
data-entry page and the PDF. Values the app does not know are simply absent: the box stays empty and the
user types it. What the user types is kept per escalation and form as a draft, and only the boxes they
changed are kept, so a box they never touched still follows the record (e.g. "Copy to LSCB … Date" fills in
once the email draft is made).

Dates are ISO strings (the renderer prints them the British way); yes/no answers are "yes" / "no".
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.categories import category_words
from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import medium_date
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import PolicyPack

# FieldKind, FormDefinition and FormField are re-exported: the GUI builds its data-entry page from them.
from dsl_desk.documents.forms import (
    FieldKind,
    FormDefinition,
    FormField,  # noqa: F401 - re-exported
    shipped_forms,
)
from dsl_desk.services import bounds
from dsl_desk.services.calendar import organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError, ValidationError
from dsl_desk.services.escalations import drafts
from dsl_desk.services.people.children import flags_of
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import AuditEvent, DiscussionEntry, DocumentRecord, Escalation, StageRecord

# Delivery methods as the St Helens Resolution Template words them (resources/forms/st_helens_resolution_template.toml).
SECURE_EMAIL, EMAIL = "Secure email", "Email"
# The pack's notifications that apply only to a child on a plan or looked after: the CP Chair and the IRO.
_PLAN_OR_CARE = ("child_protection_plan", "looked_after")


@dataclass(frozen=True)
class FormChoice:
    """A form that applies to an escalation, for the page's list."""

    id: str
    title: str
    partnership: str


@dataclass(frozen=True)
class FormValues:
    """Field-keyed values for one form: what the app knows, what the user typed, and the two merged."""

    form: FormDefinition
    prefilled: dict[str, str]
    typed: dict[str, str]

    @property
    def merged(self) -> dict[str, str]:
        return {**self.prefilled, **self.typed}


# --- which forms -----------------------------------------------------------------------------------------------


def all_forms() -> dict[str, FormDefinition]:
    """The shipped form definitions (documents/forms.py reads them once)."""
    return shipped_forms()


def form_definition(form_id: str) -> FormDefinition:
    try:
        return all_forms()[form_id]
    except KeyError:
        raise ServiceError(
            _("There is no form “{form_id}”. Known forms: {join}.").format(
                form_id=form_id, join=", ".join(sorted(all_forms()))
            )
        ) from None


def forms_for(ctx: AppContext, escalation_id: int) -> list[FormChoice]:
    """The forms that apply to this escalation: its partnership's own, then the ones for any partnership."""
    with ctx.store.session() as session:
        pack_id = _escalation(session, escalation_id).policy_id
    applicable = [f for f in all_forms().values() if f.applies_to(pack_id)]
    applicable.sort(key=lambda f: (f.partnership == "any", f.title))
    return [FormChoice(f.id, f.title, f.partnership) for f in applicable]


def check_form_applies(form: FormDefinition, pack_id: str) -> None:
    if not form.applies_to(pack_id):
        raise ValidationError(
            _("The form “{title}” belongs to another partnership's policy, not this escalation's.").format(
                title=form.title
            )
        )


# --- typed values (drafts) -------------------------------------------------------------------------------------


def draft_kind(form_id: str) -> str:
    return f"form:{form_id}"


def typed_values(ctx: AppContext, escalation_id: int, form_id: str) -> dict[str, str]:
    draft = drafts.load_draft(ctx, draft_kind(form_id), escalation_id)
    if draft is None:
        return {}
    known = {f.key for f in form_definition(form_id).fields}
    # A field removed from the form file since the draft was saved is dropped rather than breaking the render.
    return {k: str(v) for k, v in draft.values.items() if k in known}


def save_typed_values(ctx: AppContext, escalation_id: int, form_id: str, typed: Mapping[str, str]) -> None:
    """Keep what the user typed on this form for this escalation (only the boxes they changed)."""
    form = form_definition(form_id)
    known = {f.key for f in form.fields}
    unknown = sorted(set(typed) - known)
    if unknown:
        raise ValidationError(
            _("The form “{title}” has no field(s) {join}.").format(title=form.title, join=", ".join(unknown))
        )
    with ctx.store.session() as session:
        _escalation(session, escalation_id)
    drafts.save_draft(ctx, draft_kind(form_id), dict(typed), escalation_id)


def form_values(ctx: AppContext, escalation_id: int, form_id: str) -> FormValues:
    """What the data-entry page shows: the record's values per field, and the user's own changes."""
    form = form_definition(form_id)
    sources = escalation_sources(ctx, escalation_id, form_id=form_id)
    prefilled = {f.key: sources[f.source] for f in form.fields if f.source in sources}
    return FormValues(form, prefilled, typed_values(ctx, escalation_id, form_id))


# --- sources ---------------------------------------------------------------------------------------------------


def escalation_sources(ctx: AppContext, escalation_id: int, *, form_id: str = "") -> dict[str, str]:
    """Every `source -> value` the app knows for this escalation (empty values left out).

    `form_id` narrows the export.* values (copy to the LSCB, method of delivery) to that form's records.
    """
    today = london(ctx.clock.now()).date()
    with ctx.store.session() as session:
        escalation = _escalation(session, escalation_id)
        pack = ctx.pack(escalation.policy_id)
        values = {
            **_child_sources(escalation),
            **_escalation_sources(session, escalation, pack),
            **_stage_sources(escalation, pack),
            **_resolution_sources(escalation, pack),
            **_signer_sources(ctx, today),
            **_alert_sources(ctx, session, today),
            **_export_sources(session, escalation, form_id, today),
        }
    return {key: value for key, value in values.items() if value}


def _escalation(session: Session, escalation_id: int) -> Escalation:
    escalation = bounds.fetch(session, Escalation, escalation_id)
    if escalation is None:
        raise NotFound(
            _("There is no escalation number {escalation_id}.").format(
                escalation_id=bounds.shown(escalation_id)
            )
        )
    return escalation


def _child_sources(escalation: Escalation) -> dict[str, str]:
    child = escalation.child
    flags = flags_of(child)
    return {
        "child.name": child.full_name,
        "child.date_of_birth": child.date_of_birth.isoformat(),
        "child.address": child.address,
        "child.parents": child.parents_carers,
        "child.continuum_of_need": child.continuum_of_need,
        "child.plan_status": ", ".join(
            f for f in flags if f in (_("Child protection plan"), _("Looked after"))
        ),
        # The procedures a case is managed under are its plans (CP, CiN, LAC); EHCP is not a procedure.
        "child.procedures_case_managed": ", ".join(f for f in flags if f != "EHCP"),
    }


def _escalation_sources(session: Session, escalation: Escalation, pack: PolicyPack) -> dict[str, str]:
    other = escalation.other_professional
    other_contact = ", ".join(p for p in (other.name, other.role) if p) if other else ""
    resolution = escalation.resolution
    return {
        "escalation.our_agency": escalation.our_agency,
        "escalation.our_contact": escalation.our_professional,
        "escalation.referrer": escalation.our_professional,
        "escalation.practitioner_role_agency": f"{escalation.our_professional}, {escalation.our_agency}",
        "escalation.other_agency": escalation.other_agency.name,
        "escalation.other_contact": other_contact,
        "escalation.lead_practitioner": _lead_practitioner(escalation, other_contact),
        "escalation.problem": escalation.problem,
        "escalation.desired_outcome": escalation.outcome_sought,
        "escalation.nature": _category(pack, escalation.category),
        "escalation.main_reason": resolution.main_reason if resolution else "",
        "escalation.stage_reached": _stage_name(pack, escalation.current_stage),
        "escalation.chronology": _chronology(session, escalation, pack),
        "escalation.chair_or_iro_notified": _chair_or_iro_notified(pack, escalation),
        "escalation.actions_to_date": _actions_to_date(escalation),
    }


def _lead_practitioner(escalation: Escalation, other_contact: str) -> str:
    # The other agency's named professional is usually the case's lead (e.g. the social worker); the user
    # corrects it on the form when it is not.
    return f"{other_contact} – {escalation.other_agency.name}" if other_contact else ""


def _category(pack: PolicyPack, key: str) -> str:
    return category_words(pack, key, unknown="")


def _stage_name(pack: PolicyPack, stage_key: str) -> str:
    return pack.stage(stage_key).display_name if pack.has_stage(stage_key) else stage_key


def _stage_sources(escalation: Escalation, pack: PolicyPack) -> dict[str, str]:
    """escalation.stage_N.* where N is the stage's position (1, 2, …) in the policy pack."""
    records = {record.stage_key: record for record in escalation.stages}
    closed = escalation.status != "open"
    resolved_at = escalation.resolution.resolved_stage if escalation.resolution else ""
    values: dict[str, str] = {}
    for number, stage in enumerate(pack.stages, start=1):
        record = records.get(stage.key)
        prefix = f"escalation.stage_{number}."
        if record is None:
            # Only a closed escalation can say for certain that it never reached a stage.
            values[prefix + "reached"] = "no" if closed else ""
            continue
        values.update(_one_stage(prefix, record, escalation, resolved_here=resolved_at == stage.key))
    return values


def _one_stage(
    prefix: str, record: StageRecord, escalation: Escalation, *, resolved_here: bool
) -> dict[str, str]:
    left = record.left_at is not None
    # "Was this disagreement responded to at Level 1?" asks whether it was settled there.
    responded = "yes" if resolved_here else ("no" if left else "")
    return {
        prefix + "reached": "yes",
        prefix + "raised_on": _day(record.began_at),  # when it was escalated, not when it was typed in
        prefix + "contact": record.contacted,
        # Medway's "Date response received": the response's own date, blank until the DSL records one (it
        # used to print the day the DSL moved on).
        prefix + "response_on": _day(record.response_received_at) if record.response_received_at else "",
        prefix + "response": record.outcome,
        prefix + "outcome": record.outcome,
        prefix + "responded": responded,
        prefix + "requested_action": escalation.outcome_sought,
        prefix + "timescale_met": _yes_no(record.timescale_met),
        prefix + "timescale_missed_reason": record.missed_reason,
    }


def _resolution_sources(escalation: Escalation, pack: PolicyPack) -> dict[str, str]:
    resolution = escalation.resolution
    if resolution is None:
        return {}
    # printed_label: St Helens' two Stage Fours must not print alike ("Stage Four (mediation …)").
    stage = (
        pack.stage(resolution.resolved_stage).printed_label
        if pack.has_stage(resolution.resolved_stage)
        else ""
    )
    not_informed = "" if resolution.parents_informed else resolution.parents_not_informed_reason
    return {
        "resolution.date": _day(resolution.resolved_at),
        "resolution.level": stage,
        "resolution.stage": stage,
        # What the disagreement was about, in the policy's words; the concern itself is already on the form.
        "resolution.issues_raised": _category(pack, escalation.category),
        "resolution.outcome": resolution.written_outcome,
        "resolution.action": resolution.actions,
        "resolution.practitioners_informed": resolution.practitioners_informed,
        "resolution.lessons_learnt": resolution.lessons_learnt,
        "resolution.has_lessons": "yes" if resolution.lessons_learnt.strip() else "no",
        "resolution.delay_reason": resolution.overrun_reason,
        "resolution.parents_informed": _yes_no(resolution.parents_informed),
        # A yes/no box; the reason the DSL recorded prints under it (the renderer keeps non-yes/no text).
        "resolution.parents_not_informed_for_safeguarding": not_informed,
        "export.learning_referred": _yes_no(resolution.learning_referred_to_board),
    }


def _signer_sources(ctx: AppContext, today: date) -> dict[str, str]:
    return {
        "signer.name": ctx.actor.display_name,
        "signer.role": ctx.actor.role,
        "signer.signed_on": today.isoformat(),
    }


def _alert_sources(ctx: AppContext, session: Session, today: date) -> dict[str, str]:
    # Medway's Partnership Practice Alert is about practice, never a child: only who raises it and when.
    return {
        "alert.informer": f"{ctx.actor.display_name}, {ctx.actor.role}",
        "alert.service": organisation(session).name,
        "alert.date": today.isoformat(),
    }


def _export_sources(session: Session, escalation: Escalation, form_id: str, today: date) -> dict[str, str]:
    """ "Copy to LSCB … Date", "Method of delivery", "Form sent to MSCP": from the recorded exports."""
    query = select(DocumentRecord).where(DocumentRecord.escalation_id == escalation.id)
    if form_id:
        query = query.where(DocumentRecord.form_id == form_id)
    # Only what went to the partnership counts: a copy printed for the governors is not a delivery.
    query = query.where(DocumentRecord.action == "email")
    sent = list(session.scalars(query.order_by(DocumentRecord.at, DocumentRecord.id)))
    values = {"export.date": today.isoformat()}
    if sent:
        last = sent[-1]
        values.update(
            {
                "export.copy_to_lscb": last.recipient or "Yes",
                "export.copy_to_lscb_date": _day(last.at),
                "export.sent_to_partnership": "yes",
                "export.sent_to_partnership_on": _day(last.at),
            }
        )
        values["export.method_of_delivery"] = delivery_method_of(session, last)
    return values


def delivery_method_of(session: Session, record: DocumentRecord) -> str:
    """How a recorded email went out, in the template's words."""
    # Whether the attachment was encrypted is in the record's audit row (DocumentRecord has no column for it).
    detail = session.scalars(
        select(AuditEvent.detail).where(AuditEvent.entity == "document", AuditEvent.entity_id == record.id)
    ).first()
    encrypted = bool(detail and json.loads(detail).get("encrypted"))
    return SECURE_EMAIL if encrypted else EMAIL


def _chronology(session: Session, escalation: Escalation, pack: PolicyPack) -> str:
    lines = [_stage_line(pack, record) for record in escalation.stages]
    entries = session.scalars(
        select(DiscussionEntry)
        .where(DiscussionEntry.escalation_id == escalation.id)
        .order_by(DiscussionEntry.occurred_at, DiscussionEntry.id)
    )
    lines += [f"{_short(e.occurred_at)}: {e.method} – {e.summary.strip()}" for e in entries]
    return "\n".join(lines)


def _stage_line(pack: PolicyPack, record: StageRecord) -> str:
    text = f"{_short(record.entered_at)}: {_stage_name(pack, record.stage_key)}"
    if record.contacted:
        text += f"; contacted {record.contacted}"
    if record.outcome:
        text += f". Outcome: {record.outcome}"
    return text


def _chair_or_iro_notified(pack: PolicyPack, escalation: Escalation) -> str:
    """ "yes"/"no" when the pack asked for the CP Chair or IRO to be told on this escalation, "" when it did not:
    which requirements those are comes from the pack (notifications that apply only to a child on a plan or
    looked after), not from their keys."""
    keys = {
        r.key
        for stage in pack.stages
        for r in stage.requirements
        if r.kind == "notification" and r.when in _PLAN_OR_CARE
    }
    items = [i for i in escalation.checklist if i.requirement_key in keys]
    if not items:
        return ""
    return "yes" if any(i.done_at for i in items) else "no"


def _actions_to_date(escalation: Escalation) -> str:
    done = [i for i in escalation.checklist if i.done_at is not None]
    return "\n".join(f"{_short(i.done_at)}: {i.text}" for i in done if i.done_at)


def _day(instant: datetime | None) -> str:
    return london(instant).date().isoformat() if instant else ""


def _short(instant: datetime) -> str:
    local = london(instant)
    return medium_date(local.date())


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def signature_fields(form: FormDefinition) -> tuple[str, ...]:
    return tuple(f.key for f in form.fields if f.kind is FieldKind.SIGNATURE)


def escalation_id_for(ctx: AppContext, reference_or_id: str) -> int:
    """An escalation named by its reference (ESC-2026-0001, any case) or its number."""
    text = reference_or_id.strip()
    with ctx.store.session() as session:
        found = session.scalars(select(Escalation.id).where(Escalation.reference == text.upper())).first()
        # ASCII digits only, and few enough to be an id: str.isdigit() takes "١" and int() raises on 5,000 digits.
        number = int(text) if re.fullmatch(r"[0-9]{1,19}", text) else None
        if found is None and number is not None and bounds.fetch(session, Escalation, number) is not None:
            found = number
    if found is None:
        shown = text if len(text) <= 40 else text[:39] + "…"
        raise NotFound(
            _("There is no escalation “{shown}”. `dsl-desk cases` lists the open ones.").format(shown=shown)
        )
    return found
