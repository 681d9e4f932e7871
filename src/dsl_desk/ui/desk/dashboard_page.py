"""The dashboard: warnings first. Immediate risk pinned on top, then overdue, due today, due next working day,
the checklist items and actions still to do, and what records are owed (transfer receipts, subject access
responses, retention reviews)."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import deadline_phrase, long_date, short_day_month
from dsl_desk.core.escalation_rules import DueStatus, immediate_risk_rule
from dsl_desk.services.context import AppContext
from dsl_desk.services.escalations.dashboard import list_open_cases, list_open_checklist
from dsl_desk.services.escalations.views import CaseRow, OpenItemRow
from dsl_desk.services.log.reading import list_open_actions
from dsl_desk.services.log.views import OpenActionRow
from dsl_desk.services.records.due import RecordDue, list_records_due
from dsl_desk.ui import theme
from dsl_desk.ui.records.backup_warning import BackupWarning
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.table_model import ROW_ROLE, Column, RowTableModel
from dsl_desk.ui.translation import translate
from dsl_desk.ui.widgets.common import hint, make_table, page_title, section_title

STATUS_COLOURS = {
    DueStatus.OVERDUE: (theme.OVERDUE, theme.OVERDUE_SOFT),
    DueStatus.DUE_TODAY: (theme.DUE_TODAY, theme.DUE_TODAY_SOFT),
    DueStatus.DUE_NEXT_WORKING_DAY: (theme.SOON, theme.SOON_SOFT),
    DueStatus.ON_TRACK: (theme.OK, None),
    DueStatus.NO_DEADLINE: (theme.MUTED, None),
}


def case_columns() -> list[Column[CaseRow]]:
    """What the issue asks per row: the child, the stage, who to contact next, the deadline in words."""

    def soft(row: CaseRow) -> str | None:
        return STATUS_COLOURS[row.due_status][1] if row.status == "open" else None

    def detail(row: CaseRow) -> str:
        days = row.waiting_working_days
        return (
            f"{row.reference}: {row.stage_label}\nOther agency: {row.other_agency}\n"
            f"Waiting {days} working day{'s' if days != 1 else ''}"
        )

    return [
        Column(
            translate("dashboard_page", "Status"),
            lambda r: r.status_words,
            background=soft,
            foreground=lambda r: STATUS_COLOURS[r.due_status][0],
        ),
        Column(translate("dashboard_page", "Deadline"), lambda r: r.deadline_words, background=soft),
        Column(translate("dashboard_page", "Child"), lambda r: r.child, tooltip=detail),
        Column(translate("dashboard_page", "Stage"), lambda r: r.stage_label, tooltip=detail),
        Column(
            translate("dashboard_page", "Contact next"),
            lambda r: r.next_contact,
            tooltip=lambda r: r.next_contact,
        ),
        Column(
            translate("dashboard_page", "To do"), lambda r: str(r.open_checklist) if r.open_checklist else "–"
        ),
    ]


def item_columns() -> list[Column[OpenItemRow]]:
    kinds = {"notification": "Tell", "form": "Form", "copy": "Send copy", "action": "Do"}
    return [
        Column(translate("dashboard_page", "What"), lambda r: kinds.get(r.kind, r.kind.capitalize())),
        Column(translate("dashboard_page", "Item"), lambda r: r.text, tooltip=lambda r: r.text),
        Column(translate("dashboard_page", "Child"), lambda r: r.child),
        Column(translate("dashboard_page", "Ref"), lambda r: r.reference),
        Column(
            translate("dashboard_page", "Since"),
            lambda r: short_day_month(london(r.since).date()),
            sort_key=lambda r: r.since.isoformat(),
        ),
    ]


def action_columns() -> list[Column[OpenActionRow]]:
    def due(row: OpenActionRow) -> str:
        return "no date" if row.due_on is None else short_day_month(row.due_on)

    return [
        Column(
            translate("dashboard_page", "Due"),
            due,
            sort_key=lambda r: r.due_on.isoformat() if r.due_on else "9",
            foreground=lambda r: theme.OVERDUE if r.overdue else None,
            background=lambda r: theme.OVERDUE_SOFT if r.overdue else None,
        ),
        Column(
            translate("dashboard_page", "Action"), lambda r: r.description, tooltip=lambda r: r.description
        ),
        Column(translate("dashboard_page", "Owner"), lambda r: r.owner),
        Column(translate("dashboard_page", "Child"), lambda r: r.child),
        Column(translate("dashboard_page", "Escalation"), lambda r: r.escalation_reference or "–"),
    ]


def record_columns() -> list[Column[RecordDue]]:
    kinds = {"transfer": "Transfer", "subject_access": "Subject access", "retention": "Retention"}

    def due(row: RecordDue) -> str:
        return row.due_words or "–"

    return [
        Column(
            translate("dashboard_page", "Due"),
            due,
            sort_key=lambda r: r.due_on.isoformat() if r.due_on else "9",
            foreground=lambda r: theme.OVERDUE if r.overdue else None,
            background=lambda r: theme.OVERDUE_SOFT if r.overdue else None,
        ),
        Column(translate("dashboard_page", "Kind"), lambda r: kinds.get(r.kind, r.kind)),
        Column(translate("dashboard_page", "What"), lambda r: r.what, tooltip=lambda r: r.what),
        Column(translate("dashboard_page", "Child"), lambda r: r.child or "–"),
    ]


class DashboardPage(QWidget):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self.cases: list[CaseRow] = []
        self.items: list[OpenItemRow] = []
        self._risks_shown = False
        self._build()
        self.refresh()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(20, 16, 20, 16)
        top = QHBoxLayout()
        top.addWidget(page_title(self.tr("Dashboard")))
        top.addStretch(1)
        self.today_label = QLabel(objectName="hint")
        top.addWidget(self.today_label)
        layout.addLayout(top)
        self.backup_warning = BackupWarning(self.ctx)
        layout.addWidget(self.backup_warning)
        self.risk_area = QVBoxLayout()
        layout.addLayout(self.risk_area)
        layout.addLayout(self._build_tiles())
        self._build_tables(layout)

    def _build_tiles(self) -> QGridLayout:
        self.tiles = QGridLayout()
        self.tile_labels: dict[str, QLabel] = {}
        for column, (key, title, colour) in enumerate(
            (
                ("overdue", self.tr("Overdue"), theme.OVERDUE),
                ("today", self.tr("Due today"), theme.DUE_TODAY),
                ("next", self.tr("Due next working day"), theme.SOON),
                ("items", self.tr("Checklist items to do"), theme.ACCENT),
            )
        ):
            frame = QFrame(objectName="card")
            box = QVBoxLayout(frame)
            number = QLabel("0")
            number.setStyleSheet(f"font-size: 20pt; font-weight: 700; color: {colour};")
            number.setAccessibleName(title)
            box.addWidget(number)
            box.addWidget(QLabel(title, objectName="hint"))
            self.tile_labels[key] = number
            self.tiles.addWidget(frame, 0, column)
        return self.tiles

    def _build_tables(self, layout: QVBoxLayout) -> None:
        header = QHBoxLayout()
        header.addWidget(section_title(self.tr("Open escalations, most urgent first")))
        header.addStretch(1)
        self.new_button = QPushButton(self.tr("New escalation…"))
        self.new_button.setProperty("primary", True)
        header.addWidget(self.new_button)
        layout.addLayout(header)
        self.case_model: RowTableModel[CaseRow] = RowTableModel(case_columns(), self)
        self.case_view, self.case_proxy = make_table(
            self.case_model, accessible_name=self.tr("Open escalations"), stretch_column=3
        )
        # The service's order (immediate risk, overdue, due today, …) is the point of the dashboard: no re-sorting.
        self.case_view.setSortingEnabled(False)
        self.case_view.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.case_view.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        self.case_view.setColumnWidth(4, 200)
        self.case_view.setMinimumHeight(220)
        self.case_view.activated.connect(self._open_case)
        self.case_view.doubleClicked.connect(self._open_case)
        layout.addWidget(self.case_view, 2)
        self.empty_cases = hint(self.tr("No open escalations. Start one with “New escalation…” (Ctrl+N)."))
        layout.addWidget(self.empty_cases)
        layout.addWidget(section_title(self.tr("Checklist: notifications, forms and copies still to do")))
        self.item_model: RowTableModel[OpenItemRow] = RowTableModel(item_columns(), self)
        self.item_view, _ = make_table(
            self.item_model, accessible_name=self.tr("Checklist items to do"), stretch_column=1
        )
        self.item_view.setMinimumHeight(160)
        self.item_view.activated.connect(self._open_item)
        self.item_view.doubleClicked.connect(self._open_item)
        layout.addWidget(self.item_view, 1)
        layout.addWidget(section_title(self.tr("Actions agreed in discussions, not yet done")))
        self.action_model: RowTableModel[OpenActionRow] = RowTableModel(action_columns(), self)
        self.action_view, self.action_proxy = make_table(
            self.action_model, accessible_name=self.tr("Open actions"), stretch_column=1
        )
        self.action_view.setMinimumHeight(140)
        self.action_view.activated.connect(self._open_action)
        self.action_view.doubleClicked.connect(self._open_action)
        layout.addWidget(self.action_view, 1)
        layout.addLayout(self._action_done_row())
        self.records_title = section_title(
            self.tr("Records owed: transfer receipts, subject access, retention")
        )
        layout.addWidget(self.records_title)
        self.record_model: RowTableModel[RecordDue] = RowTableModel(record_columns(), self)
        self.record_view, self.record_proxy = make_table(
            self.record_model, accessible_name=self.tr("Records owed"), stretch_column=2
        )
        self.record_view.setSortingEnabled(False)  # overdue first, then by date: the service's order
        self.record_view.setMinimumHeight(110)
        self.record_view.activated.connect(self._open_record)
        self.record_view.doubleClicked.connect(self._open_record)
        layout.addWidget(self.record_view, 1)

    def refresh(self) -> None:
        now = self.ctx.clock.now()
        today = london(now)
        self.today_label.setText(long_date(today))
        # Every minute and after every change: the services keep what they read until something changes,
        # and a table is reset only when its rows are not what it shows already (a reset lays it out again).
        cases, items = list_open_cases(self.ctx), list_open_checklist(self.ctx)
        risks_before = [c for c in self.cases if c.immediate_risk]
        if cases != self.cases:
            self.cases = cases
            self.case_model.set_rows(cases)
        if items != self.items:
            self.items = items
            self.item_model.set_rows(items)
        actions = list_open_actions(self.ctx)
        if actions != getattr(self, "actions", None):
            self.actions = actions
            self.action_model.set_rows(actions)
        records = list_records_due(self.ctx)
        if records != getattr(self, "records", None):
            self.records = records
            self.record_model.set_rows(records)
        # Most desks owe nothing most of the time: the section shows only when there is something to do.
        self.records_title.setVisible(bool(self.records))
        self.record_view.setVisible(bool(self.records))
        self.empty_cases.setVisible(not self.cases)
        counts = Counter(c.due_status for c in self.cases)
        self.tile_labels["overdue"].setText(str(counts[DueStatus.OVERDUE]))
        self.tile_labels["today"].setText(str(counts[DueStatus.DUE_TODAY]))
        self.tile_labels["next"].setText(str(counts[DueStatus.DUE_NEXT_WORKING_DAY]))
        self.tile_labels["items"].setText(str(len(self.items)))
        if [c for c in self.cases if c.immediate_risk] != risks_before or not self._risks_shown:
            self._show_risks()
        self.backup_warning.refresh()

    def on_changed(self, changed: Changed) -> None:
        """Anything that can change a deadline, a checklist or an action refreshes the warnings at once."""
        if (
            changed.escalations
            or changed.children
            or changed.log
            or changed.settings
            or changed.contacts
            or changed.records
        ):
            self.refresh()

    def due_today_count(self) -> int:
        return sum(1 for c in self.cases if c.due_status in (DueStatus.DUE_TODAY, DueStatus.OVERDUE))

    def _show_risks(self) -> None:
        self._risks_shown = True
        while self.risk_area.count():
            widget = self.risk_area.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        for case in (c for c in self.cases if c.immediate_risk):
            self.risk_area.addWidget(self._risk_banner(case))

    def _risk_banner(self, case: CaseRow) -> QFrame:
        rule = immediate_risk_rule(self.ctx.pack(case.policy_id))
        frame = QFrame(objectName="riskBanner")
        frame.setAccessibleName(self.tr("Immediate risk: %s") % case.child)
        layout = QHBoxLayout(frame)
        text = QLabel(wordWrap=True)
        text.setTextFormat(Qt.TextFormat.RichText)
        inform = ", ".join(rule.inform)
        out_of_hours = (
            self.tr(
                " Raised out of hours: if the child is in danger now, call the emergency duty "
                "team or the police on 999 — do not wait for the next working day."
            )
            if case.out_of_hours
            else ""
        )
        text.setText(
            f"<b>{self.tr('Immediate risk')} — {_html(case.child)} ({_html(case.reference)}), "
            f"{_html(deadline_phrase(case.deadline, self.ctx.clock.now()) or case.deadline_words)}.</b><br>{_html(rule.instruction)}"
            + (f"<br>{self.tr('Inform')}: {_html(inform)}" if inform else "")
            + _html(out_of_hours)
        )
        layout.addWidget(text, 1)
        button = QPushButton(self.tr("Open"))
        button.setAccessibleName(self.tr("Open immediate-risk escalation %s") % case.reference)
        button.clicked.connect(lambda: self.signals.open_escalation.emit(case.escalation_id))
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        return frame

    def _open_case(self, index: object) -> None:
        row = self.case_proxy.data(index, ROW_ROLE)  # type: ignore[arg-type]
        if row is not None:
            self.signals.open_escalation.emit(row.escalation_id)

    def _open_action(self, index: object) -> None:
        row = self.action_proxy.data(index, ROW_ROLE)  # type: ignore[arg-type]
        if row is not None:
            self.signals.open_child.emit(row.child_id)

    def _action_done_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.action_message = QLabel(objectName="hint", wordWrap=True)
        row.addWidget(self.action_message, 1)
        self.action_done_button = QPushButton(self.tr("&Mark action done"))
        self.action_done_button.setAccessibleName(self.tr("Mark the chosen action done"))
        self.action_done_button.setEnabled(False)
        self.action_done_button.clicked.connect(self.mark_action_done)
        self.action_view.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self.action_done_button.setEnabled(current.isValid())
        )
        row.addWidget(self.action_done_button)
        return row

    def mark_action_done(self) -> None:
        """Tick off the chosen agreed action here, without opening the child's log (audited by the service)."""
        from dsl_desk.services.errors import DeskError
        from dsl_desk.services.log.discussion_log import complete_action

        row = self.action_proxy.data(self.action_view.currentIndex(), ROW_ROLE)
        if row is None:
            return
        try:
            complete_action(self.ctx, row.action_id)
        except DeskError as error:
            self.action_message.setText(str(error))
            return
        self.action_message.setText(self.tr("Done: %s") % row.description)
        self.action_done_button.setEnabled(False)
        self.signals.changed.emit(Changed(log=True))
        self.refresh()

    def _open_record(self, index: object) -> None:
        row = self.record_proxy.data(index, ROW_ROLE)  # type: ignore[arg-type]
        if row is not None:
            tab = {"transfer": "transfers", "subject_access": "access"}.get(row.kind, "retention")
            self.signals.open_records.emit(tab, row.subject_id)

    def _open_item(self, index: object) -> None:
        row = self.item_view.model().data(index, ROW_ROLE)  # type: ignore[arg-type]
        if row is not None:
            self.signals.open_escalation.emit(row.escalation_id)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
