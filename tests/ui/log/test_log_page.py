"""The Discussion log page and the chronology widget: strike-through, late marks, search, export."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from dsl_desk.services.log.discussion_log import NewEntry, amend_entry, log_discussion
from dsl_desk.store.models import AuditEvent
from dsl_desk.ui.log.chronology import ChronologyView
from dsl_desk.ui.log.log_page import LogPage, snippet_html
from dsl_desk.ui.signals import AppSignals, Changed


def _seed(ctx, child_id, clock):
    late = log_discussion(
        ctx,
        NewEntry(
            child_id, clock.now() - timedelta(days=3), "telephone", "Rang Dawn Brightwater about the bruise"
        ),
    )
    first = log_discussion(
        ctx, NewEntry(child_id, clock.now() - timedelta(hours=2), "face_to_face", "Spoke to Mrs Jones")
    )
    second = amend_entry(
        ctx,
        first.id,
        NewEntry(child_id, first.occurred_at, "face_to_face", "Spoke to Bethan Jones, pastoral lead"),
        "Full name",
    )
    return late, first, second


def test_the_chronology_strikes_through_originals_and_marks_late_records(qtbot, ctx, child_id, clock):
    _late, first, _second = _seed(ctx, child_id, clock)
    view = ChronologyView(ctx, AppSignals())
    qtbot.addWidget(view)
    view.show_child(child_id)
    page_html = view.browser.toHtml()
    plain = view.browser.toPlainText()
    assert plain.index("Spoke to Mrs Jones") < plain.index("Spoke to Bethan Jones")
    assert "line-through" in page_html  # the original is struck through
    assert f"Correction of entry {first.id}" in plain
    assert "Recorded late: written 3 days after the event" in plain
    assert "2 events, 1 corrected, 1 recorded late" in view.summary.text()


def test_the_page_searches_highlights_and_opens_the_entry(qtbot, ctx, child_id, clock, finish_operations):
    late, _first, _second = _seed(ctx, child_id, clock)
    page = LogPage(ctx, AppSignals())
    qtbot.addWidget(page)
    page.show()
    page.tabs.setCurrentIndex(1)
    qtbot.keyClicks(page.search, "brigh")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    finish_operations()
    assert page.result is not None
    assert [h.entry_id for h in page.result.hits] == [late.id]
    assert "1 match" in page.results_label.text()
    assert "Brightwater</b>" in page.results.toHtml() or "font-weight" in page.results.toHtml()
    # Following the result's link (what a click or Enter on it does) opens the child's chronology.
    assert f"entry:{late.id}:{child_id}" in page.results.toHtml()
    page.results.anchorClicked.emit(_link(late.id, child_id))
    assert page.tabs.currentIndex() == 0
    assert page.current_child_id == child_id
    assert "#fff3a0" in page.chronology.browser.toHtml()  # the searched word is highlighted there too


def _link(entry_id, child_id):
    from PySide6.QtCore import QUrl

    return QUrl(f"entry:{entry_id}:{child_id}")


def test_search_with_no_words_says_so(qtbot, ctx, child_id):
    page = LogPage(ctx, AppSignals())
    qtbot.addWidget(page)
    qtbot.keyClicks(page.search, "  !! ")
    qtbot.mouseClick(page.search_button, Qt.MouseButton.LeftButton)
    assert "Type a word" in page.results_label.text()


def test_snippet_markup_escapes_the_text_and_marks_the_match():
    assert snippet_html("<b>x</b> \x02bruise\x03") == (
        '&lt;b&gt;x&lt;/b&gt; <b style="background:#fff3a0">bruise</b>'
    )


def test_export_button_writes_the_pdf_and_it_is_audited(qtbot, ctx, child_id, clock, tmp_path):
    _seed(ctx, child_id, clock)
    page = LogPage(ctx, AppSignals())
    qtbot.addWidget(page)
    page.show_child_log(child_id)
    assert page.chronology.export_button.isEnabled()
    with qtbot.waitSignal(page.chronology.exported) as done:
        page.chronology.export_pdf(tmp_path / "chronology.pdf")
    assert done.args[0].entries == 3
    assert (tmp_path / "chronology.pdf").read_bytes().startswith(b"%PDF")
    assert "audit trail" in page.chronology.summary.text()
    with ctx.store.session() as session:
        assert session.query(AuditEvent).filter_by(action="chronology_exported").count() == 1


def test_a_change_elsewhere_refreshes_the_chronology(qtbot, ctx, child_id, clock):
    page = LogPage(ctx, AppSignals())
    qtbot.addWidget(page)
    page.show_child_log(child_id)
    assert "No discussions have been logged" in page.chronology.browser.toPlainText()
    log_discussion(ctx, NewEntry(child_id, clock.now(), "email", "A new email"))
    page.on_changed(Changed(log=True))
    assert "A new email" in page.chronology.browser.toPlainText()


def test_marking_an_action_done_from_the_chronology(qtbot, ctx, child_id, clock):
    from datetime import date

    from dsl_desk.services.log.discussion_log import NewAction
    from dsl_desk.services.log.reading import list_open_actions

    entry = log_discussion(
        ctx,
        NewEntry(
            child_id,
            clock.now(),
            "email",
            "Plan",
            actions=(NewAction("Ring GP", "Jane Smith, DSL", date(2026, 1, 6)),),
        ),
    )
    view = ChronologyView(ctx, AppSignals())
    qtbot.addWidget(view)
    view.show_child(child_id)
    view.browser.anchorClicked.emit(_url(f"action:{entry.actions[0].id}"))
    assert list_open_actions(ctx) == []
    assert "done" in view.browser.toPlainText()


def test_an_attachment_opens_through_a_copy_in_the_private_folder(
    qtbot, ctx, child_id, clock, tmp_path, monkeypatch, data_paths
):
    from PySide6.QtGui import QDesktopServices

    source = tmp_path / "letter.pdf"
    source.write_bytes(b"%PDF-1.4 letter")
    entry = log_discussion(ctx, NewEntry(child_id, clock.now(), "letter", "Letter", attachments=(source,)))
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    signals = AppSignals()
    view = ChronologyView(ctx, signals)
    qtbot.addWidget(view)
    view.show_child(child_id)
    view.browser.anchorClicked.emit(_url(f"attachment:{entry.attachments[0].id}"))
    from pathlib import Path

    [path] = opened
    assert Path(path).read_bytes() == b"%PDF-1.4 letter"
    # Emptied at every lock, quit and next start: tests/ui/test_private_temp.py drives the real desk.
    assert Path(path).parent == data_paths.private_temp


def _url(text):
    from PySide6.QtCore import QUrl

    return QUrl(text)
