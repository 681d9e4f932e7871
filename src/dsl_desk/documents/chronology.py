"""A child's chronology of discussions and decisions as an A4 PDF.

What an inspector, a court or a serious case review reads years later, so every page says whose
chronology it is (name, date of birth), when it was exported, and carries the OFFICIAL-SENSITIVE
marking top and bottom with "Page x of y". A corrected entry prints its earlier versions struck
through, each followed by the correction and the reason for it: nothing written is left out.

Entries are printed as plain paragraphs, not table cells, so a 50,000-character note flows across as
many pages as it needs (a table cell taller than a page would stop ReportLab).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import with_time
from dsl_desk.core.i18n import _
from dsl_desk.documents.fonts import BOLD, REGULAR, markup, needs_shaping, register_fonts
from dsl_desk.documents.page import (
    CONTENT_WIDTH,
    DEMO_MARKING,
    INK,
    LABEL_FILL,
    MARGIN_BOTTOM,
    MARGIN_X,
    MARKING,
    MUTED,
    NAVY,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    PagedCanvas,
    _draw_demo_watermark,
    _long_date,
    a4_document,
)

MARGIN_TOP_CHRONOLOGY = 27 * mm  # room for the marking and the child line above the frame
LATE_RED = colors.HexColor("#B42318")
STRUCK = colors.HexColor("#6B7280")
_KEEP_EVENT_BELOW = (PAGE_HEIGHT - MARGIN_TOP_CHRONOLOGY - MARGIN_BOTTOM) / 2


@dataclass(frozen=True)
class PrintedAction:
    description: str
    owner: str
    due_on: date | None
    done_at: datetime | None = None


@dataclass(frozen=True)
class PrintedEntry:
    number: int  # the entry's number in the database, so a reader can cite it
    kind_label: str
    occurred_at: datetime
    recorded_at: datetime
    author: str
    author_role: str
    method_label: str
    summary: str
    participants: str = ""
    child_views: str = ""
    opinion: str = ""
    decisions: str = ""
    actions: tuple[PrintedAction, ...] = ()
    shared: tuple[str, ...] = ()  # "Ms X (role), 6 January 2026 10:00"
    attachments: tuple[str, ...] = ()
    escalation: str = ""  # "STH-2026-0001, stage 2"
    late_by: str = ""  # "2 days 3 hours" when recorded more than 24 hours after the event
    amends_number: int | None = None
    amend_reason: str = ""
    corrected_by: int | None = None


@dataclass(frozen=True)
class PrintedEvent:
    current: PrintedEntry
    earlier: tuple[PrintedEntry, ...] = ()  # versions the current one replaced, oldest first


@dataclass(frozen=True)
class ChronologyMeta:
    child_name: str
    date_of_birth: date
    organisation: str
    exported_at: datetime
    author: str
    escalation: str = ""  # when only one escalation's entries are printed
    demo: bool = False

    def __post_init__(self) -> None:
        if self.exported_at.tzinfo is None:
            raise ValueError("ChronologyMeta.exported_at must be timezone-aware")


@dataclass(frozen=True)
class ChronologyPdf:
    content: bytes
    pages: int


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    meta: ParagraphStyle
    heading: ParagraphStyle
    heading_right: ParagraphStyle
    label: ParagraphStyle
    body: ParagraphStyle
    struck: ParagraphStyle
    late: ParagraphStyle
    note: ParagraphStyle
    header: ParagraphStyle


def render_chronology(events: list[PrintedEvent], meta: ChronologyMeta) -> ChronologyPdf:
    register_fonts()
    styles = _styles()
    story = _title_block(meta, events, styles)
    if not events:
        story.append(Paragraph(_("No discussions have been recorded yet."), styles.body))
    for event in events:
        story += _event(event, styles)
    buffer = io.BytesIO()
    pages: list[int] = []
    furniture = partial(_draw_furniture, meta=meta, styles=styles)
    _document(buffer, meta).build(
        story, canvasmaker=partial(PagedCanvas, furniture=furniture, made_at=meta.exported_at, pages=pages)
    )
    return ChronologyPdf(buffer.getvalue(), pages[0] if pages else 0)


def file_name_for(initials: str, exported_on: date, reference: str = "") -> str:
    """A file name without the child's name (file names show in folders and email): initials and a date."""
    from dsl_desk.documents.render import _initials, _slug

    parts = ["chronology", _initials(initials), _slug(reference).upper(), exported_on.isoformat()]
    return "_".join(p for p in parts if p) + ".pdf"


# --- document and page furniture -----------------------------------------------------------------------


def _document(buffer: io.BytesIO, meta: ChronologyMeta) -> BaseDocTemplate:
    return a4_document(
        buffer,
        title=_("Chronology of discussions and decisions")
        + (f" — {meta.escalation}" if meta.escalation else ""),
        author=meta.author,
        subject=f"{meta.organisation}: discussion log",
        template_id="chronology",
        top_margin=MARGIN_TOP_CHRONOLOGY,
    )


def _draw_furniture(
    canvas: Canvas, number: int, total: int, *, meta: ChronologyMeta, styles: _Styles
) -> None:
    left = _("Chronology of discussions and decisions") + (f" · {meta.escalation}" if meta.escalation else "")
    draw_record_furniture(
        canvas,
        styles,
        demo=meta.demo,
        header_left=f"{meta.child_name} · born {_long_date(meta.date_of_birth)}",
        header_right=f"Exported {_when(meta.exported_at)}",
        footer_left=left,
        number=number,
        total=total,
    )


def draw_record_furniture(
    canvas: Canvas,
    styles: _Styles,
    *,
    demo: bool,
    header_left: str,
    header_right: str,
    footer_left: str,
    number: int,
    total: int,
    alert_upper_header: bool = False,
    wrapped_footer: bool = False,
) -> None:
    """The page furniture of a record PDF (chronology, subject access, transfer summary).

    The marking top and bottom, `header_left` (bold, the child's line) over a rule, `header_right` beside it,
    a rule over the footer, `footer_left` and "Page n of N". With `alert_upper_header` an all-capitals
    `header_right` prints bold and red ("NOT FOR THE REQUESTER"); with `wrapped_footer` `footer_left` is a note
    paragraph that wraps (a long organisation name) and the page number is bold.
    """
    canvas.saveState()
    if demo:
        _draw_demo_watermark(canvas)
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 9)
    canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 11 * mm, MARKING)
    # The child's line is a paragraph, not drawString, so a name in any script prints in its own font.
    child_line = _paragraph(header_left, styles.header, BOLD)
    _width, height = child_line.wrap(CONTENT_WIDTH * 0.62, 20 * mm)
    child_line.drawOn(canvas, MARGIN_X, PAGE_HEIGHT - 17 * mm - height + 9)
    alert = alert_upper_header and header_right.isupper()
    canvas.setFont(BOLD if alert else REGULAR, 8)
    canvas.setFillColor(LATE_RED if alert else MUTED)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, PAGE_HEIGHT - 17 * mm, header_right)
    if alert_upper_header:
        canvas.setFillColor(MUTED)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_X, PAGE_HEIGHT - 19.5 * mm, PAGE_WIDTH - MARGIN_X, PAGE_HEIGHT - 19.5 * mm)
    canvas.line(MARGIN_X, MARGIN_BOTTOM - 5 * mm, PAGE_WIDTH - MARGIN_X, MARGIN_BOTTOM - 5 * mm)
    if wrapped_footer:
        footer = _paragraph(footer_left, styles.note)
        footer.wrap(CONTENT_WIDTH * 0.75, 10 * mm)
        footer.drawOn(canvas, MARGIN_X, MARGIN_BOTTOM - 10.5 * mm)
        canvas.setFont(BOLD, 8)
        canvas.setFillColor(MUTED)
    else:
        canvas.drawString(MARGIN_X, MARGIN_BOTTOM - 9 * mm, footer_left)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, MARGIN_BOTTOM - 9 * mm, f"Page {number} of {total}")
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 9)
    canvas.drawCentredString(PAGE_WIDTH / 2, 9 * mm, MARKING)
    canvas.restoreState()


# --- title block ---------------------------------------------------------------------------------------


def _title_block(meta: ChronologyMeta, events: list[PrintedEvent], styles: _Styles) -> list[Flowable]:
    title = _("Chronology of discussions and decisions")
    if meta.escalation:
        title += f": escalation {meta.escalation}"
    corrected = sum(1 for e in events if e.earlier)
    facts = [
        ("Child", meta.child_name),
        (_("Date of birth"), _long_date(meta.date_of_birth)),
        ("Organisation", meta.organisation),
        ("Exported", f"{_when(meta.exported_at)} by {meta.author}"),
        ("Entries", f"{len(events)} event(s); {corrected} corrected"),
    ]
    flowables: list[Flowable] = [_paragraph(title, styles.title, BOLD)]
    if meta.demo:
        flowables.append(
            _paragraph(
                _("{DEMO_MARKING}. No real child, family or case is described.").format(
                    DEMO_MARKING=DEMO_MARKING
                ),
                styles.late,
            )
        )
    flowables.append(_facts_table(facts, styles))
    flowables.append(
        _paragraph(
            _(
                "Times are UK time. Text struck through is an earlier version of an entry, kept on the record; "
                "the correction that replaced it follows, with the reason. Entries written more than 24 hours "
                "after the event are marked “recorded late”."
            ),
            styles.note,
        )
    )
    flowables.append(Spacer(0, 4 * mm))
    return flowables


def _facts_table(facts: list[tuple[str, str]], styles: _Styles) -> Table:
    rows = [[_paragraph(label, styles.label, BOLD), _paragraph(value, styles.meta)] for label, value in facts]
    table = Table(rows, colWidths=[CONTENT_WIDTH * 0.2, CONTENT_WIDTH * 0.8], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


# --- entries -------------------------------------------------------------------------------------------


def _event(event: PrintedEvent, styles: _Styles) -> list[Flowable]:
    whole = len(event.earlier) > 0
    body: list[Flowable] = []
    for version in event.earlier:
        body += _entry(version, styles, struck=True, keep=not whole)
        body.append(Spacer(0, 2 * mm))
    body += _entry(event.current, styles, struck=False, keep=not whole)
    lead: list[Flowable] = [CondPageBreak(30 * mm), Spacer(0, 3 * mm)]
    if whole and sum(f.wrap(CONTENT_WIDTH, PAGE_HEIGHT)[1] for f in body) < _KEEP_EVENT_BELOW:
        # A corrected entry and its correction read together: keep a short pair on one page.
        return [*lead, KeepTogether(body)]
    return [*lead, *body]


def _entry(entry: PrintedEntry, styles: _Styles, *, struck: bool, keep: bool = True) -> list[Flowable]:
    heading = [_heading(entry, styles, struck=struck)]
    notes = _notes(entry, styles, struck=struck)
    body: list[Flowable] = []
    for label, text in _sections(entry):
        if text:
            body.append(_paragraph(label, styles.label, BOLD))
            body.append(_paragraph(text, styles.struck if struck else styles.body, struck=struck))
    body += _actions(entry, styles, struck=struck)
    # The heading never sits alone at the foot of a page; the body may then flow over pages.
    first = body[:2]
    if not keep:  # the caller keeps the whole event together (KeepTogether cannot be nested)
        return [*heading, *notes, *body]
    return [KeepTogether([*heading, *notes, *first]), *body[2:]]


def _sections(entry: PrintedEntry) -> list[tuple[str, str]]:
    return [
        ("Participants", entry.participants),
        (_("What was discussed (facts)"), entry.summary),
        (_("The child's views, in their own words"), entry.child_views),
        (_("Professional opinion"), entry.opinion),
        (_("Decisions, and the reason for each"), entry.decisions),
        (_("Shared with"), "\n".join(entry.shared)),
        (_("Attachments (kept in the encrypted database)"), "\n".join(entry.attachments)),
    ]


def _heading(entry: PrintedEntry, styles: _Styles, *, struck: bool) -> Table:
    when = _when(entry.occurred_at)
    left = f"{when} · {entry.method_label}"
    if entry.kind_label:
        left += f" · {entry.kind_label}"
    if struck:
        left = _("Earlier version: {left}").format(left=left)
    right = f"Entry {entry.number} · written {_when(entry.recorded_at)} by {entry.author}"
    if entry.author_role:
        right += f", {entry.author_role}"
    cells = [[_paragraph(left, styles.heading, BOLD), _paragraph(right, styles.heading_right)]]
    table = Table(cells, colWidths=[CONTENT_WIDTH * 0.5, CONTENT_WIDTH * 0.5])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), LABEL_FILL if not struck else colors.HexColor("#F1F2F4")),
                ("LINEABOVE", (0, 0), (-1, 0), 1.5 if not struck else 0.5, NAVY if not struck else STRUCK),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _notes(entry: PrintedEntry, styles: _Styles, *, struck: bool) -> list[Flowable]:
    notes: list[Flowable] = []
    if entry.escalation:
        notes.append(
            _paragraph(_("Escalation {escalation}").format(escalation=entry.escalation), styles.note)
        )
    if entry.late_by:
        notes.append(
            _paragraph(
                _("Recorded late: written {late_by} after the event.").format(late_by=entry.late_by),
                styles.late,
                BOLD,
            )
        )
    if struck and entry.corrected_by is not None:
        notes.append(
            _paragraph(
                _("Corrected by entry {corrected_by} (below).").format(corrected_by=entry.corrected_by),
                styles.note,
            )
        )
    if entry.amends_number is not None:
        notes.append(
            _paragraph(
                _("Correction of entry {amends_number}. Reason: {amend_reason}").format(
                    amends_number=entry.amends_number, amend_reason=entry.amend_reason
                ),
                styles.late,
                BOLD,
            )
        )
    return notes


def _actions(entry: PrintedEntry, styles: _Styles, *, struck: bool) -> list[Flowable]:
    if not entry.actions:
        return []
    flowables: list[Flowable] = [_paragraph(_("Actions agreed"), styles.label, BOLD)]
    for action in entry.actions:
        due = f"due {_long_date(action.due_on)}" if action.due_on else _("no due date")
        done = f"; done {_when(action.done_at)}" if action.done_at else ""
        text = f"• {action.description} — {action.owner}, {due}{done}"
        flowables.append(_paragraph(text, styles.struck if struck else styles.body, struck=struck))
    return flowables


# --- helpers -------------------------------------------------------------------------------------------


def _paragraph(
    text: str, style: ParagraphStyle, primary: str = REGULAR, *, struck: bool = False
) -> Paragraph:
    if needs_shaping(text):
        style = ParagraphStyle(f"{style.name}-shaped", style, shaping=1)
    body = markup(text, primary)
    return Paragraph(_("<strike>{body}</strike>").format(body=body) if struck else body, style)


def _when(instant: datetime) -> str:
    local = london(instant)
    return with_time(local)


def _styles() -> _Styles:
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=9.5, leading=12.5, textColor=INK)
    return _Styles(
        title=ParagraphStyle("title", base, fontName=BOLD, fontSize=15, leading=19, spaceAfter=4),
        meta=ParagraphStyle("meta", base, fontSize=9, leading=11.5),
        heading=ParagraphStyle("heading", base, fontName=BOLD, fontSize=9.5, leading=12, textColor=NAVY),
        heading_right=ParagraphStyle("heading_right", base, fontSize=8, leading=10.5, textColor=MUTED, alignment=2),
        label=ParagraphStyle("label", base, fontName=BOLD, fontSize=8, leading=10, textColor=NAVY, spaceBefore=3),
        body=ParagraphStyle("body", base),
        struck=ParagraphStyle("struck", base, textColor=STRUCK),
        late=ParagraphStyle("late", base, fontName=BOLD, fontSize=8.5, leading=11, textColor=LATE_RED, spaceBefore=2),
        note=ParagraphStyle("note", base, fontSize=8.5, leading=11, textColor=MUTED, spaceBefore=2),
        header=ParagraphStyle("header", base, fontName=BOLD, fontSize=9, leading=11),
    )  # fmt: skip
