"""Retention review: records past their retention date, records kept longer, and the records deleted.

"Keep longer…" places a hold with a reason; "Delete record…" opens the confirmation, which needs the child's
full name typed. Every change goes through services.retention, which audits it.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import numeric_date, numeric_date_time
from dsl_desk.core.retention import ordinal
from dsl_desk.services.context import AppContext
from dsl_desk.services.desk.profile import get_profile
from dsl_desk.services.errors import DeskError, ValidationError
from dsl_desk.services.records.retention import MAX_REASON, ReviewRow, list_due_for_review
from dsl_desk.services.records.retention_deletion import TombstoneRow, list_deletions
from dsl_desk.services.records.retention_holds import HoldRow, lift_hold, list_holds, place_hold
from dsl_desk.ui import theme
from dsl_desk.ui.paperwork.form_fields import buddy_label, error_label
from dsl_desk.ui.records.retention_delete import RetentionDeleteDialog
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.table_model import ROW_ROLE, Column, RowTableModel
from dsl_desk.ui.translation import translate
from dsl_desk.ui.widgets.common import hint, make_table, section_title
from dsl_desk.ui.widgets.date_entry import DateEntry


def _day(value: date) -> str:
    return numeric_date(value)


def review_columns() -> list[Column[ReviewRow]]:
    def blocked(row: ReviewRow) -> str | None:
        return theme.DUE_TODAY_SOFT if row.blockers else None

    return [
        Column(translate("retention_tab", "Name"), lambda r: r.name),
        Column(translate("retention_tab", "Born"), lambda r: _day(r.date_of_birth), sort_key=lambda r: r.date_of_birth.isoformat()),
        Column(translate("retention_tab", "Kept until"), lambda r: _day(r.keep_until), sort_key=lambda r: r.keep_until.isoformat(), tooltip=lambda r: r.due_because),
        Column(translate("retention_tab", "Would go"), lambda r: r.what_would_go),
        Column(translate("retention_tab", "What stops deletion"), lambda r: " ".join(r.blockers) or "Nothing", background=blocked, tooltip=lambda r: "\n".join(r.blockers)),
    ]  # fmt: skip


def hold_columns() -> list[Column[HoldRow]]:
    def review(row: HoldRow) -> str:
        return _day(row.review_on) if row.review_on else "–"

    def due(row: HoldRow) -> str | None:
        return theme.DUE_TODAY_SOFT if row.review_due else None

    return [
        Column(translate("retention_tab", "Name"), lambda r: r.name),
        Column(translate("retention_tab", "Born"), lambda r: _day(r.date_of_birth), sort_key=lambda r: r.date_of_birth.isoformat()),
        Column(translate("retention_tab", "Why"), lambda r: r.reason, tooltip=lambda r: r.reason),
        Column(translate("retention_tab", "Review on"), review, sort_key=lambda r: r.review_on.isoformat() if r.review_on else "", background=due),
        Column(translate("retention_tab", "Placed"), lambda r: f"{numeric_date(london(r.placed_at).date())} by {r.placed_by}", sort_key=lambda r: r.placed_at.isoformat()),
    ]  # fmt: skip


def deletion_columns() -> list[Column[TombstoneRow]]:
    return [
        Column(translate("retention_tab", "Deleted"), lambda r: numeric_date_time(r.deleted_at), sort_key=lambda r: r.deleted_at.isoformat()),
        Column(translate("retention_tab", "Record no."), lambda r: str(r.former_child_id), sort_key=lambda r: r.former_child_id),
        Column(translate("retention_tab", "Born in"), lambda r: str(r.year_of_birth)),
        Column(translate("retention_tab", "Kept until"), lambda r: _day(r.retention_until), sort_key=lambda r: r.retention_until.isoformat()),
        Column(translate("retention_tab", "What went"), lambda r: r.what_went),
        Column(translate("retention_tab", "Why"), lambda r: r.reason, tooltip=lambda r: r.reason),
        Column(translate("retention_tab", "By"), lambda r: r.deleted_by),
    ]  # fmt: skip


class RetentionTab(QWidget):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        layout = QVBoxLayout(self)
        self.intro = hint("")
        layout.addWidget(self.intro)
        self._build_review(layout)
        self._build_holds(layout)
        self._build_deletions(layout)
        self.refresh()

    # -- layout -------------------------------------------------------------------------------------------------

    def _table(
        self, model: RowTableModel, name: str, stretch: int
    ) -> tuple[QTableView, QSortFilterProxyModel]:
        view, proxy = make_table(model, accessible_name=name, stretch_column=stretch)
        view.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        return view, proxy

    def _build_review(self, layout: QVBoxLayout) -> None:
        layout.addWidget(section_title(self.tr("Past their retention date")))
        self.review_model: RowTableModel[ReviewRow] = RowTableModel(review_columns(), self)
        self.review_view, self.review_proxy = self._table(
            self.review_model, self.tr("Records past their retention date"), 4
        )
        layout.addWidget(self.review_view, 2)
        self.review_empty = hint(self.tr("No record is past its retention date."))
        layout.addWidget(self.review_empty)
        row = QHBoxLayout()
        self.keep_button = QPushButton(self.tr("&Keep longer…"))
        self.keep_button.clicked.connect(self.keep_longer)
        self.delete_button = QPushButton(self.tr("&Delete record…"))
        self.delete_button.clicked.connect(self.delete_selected)
        row.addWidget(self.keep_button)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.result_label = QLabel(objectName="hint", wordWrap=True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.setAccessibleName(self.tr("Result"))
        self.result_label.hide()
        layout.addWidget(self.result_label)

    def _build_holds(self, layout: QVBoxLayout) -> None:
        layout.addWidget(section_title(self.tr("Kept longer")))
        self.holds_model: RowTableModel[HoldRow] = RowTableModel(hold_columns(), self)
        self.holds_view, self.holds_proxy = self._table(self.holds_model, self.tr("Records kept longer"), 2)
        layout.addWidget(self.holds_view, 1)
        self.holds_empty = hint(self.tr("No record is being kept longer."))
        layout.addWidget(self.holds_empty)
        row = QHBoxLayout()
        self.lift_button = QPushButton(self.tr("&Lift the hold"))
        self.lift_button.clicked.connect(self.lift_selected)
        row.addWidget(self.lift_button)
        row.addStretch(1)
        layout.addLayout(row)

    def _build_deletions(self, layout: QVBoxLayout) -> None:
        layout.addWidget(section_title(self.tr("Records deleted")))
        self.deletions_model: RowTableModel[TombstoneRow] = RowTableModel(deletion_columns(), self)
        self.deletions_view, _ = self._table(
            self.deletions_model, self.tr("Records deleted at the end of retention"), 5
        )
        layout.addWidget(self.deletions_view, 1)
        self.deletions_empty = hint(self.tr("No record has been deleted."))
        layout.addWidget(self.deletions_empty)

    # -- reading ------------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        years = get_profile(self.ctx).retention_years_after_birth
        self.intro.setText(
            self.tr(
                "Records are kept to the child's %s birthday, then reviewed here (Settings changes the age). "
                "Keep one longer if there is a reason to (an inquiry's instruction not to destroy, a claim); "
                "delete it when nothing is open on it. A deletion cannot be undone."
            )
            % ordinal(years)
        )
        for model, view, empty, rows in (
            (self.review_model, self.review_view, self.review_empty, list_due_for_review(self.ctx)),
            (self.holds_model, self.holds_view, self.holds_empty, list_holds(self.ctx)),
            (self.deletions_model, self.deletions_view, self.deletions_empty, list_deletions(self.ctx)),
        ):
            model.set_rows(rows)
            view.setVisible(bool(rows))
            empty.setVisible(not rows)
        self._enable()

    def on_changed(self, changed: Changed) -> None:
        if changed.records or changed.children or changed.settings or changed.escalations:
            self.refresh()

    def selected_review(self) -> ReviewRow | None:
        index = self.review_view.currentIndex()
        return self.review_proxy.data(index, ROW_ROLE) if index.isValid() else None

    def selected_hold(self) -> HoldRow | None:
        index = self.holds_view.currentIndex()
        return self.holds_proxy.data(index, ROW_ROLE) if index.isValid() else None

    def select_child(self, child_id: int) -> bool:
        """Select a record in the review list (the dashboard and tests open it by id)."""
        for row in range(self.review_proxy.rowCount()):
            index = self.review_proxy.index(row, 0)
            if self.review_proxy.data(index, ROW_ROLE).child_id == child_id:
                self.review_view.setCurrentIndex(index)
                return True
        return False

    def _enable(self) -> None:
        review = self.selected_review()
        self.keep_button.setEnabled(review is not None and not review.on_hold)
        self.delete_button.setEnabled(review is not None and review.can_delete)
        self.delete_button.setToolTip(" ".join(review.blockers) if review and review.blockers else "")
        self.lift_button.setEnabled(self.selected_hold() is not None)

    # -- changing -----------------------------------------------------------------------------------------------

    def keep_longer(self) -> None:
        review = self.selected_review()
        if review is None:
            return
        dialog = KeepLongerDialog(self.ctx, review, self)
        if dialog.exec() and dialog.placed is not None:
            self._done(self.tr("%s's record is kept longer.") % review.name)

    def delete_selected(self) -> None:
        review = self.selected_review()
        if review is None:
            return
        try:
            dialog = RetentionDeleteDialog(self.ctx, review.child_id, self)
        except DeskError as error:  # e.g. deleted meanwhile from the command line
            self.refresh()
            self._show_result(str(error), ok=False)
            return
        if dialog.exec() and dialog.result is not None:
            self._done(dialog.result.message, children=True, escalations=True, log=True)

    def lift_selected(self) -> None:
        hold = self.selected_hold()
        if hold is None:
            return
        try:
            lift_hold(self.ctx, hold.child_id)
        except DeskError as error:
            self._show_result(str(error), ok=False)
            return
        self._done(self.tr("The hold on %s's record is lifted.") % hold.name)

    def _done(self, message: str, **changed: bool) -> None:
        self.refresh()
        self._show_result(message, ok=True)
        self.signals.changed.emit(Changed(records=True, **changed))

    def _show_result(self, message: str, *, ok: bool) -> None:
        self.result_label.setObjectName("hint" if ok else "error")
        self.result_label.setText(message)
        self.result_label.show()
        self.result_label.style().unpolish(self.result_label)
        self.result_label.style().polish(self.result_label)


class KeepLongerDialog(QDialog):
    """Place a hold: why, and (if known) when to look at the record again. `placed` holds the HoldRow."""

    def __init__(self, ctx: AppContext, review: ReviewRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.review = review
        self.placed: HoldRow | None = None
        self.setWindowTitle(self.tr("Keep %s's record longer") % review.name)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        layout = QVBoxLayout(self)
        layout.addWidget(
            hint(
                self.tr(
                    "The record stays off the review list until the review date, and cannot be deleted until "
                    "the hold is lifted."
                )
            )
        )
        form = QFormLayout()
        self.reason_edit = QLineEdit()
        self.reason_edit.setMaxLength(MAX_REASON)
        self.reason_edit.setAccessibleName(self.tr("Why the record is kept longer"))
        self.reason_edit.setPlaceholderText(self.tr("For example: inquiry asked that such records are kept"))
        form.addRow(buddy_label(self.tr("&Why:"), self.reason_edit), self.reason_edit)
        self.review_check = QCheckBox(self.tr("&Review on"))
        today = london(ctx.clock.now()).date()
        self.review_date = DateEntry(
            accessible_name=self.tr("Date to review the hold"),
            value=date(today.year + 1, today.month, min(today.day, 28)),
            required=True,
            today=today,
        )
        self.review_date.setEnabled(False)
        self.review_check.toggled.connect(self.review_date.setEnabled)
        form.addRow(self.review_check, self.review_date)
        layout.addLayout(form)
        self.message = error_label(self.tr("Hold problem"))
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Keep longer"))
        self.ok_button.setProperty("primary", True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        try:
            review_on = self.review_date.checked_date("review_on") if self.review_check.isChecked() else None
            self.placed = place_hold(self.ctx, self.review.child_id, self.reason_edit.text(), review_on)
        except DeskError as error:
            self.message.setText(str(error))
            self.message.show()
            self.adjustSize()  # grow to show the wrapped message
            field = error.field if isinstance(error, ValidationError) else ""
            (self.review_date if field == "review_on" else self.reason_edit).setFocus()
            return
        self.accept()
