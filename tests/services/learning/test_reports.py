"""The period's figures, the lessons log and their exports, against the hand-worked history in learning_seed."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from dsl_desk.core.learning import Count, FollowUp, StageTimescales
from dsl_desk.core.periods import custom_period, previous_quarter, quarter_containing, school_year_containing
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.learning.lessons import (
    export_lessons_csv,
    export_lessons_pdf,
    lessons_log,
    record_follow_up,
)
from dsl_desk.services.learning.reports import export_figures_csv, export_governors_report, period_figures
from dsl_desk.store.models import AuditEvent
from tests.services.learning_seed import HEALTH, POLICE, SOCIAL_CARE, seed

Q1 = quarter_containing(date(2026, 1, 5))
CHILD_NAMES = ("Zephyrine", "Quillborough")


@pytest.fixture
def seeded(ctx, clock, child_id):
    return seed(ctx, clock, child_id)


def _pdf_text(path) -> str:
    # Lines wrap where the page is full; compare words, not line breaks.
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_the_quarter_figures_match_the_hand_worked_answers(ctx, seeded):
    figures = period_figures(ctx, Q1)
    assert (figures.start, figures.end, figures.label) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
        "January to March 2026",
    )
    assert (figures.opened, figures.resolved, figures.withdrawn, figures.open_at_end) == (5, 4, 1, 1)
    assert figures.by_category == (
        Count("The appropriate sharing of information", 2),
        Count("The nature and level of a child's needs", 2),
        Count("The nature and severity of risk to a child", 1),
    )
    assert figures.by_agency == (Count(SOCIAL_CARE, 2), Count(HEALTH, 2), Count(POLICE, 1))  # ties: A to Z
    assert figures.resolved_at_stage == (
        Count("Stage One – Consulting the line manager", 2),
        Count("Stage Two – Discussion between the professionals", 2),
    )
    assert figures.timescales == (
        StageTimescales("Stage One", "Consulting the line manager", met=2, missed=2),
        StageTimescales("Stage Two", "Discussion between the professionals", met=1, missed=1),
    )
    assert figures.days_to_resolution == (0, 4, 8, 14)
    assert figures.median_days == 6.0
    assert figures.longest_days == 14
    assert figures.referred_to_board == 2
    assert figures.cases == ()  # counts only unless references are asked for


def test_the_quarter_before_sees_only_what_was_open_then(ctx, seeded):
    figures = period_figures(ctx, previous_quarter(Q1))
    assert (figures.opened, figures.resolved, figures.open_at_end) == (1, 0, 1)
    assert figures.timescales == ()  # F left its stage in January
    assert figures.median_days is None
    assert figures.longest_days is None


def test_a_custom_period_counts_by_london_days(ctx, seeded):
    # 6-9 January: B, C, D, E opened; nothing resolved but F (7 Jan); A was resolved on the 5th.
    figures = period_figures(ctx, custom_period(date(2026, 1, 6), date(2026, 1, 9)))
    assert (figures.opened, figures.resolved, figures.withdrawn) == (4, 1, 1)
    assert figures.days_to_resolution == (14,)
    assert figures.open_at_end == 3  # B, C and D were open at midnight after 9 January


def test_references_are_added_only_when_asked_and_never_names(ctx, seeded):
    figures = period_figures(ctx, Q1, include_references=True)
    assert {case.reference for case in figures.cases} == {
        "ESC-2025-0001", "ESC-2026-0001", "ESC-2026-0002", "ESC-2026-0003", "ESC-2026-0004", "ESC-2026-0005"
    }  # fmt: skip
    assert not any(name in json.dumps(str(figures)) for name in CHILD_NAMES)


def test_school_year_runs_september_to_august():
    assert school_year_containing(date(2026, 1, 5)) == school_year_containing(date(2025, 9, 1))
    year = school_year_containing(date(2026, 8, 31))
    assert (year.start, year.end, year.label) == (date(2025, 9, 1), date(2026, 8, 31), "School year 2025–26")


def test_lessons_log_removes_a_childs_name_and_shows_the_follow_up(ctx, seeded):
    record_follow_up(
        ctx,
        seeded["B"],
        FollowUp(staff_training=True, sub_group=True, sub_group_name="Learning and Improvement"),
    )
    lines = lessons_log(ctx, Q1)
    assert [line.number for line in lines] == [1, 2, 3, 4]
    assert [line.reference for line in lines] == ["", "", "", ""]
    assert lines[0].lessons == "[name removed]'s school should hear sooner."
    by_id = {line.escalation_id: line for line in lines}
    assert by_id[seeded["B"]].follow_up_text == "Staff training; Sub group: Learning and Improvement"
    assert by_id[seeded["B"]].referred_to_board
    assert by_id[seeded["C"]].follow_up is None


def test_a_follow_up_is_appended_and_the_newest_counts(ctx, seeded):
    record_follow_up(ctx, seeded["A"], FollowUp(staff_training=True))
    record_follow_up(ctx, seeded["A"], FollowUp(new_protocol=True))
    [line] = [line for line in lessons_log(ctx, Q1) if line.escalation_id == seeded["A"]]
    assert line.follow_up == FollowUp(new_protocol=True)
    with pytest.raises(ValidationError, match="which sub group"):
        record_follow_up(ctx, seeded["A"], FollowUp(sub_group=True))
    with pytest.raises(ValidationError, match="not resolved"):
        record_follow_up(ctx, seeded["D"], FollowUp(staff_training=True))


def test_figures_csv(ctx, seeded, tmp_path):
    target = export_figures_csv(ctx, Q1, tmp_path / "figures.csv")
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Section", "Item", "Value", "Detail"]
    values = {(section, item): value for section, item, value, _detail in rows[1:]}
    assert values[("Summary", "Escalations opened")] == "5"
    assert values[("Summary", "Escalations resolved")] == "4"
    assert values[("Summary", "Open at the end of the period")] == "1"
    assert values[("Summary", "Median working days to resolution")] == "6"
    assert values[("Summary", "Longest working days to resolution")] == "14"
    assert values[("Opened by other agency", HEALTH)] == "2"
    assert values[("Stage timescale missed", "Stage One")] == "2"
    assert not any(row[0] == "Case" for row in rows)
    assert not any(name in target.read_text(encoding="utf-8-sig") for name in CHILD_NAMES)


def test_lessons_csv_with_references(ctx, seeded, tmp_path):
    record_follow_up(
        ctx, seeded["C"], FollowUp(inform_commissioner=True, commissioner_service="School nursing")
    )
    target = export_lessons_csv(ctx, Q1, tmp_path / "lessons.csv", include_references=True)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [row["Reference"] for row in rows] == [
        "ESC-2026-0001",
        "ESC-2025-0001",
        "ESC-2026-0002",
        "ESC-2026-0003",
    ]
    assert rows[3]["Inform commissioner"] == "Yes"
    assert rows[3]["Commissioner: which service"] == "School nursing"
    assert rows[0]["Lessons learnt"] == "[name removed]'s school should hear sooner."


def test_governors_report_pdf_has_the_figures_and_no_child_name(ctx, seeded, tmp_path):
    target = export_governors_report(ctx, Q1, tmp_path / "governors.pdf", chair_name="Dr P Okafor")
    text = _pdf_text(target)
    assert "report to governors" in text
    assert "January to March 2026" in text
    assert "5 escalations were opened and 4 resolved" in text
    assert "median of 6 working days" in text
    assert "(longest 14)" in text
    assert "Share the chronology with the referral." in text
    assert "Chair of governors" in text and "Dr P Okafor" in text
    assert "Page 1 of" in text
    assert not any(name in text for name in CHILD_NAMES)
    assert "ESC-2026" not in text  # no references unless asked for


def test_governors_report_with_references_lists_them(ctx, seeded, tmp_path):
    text = _pdf_text(export_governors_report(ctx, Q1, tmp_path / "g.pdf", include_references=True))
    assert "ESC-2026-0004" in text
    assert not any(name in text for name in CHILD_NAMES)


def test_lessons_pdf(ctx, seeded, tmp_path):
    text = _pdf_text(export_lessons_pdf(ctx, Q1, tmp_path / "lessons.pdf"))
    assert "Lessons log" in text
    assert "Health need a named contact." in text
    assert not any(name in text for name in CHILD_NAMES)


def test_every_export_is_audited(ctx, seeded, tmp_path):
    export_figures_csv(ctx, Q1, tmp_path / "f.csv")
    export_governors_report(ctx, Q1, tmp_path / "g.pdf")
    export_lessons_csv(ctx, Q1, tmp_path / "l.csv", include_references=True)
    export_lessons_pdf(ctx, Q1, tmp_path / "l.pdf")
    with ctx.store.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "report_exported")).all()
        details = [json.loads(event.detail) for event in events]
    assert [d["report"] for d in details] == ["figures_csv", "governors_report", "lessons_csv", "lessons_pdf"]
    assert details[2]["references"] is True
    assert details[0]["from"] == "2026-01-01"
