"""The A4 page every DSL Desk PDF shares: geometry, colours and paragraph styles, the document set-up, and the
page furniture (the OFFICIAL-SENSITIVE marking, the reference, "Page x of y", the demo watermark).

Forms (render.py), reports, the chronology, transfer and subject access documents all print on it. The output
is deterministic for the same input (ReportLab's invariant mode and the export time as the PDF date).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Table, TableStyle

from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.core.i18n import _
from dsl_desk.documents.fonts import BOLD, REGULAR, markup, needs_shaping

MARKING = "OFFICIAL-SENSITIVE"
DEMO_MARKING = "DEMO DATA — fictional"
CREATOR = "DSL Desk"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 22 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
FRAME_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

INK = colors.HexColor("#1A1A1A")
NAVY = colors.HexColor("#1F3A5F")
RULE = colors.HexColor("#5B6770")
LABEL_FILL = colors.HexColor("#E8EDF2")
MUTED = colors.HexColor("#55606A")
DEMO_RED = colors.HexColor("#B00020")

_VALUE_LEADING = 13.0  # a value line: the answer boxes are sized by it


@dataclass(frozen=True)
class RenderMeta:
    """What the page furniture needs; none of it is the child's data."""

    partnership_name: str
    policy_pack_label: str
    reference: str
    organisation: str
    exported_at: datetime
    author: str
    demo: bool = False

    def __post_init__(self) -> None:
        if self.exported_at.tzinfo is None:
            raise ValueError("RenderMeta.exported_at must be timezone-aware")


@dataclass(frozen=True)
class _Styles:
    label: ParagraphStyle
    hint: ParagraphStyle
    value: ParagraphStyle
    small: ParagraphStyle
    partnership: ParagraphStyle
    title: ParagraphStyle
    intro: ParagraphStyle
    section: ParagraphStyle
    note: ParagraphStyle
    demo: ParagraphStyle


def a4_document(
    buffer: io.BytesIO,
    *,
    title: str,
    author: str,
    subject: str,
    template_id: str,
    top_margin: float = MARGIN_TOP,
) -> BaseDocTemplate:
    """The A4 set-up every DSL Desk PDF shares: margins, one frame, properties, deterministic output.

    The title, author and subject show in file browsers and mail programs: callers never put a child's
    name in them.
    """
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=top_margin,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        subject=subject,
        creator=CREATOR,
        producer=CREATOR,
        keywords=MARKING,
        lang="en-GB",
        invariant=1,
    )
    # No frame padding: the tables are exactly the content width and line up with the page furniture.
    frame = Frame(
        MARGIN_X, MARGIN_BOTTOM, CONTENT_WIDTH, PAGE_HEIGHT - top_margin - MARGIN_BOTTOM, id="body",
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
    )  # fmt: skip
    doc.addPageTemplates([PageTemplate(id=template_id, frames=[frame])])
    return doc


class PagedCanvas(Canvas):
    """Keeps each page until the page count is known, then draws its furniture ("Page x of y") at save time.

    `furniture(canvas, number, total)` draws one page's header and footer; `made_at` is the PDF's date (so the
    output is the same for the same input); `pages`, when given, receives the page count. Pass it as
    `canvasmaker=partial(PagedCanvas, furniture=..., made_at=...)`.
    """

    def __init__(
        self,
        *args: Any,
        furniture: Callable[[Canvas, int, int], None],
        made_at: datetime,
        pages: list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._furniture = furniture
        self._page_count = pages
        self._pages: list[dict[str, Any]] = []
        pdf_date = _pdf_date(made_at)
        self.setDateFormatter(lambda *_parts: pdf_date)

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        if self._page_count is not None:
            self._page_count.append(total)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._furniture(self, number, total)
            super().showPage()
        super().save()


def _FormCanvas(*args: Any, meta: RenderMeta, **kwargs: Any) -> PagedCanvas:
    """A PagedCanvas with the forms' furniture, for `canvasmaker=partial(_FormCanvas, meta=meta)` (report_pdf.py)."""
    return PagedCanvas(
        *args, furniture=partial(_draw_furniture, meta=meta), made_at=meta.exported_at, **kwargs
    )


def _draw_furniture(canvas: Canvas, number: int, total: int, *, meta: RenderMeta) -> None:
    canvas.saveState()
    if meta.demo:
        _draw_demo_watermark(canvas)
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 9)
    canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 12 * mm, MARKING)
    canvas.setFont(REGULAR, 7.5)
    canvas.setFillColor(MUTED)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, PAGE_HEIGHT - 12 * mm, meta.reference)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_X, MARGIN_BOTTOM - 5 * mm, PAGE_WIDTH - MARGIN_X, MARGIN_BOTTOM - 5 * mm)
    canvas.drawString(MARGIN_X, MARGIN_BOTTOM - 9 * mm, meta.policy_pack_label)
    canvas.drawRightString(
        PAGE_WIDTH - MARGIN_X, MARGIN_BOTTOM - 9 * mm, f"{meta.reference} · Page {number} of {total}"
    )
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 9)
    canvas.drawCentredString(PAGE_WIDTH / 2, 9 * mm, MARKING)
    canvas.restoreState()


def _draw_demo_watermark(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setFillColor(DEMO_RED)
    # Faint so that the answers underneath stay readable; it is drawn over the page content.
    canvas.setFillAlpha(0.13)
    canvas.setFont(BOLD, 44)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(50)
    canvas.drawCentredString(0, 0, DEMO_MARKING)
    canvas.restoreState()


def _pdf_date(instant: datetime) -> str:
    offset = instant.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"D:{instant:%Y%m%d%H%M%S}{sign}{hours:02d}'{mins:02d}'"


def _demo_banner(styles: _Styles) -> Table:
    text = _("{DEMO_MARKING}. No real child, family or case is described.").format(DEMO_MARKING=DEMO_MARKING)
    banner = Table([[Paragraph(text, styles.demo)]], colWidths=[CONTENT_WIDTH], spaceAfter=3)
    banner.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.75, DEMO_RED)]))
    return banner


def _text_paragraph(text: str, style: ParagraphStyle, primary: str = REGULAR) -> Paragraph:
    """A paragraph of user text, shaped (when uharfbuzz is installed) only if its script needs it."""
    if needs_shaping(text):
        style = ParagraphStyle(f"{style.name}-shaped", style, shaping=1)
    return Paragraph(markup(text, primary), style)


def _long_date(day: date) -> str:
    # f"{day.day}" rather than "%-d": the dash flag does not exist on Windows.
    return day_month_year(day)


def _widths(*shares: float) -> list[float]:
    return [CONTENT_WIDTH * share for share in shares]


def _styles() -> _Styles:
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=9, leading=11.5, textColor=INK)
    return _Styles(
        label=ParagraphStyle("label", base, fontName=BOLD, fontSize=8.5, leading=10.5, textColor=NAVY),
        hint=ParagraphStyle("hint", base, fontSize=7.5, leading=9.5, textColor=MUTED),
        value=ParagraphStyle("value", base, fontSize=10, leading=_VALUE_LEADING),
        small=ParagraphStyle("small", base, fontSize=8.5, leading=10.5),
        partnership=ParagraphStyle(
            "partnership", base, fontName=BOLD, fontSize=11, leading=14, textColor=NAVY
        ),
        title=ParagraphStyle("title", base, fontName=BOLD, fontSize=16, leading=20, spaceAfter=3),
        intro=ParagraphStyle("intro", base, fontSize=9, leading=11.5, textColor=MUTED, spaceAfter=3),
        section=ParagraphStyle("section", base, fontName=BOLD, fontSize=10, leading=12.5, textColor=NAVY),
        note=ParagraphStyle("note", base, fontSize=8.5, leading=10.5, textColor=INK),
        demo=ParagraphStyle("demo", base, fontName=BOLD, fontSize=9, textColor=DEMO_RED),
    )  # fmt: skip
