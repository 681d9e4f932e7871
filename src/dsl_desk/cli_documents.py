"""`dsl-desk export` and `dsl-desk verify`: signed forms from the command line, and checking them."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dsl_desk.core.clock import Clock
from dsl_desk.store.paths import DataPaths

Handler = Callable[[argparse.Namespace, DataPaths, Clock], int]
EXIT_INTACT, EXIT_CHANGED, EXIT_UNREADABLE = 0, 1, 2


def register(
    subparsers: Any, *, unlock_options: Callable[[argparse.ArgumentParser], None]
) -> dict[str, Handler]:
    export = subparsers.add_parser(
        "export", help="save one of an escalation's forms as a PDF (recorded on the escalation and audited)"
    )
    export.add_argument("form", metavar="FORM", help="form id, e.g. st_helens_escalation_notice")
    export.add_argument("--escalation", required=True, metavar="REF_OR_ID", help="e.g. ESC-2026-0001")
    export.add_argument("--out", required=True, metavar="FILE", help="where to write the PDF")
    export.add_argument("--sign", action="store_true", help="sign it with your own digital signature")
    export.add_argument(
        "--wet-signature", action="store_true", help="leave the signature boxes empty, to sign in ink"
    )
    unlock_options(export)
    verify = subparsers.add_parser(
        "verify", help="say who signed a PDF, when, and whether it has changed since (no passphrase needed)"
    )
    verify.add_argument("file", metavar="FILE.pdf")
    return {"export": _export, "verify": _verify}


def _export(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli import CliError, with_context
    from dsl_desk.services.exports import ExportResult, export_form
    from dsl_desk.services.form_values import escalation_id_for

    out = Path(args.out).expanduser()
    if out.is_dir():
        raise CliError(f"--out must name a file, and {out} is a folder. Add a file name ending in .pdf.")
    if args.sign and args.wet_signature:
        raise CliError("Choose --sign or --wet-signature, not both: a form for ink is not signed digitally.")

    def work(ctx: Any) -> ExportResult:
        escalation_id = escalation_id_for(ctx, args.escalation)
        return export_form(
            ctx, escalation_id, args.form, sign=args.sign, wet_signature=args.wet_signature, destination=out
        )

    result: ExportResult = with_context(args, paths, clock, work)
    state = "signed" if result.signed else ("for a wet signature" if args.wet_signature else "unsigned")
    print(f"Saved the {result.form_title} for {result.reference} ({state}) to {out}")
    print("The export is recorded on the escalation and in the audit trail.")
    for note in result.completed:
        print(f"Checklist ticked off — {note}")
    return 0


def _verify(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.services.exports import verify_document

    check = verify_document(Path(args.file).expanduser())
    print(check.report.message)
    return {"intact": EXIT_INTACT, "unreadable": EXIT_UNREADABLE}.get(check.status, EXIT_CHANGED)
