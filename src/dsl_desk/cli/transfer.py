"""`dsl-desk transfer …`: send a child's file to a new school, import one received, track receipts.

The transfer password of a file being imported comes from $DSL_DESK_TRANSFER_PASSWORD or standard input
(after the database passphrase, when that comes on standard input too), never from an argument.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsl_desk.cli.types import record_id
from dsl_desk.core.clock import Clock, london
from dsl_desk.core.dates_in_words import day_month_year, iso_date
from dsl_desk.store.paths import DataPaths

Handler = Callable[[argparse.Namespace, DataPaths, Clock], int]
TRANSFER_PASSWORD_ENV = "DSL_DESK_TRANSFER_PASSWORD"  # noqa: S105 - the name of a variable, not a secret


def register(
    subparsers: Any, *, unlock_options: Callable[[argparse.ArgumentParser], None]
) -> dict[str, Handler]:
    transfer = subparsers.add_parser(
        "transfer", help="case transfer: send a child's file to a new school, import one"
    )
    actions = transfer.add_subparsers(dest="transfer_command", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export", help="write a child's whole file as an encrypted, signed transfer file"
    )
    export.add_argument("child_id", type=record_id, help="child id (see `dsl-desk children`)")
    export.add_argument("--to-school", required=True, help="the school the child is moving to")
    export.add_argument("--to-dsl", default="", help="their DSL's name")
    export.add_argument("--contact", default="", help="their DSL's email or phone")
    export.add_argument("--method", default="", help="how it will be sent, e.g. 'Secure email'")
    export.add_argument("--keep-until", help="keep our copy until this date, YYYY-MM-DD (default: a year)")
    export.add_argument(
        "--out", required=True, help="the folder to write the transfer file and PDF summary to"
    )
    unlock_options(export)
    sent = actions.add_parser(
        "sent", help="record that a transfer file has been sent (starts the receipt countdown)"
    )
    sent.add_argument("id", type=record_id, help="transfer id (see `dsl-desk transfer list`)")
    sent.add_argument("--method", default="", help="how it was sent")
    unlock_options(sent)
    ack = actions.add_parser("ack", help="record that the receiving school confirmed receipt")
    ack.add_argument("id", type=record_id)
    ack.add_argument("--by", required=True, help="who confirmed receipt")
    unlock_options(ack)
    chase = actions.add_parser("chase", help="print a chase message (no child's name) and record the chase")
    chase.add_argument("id", type=record_id)
    unlock_options(chase)
    listing = actions.add_parser("list", help="transfers out and in, with receipt due dates")
    listing.add_argument("--json", action="store_true")
    unlock_options(listing)
    imported = actions.add_parser(
        "import",
        help=f"import a transfer file as a new child (password from ${TRANSFER_PASSWORD_ENV} or stdin)",
    )
    imported.add_argument("file", help="the .dsltransfer file")
    imported.add_argument(
        "--fingerprint",
        default="",
        help="the sending DSL's certificate fingerprint, as they read it out to you by telephone: needed "
        "unless this desk already knows their certificate (the refusal shows the one to compare)",
    )
    unlock_options(imported)
    return {"transfer": _transfer}


def _transfer(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    handlers = {
        "export": _export,
        "sent": _sent,
        "ack": _ack,
        "chase": _chase,
        "list": _list,
        "import": _import,
    }
    return handlers[args.transfer_command](args, paths, clock)


def _export(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import CliError, with_context
    from dsl_desk.services.records.transfers import Destination, export_bundle

    keep = None
    if args.keep_until:
        from dsl_desk.cli.types import parse_day

        try:
            keep = parse_day(args.keep_until)
        except ValueError:
            raise CliError(f"--keep-until must be a date like 2027-01-31, not “{args.keep_until}”.") from None
    destination = Destination(args.to_school, args.to_dsl, args.contact, args.method)
    result = with_context(
        args,
        paths,
        clock,
        lambda ctx: export_bundle(
            ctx, args.child_id, destination, Path(args.out).expanduser(), keep_copy_until=keep
        ),
    )
    print(f"Transfer file: {result.bundle_path}")
    print(f"PDF summary:   {result.summary_path}")
    print(
        f"Transfer id:   {result.transfer_id} (run `dsl-desk transfer sent {result.transfer_id}` once it has gone)"
    )
    print(f"Keep our copy until {day_month_year(result.keep_copy_until)}.")
    print(f"Signing certificate fingerprint: {result.fingerprint}")
    print()
    print(f"TRANSFER PASSWORD (shown once): {result.password}")
    print("Give it to the receiving DSL by telephone, never in the same email as the files.")
    return 0


def _sent(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import with_context
    from dsl_desk.services.records.transfers import mark_sent

    row = with_context(args, paths, clock, lambda ctx: mark_sent(ctx, args.id, method=args.method))
    print(f"Transfer {row.id} marked as sent; receipt {row.receipt_words}.")
    return 0


def _ack(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import with_context
    from dsl_desk.services.records.transfers import record_acknowledgement

    row = with_context(args, paths, clock, lambda ctx: record_acknowledgement(ctx, args.id, args.by))
    print(f"Transfer {row.id}: {row.status_words}.")
    return 0


def _chase(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import with_context
    from dsl_desk.services.records.transfers import record_chase

    print(with_context(args, paths, clock, lambda ctx: record_chase(ctx, args.id)))
    return 0


@dataclass(frozen=True)
class _Line:
    id: int
    direction: str
    child: str
    school: str
    status: str
    receipt: str
    created: str


def _list(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import with_context
    from dsl_desk.cli.output import print_json, print_table
    from dsl_desk.services.records.transfers import list_transfers

    rows = with_context(args, paths, clock, list_transfers)
    if args.json:
        print_json(rows)
        return 0
    lines = [
        _Line(
            r.id,
            "sent to" if r.direction == "out" else "from",
            r.child or "(record deleted)",
            r.other_school,
            r.status_words,
            r.receipt_words or "–",
            iso_date(london(r.created_at).date()),
        )
        for r in rows
    ]
    print_table(
        lines,
        ["id", "direction", "school", "child", "status", "receipt", "created"],
        ["Id", "Direction", "School", "Child", "Status", "Receipt", "Made"],
    )
    return 0


def _import(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import with_context
    from dsl_desk.services.records.transfers import import_bundle

    path = Path(args.file).expanduser()

    def work(ctx: Any) -> Any:
        # Read here, after the database passphrase: both may come on standard input, in that order.
        return import_bundle(ctx, path, _transfer_password(), confirmed_fingerprint=args.fingerprint)

    result = with_context(args, paths, clock, work)
    print(
        f"Imported the file from {result.from_school} as a new child: {result.child_name} (id {result.child_id})."
    )
    how = (
        "confirmed by telephone, and now trusted by this desk"
        if result.newly_trusted
        else "a certificate this desk already knows"
    )
    print(f"Signed by {result.signer.name}: fingerprint {result.signer.fingerprint} ({how}).")
    if result.transferred_open:
        count = result.transferred_open
        still = "1 escalation was" if count == 1 else f"{count} escalations were"
        print(
            f"{still} still open at {result.from_school}: kept as 'transferred', not as open cases here. "
            "Open your own escalation if you share the concern."
        )
    return 0


def _transfer_password() -> str:
    from dsl_desk.cli.commands import CliError

    if os.environ.get(TRANSFER_PASSWORD_ENV):
        return os.environ[TRANSFER_PASSWORD_ENV]
    if sys.stdin.isatty():
        return getpass.getpass("Transfer password (from the sending DSL's phone call): ")
    line = sys.stdin.readline()
    if not line.strip():
        raise CliError(
            f"No transfer password given. Set {TRANSFER_PASSWORD_ENV} or pipe it in on standard input. "
            "Nothing was imported."
        )
    return line.rstrip("\r\n")
