"""The subject access response and its redaction log as A4 PDFs.

Both carry the OFFICIAL-SENSITIVE marking top and bottom and "Page x of y". The response opens with who it
is for, the date, and a plain-English note of what it contains and of the right to complain to the ICO.
The redaction log says on every page that it is for the school's own file, not for the requester.

Page set-up, fonts and styles are the chronology's (documents/chronology.py), so every DSL Desk PDF reads
alike; text goes in paragraphs, not table cells, so a long entry flows across pages.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from dsl_desk.core.i18n import _
from dsl_desk.documents.chronology import (
    MARGIN_TOP_CHRONOLOGY,
    _facts_table,
    _paragraph,
    _styles,
    _when,
    draw_record_furniture,
)
from dsl_desk.documents.disclosure import Disclosure, Item, RedactionLog, Section
from dsl_desk.documents.fonts import BOLD, register_fonts
from dsl_desk.documents.page import (
    CONTENT_WIDTH,
    DEMO_MARKING,
    LABEL_FILL,
    NAVY,
    PagedCanvas,
    _long_date,
    a4_document,
)

_SHORT = 90  # characters: an answer this short sits beside its label
LOG_WARNING = "For the school's own file. Do not send this log to the requester."


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


@dataclass(frozen=True)
class _Furniture:
    header_left: str
    header_right: str
    footer_left: str
    generated_at: datetime
    demo: bool


def render_disclosure(disclosure: Disclosure) -> RenderedPdf:
    register_fonts()
    styles = _styles()
    story = _response_title(disclosure, styles)
    for section in disclosure.sections:
        story += _section(section, styles)
    furniture = _Furniture(
        _("Information about {child_name}").format(child_name=disclosure.child_name),
        f"Prepared {_long_date(disclosure.generated_at.date())}",
        _("Subject access response {reference} · {organisation}").format(
            reference=disclosure.reference, organisation=disclosure.organisation
        ),
        disclosure.generated_at,
        disclosure.demo,
    )
    return _build(story, furniture, title=_("Subject access response {reference}").format(reference=disclosure.reference),
                  author=disclosure.prepared_by, subject=_("{organisation}: subject access response").format(organisation=disclosure.organisation))  # fmt: skip


def render_redaction_log(log: RedactionLog) -> RenderedPdf:
    register_fonts()
    styles = _styles()
    story: list[Flowable] = [
        _paragraph(
            _("Redaction log for subject access request {reference}").format(reference=log.reference),
            styles.title,
            BOLD,
        ),
        _paragraph(LOG_WARNING, styles.late, BOLD),
    ]
    if log.demo:
        story.append(
            _paragraph(
                _("{DEMO_MARKING}. No real child, family or case is described.").format(
                    DEMO_MARKING=DEMO_MARKING
                ),
                styles.late,
            )
        )
    story.append(
        _facts_table(
            [
                ("Child", log.child_name),
                ("Requester", f"{log.requester} ({log.relationship})"),
                ("Received", _long_date(log.received_on)),
                (_("Respond by"), _long_date(log.respond_by)),
                ("Status", log.status),
                (_("Log printed"), f"{_when(log.generated_at)} by {log.prepared_by}"),
                ("Decisions", _("{length}, including any taken back").format(length=len(log.lines))),
            ],
            styles,
        )
    )
    story.append(
        _paragraph(
            _(
                "Every decision about this request, in the order it was made: names redacted throughout the "
                "response, and items withheld under an exemption, each with who decided, when and why. A "
                "decision taken back before the response was sent stays in the log, marked as taken back."
            ),
            styles.note,
        )
    )
    story.append(Spacer(0, 3 * mm))
    if not log.lines:
        story.append(_paragraph(_("No names were redacted and nothing was withheld."), styles.body))
    for line in log.lines:
        story += _log_line(line, styles)
    furniture = _Furniture(
        _("Redaction log {reference} · {child_name}").format(
            reference=log.reference, child_name=log.child_name
        ),
        "NOT FOR THE REQUESTER",
        _("Redaction log {reference} · {organisation}").format(
            reference=log.reference, organisation=log.organisation
        ),
        log.generated_at,
        log.demo,
    )
    return _build(story, furniture, title=_("Redaction log {reference}").format(reference=log.reference), author=log.prepared_by,
                  subject=_("{organisation}: subject access redaction log").format(organisation=log.organisation))  # fmt: skip


# --- the response ----------------------------------------------------------------------------------------


def _response_title(d: Disclosure, styles: Any) -> list[Flowable]:
    flowables: list[Flowable] = [_paragraph(_("Subject access response"), styles.title, BOLD)]
    if d.demo:
        flowables.append(
            _paragraph(
                _("{DEMO_MARKING}. No real child, family or case is described.").format(
                    DEMO_MARKING=DEMO_MARKING
                ),
                styles.late,
            )
        )
    flowables.append(
        _facts_table(
            [
                (_("Prepared for"), f"{d.requester} ({d.relationship})"),
                (_("Information about"), d.child_name),
                (_("Request received"), _long_date(d.received_on)),
                (_("Date of this response"), _long_date(d.generated_at.date())),
                ("From", f"{d.organisation}, prepared by {d.prepared_by}"),
                ("Reference", d.reference),
            ],
            styles,
        )
    )
    flowables.append(Spacer(0, 3 * mm))
    flowables.append(_paragraph(_("About this document"), styles.label, BOLD))
    for part in d.about.split("\n\n"):
        flowables.append(_paragraph(part, styles.body))
        flowables.append(Spacer(0, 1.5 * mm))
    flowables.append(_paragraph(_("Times are UK time."), styles.note))
    return flowables


def _section(section: Section, styles: Any) -> list[Flowable]:
    flowables: list[Flowable] = [
        CondPageBreak(40 * mm),
        Spacer(0, 5 * mm),
        _section_heading(section.title, styles),
    ]
    if not section.items:
        flowables.append(_paragraph(section.empty_text, styles.body))
    for item in section.items:
        flowables += _item(item, styles)
    return flowables


def _item(item: Item, styles: Any) -> list[Flowable]:
    lead: list[Flowable] = [CondPageBreak(25 * mm), Spacer(0, 3 * mm)]
    if item.type == "withheld":
        return [*lead, _paragraph(item.heading, styles.late, BOLD)]
    body = _fields(item, styles)
    for lst in item.lists:
        body.append(_paragraph(lst.title, styles.label, BOLD))
        for row in lst.rows:
            text = " · ".join(f"{f.label}: {f.value}" for f in row)
            body.append(_paragraph(f"• {text}", styles.body))
    # The heading never sits alone at the foot of a page; the rest may flow over pages.
    return [*lead, KeepTogether([_item_heading(item.heading, styles), *body[:2]]), *body[2:]]


def _fields(item: Item, styles: Any) -> list[Flowable]:
    """Short answers side by side with their labels (a compact table); long ones as paragraphs below."""
    body: list[Flowable] = []
    short: list[tuple[str, str]] = []
    for f in item.fields:
        if len(f.value) <= _SHORT and "\n" not in f.value:
            short.append((f.label, f.value))
            continue
        if short:
            body.append(_facts_table(short, styles))
            short = []
        label = _paragraph(f.label, styles.label, BOLD)
        label.keepWithNext = True  # never a label alone at the foot of a page, its text overleaf
        body.append(label)
        body.append(_paragraph(f.value, styles.body))
    if short:
        body.append(_facts_table(short, styles))
    return body


def _section_heading(title: str, styles: Any) -> Table:
    table = Table([[_paragraph(title, styles.heading, BOLD)]], colWidths=[CONTENT_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 1.5, NAVY),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _item_heading(text: str, styles: Any) -> Table:
    table = Table([[_paragraph(text, styles.heading, BOLD)]], colWidths=[CONTENT_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), LABEL_FILL),
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, NAVY),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


# --- the log -------------------------------------------------------------------------------------------


def _log_line(line: Any, styles: Any) -> list[Flowable]:
    heading = f"Decision {line.number} · {line.status}"
    body: list[Flowable] = [
        _paragraph(line.what, styles.body, BOLD),
        _paragraph(_("Exemption: {exemption}").format(exemption=line.exemption), styles.body),
        _paragraph(_("Decided {decided}").format(decided=line.decided), styles.note),
    ]
    if line.silent:
        body.append(
            _paragraph(
                _(
                    "Withheld without saying so in the response (neither confirm nor deny): saying that it "
                    "was withheld would itself cause harm."
                ),
                styles.note,
            )
        )
    if line.replacements is not None:
        body.append(
            _paragraph(
                _("Redacted {replacements} time(s) in the response as exported.").format(
                    replacements=line.replacements
                ),
                styles.note,
            )
        )
    body += [_paragraph(_("Reason"), styles.label, BOLD), _paragraph(line.reason or "–", styles.body)]
    return [CondPageBreak(30 * mm), Spacer(0, 3 * mm), KeepTogether([_item_heading(heading, styles), *body])]


# --- document and page furniture -----------------------------------------------------------------------


def _build(
    story: list[Flowable], furniture: _Furniture, *, title: str, author: str, subject: str
) -> RenderedPdf:
    buffer = io.BytesIO()
    pages: list[int] = []
    doc = a4_document(
        buffer, title=title, author=author, subject=subject, template_id="subject_access",
        top_margin=MARGIN_TOP_CHRONOLOGY,
    )  # fmt: skip
    draw = partial(_draw_furniture, furniture=furniture, styles=_styles())
    doc.build(
        story, canvasmaker=partial(PagedCanvas, furniture=draw, made_at=furniture.generated_at, pages=pages)
    )
    return RenderedPdf(buffer.getvalue(), pages[0] if pages else 0)


def _draw_furniture(canvas: Canvas, number: int, total: int, *, furniture: _Furniture, styles: Any) -> None:
    draw_record_furniture(
        canvas,
        styles,
        demo=furniture.demo,
        header_left=furniture.header_left,
        header_right=furniture.header_right,
        footer_left=furniture.footer_left,
        number=number,
        total=total,
        alert_upper_header=True,
        wrapped_footer=True,
    )
