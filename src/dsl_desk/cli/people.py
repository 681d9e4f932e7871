"""`dsl-desk children import FILE [--preview]`: children from the school's MIS export (CSV) or a Common Transfer
File (XML). The preview writes nothing; the import adds, in one transaction, every child not already here.

Exit status: 0 every row added or already here; 1 done, but some rows were refused (each is listed with why);
2 the file could not be read (nothing was imported).
"""

from __future__ import annotations

import argparse
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from dsl_desk.core.dates_in_words import numeric_date

if TYPE_CHECKING:
    from dsl_desk.services.people.child_import import ImportSummary


def add_import_parser(actions: Any) -> None:
    importing = actions.add_parser(
        "import",
        help="add children from a CSV export of the MIS or a Common Transfer File (see --preview)",
        description="Add children from a CSV export of the school's MIS (columns found by their headings) or a "
        "DfE Common Transfer File (.xml). A child already here (same UPN, or name and date of birth) is never "
        "added twice.",
    )
    importing.add_argument("file", help="the .csv export or the CTF .xml file")
    importing.add_argument("--preview", action="store_true", help="say what would happen; change nothing")
    importing.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    # The same options as `children` itself, without defaults that would undo them when given before `import`.
    importing.add_argument("--user", default=argparse.SUPPRESS, help="user name (if the desk has several)")
    importing.add_argument(
        "--passphrase-stdin",
        action="store_true",
        default=argparse.SUPPRESS,
        help="read the passphrase from stdin",
    )


def run_import(ctx: Any, args: argparse.Namespace) -> ImportSummary:
    from dsl_desk.services.people.child_import import import_children, preview_import

    return (preview_import if args.preview else import_children)(ctx, args.file)


def print_summary(summary: ImportSummary, *, as_json: bool) -> int:
    from dsl_desk.cli.output import print_json, print_table

    if as_json:
        print_json(summary)
    else:
        kind = "Common Transfer File" + (f" from {summary.source}" if summary.source else "")
        print(f"{summary.file_name}: {kind if summary.kind == 'CTF' else 'a CSV export'}")
        if summary.columns:
            print("Columns used: " + "; ".join(f"{header} → {what}" for header, what in summary.columns))
        if summary.unused:
            print("Columns not kept: " + ", ".join(summary.unused))
        if summary.repeats:
            print(
                f"{summary.repeats} row(s) repeat a pupil already in the file (one per contact): taken as that pupil."
            )
        rows = [
            SimpleNamespace(
                row=row.row,
                name=row.name,
                born=numeric_date(row.date_of_birth) if row.date_of_birth else "–",
                verdict=row.verdict,
                why=" ".join(p for p in (row.reason, row.note and f"Note: {row.note}.") if p),
            )
            for row in summary.rows
        ]
        print_table(rows, ["row", "name", "born", "verdict", "why"], ["Row", "Name", "Born", "", "Why"])
        print(("Preview (nothing changed): " if not summary.imported else "") + summary.words())
    return 1 if summary.refused else 0
