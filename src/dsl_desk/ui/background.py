"""Long work off the GUI thread, results back on it (the shape of Anki's QueryOp, much smaller).

The work runs on Qt's thread pool; `on_done` or `on_error` is called on the GUI thread. Work must only use
services (their own units of work); it must not touch widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from dsl_desk.crash import as_plain_error


class _Relay(QObject):
    """Lives on the GUI thread; its own slots receive the signals, so Qt queues them to that thread."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, on_done: Callable[[Any], None], on_error: Callable[[Exception], None]) -> None:
        super().__init__()
        self.on_done = on_done
        self.on_error = on_error
        self.done.connect(self._report_done)
        self.failed.connect(self._report_failed)

    def _report_done(self, value: Any) -> None:
        _running.discard(self)
        self.on_done(value)

    def _report_failed(self, error: Exception) -> None:
        _running.discard(self)
        self.on_error(error)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.work = work
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as error:  # every failure goes back to the GUI thread, to be shown there
            # An unexpected one is reported (dsl_desk.crash) and goes back as a plain message, so a dialog
            # showing str(error) never shows an exception's own text (which may hold children's data).
            self.relay.failed.emit(as_plain_error(error))
            return
        self.relay.done.emit(result)


_running: set[_Relay] = set()  # keeps each relay alive until its job reports back


def run_in_background(
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None],
) -> None:
    relay = _Relay(on_done, on_error)
    _running.add(relay)
    QThreadPool.globalInstance().start(_Job(work, relay))


def wait_for_background_work(timeout_ms: int = 30_000) -> bool:
    """For shutdown and tests: let running jobs finish."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
