"""The GUI's side of the crash hook: an unexpected exception in a slot (or on a worker thread) is shown.

PySide6 hands an exception raised in a slot to sys.excepthook and carries on; Python's default hook prints
the traceback to a console a school laptop does not have, so the user saw nothing and the action silently
did not happen. Here the hook writes the crash report (dsl_desk.crash) and shows the plain message in a
dialog on the GUI thread, and the app keeps running.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

from dsl_desk import APP_NAME, crash


class CrashRelay(QObject):
    """Carries the message to the GUI thread: the hook may run on a worker thread."""

    message = Signal(str)

    def __init__(self, show: Callable[[str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashRelay")
        self._show = show
        # Queued to a slot of this object, which lives on the GUI thread: widgets are made only there.
        self.message.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def _deliver(self, message: str) -> None:
        self._show(message)


def install_crash_hook(app: QApplication, data_root: Path, show: Callable[[str], None] | None = None) -> None:
    """From now on an unexpected exception shows a plain message and writes a report under `data_root`."""
    relay = CrashRelay(show or _show, app)  # parented to the app, so it lives as long as the app
    crash.install(lambda: data_root, relay.message.emit)


def _show(message: str) -> None:
    from dsl_desk.ui.messages import show_error

    show_error(QApplication.activeWindow(), f"{APP_NAME}: something went wrong", message)
