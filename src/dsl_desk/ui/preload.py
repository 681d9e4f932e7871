"""What the desk needs after the unlock screen, loaded while the person types their passphrase (issue 17).

The unlock screen itself needs only Qt and the key file. SQLAlchemy, the store's models, the services the
main window and the dashboard call, and the bank-holiday tables (the `holidays` package imports every country
it knows) are imported on a worker thread as soon as the screen is up; when that is done, the main window and
the dashboard page (Qt widgets) are imported on the GUI thread, one module per turn of the event loop, so
typing never stalls. Unlocking calls `finish()` first: it waits for the worker, then imports whatever is
left, so two threads never import the same modules at once and a fast typist simply waits for the rest.

Nothing here changes what the desk does: a module that fails to import here is imported again, and fails
with its real error, where it is used.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable
from datetime import date

# Imported off the GUI thread: no Qt widgets among them (module import only, no object made).
BACKGROUND = (
    "argon2.low_level",
    "cryptography.hazmat.primitives.ciphers.aead",
    "sqlalchemy.orm",
    "dsl_desk.services.desk.setup",
    "dsl_desk.services.desk.profile",
    "dsl_desk.services.escalations.drafts",
    "dsl_desk.services.escalations.reading",
    "dsl_desk.services.escalations.workflow",
    "dsl_desk.services.log.reading",
    "dsl_desk.services.records.due",
    "dsl_desk.services.records.backups",
)
# Imported on the GUI thread once the worker is done: the window and its first page.
GUI_THREAD = (
    "dsl_desk.ui.main_window",
    "dsl_desk.ui.navigation",
    "dsl_desk.ui.desk.dashboard_page",
)
NATIONS = ("england", "wales", "scotland", "northern_ireland")


class _State:
    worker: threading.Thread | None = None
    pending: list[str] = []  # noqa: RUF012 - one list for the process, used on the GUI thread only
    first: Callable[[], None] | None = None  # work the unlock needs (the policy packs), done before imports
    first_done = False


def start(first: Callable[[], None] | None = None) -> None:
    """Begin loading (once per process). Call on the GUI thread, with the unlock screen showing. `first`
    runs on the worker before anything else; if it fails there, `finish()` runs it again on the GUI thread
    so its real error is raised where the caller can show it."""
    if _State.worker is not None:
        return
    _State.pending[:] = list(GUI_THREAD)
    _State.first, _State.first_done = first, first is None
    _State.worker = threading.Thread(target=_load_in_background, name="dsl-desk-preload", daemon=True)
    _State.worker.start()
    _step_later()


def finish() -> None:
    """Before signing in: wait for the worker, then do here whatever is left (a no-op if nothing started)."""
    if _State.worker is not None:
        _State.worker.join()
    if not _State.first_done and _State.first is not None:
        _State.first()
        _State.first_done = True
    while _State.pending:
        _import(_State.pending.pop(0))


def _load_in_background() -> None:
    if _State.first is not None:
        with contextlib.suppress(Exception):  # run again by finish(), where its error can be shown
            _State.first()
            _State.first_done = True
    for name in BACKGROUND:
        _import(name)
    # Warming only: a calendar that cannot be made fails with its real error where it is used.
    with contextlib.suppress(Exception):
        from dsl_desk.core.calendar import warm_bank_holidays

        this_year = date.today().year
        for nation in NATIONS:
            warm_bank_holidays(nation, range(this_year - 1, this_year + 2))


def _import(name: str) -> None:
    with contextlib.suppress(Exception):  # warming only, see the module's docstring
        importlib.import_module(name)


def _step_later() -> None:
    from PySide6.QtCore import QTimer

    QTimer.singleShot(40, _step)


def _step() -> None:
    """On the GUI thread: one module once the worker is done, then the next on the next turn."""
    if not _State.pending:
        return
    if _State.worker is not None and _State.worker.is_alive():
        _step_later()
        return
    _import(_State.pending.pop(0))
    if _State.pending:
        _step_later()
