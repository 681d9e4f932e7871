"""What a subject access request discloses: the items of the child's record, the search terms that find them, what is withheld and why (a Decision per item, recorded and reversible)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.i18n import _
from dsl_desk.core.subject_access import (
    EXEMPTIONS_BY_KEY,
)
from dsl_desk.services import bounds
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.records.subject_access import (
    Decision,
    audit_request,
    check_reason_length,
    child_names,
    day_of,
    decision_view,
    decisions_in_force,
    decisions_of,
    load_child,
    load_request,
    open_request,
    users_by_id,
)
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import (
    Attachment,
    DiscussionEntry,
    Escalation,
    SarRedaction,
    StageRecord,
)

ENTITY = "subject_access_request"
ITEM_TYPES = {"entry": "entry in the discussion log", "escalation": "escalation", "attachment": "attachment"}
# Stored in SarRedaction.kind. "withhold_silent": withheld, and the response does not say so (neither
# confirm nor deny), because saying that something was withheld would itself cause the harm.
REDACT_TERM, WITHHOLD, WITHHOLD_SILENT = "redact_term", "withhold", "withhold_silent"
THIRD_PARTY = "third_party"
MAX_REASON = 2_000
MIN_TERM = 2


def add_term(ctx: AppContext, request_id: int, term: str, reason: str = "") -> Decision:
    """Redact a third party's name (or any phrase) everywhere in the response."""
    bounds.check_text(term, _("the name to redact"), limit=bounds.LINE_MAX, field="term")
    bounds.check_text(reason, "the reason", field="reason")
    term, reason = " ".join(term.split()), reason.strip()
    if len(term) < MIN_TERM:
        raise ValidationError(_("Enter the name to redact (at least two letters)."), field="term")
    if len(term) > 200:
        raise ValidationError(_("That is too long for a name (200 characters at most)."), field="term")
    check_reason_length(reason)
    now = ctx.clock.now()
    with ctx.store.session() as session:
        request = open_request(session, request_id)
        child = load_child(session, request.child_id)
        if term.casefold() in child_names(child):
            raise ValidationError(
                _("That is the child's own name: the response is about the child, so it cannot be redacted."),
                field="term",
            )
        if any(
            d.term.casefold() == term.casefold() for d in decisions_in_force(session, request.id, REDACT_TERM)
        ):
            raise ValidationError(_("“{term}” is already being redacted.").format(term=term), field="term")
        row = SarRedaction(
            request_id=request.id, kind=REDACT_TERM, term=term, exemption=THIRD_PARTY,
            reason=reason or "A third party's name", decided_at=now, decided_by_id=ctx.actor.user_id,
        )  # fmt: skip
        session.add(row)
        session.flush()
        audit_request(ctx, session, "sar_term_added", request.id, {"decision": row.id})
        return decision_view(row, users_by_id(session))


def withhold(
    ctx: AppContext,
    request_id: int,
    item_type: str,
    item_id: int,
    exemption_key: str,
    reason: str,
    *,
    silent: bool = False,
) -> Decision:
    """Leave an item out of the response under an exemption. `silent`: do not even say it was withheld."""
    bounds.check_text(reason, "the reason", field="reason")
    bounds.check_text(item_type, _("the kind of item"), limit=bounds.NAME_MAX, field="item")
    bounds.check_text(exemption_key, "the exemption", limit=bounds.NAME_MAX, field="exemption")
    reason = reason.strip()
    if item_type not in ITEM_TYPES:
        raise ValidationError(_("Choose an entry, an escalation or an attachment to withhold."), field="item")
    if exemption_key not in EXEMPTIONS_BY_KEY:
        raise ValidationError(_("Choose the exemption the item is withheld under."), field="exemption")
    if not reason:
        raise ValidationError(
            _(
                "Say why this exemption applies: the reason is kept in the redaction log, in case the "
                "decision is challenged."
            ),
            field="reason",
        )
    check_reason_length(reason)
    now = ctx.clock.now()
    with ctx.store.session() as session:
        request = open_request(session, request_id)
        _check_item_belongs(session, request.child_id, item_type, item_id)
        for decision in decisions_in_force(session, request.id, WITHHOLD, WITHHOLD_SILENT):
            if (decision.item_type, decision.item_id) == (item_type, item_id):
                raise ValidationError(
                    _("That {ITEM_TYPES} is already withheld.").format(ITEM_TYPES=ITEM_TYPES[item_type]),
                    field="item",
                )
        row = SarRedaction(
            request_id=request.id, kind=WITHHOLD_SILENT if silent else WITHHOLD, item_type=item_type,
            item_id=item_id, exemption=exemption_key, reason=reason, decided_at=now,
            decided_by_id=ctx.actor.user_id,
        )  # fmt: skip
        session.add(row)
        session.flush()
        detail = {"decision": row.id, "item": item_type, "item_id": item_id, "exemption": exemption_key}
        audit_request(ctx, session, "sar_item_withheld", request.id, {**detail, "silent": silent})
        return decision_view(row, users_by_id(session))


def take_back(ctx: AppContext, decision_id: int) -> Decision:
    """Undo a redaction or a withholding before the response goes. The log keeps it, marked removed."""
    now = ctx.clock.now()
    with ctx.store.session() as session:
        row = bounds.fetch(session, SarRedaction, decision_id)
        if row is None:
            raise NotFound(
                _("There is no redaction decision number {decision_id}.").format(
                    decision_id=bounds.shown(decision_id)
                )
            )
        open_request(session, row.request_id)
        if row.removed_at is not None:
            raise ValidationError(_("That decision was already taken back."))
        row.removed_at, row.removed_by_id = now, ctx.actor.user_id
        action = "sar_term_removed" if row.kind == REDACT_TERM else "sar_item_unwithheld"
        audit_request(ctx, session, action, row.request_id, {"decision": row.id})
        return decision_view(row, users_by_id(session))


def list_items(ctx: AppContext, request_id: int) -> list[DisclosableItem]:
    """Everything that can be withheld, in the order it happened: escalations, entries, attachments."""
    with ctx.store.session() as session:
        request = load_request(session, request_id)
        withheld = {
            (d.item_type, d.item_id): d
            for d in decisions_of(session, request.id)
            if d.kind != REDACT_TERM and d.in_force
        }
        items = [*_escalation_items(session, request.child_id), *_entry_items(session, request.child_id)]
        items += _attachment_items(session, request.child_id)
        return [
            DisclosableItem(kind, item_id, label, snippet, withheld.get((kind, item_id)))
            for kind, item_id, label, snippet in items
        ]


def suggest_terms(ctx: AppContext, request_id: int) -> list[str]:
    """Names of other people found in the record (professionals, participants, parents and carers, people
    it was shared with, action owners), for the DSL to tick. Never the child's own name; never a name
    already being redacted."""
    with ctx.store.session() as session:
        request = load_request(session, request_id)
        child = load_child(session, request.child_id)
        sources = [
            child.parents_carers,
            *_escalation_names(session, child.id),
            *_entry_names(session, child.id),
        ]
        taken = child_names(child) | {
            d.term.casefold() for d in decisions_in_force(session, request.id, REDACT_TERM)
        }
    found: dict[str, str] = {}
    for source in sources:
        for name in _names_in(source):
            if name.casefold() not in taken:
                found.setdefault(name.casefold(), name)
    return sorted(found.values(), key=str.casefold)


def _check_item_belongs(session: Session, child_id: int, item_type: str, item_id: int) -> None:
    owner: int | None = None
    if item_type == "entry":
        entry = bounds.fetch(session, DiscussionEntry, item_id)
        owner = entry.child_id if entry else None
    elif item_type == "escalation":
        escalation = bounds.fetch(session, Escalation, item_id)
        owner = escalation.child_id if escalation else None
    else:
        attachment = bounds.fetch(session, Attachment, item_id)
        owner = _attachment_child(session, attachment) if attachment else None
    if owner != child_id:
        raise ValidationError(
            _("That {ITEM_TYPES} is not part of this child's record, so it cannot be withheld here.").format(
                ITEM_TYPES=ITEM_TYPES[item_type]
            ),
            field="item",
        )


def _attachment_child(session: Session, attachment: Attachment) -> int | None:
    if attachment.entry_id is not None:
        entry = bounds.fetch(session, DiscussionEntry, attachment.entry_id)
        return entry.child_id if entry else None
    escalation = (
        bounds.fetch(session, Escalation, attachment.escalation_id) if attachment.escalation_id else None
    )
    return escalation.child_id if escalation else None


def _escalation_items(session: Session, child_id: int) -> list[tuple[str, int, str, str]]:
    rows = session.scalars(
        select(Escalation).where(Escalation.child_id == child_id).order_by(Escalation.opened_at)
    )
    return [
        ("escalation", e.id, f"Escalation {e.reference} · {e.other_agency.name} · opened {day_of(e.opened_at)}",
         _snippet(e.problem))
        for e in rows
    ]  # fmt: skip


def _entry_items(session: Session, child_id: int) -> list[tuple[str, int, str, str]]:
    from dsl_desk.services.log.views import method_label

    rows = session.scalars(
        select(DiscussionEntry)
        .where(DiscussionEntry.child_id == child_id)
        .order_by(DiscussionEntry.occurred_at, DiscussionEntry.id)
    )
    items = []
    for e in rows:
        label = f"Entry {e.id} · {day_of(e.occurred_at)} · {method_label(e.method)}"
        if e.amends_id:
            label += _(" · correction of entry {amends_id}").format(amends_id=e.amends_id)
        items.append(("entry", e.id, label, _snippet(e.summary)))
    return items


def _attachment_items(session: Session, child_id: int) -> list[tuple[str, int, str, str]]:
    entry_ids = select(DiscussionEntry.id).where(DiscussionEntry.child_id == child_id)
    escalation_ids = select(Escalation.id).where(Escalation.child_id == child_id)
    rows = session.execute(
        select(Attachment.id, Attachment.file_name, Attachment.entry_id, Attachment.escalation_id)
        .where(Attachment.entry_id.in_(entry_ids) | Attachment.escalation_id.in_(escalation_ids))
        .order_by(Attachment.id)
    )
    return [
        (
            "attachment",
            item_id,
            f"Attachment: {name}",
            f"on entry {entry_id}" if entry_id else _("on the escalation"),
        )
        for item_id, name, entry_id, _escalation in rows
    ]


def _escalation_names(session: Session, child_id: int) -> list[str]:
    names: list[str] = []
    for e in session.scalars(select(Escalation).where(Escalation.child_id == child_id)):
        names += [e.our_professional, e.other_professional.name if e.other_professional else ""]
        if e.resolution is not None:
            names += [e.resolution.manager_name, e.resolution.practitioners_informed]
    names += session.scalars(
        select(StageRecord.contacted).join(Escalation).where(Escalation.child_id == child_id)
    ).all()
    return names


def _entry_names(session: Session, child_id: int) -> list[str]:
    from dsl_desk.store.models import ActionItem, EntryShare

    entries = select(DiscussionEntry.id).where(DiscussionEntry.child_id == child_id)
    rows = session.execute(
        select(DiscussionEntry.participants, DiscussionEntry.shared_with).where(
            DiscussionEntry.child_id == child_id
        )
    )
    names = [text for pair in rows for text in pair]
    names += session.scalars(select(EntryShare.shared_with).where(EntryShare.entry_id.in_(entries))).all()
    names += session.scalars(select(ActionItem.owner).where(ActionItem.entry_id.in_(entries))).all()
    return names


_SPLIT = re.compile(r"[,;\n/]+|\s+(?:and|&)\s+")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^]]*\]")
_ROLE_AFTER = re.compile(r"\s+[–—-]\s+.*$")  # "Ms Reed – social worker": the name is before the dash
# "Sam Otterburn, Social Worker": the part after the comma is a job, not a person to redact.
_ROLE_WORDS = frozenset(
    [
        "worker",
        "manager",
        "officer",
        "teacher",
        "nurse",
        "lead",
        "leader",
        "practitioner",
        "sergeant",
        "inspector",
        "constable",
        "detective",
        "head",
        "headteacher",
        "deputy",
        "dsl",
        "senco",
        "designated",
        "safeguarding",
        "social",
        "team",
        "service",
        "services",
        "school",
        "council",
        "police",
        "health",
        "care",
        "camhs",
        "gp",
        "doctor",
        "paediatrician",
        "visitor",
        "coordinator",
        "co-ordinator",
        "advisor",
        "adviser",
        "supervisor",
        "director",
        "chair",
        "principal",
        "assistant",
    ]
)


def _names_in(text: str) -> list[str]:
    """Likely personal names in a free-text list such as "Ms K Reed (social worker), DC Patel and Dawn"."""
    names = []
    for part in _SPLIT.split(_BRACKETS.sub(" ", text or "")):
        name = " ".join(_ROLE_AFTER.sub("", part).split()).strip(" .:-")
        # A name starts with a capital letter and is not a sentence: at most five words.
        words = name.split()
        a_job_title = all(word.casefold().strip(".") in _ROLE_WORDS for word in words)
        if len(name) >= MIN_TERM and name[0].isupper() and len(words) <= 5 and not a_job_title:
            names.append(name)
    return names


def _snippet(text: str, width: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@dataclass(frozen=True)
class DisclosableItem:
    """Something held about the child that the DSL may withhold: an entry, an escalation or an attachment."""

    item_type: str
    item_id: int
    label: str
    snippet: str
    withheld: Decision | None
