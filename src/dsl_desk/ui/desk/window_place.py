"""Where the main window is and how big: it opens to the screen's available area, and comes back where it was, with its splitters, through the settings object (services/desk/window_state.py). A mixin of MainWindow."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QSplitter,
    QWidget,
)

from dsl_desk.services.desk.window_state import save_window_state


class WindowPlaceMixin:
    def _restore_geometry(self) -> None:
        """Where it was last time (kept in the data folder), if that still fits this screen; otherwise the
        screen's whole available area (1280x800 was taller than a 1366x768 laptop, hiding the status bar)."""
        saved = self.window_state.geometry
        if saved and self.restoreGeometry(QByteArray(saved)) and self._fits(self.frameGeometry()):
            return
        self._fill_screen()

    def _available(self) -> QRect:
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry()

    def _fits(self, frame: QRect) -> bool:
        if self.windowState() & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
            return True  # the window manager fits those to the screen
        available = self._available()
        return frame.width() <= available.width() and frame.height() <= available.height()

    def _fill_screen(self) -> None:
        available = self._available()
        self.setGeometry(available)  # the size to come back to when un-maximised
        self.setWindowState(Qt.WindowState.WindowMaximized)

    def save_geometry(self) -> str:
        """Keep the layout in the data folder: '' when kept, else why not (never a reason not to close)."""
        self._remember_splitters()
        self.window_state = self.window_state.with_geometry(self.saveGeometry().data())
        return save_window_state(self.paths, self.window_state)

    def _restore_splitters(self, page: QWidget) -> None:
        """A named splitter gets the sizes it had when the window last closed (if it still has as many panes)."""
        for splitter in page.findChildren(QSplitter):
            sizes = self.window_state.splitters.get(splitter.objectName())
            if splitter.objectName() and sizes and len(sizes) == splitter.count():
                splitter.setSizes(list(sizes))

    def _remember_splitters(self) -> None:
        for page in self.pages.values():
            for splitter in page.findChildren(QSplitter):
                sizes = splitter.sizes()
                if splitter.objectName() and any(sizes):
                    self.window_state = self.window_state.with_splitter(splitter.objectName(), sizes)
