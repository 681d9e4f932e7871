"""Building blocks for report PDFs (governors' report, lessons log): the forms' page furniture, styles and
title block from render.py, plus bar charts drawn with ReportLab graphics so a governor reads them at a glance.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from functools import partial

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import with_time
from dsl_desk.core.i18n import _
from dsl_desk.core.learning import Count, StageTimescales
from dsl_desk.documents.fonts import BOLD, REGULAR, markup, register_fonts
from dsl_desk.documents.page import (
    CONTENT_WIDTH,
    LABEL_FILL,
    MUTED,
    NAVY,
    RULE,
    RenderMeta,
    _demo_banner,
    _FormCanvas,
    _Styles,
    _styles,
    _text_paragraph,
    a4_document,
)

MET_GREEN = colors.HexColor("#2E7D32")
MISSED_RED = colors.HexColor("#B42318")
NONE_GREY = colors.HexColor("#9AA5B1")
BAR_BLUE = colors.HexColor("#2F5D8A")
_LABEL_CHARS = 40  # labels wrap at this width beside a horizontal bar (about two lines at most)
_BAR_HEIGHT = 7 * mm


def styles() -> _Styles:
    register_fonts()
    return _styles()


def build_pdf(story: list[Flowable], meta: RenderMeta, title: str) -> bytes:
    """A4 with the forms' furniture: OFFICIAL-SENSITIVE, the period, "Page x of y"; deterministic output."""
    register_fonts()
    buffer = io.BytesIO()
    doc = a4_document(
        buffer,
        title=f"{title} — {meta.policy_pack_label}",
        author=meta.author,
        subject=f"{meta.organisation}: {title}",
        template_id="report",
    )
    doc.build(story, canvasmaker=partial(_FormCanvas, meta=meta))
    return buffer.getvalue()


def title_block(title: str, intro: str, meta: RenderMeta, style: _Styles) -> list[Flowable]:
    flowables: list[Flowable] = [
        _text_paragraph(meta.partnership_name, style.partnership),
        Paragraph(markup(title), style.title),
    ]
    if intro:
        flowables.append(Paragraph(markup(intro), style.intro))
    if meta.demo:
        flowables.append(_demo_banner(style))
    return [*flowables, _report_meta_table(meta, style), Spacer(0, 4 * mm)]


def _report_meta_table(meta: RenderMeta, style: _Styles) -> Table:
    """Like a form's header table, but a report names its period where a form names its case."""
    exported = london(meta.exported_at)
    cells = [
        ("Period", meta.policy_pack_label.split(", ", 1)[-1]),
        ("Organisation", meta.organisation),
        ("Prepared", with_time(exported)),
        (_("Prepared by"), meta.author),
    ]
    row = [
        _text_paragraph(v, style.hint if i % 2 == 0 else style.small)
        for pair in cells
        for i, v in enumerate(pair)
    ]
    table = Table(
        [row[:4], row[4:]], colWidths=[CONTENT_WIDTH * s for s in (0.14, 0.36, 0.14, 0.36)], hAlign="LEFT"
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def heading(text: str, style: _Styles) -> Table:
    """A section heading in the forms' style: tinted band, navy rule above."""
    table = Table([[Paragraph(markup(text, BOLD), style.section)]], colWidths=[CONTENT_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), LABEL_FILL),
                ("LINEABOVE", (0, 0), (-1, 0), 2, NAVY),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def text(value: str, style: _Styles, *, bold: bool = False) -> Paragraph:
    """A table cell: smaller than a form's answers, so a row of six columns still reads in whole words."""
    return _text_paragraph(value, style.label if bold else style.small, BOLD if bold else REGULAR)


def grid_table(rows: list[list[object]], widths: Sequence[float], *, header: bool = True) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=1 if header else 0, splitInRow=1)
    commands: list[tuple[object, ...]] = [
        ("BOX", (0, 0), (-1, -1), 0.75, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL))
    table.setStyle(TableStyle(commands))
    return table


# --- charts --------------------------------------------------------------------------------------------


def _axis_top(largest: int) -> tuple[int, int]:
    """A value axis ending at a round number, stepping in whole cases (never "2.5 escalations")."""
    step = max(1, math.ceil(largest / 5))
    return step * max(1, math.ceil(largest / step)), step


def _chart_title(drawing: Drawing, title: str, height: float) -> None:
    drawing.add(String(0, height - 10, title, fontName=BOLD, fontSize=10, fillColor=NAVY))


def count_bars(counts: Sequence[Count], title: str, *, width: float = CONTENT_WIDTH) -> Drawing:
    """Horizontal bars, one per label in the order given, the count printed at the end of each bar."""
    labels = [textwrap.fill(c.label, _LABEL_CHARS) for c in counts]
    plot_height = _row_height(labels) * max(1, len(counts))
    height = plot_height + 40
    drawing = Drawing(width, height)
    _chart_title(drawing, title, height)
    if not counts:
        drawing.add(_none_text(_("None in this period."), height))
        return drawing
    drawing.add(
        _horizontal(
            width, plot_height, labels, [[c.count for c in reversed(counts)]], max(c.count for c in counts)
        )
    )
    return drawing


def timescale_bars(rows: Sequence[StageTimescales], title: str, *, width: float = CONTENT_WIDTH) -> Drawing:
    """Stacked horizontal bars per stage: timescale met (green), missed (red), no timescale (grey)."""
    labels = [textwrap.fill(r.name, _LABEL_CHARS) for r in rows]
    row_height = _row_height(labels)
    plot_height = row_height * max(1, len(rows))
    height = plot_height + 52
    drawing = Drawing(width, height)
    _chart_title(drawing, title, height)
    if not rows:
        drawing.add(_none_text(_("No stage was completed in this period."), height))
        return drawing
    series = [
        (_("Timescale met"), MET_GREEN, [r.met for r in rows]),
        (_("Timescale missed"), MISSED_RED, [r.missed for r in rows]),
    ]
    if any(r.no_timescale for r in rows):
        series.append((_("No timescale in the policy"), NONE_GREY, [r.no_timescale for r in rows]))
    chart = _horizontal(
        width,
        plot_height,
        labels,
        [list(reversed(values)) for _n, _c, values in series],
        max(r.total for r in rows),
    )
    chart.categoryAxis.style = "stacked"
    for index, (_name, colour, _values) in enumerate(series):
        chart.bars[index].fillColor = colour
    # Numbers inside each coloured segment; an empty segment prints nothing rather than "0".
    chart.barLabelFormat = lambda value: f"{value:g}" if value else ""
    chart.barLabels.fillColor = colors.white
    # Pulled back inside the end of each segment, white on its colour (the default sits past the end).
    chart.barLabels.boxAnchor = "e"
    chart.barLabels.nudge = -4
    drawing.add(chart)
    drawing.add(_legend([(colour, name) for name, colour, _values in series], height - 26))
    return drawing


def _none_text(message: str, height: float) -> String:
    return String(0, height - 28, message, fontName=REGULAR, fontSize=9, fillColor=MUTED)


def _row_height(labels: Sequence[str]) -> float:
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    return max(_BAR_HEIGHT, lines * 10 + 6)


def _horizontal(
    width: float, plot_height: float, labels: Sequence[str], data: list[list[int]], largest: int
) -> HorizontalBarChart:
    chart = HorizontalBarChart()
    chart.x, chart.y = 64 * mm, 18
    chart.width, chart.height = width - chart.x - 12 * mm, plot_height
    # ReportLab draws the first category at the bottom; reversed, the first row reads at the top.
    chart.data = data
    chart.categoryAxis.categoryNames = list(reversed(labels))
    _style_bars(chart, largest)
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.textAnchor = "end"
    chart.categoryAxis.labels.dx = -4
    return chart


def _legend(pairs: list[tuple[colors.Color, str]], y: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = 64 * mm, y
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = REGULAR
    legend.fontSize = 8
    legend.dx = legend.dy = 7
    legend.deltax = 40 * mm
    legend.colorNamePairs = pairs
    legend.strokeColor = None
    return legend


def _style_bars(chart: HorizontalBarChart, largest: int) -> None:
    top, step = _axis_top(largest)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = "%d"
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#E4E7EB")
    chart.bars[0].fillColor = BAR_BLUE
    chart.bars.strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = BOLD
    chart.barLabels.fontSize = 8
    chart.barLabels.nudge = 6
