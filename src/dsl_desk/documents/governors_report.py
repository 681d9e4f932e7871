"""The governors' report: a period's figures and charts, the lessons learnt, and the chair's sign-off.

Counts only. No child's name is ever passed in (the read models hold none); case references appear only
when the DSL chose to include them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from dsl_desk.core.i18n import _
from dsl_desk.core.learning import LessonLine, PeriodFigures, format_days
from dsl_desk.documents.fonts import BOLD, markup
from dsl_desk.documents.lessons_pdf import lessons_table
from dsl_desk.documents.page import CONTENT_WIDTH, NAVY, RULE, RenderMeta, _long_date, _Styles
from dsl_desk.documents.report_pdf import (
    build_pdf,
    count_bars,
    grid_table,
    heading,
    styles,
    text,
    timescale_bars,
    title_block,
)

TITLE = "Learning from professional disagreements: report to governors"


@dataclass(frozen=True)
class GovernorsReport:
    figures: PeriodFigures
    lessons: Sequence[LessonLine]
    chair_name: str = ""  # printed under the signature line when known; otherwise a line to write on
    school_role: str = "Designated Safeguarding Lead"


def render_governors_report(report: GovernorsReport, meta: RenderMeta) -> bytes:
    style = styles()
    figures = report.figures
    intro = _(
        "{label} ({long_date} to {long_date2}). "
        "Figures are counts of escalations under the safeguarding partnership's escalation policy; "
        "no child is named in this report."
    ).format(label=figures.label, long_date=_long_date(figures.start), long_date2=_long_date(figures.end))
    story: list[Flowable] = [
        *title_block(TITLE, intro, meta, style),
        _tiles(figures, style),
        Spacer(0, 3 * mm),
        Paragraph(markup(_summary_sentence(figures)), style.value),
        *_charts(figures, style),
        *_lessons(report.lessons, style),
        *_cases(figures, style),
        *_sign_off(report, style),
    ]
    return build_pdf(story, meta, _("Report to governors"))


def _tiles(figures: PeriodFigures, style: _Styles) -> Table:
    """Six numbers a governor can take in at a glance, each with its meaning underneath."""
    tiles = [
        (str(figures.opened), "opened"),
        (str(figures.resolved), "resolved"),
        (str(figures.withdrawn), "withdrawn"),
        (str(figures.open_at_end), _("still open at the end")),
        (format_days(figures.median_days), _("median working days to resolve")),
        (format_days(figures.longest_days), "longest (working days)"),
    ]
    number_style = style.title.clone("tile", textColor=NAVY, alignment=1, spaceAfter=0)
    caption_style = style.hint.clone("tile-caption", alignment=1)
    row = [
        [Paragraph(markup(value, BOLD), number_style), Paragraph(markup(caption), caption_style)]
        for value, caption in tiles
    ]
    table = Table([row], colWidths=[CONTENT_WIDTH / len(tiles)] * len(tiles))
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.75, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _summary_sentence(figures: PeriodFigures) -> str:
    opened = _plural(figures.opened, "escalation was", "escalations were")
    parts = [
        _("In this period {opened} opened and {resolved} resolved").format(
            opened=opened, resolved=figures.resolved
        )
    ]
    if figures.withdrawn:
        parts.append(f", {figures.withdrawn} withdrawn")
    parts.append(
        _("; {open_at_end} remained open at the end of the period.").format(open_at_end=figures.open_at_end)
    )
    if figures.days_to_resolution:
        parts.append(
            _(" Resolution took a median of {format_days} working days (longest {format_days2}).").format(
                format_days=format_days(figures.median_days), format_days2=format_days(figures.longest_days)
            )
        )
    missed = sum(row.missed for row in figures.timescales)
    judged = sum(row.met + row.missed for row in figures.timescales)
    if judged:
        parts.append(
            _(" {value} of {judged} stage timescales were met.").format(value=judged - missed, judged=judged)
        )
    if figures.referred_to_board:
        parts.append(
            _(" Learning from {plural} referred to the safeguarding partnership.").format(
                plural=_plural(figures.referred_to_board, "escalation was", "escalations were")
            )
        )
    return "".join(parts)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _charts(figures: PeriodFigures, style: _Styles) -> list[Flowable]:
    half = CONTENT_WIDTH
    return [
        Spacer(0, 4 * mm),
        heading(_("The period in charts"), style),
        Spacer(0, 3 * mm),
        KeepTogether(
            [
                count_bars(
                    figures.by_category,
                    _("Escalations opened, by what the disagreement was about"),
                    width=half,
                )
            ]
        ),
        Spacer(0, 3 * mm),
        KeepTogether(
            [count_bars(figures.by_agency, _("Escalations opened, by the other agency"), width=half)]
        ),
        Spacer(0, 3 * mm),
        KeepTogether(
            [count_bars(figures.resolved_at_stage, _("Stage at which escalations were resolved"), width=half)]
        ),
        Spacer(0, 3 * mm),
        KeepTogether(
            [
                timescale_bars(
                    figures.timescales,
                    _("Were the policy's timescales met? (stages completed in the period)"),
                ),
                _timescale_table(figures, style),
            ]
        ),
    ]


def _timescale_table(figures: PeriodFigures, style: _Styles) -> Flowable:
    if not figures.timescales:
        return Spacer(0, 0)
    rows: list[list[object]] = [
        [text(h, style, bold=True) for h in ("Stage", "Met", "Missed", _("No timescale"))]
    ]
    rows += [
        [
            text(r.name, style),
            text(str(r.met), style),
            text(str(r.missed), style),
            text(str(r.no_timescale), style),
        ]
        for r in figures.timescales
    ]
    return grid_table(rows, [CONTENT_WIDTH * share for share in (0.64, 0.12, 0.12, 0.12)])


def _lessons(lessons: Sequence[LessonLine], style: _Styles) -> list[Flowable]:
    body: list[Flowable] = [
        CondPageBreak(40 * mm),
        Spacer(0, 4 * mm),
        heading(_("Lessons learnt"), style),
        Spacer(0, 2 * mm),
    ]
    if not lessons:
        return [
            *body,
            text(_("No escalation was resolved in this period, so there are no lessons to report."), style),
        ]
    return [*body, lessons_table(lessons, style, compact=True)]


def _cases(figures: PeriodFigures, style: _Styles) -> list[Flowable]:
    if not figures.includes_references:
        return []
    rows: list[list[object]] = [
        [
            text(h, style, bold=True)
            for h in ("Reference", "Category", _("Other agency"), "Status", _("Resolved at"), "Days")
        ]
    ]
    rows += [
        [
            text(c.reference, style),
            text(c.category, style),
            text(c.other_agency, style),
            text(c.status.capitalize(), style),
            text(c.resolved_stage, style),
            text("" if c.working_days is None else str(c.working_days), style),
        ]
        for c in figures.cases
    ]
    widths = [CONTENT_WIDTH * s for s in (0.16, 0.26, 0.2, 0.11, 0.19, 0.08)]
    return [
        Spacer(0, 4 * mm),
        heading("Appendix: case references (no names)", style),
        Spacer(0, 2 * mm),
        grid_table(rows, widths),
    ]


def _sign_off(report: GovernorsReport, style: _Styles) -> list[Flowable]:
    """Received by the governing body: the chair's name, a line to sign on, and the date."""
    rows = [
        [text(_("Chair of governors (name)"), style, bold=True), text(report.chair_name, style)],
        [text("Signature", style, bold=True), Spacer(0, 12 * mm)],
        [text("Date", style, bold=True), Spacer(0, 8 * mm)],
    ]
    table = Table(rows, colWidths=[CONTENT_WIDTH * 0.3, CONTENT_WIDTH * 0.7])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.75, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    note = text(
        _("Presented to the governing body by the {school_role}.").format(school_role=report.school_role),
        style,
    )
    return [
        KeepTogether(
            [
                Spacer(0, 6 * mm),
                heading(_("Received by the governing body"), style),
                Spacer(0, 2 * mm),
                note,
                Spacer(0, 2 * mm),
                table,
            ]
        )
    ]
