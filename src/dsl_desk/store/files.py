"""Files a user points DSL Desk at: only ordinary files are read or replaced, and never more than a limit.

A device (/dev/zero never ends, /dev/null swallows everything), a named pipe (reading it waits for a writer
that may never come), a socket or anything under /proc or /sys is refused before it is opened, with a
plain message. Sizes are checked before reading, so a huge file is refused at once instead of filling memory.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from dsl_desk.store.errors import DiskFull, StoreError

SPECIAL_ROOTS = (Path("/proc"), Path("/sys"), Path("/dev"))
MB = 1024 * 1024


class FileRefused(StoreError):
    """A file that is not an ordinary file, is too big, or cannot be reached. Nothing was read or written."""


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not an ordinary file"


def _under_special_root(path: Path) -> bool:
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        resolved = path.absolute()
    return any(resolved == root or root in resolved.parents for root in SPECIAL_ROOTS)


def check_source(path: Path, *, kind: str, limit: int) -> int:
    """Prove `path` is an ordinary file no bigger than `limit` bytes, without opening it. Returns its size."""
    path = Path(path)
    if _under_special_root(path):
        raise FileRefused(
            f"{path} is a system file, not a {kind}, so DSL Desk will not read it. Nothing was changed.",
            path=path,
        )
    try:
        info = os.stat(path)
    except OSError as error:
        raise FileRefused(
            f"The {kind} {path} could not be read ({error.strerror or error}). Check it is still there. "
            "Nothing was changed.",
            path=path,
        ) from error
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(
            f"{path} is {_kind_of(info.st_mode)}, not a {kind}, so DSL Desk will not read it. "
            f"Choose the {kind} itself. Nothing was changed.",
            path=path,
        )
    if info.st_size > limit:
        raise FileRefused(
            f"{path.name} is {info.st_size / MB:.1f} MB; a {kind} is never more than {limit / MB:.0f} MB, "
            "so it was not read. Check you chose the right file. Nothing was changed.",
            path=path,
        )
    return info.st_size


def read_source(path: Path, *, kind: str, limit: int) -> bytes:
    """Read an ordinary file of at most `limit` bytes (checked before opening, and again while reading)."""
    check_source(path, kind=kind, limit=limit)
    try:
        # O_NONBLOCK: should the path have been swapped for a pipe since the check, opening does not wait.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise FileRefused(
            f"The {kind} {path} could not be opened ({error.strerror or error}). Nothing was changed.",
            path=path,
        ) from error
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise FileRefused(
                f"{path} is not an ordinary file, so it was not read. Nothing was changed.", path=path
            )
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise FileRefused(
                f"The {kind} {path} could not be read ({error.strerror or error}). Nothing was changed.",
                path=path,
            ) from error
    if len(data) > limit:
        raise FileRefused(
            f"{Path(path).name} grew past {limit / MB:.0f} MB while it was being read, so it was not used. "
            "Nothing was changed.",
            path=path,
        )
    return data


def check_target(path: Path) -> None:
    """Refuse to save over anything but an ordinary file, or into a folder that is not there."""
    path = Path(path)
    if _under_special_root(path):
        raise FileRefused(
            f"{path} is a system location, not a place for a file, so nothing was saved there. "
            "Choose a folder such as Documents.",
            path=path,
        )
    try:
        info = os.stat(path)  # follows a link: a link to /dev/null is refused too
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise FileRefused(
            f"Could not save {path}: {error.strerror or error}. Nothing was saved.", path=path
        ) from error
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise FileRefused(
            f"{path} is {_kind_of(info.st_mode)}, so nothing was saved over it. Choose a file name in a folder.",
            path=path,
        )
    parent = path.parent
    if not parent.exists():
        raise FileRefused(
            f"The folder {parent} does not exist, so {path.name} was not saved. Choose another place to save.",
            path=path,
        )
    if not parent.is_dir():
        raise FileRefused(
            f"{parent} is not a folder, so {path.name} was not saved. Choose another place to save.",
            path=path,
        )


def write_error(error: OSError, path: Path) -> StoreError:
    """A plain message for a failed write: a full disk, a read-only folder, no permission, or anything else."""
    folder = path.parent
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return DiskFull(
            f"The disk is full, so {path.name} could not be saved in {folder}. Nothing was changed. "
            "Free some space and try again.",
            path=path,
        )
    if error.errno == errno.EROFS:
        return FileRefused(
            f"The folder {folder} is read-only (a locked drive or a read-only share), so {path.name} was not "
            "saved. Choose another place to save.",
            path=path,
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return FileRefused(
            f"You do not have permission to save in {folder}, so {path.name} was not saved. "
            "Choose another place to save.",
            path=path,
        )
    if error.errno == errno.EISDIR:
        return FileRefused(
            f"{path} is a folder, so nothing was saved over it. Choose a file name in a folder.", path=path
        )
    if error.errno == errno.ENOENT:
        return FileRefused(
            f"The folder {folder} does not exist, so {path.name} was not saved. Choose another place to save.",
            path=path,
        )
    return StoreError(f"Could not save {path}: {error.strerror or error}. Nothing was changed.", path=path)
