"""The main window's menu bar in the platform's conventions (File, Edit, View, Go, Help), every action with its shortcut shown, and the Help pages it opens. A mixin of MainWindow (ui/main_window.py), which owns the state these methods use."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QMenu,
)

from dsl_desk import APP_NAME
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services.desk.profile import get_profile


class MenusMixin:
    def _build_menus(self) -> None:
        """File, Edit, View, Go, Help, each item with its shortcut shown. Everything but Quit and About waits
        while the desk is locked (they are in actions_by_name, which lock() disables)."""
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(self.actions_by_name["new_escalation"])
        file_menu.addAction(self.actions_by_name["log_discussion"])
        file_menu.addSeparator()
        file_menu.addAction(self.actions_by_name["lock"])
        file_menu.addSeparator()
        self.quit_action = self._menu_action(
            file_menu, "", self.tr("&Quit"), QKeySequence.StandardKey.Quit, self.close, fallback="Ctrl+Q"
        )
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        edit_menu = bar.addMenu(self.tr("&Edit"))
        for name, text, key in (
            ("undo", self.tr("&Undo"), QKeySequence.StandardKey.Undo),
            ("redo", self.tr("&Redo"), QKeySequence.StandardKey.Redo),
            ("cut", self.tr("Cu&t"), QKeySequence.StandardKey.Cut),
            ("copy", self.tr("&Copy"), QKeySequence.StandardKey.Copy),
            ("paste", self.tr("&Paste"), QKeySequence.StandardKey.Paste),
            ("selectAll", self.tr("Select &all"), QKeySequence.StandardKey.SelectAll),
        ):
            action = self._menu_action(edit_menu, f"edit_{name}", text, key, self._edit)
            action.setData(name)
            # The keys stay with the field or table that has the focus (each handles them natively); the
            # menu shows them and its items do the same to that widget.
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            if name == "redo":
                edit_menu.addSeparator()
        edit_menu.addSeparator()
        settings = self._menu_action(
            edit_menu,
            "settings",
            self.tr("&Settings…"),
            QKeySequence.StandardKey.Preferences,
            self.show_settings,
            fallback="Ctrl+,",
        )
        settings.setMenuRole(QAction.MenuRole.PreferencesRole)

        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addAction(self.actions_by_name["refresh"])
        self._menu_action(
            view_menu,
            "full_screen",
            self.tr("&Full screen"),
            QKeySequence.StandardKey.FullScreen,
            self._toggle_full_screen,
            fallback="F11",
        )

        go_menu = bar.addMenu(self.tr("&Go"))
        for action in self.go_actions:
            go_menu.addAction(action)

        help_menu = bar.addMenu(self.tr("&Help"))
        self._menu_action(
            help_menu,
            "getting_started",
            self.tr("&Getting started"),
            QKeySequence.StandardKey.HelpContents,
            self.show_getting_started,
            fallback="F1",
        )
        help_menu.addSeparator()
        self.about_action = self._menu_action(
            help_menu, "", self.tr("&About %s") % APP_NAME, "", self.show_about
        )
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    def _menu_action(
        self,
        menu: QMenu,
        name: str,
        text: str,
        shortcut: str | QKeySequence.StandardKey,
        slot: Callable[[], object],
        *,
        fallback: str = "",
    ) -> QAction:
        """A menu item; `fallback` where this platform has no standard key for it (Quit on Windows)."""
        action = QAction(text, self)
        keys = QKeySequence.keyBindings(shortcut) if isinstance(shortcut, QKeySequence.StandardKey) else []
        if keys:
            action.setShortcuts(keys)
        elif fallback or (isinstance(shortcut, str) and shortcut):
            action.setShortcut(QKeySequence(fallback or shortcut))
        # A bound method, not a lambda holding `self`: PySide keeps only a weak reference to it, so a closed
        # window (and the database it holds) is freed at once, not later by the collector on any thread.
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        if name:
            self.actions_by_name[name] = action
        return action

    def _edit(self) -> None:
        """Edit › Cut, Copy, … act on the text field with the focus (a field handles its own keys first)."""
        operation = str(self.sender().data()) if isinstance(self.sender(), QAction) else ""
        widget = QApplication.focusWidget()
        method = getattr(widget, operation, None)
        if callable(method):
            method()
        elif (
            operation == "copy" and isinstance(widget, QAbstractItemView) and widget.currentIndex().isValid()
        ):
            QApplication.clipboard().setText(str(widget.currentIndex().data() or ""))  # as Ctrl+C there does

    def show_settings(self) -> None:
        self.show_page("settings")

    def _toggle_full_screen(self) -> None:
        self.setWindowState(self.windowState() ^ Qt.WindowState.WindowFullScreen)

    def show_getting_started(self) -> None:
        from dsl_desk.services.context import ServiceError
        from dsl_desk.ui.desk.help import GettingStartedDialog

        if self.ctx is None:
            return
        try:
            pack: PolicyPack | None = self.ctx.pack(get_profile(self.ctx).partnership_id)
        except ServiceError:
            pack = None
        self.help_dialog = GettingStartedDialog(pack, self)
        self.help_dialog.show()  # beside the desk, not blocking it: the steps are followed with it open

    def show_about(self) -> None:
        from dsl_desk.ui.desk.help import AboutDialog

        AboutDialog(self.paths.root, self.paths.database, self).exec()
