"""Folders that really cannot be written, even by root: a tmpfs remounted read-only, and a tiny tmpfs filled up.

chmod 0555 does not stop root, so the suite (which runs as root in CI) mounts a tmpfs instead. Where mounting is
not allowed (not root, or a container without CAP_SYS_ADMIN) the tests that need one are skipped, saying why.
"""

from __future__ import annotations

import contextlib
import errno
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def mount_tmpfs(path: Path, size: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip() or 'mount failed'}); needs root")


def remount(path: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True, capture_output=True)


def umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)


def fill(folder: Path) -> None:
    """Write zeros until the disk is full (ENOSPC); the filler stays so the disk stays full."""
    with (folder / ".filler").open("ab") as handle:
        while True:
            try:
                handle.write(b"\0" * 65536)
                handle.flush()
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                break
    # The last few pages a partial write may have left free.
    with contextlib.suppress(OSError), (folder / ".filler-tail").open("ab") as handle:
        while True:
            handle.write(b"\0" * 512)
            handle.flush()


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "1m") -> Iterator[Path]:
    mount_tmpfs(path, size)
    try:
        yield path
    finally:
        umount(path)


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs remounted read-only: writes fail with EROFS even for root."""
    with tmpfs(tmp_path / "ro") as folder:
        remount(folder, "ro")
        yield folder


@pytest.fixture
def full_folder(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "full") as folder:
        fill(folder)
        yield folder
