"""UI test support: waiting for the background operations a page started, and a watch on the GUI thread.

The watch (autouse in every UI test) reports a unit of work that holds the GUI thread for more than 200 ms.
A watchdog thread samples the main thread's Python stack every 25 ms. The unit is the outermost frame in
`dsl_desk/ui` on that stack (a button's slot, a page being built, an operation's result being shown); it
counts as busy unless the innermost frame is waiting in an event loop (a line calling `.exec(`), where the
window still draws and answers. A unit busy for longer than the limit is reported as a `GuiThreadStall`
warning naming the unit, the line it was on and the test: on a loaded two-core machine an ordinary step can
take that long, so it is a report, not a failure (set DSL_DESK_GUI_STALL=fail to make it one, locally).
"""

from __future__ import annotations

import linecache
import os
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pytest

import dsl_desk.ui
from dsl_desk.ui import operations

LIMIT_SECONDS = 0.2
SAMPLE_SECONDS = 0.025
UI_FOLDER = str(Path(dsl_desk.ui.__file__).parent) + os.sep
PACKAGE_FOLDER = str(Path(dsl_desk.ui.__file__).parent.parent) + os.sep
TESTS_FOLDER = str(Path(__file__).parent.parent) + os.sep


class GuiThreadStall(UserWarning):
    """A unit of work held the GUI thread for longer than LIMIT_SECONDS."""


@dataclass
class Stall:
    unit: str  # the outermost UI function: file:line in function
    where: str  # the innermost line of our own code when it was first seen over the limit
    seconds: float
    stack: str


def _short(frame: FrameType) -> str:
    name = frame.f_code.co_filename
    name = name[len(PACKAGE_FOLDER) :] if name.startswith(PACKAGE_FOLDER) else Path(name).name
    return f"{name}:{frame.f_lineno or '?'} in {frame.f_code.co_name}"


def _ours_or_the_tests(filename: str) -> bool:
    return filename.startswith((PACKAGE_FOLDER, TESTS_FOLDER))


def busy_unit(frame: FrameType | None) -> FrameType | None:
    """The outermost dsl_desk/ui frame of a busy stack; None when the thread waits in an event loop or is
    not in UI code at all."""
    if frame is None:
        return None
    if ".exec(" in linecache.getline(frame.f_code.co_filename, frame.f_lineno or 0):
        return None  # an event loop is running: the window draws and answers
    unit = None
    while frame is not None:
        if frame.f_code.co_filename.startswith(UI_FOLDER):
            unit = frame
        frame = frame.f_back
    return unit


class GuiThreadWatch:
    """Samples the main thread from a watchdog thread; `stalls` holds what held it too long."""

    def __init__(self, limit: float = LIMIT_SECONDS, interval: float = SAMPLE_SECONDS) -> None:
        self.limit, self.interval = limit, interval
        self.main = threading.main_thread().ident
        self.stalls: list[Stall] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gui-thread-watch", daemon=True)

    def __enter__(self) -> GuiThreadWatch:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        current: tuple[int, object] | None = None
        since = 0.0
        stall: Stall | None = None
        while not self._stop.wait(self.interval):
            top = sys._current_frames().get(self.main)
            try:
                unit = busy_unit(top)
            except Exception:  # a frame caught half way through changing: skip this sample
                unit = None
            now = time.monotonic()
            key = (id(unit), unit.f_code) if unit is not None else None
            del unit
            if key != current:
                current, since, stall = key, now, None
            elif key is not None and now - since > self.limit:
                if stall is None:
                    stall = self._describe(top, now - since)
                    self.stalls.append(stall)
                stall.seconds = now - since
            del top

    def _describe(self, top: FrameType | None, seconds: float) -> Stall:
        try:
            frames = traceback.extract_stack(top)
            unit = busy_unit(top)
        except Exception:  # a frame caught half way through changing
            return Stall(unit="?", where="?", seconds=seconds, stack="")
        ours = top
        while ours is not None and not ours.f_code.co_filename.startswith(PACKAGE_FOLDER):
            ours = ours.f_back
        return Stall(
            unit=_short(unit) if unit is not None else "?",
            where=_short(ours) if ours is not None else "?",
            seconds=seconds,
            stack="".join(traceback.format_list([f for f in frames if _ours_or_the_tests(f.filename)][-10:])),
        )


@pytest.fixture(autouse=True)
def gui_thread_watch(request) -> Iterator[GuiThreadWatch]:
    with GuiThreadWatch() as watch:
        yield watch
    for stall in watch.stalls:
        message = (
            f"The GUI thread was held {stall.seconds * 1000:.0f} ms (over {LIMIT_SECONDS * 1000:.0f} ms) by "
            f"{stall.unit}, at {stall.where}, in {request.node.nodeid}:\n{stall.stack}"
        )
        if os.environ.get("DSL_DESK_GUI_STALL", "").strip().lower() == "fail":
            pytest.fail(message)
        warnings.warn(GuiThreadStall(message), stacklevel=1)


@pytest.fixture
def finish_operations(qtbot) -> Callable[[], None]:
    """Call it after pressing a button that starts an operation: the event loop runs until every operation
    has reported back on the GUI thread (its result shown, its change broadcast)."""

    def wait() -> None:
        qtbot.waitUntil(lambda: not operations.running(), timeout=60_000)

    return wait
