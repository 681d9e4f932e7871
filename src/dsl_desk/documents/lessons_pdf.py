"""The lessons log as a PDF for the partnership's board (Barnet's BSCB action log, Wigan's quarterly analysis).

One row per resolved escalation: what it taught, whether it went to the partnership, and what followed
(the questions of Wigan's Appendix 4). Numbered rows; case references only when the DSL asked for them.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from dsl_desk.core.dates_in_words import medium_date
from dsl_desk.core.i18n import _
from dsl_desk.core.learning import LessonLine
from dsl_desk.documents.page import CONTENT_WIDTH, RenderMeta, _Styles
from dsl_desk.documents.report_pdf import build_pdf, grid_table, heading, styles, text, title_block

TITLE = "Lessons log: learning from professional disagreements"


def render_lessons_log(lines: Sequence[LessonLine], period_label: str, meta: RenderMeta) -> bytes:
    style = styles()
    intro = _(
        "{period_label}. Escalations resolved in the period, what each taught, and the follow-up. "
        "No child is named in this log."
    ).format(period_label=period_label)
    story: list[Flowable] = [
        *title_block(TITLE, intro, meta, style),
        heading(_("Lessons learnt"), style),
        Spacer(0, 2 * mm),
    ]
    if lines:
        story.append(lessons_table(lines, style))
    else:
        story.append(text(_("No escalation was resolved in this period."), style))
    return build_pdf(story, meta, _("Lessons log"))


def lessons_table(lines: Sequence[LessonLine], style: _Styles, *, compact: bool = False) -> Table:
    """`compact` (the governors' report) leaves out the stage column to give the lesson more room."""
    with_references = any(line.reference for line in lines)
    first = "Ref" if with_references else "No."
    headings = [first, "Resolved", "About", _("Lesson learnt"), "Referred", "Follow-up"]
    shares = [0.06, 0.12, 0.23, 0.28, 0.10, 0.21]
    if with_references:
        # An ESC-2026-0001 reference needs more room than a row number; the lesson gives it up.
        shares[0], shares[3] = 0.14, 0.20
    rows: list[list[object]] = [[text(h, style, bold=True) for h in headings]]
    rows += [_row(line, style, with_references, compact) for line in lines]
    return grid_table(rows, [CONTENT_WIDTH * share for share in shares])


def _row(line: LessonLine, style: _Styles, with_references: bool, compact: bool) -> list[object]:
    about = f"{line.category}. With {line.other_agency}" + (
        "" if compact else f"; resolved at {line.resolved_stage}"
    )
    return [
        text(line.reference if with_references else str(line.number), style),
        text(_short_date(line), style),
        text(about, style),
        text(line.lessons or "(none recorded)", style),
        text("Yes" if line.referred_to_board else "No", style),
        text(line.follow_up_text or _("Not yet recorded"), style),
    ]


def _short_date(line: LessonLine) -> str:
    day = line.resolved_on
    return medium_date(day)
