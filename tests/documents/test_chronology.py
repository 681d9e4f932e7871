"""The chronology PDF: marking, the child and the export date on every page, page x of y, corrections shown."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from pypdf import PdfReader

from dsl_desk.documents.chronology import (
    ChronologyMeta,
    PrintedAction,
    PrintedEntry,
    PrintedEvent,
    file_name_for,
    render_chronology,
)

EXPORTED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _meta(**changes) -> ChronologyMeta:
    values = dict(
        child_name="Zoë Łukasiewicz-Nguyễn",
        date_of_birth=date(2014, 5, 2),
        organisation="Penkford School",
        exported_at=EXPORTED,
        author="Jane Smith, DSL",
    )
    values.update(changes)
    return ChronologyMeta(**values)


def _entry(number: int, summary: str, **changes) -> PrintedEntry:
    values = dict(
        number=number,
        kind_label="",
        occurred_at=datetime(2026, 1, 2, 10, 0, tzinfo=UTC),
        recorded_at=datetime(2026, 1, 2, 11, 0, tzinfo=UTC),
        author="Jane Smith",
        author_role="DSL",
        method_label="Telephone",
        summary=summary,
    )
    values.update(changes)
    return PrintedEntry(**values)


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_every_page_carries_the_marking_the_child_the_export_date_and_page_x_of_y():
    long_note = "The social worker explained the plan in detail. " * 900
    events = [PrintedEvent(_entry(n, long_note if n == 2 else f"Entry {n} note")) for n in range(1, 4)]
    pdf = render_chronology(events, _meta())
    pages = _pages(pdf.content)
    assert pdf.pages == len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") == 2
        assert "Zoë Łukasiewicz-Nguyễn" in page
        assert "born 2 May 2014" in page
        assert "Exported 5 January 2026 09:00" in page
        assert f"Page {number} of {len(pages)}" in page


def test_a_corrected_entry_prints_the_original_then_the_correction_and_why():
    original = _entry(1, "Spoke to Mrs Jones.", corrected_by=2)
    correction = _entry(
        2, "Spoke to Bethan Jones, pastoral lead.", amends_number=1, amend_reason="Full name missing",
        late_by="2 days 3 hours",
        actions=(PrintedAction("Send the referral", "Jane Smith, DSL", date(2026, 1, 6)),),
    )  # fmt: skip
    text = "".join(_pages(render_chronology([PrintedEvent(correction, (original,))], _meta()).content))
    assert text.index("Spoke to Mrs Jones.") < text.index("Spoke to Bethan Jones")
    assert "Earlier version" in text
    assert "Corrected by entry 2" in text
    assert "Correction of entry 1. Reason: Full name missing" in text
    assert "Recorded late: written 2 days 3 hours after the event." in text
    assert "Send the referral — Jane Smith, DSL, due 6 January 2026" in text


def test_an_escalation_only_export_says_so_and_an_empty_log_prints_a_line():
    text = "".join(_pages(render_chronology([], _meta(escalation="STH-2026-0001", demo=True)).content))
    assert "escalation STH-2026-0001" in " ".join(text.split())
    assert "No discussions have been recorded yet." in text
    assert "DEMO DATA" in text


def test_the_output_is_the_same_for_the_same_input():
    events = [PrintedEvent(_entry(1, "Same"))]
    assert render_chronology(events, _meta()).content == render_chronology(events, _meta()).content


def test_the_file_name_carries_initials_not_the_name():
    assert file_name_for("Zoë Łukasiewicz-Nguyễn", date(2026, 1, 5)) == "chronology_ZLN_2026-01-05.pdf"
