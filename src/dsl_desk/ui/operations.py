"""The one way the UI runs long work: off the GUI thread, with progress, one error box and one broadcast.

In the spirit of Anki's QueryOp/CollectionOp, much smaller. `run_operation(parent, work, label=..., ...)`:

- `work` runs on Qt's thread pool. It calls services only (each opens its own session; the SQLCipher engine
  is a file database, so SQLAlchemy's pool hands each thread its own connection) and never touches a widget:
  read what it needs from the widgets before starting it.
- While it runs, `label` is shown: in the status bar of the main window (a busy bar beside it), or, for a
  write that must not be interrupted (`modal=True`) or a window without a status bar, in a progress dialog.
  The triggering actions or buttons (`trigger`) are disabled until it finishes.
- `on_done(result)` is called on the GUI thread. A refusal (a DeskError: services/errors.py) goes to `on_error` if
  given, else to the one message box, `messages.show_error`. An unexpected exception is reported through
  `dsl_desk.crash` on the worker thread (a crash report, no children's data) and arrives as its plain message.
- `run_and_wait` is for a step the caller cannot go on without (a wizard's commit page, signing in, the
  backup on closing): the work still runs on the pool while the GUI thread keeps drawing under a modal
  progress dialog; the result is returned, or the error raised, as if it had been a plain call.
- After a write, `changes` (a `Changed`, or a function of the result giving one) is broadcast on
  `signals.changed`, so every page refreshes what it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QProgressDialog, QWidget
from shiboken6 import isValid

from dsl_desk.crash import as_plain_error
from dsl_desk.ui.signals import AppSignals, Changed

Trigger = QWidget | QAction
ChangesFor = Changed | Callable[[Any], Changed | None] | None

_PROGRESS_DELAY_MS = 300  # a non-modal dialog only appears when the work takes longer than this


@dataclass(eq=False)
class _Operation:
    label: str
    on_done: Callable[[Any], None] | None
    on_error: Callable[[Exception], None] | None
    parent: QWidget | None
    title: str
    signals: AppSignals | None
    changes: ChangesFor
    exclusive: bool
    triggers: list[tuple[Trigger, bool]] = field(default_factory=list)
    progress: _Progress | None = None
    relay: _Relay | None = None


class _Relay(QObject):
    """Lives on the GUI thread; its own slots receive the worker's signals, so Qt queues them to that thread
    (a lambda connected instead would run on the worker)."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, operation: _Operation) -> None:
        super().__init__()
        self.operation = operation
        self.done.connect(self._report_done)
        self.failed.connect(self._report_failed)

    def _report_done(self, result: Any) -> None:
        _finish(self.operation, result, None)

    def _report_failed(self, error: Exception) -> None:
        _finish(self.operation, None, error)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.work = work
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as error:  # every failure goes back to the GUI thread, to be shown there
            # An unexpected one is reported and goes back as a plain message, so a box showing str(error)
            # never shows an exception's own text (which may hold children's data).
            self.relay.failed.emit(as_plain_error(error))
            return
        self.relay.done.emit(result)


class _Progress:
    """The status bar's busy bar and message, or a progress dialog (modal for exclusive writes)."""

    def __init__(self, parent: QWidget | None, label: str, *, modal: bool) -> None:
        self.window = parent.window() if parent is not None else None
        self.dialog: QProgressDialog | None = None
        self.bar: QProgressBar | None = None
        self.text: QLabel | None = None
        if not modal and isinstance(self.window, QMainWindow):
            status = self.window.statusBar()
            self.text = QLabel(label, objectName="operationLabel")
            self.bar = QProgressBar(objectName="operationBusy", maximumWidth=120, textVisible=False)
            self.bar.setRange(0, 0)  # busy: no percentage is known
            self.bar.setAccessibleName(label)
            status.addPermanentWidget(self.text)
            status.addPermanentWidget(self.bar)
            return
        dialog = QProgressDialog(label, "", 0, 0, self.window)
        dialog.setObjectName("operationProgress")
        dialog.setCancelButton(None)  # work that has started is not abandoned half way
        dialog.setWindowTitle(label)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if modal:
            dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
            dialog.setMinimumDuration(0)
            dialog.show()
        else:
            dialog.setMinimumDuration(_PROGRESS_DELAY_MS)  # shows itself if the work takes longer
        self.dialog = dialog

    def close(self) -> None:
        for widget in (self.dialog, self.text, self.bar):
            if widget is not None and isValid(widget):  # not gone with its window
                widget.hide()
                widget.deleteLater()


_running: list[_Operation] = []


def run_operation(
    parent: QWidget | None,
    work: Callable[[], Any],
    *,
    label: str,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    title: str = "",
    trigger: Trigger | Iterable[Trigger] | None = None,
    signals: AppSignals | None = None,
    changes: ChangesFor = None,
    modal: bool = False,
    progress: bool = True,
) -> None:
    """Start `work` on the thread pool (see the module docstring). `progress=False` for a dialog that says
    itself that it is busy; `modal=True` for a write the user must not interrupt (a restore)."""
    operation = _Operation(
        label, on_done, on_error, parent, title or label, signals, changes, exclusive=modal
    )
    for item in _triggers(trigger):
        operation.triggers.append((item, item.isEnabled()))
        item.setEnabled(False)
    if progress:
        operation.progress = _Progress(parent, label, modal=modal)
    operation.relay = _Relay(operation)
    _running.append(operation)  # keeps the relay alive until the work reports back
    QThreadPool.globalInstance().start(_Job(work, operation.relay))


def run_and_wait(
    parent: QWidget | None,
    work: Callable[[], Any],
    *,
    label: str,
    trigger: Trigger | Iterable[Trigger] | None = None,
    signals: AppSignals | None = None,
    changes: ChangesFor = None,
) -> Any:
    """Run `work` off the GUI thread under a modal progress dialog and wait for it (see the module docstring).
    Returns its result; raises what it raised (a refusal as it is, anything else as a plain UnexpectedError)."""
    outcome: dict[str, Any] = {}
    loop = QEventLoop()

    def finished(key: str, value: Any) -> None:
        outcome[key] = value
        loop.quit()

    run_operation(
        parent,
        work,
        label=label,
        on_done=lambda result: finished("result", result),
        on_error=lambda error: finished("error", error),
        trigger=trigger,
        signals=signals,
        changes=changes,
        modal=True,
    )
    if not outcome:  # the result is queued to this thread, so it cannot have arrived yet
        loop.exec()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _triggers(trigger: Trigger | Iterable[Trigger] | None) -> list[Trigger]:
    if trigger is None:
        return []
    if isinstance(trigger, QWidget | QAction):
        return [trigger]
    return list(trigger)


def _finish(operation: _Operation, result: Any, error: Exception | None) -> None:
    if operation in _running:
        _running.remove(operation)
    if operation.relay is not None:
        operation.relay.deleteLater()  # on this thread, after this delivery: never by a collector elsewhere
    if operation.progress is not None:
        operation.progress.close()
    if operation.parent is not None and not isValid(operation.parent):
        return  # its page went meanwhile (the desk locked): the work is done, there is nothing to show it on
    for item, was_enabled in operation.triggers:
        with suppress(RuntimeError):  # the button went with its page (the desk locked meanwhile)
            item.setEnabled(was_enabled)
    if error is not None:
        if operation.on_error is not None:
            operation.on_error(error)
        else:
            show_operation_error(operation.parent, operation.title, error)
        return
    if operation.on_done is not None:
        operation.on_done(result)
    changed = operation.changes(result) if callable(operation.changes) else operation.changes
    if changed is not None and operation.signals is not None:
        operation.signals.changed.emit(changed)


def show_operation_error(parent: QWidget | None, title: str, error: Exception) -> None:
    """The one message box for a refused or failed operation: its plain message, never a traceback."""
    from dsl_desk.ui.messages import show_error

    show_error(_alive(parent), title, str(error))


def _alive(widget: QWidget | None) -> QWidget | None:
    if widget is None:
        return None
    try:
        widget.isVisible()
    except RuntimeError:  # deleted meanwhile (the desk locked while the work ran)
        return None
    return widget


def running() -> list[str]:
    """The labels of the operations under way (for the window's own checks and for tests)."""
    return [operation.label for operation in _running]


def exclusive_running() -> bool:
    """A write that must not be interrupted (a restore swaps the database) is under way."""
    return any(operation.exclusive for operation in _running)


def wait_for_background_work(timeout_ms: int = 30_000) -> bool:
    """For locking, shutdown and tests: let the work already running finish (its callbacks run later)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
