"""A data folder that cannot be written to: DSL Desk still opens, read-only, and says why.

On a full disk or a read-only drive every record can still be read (cases, children, the log, the audit
trail, reports printed to the screen); every change, export, print or backup is refused with one plain
message before anything is written. Views are not written to the audit trail while read-only (the audit
trail is in the same unwritable database); the banner says so.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from dsl_desk.store.errors import ReadOnlyDesk

DISK_FULL = "disk full"
READ_ONLY = "read-only"
# SQLite needs room for its shared-memory index and a few WAL pages before it can change anything.
PROBE_BYTES = 64 * 1024
WRITE_PROBE_PREFIX = ".write-probe-"  # DataPaths.name_of knows it: removed as soon as it is written

_refusing: contextvars.ContextVar[str] = contextvars.ContextVar("dsl_desk_read_only", default="")


def write_problem(root: Path) -> str:
    """'' when a file of PROBE_BYTES can be written (and synced) in `root`; else DISK_FULL or READ_ONLY."""
    probe = root / f"{WRITE_PROBE_PREFIX}{secrets.token_hex(4)}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        return _problem(error)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"\0" * PROBE_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        return _problem(error)
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    return ""


def _problem(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return DISK_FULL
    return READ_ONLY


def read_only_message(root: Path, problem: str) -> str:
    until = (
        "some space is freed on that disk"
        if problem == DISK_FULL
        else "the folder can be written to again (is the drive write-protected, or the share read-only?)"
    )
    return (
        f"The data folder {root} cannot be written to ({problem}): DSL Desk is open read-only; nothing can be "
        f"changed until {until} and DSL Desk is opened again. Everything can still be read; what you look at "
        "now is not recorded in the audit trail."
    )


@contextlib.contextmanager
def refusing_writes(message: str) -> Iterator[None]:
    """While a read-only unit of work runs, writing a file (an export) is refused with `message`."""
    if not message:
        yield
        return
    token = _refusing.set(message)
    try:
        yield
    finally:
        _refusing.reset(token)


def refuse_if_read_only() -> None:
    message = _refusing.get()
    if message:
        raise ReadOnlyDesk(message)
