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
