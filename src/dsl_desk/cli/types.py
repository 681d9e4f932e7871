"""Strict argument types for the command line: what a user typed is refused plainly or taken exactly.

Python's own int() and date.fromisoformat() are generous: int("1_0") is 10, int("١") is 1, int(" +1") is 1,
and fromisoformat takes "20260101" and "2026-W01-1". A record number here is decimal digits only, 1 to
2^63-1 (the largest id SQLite can hold); a date is YYYY-MM-DD only, between 1900 and 2100.
"""

from __future__ import annotations

import argparse
import re
from datetime import date
from pathlib import Path

from dsl_desk.services import bounds
from dsl_desk.services.errors import ValidationError

_DIGITS = re.compile(r"[0-9]+")
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")

# Options that name a file or folder: checked like paths (no NUL, valid text, not over-long).
PATH_OPTIONS = ("data_dir", "out", "file", "csv", "pdf", "lessons_pdf", "lessons_csv", "recovery_key_file")
# Options that name a file to be written (--out is a folder for `sar export` and `transfer export`).
FILE_OUTPUTS = ("csv", "pdf", "lessons_pdf", "lessons_csv", "recovery_key_file")
FOLDER_OUT_COMMANDS = ("sar", "transfer")


def echo(text: str, width: int = 40) -> str:
    """What the user typed, safe to print: broken bytes shown as escapes, cut short."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return safe if len(safe) <= width else safe[: width - 1] + "…"


def record_id(text: str) -> int:
    """A record number: digits only (no sign, space or underscore), 1 to 2^63-1."""
    if not _DIGITS.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"“{echo(text)}” is not a record number: use digits only, like 12 (see the list commands)."
        )
    if len(text.lstrip("0")) > len(str(bounds.MAX_ID)) or not bounds.valid_id(int(text)):
        raise argparse.ArgumentTypeError(
            f"there is no record number {echo(text)}: record numbers run from 1 to {bounds.MAX_ID}."
        )
    return int(text)


def parse_day(text: str) -> date:
    """YYYY-MM-DD between 1900 and 2100, or ValueError with the reason (the caller says which option)."""
    if not _ISO_DAY.fullmatch(text):
        raise ValueError("not a date")
    day = date.fromisoformat(text)  # ValueError for 2026-02-30
    try:
        bounds.check_date(day, "the date")
    except ValidationError as error:
        raise ValueError(str(error)) from None
    return day


def day(text: str) -> date:
    """An argparse type for a date option."""
    try:
        return parse_day(text)
    except ValueError as error:
        reason = "" if str(error) == "not a date" else f" ({error})"
        raise argparse.ArgumentTypeError(f"“{echo(text)}” is not a date like 2026-01-31{reason}") from None


def check_arguments(args: argparse.Namespace, error: type[Exception]) -> None:
    """Every string argument is text that can be stored, and every path one the system can be asked about."""
    for name, value in vars(args).items():
        if not isinstance(value, str):
            continue
        option = name.replace("_", " ")
        try:
            if name in PATH_OPTIONS:
                bounds.check_path(value, f"the path given for {option}")
            else:
                bounds.check_text(value, f"the text given for {option}")
        except ValidationError as refused:
            raise error(f"{refused} Nothing was changed.") from None
    for name in _file_outputs(args):
        _check_file_target(Path(getattr(args, name)).expanduser(), "--" + name.replace("_", "-"), error)


def _file_outputs(args: argparse.Namespace) -> list[str]:
    names = [n for n in FILE_OUTPUTS if isinstance(getattr(args, n, None), str) and getattr(args, n)]
    if (
        isinstance(getattr(args, "out", None), str)
        and getattr(args, "command", None) not in FOLDER_OUT_COMMANDS
    ):
        names.append("out")
    return names


def _check_file_target(target: Path, option: str, error: type[Exception]) -> None:
    """A file to write: in a folder that exists, and not itself a folder (said before any work is done)."""
    folder = target.parent
    if target.is_dir():
        raise error(
            f"{option} must name a file, and {echo(str(target), 200)} is a folder. Nothing was changed."
        )
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise error(
            f"{option}: the folder {echo(str(folder), 200)} {what}. Choose a folder that exists. Nothing was changed."
        )
