"""Run in a child process by test_fits_the_screen.py, on an offscreen screen of a given size and scale: opens the
main window, every page, every wizard (each page it can reach) and every dialog over the demo database, and
prints one JSON line: what was opened and how big it was, against the screen's available size.

`python tests/ui/fit_probe.py DATA_DIR` with QT_QPA_PLATFORM=offscreen:configfile=… and QT_SCALE_FACTOR set.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QScrollArea, QWidget, QWizard

ROOT = Path(__file__).resolve().parents[2]
ABSTRACT = {"DraftingWizard", "ServiceDialog"}  # bases, never shown on their own


def dialog_classes() -> dict[str, type]:
    """Every QDialog (and so QWizard) subclass defined in dsl_desk.ui, by class name."""
    import importlib
    import inspect
    import pkgutil

    import dsl_desk.ui

    found: dict[str, type] = {}
    for module_info in pkgutil.walk_packages(dsl_desk.ui.__path__, "dsl_desk.ui."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, QDialog) and value.__module__ == module.__name__:
                found[name] = value
    return {name: cls for name, cls in found.items() if name not in ABSTRACT}


def main(data_dir: str) -> int:
    app = QApplication(sys.argv[:1])
    from dsl_desk.ui.theme import apply_theme

    apply_theme(app)
    from dsl_desk.core.clock import SystemClock
    from dsl_desk.services.demo import DEMO_PASSPHRASE, DEMO_USERNAME
    from dsl_desk.services.desk.policies import load_policies
    from dsl_desk.services.desk.setup import sign_in
    from dsl_desk.services.escalations import reading as esc
    from dsl_desk.services.paperwork.exports import Recipient
    from dsl_desk.store.paths import DataPaths
    from dsl_desk.ui.main_window import MainWindow
    from dsl_desk.ui.navigation import NAVIGATION

    paths = DataPaths(Path(data_dir))
    clock = SystemClock()
    packs = dict(load_policies(paths).packs)
    ctx = sign_in(paths, DEMO_USERNAME, DEMO_PASSPHRASE, clock=clock, packs=packs)
    available = app.primaryScreen().availableGeometry()
    seen: list[dict] = []
    errors: list[str] = []

    def measure(name: str, widget: QWidget) -> None:
        app.processEvents()
        size = widget.frameGeometry().size()
        least = widget.minimumSizeHint().expandedTo(widget.minimumSize())
        sideways = [
            area.accessibleName() or area.objectName() or type(area.widget()).__name__
            for area in widget.findChildren(QScrollArea)
            if area.isVisible() and area.widget() is not None and area.horizontalScrollBar().isVisible()
        ]
        seen.append(
            {
                "name": name,
                "scrolls_sideways": sideways,
                "width": size.width(),
                "height": size.height(),
                "min_width": least.width(),
                "min_height": least.height(),
            }
        )

    window = MainWindow(ctx, paths, clock, packs)
    window.show()
    measure("main window", window)
    for key, _title, _factory in NAVIGATION:
        window.show_page(key)
        measure(f"page {key}", window)
    details = [esc.get_escalation(ctx, case.escalation_id) for case in esc.list_escalations(ctx)]
    by_pack: dict[str, int] = {}
    for detail in details:
        by_pack.setdefault(f"{detail.policy_id}:{detail.status}", detail.id)
    for label, escalation_id in sorted(by_pack.items()):
        window.show_escalation(escalation_id)
        measure(f"escalation page ({label})", window)
    records = window.show_page("records")
    for index in range(records.tabs.count()):
        records.tabs.setCurrentIndex(index)
        measure(f"records tab {records.tabs.tabText(index)}", window)

    an_open = next(d for d in details if d.status == "open" and d.policy_id == "st_helens" and d.checklist)
    a_resolved = next((d for d in details if d.status == "resolved"), an_open)
    child_id = an_open.child_id
    from dsl_desk.services.log.reading import list_entries
    from dsl_desk.services.people.children import get_child
    from dsl_desk.services.records.subject_access import list_requests
    from dsl_desk.services.records.subject_access_items import list_items

    entry_id = list_entries(ctx, child_id)[0].id
    request_id = list_requests(ctx)[0].id
    item = list_items(ctx, request_id)[0]
    window.show_escalation(an_open.id)  # "Log a discussion" from an escalation, as the walkthrough did

    from dsl_desk.core.learning import LessonLine
    from dsl_desk.services.records.retention import ReviewRow

    found = dialog_classes()  # each dialog by its class name, wherever the tree keeps it

    from datetime import date

    child = get_child(ctx, child_id)
    lesson = LessonLine(
        1,
        a_resolved.id,
        "",
        date(2026, 7, 1),
        "Threshold",
        "Children's Social Care",
        "Stage 2",
        "Earlier contact with the team manager would have helped.",
        True,
        None,
    )
    review = ReviewRow(
        child_id,
        child.name,
        date(2000, 1, 1),
        date(2025, 1, 1),
        date(2025, 1, 1),
        "past the retention date",
        1,
        3,
        0,
        (),
        False,
        True,
    )
    contact = next(c for c in ctx.pack("st_helens").contacts)
    fresh = DataPaths(Path(data_dir).parent / "fresh-desk")
    dialogs: dict[str, Callable[[], QDialog]] = {
        "LogEntryDialog": lambda: found["LogEntryDialog"](
            ctx, window, child_id=child_id, escalation_id=an_open.id
        ),
        "LogEntryDialog (amending)": lambda: found["LogEntryDialog"](
            ctx, window, child_id=child_id, amends=entry_id
        ),
        "ShareDialog": lambda: found["ShareDialog"](ctx, entry_id, window),
        "RetentionDeleteDialog": lambda: found["RetentionDeleteDialog"](ctx, child_id, window),
        "NewRequestDialog": lambda: found["NewRequestDialog"](ctx, window, child_id=child_id),
        "ExtendDialog": lambda: found["ExtendDialog"](ctx, request_id, window),
        "IdentityDialog": lambda: found["IdentityDialog"](ctx, request_id, window),
        "RespondedDialog": lambda: found["RespondedDialog"](ctx, request_id, window),
        "RedactNamesDialog": lambda: found["RedactNamesDialog"](ctx, request_id, window),
        "WithholdDialog": lambda: found["WithholdDialog"](ctx, request_id, item, window),
        "ChildImportDialog": lambda: found["ChildImportDialog"](ctx, window.signals, window),
        "TransferImportDialog": lambda: found["TransferImportDialog"](ctx, window.signals, window),
        "TransferOutDialog": lambda: found["TransferOutDialog"](
            ctx, window.signals, child_id, child.name, window
        ),
        "AboutDialog": lambda: found["AboutDialog"](paths.root, paths.database, window),
        "GettingStartedDialog": lambda: found["GettingStartedDialog"](ctx.pack("st_helens"), window),
        "ChildDialog": lambda: found["ChildDialog"](ctx, window),
        "ChildDialog (editing)": lambda: found["ChildDialog"](ctx, window, existing=child),
        "PartnershipContactDialog": lambda: found["PartnershipContactDialog"](
            ctx,
            "st_helens",
            contact.level,
            contact.name,
            contact.role,
            contact.agency,
            contact.phone,
            contact.email,
            "",
            window,
        ),
        "ProfessionalDialog": lambda: found["ProfessionalDialog"](ctx, window),
        "ChaseDialog": lambda: found["ChaseDialog"](esc.chase_message(ctx, an_open.id), window),
        "MarkDoneDialog": lambda: found["MarkDoneDialog"](an_open.checklist[0], window),
        "ShortenDialog": lambda: found["ShortenDialog"](ctx, an_open, window),
        "WithdrawDialog": lambda: found["WithdrawDialog"](ctx, an_open, window),
        "FollowUpDialog": lambda: found["FollowUpDialog"](lesson, window),
        "EmailDialog": lambda: found["EmailDialog"](
            Recipient(
                "St Helens Safeguarding Children Board", "lscb@sthelens.example", "Town Hall, St Helens"
            ),
            window,
        ),
        "PracticeAlertDialog": lambda: found["PracticeAlertDialog"](ctx, None, window),
        "KeepLongerDialog": lambda: found["KeepLongerDialog"](ctx, review, window),
        "AddDeputyDialog": lambda: found["AddDeputyDialog"](ctx, window),
        "ChangePassphraseDialog": lambda: found["ChangePassphraseDialog"](ctx, window),
        "SignatureDialog": lambda: found["SignatureDialog"](ctx, window),
        "UnlockDialog": lambda: found["UnlockDialog"](paths, clock, packs),
        "EscalateWizard": lambda: found["EscalateWizard"](ctx, an_open.id, window),
        "NewEscalationWizard": lambda: found["NewEscalationWizard"](ctx, window),
        "NewEscalationWizard (for a child)": lambda: found["NewEscalationWizard"](
            ctx, window, child_id=child_id
        ),
        "ResolveWizard": lambda: found["ResolveWizard"](ctx, an_open.id, window),
        "RestoreWizard": lambda: found["RestoreWizard"](ctx, window),
        "DamagedDatabaseDialog": lambda: found["DamagedDatabaseDialog"](
            paths, clock, packs, DEMO_USERNAME, DEMO_PASSPHRASE
        ),
        "SetupWizard": lambda: found["SetupWizard"](fresh, clock, packs),
    }
    for name, make in dialogs.items():
        try:
            dialog = make()
            dialog.show()
            measure(name, dialog)
            if isinstance(dialog, QWizard):
                for _step in range(12):  # every page it lets us reach without typing
                    before = dialog.currentId()
                    dialog.next()
                    if dialog.currentId() == before:
                        break
                    measure(f"{name} › {dialog.currentPage().title() or dialog.currentId()}", dialog)
            dialog.reject()
            dialog.deleteLater()
        except Exception:  # reported, and the test fails on it
            errors.append(f"{name}: {traceback.format_exc(limit=3)}")
    QTimer.singleShot(0, app.quit)
    print(
        "FIT "
        + json.dumps(
            {
                "available": [available.width(), available.height()],
                "dialog_classes": sorted(found),
                "opened_classes": sorted({n.split(" ")[0] for n in dialogs}),
                "seen": seen,
                "errors": errors,
            }
        )
    )
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
