"""`dsl-desk report`: the period's figures (Wigan's quarterly analysis) as text, JSON, CSV or the governors'
report PDF; the lessons log as PDF or CSV. Counts only unless --references is given; never a child's name.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dsl_desk.cli.types import day
from dsl_desk.core.clock import Clock
from dsl_desk.store.paths import DataPaths

Handler = Callable[[argparse.Namespace, DataPaths, Clock], int]


def register(
    subparsers: Any, *, unlock_options: Callable[[argparse.ArgumentParser], None]
) -> dict[str, Handler]:
    report = subparsers.add_parser(
        "report", help="figures for a period (governors, partnership): text, --json, --csv, --pdf (audited)"
    )
    report.add_argument("--from", dest="start", required=True, type=day, help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="end", required=True, type=day, help="last day, YYYY-MM-DD (included)")
    report.add_argument("--json", action="store_true", help="print the figures as JSON")
    report.add_argument("--csv", metavar="FILE", help="write the anonymised figures as CSV")
    report.add_argument("--pdf", metavar="FILE", help="write the governors' report as PDF")
    report.add_argument("--lessons-pdf", metavar="FILE", help="write the lessons log as PDF")
    report.add_argument("--lessons-csv", metavar="FILE", help="write the lessons log as CSV")
    report.add_argument("--chair", default="", help="the chair of governors' name, for the signature block")
    report.add_argument(
        "--references", action="store_true", help="add case references (never names) to the exports"
    )
    unlock_options(report)
    return {"report": _report}


def _report(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import CliError, with_context
    from dsl_desk.core.periods import custom_period

    if args.end < args.start:
        raise CliError("--to must be on or after --from.")
    period = custom_period(args.start, args.end)
    figures, written = with_context(args, paths, clock, lambda ctx: _run(ctx, period, args))
    if args.json:
        from dsl_desk.cli.output import print_json

        print_json(figures)
    else:
        _print_figures(figures)
    for path in written:
        print(f"Wrote {path}")
    return 0


def _run(ctx: Any, period: Any, args: argparse.Namespace) -> tuple[Any, list[Path]]:
    from dsl_desk.services.learning.lessons import export_lessons_csv, export_lessons_pdf
    from dsl_desk.services.learning.reports import export_figures_csv, export_governors_report, period_figures

    refs = args.references
    written: list[Path] = []
    exports = (
        (args.csv, lambda p: export_figures_csv(ctx, period, p, include_references=refs)),
        (
            args.pdf,
            lambda p: export_governors_report(ctx, period, p, include_references=refs, chair_name=args.chair),
        ),
        (args.lessons_pdf, lambda p: export_lessons_pdf(ctx, period, p, include_references=refs)),
        (args.lessons_csv, lambda p: export_lessons_csv(ctx, period, p, include_references=refs)),
    )
    for target, export in exports:
        if target:
            written.append(export(Path(target).expanduser().resolve()))
    return period_figures(ctx, period, include_references=refs), written


def _print_figures(figures: Any) -> None:
    from dsl_desk.core.learning import format_days

    print(f"{figures.organisation}: {figures.label}")
    for label, value in (
        ("Opened", figures.opened),
        ("Resolved", figures.resolved),
        ("Withdrawn", figures.withdrawn),
        ("Open at the end", figures.open_at_end),
        ("Median working days to resolution", format_days(figures.median_days)),
        ("Longest working days to resolution", format_days(figures.longest_days)),
        ("Learning referred to the partnership", figures.referred_to_board),
    ):
        print(f"  {label}: {value}")
    for title, counts in (
        ("By category", figures.by_category),
        ("By other agency", figures.by_agency),
        ("Resolved at stage", figures.resolved_at_stage),
    ):
        print(f"{title}:")
        for count in counts or ():
            print(f"  {count.count:>3}  {count.label}")
    print("Stage timescales (met / missed / no timescale):")
    for row in figures.timescales:
        print(f"  {row.met:>3} / {row.missed} / {row.no_timescale}  {row.name}")
