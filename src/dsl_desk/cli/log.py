"""`dsl-desk log …`: list a child's discussion log, search every entry, export a chronology to PDF."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsl_desk.cli.types import record_id
from dsl_desk.core.clock import Clock, london
from dsl_desk.core.dates_in_words import numeric_date_time
from dsl_desk.store.paths import DataPaths

Handler = Callable[[argparse.Namespace, DataPaths, Clock], int]


def register(
    subparsers: Any, *, unlock_options: Callable[[argparse.ArgumentParser], None]
) -> dict[str, Handler]:
    log = subparsers.add_parser("log", help="the discussion log: list, search, export a chronology")
    actions = log.add_subparsers(dest="log_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="a child's entries, in the order things happened")
    listing.add_argument("--child", type=record_id, required=True, help="child id (see `dsl-desk children`)")
    listing.add_argument("--json", action="store_true")
    unlock_options(listing)
    search = actions.add_parser("search", help="find entries containing every word")
    search.add_argument("text")
    search.add_argument("--child", type=record_id, help="only this child's entries")
    search.add_argument("--json", action="store_true")
    unlock_options(search)
    export = actions.add_parser("export", help="export a child's chronology to PDF (audited)")
    export.add_argument("--child", type=record_id, required=True)
    export.add_argument("--escalation", type=record_id, help="only the entries about this escalation")
    export.add_argument("--out", required=True, help="the PDF file to write")
    unlock_options(export)
    return {"log": _log}


def _log(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    handlers = {"list": _list, "search": _search, "export": _export}
    return handlers[args.log_command](args, paths, clock)


def _list(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import with_context
    from dsl_desk.cli.output import print_json, print_table
    from dsl_desk.services.log.reading import list_entries

    rows = with_context(args, paths, clock, lambda ctx: list_entries(ctx, args.child))
    if args.json:
        print_json(rows)
        return 0
    table = [_line(row) for row in rows]
    print_table(
        table,
        ["id", "occurred", "method", "author", "state", "summary"],
        ["Id", "When", "How", "Written by", "State", "Summary"],
    )
    return 0


@dataclass(frozen=True)
class _Line:
    id: int
    occurred: str
    method: str
    author: str
    state: str
    summary: str


def _line(row: Any) -> _Line:
    state = []
    if row.amended_by_id:
        state.append(f"corrected by {row.amended_by_id}")
    if row.amends_id:
        state.append(f"corrects {row.amends_id}")
    if row.late:
        state.append(f"recorded late ({row.late_by})")
    if row.kind == "dissent":
        state.append("dissent")
    when = london(row.occurred_at)
    return _Line(
        row.id,
        numeric_date_time(when),
        row.method_label,
        row.author,
        "; ".join(state),
        _one_line(row.summary),
    )


def _search(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import with_context
    from dsl_desk.cli.output import print_json
    from dsl_desk.services.log.search import search_log
    from dsl_desk.store.search import MATCH_END, MATCH_START, SearchFilters

    filters = SearchFilters(child_id=args.child)
    result = with_context(args, paths, clock, lambda ctx: search_log(ctx, args.text, filters))
    if args.json:
        print_json(result)
        return 0
    if not result.hits:
        print("No entries contain those words.")
        return 0
    for hit in result.hits:
        flag = " (corrected later)" if hit.superseded else ""
        print(
            f"#{hit.entry_id}  {numeric_date_time(hit.occurred_at)}  {hit.child_name}  {hit.method_label}{flag}"
        )
        # Matches in [brackets]: a terminal may not show bold, and brackets survive copying.
        print("    " + _one_line(hit.snippet.replace(MATCH_START, "[").replace(MATCH_END, "]"), 200))
    if result.more:
        print(f"(only the first {len(result.hits)} matches are shown: add words to narrow the search)")
    return 0


def _export(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import with_context
    from dsl_desk.services.log.export import export_chronology

    out = Path(args.out).expanduser()
    result = with_context(
        args, paths, clock, lambda ctx: export_chronology(ctx, args.child, out, escalation_id=args.escalation)
    )
    print(
        f"Wrote {result.path}: {result.entries} entries on {result.pages} page{'s' if result.pages != 1 else ''}. The export was audited."
    )
    return 0


def _one_line(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
