"""The PDF summary sent with a case transfer, for a receiving school that does not use DSL Desk.

Everything a DSL needs to take the case on, readable on paper: the child's details, each escalation with its
stages and outcome, the whole chronology (printed by documents/chronology.py's own pieces, so it reads exactly
as the chronology export does, corrections struck through), the attachments and forms on the file, and who
sent it. OFFICIAL-SENSITIVE top and bottom, the child's name and date of birth and "Page x of y" on every page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from dsl_desk.core.i18n import _
from dsl_desk.documents import chronology as chron
from dsl_desk.documents.fonts import BOLD, register_fonts
from dsl_desk.documents.page import DEMO_MARKING, PagedCanvas, _long_date, a4_document

TITLE = "Safeguarding file transfer summary"


@dataclass(frozen=True)
class SummaryMeta:
    child_name: str
    date_of_birth: date
    sending_school: str
    sent_by: str  # "Jane Smith, Designated Safeguarding Lead"
    sender_contact: str
    receiving_school: str
    receiving_dsl: str
    exported_at: datetime
    bundle_id: str
    fingerprint: str
    demo: bool = False

    def __post_init__(self) -> None:
        if self.exported_at.tzinfo is None:
            raise ValueError("SummaryMeta.exported_at must be timezone-aware")


@dataclass(frozen=True)
class SummaryStage:
    label: str
    entered_at: datetime
    deadline: datetime | None
    left_at: datetime | None
    contacted: str
    outcome: str
    timescale: str  # "met", "missed: <reason>", or ""


@dataclass(frozen=True)
class SummaryEscalation:
    reference: str
    heading: str  # "Open — St Helens, stage 2" / "Resolved at stage 1"
    facts: tuple[tuple[str, str], ...]  # other agency, category, problem, outcome sought, …
    stages: tuple[SummaryStage, ...]
    checklist: tuple[str, ...]  # "Done 6 Jan 2026: Notify the social worker's manager"
    resolution: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SummaryContents:
    child_facts: tuple[tuple[str, str], ...]
    escalations: tuple[SummaryEscalation, ...]
    events: tuple[chron.PrintedEvent, ...]
    attachments: tuple[str, ...]  # "letter.pdf (120 KB), added 5 Jan 2026 with entry 12"
    documents: tuple[str, ...]  # "St Helens Escalation Notice, exported 6 Jan 2026 by Jane Smith, signed"


@dataclass(frozen=True)
class SummaryPdf:
    content: bytes
    pages: int


def render_transfer_summary(meta: SummaryMeta, contents: SummaryContents) -> SummaryPdf:
    register_fonts()
    styles = chron._styles()
    story = _title_block(meta, styles)
    story += [*_section(_("The child"), styles), chron._facts_table(list(contents.child_facts), styles)]
    story += _escalations(contents.escalations, styles)
    story += _section(_("Chronology of discussions and decisions"), styles)
    story.append(
        chron._paragraph(
            _(
                "Times are UK time. Text struck through is an earlier version of an entry, kept on the record; the "
                "correction that replaced it follows, with the reason. Entry numbers are those of the sending "
                "school's record."
            ),
            styles.note,
        )
    )
    if not contents.events:
        story.append(chron._paragraph(_("No discussions were recorded."), styles.body))
    for event in contents.events:
        story += chron._event(event, styles)
    story += _listing(_("Attachments on the file"), contents.attachments, _("No attachments."), styles)
    story += _listing(_("Forms sent from the file"), contents.documents, _("No forms were recorded."), styles)
    buffer = io.BytesIO()
    pages: list[int] = []
    document = a4_document(
        buffer,
        title=TITLE,
        author=meta.sent_by,
        subject=_("{sending_school}: safeguarding file transfer").format(sending_school=meta.sending_school),
        template_id="transfer-summary",
        top_margin=chron.MARGIN_TOP_CHRONOLOGY,
    )
    furniture = partial(_draw_furniture, meta=meta, styles=styles)
    document.build(
        story, canvasmaker=partial(PagedCanvas, furniture=furniture, made_at=meta.exported_at, pages=pages)
    )
    return SummaryPdf(buffer.getvalue(), pages[0] if pages else 0)


def _title_block(meta: SummaryMeta, styles: Any) -> list[Flowable]:
    facts = [
        ("Child", meta.child_name),
        (_("Date of birth"), _long_date(meta.date_of_birth)),
        ("From", meta.sending_school),
        (_("Sent by"), ", ".join(p for p in (meta.sent_by, meta.sender_contact) if p)),
        ("To", ", ".join(p for p in (meta.receiving_dsl, meta.receiving_school) if p)),
        ("Prepared", chron._when(meta.exported_at)),
        (_("Transfer file"), meta.bundle_id),
        (_("Signing certificate"), meta.fingerprint),
    ]
    flowables: list[Flowable] = [chron._paragraph(TITLE, styles.title, BOLD)]
    if meta.demo:
        flowables.append(
            chron._paragraph(
                _("{DEMO_MARKING}. No real child, family or case is described.").format(
                    DEMO_MARKING=DEMO_MARKING
                ),
                styles.late,
            )
        )
    flowables.append(chron._facts_table(facts, styles))
    flowables.append(
        chron._paragraph(
            _(
                "This summary is sent with the child's safeguarding file, as Keeping Children Safe in Education "
                "expects when a child moves school. The complete record, with its attachments, is in the "
                "encrypted transfer file of the same date; a school using DSL Desk imports that file. Please "
                "confirm receipt to the sending DSL. Store this document with the child protection file, "
                "separately from the pupil's main file."
            ),
            styles.note,
        )
    )
    return flowables


def _section(title: str, styles: Any) -> list[Flowable]:
    return [CondPageBreak(40 * mm), Spacer(0, 5 * mm), chron._paragraph(title, styles.title, BOLD)]


def _escalations(escalations: tuple[SummaryEscalation, ...], styles: Any) -> list[Flowable]:
    flowables = _section("Escalations (professional disagreements)", styles)
    if not escalations:
        flowables.append(chron._paragraph(_("No escalations were recorded."), styles.body))
    for escalation in escalations:
        heading = chron._paragraph(f"{escalation.reference} · {escalation.heading}", styles.heading, BOLD)
        flowables += [
            Spacer(0, 3 * mm),
            KeepTogether([heading, chron._facts_table(list(escalation.facts), styles)]),
        ]
        for stage in escalation.stages:
            flowables.append(KeepTogether(_stage(stage, styles)))
        if escalation.checklist:
            flowables.append(chron._paragraph(_("Checklist"), styles.label, BOLD))
            flowables += [chron._paragraph(f"• {line}", styles.body) for line in escalation.checklist]
        if escalation.resolution:
            flowables.append(chron._paragraph(_("Resolution"), styles.label, BOLD))
            flowables.append(chron._facts_table(list(escalation.resolution), styles))
    return flowables


def _stage(stage: SummaryStage, styles: Any) -> list[Flowable]:
    when = f"entered {chron._when(stage.entered_at)}"
    if stage.left_at:
        when += f", left {chron._when(stage.left_at)}"
    elif stage.deadline:
        when += f", deadline {chron._when(stage.deadline)}"
    lines: list[Flowable] = [chron._paragraph(f"{stage.label}: {when}", styles.label, BOLD)]
    for label, text in (
        ("Contacted", stage.contacted),
        ("Outcome", stage.outcome),
        ("Timescale", stage.timescale),
    ):
        if text:
            lines.append(chron._paragraph(f"{label}: {text}", styles.body))
    return lines


def _listing(title: str, lines: tuple[str, ...], empty: str, styles: Any) -> list[Flowable]:
    flowables = _section(title, styles)
    if not lines:
        return [*flowables, chron._paragraph(empty, styles.body)]
    return flowables + [chron._paragraph(f"• {line}", styles.body) for line in lines]


def _draw_furniture(canvas: Canvas, number: int, total: int, *, meta: SummaryMeta, styles: Any) -> None:
    chron.draw_record_furniture(
        canvas,
        styles,
        demo=meta.demo,
        header_left=f"{meta.child_name} · born {_long_date(meta.date_of_birth)}",
        header_right=f"From {meta.sending_school}",
        footer_left=TITLE,
        number=number,
        total=total,
    )
