"""Where the time goes on each path of issue 17: cProfile and `python -X importtime`, on the 1× data set.

    python benchmarks/profile_paths.py [PATH ...] [--top N] [--data DIR]

PATH is one of: imports (what is imported before the unlock screen paints, by cumulative import time),
unlock (sign in and build the main window until the dashboard has painted), dashboard, page (the dashboard
page's refresh), chronology, search, sign (render + sign a Notice, warm), first-notice (the first Notice of
a fresh process). Each prints the top functions by cumulative time; read them with the code.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import BENCH_PASSPHRASE, BENCH_USERNAME, CHRONOLOGY_CHILD_ID  # noqa: E402
from run import OUT, Desk, find, qt_app  # noqa: E402

PATHS = ("imports", "unlock", "dashboard", "page", "chronology", "search", "sign", "first-notice")


def profiled(label: str, work: Callable[[], Any], top: int, *, repeat: int = 1) -> None:
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for _ in range(repeat):
        work()
    profile.disable()
    elapsed = (time.perf_counter() - started) * 1000 / repeat
    stream = io.StringIO()
    pstats.Stats(profile, stream=stream).sort_stats("cumulative").print_stats(top)
    print(f"\n=== {label}: {elapsed:.1f} ms per call under the profiler ===")
    print("\n".join(line for line in stream.getvalue().splitlines() if line.strip())[:20000])


def imports(data: Path, top: int) -> None:
    """-X importtime of the real start, cut where the unlock screen paints."""
    env = {
        **os.environ,
        "DSL_DESK_BENCH_T0": repr(time.time()),
        "DSL_DESK_BENCH_PASSPHRASE": BENCH_PASSPHRASE,
        "DSL_DESK_BENCH_USER": BENCH_USERNAME,
    }
    command = [sys.executable, "-X", "importtime", str(HERE / "launch.py"), "--stop-at-unlock"]
    result = subprocess.run(
        [*command, "--", "--data-dir", str(data)], capture_output=True, text=True, env=env, check=False
    )
    rows = []
    for line in result.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if found:
            rows.append((int(found[2]), len(found[3]) // 2, found[4]))
    total = sum(c for c, depth, _ in rows if depth == 0)
    print(f"\n=== imports before the unlock screen paints: {len(rows)} modules, {total / 1000:.0f} ms ===")
    for cumulative, depth, name in sorted(rows, reverse=True)[:top]:
        print(f"{cumulative / 1000:8.1f} ms  {'  ' * depth}{name}")
    heavy = ("sqlalchemy", "alembic", "holidays", "reportlab", "pyhanko", "dsl_desk.ui.pages")
    print("heavy modules loaded:", sorted({n.split(".")[0] for _, _, n in rows if n.startswith(heavy)}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=list(PATHS), choices=[*PATHS, []])
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--data", type=Path, default=OUT / "data")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if "imports" in args.paths:
        imports(args.data, args.top)
    if "first-notice" in args.paths:
        subprocess.run([sys.executable, __file__, "_first-notice", "--data", str(args.data)], check=False)
    if "unlock" in args.paths:
        unlock(args.data, args.top)
    wanted = [p for p in args.paths if p in ("dashboard", "page", "chronology", "search", "sign")]
    if not wanted:
        return 0
    desk = Desk(args.data)
    try:
        for path in wanted:
            run_path(path, desk, args.top)
    finally:
        desk.close()
    return 0


def unlock(data: Path, top: int) -> None:
    from dsl_desk.core.clock import SystemClock
    from dsl_desk.store.paths import DataPaths

    qt_app()
    load_policies = find("load_policies", "dsl_desk.services.desk.policies")
    sign_in = find("sign_in", "dsl_desk.services.desk.setup")
    main_window = find("MainWindow", "dsl_desk.ui.main_window")
    paths = DataPaths(data)
    packs = dict(load_policies(paths).packs)
    kept: list[Any] = []

    def work() -> None:
        ctx = sign_in(paths, BENCH_USERNAME, BENCH_PASSPHRASE, clock=SystemClock(), packs=packs)
        window = main_window(ctx, paths, SystemClock(), packs)
        window.show()
        qt_app().processEvents()
        kept.append(window)

    profiled("unlock → dashboard painted (sign_in + MainWindow + first paint)", work, top)
    for window in kept:
        window.close()


def run_path(path: str, desk: Desk, top: int) -> None:
    ctx = desk.ctx
    if path == "dashboard":
        cases = find("list_open_cases", "dsl_desk.services.escalations.dashboard")
        items = find("list_open_checklist", "dsl_desk.services.escalations.dashboard")
        profiled("dashboard refresh (services)", lambda: (cases(ctx), items(ctx)), top, repeat=3)
    elif path == "page":
        qt_app()
        page_class = find("DashboardPage", "dsl_desk.ui.desk.dashboard_page")
        signals = find("AppSignals", "dsl_desk.ui.signals")()
        page = page_class(ctx, signals)
        profiled("dashboard page refresh, nothing changed", page.refresh, top, repeat=3)
    elif path == "chronology":
        chronology = find("get_chronology", "dsl_desk.services.log.reading")
        profiled("chronology", lambda: chronology(ctx, CHRONOLOGY_CHILD_ID), top, repeat=3)
    elif path == "search":
        search = find("search_log", "dsl_desk.services.log.search")
        profiled("search", lambda: search(ctx, "Łukasik"), top, repeat=3)
    elif path == "sign":
        export_form = find("export_form", "dsl_desk.services.paperwork.exports")
        escalation_id = desk.raw(
            "SELECT id FROM escalations WHERE policy_id = 'st_helens' ORDER BY id LIMIT 1"
        )
        work = lambda: export_form(ctx, escalation_id[0][0], "st_helens_escalation_notice", sign=True)  # noqa: E731
        work()
        profiled("render + sign (warm)", work, top, repeat=3)


def first_notice(data: Path, top: int) -> None:
    desk = Desk(data)
    try:
        export_form = find("export_form", "dsl_desk.services.paperwork.exports")
        escalation_id = desk.raw(
            "SELECT id FROM escalations WHERE policy_id = 'st_helens' ORDER BY id LIMIT 1"
        )
        profiled(
            "first Notice of a fresh process",
            lambda: export_form(desk.ctx, escalation_id[0][0], "st_helens_escalation_notice", sign=True),
            top,
        )
    finally:
        desk.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["_first-notice"]:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        first_notice(Path(sys.argv[3]), 35)
        sys.exit(0)
    sys.exit(main())
