"""A child's chronology, readable at a glance: one block per event, in the order things happened.

A corrected entry shows its original struck through, with the correction beside it and the reason.
Entries written more than 24 hours after the event carry a "recorded late" mark with the delay.
Links in each block act on it (correct, record sharing, open an attachment, mark an action done,
start an escalation from a dissent); they are reachable with Tab and activated with Enter.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import clock_time, numeric_date, short_date
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import DeskError
from dsl_desk.services.log.attachments import open_copy
from dsl_desk.services.log.discussion_log import complete_action
from dsl_desk.services.log.export import export_chronology, suggested_file_name
from dsl_desk.services.log.reading import get_chronology
from dsl_desk.services.log.views import KINDS, Chronology, ChronologyItem, EntryView, ExportResult
from dsl_desk.ui.log.log_entry_dialog import LogEntryResult, ShareDialog, log_a_discussion
from dsl_desk.ui.messages import show_error
from dsl_desk.ui.operations import run_operation
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.theme import ACCENT, MUTED, OVERDUE, OVERDUE_SOFT
from dsl_desk.ui.widgets.folders import in_documents

STRUCK_GREY = "#6b7280"
MARK_BACKGROUND = "#fff3a0"
HEAD_BAND = "#e3ebf4"
STRUCK_BAND = "#f1f2f4"
# A grey table with 1-pixel spacing between white cells draws thin rules in Qt's rich text.
_TABLE = '<table width="100%" cellpadding="8" cellspacing="1" bgcolor="#d0d6de" style="margin-bottom:10px">'


def _when(instant: object) -> str:
    return f"{short_date(london(instant).date())}, {clock_time(instant)}"  # type: ignore[arg-type]


def _text(text: str, words: Sequence[str]) -> str:
    """Escaped user text with line breaks kept and the searched-for words marked."""
    escaped = html.escape(text).replace("\n", "<br>")
    return mark_words(escaped, words)


def mark_words(escaped: str, words: Sequence[str]) -> str:
    if not words:
        return escaped
    # Prefix match, as the search does; words are escaped the same way as the text they are looked for in.
    pattern = re.compile(
        r"(?<![\w])(" + "|".join(re.escape(html.escape(w)) for w in words) + r")\w*", re.IGNORECASE
    )
    return pattern.sub(lambda m: f'<span style="background:{MARK_BACKGROUND}">{m.group(0)}</span>', escaped)


def _sections(entry: EntryView, words: Sequence[str]) -> str:
    parts = []
    for label, value in (
        ("Participants", entry.participants),
        ("What was discussed", entry.summary),
        ("The child's views", entry.child_views),
        ("Professional opinion", entry.opinion),
        ("Decisions and reasons", entry.decisions),
    ):
        if value:
            parts.append(f'<p style="margin:4px 0"><b>{label}</b><br>{_text(value, words)}</p>')
    return "".join(parts)


def _extras(entry: EntryView, *, live: bool) -> str:
    parts = []
    for action in entry.actions:
        due = f"due {numeric_date(action.due_on)}" if action.due_on else "no due date"
        state = f"done {_when(action.done_at)}" if action.done_at else (
            f'<a href="action:{action.id}">Mark done</a>' if live else "open"
        )  # fmt: skip
        parts.append(
            f"• Action: {html.escape(action.description)} — {html.escape(action.owner)}, {due} ({state})"
        )
    for share in entry.shares:
        when = _when(share.shared_at) if share.shared_at else ""
        parts.append(f"Shared with {html.escape(share.shared_with)}" + (f", {when}" if when else ""))
    for attachment in entry.attachments:
        parts.append(
            f'Attachment: <a href="attachment:{attachment.id}">{html.escape(attachment.file_name)}</a>'
        )
    return "<br>".join(parts)


def _links(entry: EntryView) -> str:
    links = [
        f'<a href="amend:{entry.id}">Correct this entry…</a>',
        f'<a href="share:{entry.id}">Record sharing…</a>',
    ]
    if entry.is_dissent and entry.escalation_id is None:
        links.append(f'<a href="escalate:{entry.id}">Start an escalation…</a>')
    return " &nbsp;·&nbsp; ".join(links)


def entry_head(entry: EntryView, *, struck: bool) -> str:
    head = f"<b>{_when(entry.occurred_at)} · {html.escape(entry.method_label)}</b>"
    if entry.kind != "discussion":
        head += f' · <b style="color:{OVERDUE}">{html.escape(KINDS.get(entry.kind, entry.kind))}</b>'
    if struck:
        head = f"Earlier version (corrected by entry {entry.amended_by_id}): {head}"
    meta = f"Entry {entry.id} · written {_when(entry.recorded_at)} by {html.escape(entry.author)}"
    if entry.escalation_reference:
        meta += f" · {html.escape(entry.escalation_reference)}"
        if entry.stage_label:
            meta += f", {html.escape(entry.stage_label)}"
    return f'<a name="entry-{entry.id}"></a>{head}<br><small style="color:{MUTED}">{meta}</small>'


def entry_body(entry: EntryView, words: Sequence[str], *, struck: bool) -> str:
    notes = ""
    if entry.late:
        notes += (
            f'<p style="margin:2px 0"><span style="color:{OVERDUE};background:{OVERDUE_SOFT}"><b>Recorded late</b>: '
            f"written {html.escape(entry.late_by)} after the event</span></p>"
        )
    if entry.amends_id is not None:
        notes += (
            f'<p style="margin:2px 0"><b style="color:{ACCENT}">Correction of entry {entry.amends_id}</b>: '
            f"{html.escape(entry.amend_reason)}</p>"
        )
    body = _sections(entry, words)
    if struck:
        body = f'<s style="color:{STRUCK_GREY}">{body}</s>'
    extras = _extras(entry, live=not struck)
    extras_html = f'<p style="margin:4px 0">{extras}</p>' if extras else ""
    footer = "" if struck else f'<p style="margin:6px 0 0 0;color:{MUTED}">{_links(entry)}</p>'
    return f"{notes}{body}{extras_html}{footer}"


def item_html(item: ChronologyItem, words: Sequence[str] = ()) -> str:
    current = item.current
    if not item.earlier:
        return (
            f'{_TABLE}<tr><td bgcolor="{HEAD_BAND}">{entry_head(current, struck=False)}</td></tr>'
            f'<tr><td bgcolor="white">{entry_body(current, words, struck=False)}</td></tr></table>'
        )
    # Originals on the left, struck through, oldest first; the correction beside them, on the right.
    earlier = "<hr>".join(
        f'<p style="background-color:{STRUCK_BAND};margin:0">{entry_head(v, struck=True)}</p>'
        + entry_body(v, words, struck=True)
        for v in item.earlier
    )
    return (
        f'{_TABLE}<tr><td width="50%" valign="top" bgcolor="{STRUCK_BAND}" rowspan="2">{earlier}</td>'
        f'<td width="50%" valign="top" bgcolor="{HEAD_BAND}">{entry_head(current, struck=False)}</td></tr>'
        f'<tr><td valign="top" bgcolor="white">{entry_body(current, words, struck=False)}</td></tr></table>'
    )


SHOWN_AT_FIRST = 150  # the most recent events; laying out thousands at once would freeze the window


def chronology_html(chronology: Chronology, words: Sequence[str] = (), *, limit: int | None = None) -> str:
    if not chronology.items:
        return f'<p style="color:{MUTED}">No discussions have been logged for {html.escape(chronology.child_name)} yet. Use “Log a discussion” (Ctrl+L).</p>'
    items = chronology.items
    hidden = 0
    if limit is not None and len(items) > limit:
        hidden = len(items) - limit
        items = items[-limit:]
    more = (
        f'<p><a href="all:{hidden}">Show the {hidden:,} earlier events</a> '
        f'<span style="color:{MUTED}">(the most recent {len(items):,} are shown)</span></p>'
        if hidden
        else ""
    )
    return more + "".join(item_html(item, words) for item in items)


class ChronologyView(QWidget):
    """Embeddable chronology of one child (the Discussion log page and the child's page)."""

    exported = Signal(object)  # ExportResult, after a chronology PDF is written

    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self.chronology: Chronology | None = None
        self.escalation_id: int | None = None
        self.words: tuple[str, ...] = ()
        self.show_all = False
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.summary = QLabel(objectName="hint")
        top.addWidget(self.summary, 1)
        self.log_button = QPushButton(self.tr("&Log a discussion…"))
        self.log_button.setProperty("primary", True)
        self.log_button.setToolTip(self.tr("Log a discussion (Ctrl+L)"))
        # Lambdas: clicked(bool) must not arrive as an argument of these methods.
        self.log_button.clicked.connect(lambda: self.log_discussion())  # noqa: PLW0108
        self.export_button = QPushButton(self.tr("E&xport chronology (PDF)…"))
        self.export_button.clicked.connect(lambda: self.export_pdf())  # noqa: PLW0108
        top.addWidget(self.log_button)
        top.addWidget(self.export_button)
        layout.addLayout(top)
        self.browser = QTextBrowser(openLinks=False, openExternalLinks=False)
        self.browser.setPlaceholderText(
            self.tr(
                "Choose a child to see their chronology: every discussion and decision recorded about them."
            )
        )
        self.browser.setAccessibleName(self.tr("Chronology"))
        self.browser.anchorClicked.connect(self._on_link)
        layout.addWidget(self.browser, 1)
        self._set_enabled(False)

    def _set_enabled(self, enabled: bool) -> None:
        self.log_button.setEnabled(enabled)
        self.export_button.setEnabled(enabled)

    @property
    def child_id(self) -> int | None:
        return self.chronology.child_id if self.chronology else None

    def show_child(
        self,
        child_id: int,
        *,
        escalation_id: int | None = None,
        words: Sequence[str] = (),
        focus_entry: int | None = None,
    ) -> None:
        if child_id != self.child_id:
            self.show_all = False
        self.escalation_id = escalation_id
        self.words = tuple(words)
        self.chronology = get_chronology(self.ctx, child_id, escalation_id=escalation_id)
        self._render()
        if focus_entry is not None:
            if f'name="entry-{focus_entry}"' not in self.browser.toHtml():
                self.show_all = True  # the entry is among the earlier ones not shown yet
                self._render()
            self.browser.scrollToAnchor(f"entry-{focus_entry}")

    def refresh(self) -> None:
        if self.chronology is not None:
            self.show_child(self.chronology.child_id, escalation_id=self.escalation_id, words=self.words)

    def on_changed(self, changed: Changed) -> None:
        if changed.log or changed.children or changed.escalations:
            self.refresh()

    def _render(self) -> None:
        assert self.chronology is not None
        chronology = self.chronology
        corrected = sum(1 for item in chronology.items if item.earlier)
        late = sum(1 for item in chronology.items if item.current.late)
        count = len(chronology.items)
        events = self.tr("1 event") if count == 1 else self.tr("%d events") % count
        self.summary.setText(
            self.tr("%s: %s, %d corrected, %d recorded late")
            % (chronology.child_name, events, corrected, late)
        )
        scroll = self.browser.verticalScrollBar().value()
        limit = None if self.show_all else SHOWN_AT_FIRST
        self.browser.setHtml(chronology_html(chronology, self.words, limit=limit))
        self.browser.verticalScrollBar().setValue(scroll)
        self._set_enabled(True)

    def _on_link(self, url: QUrl) -> None:
        kind, _, value = url.toString().partition(":")
        if not value.isdigit():
            return
        if kind == "all":
            self.show_all = True
            self._render()
            return
        target = int(value)
        try:
            self._act(kind, target)
        except DeskError as error:
            show_error(self, self.tr("Discussion log"), str(error))

    def _act(self, kind: str, target: int) -> None:
        if kind == "amend":
            self.log_discussion(amends=target)
        elif kind == "share":
            self.record_sharing(target)
        elif kind == "escalate":
            self.start_escalation()
        elif kind == "attachment":
            self.open_attachment(target)
        elif kind == "action":
            complete_action(self.ctx, target)
            self._changed()

    def _changed(self) -> None:
        self.refresh()
        self.signals.changed.emit(Changed(log=True))

    def log_discussion(self, *, amends: int | None = None) -> LogEntryResult | None:
        """The quick-entry dialog for this child (or a correction of entry `amends`)."""
        if self.child_id is None:
            return None
        result = log_a_discussion(
            self.ctx, self, child_id=self.child_id, escalation_id=self.escalation_id, amends=amends
        )
        if result is None:
            return None
        self._changed()
        if result.start_escalation:
            self.start_escalation()
        return result

    def record_sharing(self, entry_id: int) -> None:
        dialog = ShareDialog(self.ctx, entry_id, self)
        if dialog.exec() and dialog.saved is not None:
            self._changed()

    def start_escalation(self) -> None:
        """Wigan 2.5: whoever dissents takes responsibility for activating the escalation policy."""
        from dsl_desk.ui.escalations.new_escalation import NewEscalationWizard

        wizard = NewEscalationWizard(self.ctx, self, child_id=self.child_id)
        if wizard.exec() and wizard.result_detail is not None:
            self.signals.changed.emit(Changed(escalations=True))
            self.signals.open_escalation.emit(wizard.result_detail.id)

    def export_pdf(self, path: Path | None = None) -> None:
        """Written off the GUI thread; `exported` is emitted once the PDF is written and recorded."""
        if self.chronology is None:
            return
        if path is None:
            suggested = suggested_file_name(self.ctx, self.chronology)
            name, _filter = QFileDialog.getSaveFileName(
                self, self.tr("Export chronology"), in_documents(suggested), self.tr("PDF documents (*.pdf)")
            )
            if not name:
                return
            path = Path(name)
        ctx, child_id, escalation_id, target = self.ctx, self.chronology.child_id, self.escalation_id, path

        def done(result: ExportResult) -> None:
            self.summary.setText(
                self.tr("Exported %s (%s pages). The export is recorded in the audit trail.")
                % (target.name, result.pages)
            )
            self.exported.emit(result)

        run_operation(
            self,
            lambda: export_chronology(ctx, child_id, target, escalation_id=escalation_id),
            label=self.tr("Exporting the chronology…"),
            title=self.tr("Export chronology"),
            on_done=done,
            trigger=self.export_button,
        )

    def open_attachment(self, attachment_id: int) -> Path:
        # The copy goes in the private temporary folder, which is emptied when the desk locks by any route,
        # when the app quits and at the next start after a crash (a viewer may hold it open until then).
        path = open_copy(self.ctx, attachment_id)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return path
