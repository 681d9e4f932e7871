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

from dsl_desk.core.i18n import _
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
            _(
                "{path} is a system file, not a {kind}, so DSL Desk will not read it. Nothing was changed."
            ).format(path=path, kind=kind),
            path=path,
        )
    try:
        info = os.stat(path)
    except OSError as error:
        raise FileRefused(
            _(
                "The {kind} {path} could not be read ({value}). Check it is still there. Nothing was changed."
            ).format(kind=kind, path=path, value=error.strerror or error),
            path=path,
        ) from error
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(
            _(
                "{path} is {kind_of}, not a {kind}, so DSL Desk will not read it. "
                "Choose the {kind} itself. Nothing was changed."
            ).format(path=path, kind_of=_kind_of(info.st_mode), kind=kind),
            path=path,
        )
    if info.st_size > limit:
        raise FileRefused(
            _(
                "{name} is {value:.1f} MB; a {kind} is never more than {value2:.0f} MB, "
                "so it was not read. Check you chose the right file. Nothing was changed."
            ).format(name=path.name, value=info.st_size / MB, kind=kind, value2=limit / MB),
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
            _("The {kind} {path} could not be opened ({value}). Nothing was changed.").format(
                kind=kind, path=path, value=error.strerror or error
            ),
            path=path,
        ) from error
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise FileRefused(
                _("{path} is not an ordinary file, so it was not read. Nothing was changed.").format(
                    path=path
                ),
                path=path,
            )
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise FileRefused(
                _("The {kind} {path} could not be read ({value}). Nothing was changed.").format(
                    kind=kind, path=path, value=error.strerror or error
                ),
                path=path,
            ) from error
    if len(data) > limit:
        raise FileRefused(
            _(
                "{name} grew past {value:.0f} MB while it was being read, so it was not used. "
                "Nothing was changed."
            ).format(name=Path(path).name, value=limit / MB),
            path=path,
        )
    return data


def check_target(path: Path) -> None:
    """Refuse to save over anything but an ordinary file, or into a folder that is not there."""
    path = Path(path)
    if _under_special_root(path):
        raise FileRefused(
            _(
                "{path} is a system location, not a place for a file, so nothing was saved there. "
                "Choose a folder such as Documents."
            ).format(path=path),
            path=path,
        )
    try:
        info = os.stat(path)  # follows a link: a link to /dev/null is refused too
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise FileRefused(
            _("Could not save {path}: {value}. Nothing was saved.").format(
                path=path, value=error.strerror or error
            ),
            path=path,
        ) from error
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise FileRefused(
            _("{path} is {kind_of}, so nothing was saved over it. Choose a file name in a folder.").format(
                path=path, kind_of=_kind_of(info.st_mode)
            ),
            path=path,
        )
    parent = path.parent
    if not parent.exists():
        raise FileRefused(
            _(
                "The folder {parent} does not exist, so {name} was not saved. Choose another place to save."
            ).format(parent=parent, name=path.name),
            path=path,
        )
    if not parent.is_dir():
        raise FileRefused(
            _("{parent} is not a folder, so {name} was not saved. Choose another place to save.").format(
                parent=parent, name=path.name
            ),
            path=path,
        )


def write_error(error: OSError, path: Path) -> StoreError:
    """A plain message for a failed write: a full disk, a read-only folder, no permission, or anything else."""
    folder = path.parent
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return DiskFull(
            _(
                "The disk is full, so {name} could not be saved in {folder}. Nothing was changed. "
                "Free some space and try again."
            ).format(name=path.name, folder=folder),
            path=path,
        )
    if error.errno == errno.EROFS:
        return FileRefused(
            _(
                "The folder {folder} is read-only (a locked drive or a read-only share), so {name} was not "
                "saved. Choose another place to save."
            ).format(folder=folder, name=path.name),
            path=path,
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return FileRefused(
            _(
                "You do not have permission to save in {folder}, so {name} was not saved. "
                "Choose another place to save."
            ).format(folder=folder, name=path.name),
            path=path,
        )
    if error.errno == errno.EISDIR:
        return FileRefused(
            _("{path} is a folder, so nothing was saved over it. Choose a file name in a folder.").format(
                path=path
            ),
            path=path,
        )
    if error.errno == errno.ENOENT:
        return FileRefused(
            _(
                "The folder {folder} does not exist, so {name} was not saved. Choose another place to save."
            ).format(folder=folder, name=path.name),
            path=path,
        )
    return StoreError(
        _("Could not save {path}: {value}. Nothing was changed.").format(
            path=path, value=error.strerror or error
        ),
        path=path,
    )
