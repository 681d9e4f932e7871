"""A start-up probe for benchmarks/run.py: sign in without typing, and quit once the dashboard has painted.

Inert unless DSL_DESK_BENCH_AUTOSTART is set: then the unlock screen is filled from DSL_DESK_PASSPHRASE and
submitted, and when the dashboard's table of open escalations first paints with its rows the process
prints one JSON line (seconds since DSL_DESK_BENCH_T0 at each step, peak memory) and exits. Nothing here is
imported by a normal start; app.run_gui calls `install_if_requested(app)` and it returns at once.

`python -m dsl_desk.bench_hooks [dsl-desk arguments]` does the same without that call in app.py: it makes
the QApplication first (run_gui reuses an existing one), installs the probe, then runs the normal `main`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

AUTOSTART_ENV = "DSL_DESK_BENCH_AUTOSTART"
T0_ENV = "DSL_DESK_BENCH_T0"  # time.time() when the parent started the process
MARKER = "DSL_DESK_BENCH "


def install_if_requested(app: Any) -> None:
    """Called by app.run_gui once the QApplication exists. Does nothing in normal use."""
    if not os.environ.get(AUTOSTART_ENV) or getattr(app, "_dsl_desk_bench_probe", None) is not None:
        return
    app._dsl_desk_bench_probe = _make_probe(app)  # kept alive as long as the application


def _since_start() -> float:
    t0 = float(os.environ.get(T0_ENV) or 0) or time.time()
    return round(time.time() - t0, 4)


def _peak_rss_kib() -> int:
    """Peak resident memory of this process (KiB): VmHWM on Linux, ru_maxrss elsewhere."""
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
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS reports bytes


def _make_probe(app: Any) -> Any:
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Probe(QObject):
        def __init__(self) -> None:
            super().__init__(app)
            self.marks: dict[str, float] = {"qt_ready": _since_start()}
            self.dashboard: Any = None
            self.window: Any = None
            app.installEventFilter(self)

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            kind = event.type()
            if kind == QEvent.Type.Show:
                self._on_show(watched)
            elif kind == QEvent.Type.Paint and self._first_dashboard_paint(watched):
                self._on_dashboard_paint()
            return False

        def _first_dashboard_paint(self, watched: QObject) -> bool:
            if self.dashboard is None or "dashboard_painted" in self.marks:
                return False
            return watched is self.dashboard or self.dashboard.isAncestorOf(watched)

        def _on_show(self, watched: QObject) -> None:
            name = type(watched).__name__
            if name == "UnlockDialog" and "unlock_shown" not in self.marks:
                self.marks["unlock_shown"] = _since_start()
                QTimer.singleShot(0, lambda: self._unlock(watched))
            elif name == "MainWindow" and self.window is None:
                self.marks["window_shown"] = _since_start()
                self.window = watched
                # The dashboard loads its rows while the window is built, so its first paint shows them.
                self.dashboard = watched.pages.get("dashboard")  # type: ignore[attr-defined]

        def _unlock(self, dialog: Any) -> None:
            panel = dialog.panel
            wanted = os.environ.get("DSL_DESK_BENCH_USER", "")
            if wanted:
                panel.account.setCurrentIndex(max(0, panel.account.findData(wanted)))
            panel.secret.setText(os.environ.get("DSL_DESK_PASSPHRASE", ""))
            self.marks["unlock_started"] = _since_start()
            panel.try_unlock()
            if dialog.context is None:
                self._finish({"error": panel.message.text() or "unlock failed"})

        def _on_dashboard_paint(self) -> None:
            self.marks["dashboard_painted"] = _since_start()
            rows = {
                "rows": len(getattr(self.dashboard, "cases", ())),
                "checklist_rows": len(getattr(self.dashboard, "items", ())),
            }
            # Let this paint finish before leaving.
            QTimer.singleShot(0, lambda: self._finish(rows))

        def _finish(self, extra: dict[str, Any]) -> None:
            app.removeEventFilter(self)
            report = {**self.marks, **extra, "peak_rss_kib": _peak_rss_kib()}
            print(MARKER + json.dumps(report), flush=True)
            ctx = getattr(self.window, "ctx", None)
            if ctx is not None:
                ctx.close()
                self.window.ctx = None
            app.exit(0 if "error" not in extra else 3)

    return Probe()


def main(argv: list[str] | None = None) -> int:
    """`python -m dsl_desk.bench_hooks ARGS`: `dsl-desk ARGS` with the probe installed."""
    os.environ.setdefault(AUTOSTART_ENV, "1")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_if_requested(app)
    from dsl_desk.cli import main as dsl_desk_main

    return dsl_desk_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
