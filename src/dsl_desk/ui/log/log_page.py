"""The Discussion log page: a child's chronology, and a search across every entry of every child.

Search results show the matched words highlighted; choosing one opens that child's chronology at the
entry, with the same words highlighted there.
"""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import LONDON, london
from dsl_desk.core.dates_in_words import numeric_date, numeric_date_time
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import DeskError
from dsl_desk.services.escalations.reading import list_escalations
from dsl_desk.services.log.reading import list_authors
from dsl_desk.services.log.search import search_log
from dsl_desk.services.log.search_terms import MATCH_END, MATCH_START, SearchFilters, match_expression
from dsl_desk.services.log.views import METHODS, SearchHit, SearchResult
from dsl_desk.services.people.children import list_children
from dsl_desk.ui.log.chronology import MARK_BACKGROUND, ChronologyView
from dsl_desk.ui.operations import run_operation
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.theme import MUTED
from dsl_desk.ui.widgets.common import compact_combo, page_title
from dsl_desk.ui.widgets.date_entry import DateEntry


def snippet_html(snippet: str) -> str:
    """A search snippet with its matches highlighted (the markers come from store.search)."""
    escaped = html.escape(snippet).replace("\n", " ")
    return escaped.replace(MATCH_START, f'<b style="background:{MARK_BACKGROUND}">').replace(
        MATCH_END, "</b>"
    )


def hit_html(hit: SearchHit) -> str:
    superseded = ' · <i style="color:#6b7280">corrected by a later entry</i>' if hit.superseded else ""
    reference = f" · {html.escape(hit.escalation_reference)}" if hit.escalation_reference else ""
    return (
        f'<p><a href="entry:{hit.entry_id}:{hit.child_id}"><b>{html.escape(hit.child_name)}</b> — '
        f"{numeric_date_time(hit.occurred_at)} · {html.escape(hit.method_label)}</a>{reference}"
        f'<span style="color:{MUTED}"> · {html.escape(hit.author)}</span>{superseded}<br>'
        f"{snippet_html(hit.snippet)}</p>"
    )


def results_html(result: SearchResult) -> str:
    if not result.hits:
        return f'<p style="color:{MUTED}">No entries contain those words. Try fewer or shorter words.</p>'
    more = (
        f'<p style="color:{MUTED}">Only the best {len(result.hits)} matches are shown: add words or filters.</p>'
        if result.more
        else ""
    )
    return "".join(hit_html(hit) for hit in result.hits) + more


class LogPage(QWidget):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self.result: SearchResult | None = None
        self._searches = 0  # numbers each search, so only the newest one's result is shown
        self._build()
        self._fill_children()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(page_title(self.tr("Discussion log")))
        self.tabs = QTabWidget()
        self.tabs.addTab(self._chronology_tab(), self.tr("&Chronology"))
        self.tabs.addTab(self._search_tab(), self.tr("&Search all entries"))
        layout.addWidget(self.tabs, 1)

    def _chronology_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        pickers = QHBoxLayout()
        self.child = QComboBox(accessibleName=self.tr("Child whose chronology is shown"))
        compact_combo(self.child, 28)
        self.child.activated.connect(lambda _i: self._child_chosen())
        self.escalation = QComboBox(accessibleName=self.tr("Show entries about"))
        compact_combo(self.escalation, 28)
        self.escalation.activated.connect(lambda _i: self._show_current())
        pickers.addWidget(QLabel(self.tr("Child:")))
        pickers.addWidget(self.child)
        pickers.addWidget(QLabel(self.tr("Entries:")))
        pickers.addWidget(self.escalation)
        pickers.addStretch(1)
        layout.addLayout(pickers)
        self.chronology = ChronologyView(self.ctx, self.signals)
        layout.addWidget(self.chronology, 1)
        return tab

    def _search_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        row = QHBoxLayout()
        self.search = QLineEdit(accessibleName=self.tr("Search the discussion log"))
        self.search.setPlaceholderText(self.tr("Words to find in any entry, e.g. bruise Brightwater"))
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.run_search)
        self.search_button = QPushButton(self.tr("Search"))
        self.search_button.setProperty("primary", True)
        self.search_button.clicked.connect(self.run_search)
        row.addWidget(self.search, 1)
        row.addWidget(self.search_button)
        layout.addLayout(row)
        layout.addLayout(self._filters())
        self.results_label = QLabel(objectName="hint")
        layout.addWidget(self.results_label)
        self.results = QTextBrowser(openLinks=False, openExternalLinks=False)
        self.results.setAccessibleName(self.tr("Search results"))
        self.results.anchorClicked.connect(self._open_hit)
        layout.addWidget(self.results, 1)
        return tab

    def _filters(self) -> QVBoxLayout:
        row = QHBoxLayout()
        self.filter_child = QComboBox(accessibleName=self.tr("Only this child"))
        self.filter_escalation = QComboBox(accessibleName=self.tr("Only this escalation"))
        self.filter_method = QComboBox(accessibleName=self.tr("Only this kind of discussion"))
        self.filter_method.addItem(self.tr("Any method"), "")
        for key, label in METHODS.items():
            self.filter_method.addItem(self.tr(label), key)
        self.filter_author = QComboBox(accessibleName=self.tr("Only entries written by"))
        today = london(self.ctx.clock.now()).date()
        self.use_from = QCheckBox(self.tr("From"))
        months = today.year * 12 + today.month - 1 - 3  # the first of the month three months back
        self.date_from = self._date_edit(self.tr("From date"), date(months // 12, months % 12 + 1, 1), today)
        self.use_to = QCheckBox(self.tr("to"))
        self.date_to = self._date_edit(self.tr("To date"), today, today)
        # Four drop-downs and a date range in one row were 1,450 pixels wide: two rows, compact drop-downs.
        for combo in (self.filter_child, self.filter_escalation, self.filter_method, self.filter_author):
            compact_combo(combo)
            row.addWidget(combo)
        row.addStretch(1)
        dates = QHBoxLayout()
        for widget in (self.use_from, self.date_from, self.use_to, self.date_to):
            dates.addWidget(widget)
        dates.addStretch(1)
        rows = QVBoxLayout()
        rows.addLayout(row)
        rows.addLayout(dates)
        return rows

    def _date_edit(self, name: str, value: date, today: date) -> DateEntry:
        return DateEntry(accessible_name=name, value=value, required=True, today=today)

    # -- filling ------------------------------------------------------------------------------------------

    def _fill_children(self) -> None:
        current = self.child.currentData()
        children = list_children(self.ctx)
        for combo, first in (
            (self.child, self.tr("Choose a child…")),
            (self.filter_child, self.tr("All children")),
        ):
            selected = combo.currentData()
            combo.clear()
            combo.addItem(first, None)
            for row in children:
                combo.addItem(f"{row.name} ({numeric_date(row.date_of_birth)})", row.id)
            combo.setCurrentIndex(max(0, combo.findData(selected)))
        self.filter_escalation.clear()
        self.filter_escalation.addItem(self.tr("Any escalation"), None)
        for case in list_escalations(self.ctx):
            self.filter_escalation.addItem(f"{case.reference} · {case.child}", case.escalation_id)
        self.filter_author.clear()
        self.filter_author.addItem(self.tr("Anyone"), None)
        for author in list_authors(self.ctx):
            self.filter_author.addItem(author.name, author.id)
        self._fill_escalations(current)

    def _fill_escalations(self, child_id: int | None) -> None:
        selected = self.escalation.currentData()
        self.escalation.clear()
        self.escalation.addItem(self.tr("All entries"), None)
        if child_id is not None:
            for case in list_escalations(self.ctx, child_id=child_id):
                self.escalation.addItem(self.tr("Only escalation %s") % case.reference, case.escalation_id)
        self.escalation.setCurrentIndex(max(0, self.escalation.findData(selected)))

    # -- chronology ---------------------------------------------------------------------------------------

    def show_child_log(
        self, child_id: int, *, words: tuple[str, ...] = (), focus_entry: int | None = None
    ) -> None:
        self.child.setCurrentIndex(max(0, self.child.findData(child_id)))
        self._fill_escalations(child_id)
        self.escalation.setCurrentIndex(0)
        self.tabs.setCurrentIndex(0)
        self.chronology.show_child(child_id, words=words, focus_entry=focus_entry)

    def _child_chosen(self) -> None:
        self._fill_escalations(self.child.currentData())
        self.escalation.setCurrentIndex(0)
        self._show_current()

    def _show_current(self) -> None:
        child_id = self.child.currentData()
        if child_id is not None:
            self.chronology.show_child(child_id, escalation_id=self.escalation.currentData())

    @property
    def current_child_id(self) -> int | None:
        return self.chronology.child_id

    @property
    def current_escalation_id(self) -> int | None:
        return self.chronology.escalation_id

    def on_changed(self, changed: Changed) -> None:
        if changed.children or changed.escalations:
            self._fill_children()
        if changed.log or changed.children or changed.escalations:
            self.chronology.refresh()

    # -- search -------------------------------------------------------------------------------------------

    def filters(self) -> SearchFilters:
        def start_of(edit: DateEntry, extra_days: int = 0) -> datetime:
            """Midnight (UK) starting the typed day; a ValidationError when it is not a date."""
            typed = edit.checked_date()
            assert typed is not None  # required
            day = typed + timedelta(days=extra_days)
            return datetime.combine(day, time(0, 0), tzinfo=LONDON).astimezone(UTC)

        return SearchFilters(
            child_id=self.filter_child.currentData(),
            escalation_id=self.filter_escalation.currentData(),
            occurred_from=start_of(self.date_from) if self.use_from.isChecked() else None,
            # The "to" date is included whole: up to midnight at its end.
            occurred_to=start_of(self.date_to, 1) if self.use_to.isChecked() else None,
            method=self.filter_method.currentData() or "",
            author_id=self.filter_author.currentData(),
        )

    def run_search(self) -> None:
        text = self.search.text()
        if not match_expression(text):
            self.results_label.setText(self.tr("Type a word to search for."))
            self.results.clear()
            return
        try:
            filters = self.filters()  # read from the widgets here, on the GUI thread
        except DeskError as error:
            self.results_label.setText(str(error))
            return
        self._searches += 1
        number, ctx = self._searches, self.ctx
        self.results_label.setText(self.tr("Searching…"))
        run_operation(
            self,
            lambda: search_log(ctx, text, filters),
            label=self.tr("Searching the discussion log…"),
            on_done=lambda result: self._found(number, result),
            on_error=lambda error: self._search_failed(number, error),
            trigger=self.search_button,
        )

    def _search_failed(self, number: int, error: Exception) -> None:
        if number == self._searches:  # not overtaken by a newer search
            self.results_label.setText(str(error))

    def _found(self, number: int, result: SearchResult) -> None:
        if number != self._searches:
            return  # a newer search was started meanwhile: its result is the one to show
        self.result = result
        count = len(self.result.hits)
        self.results_label.setText(
            self.tr("%s match(es)%s") % (count, self.tr(" (more not shown)") if self.result.more else "")
        )
        self.results.setHtml(results_html(self.result))

    def _open_hit(self, url: QUrl) -> None:
        parts = url.toString().split(":")
        if len(parts) == 3 and parts[0] == "entry" and parts[1].isdigit() and parts[2].isdigit():
            words = tuple(self.search.text().split())
            self.show_child_log(int(parts[2]), words=words, focus_entry=int(parts[1]))
