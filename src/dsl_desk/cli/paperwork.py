"""`dsl-desk export`, `dsl-desk verify` and `dsl-desk trust`: signed forms from the command line, checking
them, and the certificates this desk knows."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsl_desk.core.clock import Clock, london
from dsl_desk.core.dates_in_words import iso_date
from dsl_desk.store.paths import DataPaths

Handler = Callable[[argparse.Namespace, DataPaths, Clock], int]
EXIT_INTACT_KNOWN, EXIT_CHANGED, EXIT_UNREADABLE, EXIT_INTACT_UNKNOWN = 0, 1, 2, 3
VERIFY_EXITS = {
    "intact_known": EXIT_INTACT_KNOWN,
    "changed": EXIT_CHANGED,
    "unsigned": EXIT_UNREADABLE,
    "unreadable": EXIT_UNREADABLE,
    "intact_unknown": EXIT_INTACT_UNKNOWN,
}
VERIFY_EPILOG = """\
Every signature in the file is checked, and so is everything added after each one.
Exit status:
  0  INTACT, KNOWN SIGNER: not changed since it was signed, by a certificate this desk knows
     (one of its users' own, or one marked trusted with `dsl-desk trust add`)
  1  CHANGED: changed or added to after it was signed; do not rely on it
  2  not signed, not a PDF, or unreadable (damaged, cut short, empty, too large, missing)
  3  INTACT, UNKNOWN SIGNER: not changed, but the certificate is not one this desk knows; anyone can make
     a certificate bearing any name, so telephone the signer and compare the fingerprint
No passphrase is needed: the fingerprints this desk knows are kept beside the database."""
TRUST_EPILOG = """\
A certificate made by DSL Desk is self-signed: nobody vouches for the name in it. Telephone the person it
names (using a number you already have, not one from the file), ask them to read out their certificate's
SHA-256 fingerprint (`dsl-desk trust list` on their desk shows it, as does every transfer export), and
give it with --fingerprint.
The certificate is trusted only when it matches one that signed the file. Trusting is audited."""


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
        "verify",
        help="say who signed a PDF, when, whether it has changed since, and whether this desk knows the "
        "signer (no passphrase needed; exit 0 intact+known, 1 changed, 2 unreadable/unsigned, "
        "3 intact+unknown)",
        epilog=VERIFY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument("file", metavar="FILE.pdf")
    trust = subparsers.add_parser(
        "trust",
        help="the signing certificates this desk knows: trust one after confirming its fingerprint by phone",
        epilog=TRUST_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = trust.add_subparsers(dest="trust_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="trust the certificate that signed a PDF or transfer file, once its fingerprint is confirmed "
        "by phone (audited; a transfer file's password comes from $DSL_DESK_TRANSFER_PASSWORD or stdin)",
        epilog=TRUST_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add.add_argument("file", metavar="FILE.pdf|FILE.dsltransfer")
    add.add_argument(
        "--fingerprint", required=True, help="the SHA-256 fingerprint the signer read out to you by phone"
    )
    unlock_options(add)
    listing = actions.add_parser("list", help="the certificates this desk knows (no passphrase needed)")
    listing.add_argument("--json", action="store_true")
    remove = actions.add_parser("remove", help="stop trusting a certificate (audited)")
    remove.add_argument("--fingerprint", required=True)
    unlock_options(remove)
    return {"export": _export, "verify": _verify, "trust": _trust}


def _export(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import CliError, with_context
    from dsl_desk.services.paperwork.exports import ExportResult, export_form
    from dsl_desk.services.paperwork.form_values import escalation_id_for

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
    from dsl_desk.services.paperwork.documents_sent import verify_document
    from dsl_desk.services.paperwork.trusted_certificates import known_certificates

    known = known_certificates(paths)
    check = verify_document(Path(args.file).expanduser(), known.lookup())
    print(check.report.message)
    if check.status == "intact_unknown":
        if known.problem:
            print(known.problem)
        elif not paths.exists():
            print(
                f"(There is no DSL Desk data folder in {paths.root} to compare the certificate with: "
                "use --data-dir to name yours.)"
            )
        elif not known.certificates:
            print(
                "(This desk has not recorded any certificate yet: a user's own is recorded the next time they "
                "sign a form or make a transfer file. Until then, compare the fingerprint by telephone.)"
            )
    return VERIFY_EXITS.get(check.status, EXIT_UNREADABLE)


def _trust(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    return {"add": _trust_add, "list": _trust_list, "remove": _trust_remove}[args.trust_command](
        args, paths, clock
    )


def _trust_add(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import CliError, with_context
    from dsl_desk.documents.transfer_bundle import MAGIC
    from dsl_desk.services.paperwork.trusted_certificates import (
        certificates_in_pdf,
        trust_certificate,
    )
    from dsl_desk.services.records.transfer_import import certificate_in_transfer

    path = Path(args.file).expanduser()
    try:
        with path.open("rb") as handle:
            start = handle.read(len(MAGIC))
    except OSError as error:
        raise CliError(f"{path} could not be opened ({error.strerror or error}).") from None
    is_transfer = start == MAGIC

    def work(ctx: Any) -> Any:
        if is_transfer:
            from dsl_desk.cli.transfer import _transfer_password

            # Read here, after the database passphrase: both may come on standard input, in that order.
            found = [certificate_in_transfer(path, _transfer_password())]
        else:
            found = certificates_in_pdf(path)
        source = "transfer file" if is_transfer else "PDF"
        return trust_certificate(ctx, found, args.fingerprint, source=source)

    entry = with_context(args, paths, clock, work)
    if entry.kind == "desk":
        print(f"{entry.subject}: this is already the certificate of a user of this desk.")
    else:
        print(f"Trusted: {entry.subject}, fingerprint {entry.fingerprint}.")
        print(
            "Documents and transfer files it signs are now shown as from a known signer. Recorded in the audit."
        )
    return 0


def _trust_list(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.output import print_json, print_table
    from dsl_desk.services.paperwork.trusted_certificates import known_certificates

    known = known_certificates(paths)
    if known.problem:
        print(f"dsl-desk: {known.problem}", file=sys.stderr)
    if args.json:
        print_json(list(known.certificates))
        return 0
    rows = [
        _TrustRow(
            c.fingerprint,
            c.subject,
            "user of this desk" if c.kind == "desk" else "trusted (phoned)",
            iso_date(london(c.added_at).date()),
        )
        for c in known.certificates
    ]
    print_table(
        rows,
        ["fingerprint", "subject", "kind", "added"],
        ["Fingerprint", "Certificate of", "Known as", "Since"],
    )
    return 0


def _trust_remove(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import with_context
    from dsl_desk.services.paperwork.trusted_certificates import forget_certificate

    removed = with_context(args, paths, clock, lambda ctx: forget_certificate(ctx, args.fingerprint))
    print(f"No longer trusted: {removed.subject}, fingerprint {removed.fingerprint}. Recorded in the audit.")
    return 0


@dataclass(frozen=True)
class _TrustRow:
    fingerprint: str
    subject: str
    kind: str
    added: str
