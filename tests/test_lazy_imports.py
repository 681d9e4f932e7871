"""Start-up stays light: ReportLab, pyHanko and charts load only when a document or a chart is made.

Each check runs in a fresh interpreter, because this test process has long since imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

HEAVY = ("reportlab", "pyhanko", "pyhanko_certvalidator", "PySide6.QtCharts", "matplotlib", "uharfbuzz")

# The modules the GUI imports to show the unlock screen and the main window with every page of the rail.
IMPORTS = textwrap.dedent(
    """
    import importlib, json, sys
    import dsl_desk.app
    import dsl_desk.cli
    dsl_desk.cli.commands.build_parser()  # also imports the per-area command modules (cli/paperwork.py, cli/log.py, ...)
    for name in ("dsl_desk.ui.main_window", "dsl_desk.ui.desk.unlock", "dsl_desk.ui.navigation",
                 "dsl_desk.ui.desk.setup_wizard"):
        importlib.import_module(name)
    pages = [
        "dsl_desk.ui." + name
        for name in ("desk.dashboard_page", "people.children_page", "escalations.escalations_page",
                     "log.log_page", "paperwork.forms_page", "people.contacts_page", "desk.settings_page",
                     "widgets.placeholder")
    ]
    for name in pages:
        importlib.import_module(name)
    print(json.dumps(sorted(sys.modules)))
    """
)

# The real start: a database, the main window built on it with every page, events processed.
MAIN_WINDOW = textwrap.dedent(
    """
    import json, sys, tempfile
    from datetime import UTC, datetime
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from dsl_desk.core.clock import FixedClock
    from dsl_desk.services.desk.policies import load_policies
    from dsl_desk.services.desk.setup import NewUser, OrganisationProfile, initialise
    from dsl_desk.store.keyring import KdfParams
    from dsl_desk.store.paths import DataPaths
    from dsl_desk.ui.main_window import MainWindow
    from dsl_desk.ui.theme import apply_theme

    app = QApplication(sys.argv[:1])
    apply_theme(app)
    packs = dict(load_policies().packs)
    clock = FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    paths = DataPaths(Path(tempfile.mkdtemp()) / "data")
    ctx, _ = initialise(
        paths,
        OrganisationProfile("Penkford School", "School", "st_helens", "england"),
        NewUser("j.smith", "Jane Smith", "Designated Safeguarding Lead", "purple elephant river spoon"),
        clock=clock, packs=packs, kdf=KdfParams(time_cost=1, memory_kib=8192, parallelism=1),
    )
    window = MainWindow(ctx, paths, clock, packs)
    window.show()
    app.processEvents()
    loaded = sorted(sys.modules)
    window.close()
    print(json.dumps(loaded))
    """
)


def _modules_after(script: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=90,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _heavy(modules: list[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_app_cli_and_gui_modules_do_not_import_documents_libraries():
    leaked = _heavy(_modules_after(IMPORTS))
    assert not leaked, f"imported at start-up, should load only when used: {leaked[:10]}"


def test_building_the_main_window_does_not_import_documents_libraries():
    leaked = _heavy(_modules_after(MAIN_WINDOW))
    assert not leaked, f"imported while building the main window, should load only when used: {leaked[:10]}"


# Before the unlock screen: nothing but Qt and the key file (issue 17). The store, the services and the pages
# load while the person types: on ui/preload.py's worker thread, or on the GUI thread once the screen has
# painted. The script runs the real `dsl-desk` start on a real desk and records, on the GUI thread, every module
# imported until the unlock screen first paints, and everything imported at all when it first shows.
BEFORE_UNLOCK_HEAVY = ("sqlalchemy", "alembic", "holidays", "reportlab", "pyhanko", "pyhanko_certvalidator")
UNLOCK_SCREEN = textwrap.dedent(
    """
    import json, sys, threading
    main_thread = threading.main_thread()
    on_gui_thread = []

    class Watch:  # records first imports on the GUI thread; finds nothing itself
        def find_spec(self, name, path=None, target=None):
            if threading.current_thread() is main_thread:
                on_gui_thread.append(name)
            return None

    sys.meta_path.insert(0, Watch())
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication(sys.argv[:1])
    seen = {}

    class Probe(QObject):
        def eventFilter(self, watched, event):
            if type(watched).__name__ == "UnlockDialog" and event.type() == QEvent.Type.Show:
                seen.setdefault("loaded_when_shown", sorted(sys.modules))
                seen.setdefault("dialog", watched)
            dialog = seen.get("dialog")
            if (
                dialog is not None and "gui_thread_before_paint" not in seen
                and event.type() == QEvent.Type.Paint and (watched is dialog or dialog.isAncestorOf(watched))
            ):
                seen["gui_thread_before_paint"] = list(on_gui_thread)
                QTimer.singleShot(0, dialog.reject)
            return False

    probe = Probe()
    app.installEventFilter(probe)
    from dsl_desk.cli import main
    code = main(["--data-dir", sys.argv[1]])
    print(json.dumps({"code": code, "shown": seen.get("loaded_when_shown"),
                      "before_paint": seen.get("gui_thread_before_paint")}))
    """
)


def _root_is(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == root or name.startswith(root + ".") for root in roots)


def _is_page(name: str) -> bool:
    return name.endswith("_page") or name in ("dsl_desk.ui.main_window", "dsl_desk.ui.navigation")


def test_the_unlock_screen_paints_before_the_store_the_services_and_the_pages_load(ctx, data_paths):
    ctx.close()  # a real desk with one account; the app opens it in its own process
    result = subprocess.run(
        [sys.executable, "-c", UNLOCK_SCREEN, str(data_paths.root)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["code"] == 0
    assert report["shown"] is not None, "the unlock screen never showed"
    assert report["before_paint"] is not None, "the unlock screen never painted"
    loaded = [m for m in report["shown"] if _root_is(m, BEFORE_UNLOCK_HEAVY) or _is_page(m)]
    assert not loaded, f"loaded before the unlock screen showed: {loaded[:10]}"
    on_gui_thread = [m for m in report["before_paint"] if _root_is(m, BEFORE_UNLOCK_HEAVY) or _is_page(m)]
    assert not on_gui_thread, (
        f"imported on the GUI thread before the unlock screen painted: {on_gui_thread[:10]}"
    )
