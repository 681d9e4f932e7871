"""The main window: a navigation rail, the pages, a toolbar of frequent actions, and a status bar saying
who is signed in, whether the desk is locked and which data file is open."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QStyle,
    QSystemTrayIcon,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from dsl_desk import APP_NAME
from dsl_desk.core.clock import Clock, london
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services.context import AppContext
from dsl_desk.services.desk.data_folder import DataPaths
from dsl_desk.services.desk.profile import get_profile
from dsl_desk.services.desk.setup import lock as lock_session
from dsl_desk.services.desk.window_state import load_window_state
from dsl_desk.services.errors import DatabaseCorrupt
from dsl_desk.services.scratch import empty_scratch, left_behind_words
from dsl_desk.ui.desk.unlock import UnlockPanel
from dsl_desk.ui.desk.window_drafts import DraftsMixin
from dsl_desk.ui.desk.window_menus import MenusMixin
from dsl_desk.ui.desk.window_place import WindowPlaceMixin
from dsl_desk.ui.idle_guard import IdleGuard
from dsl_desk.ui.operations import exclusive_running, run_operation, wait_for_background_work
from dsl_desk.ui.signals import AppSignals, Changed

PageFactory = Callable[[AppContext, AppSignals], QWidget]


WARM_UP_AFTER_MS = 1500


class MainWindow(MenusMixin, WindowPlaceMixin, DraftsMixin, QMainWindow):
    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        ctx: AppContext,
        paths: DataPaths,
        clock: Clock,
        packs: Mapping[str, PolicyPack],
    ) -> None:
        super().__init__()
        self.ctx: AppContext | None = ctx
        self.paths = paths
        self.clock = clock
        self.packs = packs
        # Geometry and splitter sizes, from window-state.json in the data folder (services/desk/window_state.py).
        self.window_state = load_window_state(paths)
        self.signals = AppSignals(self)
        self.pages: dict[str, QWidget] = {}
        self._offering_restore = False
        self._closing = False
        self._last_day = london(clock.now()).date()
        self._notified: set[int] = set()
        self.setWindowTitle(APP_NAME)
        # 1280x800 at 150 % scaling leaves 853x533 logical pixels: the window must fit in that.
        self.setMinimumSize(760, 500)
        self._build_chrome()
        self._wire_signals()
        self.idle_guard = IdleGuard(clock, get_profile(ctx).idle_lock_minutes, self)
        self.idle_guard.idle.connect(self.lock)
        QApplication.instance().installEventFilter(self.idle_guard)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(60_000)
        self.refresh_timer.timeout.connect(self.tick)
        self.refresh_timer.start()
        self._show_desk(ctx)
        self._restore_geometry()

    # -- chrome -------------------------------------------------------------------------------------------------

    def _build_chrome(self) -> None:
        self._build_toolbar()
        self._build_rail()
        self._build_body()
        self._build_status_bar()
        self._build_menus()

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar(self.tr("Actions"))
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self.actions_by_name: dict[str, QAction] = {}
        self._add_action("new_escalation", self.tr("New escalation"), "Ctrl+N", self.new_escalation)
        self._add_action("log_discussion", self.tr("Log a discussion"), "Ctrl+L", self.log_discussion)
        self._add_action("refresh", self.tr("Refresh"), QKeySequence.StandardKey.Refresh, self.refresh_all)
        spacer = QWidget()
        spacer.setSizePolicy(
            spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy()
        )
        self.toolbar.addWidget(spacer)
        self._add_action("lock", self.tr("Lock now"), "Ctrl+Shift+L", self.lock)

    def _build_rail(self) -> None:
        from dsl_desk.ui.navigation import NAVIGATION

        self.rail = QListWidget(objectName="navigationRail")
        self.rail.setAccessibleName(self.tr("Navigation"))
        self.rail.setFixedWidth(210)  # "Transfers & requests" whole at 11 pt
        self.rail.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # titles fit; no bar
        self.page_keys: list[str] = []
        self.go_actions: list[QAction] = []
        for number, (key, title, _factory) in enumerate(NAVIGATION, start=1):
            self.rail.addItem(title)
            self.page_keys.append(key)
            action = QAction(
                title.replace("&", "&&"), self
            )  # "Transfers & requests", not "Transfers _requests"
            action.setShortcut(QKeySequence(f"Ctrl+{number % 10}"))  # the tenth page is Ctrl+0
            action.triggered.connect(lambda _checked=False, row=number - 1: self.rail.setCurrentRow(row))
            self.addAction(action)
            self.go_actions.append(action)
            self.actions_by_name[f"go_{key}"] = action  # disabled with the rest while locked
        self.stack = QStackedWidget()
        self.rail.currentRowChanged.connect(self._select_row)

    def _build_body(self) -> None:
        self.demo_banner = QFrame(objectName="demoBanner")
        banner_layout = QHBoxLayout(self.demo_banner)
        banner_layout.addWidget(
            QLabel(self.tr("DEMO DATA — every child, family and professional here is fictional."))
        )
        self.alert_banner = QFrame(objectName="alertBanner")
        alert_layout = QHBoxLayout(self.alert_banner)
        self.alert_label = QLabel(wordWrap=True)
        alert_layout.addWidget(self.alert_label)
        self._build_draft_banner()
        # A full disk or a read-only data folder: the desk is open read-only and says why (Store.read_only).
        self.read_only_banner = QFrame(objectName="alertBanner")
        self.read_only_label = QLabel(wordWrap=True)
        QHBoxLayout(self.read_only_banner).addWidget(self.read_only_label)
        self.read_only_banner.hide()

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.setSpacing(0)
        body_layout.addWidget(self.demo_banner)
        body_layout.addWidget(self.read_only_banner)
        body_layout.addWidget(self.alert_banner)
        body_layout.addWidget(self.draft_banner)
        body_layout.addWidget(self.stack, 1)
        self.desk = QWidget()
        desk_layout = QHBoxLayout(self.desk)
        desk_layout.setContentsMargins(0, 0, 0, 0)
        desk_layout.setSpacing(0)
        desk_layout.addWidget(self.rail)
        desk_layout.addWidget(body, 1)

        self.unlock_panel = UnlockPanel(self.paths, self.clock, self.packs)
        self.unlock_panel.unlocked.connect(self._show_desk)
        self.outer = QStackedWidget()
        self.outer.addWidget(self.desk)
        self.outer.addWidget(self.unlock_panel)
        self.setCentralWidget(self.outer)

    def _build_status_bar(self) -> None:
        self.user_label = QLabel()
        self.lock_label = QLabel()
        self.file_label = QLabel(str(self.paths.database))
        self.file_label.setObjectName("hint")
        self.statusBar().addWidget(self.user_label)
        self.statusBar().addWidget(self.lock_label)
        self.statusBar().addPermanentWidget(self.file_label)

        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(
                self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning), self
            )
            self.tray.setToolTip(APP_NAME)
            self.tray.show()

    def _add_action(
        self, name: str, text: str, shortcut: str | QKeySequence.StandardKey, slot: Callable[[], None]
    ) -> None:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(
            f"{text} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
        )
        action.triggered.connect(slot)
        self.toolbar.addAction(action)
        self.actions_by_name[name] = action

    def _wire_signals(self) -> None:
        """Every app-wide signal is connected here, in one place."""
        self.signals.changed.connect(self._on_changed)
        self.signals.open_escalation.connect(self.show_escalation)
        self.signals.open_child.connect(self.show_child)
        self.signals.open_forms.connect(self.show_forms)
        self.signals.open_records.connect(self.show_records)
        self.signals.lock_requested.connect(self.lock)

    # -- locking ------------------------------------------------------------------------------------------------

    def _show_desk(self, ctx: AppContext) -> None:
        self.ctx = ctx
        profile = get_profile(ctx)
        self.idle_guard.limit = timedelta(minutes=profile.idle_lock_minutes)
        self.idle_guard.reset()
        # One empty slot per page; a page is built the first time it is shown, so unlocking costs only the
        # dashboard (building all eight pages took seconds on ten years of data).
        for _key in self.page_keys:
            self.stack.addWidget(QWidget())
        self.rail.setCurrentRow(-1)
        self.rail.setCurrentRow(0)
        self.demo_banner.setVisible(profile.is_demo)
        self.user_label.setText(self.tr("Signed in: %s (%s)") % (ctx.actor.display_name, ctx.actor.role))
        self.lock_label.setText(self.tr("Unlocked"))
        for action in self.actions_by_name.values():
            action.setEnabled(True)
        read_only = ctx.read_only
        self.read_only_label.setText(read_only)
        self.read_only_banner.setVisible(bool(read_only))
        for name in ("new_escalation", "log_discussion"):  # other changes are refused with the same message
            self.actions_by_name[name].setEnabled(not read_only)
        self.outer.setCurrentWidget(self.desk)
        self.setWindowTitle(f"{APP_NAME} — {profile.name}")
        try:
            self._update_alerts(notify=True)
            self._offer_drafts()
        except DatabaseCorrupt as error:
            self._database_damaged(str(error))
        self._start_background_checks(ctx)
        # A moment after the desk shows: ReportLab, pyHanko and the signing key, so the session's first
        # document does not wait for them (not at once: the window and its first paint come first).
        warm = QTimer(self, singleShot=True)  # a child: never fires for a window already gone
        warm.timeout.connect(lambda: (self._warm_up_documents(ctx), warm.deleteLater()))
        warm.start(WARM_UP_AFTER_MS)
        self.unlocked.emit()

    def _warm_up_documents(self, ctx: AppContext) -> None:
        if self.ctx is not ctx:
            return  # locked meanwhile

        def work() -> None:
            from dsl_desk.services.paperwork.exports import warm_up

            warm_up(ctx)

        # Warming only: a failure here is met again, and shown, when a document is made.
        run_operation(
            self,
            work,
            label=self.tr("Getting documents ready…"),
            on_done=lambda _result: None,
            on_error=lambda _error: None,
            progress=False,
        )

    def _start_background_checks(self, ctx: AppContext) -> None:
        """The start-up integrity check and the first backup of the day, without freezing the window."""
        from dsl_desk.services.records.backups import backup_if_due
        from dsl_desk.services.records.restore import integrity_check

        def work() -> tuple[object, object]:
            report = integrity_check(ctx)
            return report, (backup_if_due(ctx) if report.ok else None)

        run_operation(
            self,
            work,
            label=self.tr("Checking the database…"),
            on_done=self._background_checks_done,
            on_error=self._background_checks_failed,
        )

    def _background_checks_done(self, result: tuple[object, object]) -> None:
        report, _outcome = result
        if self.ctx is None:
            return
        if not report.ok:  # type: ignore[attr-defined]
            self._database_damaged(report.message)  # type: ignore[attr-defined]
        self._refresh_backup_warning()

    def _database_damaged(self, message: str) -> None:
        """A damaged database found by the start-up check or by any page reading it: say so once, after the
        window is up, and offer the newest good backup (the Restore wizard backs up the damaged file first)."""
        if self._offering_restore:
            return
        self._offering_restore = True
        QTimer.singleShot(0, lambda: self._offer_restore(message))

    def _offer_restore(self, message: str) -> None:
        """A damaged file cannot even record who looked at a backup, so the desk locks (dropping the key and
        every page) and unlocking restores the chosen backup, as when the file will not open at all."""
        try:
            if self.ctx is None:
                return
            self.lock()
            self.unlock_panel.expect_damage(message)
        finally:
            self._offering_restore = False

    def _background_checks_failed(self, error: Exception) -> None:
        if self.ctx is None:
            return  # locked meanwhile: the check runs again at the next unlock
        self.statusBar().showMessage(self.tr("Start-up check or backup did not finish: %s") % error, 15_000)
        self._refresh_backup_warning()

    def _refresh_backup_warning(self) -> None:
        dashboard = self.pages.get("dashboard")
        warning = getattr(dashboard, "backup_warning", None)
        if warning is not None:
            warning.refresh()

    def lock(self) -> None:
        """Drop the key and every page holding children's data; show the unlock screen."""
        if self.ctx is None:
            return
        if exclusive_running():  # a restore swapping the database under its modal dialog: lock right after
            QTimer.singleShot(500, self.lock)
            return
        wait_for_background_work()  # a backup in flight still needs the key
        # Every route (toolbar, Ctrl+Shift+L, idle guard, lock_requested, a damaged file) comes through here;
        # the service also empties the private temporary folder (attachment copies, email drafts).
        emptied = lock_session(self.ctx)
        self.ctx = None
        self._remember_splitters()  # before the pages go
        while self.stack.count():
            page = self.stack.widget(0)
            self.stack.removeWidget(page)
            page.deleteLater()
        self.pages.clear()
        for action in self.actions_by_name.values():
            action.setEnabled(False)
        self.alert_banner.hide()
        self.draft_banner.hide()
        self.user_label.setText(self.tr("Nobody signed in"))
        self.lock_label.setText(self.tr("Locked"))
        self.setWindowTitle(f"{APP_NAME} — {self.tr('locked')}")
        self.unlock_panel.reload_accounts()
        self.outer.setCurrentWidget(self.unlock_panel)
        self.unlock_panel.secret.setFocus()
        if left := left_behind_words(emptied):
            self.statusBar().showMessage(left, 30_000)
        self.locked.emit()

    @property
    def is_locked(self) -> bool:
        return self.ctx is None

    # -- navigation ---------------------------------------------------------------------------------------------

    def _select_row(self, row: int) -> None:
        if row < 0 or self.ctx is None:
            return
        self._ensure_page(self.page_keys[row])
        self.stack.setCurrentIndex(row)

    def _ensure_page(self, key: str) -> QWidget:
        from dsl_desk.ui.navigation import NAVIGATION

        page = self.pages.get(key)
        if page is None:
            assert self.ctx is not None
            index = self.page_keys.index(key)
            try:
                page = NAVIGATION[index][2](self.ctx, self.signals)
            except DatabaseCorrupt as error:
                self._database_damaged(str(error))
                return self.stack.widget(index)  # the empty slot stays until the database is restored
            page.setObjectName(f"page_{key}")
            self._restore_splitters(page)
            placeholder = self.stack.widget(index)
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.pages[key] = page
        return page

    def show_page(self, key: str) -> QWidget:
        row = self.page_keys.index(key)
        self.rail.setCurrentRow(row)
        self._select_row(row)  # also when the row was already current
        return self.pages[key]

    def show_escalation(self, escalation_id: int) -> None:
        page = self.show_page("escalations")
        page.show_escalation(escalation_id)  # type: ignore[attr-defined]

    def show_child(self, child_id: int) -> None:
        page = self.show_page("children")
        page.show_child(child_id)  # type: ignore[attr-defined]

    def show_records(self, tab: str, subject_id: int) -> None:
        page = self.show_page("records")
        shown = page.show_tab(tab)  # type: ignore[attr-defined]
        select = getattr(shown, "select", None)  # a tab that can pick out the row it was opened for
        if select is not None:
            select(subject_id)

    def show_forms(self, escalation_id: int) -> None:
        page = self.show_page("forms")
        page.show_escalation_forms(escalation_id)  # type: ignore[attr-defined]

    def current_subject(self) -> tuple[int | None, int | None]:
        """The child and escalation on screen now, so a quick log entry is prefilled with them."""
        page = self.stack.currentWidget()
        detail = getattr(getattr(page, "detail_view", None), "detail", None)
        if (
            detail is not None
            and getattr(page, "stack", None) is not None
            and page.stack.currentWidget() is page.detail_view
        ):  # type: ignore[attr-defined]
            return detail.child_id, detail.id
        child = getattr(page, "current", None)
        if child is not None and hasattr(child, "details"):
            return child.id, None
        if hasattr(page, "current_child_id"):
            return page.current_child_id, page.current_escalation_id  # type: ignore[attr-defined]
        return None, None

    def log_discussion(self) -> None:
        """Ctrl+L from anywhere: the keyboard-first quick entry."""
        if self.ctx is None:
            return
        from dsl_desk.ui.log.log_entry_dialog import log_a_discussion

        child_id, escalation_id = self.current_subject()
        result = log_a_discussion(self.ctx, self, child_id=child_id, escalation_id=escalation_id)
        if result is None:
            return
        self.signals.changed.emit(Changed(log=True))
        self.statusBar().showMessage(self.tr("Discussion logged (entry %d).") % result.entry.id, 10_000)
        if result.start_escalation:  # a dissent recorded at a meeting (Wigan 2.5)
            from dsl_desk.ui.escalations.new_escalation import NewEscalationWizard

            wizard = NewEscalationWizard(self.ctx, self, child_id=result.entry.child_id)
            if wizard.exec() and wizard.result_detail is not None:
                self.signals.changed.emit(Changed(escalations=True))
                self.show_escalation(wizard.result_detail.id)

    def new_escalation(self) -> None:
        if self.ctx is None:
            return
        from dsl_desk.ui.escalations.new_escalation import NewEscalationWizard

        wizard = NewEscalationWizard(self.ctx, self)
        if wizard.exec() and wizard.result_detail is not None:
            self.signals.changed.emit(Changed(escalations=True, children=True))
            self.show_escalation(wizard.result_detail.id)

    # -- refreshing ---------------------------------------------------------------------------------------------

    def _on_changed(self, changed: Changed) -> None:
        if changed.settings and self.ctx is not None:
            self.idle_guard.limit = timedelta(minutes=get_profile(self.ctx).idle_lock_minutes)
        for page in self.pages.values():
            refresh = getattr(page, "on_changed", None)
            if refresh is not None:
                refresh(changed)
        self._update_alerts(notify=False)
        self._offer_drafts()

    def refresh_all(self) -> None:
        self._on_changed(
            Changed(escalations=True, children=True, contacts=True, log=True, settings=True, records=True)
        )

    def tick(self) -> None:
        """Every minute: deadlines move with time, and a new day changes what is due today."""
        if self.ctx is None or exclusive_running():  # a restore may be swapping the database
            return
        today = london(self.clock.now()).date()
        if today != self._last_day:
            self._notified.clear()  # a new day: what is due today deserves a fresh notification
            self._last_day = today
        dashboard = self.pages.get("dashboard")
        if dashboard is not None:
            dashboard.refresh()  # type: ignore[attr-defined]
        self._update_alerts(notify=True)

    def _update_alerts(self, *, notify: bool) -> None:
        dashboard = self.pages.get("dashboard")
        if dashboard is None:
            self.alert_banner.hide()
            return
        cases = dashboard.cases  # type: ignore[attr-defined]
        from dsl_desk.core.escalation_rules import DueStatus

        overdue = [c for c in cases if c.due_status is DueStatus.OVERDUE]
        today = [c for c in cases if c.due_status is DueStatus.DUE_TODAY]
        records_overdue = sum(1 for r in getattr(dashboard, "records", ()) if r.overdue)
        if not overdue and not today and not records_overdue:
            self.alert_banner.hide()
            return
        parts = []
        if overdue:
            parts.append(
                self.tr("1 escalation overdue")
                if len(overdue) == 1
                else self.tr("%d escalations overdue") % len(overdue)
            )
        if today:
            parts.append(self.tr("%d due today") % len(today))
        if records_overdue:
            # A transfer receipt or a subject access response past its date: a legal duty, not only practice.
            parts.append(
                self.tr("1 record overdue (transfer or subject access)")
                if records_overdue == 1
                else self.tr("%d records overdue (transfers or subject access)") % records_overdue
            )
        self.alert_label.setText(" · ".join(parts) + self.tr(" — see the dashboard."))
        self.alert_banner.show()
        fresh = [c for c in (*overdue, *today) if c.escalation_id not in self._notified]
        if notify and fresh and self.tray is not None:
            self.tray.showMessage(
                APP_NAME, self.alert_label.text(), QSystemTrayIcon.MessageIcon.Warning, 10_000
            )
        self._notified.update(c.escalation_id for c in fresh)

    # -- window state -------------------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing:  # asked again while the backup on closing runs: that close finishes the job
            event.ignore()
            return
        self._closing = True
        if problem := self.save_geometry():
            self.statusBar().showMessage(problem, 10_000)  # the layout only: never a reason not to close
        QApplication.instance().removeEventFilter(self.idle_guard)
        wait_for_background_work()
        if self.ctx is not None:
            if not self.ctx.read_only:  # a backup needs room in the data folder
                self._backup_on_exit(self.ctx)
            self.ctx.close()
            self.ctx = None
        empty_scratch(self.paths)  # attachment copies and email drafts do not outlive the app
        super().closeEvent(event)

    def _backup_on_exit(self, ctx: AppContext) -> None:
        """The window does not close until the backup has finished: it runs off the GUI thread, under a modal
        progress dialog, so the window keeps drawing and nothing can be changed meanwhile."""
        from dsl_desk.services.records.backups import backup_on_exit
        from dsl_desk.ui.operations import run_and_wait, show_operation_error

        try:
            run_and_wait(self, lambda: backup_on_exit(ctx), label=self.tr("Backing up before closing…"))
        except Exception as error:  # a refusal, or an unexpected failure already reported and made plain
            show_operation_error(self, self.tr("The backup on closing failed"), error)
