"""Composition root for the GUI: settings, the instance lock, the policy packs, set-up or unlock, the window."""

from __future__ import annotations

import sys

from dsl_desk import APP_NAME
from dsl_desk.core.clock import Clock
from dsl_desk.store.errors import StoreError
from dsl_desk.store.instance_lock import InstanceLock
from dsl_desk.store.paths import DataPaths, ensure_writable


def run_gui(paths: DataPaths, clock: Clock) -> int:
    if "PySide6.QtGui" not in sys.modules:  # Qt already loaded (a test, the demo) has its libraries
        from dsl_desk.system_libraries import check_display_libraries

        if missing := check_display_libraries():
            print(missing, file=sys.stderr)  # one line naming the packages, not Qt's plugin paragraph
            return 2
    from PySide6.QtWidgets import QApplication

    from dsl_desk.services.scratch import empty_scratch
    from dsl_desk.services.scratch import start_up as start_up_scratch
    from dsl_desk.ui.messages import show_error
    from dsl_desk.ui.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    from dsl_desk.ui.translation import install_translators

    install_translators(
        app
    )  # the system locale's .qm and gettext catalogue; English (no-op) when there are none
    apply_theme(app)
    from dsl_desk.ui.crash_dialog import install_crash_hook

    install_crash_hook(app, paths.root)  # an unexpected error in a slot: a plain message, never silence
    _show_store_errors_plainly()
    try:
        if not paths.exists() or paths.setup_unfinished():
            ensure_writable(paths)  # set-up writes; an existing desk opens read-only where it cannot write
        lock = InstanceLock(paths.lock_file)
        lock.acquire()
    except StoreError as error:
        show_error(None, APP_NAME, str(error))
        return 2
    try:
        # Before anyone unlocks: what a crash left in the private temporary folder (attachment copies, email
        # drafts) is overwritten and removed, and this process's temp files go there from now on. Under the
        # instance lock, so a second copy of the app never empties the first one's folder.
        start_up_scratch(paths)
    except StoreError as error:
        from dsl_desk.store.readonly import write_problem

        # A data folder that cannot be written opens read-only (nothing is handed to other programs then:
        # exports and prints are refused); anything else keeps the desk shut, as before.
        if not (paths.exists() and write_problem(paths.root)):
            lock.release()
            show_error(None, APP_NAME, str(error))
            return 2
    try:
        return _open_window(app, paths, clock)
    finally:
        empty_scratch(paths)  # quitting by any path (window closed, session ending, app.quit())
        lock.release()


def _show_store_errors_plainly() -> None:
    """A storage error no page caught (a change refused on a read-only desk, a full disk) is shown as its
    plain message, never as a traceback on the console with the window left as if nothing happened."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, trace: object) -> None:
        if isinstance(error, StoreError):
            from dsl_desk.ui.messages import show_error

            show_error(None, APP_NAME, str(error))
            return
        previous(kind, error, trace)  # type: ignore[arg-type]

    sys.excepthook = hook


class _Policies:
    """The policy packs, read by ui/preload.py's worker while the unlock screen waits (they are needed only
    to sign in), or at once for the set-up wizard. Problems with a pack are shown once someone is in."""

    def __init__(self, paths: DataPaths) -> None:
        self.paths = paths
        self.packs: dict = {}  # the same dict is handed to the unlock screen before it is filled
        self.errors: list[str] = []

    def load(self) -> None:
        from dsl_desk.services.desk.policies import load_policies

        result = load_policies(self.paths)
        self.packs.clear()
        self.packs.update(result.packs)
        self.errors[:] = result.errors

    def show_problems(self) -> None:
        if self.errors:
            from dsl_desk.ui.messages import show_error

            show_error(
                None,
                "Some escalation policies could not be loaded",
                "These policy files have problems and were skipped; the rest are available:\n\n"
                + "\n".join(f"• {error}" for error in self.errors),
            )


def _open_window(app: object, paths: DataPaths, clock: Clock) -> int:
    policies = _Policies(paths)
    packs = policies.packs
    if not paths.exists() or paths.setup_unfinished():  # an unfinished set-up is offered again
        from dsl_desk.ui.desk.setup_wizard import SetupWizard

        policies.load()
        policies.show_problems()
        wizard = SetupWizard(paths, clock, packs)
        if not wizard.exec() or wizard.context is None:
            return 0
        context = wizard.context
    else:
        # Only Qt and the key file before the unlock screen paints; the store, the services and the pages
        # load while the person types (ui/preload.py), and unlocking waits for whatever is left.
        from PySide6.QtCore import QTimer

        from dsl_desk.ui import preload
        from dsl_desk.ui.desk.unlock import UnlockDialog

        dialog = UnlockDialog(paths, clock, packs)
        QTimer.singleShot(0, lambda: preload.start(first=policies.load))
        if not dialog.exec() or dialog.context is None:
            return 0
        context = dialog.context
        policies.show_problems()
    import dsl_desk
    from dsl_desk.ui.main_window import MainWindow

    app.setApplicationVersion(dsl_desk.__version__)  # type: ignore[attr-defined] - read once signed in
    window = MainWindow(context, paths, clock, packs)
    window.show()
    try:
        return app.exec()  # type: ignore[attr-defined]
    finally:
        # Quitting by any path, not only by closing the window, lets a start-up check or backup still running
        # on a worker thread finish: tearing the interpreter down under it crashed the process.
        from dsl_desk.ui.operations import wait_for_background_work

        wait_for_background_work(300_000)
