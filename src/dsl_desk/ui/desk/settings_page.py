"""Settings: the organisation and working day, accounts and passphrases, my signature, closure days, and the
installed escalation policies. Every change goes through one service call and is audited there."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QTime
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core import dates_in_words, retention
from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import clock_time
from dsl_desk.services.context import AppContext
from dsl_desk.services.desk.closures import ClosureRow, add_closure, list_closure_days, remove_closure_day
from dsl_desk.services.desk.policies import load_policies
from dsl_desk.services.desk.profile import (
    ProfileView,
    get_profile,
    update_retention_years,
    update_working_hours,
)
from dsl_desk.services.desk.setup import KdfParams
from dsl_desk.services.desk.users import (
    UserRow,
    list_users,
    signature_of,
)
from dsl_desk.services.errors import DeskError
from dsl_desk.ui.desk.settings_dialogs import (
    AddDeputyDialog,
    ChangePassphraseDialog,
    SignatureDialog,
    set_message,
)
from dsl_desk.ui.desk.setup_pages import NATIONS, time_edit, translated
from dsl_desk.ui.paperwork.form_fields import (
    buddy_label,
    error_label,
)
from dsl_desk.ui.records.backup_settings_card import BackupSettingsCard
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.table_model import Column, RowTableModel
from dsl_desk.ui.widgets.common import hint, make_table, page_title, section_title
from dsl_desk.ui.widgets.date_entry import DateEntry

NATION_NAMES = dict(NATIONS)


def long_date(day: date) -> str:
    return dates_in_words.long_date(day)


def fit_table_height(view: QTableView, rows: int, *, most: int = 8) -> None:
    """As tall as its rows (up to `most`, then it scrolls): no empty grey box under two accounts."""
    shown = max(1, min(rows, most))
    row_height = view.verticalHeader().defaultSectionSize()
    frame = view.frameWidth() * 2
    view.setFixedHeight(view.horizontalHeader().sizeHint().height() + shown * row_height + frame)


class SettingsPage(QWidget):
    def __init__(
        self,
        ctx: AppContext,
        signals: AppSignals,
        parent: QWidget | None = None,
        *,
        kdf: KdfParams | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self.kdf = kdf  # tests pass a cheap one; the app uses the default cost
        self._build()
        self.refresh()

    # -- layout -------------------------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(14)
        layout.addWidget(page_title(self.tr("Settings")))
        self.columns = columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        columns.setSpacing(14)
        left = QVBoxLayout()
        left.setSpacing(14)
        left.addWidget(self._build_organisation())
        left.addWidget(self._build_signature())
        left.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(14)
        right.addWidget(self._build_accounts())
        right.addWidget(self._build_closures())
        self.backups = BackupSettingsCard(self.ctx, self.signals)
        right.addWidget(self.backups)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout.addLayout(columns)
        layout.addWidget(self._build_policies())
        layout.addStretch(1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Two columns on a wide window; one on a laptop at 125–150% scaling, where two would be cramped.
        wide = self.width() >= self.fontMetrics().averageCharWidth() * 118
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.columns.direction() != direction:
            self.columns.setDirection(direction)
        super().resizeEvent(event)

    @staticmethod
    def _card(title: QLabel) -> tuple[QFrame, QVBoxLayout]:
        frame = QFrame(objectName="card")
        box = QVBoxLayout(frame)
        box.setContentsMargins(16, 12, 16, 14)
        box.setSpacing(8)
        box.addWidget(title)
        return frame, box

    def _build_organisation(self) -> QFrame:
        frame, box = self._card(section_title(self.tr("Organisation and working day")))
        # One grid for facts and settings alike, so every caption lines up in one column.
        self.profile_grid = QGridLayout()
        self.profile_grid.setHorizontalSpacing(14)
        self.profile_grid.setVerticalSpacing(8)
        self.profile_grid.setColumnStretch(1, 1)
        self.profile_labels: dict[str, QLabel] = {}
        for key, title in (
            ("name", self.tr("Name")),
            ("agency", self.tr("Type")),
            ("partnership", self.tr("Partnership")),
            ("nation", self.tr("Bank holidays")),
            ("hours", self.tr("Working day")),
        ):
            value = QLabel(wordWrap=True)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(title)
            self._grid_row(QLabel(title, objectName="hint"), value)
            self.profile_labels[key] = value
        self._build_working_hours()
        self._build_retention()
        box.addLayout(self.profile_grid)
        return frame

    def _grid_row(self, caption: QLabel | None, field: QWidget) -> None:
        row = self.profile_grid.rowCount()
        if caption is not None:
            self.profile_grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignVCenter)
        self.profile_grid.addWidget(field, row, 1)

    def _build_working_hours(self) -> None:
        self.cutoff_edit = time_edit(self.tr("Daily cut-off for deadlines"), QTime(17, 0))
        self._grid_row(buddy_label(self.tr("Daily &cut-off"), self.cutoff_edit), self._left(self.cutoff_edit))
        self.idle_spin = QSpinBox()
        self.idle_spin.setRange(1, 120)
        self.idle_spin.setSuffix(self.tr(" minutes"))
        self.idle_spin.setAccessibleName(self.tr("Lock after minutes without use"))
        self._grid_row(buddy_label(self.tr("&Lock after"), self.idle_spin), self._left(self.idle_spin))
        self.hours_button = QPushButton(self.tr("Save &working day"))
        self.hours_button.clicked.connect(self.save_working_hours)
        self._grid_row(None, self._left(self.hours_button))
        self.hours_message = error_label(self.tr("Working day result"))
        self._grid_row(None, self.hours_message)
        self._grid_row(
            None,
            hint(
                self.tr(
                    "Deadlines already set keep their time; new ones use the new cut-off. "
                    "The new lock time applies at once."
                )
            ),
        )

    def _build_retention(self) -> None:
        self.retention_spin = QSpinBox()
        self.retention_spin.setRange(retention.FEWEST_YEARS_AFTER_BIRTH, retention.MOST_YEARS_AFTER_BIRTH)
        self.retention_spin.setPrefix(self.tr("to age "))
        self.retention_spin.setAccessibleName(self.tr("Keep children's records to this birthday"))
        self._grid_row(
            buddy_label(self.tr("&Keep records"), self.retention_spin), self._left(self.retention_spin)
        )
        self.retention_button = QPushButton(self.tr("Save re&tention period"))
        self.retention_button.clicked.connect(self.save_retention)
        self._grid_row(None, self._left(self.retention_button))
        self.retention_message = error_label(self.tr("Retention period result"))
        self._grid_row(None, self.retention_message)
        self._grid_row(
            None,
            hint(
                self.tr(
                    "Child protection files are kept until the child's 25th birthday, then reviewed "
                    "(IRMS Information Management Toolkit for Schools). Keep them longer if your policy says "
                    "so. Records past this age are listed under Transfers & requests › Retention review."
                )
            ),
        )

    @staticmethod
    def _left(widget: QWidget) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(widget)
        row.addStretch(1)
        return box

    def _build_accounts(self) -> QFrame:
        frame, box = self._card(section_title(self.tr("Accounts")))
        box.addWidget(
            hint(
                self.tr(
                    "Everyone here opens the same records with their own passphrase; each entry records who made it."
                )
            )
        )
        self.users_model: RowTableModel[UserRow] = RowTableModel(
            [
                Column(self.tr("Name (user name)"), lambda u: f"{u.display_name} ({u.username})"),
                Column(self.tr("Role"), lambda u: u.role, tooltip=lambda u: u.role),
                Column(self.tr("Signature"), lambda u: self.tr("Yes") if u.has_signature else self.tr("No")),
            ],
            self,
        )
        self.users_view, _ = make_table(
            self.users_model, accessible_name=self.tr("Accounts"), stretch_column=1
        )
        self.users_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        box.addWidget(self.users_view)
        row = QHBoxLayout()
        self.add_deputy_button = QPushButton(self.tr("Add &deputy DSL…"))
        self.add_deputy_button.clicked.connect(self.add_deputy)
        row.addWidget(self.add_deputy_button)
        self.passphrase_button = QPushButton(self.tr("Change my &passphrase…"))
        self.passphrase_button.clicked.connect(self.change_passphrase)
        row.addWidget(self.passphrase_button)
        row.addStretch(1)
        box.addLayout(row)
        self.accounts_message = error_label(self.tr("Accounts result"))
        box.addWidget(self.accounts_message)
        return frame

    def _build_signature(self) -> QFrame:
        frame, box = self._card(section_title(self.tr("My signature")))
        box.addWidget(hint(self.tr("Added to the forms you sign. Only you can change your own signature.")))
        self.signature_view = QLabel()
        self.signature_view.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.signature_view.setMinimumHeight(self.fontMetrics().height() * 5)
        self.signature_view.setStyleSheet("background: white; border: 1px solid #d9dee5; border-radius: 4px;")
        self.signature_view.setAccessibleName(self.tr("My current signature"))
        box.addWidget(self.signature_view)
        row = QHBoxLayout()
        self.signature_button = QPushButton(self.tr("Draw a &new signature…"))
        self.signature_button.clicked.connect(self.redraw_signature)
        row.addWidget(self.signature_button)
        row.addStretch(1)
        box.addLayout(row)
        self.signature_message = error_label(self.tr("Signature result"))
        box.addWidget(self.signature_message)
        return frame

    def _build_closures(self) -> QFrame:
        frame, box = self._card(section_title(self.tr("Closure days")))
        box.addWidget(
            hint(
                self.tr(
                    "INSET days, snow days and holidays when you are closed. They move only what the school "
                    "does inside its own agency (such as consulting your own manager): never another agency's "
                    "response, a policy's maximum, or anything for a child at immediate risk. Enter a holiday "
                    "as one closure, from its first day to its last."
                )
            )
        )
        self.closures_model: RowTableModel[ClosureRow] = RowTableModel(
            [
                Column(self.tr("Day"), _closure_words, sort_key=lambda c: c.day.isoformat()),
                Column(self.tr("Reason"), lambda c: c.reason),
                Column(self.tr("Added by"), lambda c: c.added_by),
            ],
            self,
        )
        self.closures_view, _ = make_table(
            self.closures_model, accessible_name=self.tr("Closure days"), stretch_column=1
        )
        self.closures_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        box.addWidget(self.closures_view)
        self.closures_empty = hint(self.tr("No closure days yet."))
        box.addWidget(self.closures_empty)
        box.addLayout(self._build_closure_row())
        self.remove_closure_button = QPushButton(self.tr("Remove the selected closure"))
        self.remove_closure_button.clicked.connect(self.remove_closure)
        box.addWidget(self.remove_closure_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.closure_message = error_label(self.tr("Closure day result"))
        box.addWidget(self.closure_message)
        return frame

    def _build_closure_row(self) -> QGridLayout:
        # Two rows (day, then reason and button) so the reason box stays usable in a narrow column.
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        today = london(self.ctx.clock.now()).date()
        # Typed as a UK user types a date; the day is read back in words beside it to catch a wrong date.
        self.closure_date = DateEntry(accessible_name=self.tr("Closure day date"), required=True, today=today)
        self.closure_last = DateEntry(
            accessible_name=self.tr("Last day of the closure (for a holiday)"), today=today
        )
        grid.addWidget(buddy_label(self.tr("D&ay (first day)"), self.closure_date.edit), 0, 0)
        grid.addWidget(self.closure_date, 0, 1, 1, 2)
        grid.addWidget(buddy_label(self.tr("Last day, for a hol&iday"), self.closure_last.edit), 2, 0)
        grid.addWidget(self.closure_last, 2, 1, 1, 2)
        self.closure_reason = QLineEdit()
        self.closure_reason.setAccessibleName(self.tr("Closure day reason"))
        self.closure_reason.setPlaceholderText(self.tr("For example, INSET day"))
        self.closure_reason.setMaxLength(200)
        self.closure_reason.returnPressed.connect(self.add_closure)
        grid.addWidget(buddy_label(self.tr("&Reason"), self.closure_reason), 3, 0)
        grid.addWidget(self.closure_reason, 3, 1)
        self.closure_button = QPushButton(self.tr("Add closure da&y"))
        self.closure_button.clicked.connect(self.add_closure)
        grid.addWidget(self.closure_button, 3, 2)
        grid.setColumnStretch(1, 1)
        return grid

    def _build_policies(self) -> QFrame:
        frame, box = self._card(section_title(self.tr("Escalation policies")))
        self.policies_label = QLabel(wordWrap=True)
        self.policies_label.setTextFormat(Qt.TextFormat.PlainText)
        self.policies_label.setAccessibleName(self.tr("Installed policies"))
        self.policies_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.policies_label)
        self.policy_errors = error_label(self.tr("Policy files with problems"))
        self.policy_errors.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.policy_errors)
        self.policies_hint = hint("")
        self.policies_hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.policies_hint)
        return frame

    # -- reading ------------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        profile = get_profile(self.ctx)
        self._show_profile(profile)
        users = list_users(self.ctx)
        self.users_model.set_rows(users)
        fit_table_height(self.users_view, len(users))
        closures = list_closure_days(self.ctx)
        self.closures_model.set_rows(closures)
        fit_table_height(self.closures_view, len(closures), most=10)
        self.closures_view.setVisible(bool(closures))
        self.closures_empty.setVisible(not closures)
        self._show_signature(signature_of(self.ctx))
        self._show_policies(profile.partnership_id)

    def on_changed(self, changed: Changed) -> None:
        if changed.settings:
            self.refresh()

    def _show_profile(self, profile: ProfileView) -> None:
        pack = self.ctx.packs.get(profile.partnership_id)
        labels = self.profile_labels
        labels["name"].setText(profile.name)
        labels["agency"].setText(profile.agency_type)
        labels["partnership"].setText(pack.name if pack else profile.partnership_id)
        labels["nation"].setText(translated(NATION_NAMES.get(profile.nation, profile.nation)))
        labels["hours"].setText(
            f"{clock_time(profile.working_day_start)}–{clock_time(profile.working_day_end)}"
        )
        self.cutoff_edit.setTime(QTime(profile.cutoff.hour, profile.cutoff.minute))
        self.idle_spin.setValue(profile.idle_lock_minutes)
        self.retention_spin.setValue(profile.retention_years_after_birth)

    def _show_signature(self, png: bytes | None) -> None:
        pixmap = QPixmap()
        if png and pixmap.loadFromData(png, "PNG"):
            height = self.signature_view.minimumHeight() - 12
            self.signature_view.setPixmap(
                pixmap.scaledToHeight(
                    min(height, pixmap.height()), Qt.TransformationMode.SmoothTransformation
                )
            )
        else:
            self.signature_view.setPixmap(QPixmap())
            self.signature_view.setText(
                self.tr("  No signature yet. Forms will show a line to sign by hand.")
            )

    def _show_policies(self, current: str) -> None:
        result = load_policies(self.ctx.paths)
        lines = []
        for pack in sorted(result.packs.values(), key=lambda p: p.name):
            mark = self.tr(" (yours)") if pack.id == current else ""
            lines.append(f"• {pack.name}{mark} — {pack.document.title}, {pack.document.dates}")
        self.policies_label.setText("\n".join(lines) or self.tr("No policies are installed."))
        if result.errors:
            text = self.tr("These policy files have problems and were skipped:") + "\n"
            set_message(self.policy_errors, text + "\n".join(f"• {error}" for error in result.errors))
        else:
            set_message(self.policy_errors, "")
        self.policies_hint.setText(
            self.tr("To add your partnership’s policy, put its .toml file in %s and restart DSL Desk.")
            % self.ctx.paths.policies
        )

    # -- changing -----------------------------------------------------------------------------------------------

    def save_working_hours(self) -> None:
        try:
            update_working_hours(
                self.ctx, cutoff=self.cutoff_edit.time().toPython(), idle_lock_minutes=self.idle_spin.value()
            )
        except DeskError as error:
            set_message(self.hours_message, str(error))
            return
        set_message(self.hours_message, self.tr("Saved."), ok=True)
        self._changed(escalations=True)

    def save_retention(self) -> None:
        try:
            update_retention_years(self.ctx, self.retention_spin.value())
        except DeskError as error:
            set_message(self.retention_message, str(error))
            return
        set_message(self.retention_message, self.tr("Saved."), ok=True)
        self.refresh()
        self.signals.changed.emit(Changed(settings=True, records=True))  # the retention review list changes

    def add_closure(self) -> None:
        try:
            day = self.closure_date.checked_date("day")
            last = self.closure_last.checked_date("last_day")
            assert day is not None  # required
            moved = add_closure(self.ctx, day, self.closure_reason.text(), last_day=last)
        except DeskError as error:
            set_message(self.closure_message, str(error))
            return
        self.closure_reason.clear()
        self.closure_last.set_date(None)
        what = (
            self.tr("%s to %s is now a closure.") % (long_date(day), long_date(last))
            if last and last != day
            else self.tr("%s is now a closure day.") % long_date(day)
        )
        if moved:
            what += " " + self.tr("%d open deadline(s) inside the school moved with it.") % moved
        set_message(self.closure_message, what, ok=True)
        self._changed(escalations=True)

    def remove_closure(self) -> None:
        rows = (
            self.closures_view.selectionModel().selectedRows() if self.closures_view.selectionModel() else []
        )
        if not rows:
            set_message(self.closure_message, self.tr("Choose the closure to remove in the list first."))
            return
        row = (
            self.closures_model.row_at(self.closures_view.model().mapToSource(rows[0]).row())
            if hasattr(self.closures_view.model(), "mapToSource")
            else self.closures_model.row_at(rows[0].row())
        )
        try:
            remove_closure_day(self.ctx, row.day)
        except DeskError as error:
            set_message(self.closure_message, str(error))
            return
        set_message(
            self.closure_message, self.tr("%s is a working day again.") % _closure_words(row), ok=True
        )
        self._changed(escalations=True)

    def add_deputy(self) -> None:
        dialog = AddDeputyDialog(self.ctx, self, kdf=self.kdf)
        if dialog.exec() and dialog.added is not None:
            set_message(
                self.accounts_message,
                self.tr("%s can now unlock DSL Desk.") % dialog.added.display_name,
                ok=True,
            )
            self._changed()

    def change_passphrase(self) -> None:
        dialog = ChangePassphraseDialog(self.ctx, self, kdf=self.kdf)
        if dialog.exec() and dialog.changed:
            set_message(self.accounts_message, self.tr("Your passphrase has been changed."), ok=True)

    def redraw_signature(self) -> None:
        dialog = SignatureDialog(self.ctx, self)
        if dialog.exec() and dialog.saved:
            set_message(self.signature_message, self.tr("Your new signature is saved."), ok=True)
            self._changed()

    def _changed(self, *, escalations: bool = False) -> None:
        # Refresh here too: the page works without a main window (tests, and before the hub is wired).
        self.refresh()
        self.signals.changed.emit(Changed(settings=True, escalations=escalations))


def _closure_words(row: ClosureRow) -> str:
    if row.last_day and row.last_day != row.day:
        return f"{long_date(row.day)} to {long_date(row.last_day)}"
    return long_date(row.day)
