"""The Escalations page: every escalation (open, resolved, withdrawn) with a search box, and the one chosen in
detail (escalation_detail.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.services.context import AppContext
from dsl_desk.services.escalations.reading import list_escalations
from dsl_desk.services.escalations.views import (
    CaseRow,
)
from dsl_desk.ui import theme
from dsl_desk.ui.escalations.escalation_detail import EscalationDetailView
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.table_model import ROW_ROLE, Column, RowTableModel
from dsl_desk.ui.translation import translate
from dsl_desk.ui.widgets.common import hint, make_table, page_title
from dsl_desk.ui.widgets.stepper import DUE_COLOURS

FILTERS = (("Open", "open"), ("Resolved", "resolved"), ("Withdrawn", "withdrawn"), ("All", None))


def list_columns() -> list[Column[CaseRow]]:
    def colour(row: CaseRow) -> str | None:
        return DUE_COLOURS[row.due_status][0] if row.status == "open" else theme.MUTED

    return [
        Column(translate("escalations_page", "Ref"), lambda r: r.reference),
        Column(translate("escalations_page", "Status"), lambda r: r.status_words, foreground=colour),
        Column(translate("escalations_page", "Child"), lambda r: r.child),
        Column(
            translate("escalations_page", "Stage"), lambda r: r.stage_label, tooltip=lambda r: r.stage_label
        ),
        Column(translate("escalations_page", "Other agency"), lambda r: r.other_agency),
        Column(
            translate("escalations_page", "Deadline"),
            lambda r: r.deadline_words,
            sort_key=lambda r: r.deadline.isoformat() if r.deadline else "9",
        ),
        Column(
            translate("escalations_page", "To do"),
            lambda r: str(r.open_checklist) if r.open_checklist else "–",
            sort_key=lambda r: r.open_checklist,
        ),
    ]


class EscalationsPage(QWidget):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self.rows: list[CaseRow] = []
        self.stack = QStackedWidget()
        self.list_view = self._build_list()
        self.detail_view = EscalationDetailView(ctx, signals, self._back_to_list)
        self.stack.addWidget(self.list_view)
        self.stack.addWidget(self.detail_view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.refresh()

    def _build_list(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(20, 16, 20, 16)
        top = QHBoxLayout()
        top.addWidget(page_title(self.tr("Escalations")))
        top.addStretch(1)
        self.new_button = QPushButton(self.tr("&New escalation…"))
        self.new_button.setProperty("primary", True)
        self.new_button.clicked.connect(self.open_new)
        top.addWidget(self.new_button)
        layout.addLayout(top)
        bar = QHBoxLayout()
        self.filter = QComboBox()
        self.filter.setAccessibleName(self.tr("Show escalations"))
        for text, status in FILTERS:
            self.filter.addItem(self.tr(text), status)
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.search = QLineEdit(placeholderText=self.tr("Search by child, reference, agency or stage"))
        self.search.setAccessibleName(self.tr("Search escalations"))
        self.search.setClearButtonEnabled(True)
        show = QLabel(self.tr("&Show:"))
        show.setBuddy(self.filter)
        find = QLabel(self.tr("F&ind:"))
        find.setBuddy(self.search)
        for widget, stretch in ((show, 0), (self.filter, 0), (find, 0), (self.search, 1)):
            bar.addWidget(widget, stretch)
        layout.addLayout(bar)
        self.model: RowTableModel[CaseRow] = RowTableModel(list_columns(), self)
        self.table, self.proxy = make_table(
            self.model, accessible_name=self.tr("Escalations"), stretch_column=3
        )
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # newest first, as the service gives them
        # Every other column sizes to its content; a fixed (resizable) agency column leaves Stage room.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(4, 170)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table.activated.connect(self._open_row)
        self.table.doubleClicked.connect(self._open_row)
        layout.addWidget(self.table, 1)
        self.empty = hint(
            self.tr("Nothing to show. Choose “All”, or start one with “New escalation” (Ctrl+N).")
        )
        layout.addWidget(self.empty)
        layout.addWidget(hint(self.tr("Press Enter or double-click an escalation to open it.")))
        return page

    # -- refreshing -------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.rows = list_escalations(self.ctx, status=self.filter.currentData())
        self.model.set_rows(self.rows)
        self.empty.setVisible(not self.rows)

    def on_changed(self, changed: Changed) -> None:
        if not changed.escalations:
            return
        self.refresh()
        self.detail_view.reload_if_stale()

    # -- navigation --------------------------------------------------------------------------------------------

    def show_escalation(self, escalation_id: int) -> None:
        self.detail_view.show_escalation(escalation_id)
        self.stack.setCurrentWidget(self.detail_view)

    def _open_row(self, index: object) -> None:
        row = self.proxy.data(index, ROW_ROLE)  # type: ignore[arg-type]
        if row is not None:
            self.show_escalation(row.escalation_id)

    def open_new(self) -> None:
        from dsl_desk.ui.escalations.new_escalation import NewEscalationWizard

        wizard = NewEscalationWizard(self.ctx, self)
        wizard.finished.connect(lambda result: self._new_finished(wizard, result))
        self.detail_view.dialog = wizard
        wizard.open()

    def _new_finished(self, wizard: QDialog, result: int) -> None:
        self.detail_view.dialog = None
        detail = getattr(wizard, "result_detail", None)
        if result == QDialog.DialogCode.Accepted and detail is not None:
            self.signals.changed.emit(Changed(escalations=True, children=True))
            self.refresh()
            self.show_escalation(detail.id)

    def _back_to_list(self) -> None:
        self.stack.setCurrentWidget(self.list_view)
        self.table.setFocus()
