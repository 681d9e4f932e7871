"""The one private folder for files DSL Desk must leave outside the encrypted database for a while: a copy of
an attachment for a viewer, an email draft for the mail program, whatever Qt or the print system spools.

The folder is inside the data folder (`DataPaths.private_temp`), never in the system temp folder; it is
0700 and each file 0600 (on Windows the data folder's per-user permissions apply). A file is named by a label
the caller gives (an escalation reference, "attachment-12") and a random token, keeping only the extension so
a viewer knows the type: never a child's name or an attachment's own file name.

Emptying overwrites each file with zeros, then removes it. That stops an ordinary undelete tool on a
spinning disk; it does NOT reach copies an SSD's wear-levelling, a journalling or copy-on-write file
system, a backup or a cloud-sync client may already hold. Only whole-disk encryption (BitLocker, FileVault,
LUKS) covers those.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from dsl_desk.core.i18n import _
from dsl_desk.store.errors import StoreError

FOLDER_MODE = 0o700
FILE_MODE = 0o600
_CHUNK = 1024 * 1024
_O_BINARY = getattr(os, "O_BINARY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@dataclass(frozen=True)
class Emptied:
    """What emptying the folder did. `left` names files another program still holds (Windows refuses to
    remove a file a viewer has open); they are tried again at the next lock, quit or start."""

    removed: int
    left: tuple[str, ...] = ()


def ensure_folder(folder: Path) -> Path:
    """Create the folder if needed and make it owner-only (also an existing one a copy or restore widened)."""
    try:
        if folder.is_symlink():  # never follow a link planted in the data folder to somewhere shared
            folder.unlink()
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(folder, FOLDER_MODE)
    except OSError as error:
        raise StoreError(
            _(
                "DSL Desk could not prepare its private temporary folder {folder} ({value}). "
                "Check the data folder is writable."
            ).format(folder=folder, value=error.strerror or error),
            path=folder,
        ) from error
    return folder


def clean_label(label: str) -> str:
    """Letters, digits, '-' and '_' only, at most 40: a reference such as "ESC-2026-0042" survives."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", label).strip("-")[:40]


def clean_suffix(suffix: str) -> str:
    """ ".pdf", ".eml"… lower case; anything odd (a name smuggled in as a suffix) becomes no suffix."""
    suffix = suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""


def new_name(suffix: str, label: str = "") -> str:
    token = secrets.token_hex(6)
    cleaned = clean_label(label)
    return f"{cleaned}-{token}{clean_suffix(suffix)}" if cleaned else f"{token}{clean_suffix(suffix)}"


def write_file(folder: Path, data: bytes, suffix: str, label: str = "") -> Path:
    """A new owner-only file in `folder` holding `data`; the name is `label`, a random token and `suffix`."""
    ensure_folder(folder)
    target = folder / new_name(suffix, label)
    try:
        descriptor = os.open(
            target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY | _O_NOFOLLOW, FILE_MODE
        )
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
    except OSError as error:
        with contextlib.suppress(OSError):
            target.unlink()
        raise StoreError(
            _(
                "DSL Desk could not write a temporary file in {folder} ({value}). "
                "Free some disk space and try again."
            ).format(folder=folder, value=error.strerror or error),
            path=target,
        ) from error
    return target


def new_folder(folder: Path, label: str = "") -> Path:
    """A new owner-only sub-folder, for work that writes several files (a demo transfer bundle)."""
    ensure_folder(folder)
    target = folder / new_name("", label)
    try:
        target.mkdir(mode=FOLDER_MODE)
    except OSError as error:
        raise StoreError(
            _("DSL Desk could not make a temporary folder in {folder} ({value}).").format(
                folder=folder, value=error.strerror or error
            ),
            path=target,
        ) from error
    return target


def discard(path: Path) -> bool:
    """Overwrite and remove one file, or a folder and everything in it. True when nothing is left. Never
    raises (a file another program holds is simply left, and said)."""
    try:
        return _discard(path)
    except OSError:
        return False


def _discard(path: Path) -> bool:
    if path.is_symlink() or not path.is_dir():
        return _discard_file(path)
    gone = True
    for top, folders, files in os.walk(path, topdown=False, followlinks=False):
        for name in files:
            gone = _discard_file(Path(top) / name) and gone
        for name in folders:
            inner = Path(top) / name
            remove = _discard_file if inner.is_symlink() else _remove_folder
            gone = remove(inner) and gone
    return _remove_folder(path) and gone


def empty_folder(folder: Path) -> Emptied:
    """Overwrite and remove everything in `folder`, keeping the (owner-only) folder. Never raises: locking
    and quitting must not fail because a viewer still holds a file."""
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return Emptied(0)
    except OSError:
        return Emptied(0, (folder.name,))
    removed, left = 0, []
    for entry in entries:
        if discard(entry):
            removed += 1
        else:
            left.append(entry.name)
    with contextlib.suppress(OSError):
        os.chmod(folder, FOLDER_MODE)
    return Emptied(removed, tuple(sorted(left)))


def _discard_file(path: Path) -> bool:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if stat.S_ISREG(info.st_mode) and info.st_size:
        with contextlib.suppress(OSError):
            _overwrite(path, info.st_size)
    try:
        path.unlink()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def _overwrite(path: Path, size: int) -> None:
    descriptor = os.open(path, os.O_WRONLY | _O_BINARY | _O_NOFOLLOW)
    with os.fdopen(descriptor, "wb") as handle:
        zeros = bytes(min(size, _CHUNK))
        written = 0
        while written < size:
            step = min(size - written, len(zeros))
            handle.write(zeros[:step])
            written += step
        handle.flush()
        os.fsync(handle.fileno())


def _remove_folder(path: Path) -> bool:
    try:
        path.rmdir()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True
