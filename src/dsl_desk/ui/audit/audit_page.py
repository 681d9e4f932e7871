"""The audit trail: who did what, when, to which record — filtered, a page at a time — and the chain check."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import clock_time_seconds, numeric_date
from dsl_desk.services.audit.log import (
    PAGE_SIZE,
    AuditFilter,
    AuditRow,
    action_words,
    filter_choices,
    list_events,
    verify,
)
from dsl_desk.services.audit.verify import AuditReport
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import DeskError
from dsl_desk.ui import theme
from dsl_desk.ui.operations import run_operation
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.table_model import Column, RowTableModel
from dsl_desk.ui.translation import translate
from dsl_desk.ui.widgets.common import compact_combo, hint, make_table, page_title
from dsl_desk.ui.widgets.date_entry import DateEntry

WARNING_ACTIONS = {"backup_failed", "unlock_failed", "restore_started", "restored", "record_deleted"}


def audit_columns() -> list[Column[AuditRow]]:
    def warn(row: AuditRow) -> str | None:
        return theme.OVERDUE_SOFT if row.action in WARNING_ACTIONS else None

    return [
        Column("#", lambda r: str(r.id), sort_key=lambda r: r.id),
        Column(
            translate("audit_page", "When"),
            lambda r: f"{numeric_date(london(r.at).date())} {clock_time_seconds(r.at)}",
            sort_key=lambda r: r.id,
        ),
        Column(translate("audit_page", "Who"), lambda r: r.user),
        Column(translate("audit_page", "What"), lambda r: r.action_words, background=warn),
        Column(translate("audit_page", "Record"), lambda r: r.record),
        Column(
            translate("audit_page", "Details"),
            lambda r: r.detail,
            tooltip=lambda r: r.detail.replace(" · ", "\n"),
        ),
    ]


class AuditPage(QWidget):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self.rows: list[AuditRow] = []
        self.has_more = False
        self.filters = AuditFilter()
        self._build()
        self.reload_choices()
        self.refresh(record_view=True)

    # -- layout -------------------------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        top = QHBoxLayout()
        top.addWidget(page_title(self.tr("Audit trail")))
        top.addStretch(1)
        self.verify_button = QPushButton(self.tr("Verif&y the chain"))
        self.verify_button.setToolTip(
            self.tr("Check that no row of the audit trail has been edited or removed since it was written.")
        )
        self.verify_button.clicked.connect(self.verify_chain)
        top.addWidget(self.verify_button)
        layout.addLayout(top)
        layout.addWidget(
            hint(
                self.tr(
                    "Every change, view, export, unlock, failed unlock, backup and restore is recorded here. "
                    "Rows cannot be edited: each one is sealed with the one before it."
                )
            )
        )
        self.verify_result = QFrame(objectName="verifyResult")
        result_layout = QHBoxLayout(self.verify_result)
        self.verify_label = QLabel(wordWrap=True)
        self.verify_label.setAccessibleName(self.tr("Result of the chain check"))
        self.verify_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        result_layout.addWidget(self.verify_label)
        self.verify_result.hide()
        layout.addWidget(self.verify_result)
        layout.addWidget(self._build_filters())
        self._build_table(layout)

    def _build_filters(self) -> QFrame:
        frame = QFrame(objectName="card")
        grid = QGridLayout(frame)
        self.user = QComboBox(accessibleName=self.tr("Filter by user"))
        self.action = QComboBox(accessibleName=self.tr("Filter by action"))
        for combo in (self.user, self.action):
            compact_combo(combo, 20)
        self.date_from = self._date_edit(self.tr("From date"))
        self.date_to = self._date_edit(self.tr("To date"))
        self.entity = compact_combo(QComboBox(accessibleName=self.tr("Filter by kind of record")), 14)
        self.entity_id = QLineEdit(placeholderText=self.tr("any"), accessibleName=self.tr("Record number"))
        self.entity_id.setMaximumWidth(90)
        self.entity_id.returnPressed.connect(self.apply_filters)
        # In one row these were 1,300 pixels wide, more than a 1366-pixel laptop leaves beside the rail:
        # who and what on the first row, when and the buttons on the second.
        self.apply_button = QPushButton(self.tr("Apply filters"))
        self.apply_button.setProperty("primary", True)
        self.apply_button.clicked.connect(self.apply_filters)
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.clicked.connect(self.clear_filters)
        rows = (
            ((self.tr("&User"), self.user), (self.tr("&Action"), self.action), (self.tr("&Record"), self.entity),
             (self.tr("&No."), self.entity_id)),
            ((self.tr("Fr&om"), self.date_from), (self.tr("&To"), self.date_to), ("", self.apply_button),
             ("", self.clear_button)),
        )  # fmt: skip
        for number, row in enumerate(rows):
            for column, (label, widget) in enumerate(row):
                if label:
                    caption = QLabel(label, objectName="hint")
                    caption.setBuddy(widget)
                    grid.addWidget(caption, 2 * number, column)
                grid.addWidget(widget, 2 * number + 1, column)
        grid.setColumnStretch(4, 1)  # spare width goes after the fields, not into one stretched list
        self.filter_error = QLabel(objectName="error", wordWrap=True)
        self.filter_error.hide()
        grid.addWidget(self.filter_error, 4, 0, 1, 5)
        return frame

    def _date_edit(self, name: str) -> DateEntry:
        # Empty means no limit; Enter applies the filters, as in the record number box.
        edit = DateEntry(
            accessible_name=name,
            today=london(self.ctx.clock.now()).date(),
            placeholder=self.tr("any, e.g. 14/03/2015"),
        )
        edit.edit.returnPressed.connect(self.apply_filters)
        return edit

    def _build_table(self, layout: QVBoxLayout) -> None:
        self.model: RowTableModel[AuditRow] = RowTableModel(audit_columns(), self)
        self.view, self.proxy = make_table(
            self.model, accessible_name=self.tr("Audit trail"), stretch_column=5
        )
        # Newest first is the service's order; sorting only the rows fetched so far would mislead.
        self.view.setSortingEnabled(False)
        layout.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        self.count_label = QLabel(objectName="hint")
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)
        self.more_button = QPushButton(self.tr("Show %d older rows") % PAGE_SIZE)
        self.more_button.clicked.connect(self.load_more)
        bottom.addWidget(self.more_button)
        layout.addLayout(bottom)

    # -- behaviour ----------------------------------------------------------------------------------------------

    def reload_choices(self) -> None:
        choices = filter_choices(self.ctx)
        self._fill(self.user, self.tr("Anyone"), [(name, uid) for uid, name in choices.users])
        self._fill(self.action, self.tr("Any action"), [(action_words(a), a) for a in choices.actions])
        self._fill(self.entity, self.tr("Any record"), [(e.replace("_", " "), e) for e in choices.entities])

    @staticmethod
    def _fill(combo: QComboBox, anything: str, items: list[tuple[str, object]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(anything, None)
        for text, data in items:
            combo.addItem(text, data)
        combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
        combo.blockSignals(False)

    def read_filters(self) -> AuditFilter:
        """The filter the widgets describe; raises ValueError with a message for a bad record number."""
        number = self.entity_id.text().strip()
        if number and not number.isdigit():
            raise ValueError(self.tr("A record number is digits only (for example 12)."))
        for label, field in ((self.tr("From"), self.date_from), (self.tr("To"), self.date_to)):
            if not field.is_valid():
                field.setFocus()
                raise ValueError(f"{label}: {field.problem()}")
        return AuditFilter(
            user_id=self.user.currentData(),
            action=self.action.currentData() or "",
            date_from=self.date_from.date(),
            date_to=self.date_to.date(),
            entity=self.entity.currentData() or "",
            entity_id=int(number) if number else None,
        )

    def apply_filters(self) -> None:
        try:
            self.filters = self.read_filters()
        except ValueError as error:
            self._show_filter_error(str(error))
            return
        self.refresh(record_view=True)

    def clear_filters(self) -> None:
        self.reload_choices()  # a cheap moment to pick up actions and users that are new since the page opened
        for combo in (self.user, self.action, self.entity):
            combo.setCurrentIndex(0)
        self.date_from.set_date(None)
        self.date_to.set_date(None)
        self.entity_id.clear()
        self.apply_filters()

    def refresh(self, *, record_view: bool = False) -> None:
        """The newest page for the current filters."""
        try:
            page = list_events(self.ctx, self.filters, record_view=record_view)
        except DeskError as error:
            self._show_filter_error(str(error))
            return
        self.filter_error.hide()
        self.rows = list(page.rows)
        self.has_more = page.has_more
        self.model.set_rows(self.rows)
        self._update_count()

    def load_more(self) -> None:
        if not self.rows:
            return
        page = list_events(self.ctx, self.filters, before_id=self.rows[-1].id, record_view=False)
        self.rows.extend(page.rows)
        self.has_more = page.has_more
        self.model.set_rows(self.rows)
        self._update_count()

    def _update_count(self) -> None:
        if not self.rows:
            self.count_label.setText(self.tr("No rows match these filters."))
        elif self.has_more:
            self.count_label.setText(
                self.tr("Showing the newest %d rows; there are older ones.") % len(self.rows)
            )
        else:
            self.count_label.setText(
                self.tr("Showing the only row.")
                if len(self.rows) == 1
                else self.tr("Showing all %d rows.") % len(self.rows)
            )
        self.more_button.setVisible(self.has_more)

    def _show_filter_error(self, message: str) -> None:
        self.filter_error.setText(message)
        self.filter_error.show()

    def verify_chain(self) -> None:
        """Reading every row of the trail takes seconds on a large one: off the GUI thread."""
        ctx = self.ctx
        run_operation(
            self,
            lambda: verify(ctx),
            label=self.tr("Checking the audit trail…"),
            title=self.tr("Audit trail"),
            on_done=self._verified,
            trigger=self.verify_button,
        )

    def _verified(self, report: AuditReport) -> None:
        lines = [report.message] + [
            self.tr("Row %d: %s") % (problem.event_id, problem.message)
            if problem.event_id
            else problem.message
            for problem in report.problems[:20]
        ]
        if len(report.problems) > 20:
            lines.append(self.tr("… and %d more.") % (len(report.problems) - 20))
        self.verify_label.setText("\n".join(lines))
        colour, soft = (theme.OK, theme.OK_SOFT) if report.intact else (theme.OVERDUE, theme.OVERDUE_SOFT)
        self.verify_result.setStyleSheet(
            f"QFrame#verifyResult {{ background: {soft}; border: 1px solid {colour}; border-radius: 6px; }}"
            f"QFrame#verifyResult QLabel {{ color: {colour}; font-weight: 600; }}"
        )
        self.verify_result.show()
        self.refresh()  # the check itself is a new row

    def on_changed(self, changed: Changed) -> None:
        # Any change writes audit rows; reload the newest page without recording another view. The filter
        # lists are not rebuilt here: listing distinct actions scans the whole trail (about 1 s at 200,000 rows).
        del changed
        self.refresh()
