"""Benchmark what the dashboard asks about records every minute: transfers awaiting receipt, subject access
requests due, records past retention (services/records_due.py), and the checklist beside them.

    make bench-data          # once: the ten-year data set in benchmarks/out/data
    .venv/bin/python benchmarks/bench_records_due.py [--data-dir benchmarks/out/data] [--runs 7]

Not a timed test: it prints the median and fastest of a few runs, it does not fail.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import BENCH_PASSPHRASE, BENCH_USERNAME

from dsl_desk.core.clock import SystemClock
from dsl_desk.services.desk.policies import load_policies
from dsl_desk.services.desk.setup import sign_in
from dsl_desk.services.escalations.dashboard import list_open_checklist
from dsl_desk.services.records import retention, subject_access, transfers
from dsl_desk.services.records.due import list_records_due
from dsl_desk.store.paths import DataPaths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("benchmarks/out/data"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    paths = DataPaths(args.data_dir)
    ctx = sign_in(
        paths, BENCH_USERNAME, BENCH_PASSPHRASE, clock=SystemClock(), packs=load_policies(paths).packs
    )
    measured: list[tuple[str, Callable[..., object]]] = [
        ("retention summary", retention.records_due),
        ("subject access due", subject_access.records_due),
        ("transfers awaiting receipt", transfers.records_due),
        ("all records owed", list_records_due),
        ("open checklist", list_open_checklist),
    ]
    try:
        for name, call in measured:
            call(ctx)  # warm the page cache, as the dashboard's first refresh does
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                call(ctx)
                times.append((time.perf_counter() - start) * 1000)
            print(f"{name:<28} median {statistics.median(times):6.1f} ms   fastest {min(times):6.1f} ms")
    finally:
        ctx.close()


if __name__ == "__main__":
    main()
