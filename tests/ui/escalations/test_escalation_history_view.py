"""The escalation page shows, beside its stages, the forms saved, emailed and printed and the linked discussions;
and the checklist shows the items they ticked off — with real widgets over a real encrypted database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QLabel

from dsl_desk.services.log.discussion_log import NewEntry, log_discussion
from dsl_desk.services.paperwork.email_drafts import write_email_draft
from dsl_desk.services.paperwork.exports import export_form
from dsl_desk.ui.escalations.escalations_page import EscalationsPage
from dsl_desk.ui.paperwork.forms_page import FormsPage
from dsl_desk.ui.signals import AppSignals
from tests.services.escalation_walk import walk

NOTICE = "st_helens_escalation_notice"


@pytest.fixture
def signals() -> AppSignals:
    return AppSignals()


@pytest.fixture
def page(qtbot, ctx, signals) -> EscalationsPage:
    widget = EscalationsPage(ctx, signals)
    signals.changed.connect(widget.on_changed)  # as the main window wires it
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def labels(widget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget)]


def test_the_page_shows_exports_email_print_and_discussions(qtbot, ctx, clock, child_id, page, tmp_path):
    escalation_id = walk(ctx, clock, child_id, escalations=3)
    clock.advance(timedelta(minutes=2))
    export_form(ctx, escalation_id, NOTICE, sign=True, destination=tmp_path / "notice.pdf")
    clock.advance(timedelta(minutes=30))
    log_discussion(
        ctx,
        NewEntry(
            child_id=child_id,
            escalation_id=escalation_id,
            occurred_at=clock.now() - timedelta(minutes=10),
            method="telephone",
            summary="Rang the Service Manager about the notice.",
            participants="Sam Otterburn",
        ),
    )
    clock.advance(timedelta(minutes=5))
    write_email_draft(ctx, escalation_id, NOTICE, tmp_path)

    page.show_escalation(escalation_id)
    detail = page.detail_view
    assert detail.history_lines == [
        "Escalation Notice saved as notice.pdf (signed) — 5 Jan 2026 15:02, Jane Smith",
        "Discussion (telephone) with Sam Otterburn logged: Rang the Service Manager about the notice. "
        "— 5 Jan 2026 15:22, Jane Smith",
        "Escalation Notice emailed to St Helens Safeguarding Children Board (draft) — 5 Jan 2026 15:37, Jane Smith",
    ]
    shown = labels(detail)
    assert "Forms sent and discussions" in shown
    for line in detail.history_lines:
        assert line in shown
    # The checklist ticked itself off, saying what and to whom.
    assert any(
        text.startswith("✓ Send copy: A copy of this notice will be sent to the LSCB Business Manager")
        and "emailed to St Helens Safeguarding Children Board, for the attention of LSCB Business Manager"
        in text
        for text in shown
    )
    assert any(
        "Escalation Notice saved as notice.pdf (signed)" in t and t.startswith("✓ Form:") for t in shown
    )


def test_printing_from_the_forms_page_shows_on_the_open_escalation(
    qtbot, ctx, clock, child_id, page, signals, tmp_path, monkeypatch
):
    escalation_id = walk(ctx, clock, child_id, escalations=3)
    page.show_escalation(escalation_id)
    detail = page.detail_view
    assert detail.history_lines == []
    assert any(
        t.startswith("☐ Must · Form: The Escalation Notice") for t in labels(detail)
    )  # "will be forwarded"

    forms = FormsPage(ctx, signals)
    signals.changed.connect(forms.on_changed)
    qtbot.addWidget(forms)
    forms.show_escalation_forms(escalation_id)
    forms.show_form(NOTICE)
    out = tmp_path / "printed.pdf"

    def fake_exec(dialog):
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", fake_exec)
    clock.advance(timedelta(minutes=1))
    with qtbot.waitSignal(signals.changed, timeout=60_000):  # printed off the GUI thread
        qtbot.mouseClick(forms.buttons["print"], Qt.MouseButton.LeftButton)
    assert out.exists()
    assert "Recorded on the escalation" in forms.status.text()

    # The escalation page refreshed itself on the signal: the print is in its history and its checklist.
    assert detail.history_lines == ["Escalation Notice printed (signed) — 5 Jan 2026 15:01, Jane Smith"]
    # (a widget added to a shown layout is shown on the next pass of the event loop)
    qtbot.waitUntil(
        lambda: "Escalation Notice printed (signed) — 5 Jan 2026 15:01, Jane Smith" in labels(detail)
    )
    shown = labels(detail)
    assert any(
        t.startswith("✓ Form: The Escalation Notice")
        and "Done by DSL Desk: Escalation Notice printed (signed)" in t
        for t in shown
    )
