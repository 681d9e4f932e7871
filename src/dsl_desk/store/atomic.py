"""Write small files so that a crash leaves either the old file or the new one, never half of each."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from dsl_desk.store.errors import DiskFull, StoreError


def write_atomically(path: Path, data: bytes) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if error.errno == errno.ENOSPC:
            raise DiskFull(
                f"The disk is full, so {path.name} could not be saved in {path.parent}. Nothing was changed. "
                "Free some space and try again.",
                path=path,
            ) from error
        raise StoreError(
            f"Could not save {path}: {error.strerror or error}. Nothing was changed.", path=path
        ) from error
