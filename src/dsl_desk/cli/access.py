"""`dsl-desk sar …`: subject access requests from the command line, end to end.

dsl-desk sar new --child 3 --requester "Ms A Example" --relationship Mother --received 2026-01-05
dsl-desk sar list [--json]
dsl-desk sar items 1                      # what can be withheld, and the names suggested for redaction
dsl-desk sar redact 1 "Ravi Example"
dsl-desk sar withhold 1 --entry 12 --exemption child_abuse --reason "…" [--silent]
dsl-desk sar export 1 --out DIR           # response PDF + JSON, and the redaction log PDF
dsl-desk sar responded 1 --method "Secure email"
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from dsl_desk.cli.types import record_id
from dsl_desk.core.clock import Clock
from dsl_desk.core.dates_in_words import long_date
from dsl_desk.store.paths import DataPaths

Handler = Callable[[argparse.Namespace, DataPaths, Clock], int]


def register(
    subparsers: Any, *, unlock_options: Callable[[argparse.ArgumentParser], None]
) -> dict[str, Handler]:
    from dsl_desk.core.subject_access import EXEMPTIONS

    sar = subparsers.add_parser("sar", help="subject access requests: record, redact, withhold, export")
    actions = sar.add_subparsers(dest="sar_command", metavar="ACTION", required=True)
    new = actions.add_parser("new", help="record a request received")
    new.add_argument("--child", type=record_id, required=True, help="child id (see `dsl-desk children`)")
    new.add_argument("--requester", required=True, help="who made the request")
    new.add_argument("--relationship", required=True, help="who they are to the child, e.g. Mother")
    new.add_argument("--received", required=True, help="the date it was received, YYYY-MM-DD")
    new.add_argument("--identity-confirmed", action="store_true", help="their identity is already confirmed")
    listing = actions.add_parser("list", help="requests, open ones first with their due dates")
    listing.add_argument("--json", action="store_true")
    items = actions.add_parser(
        "items", help="what the response would hold, and names suggested for redaction"
    )
    items.add_argument("id", type=record_id)
    redact = actions.add_parser("redact", help="redact a third party's name throughout the response")
    redact.add_argument("id", type=record_id)
    redact.add_argument("name")
    redact.add_argument("--reason", default="")
    keys = ", ".join(e.key for e in EXEMPTIONS)
    withhold = actions.add_parser("withhold", help="leave an item out under a DPA 2018 exemption")
    withhold.add_argument("id", type=record_id)
    which = withhold.add_mutually_exclusive_group(required=True)
    which.add_argument("--entry", type=record_id)
    which.add_argument("--escalation", type=record_id)
    which.add_argument("--attachment", type=record_id)
    withhold.add_argument("--exemption", required=True, help=f"one of: {keys}")
    withhold.add_argument("--reason", required=True)
    withhold.add_argument(
        "--silent", action="store_true", help="do not say in the response that it was withheld"
    )
    export = actions.add_parser(
        "export", help="write the response (PDF + JSON) and the redaction log (audited)"
    )
    export.add_argument("id", type=record_id)
    export.add_argument("--out", required=True, help="the folder to write the three files into")
    responded = actions.add_parser("responded", help="mark a request answered")
    responded.add_argument("id", type=record_id)
    responded.add_argument("--method", required=True, help="how it was sent, e.g. 'Secure email'")
    for parser in (new, listing, items, redact, withhold, export, responded):
        unlock_options(parser)
    return {"sar": _sar}


def _sar(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import with_context

    handlers: dict[str, Callable[[Any, argparse.Namespace], int]] = {
        "new": _new, "list": _list, "items": _items, "redact": _redact, "withhold": _withhold,
        "export": _export, "responded": _responded,
    }  # fmt: skip
    handler = handlers[args.sar_command]
    return int(with_context(args, paths, clock, lambda ctx: handler(ctx, args)))


def _new(ctx: Any, args: argparse.Namespace) -> int:
    from dsl_desk.services.records.subject_access import NewRequest, record_request

    row = record_request(
        ctx,
        NewRequest(
            child_id=args.child,
            requester_name=args.requester,
            relationship=args.relationship,
            received_on=_date(args.received),
            identity_confirmed=args.identity_confirmed,
        ),
    )
    print(f"Recorded {row.reference} for {row.child}: respond by {long_date(row.due_on)} ({row.due_words}).")
    return 0


def _list(ctx: Any, args: argparse.Namespace) -> int:
    from dsl_desk.cli.output import print_json, print_table
    from dsl_desk.services.records.subject_access import list_requests

    rows = list_requests(ctx)
    if args.json:
        print_json(rows)
    else:
        print_table(
            rows,
            ["reference", "child", "relationship", "received_on", "due_on", "due_words", "status_words"],
            ["Ref", "Child", "Requester is", "Received", "Respond by", "Due", "Status"],
        )
    return 0


def _items(ctx: Any, args: argparse.Namespace) -> int:
    from dsl_desk.services.records.subject_access_items import list_items, suggest_terms

    for item in list_items(ctx, args.id):
        mark = f"  [withheld: {item.withheld.exemption_label}]" if item.withheld else ""
        print(f"{item.item_type:<10} {item.item_id:>5}  {item.label}{mark}")
    names = suggest_terms(ctx, args.id)
    print("Names you may want to redact: " + (", ".join(names) if names else "(none found)"))
    return 0


def _redact(ctx: Any, args: argparse.Namespace) -> int:
    from dsl_desk.services.records.subject_access_items import add_term

    add_term(ctx, args.id, args.name, args.reason)
    print(f"“{args.name.strip()}” will be redacted throughout SAR-{args.id}.")
    return 0


def _withhold(ctx: Any, args: argparse.Namespace) -> int:
    from dsl_desk.services.records.subject_access_items import withhold

    # `is not None`, not truthiness: --entry 0 is refused by its type, and must never fall through.
    kind, item_id = next(
        (k, getattr(args, k)) for k in ("entry", "escalation", "attachment") if getattr(args, k) is not None
    )
    decision = withhold(ctx, args.id, kind, item_id, args.exemption, args.reason, silent=args.silent)
    quiet = " The response will not say so." if decision.silent else ""
    print(
        f"{kind.capitalize()} {item_id} withheld under {decision.exemption_label} ({decision.exemption_reference}).{quiet}"
    )
    return 0


def _export(ctx: Any, args: argparse.Namespace) -> int:
    from dsl_desk.services.records.subject_access_export import export_response

    result = export_response(ctx, args.id, Path(args.out))
    shown = result.preview
    print(f"Wrote {result.response_pdf} ({result.pages} page{'s' if result.pages != 1 else ''})")
    print(f"Wrote {result.response_json}")
    print(f"Wrote {result.redaction_log_pdf} (for your own file: do not send it)")
    print(
        f"{shown.items} item(s) disclosed, {shown.withheld_noted + shown.withheld_silently} withheld, "
        f"{shown.replacements} name(s) redacted. The export was audited."
    )
    return 0


def _responded(ctx: Any, args: argparse.Namespace) -> int:
    from dsl_desk.services.records.subject_access import mark_responded

    row = mark_responded(ctx, args.id, args.method)
    print(f"{row.reference} marked as answered.")
    return 0


def _date(text: str) -> date:
    from dsl_desk.cli.commands import CliError
    from dsl_desk.cli.types import parse_day

    try:
        return parse_day(text)
    except ValueError:
        raise CliError(f"--received must be a date like 2026-01-05, not “{text}”.") from None
