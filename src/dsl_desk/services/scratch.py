"""The private temporary folder, as the rest of the app sees it (store/private_temp.py does the file work).

Every file DSL Desk has to leave on disk for another program goes here: attachment copies opened in a viewer,
email drafts for the mail program, and (because `use_for_process_temp` points this process's temp folder
here) whatever Qt, Python or the print system spools. It is emptied when the desk locks, when the app quits,
and at the next start after a crash, before anyone unlocks.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from dsl_desk.core.i18n import _
from dsl_desk.store import private_temp
from dsl_desk.store.paths import DataPaths
from dsl_desk.store.private_temp import Emptied

__all__ = [
    "Emptied",
    "discard",
    "empty_scratch",
    "left_behind_words",
    "scratch_file",
    "scratch_folder",
    "scratch_subfolder",
    "start_up",
    "use_for_process_temp",
]

TEMP_VARIABLES = ("TMPDIR", "TEMP", "TMP")  # POSIX (Qt, Python, CUPS) and Windows (GetTempPath)


def scratch_folder(paths: DataPaths) -> Path:
    """The owner-only folder, created if needed."""
    return private_temp.ensure_folder(paths.private_temp)


def scratch_file(paths: DataPaths, suffix: str, data: bytes = b"", *, label: str = "") -> Path:
    """A new owner-only file holding `data`, named `label`-random`suffix` (never a child's or a file's name)."""
    return private_temp.write_file(paths.private_temp, data, suffix, label)


def scratch_subfolder(paths: DataPaths, label: str = "") -> Path:
    return private_temp.new_folder(paths.private_temp, label)


def discard(path: Path) -> bool:
    """Overwrite and remove one scratch file or sub-folder now (the rest wait for the next lock)."""
    return private_temp.discard(path)


def empty_scratch(paths: DataPaths) -> Emptied:
    """Overwrite and remove everything in the folder. Never raises."""
    return private_temp.empty_folder(paths.private_temp)


def start_up(paths: DataPaths) -> Emptied:
    """At start, under the instance lock and before unlocking: remove what a crash (or a power cut) left,
    and send this process's own temporary files to the private folder from now on."""
    emptied = empty_scratch(paths)
    use_for_process_temp(paths)
    return emptied


def use_for_process_temp(paths: DataPaths) -> Path:
    """Point TMPDIR/TEMP/TMP and Python's `tempfile` at the private folder, so a library writing "a temp
    file" (Qt, the CUPS print spool, anything we did not write) writes it where it is emptied at lock. Programs
    this one starts (a viewer opened for an attachment) inherit it too, so their copies are emptied as well."""
    folder = scratch_folder(paths)
    for name in TEMP_VARIABLES:
        os.environ[name] = str(folder)
    tempfile.tempdir = str(folder)
    return folder


def left_behind_words(emptied: Emptied) -> str:
    """A plain sentence for the status bar when something could not be removed, else ""."""
    if not emptied.left:
        return ""
    count = len(emptied.left)
    files = _("1 temporary file is") if count == 1 else _("{count} temporary files are").format(count=count)
    return _(
        "{files} still open in another program and could not be removed yet. Close that program; DSL Desk "
        "removes it at the next lock, on closing, or when it next starts."
    ).format(files=files)
