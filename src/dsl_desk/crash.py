"""What happens when something goes wrong that DSL Desk did not expect: a plain message, a crash report.

The user sees what happened and that nothing from the last action was saved (every service call is one
transaction, rolled back when it raises). A crash report is written to <data folder>/crash-reports/ for
whoever supports the school. It holds no children's data, so it can be sent on without thinking:

- the exception's type (and the types of the exceptions it was raised from), never its message: messages
  routinely carry what the user typed or stored (SQLAlchemy puts the statement's parameters in its message,
  KeyError the key, UnicodeEncodeError the whole string, OSError the file name, which may name a child);
- an OSError's errno, a number from a fixed list that says which kind of file problem it was;
- each frame's file (inside the package or library, never the user's home folder), line and function name,
  never local variables or source lines;
- the version of DSL Desk, Python and the platform.

Developers set DSL_DESK_DEBUG=1 to see the real traceback instead (and the report is still written).
"""

from __future__ import annotations

import os
import platform
import secrets
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import dsl_desk
from dsl_desk import APP_NAME
from dsl_desk.services.errors import ServiceError
from dsl_desk.store.errors import StoreError
from dsl_desk.store.paths import DataPaths

DEBUG_ENV = "DSL_DESK_DEBUG"
EX_SOFTWARE = 70  # sysexits.h: an internal software error
_MAX_CHAIN = 5  # causes and contexts followed, newest first


class UnexpectedError(ServiceError):
    """Stands in for an unexpected exception from background work: its message is the plain one, the
    original is in the crash report (and `__cause__`), so a dialog showing `str(error)` shows no raw text."""


_installed: list[Callable[[], Path | None]] = []  # the data folder of the hook install() set, if any


def debugging() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def crash_folder(data_root: Path) -> Path:
    return DataPaths(data_root).crash_reports


def report_text(error: BaseException, *, now: datetime | None = None) -> str:
    """The report: types, files, lines and functions only (see the module docstring for why)."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    lines = [
        f"{APP_NAME} crash report",
        f"Version: {dsl_desk.__version__}",
        f"Python: {platform.python_version()} ({platform.python_implementation()})",
        f"Platform: {platform.platform()}",
        f"Frozen bundle: {'yes' if getattr(sys, 'frozen', False) else 'no'}",
        f"Time (UTC): {when:%Y-%m-%d %H:%M:%S}",
        "",
        "(Exception messages and values are left out on purpose: they may hold children's data.)",
    ]
    seen: set[int] = set()
    current: BaseException | None = error
    heading = "Exception"
    while current is not None and id(current) not in seen and len(seen) < _MAX_CHAIN:
        seen.add(id(current))
        lines += ["", f"{heading}: {_type_name(current)}"]
        if isinstance(current, OSError) and isinstance(current.errno, int):
            lines.append(f"errno: {current.errno}")
        lines += [f"  {frame}" for frame in _frames(current.__traceback__)]
        if current.__cause__ is not None:
            current, heading = current.__cause__, "Raised from"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, heading = current.__context__, "While handling"
        else:
            current = None
    return "\n".join(lines) + "\n"


def write_report(error: BaseException, data_root: Path | None, *, now: datetime | None = None) -> Path | None:
    """Write the report (readable by its owner only); None when there is nowhere it can be written."""
    if data_root is None:
        return None
    when = (now or datetime.now(UTC)).astimezone(UTC)
    folder = crash_folder(data_root)
    path = folder / f"crash-{when:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}.txt"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(report_text(error, now=when))
    except (OSError, ValueError):
        return None  # a full disk or a read-only folder must not turn one failure into two
    return path


def plain_message(report: Path | None) -> str:
    where = (
        f"A crash report was written to {report}; it holds no children's data, "
        "so you can send it to whoever supports DSL Desk."
        if report
        else "No crash report could be written (the data folder could not be written to)."
    )
    return (
        f"Something went wrong that {APP_NAME} did not expect. Nothing was saved from the last action. "
        f"{where}"
    )


def handle(error: BaseException, data_root: Path | None, *, now: datetime | None = None) -> str:
    """Write the report and return the message to show (printing the traceback too when debugging)."""
    report = write_report(error, data_root, now=now)
    if debugging():
        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
    return plain_message(report)


def install(data_root: Callable[[], Path | None], show: Callable[[str], None]) -> None:
    """sys.excepthook (and threading's) become: report, then `show` the plain message."""

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        if error.__traceback__ is None:
            error = error.with_traceback(trace)
        try:
            root = data_root()
        except Exception:  # finding the folder must not itself crash the hook
            root = None
        show(handle(error, root))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    _installed[:] = [data_root]
    sys.excepthook = hook
    threading.excepthook = thread_hook


def as_plain_error(error: Exception) -> Exception:
    """For background work: the project's own errors as they are; anything else reported and made plain."""
    if isinstance(error, ServiceError | StoreError):
        return error
    try:
        root = _installed[0]() if _installed else None
    except Exception:  # finding the folder must not itself fail the report
        root = None
    plain = UnexpectedError(handle(error, root))
    plain.__cause__ = error
    return plain


def _type_name(error: BaseException) -> str:
    kind = type(error)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _frames(trace: TracebackType | None) -> list[str]:
    return [
        f"{_short_file(frame.filename)}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(trace)
    ]


def _short_file(filename: str) -> str:
    """The file inside the package or library: never the folders above it (a home folder has a name)."""
    parts = Path(filename).parts
    for marker in ("dsl_desk", "site-packages", "dist-packages"):
        if marker in parts:
            index = len(parts) - 1 - parts[::-1].index(marker)
            start = index if marker == "dsl_desk" else index + 1
            return "/".join(parts[start:])
    if "lib" in parts and filename.endswith(".py"):  # the standard library
        return "stdlib/" + Path(filename).name
    return Path(filename).name
