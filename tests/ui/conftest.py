"""UI test support: waiting for the background operations a page started."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dsl_desk.ui import operations


@pytest.fixture
def finish_operations(qtbot) -> Callable[[], None]:
    """Call it after pressing a button that starts an operation: the event loop runs until every operation
    has reported back on the GUI thread (its result shown, its change broadcast)."""

    def wait() -> None:
        qtbot.waitUntil(lambda: not operations.running(), timeout=60_000)

    return wait
