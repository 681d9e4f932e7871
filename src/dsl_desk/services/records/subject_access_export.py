"""Build the response to a subject access request and write it out: a readable PDF and a JSON file for the
requester, and the redaction log PDF for the school's own file.

Withheld items are left out at the source, before anything is laid out, and every name the DSL chose is
redacted in every piece of text (headings and participants included), so neither the PDF nor the JSON
can carry a withheld item's words. The export is audited; if the audit row cannot be written, the files
are removed again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.categories import category_words
from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import day_month_year, with_time
from dsl_desk.core.i18n import _
from dsl_desk.core.subject_access import exemption, redact
from dsl_desk.documents.disclosure import (
    Disclosure,
    Field,
    Item,
    ItemList,
    LogLine,
    RedactionLog,
    Section,
    WithheldNotice,
    disclosure_json,
)
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.log.reading import entry_views, version_chain
from dsl_desk.services.log.views import KINDS, ChronologyItem, EntryView
from dsl_desk.services.people.children import flags_of
from dsl_desk.services.records.subject_access import (
    ENTITY,
    REDACT_TERM,
    WITHHOLD_SILENT,
    Decision,
    RequestDetail,
    get_request,
)
from dsl_desk.services.records.subject_access_items import list_items
from dsl_desk.store.atomic import write_atomically
from dsl_desk.store.models import Child, DocumentRecord, Escalation

if TYPE_CHECKING:
    from dsl_desk.core.policy import PolicyPack

ICO_COMPLAINTS = "ico.org.uk/make-a-complaint, telephone 0303 123 1113"


@dataclass(frozen=True)
class Preview:
    """What the response will hold, before it is written."""

    items: int  # items disclosed (the child's details, escalations, entries)
    withheld_noted: int  # withheld, with a note saying so
    withheld_silently: int  # withheld without saying so
    replacements: int
    by_term: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportResult:
    response_pdf: Path
    response_json: Path
    redaction_log_pdf: Path
    pages: int
    preview: Preview


@dataclass(frozen=True)
class Built:
    disclosure: Disclosure
    log: RedactionLog
    preview: Preview


def preview(ctx: AppContext, request_id: int) -> Preview:
    return build(ctx, request_id).preview


def build(ctx: AppContext, request_id: int) -> Built:
    detail = get_request(ctx, request_id)
    request = detail.request
    terms = [d.term for d in detail.terms]
    redactor = _Redactor(terms)
    withheld = {(d.item_type, d.item_id): d for d in detail.withheld}
    now = ctx.clock.now()
    with ctx.store.session() as session:
        org = organisation(session)
        child = bounds.fetch(session, Child, request.child_id)
        assert child is not None  # a request's child is never deleted while the request exists
        gathered = _Gathered(session, ctx.packs, child.id)
        sections, counts = _Sections(redactor, withheld, gathered).all(child)
    disclosure = Disclosure(
        reference=request.reference,
        organisation=org.name,
        child_name=redactor(child.full_name),
        requester=request.requester,
        relationship=request.relationship,
        received_on=request.received_on,
        respond_by=request.due_on,
        generated_at=now,
        prepared_by=f"{ctx.actor.display_name}, {ctx.actor.role}",
        about=redactor(_about(org.name, request.received_on, child.full_name, request.requester)),
        sections=sections,
        demo=org.is_demo,
    )
    summary = Preview(
        items=counts["items"],
        withheld_noted=counts["noted"],
        withheld_silently=counts["silent"],
        replacements=sum(redactor.by_term.values()),
        by_term=dict(redactor.by_term),
    )
    labels = {(i.item_type, i.item_id): i.label for i in list_items(ctx, request_id)}
    log = _log(detail, labels, org.name, child.full_name, now, disclosure.prepared_by, summary, org.is_demo)
    return Built(disclosure, log, summary)


def file_names(reference: str, child_name: str, on: date) -> tuple[str, str, str]:
    """File names without the child's name (they show in folders and email): reference, initials, date."""
    from dsl_desk.documents.render import _initials

    stem = f"{reference}_{_initials(child_name)}_{on.isoformat()}"
    return f"{stem}_response.pdf", f"{stem}_response.json", f"{stem}_redaction-log.pdf"


def export_response(ctx: AppContext, request_id: int, folder: Path) -> ExportResult:
    """Write the response (PDF + JSON) and the redaction log (PDF) into `folder`. Audited."""
    from dsl_desk.documents.subject_access_pdf import render_disclosure, render_redaction_log

    folder = bounds.check_path(folder, _("the folder to write to")).expanduser()
    if not folder.is_dir():
        raise ValidationError(
            _(
                "The folder {folder} is not there (was a USB drive removed?). Choose another folder. "
                "Nothing was written."
            ).format(folder=folder),
            field="folder",
        )
    built = build(ctx, request_id)
    response = render_disclosure(built.disclosure)
    contents = {
        "response_pdf": response.content,
        "response_json": disclosure_json(built.disclosure),
        "redaction_log_pdf": render_redaction_log(built.log).content,
    }
    with ctx.store.session() as session:
        child_name = bounds.fetch(session, Child, get_request(ctx, request_id).request.child_id).full_name  # type: ignore[union-attr]
    names = dict(
        zip(
            contents,
            file_names(built.disclosure.reference, child_name, london(ctx.clock.now()).date()),
            strict=True,
        )
    )
    paths = {key: folder / names[key] for key in contents}
    written: list[Path] = []
    try:
        with ctx.store.session() as session:
            audit.record(
                session,
                at=ctx.clock.now(),
                user_id=ctx.actor.user_id,
                action="sar_exported",
                entity=ENTITY,
                entity_id=request_id,
                detail={
                    "files": {key: {"name": names[key], "sha256": hashlib.sha256(data).hexdigest()}
                              for key, data in contents.items()},
                    "withheld": built.preview.withheld_noted + built.preview.withheld_silently,
                    "redactions": built.preview.replacements,
                },
            )  # fmt: skip
            # Written last inside the unit of work, so a failed write rolls the audit row back with it.
            for key, data in contents.items():
                write_atomically(paths[key], data)
                written.append(paths[key])
    except BaseException:
        # An unaudited copy of a child's record must not be left on disk.
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return ExportResult(
        paths["response_pdf"],
        paths["response_json"],
        paths["redaction_log_pdf"],
        response.pages,
        built.preview,
    )


# --------------------------------------------------------------------------------------------------------------
# Gathering what is held
# --------------------------------------------------------------------------------------------------------------


class _Redactor:
    def __init__(self, terms: Sequence[str]) -> None:
        self.terms = list(terms)
        self.by_term: dict[str, int] = dict.fromkeys(self.terms, 0)

    def __call__(self, text: str) -> str:
        if not self.terms or not text:
            return text
        result = redact(text, self.terms)
        for term, n in result.by_term.items():
            self.by_term[term] = self.by_term.get(term, 0) + n
        return result.text


class _Gathered:
    """Everything held about one child, read in one unit of work."""

    def __init__(self, session: Session, packs: Mapping[str, PolicyPack], child_id: int) -> None:
        # The discussion log's own read models, so the response shows entries exactly as the log does.
        from dsl_desk.store.models import DiscussionEntry

        self.packs = packs
        self.escalations = list(
            session.scalars(
                select(Escalation).where(Escalation.child_id == child_id).order_by(Escalation.opened_at)
            )
        )
        ids = [e.id for e in self.escalations]
        self.documents: dict[int, list[DocumentRecord]] = {}
        for doc in session.scalars(
            select(DocumentRecord).where(DocumentRecord.escalation_id.in_(ids)).order_by(DocumentRecord.at)
        ):
            self.documents.setdefault(doc.escalation_id or 0, []).append(doc)
        rows = list(
            session.scalars(
                select(DiscussionEntry)
                .where(DiscussionEntry.child_id == child_id)
                .order_by(DiscussionEntry.occurred_at, DiscussionEntry.id)
            )
        )
        self.chronology: list[ChronologyItem] = version_chain(entry_views(session, rows, packs))
        # Touch the lazy relationships while the session is open.
        for e in self.escalations:
            _loaded = (
                e.other_agency.name,
                e.other_professional,
                list(e.stages),
                list(e.checklist),
                e.resolution,
            )

    def stage_label(self, escalation: Escalation, key: str) -> str:
        pack = self.packs.get(escalation.policy_id)
        return pack.stage(key).label if pack is not None and pack.has_stage(key) else key

    def policy_name(self, escalation: Escalation) -> str:
        pack = self.packs.get(escalation.policy_id)
        return pack.name if pack is not None else escalation.policy_id

    def category(self, escalation: Escalation) -> str:
        return category_words(self.packs.get(escalation.policy_id), escalation.category)


class _Sections:
    def __init__(
        self,
        redactor: Callable[[str], str],
        withheld: Mapping[tuple[str, int | None], Decision],
        held: _Gathered,
    ) -> None:
        self.r = redactor
        self.withheld = withheld
        self.held = held
        self.counts = {"items": 0, "noted": 0, "silent": 0}

    def all(self, child: Child) -> tuple[tuple[Section, ...], dict[str, int]]:
        sections = (
            Section("child", _("The child's details"), (self._child(child),)),
            Section(
                "escalations",
                _("Escalations: disagreements between professionals about keeping the child safe"),
                self._items("escalation", self.held.escalations, self._escalation),
                _("There are no escalations about this child."),
            ),
            Section(
                "discussion_log",
                _("Discussion log: discussions and decisions, in the order they happened"),
                self._items("entry", [v for item in self.held.chronology for v in (*item.earlier, item.current)], self._entry),
                _("No discussions have been recorded."),
            ),
        )  # fmt: skip
        return sections, self.counts

    def _items(
        self, kind: str, records: Sequence[object], make: Callable[[object], Item]
    ) -> tuple[Item, ...]:
        items: list[Item] = []
        for record in records:
            decision = self.withheld.get((kind, record.id))  # type: ignore[attr-defined]
            if decision is None:
                items.append(make(record))
                self.counts["items"] += 1
            elif decision.kind == WITHHOLD_SILENT:
                self.counts["silent"] += 1
            else:
                items.append(_withheld_item(kind, decision))
                self.counts["noted"] += 1
        return tuple(items)

    def _field(self, key: str, label: str, value: str) -> Field:
        return Field(key, label, self.r(value))

    def _fields(self, *triples: tuple[str, str, str]) -> tuple[Field, ...]:
        return tuple(self._field(k, label, v) for k, label, v in triples if v)

    def _child(self, child: Child) -> Item:
        self.counts["items"] += 1
        return Item(
            "child",
            child.id,
            self.r(child.full_name),
            self._fields(
                ("name", "Name", child.full_name),
                ("date_of_birth", _("Date of birth"), _long(child.date_of_birth)),
                ("address", "Address", child.address),
                ("parents_carers", _("Parents and carers"), child.parents_carers),
                ("status", "Status", ", ".join(flags_of(child))),
                ("continuum_of_need", _("Continuum of need"), child.continuum_of_need),
                ("recorded_since", _("Record opened"), _when(child.created_at)),
            ),
        )

    def _escalation(self, record: object) -> Item:
        e: Escalation = record  # type: ignore[assignment]
        held = self.held
        fields = self._fields(
            ("reference", "Reference", e.reference),
            ("opened", "Opened", _when(e.opened_at)),
            ("status", "Status", {"open": "Open", "resolved": "Resolved", "withdrawn": "Withdrawn"}.get(e.status, e.status)),
            ("policy", _("Escalation policy"), held.policy_name(e)),
            ("our_agency", _("Our organisation"), e.our_agency),
            ("our_professional", _("Our professional"), e.our_professional),
            ("other_agency", _("Other agency"), e.other_agency.name),
            ("other_professional", _("Other agency's professional"), e.other_professional.name if e.other_professional else ""),
            ("category", _("What the disagreement is about"), held.category(e)),
            ("problem", _("The problem"), e.problem),
            ("outcome_sought", _("The outcome sought"), e.outcome_sought),
            ("immediate_risk", _("Child thought to be at immediate risk"), "Yes" if e.immediate_risk else "No"),
            ("withdrawn_reason", _("Why it was withdrawn"), e.withdrawn_reason),
            *self._resolution(e),
        )  # fmt: skip
        stages = tuple(
            self._row(
                ("stage", "Stage", held.stage_label(e, s.stage_key)),
                ("entered", "Entered", _when(s.entered_at)),
                ("deadline", "Deadline", _when(s.deadline) if s.deadline else ""),
                ("contacted", "Contacted", s.contacted),
                ("outcome", "Outcome", s.outcome),
                ("timescale_met", _("Timescale met"), _yes_no(s.timescale_met)),
                ("missed_reason", _("Why the timescale was missed"), s.missed_reason),
                ("left", "Left", _when(s.left_at) if s.left_at else ""),
            )
            for s in e.stages
        )
        checklist = tuple(
            self._row(
                ("text", _("What the policy required"), c.text),
                ("recipient", "To", c.recipient),
                ("done", "Done", _when(c.done_at) if c.done_at else _("Not yet")),
                ("note", "Note", c.done_note),
            )
            for c in e.checklist
        )
        documents = tuple(
            self._row(
                ("form", "Document", d.form_id.replace("_", " ")),
                ("action", _("What was done"), {"export": _("Saved as PDF"), "print": "Printed", "email": _("Drafted as email")}.get(d.action, d.action)),
                ("when", "When", _when(d.at)),
                ("recipient", "To", d.recipient),
            )
            for d in held.documents.get(e.id, [])
        )  # fmt: skip
        lists = [
            ItemList("stages", "Stages", stages),
            ItemList("checklist", "Checklist", checklist),
            ItemList("documents", _("Documents made"), documents),
        ]
        return Item("escalation", e.id, self.r(f"Escalation {e.reference} · opened {_when(e.opened_at)}"), fields,
                    tuple(lst for lst in lists if lst.rows))  # fmt: skip

    def _resolution(self, e: Escalation) -> list[tuple[str, str, str]]:
        res = e.resolution
        if res is None:
            return []
        return [
            ("resolved", "Resolved", _when(res.resolved_at)),
            ("written_outcome", "Outcome", res.written_outcome),
            ("agreed_in_writing", _("Outcome agreed in writing"), _yes_no(res.outcome_agreed_in_writing)),
            ("main_reason", _("Main reason for the disagreement"), res.main_reason),
            ("resolution_actions", "Actions", res.actions),
            ("practitioners_informed", _("Practitioners informed"), res.practitioners_informed),
            ("lessons_learnt", _("Lessons learnt"), res.lessons_learnt),
            ("parents_informed", _("Parents informed"), _yes_no(res.parents_informed)),
            ("parents_not_informed_reason", _("Why parents were not informed"), res.parents_not_informed_reason),
            ("child_situation_improved", _("Has the child's situation improved"), res.child_situation_improved),
            ("manager_confirmed_child_safe", _("Manager confirmed the child is safe"), _yes_no(res.manager_confirmed_child_safe)),
            ("manager_name", "Manager", res.manager_name),
        ]  # fmt: skip

    def _entry(self, record: object) -> Item:
        v: EntryView = record  # type: ignore[assignment]
        escalation_hidden = ("escalation", v.escalation_id) in self.withheld
        about = "" if escalation_hidden or not v.escalation_reference else v.escalation_reference
        if about and v.stage_label:
            about += f", {v.stage_label}"
        correction, corrected_by = self._versions(v)
        fields = self._fields(
            ("occurred", _("When it happened"), _when(v.occurred_at)),
            ("recorded", "Written", f"{_when(v.recorded_at)} by {v.author}" + (f", {v.author_role}" if v.author_role else "")),
            ("method", "How", v.method_label),
            ("kind", "Kind", KINDS[v.kind] if v.kind != "discussion" else ""),
            ("escalation", "Escalation", about),
            ("late", _("Recorded late"), _("written {late_by} after the event").format(late_by=v.late_by) if v.late else ""),
            ("correction", "Correction", correction),
            ("corrected_by", _("Corrected later"), corrected_by),
            ("participants", "Participants", v.participants),
            ("summary", _("What was discussed (facts)"), v.summary),
            ("child_views", _("The child's views, in their own words"), v.child_views),
            ("opinion", _("Professional opinion"), v.opinion),
            ("decisions", _("Decisions, and the reason for each"), v.decisions),
        )  # fmt: skip
        actions = tuple(
            self._row(
                ("description", "Action", a.description),
                ("owner", "Who", a.owner),
                ("due", "Due", _long(a.due_on) if a.due_on else ""),
                ("done", "Done", _when(a.done_at) if a.done_at else ""),
            )
            for a in v.actions
        )
        shares = tuple(
            self._row(
                ("with", _("Shared with"), s.shared_with),
                ("when", "When", _when(s.shared_at) if s.shared_at else ""),
            )
            for s in v.shares
        )
        files = tuple(
            self._row(("file_name", "File", a.file_name), ("added", "Added", _when(a.added_at)))
            for a in v.attachments
            if ("attachment", a.id) not in self.withheld
        )
        lists = [
            ItemList("actions", _("Actions agreed"), actions),
            ItemList("shares", _("Shared with"), shares),
            ItemList("attachments", _("Files attached (listed by name)"), files),
        ]
        heading = f"Entry {v.id} · {_when(v.occurred_at)} · {v.method_label}"
        if corrected_by:
            heading = _("Earlier version: {heading}").format(heading=heading)
        return Item("entry", v.id, self.r(heading), fields, tuple(lst for lst in lists if lst.rows))

    def _versions(self, v: EntryView) -> tuple[str, str]:
        """The "correction of" and "corrected by" notes, never pointing at a withheld entry by number, and
        saying nothing at all about one withheld without notice."""
        correction = corrected_by = ""
        earlier = self.withheld.get(("entry", v.amends_id)) if v.amends_id else None
        if v.amends_id and earlier is None:
            correction = _("Correction of entry {amends_id}. Reason: {amend_reason}").format(
                amends_id=v.amends_id, amend_reason=v.amend_reason
            )
        elif earlier is not None and earlier.kind != WITHHOLD_SILENT:
            correction = _(
                "Correction of an earlier entry, which is withheld. Reason: {amend_reason}"
            ).format(amend_reason=v.amend_reason)
        later = self.withheld.get(("entry", v.amended_by_id)) if v.amended_by_id else None
        if v.amended_by_id and later is None:
            corrected_by = _("This version was corrected by entry {amended_by_id}.").format(
                amended_by_id=v.amended_by_id
            )
        elif later is not None and later.kind != WITHHOLD_SILENT:
            corrected_by = _("This version was corrected later; the correction is withheld.")
        return correction, corrected_by

    def _row(self, *triples: tuple[str, str, str]) -> tuple[Field, ...]:
        return self._fields(*triples)


def _withheld_item(kind: str, decision: Decision) -> Item:
    what = {"entry": _("An entry in the discussion log"), "escalation": _("An escalation record")}.get(
        kind, "A record"
    )
    chosen = exemption(decision.exemption_key)
    return Item(
        "withheld",
        None,
        _("{what} has been withheld under an exemption: {label} ({reference}).").format(
            what=what, label=chosen.label, reference=chosen.reference
        ),
        exemption=WithheldNotice(chosen.key, chosen.label, chosen.reference),
    )


def _about(organisation_name: str, received_on: date, child_name: str, requester: str) -> str:
    return _(
        "This is {organisation_name}'s response to the subject access request received on "
        "{long} from {requester}, for the personal information it holds about "
        "{child_name} in its safeguarding records.\n\n"
        "It contains: the child's details as recorded; each escalation (a disagreement between "
        "professionals about how to keep the child safe) with its stages, checklist and outcome; and the "
        "discussion log, in the order things happened. An entry that was later corrected is shown as it "
        "was first written, followed by the correction and the reason for it. Files attached to the "
        "record are listed by name. A JSON file with the same content comes with this document.\n\n"
        "Where showing another person's name would disclose information about them, the name has been "
        "replaced by “[redacted: third party]”. Information may also be withheld where an exemption in "
        "the Data Protection Act 2018 applies; where we are able to say so, a note marks the place and "
        "names the exemption.\n\n"
        "If you are unhappy with this response, please tell us first and we will look at it again. You "
        "also have the right to complain to the Information Commissioner's Office (ICO): "
        "{ICO_COMPLAINTS}. You may also apply to a court."
    ).format(
        organisation_name=organisation_name,
        long=_long(received_on),
        requester=requester,
        child_name=child_name,
        ICO_COMPLAINTS=ICO_COMPLAINTS,
    )


def _log(
    detail: RequestDetail,
    labels: Mapping[tuple[str, int], str],
    organisation_name: str,
    child_name: str,
    now: datetime,
    prepared_by: str,
    summary: Preview,
    demo: bool,
) -> RedactionLog:
    request = detail.request
    lines = []
    for number, d in enumerate(detail.decisions, start=1):
        if d.kind == REDACT_TERM:
            what = _("Name redacted throughout: “{term}”").format(term=d.term)
        else:
            what = "Withheld: " + labels.get((d.item_type, d.item_id or 0), f"{d.item_type} {d.item_id}")
        status = (
            _("In force")
            if d.in_force
            else _("Taken back {when} by {removed_by}").format(
                when=_when(d.removed_at), removed_by=d.removed_by
            )
        )  # type: ignore[arg-type]
        lines.append(
            LogLine(
                number=number,
                what=what,
                exemption=f"{d.exemption_label} ({d.exemption_reference})" if d.exemption_reference else d.exemption_label,
                reason=d.reason,
                decided=f"{_when(d.decided_at)} by {d.decided_by}",
                status=status,
                silent=d.kind == WITHHOLD_SILENT,
                replacements=summary.by_term.get(d.term, 0) if d.kind == REDACT_TERM and d.in_force else None,
            )
        )  # fmt: skip
    return RedactionLog(
        reference=request.reference, organisation=organisation_name, child_name=child_name,
        requester=request.requester, relationship=request.relationship, received_on=request.received_on,
        respond_by=request.due_on, status=request.status_words, generated_at=now, prepared_by=prepared_by,
        lines=tuple(lines), demo=demo,
    )  # fmt: skip


def _when(instant: datetime | None) -> str:
    if instant is None:
        return ""
    local = london(instant)
    return with_time(local)


def _long(day: date) -> str:
    return day_month_year(day)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")
