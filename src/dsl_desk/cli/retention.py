"""`dsl-desk retention list|hold|lift|delete|tidy`: the retention review from the command line.

The child's name that confirms a deletion is typed when asked (read from standard input, after the passphrase
when --passphrase-stdin is used), never given as an argument: the shell's history would keep the name of a child
whose record was deleted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from dsl_desk.cli.types import record_id
from dsl_desk.core.clock import Clock
from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.store.paths import DataPaths

Handler = Callable[[argparse.Namespace, DataPaths, Clock], int]


def register(
    subparsers: Any, *, unlock_options: Callable[[argparse.ArgumentParser], None]
) -> dict[str, Handler]:
    retention = subparsers.add_parser(
        "retention", help="records past their retention date: review, keep longer, delete"
    )
    actions = retention.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="records past their retention date, and records kept longer")
    listing.add_argument("--json", action="store_true")
    unlock_options(listing)
    hold = actions.add_parser("hold", help="keep a record past its retention date")
    hold.add_argument("child_id", type=record_id, metavar="CHILD_ID")
    hold.add_argument("--reason", required=True, help="why it is kept (kept with the hold)")
    hold.add_argument("--review-on", help="when to look at it again, YYYY-MM-DD")
    unlock_options(hold)
    lift = actions.add_parser("lift", help="end the hold on a record")
    lift.add_argument("child_id", type=record_id, metavar="CHILD_ID")
    unlock_options(lift)
    delete = actions.add_parser(
        "delete", help="delete a record past its retention date (asks for the child's full name)"
    )
    delete.add_argument("child_id", type=record_id, metavar="CHILD_ID")
    delete.add_argument("--reason", required=True, help="why (kept after the record is gone: no names)")
    unlock_options(delete)
    tidy = actions.add_parser("tidy", help="rewrite the database file so deleted records leave no trace")
    unlock_options(tidy)
    return {"retention": _retention}


def _retention(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import with_context

    work = {"list": _list, "hold": _hold, "lift": _lift, "delete": _delete, "tidy": _tidy}[
        args.retention_command
    ]
    return int(with_context(args, paths, clock, lambda ctx: work(args, ctx)))


def _list(args: argparse.Namespace, ctx: Any) -> int:
    from dsl_desk.cli.output import print_json, print_table
    from dsl_desk.services.records.retention import list_due_for_review
    from dsl_desk.services.records.retention_holds import list_holds

    due, holds = list_due_for_review(ctx), list_holds(ctx)
    if args.json:
        print_json({"due": due, "kept_longer": holds})
        return 0
    print("Past their retention date:")
    print_table(
        [_ReviewLine.of(row) for row in due],
        ["child_id", "name", "date_of_birth", "keep_until", "what_would_go", "stops_it"],
        ["Id", "Name", "Born", "Kept until", "Would go", "What stops deletion"],
    )
    print()
    print("Kept longer:")
    print_table(
        holds,
        ["child_id", "name", "date_of_birth", "review_on", "reason"],
        ["Id", "Name", "Born", "Review on", "Why"],
    )
    return 0


@dataclass(frozen=True)
class _ReviewLine:
    """A review row with its words filled in, for the plain table."""

    child_id: int
    name: str
    date_of_birth: date
    keep_until: date
    what_would_go: str
    stops_it: str

    @classmethod
    def of(cls, row: Any) -> _ReviewLine:
        stops = " ".join(row.blockers) or "nothing: it can be deleted"
        return cls(row.child_id, row.name, row.date_of_birth, row.keep_until, row.what_would_go, stops)


def _hold(args: argparse.Namespace, ctx: Any) -> int:
    from dsl_desk.cli.commands import CliError
    from dsl_desk.services.records.retention_holds import place_hold

    review_on = None
    if args.review_on:
        from dsl_desk.cli.types import parse_day

        try:
            review_on = parse_day(args.review_on)
        except ValueError:
            raise CliError(f"--review-on must be a date like 2027-09-01, not “{args.review_on}”.") from None
    hold = place_hold(ctx, args.child_id, args.reason, review_on)
    when = f" Review it on {day_month_year(hold.review_on)}." if hold.review_on else ""
    print(f"{hold.name}'s record is kept longer.{when}")
    return 0


def _lift(args: argparse.Namespace, ctx: Any) -> int:
    from dsl_desk.services.records.retention_holds import lift_hold

    lift_hold(ctx, args.child_id)
    print("The hold is lifted. The record is back on the review list if it is past its retention date.")
    return 0


def _delete(args: argparse.Namespace, ctx: Any) -> int:
    from dsl_desk.cli.commands import CliError
    from dsl_desk.services.records.retention_deletion import delete_record, deletion_preview

    preview = deletion_preview(ctx, args.child_id)
    print(f"{preview.name}, born {day_month_year(preview.date_of_birth)}. {preview.due_because}")
    if not preview.can_delete:
        reasons = " ".join(preview.blockers) or "It is not past its retention date yet."
        raise CliError(f"This record cannot be deleted now. {reasons} Nothing was deleted.")
    print("Deleting it removes, for good:")
    for line in preview.lines:
        print(f"  - {line}")
    print("This cannot be undone. " + preview.backup_note)
    print("Type the child's full name to confirm: ", end="", flush=True)
    typed = sys.stdin.readline()
    if not typed:
        raise CliError("No name was typed, so nothing was deleted.")
    result = delete_record(ctx, args.child_id, args.reason, typed.rstrip("\r\n"))
    print()
    print(result.message)
    return 0 if result.file_overwritten else 1


def _tidy(args: argparse.Namespace, ctx: Any) -> int:
    from dsl_desk.services.records.retention_deletion import tidy_database_file

    problem = tidy_database_file(ctx)
    if problem:
        print(f"dsl-desk: the database file could not be rewritten ({problem}).", file=sys.stderr)
        return 1
    print("The database file was rewritten: deleted records leave nothing in it.")
    return 0
