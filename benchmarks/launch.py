"""Start the real DSL Desk GUI for benchmarks/run.py and time it from outside the product.

    python benchmarks/launch.py [--typing SECONDS] [--first-notice] -- [dsl-desk arguments]

Nothing benchmark-specific ships in src/: this script makes the QApplication itself (app.run_gui reuses an
existing one), installs an event filter on it, then calls the normal `dsl_desk.cli.main`. The filter

- notes when the unlock screen first paints (and quits there with `--stop-at-unlock`), waits `--typing` seconds (a person typing the passphrase;
  whatever the app loads in the background meanwhile is loaded while they type), then fills the account
  and passphrase from DSL_DESK_BENCH_USER / DSL_DESK_BENCH_PASSPHRASE and presses Unlock;
- notes when the main window shows and when the dashboard first paints with its rows;
- with `--first-notice`, waits `--pause` seconds more (the DSL finding the escalation), then times the
  session's first signed Escalation Notice (services' export_form, as the Forms page calls it);
- prints one `DSL_DESK_BENCH {...}` JSON line (seconds since DSL_DESK_BENCH_T0 at each mark, peak RSS)
  and quits the application the normal way.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

T0_ENV = "DSL_DESK_BENCH_T0"  # time.time() when the parent spawned this process
MARKER = "DSL_DESK_BENCH "
NOTICE_POLICY, NOTICE_FORM = "st_helens", "st_helens_escalation_notice"


def since_start() -> float:
    t0 = float(os.environ.get(T0_ENV) or 0) or time.time()
    return round(time.time() - t0, 4)


def peak_rss_kib() -> int:
    """Peak resident memory of this process so far (KiB): VmHWM on Linux, ru_maxrss elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        import resource
    except ImportError:  # Windows
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def make_probe(app: Any, options: argparse.Namespace) -> Any:
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Probe(QObject):
        def __init__(self) -> None:
            super().__init__(app)
            self.marks: dict[str, Any] = {"qt_ready": since_start()}
            self.dashboard: Any = None
            self.window: Any = None
            self.dialog: Any = None
            app.installEventFilter(self)

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            kind = event.type()
            if kind == QEvent.Type.Show:
                self._on_show(watched)
            elif kind == QEvent.Type.Paint:
                self._on_paint(watched)
            return False

        def _on_show(self, watched: QObject) -> None:
            name = type(watched).__name__
            if name == "UnlockDialog" and self.dialog is None:
                self.marks["unlock_shown"] = since_start()
                self.dialog = watched
            elif name == "MainWindow" and self.window is None:
                self.marks["window_shown"] = since_start()
                self.window = watched
                # The dashboard loads its rows while the window is built, so its first paint shows them.
                self.dashboard = watched.pages.get("dashboard")  # type: ignore[attr-defined]

        def _on_paint(self, watched: QObject) -> None:
            if self.dialog is not None and "unlock_painted" not in self.marks:
                if watched is self.dialog or self.dialog.isAncestorOf(watched):
                    self.marks["unlock_painted"] = since_start()
                    if options.stop_at_unlock:
                        QTimer.singleShot(0, self._finish)
                    else:
                        QTimer.singleShot(round(options.typing * 1000), self._unlock)
            elif self._first_dashboard_paint(watched):
                self.marks["dashboard_painted"] = since_start()
                self.marks["rows"] = len(getattr(self.dashboard, "cases", ()))
                self.marks["checklist_rows"] = len(getattr(self.dashboard, "items", ()))
                self.marks["peak_rss_at_dashboard_kib"] = peak_rss_kib()
                if options.first_notice:
                    QTimer.singleShot(round(options.pause * 1000), self._first_notice)
                else:
                    QTimer.singleShot(0, self._finish)  # let this paint finish first

        def _first_dashboard_paint(self, watched: QObject) -> bool:
            if self.dashboard is None or "dashboard_painted" in self.marks:
                return False
            return watched is self.dashboard or self.dashboard.isAncestorOf(watched)

        def _unlock(self) -> None:
            panel = self.dialog.panel
            wanted = os.environ.get("DSL_DESK_BENCH_USER", "")
            if wanted:
                panel.account.setCurrentIndex(max(0, panel.account.findData(wanted)))
            panel.secret.setText(os.environ.get("DSL_DESK_BENCH_PASSPHRASE", ""))
            self.marks["unlock_started"] = since_start()
            panel.try_unlock()
            if self.dialog.context is None and not getattr(panel, "busy", False):
                self.marks["error"] = panel.message.text() or "unlock failed"
                self._finish()

        def _first_notice(self) -> None:
            ctx = self.window.ctx
            from dsl_desk.services.paperwork.exports import export_form

            with ctx.store.engine.connect() as connection:
                escalation_id = connection.exec_driver_sql(
                    "SELECT id FROM escalations WHERE policy_id = ? AND status = 'open' ORDER BY id LIMIT 1",
                    (NOTICE_POLICY,),
                ).scalar_one()
            started = time.perf_counter()
            export_form(ctx, escalation_id, NOTICE_FORM, sign=True)
            self.marks["first_notice_ms"] = round((time.perf_counter() - started) * 1000, 1)
            started = time.perf_counter()
            export_form(ctx, escalation_id, NOTICE_FORM, sign=True)
            self.marks["second_notice_ms"] = round((time.perf_counter() - started) * 1000, 1)
            self._finish()

        def _finish(self) -> None:
            app.removeEventFilter(self)
            self.marks["peak_rss_kib"] = peak_rss_kib()
            print(MARKER + json.dumps(self.marks), flush=True)
            app.closeAllWindows()  # quits the normal way: the window locks, the instance lock is released
            app.exit(0 if "error" not in self.marks else 3)

    return Probe()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--typing", type=float, default=1.0, help="seconds spent typing the passphrase")
    parser.add_argument("--first-notice", action="store_true", help="also time the first Notice")
    parser.add_argument("--pause", type=float, default=5.0, help="seconds before the first Notice")
    parser.add_argument("--stop-at-unlock", action="store_true", help="quit once the unlock screen paints")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="-- then dsl-desk's own arguments")
    options = parser.parse_args(argv)
    rest = options.rest[1:] if options.rest[:1] == ["--"] else options.rest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app._dsl_desk_bench_launcher = make_probe(app, options)  # kept alive as long as the application
    from dsl_desk.cli import main as dsl_desk_main

    return dsl_desk_main(rest)


if __name__ == "__main__":
    sys.exit(main())
