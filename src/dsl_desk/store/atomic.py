"""Write small files so that a crash leaves either the old file or the new one, never half of each.

Only an ordinary file is ever replaced: a device, a pipe, a folder or a system path is refused before anything
is written (os.replace would otherwise swap /dev/null for a regular file). A full disk, a read-only or missing
folder each get a plain message.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from dsl_desk.store.files import check_target, write_error
from dsl_desk.store.readonly import refuse_if_read_only


def write_atomically(path: Path, data: bytes) -> None:
    path = Path(path)
    refuse_if_read_only()  # an export from a read-only desk could not be audited: refused before writing
    check_target(path)
    tmp: Path | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        tmp = Path(tmp_name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        check_target(path)  # the last moment before replacing: still nothing but an ordinary file, or nothing
        os.replace(tmp, path)
    except OSError as error:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise write_error(error, path) from error
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
