"""The period's figures and the lessons log as CSV, for a partnership's spreadsheet.

Cells that a spreadsheet would run as a formula (starting =, +, -, @) are prefixed with an apostrophe:
an agency name typed as "=HYPERLINK(...)" must arrive as text, not as a live link.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from dsl_desk.core.i18n import _
from dsl_desk.core.learning import LessonLine, PeriodFigures, format_days

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def figures_csv(figures: PeriodFigures) -> str:
    rows: list[tuple[str, str, str, str]] = [
        ("Period", "From", figures.start.isoformat(), figures.label),
        ("Period", "To", figures.end.isoformat(), ""),
        ("Summary", _("Escalations opened"), str(figures.opened), ""),
        ("Summary", _("Escalations resolved"), str(figures.resolved), ""),
        ("Summary", _("Escalations withdrawn"), str(figures.withdrawn), ""),
        ("Summary", _("Open at the end of the period"), str(figures.open_at_end), ""),
        ("Summary", _("Median working days to resolution"), format_days(figures.median_days), ""),
        ("Summary", _("Longest working days to resolution"), format_days(figures.longest_days), ""),
        ("Summary", _("Learning referred to the partnership"), str(figures.referred_to_board), ""),
    ]
    rows += [(_("Opened by category"), c.label, str(c.count), "") for c in figures.by_category]
    rows += [(_("Opened by other agency"), c.label, str(c.count), "") for c in figures.by_agency]
    rows += [(_("Resolved at stage"), c.label, str(c.count), "") for c in figures.resolved_at_stage]
    for row in figures.timescales:
        rows += [
            (_("Stage timescale met"), row.stage, str(row.met), row.title),
            (_("Stage timescale missed"), row.stage, str(row.missed), row.title),
        ]
        if row.no_timescale:
            rows.append((_("Stage with no timescale"), row.stage, str(row.no_timescale), row.title))
    rows += [
        (
            "Case",
            case.reference,
            case.status,
            "; ".join(
                part
                for part in (
                    case.category,
                    case.other_agency,
                    case.resolved_stage,
                    f"{case.working_days} working days" if case.working_days is not None else "",
                )
                if part
            ),
        )
        for case in figures.cases
    ]
    return _write(("Section", "Item", "Value", "Detail"), rows)


def lessons_csv(lines: Sequence[LessonLine]) -> str:
    with_references = any(line.reference for line in lines)
    header = [
        "No.",
        *(["Reference"] if with_references else []),
        _("Resolved on"),
        "Category",
        _("Other agency"),
        _("Resolved at stage"),
        _("Lessons learnt"),
        _("Referred to the partnership"),
        _("Staff training"),
        _("New protocol"),
        _("Inform commissioner"),
        "Commissioner: which service",
        _("Sub group"),
        _("Which sub group"),
        "Board / executive",
        _("Which board forum"),
        "Follow-up notes",
    ]
    return _write(header, (_lesson_row(line, with_references) for line in lines))


def _lesson_row(line: LessonLine, with_references: bool) -> list[str]:
    follow = line.follow_up
    return [
        str(line.number),
        *([line.reference] if with_references else []),
        line.resolved_on.isoformat(),
        line.category,
        line.other_agency,
        line.resolved_stage,
        line.lessons,
        _yes(line.referred_to_board),
        _yes(follow.staff_training) if follow else "",
        _yes(follow.new_protocol) if follow else "",
        _yes(follow.inform_commissioner) if follow else "",
        follow.commissioner_service if follow else "",
        _yes(follow.sub_group) if follow else "",
        follow.sub_group_name if follow else "",
        _yes(follow.board_discussion) if follow else "",
        follow.board_forum if follow else "",
        follow.notes if follow else "",
    ]


def _yes(value: bool) -> str:
    return "Yes" if value else "No"


def _write(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def _safe(cell: str) -> str:
    return f"'{cell}" if cell.startswith(_FORMULA_START) else cell
