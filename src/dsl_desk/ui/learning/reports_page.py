"""Reports: learning from disagreements. Pick a period, read its figures and charts, look over the lessons,
export the governors' report, the figures and the lessons log, and raise Partnership Practice Alerts.

Counts only on screen and in every export unless the DSL ticks "include case references" — references,
never names.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import medium_date
from dsl_desk.core.learning import LessonLine, PeriodFigures, format_days
from dsl_desk.core.periods import (
    ReportPeriod,
    custom_period,
    previous_quarter,
    quarter_containing,
    school_year_containing,
)
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import DeskError
from dsl_desk.services.learning.lessons import (
    export_lessons_csv,
    export_lessons_pdf,
    lessons_log,
    record_follow_up,
)
from dsl_desk.services.learning.practice_alerts import AlertView, export_alert_pdf, list_alerts
from dsl_desk.services.learning.reports import export_figures_csv, export_governors_report, period_figures
from dsl_desk.ui import theme
from dsl_desk.ui.learning.bar_chart import Bar, BarChart, Series
from dsl_desk.ui.messages import show_error
from dsl_desk.ui.operations import run_operation
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.table_model import ROW_ROLE, Column, RowTableModel
from dsl_desk.ui.translation import translate
from dsl_desk.ui.widgets.common import hint, make_table, page_title, section_title
from dsl_desk.ui.widgets.date_entry import DateEntry
from dsl_desk.ui.widgets.folders import in_documents

PERIOD_CHOICES = ("This quarter", "Last quarter", "This school year", "Last school year", "Custom dates")
ONE_SERIES = (Series("Escalations", theme.ACCENT),)
TIMESCALE_SERIES = (
    Series("Timescale met", theme.OK),
    Series("Missed", theme.OVERDUE),
    Series("No timescale", "#9aa5b1"),
)


def ask_save_path(parent: QWidget, title: str, suggested: str, file_filter: str) -> Path | None:
    """The save dialog, as a function so tests can answer it without a native dialog."""
    chosen, _filter = QFileDialog.getSaveFileName(parent, title, in_documents(suggested), file_filter)
    return Path(chosen) if chosen else None


def lesson_columns() -> list[Column[LessonLine]]:
    return [
        Column(
            translate("reports_page", "No."),
            lambda r: r.reference or str(r.number),
            sort_key=lambda r: r.number,
        ),
        Column(
            translate("reports_page", "Resolved"),
            lambda r: medium_date(r.resolved_on),
            sort_key=lambda r: r.resolved_on.isoformat(),
        ),
        Column(
            translate("reports_page", "About"),
            lambda r: r.category,
            tooltip=lambda r: f"{r.category} — {r.other_agency}",
        ),
        Column(
            translate("reports_page", "Lesson learnt"),
            lambda r: r.lessons or "(none recorded)",
            tooltip=lambda r: r.lessons,
        ),
        Column(translate("reports_page", "To partnership"), lambda r: "Yes" if r.referred_to_board else "No"),
        Column(
            translate("reports_page", "Follow-up"),
            lambda r: r.follow_up_text or "Not yet recorded",
            tooltip=lambda r: r.follow_up_text,
        ),
    ]


def alert_columns() -> list[Column[AlertView]]:
    return [
        Column(translate("reports_page", "Reference"), lambda a: a.reference),
        Column(
            translate("reports_page", "Date"),
            lambda a: medium_date(a.alert.alert_date),
            sort_key=lambda a: a.alert.alert_date.isoformat(),
        ),
        Column(
            translate("reports_page", "Summary"),
            lambda a: a.alert.summary.splitlines()[0] if a.alert.summary else "",
            tooltip=lambda a: a.alert.summary,
        ),
    ]


class ReportsPage(QWidget):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self.figures: PeriodFigures | None = None
        self.lessons: list[LessonLine] = []
        self._build()
        self.refresh()

    # --- building ------------------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(page_title(self.tr("Reports: learning from disagreements")))
        layout.addWidget(
            hint(
                self.tr(
                    "Counts only: no child is named on this page or in any export. Case references are added only if you tick the box."
                )
            )
        )
        layout.addLayout(self._build_period())
        layout.addLayout(self._build_exports())
        layout.addLayout(self._build_tiles())
        layout.addLayout(self._build_charts())
        self._build_lessons(layout)
        self._build_alerts(layout)
        layout.addStretch(1)

    def _build_period(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Period:")))
        self.period_choice = QComboBox()
        self.period_choice.addItems([self.tr(text) for text in PERIOD_CHOICES])
        self.period_choice.setAccessibleName(self.tr("Report period"))
        row.addWidget(self.period_choice)
        today = london(self.ctx.clock.now()).date()
        quarter = quarter_containing(today)
        self.custom_period = quarter  # the last custom dates that were both dates
        self.from_date = self._date_edit(quarter.start, self.tr("From"), today)
        self.to_date = self._date_edit(quarter.end, self.tr("To"), today)
        row.addWidget(QLabel(self.tr("from")))
        row.addWidget(self.from_date)
        row.addWidget(QLabel(self.tr("to")))
        row.addWidget(self.to_date)
        self.references = QCheckBox(self.tr("Include case references (never names)"))
        row.addWidget(self.references)
        row.addStretch(1)
        self.period_label = QLabel(objectName="sectionTitle")
        self.period_choice.currentIndexChanged.connect(self._period_chosen)
        self.from_date.changed.connect(self._dates_changed)
        self.to_date.changed.connect(self._dates_changed)
        self.references.toggled.connect(self.refresh)
        self._set_custom_enabled(False)
        return row

    def _date_edit(self, day: date, name: str, today: date) -> DateEntry:
        return DateEntry(accessible_name=name, value=day, required=True, today=today)

    def _build_exports(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self.period_label)
        row.addStretch(1)
        self.export_buttons: dict[str, QPushButton] = {}
        for key, text, slot in (
            ("governors", self.tr("Governors' report (PDF)…"), self.export_governors_report),
            ("figures_csv", self.tr("Figures (CSV)…"), self.export_figures_csv),
            ("lessons_pdf", self.tr("Lessons log (PDF)…"), self.export_lessons_pdf),
            ("lessons_csv", self.tr("Lessons log (CSV)…"), self.export_lessons_csv),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.export_buttons[key] = button
        self.export_buttons["governors"].setProperty("primary", True)
        return row

    def _build_tiles(self) -> QGridLayout:
        grid = QGridLayout()
        self.tiles: dict[str, QLabel] = {}
        for column, (key, title) in enumerate(
            (
                ("opened", self.tr("Opened")),
                ("resolved", self.tr("Resolved")),
                ("withdrawn", self.tr("Withdrawn")),
                ("open_at_end", self.tr("Open at the end of the period")),
                ("median", self.tr("Median working days to resolve")),
                ("longest", self.tr("Longest (working days)")),
            )
        ):
            frame = QFrame(objectName="card")
            box = QVBoxLayout(frame)
            number = QLabel("0")
            number.setStyleSheet(f"font-size: 20pt; font-weight: 700; color: {theme.ACCENT};")
            number.setAccessibleName(title)
            box.addWidget(number)
            box.addWidget(QLabel(title, objectName="hint", wordWrap=True))
            self.tiles[key] = number
            grid.addWidget(frame, 0, column)
        return grid

    def _build_charts(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        self.category_chart = BarChart(self.tr("Opened, by what the disagreement was about"), ONE_SERIES)
        self.agency_chart = BarChart(self.tr("Opened, by the other agency"), ONE_SERIES)
        self.stage_chart = BarChart(self.tr("Stage at which they were resolved"), ONE_SERIES)
        self.timescale_chart = BarChart(
            self.tr("Stage timescales (stages completed in the period)"), TIMESCALE_SERIES
        )
        for index, chart in enumerate(
            (self.category_chart, self.agency_chart, self.stage_chart, self.timescale_chart)
        ):
            frame = QFrame(objectName="card")
            QVBoxLayout(frame).addWidget(chart)
            grid.addWidget(frame, index // 2, index % 2, Qt.AlignmentFlag.AlignTop)
        return grid

    def _build_lessons(self, layout: QVBoxLayout) -> None:
        header = QHBoxLayout()
        header.addWidget(section_title(self.tr("Lessons learnt (escalations resolved in the period)")))
        header.addStretch(1)
        self.follow_up_button = QPushButton(self.tr("Record follow-up…"))
        self.follow_up_button.clicked.connect(self.record_follow_up)
        header.addWidget(self.follow_up_button)
        layout.addLayout(header)
        self.lesson_model: RowTableModel[LessonLine] = RowTableModel(lesson_columns(), self)
        self.lesson_view, self.lesson_proxy = make_table(
            self.lesson_model, accessible_name=self.tr("Lessons learnt"), stretch_column=3
        )
        self.lesson_view.setMinimumHeight(140)
        self.lesson_view.doubleClicked.connect(self.record_follow_up)
        layout.addWidget(self.lesson_view)
        self.no_lessons = hint(self.tr("No escalation was resolved in this period."))
        layout.addWidget(self.no_lessons)

    def _build_alerts(self, layout: QVBoxLayout) -> None:
        header = QHBoxLayout()
        header.addWidget(
            section_title(self.tr("Partnership Practice Alerts (about practice, never a child)"))
        )
        header.addStretch(1)
        self.new_alert_button = QPushButton(self.tr("New alert…"))
        self.new_alert_button.clicked.connect(self.new_alert)
        header.addWidget(self.new_alert_button)
        self.alert_pdf_button = QPushButton(self.tr("Export alert (PDF)…"))
        self.alert_pdf_button.clicked.connect(self.export_alert)
        header.addWidget(self.alert_pdf_button)
        layout.addLayout(header)
        self.alert_model: RowTableModel[AlertView] = RowTableModel(alert_columns(), self)
        self.alert_view, self.alert_proxy = make_table(
            self.alert_model, accessible_name=self.tr("Partnership Practice Alerts"), stretch_column=2
        )
        self.alert_view.setMinimumHeight(110)
        self.alert_view.doubleClicked.connect(self.edit_alert)
        layout.addWidget(self.alert_view)

    # --- the period ----------------------------------------------------------------------------------------

    def period(self) -> ReportPeriod:
        today = london(self.ctx.clock.now()).date()
        choice = self.period_choice.currentIndex()
        if choice == 0:
            return quarter_containing(today)
        if choice == 1:
            return previous_quarter(quarter_containing(today))
        if choice == 2:
            return school_year_containing(today)
        if choice == 3:
            return school_year_containing(school_year_containing(today).start - timedelta(days=1))
        start, end = self.from_date.date(), self.to_date.date()
        if start is not None and end is not None:  # while one is not a date, the last good pair stands
            self.custom_period = custom_period(min(start, end), max(start, end))
        return self.custom_period

    def _period_chosen(self) -> None:
        custom = self.period_choice.currentIndex() == len(PERIOD_CHOICES) - 1
        self._set_custom_enabled(custom)
        if not custom:
            period = self.period()
            for edit, day in ((self.from_date, period.start), (self.to_date, period.end)):
                edit.blockSignals(True)  # one refresh for the whole change, not one per date box
                edit.set_date(day)
                edit.blockSignals(False)
        self.refresh()

    def _dates_changed(self) -> None:
        custom = self.period_choice.currentIndex() == len(PERIOD_CHOICES) - 1
        if custom and self.from_date.is_valid() and self.to_date.is_valid():
            self.refresh()

    def _set_custom_enabled(self, enabled: bool) -> None:
        self.from_date.setEnabled(enabled)
        self.to_date.setEnabled(enabled)

    # --- showing -------------------------------------------------------------------------------------------

    def on_changed(self, changed: Changed) -> None:
        if changed.escalations or changed.children or changed.settings:
            self.refresh()

    def refresh(self) -> None:
        period = self.period()
        references = self.references.isChecked()
        self.figures = period_figures(self.ctx, period, include_references=references)
        self.lessons = lessons_log(self.ctx, period, include_references=references)
        self.period_label.setText(period.label)
        self._show_figures(self.figures)
        self.lesson_model.set_rows(self.lessons)
        self.no_lessons.setVisible(not self.lessons)
        self.alert_model.set_rows(list_alerts(self.ctx))

    def _show_figures(self, figures: PeriodFigures) -> None:
        for key, value in (
            ("opened", str(figures.opened)),
            ("resolved", str(figures.resolved)),
            ("withdrawn", str(figures.withdrawn)),
            ("open_at_end", str(figures.open_at_end)),
            ("median", format_days(figures.median_days)),
            ("longest", format_days(figures.longest_days)),
        ):
            self.tiles[key].setText(value)
        self.category_chart.set_bars([Bar(c.label, (c.count,)) for c in figures.by_category])
        self.agency_chart.set_bars([Bar(c.label, (c.count,)) for c in figures.by_agency])
        self.stage_chart.set_bars([Bar(c.label, (c.count,)) for c in figures.resolved_at_stage])
        self.timescale_chart.set_bars(
            [Bar(r.name, (r.met, r.missed, r.no_timescale)) for r in figures.timescales]
        )

    # --- exports -------------------------------------------------------------------------------------------

    def export_governors_report(self) -> None:
        self._export(
            "governors-report",
            "PDF (*.pdf)",
            lambda p, period, refs: export_governors_report(self.ctx, period, p, include_references=refs),
        )

    def export_figures_csv(self) -> None:
        self._export(
            "escalation-figures",
            "CSV (*.csv)",
            lambda p, period, refs: export_figures_csv(self.ctx, period, p, include_references=refs),
        )

    def export_lessons_pdf(self) -> None:
        self._export(
            "lessons-log",
            "PDF (*.pdf)",
            lambda p, period, refs: export_lessons_pdf(self.ctx, period, p, include_references=refs),
        )

    def export_lessons_csv(self) -> None:
        self._export(
            "lessons-log",
            "CSV (*.csv)",
            lambda p, period, refs: export_lessons_csv(self.ctx, period, p, include_references=refs),
        )

    def _export(self, stem: str, file_filter: str, work: Callable[[Path, ReportPeriod, bool], Path]) -> None:
        period = self.period()
        suffix = ".pdf" if "pdf" in file_filter else ".csv"
        target = ask_save_path(self, self.tr("Save as"), f"{stem}_{period.slug}{suffix}", file_filter)
        if target is None:
            return
        if target.suffix.lower() != suffix:
            target = target.with_suffix(suffix)
        references = self.references.isChecked()

        def exported(_path: Path) -> None:
            self.last_export = target

        run_operation(
            self,
            lambda: work(target, period, references),
            label=self.tr("Exporting %s…") % target.name,
            title=self.tr("Not exported"),
            on_done=exported,
            trigger=list(self.export_buttons.values()),
            signals=self.signals,
            changes=Changed(),  # the audit trail grew; nothing else did
        )

    # --- lessons and alerts --------------------------------------------------------------------------------

    def record_follow_up(self) -> None:
        from dsl_desk.ui.learning.follow_up_dialog import ask_follow_up

        line = self._current(self.lesson_view, self.lesson_proxy)
        if line is None:
            show_error(
                self,
                self.tr("Choose a lesson"),
                self.tr("Choose a lesson in the list first, then record its follow-up."),
            )
            return
        answer = ask_follow_up(self, line)
        if answer is None:
            return
        try:
            record_follow_up(self.ctx, line.escalation_id, answer)
        except DeskError as error:
            show_error(self, self.tr("Follow-up not saved"), str(error))
            return
        self.refresh()

    def new_alert(self) -> None:
        from dsl_desk.ui.learning.practice_alert_dialog import PracticeAlertDialog

        if PracticeAlertDialog(self.ctx, None, self).exec():
            self.refresh()

    def edit_alert(self) -> None:
        from dsl_desk.ui.learning.practice_alert_dialog import PracticeAlertDialog

        alert = self._current(self.alert_view, self.alert_proxy)
        if alert is not None and PracticeAlertDialog(self.ctx, alert, self).exec():
            self.refresh()

    def export_alert(self) -> None:
        alert = self._current(self.alert_view, self.alert_proxy)
        if alert is None:
            show_error(
                self,
                self.tr("Choose an alert"),
                self.tr("Choose a Partnership Practice Alert in the list first."),
            )
            return
        target = ask_save_path(self, self.tr("Save as"), f"{alert.reference}.pdf", "PDF (*.pdf)")
        if target is None:
            return
        ctx, alert_id = self.ctx, alert.id
        run_operation(
            self,
            lambda: export_alert_pdf(ctx, alert_id, target),
            label=self.tr("Exporting %s…") % target.name,
            title=self.tr("Not exported"),
            trigger=self.alert_pdf_button,
        )

    def _current(self, view: QTableView, proxy: QSortFilterProxyModel) -> Any:
        index = view.currentIndex()
        return proxy.data(index, ROW_ROLE) if index.isValid() else None
