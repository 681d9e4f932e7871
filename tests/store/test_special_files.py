"""Exports never replace a device or a pipe, and a device, pipe or huge file is never read as an input.

Every case runs the real command line in a subprocess with a timeout: a FIFO that blocked, or /dev/zero read
into memory, would show as a timeout, not as a hang of the suite.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dsl_desk.services.errors import ValidationError
from dsl_desk.services.log.attachments import check_file
from dsl_desk.store.atomic import write_atomically
from dsl_desk.store.errors import DiskFull, StoreError
from dsl_desk.store.files import FileRefused, read_source
from tests.conftest import PASSPHRASE

QUICK = 30  # seconds: every refusal here is immediate; the limit only stops a hang from hanging the suite


def run_cli(data_root: Path, *args: str, timeout: float = QUICK, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DSL_DESK_PASSPHRASE": PASSPHRASE, **env}
    return subprocess.run(
        [sys.executable, "-m", "dsl_desk", "--data-dir", str(data_root), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def closed_desk(ctx, data_paths):
    ctx.close()
    return data_paths


@pytest.fixture
def null_device(tmp_path) -> Path:
    """A character device with /dev/null's numbers, made in a temporary folder (the real one stays untouched)."""
    path = tmp_path / "null"
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root (CAP_MKNOD); this test runs as root on CI")
    return path


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def _assert_plain(result: subprocess.CompletedProcess) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("dsl-desk: "), result.stderr


REPORT = ("report", "--from", "2025-09-01", "--to", "2026-08-31")


def test_export_to_a_device_leaves_it_a_device(closed_desk, null_device):
    result = run_cli(closed_desk.root, *REPORT, "--csv", str(null_device))
    _assert_plain(result)
    assert "is a device" in result.stderr
    assert stat.S_ISCHR(os.stat(null_device).st_mode)  # on main it became a regular file holding the CSV
    assert list(null_device.parent.glob(".null.*")) == []  # no temporary file left beside it


def test_export_to_a_fifo_is_refused_at_once(closed_desk, fifo):
    started = time.monotonic()
    result = run_cli(closed_desk.root, *REPORT, "--csv", str(fifo))
    _assert_plain(result)
    assert "named pipe" in result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert time.monotonic() - started < QUICK


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("missing-folder/figures.csv", "does not exist"),
        ("a-folder", "is a folder"),
        ("/proc/self/figures.csv", "system location"),
    ],
)
def test_export_to_a_place_that_cannot_hold_it_says_so(closed_desk, tmp_path, target, words):
    (tmp_path / "a-folder").mkdir()
    out = target if target.startswith("/") else str(tmp_path / target)
    result = run_cli(closed_desk.root, *REPORT, "--csv", out)
    _assert_plain(result)
    assert words in result.stderr


def test_export_to_a_read_only_folder_says_so(closed_desk, read_only_folder):
    result = run_cli(closed_desk.root, *REPORT, "--csv", str(read_only_folder / "figures.csv"))
    _assert_plain(result)
    assert "is read-only" in result.stderr


def test_export_to_a_full_disk_says_so(full_folder):
    with pytest.raises(DiskFull, match="The disk is full"):
        write_atomically(full_folder / "figures.csv", b"x" * 200_000)
    assert not (full_folder / "figures.csv").exists()
    assert [p.name for p in full_folder.iterdir() if p.name.startswith(".figures")] == []


def test_writing_atomically_into_a_missing_folder_is_a_plain_error(tmp_path):
    # On main mkstemp's FileNotFoundError escaped as a bare OSError (a traceback in every caller).
    with pytest.raises(StoreError, match="does not exist"):
        write_atomically(tmp_path / "nowhere" / "file.txt", b"data")


@pytest.mark.parametrize("source", ["/dev/zero", "fifo"])
def test_verify_refuses_a_device_or_fifo_at_once(source, fifo, tmp_path):
    target = str(fifo) if source == "fifo" else source
    result = subprocess.run(
        [sys.executable, "-m", "dsl_desk", "verify", target],
        check=False,
        capture_output=True,
        text=True,
        timeout=QUICK,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert "not a PDF file, so DSL Desk will not read it" in result.stdout + result.stderr


@pytest.mark.parametrize("source", ["/dev/zero", "fifo"])
def test_transfer_import_refuses_a_device_or_fifo_at_once(closed_desk, fifo, source):
    target = str(fifo) if source == "fifo" else source
    result = run_cli(
        closed_desk.root, "transfer", "import", target, DSL_DESK_TRANSFER_PASSWORD="some password here"
    )
    _assert_plain(result)
    assert "will not read it" in result.stderr


def test_attaching_a_fifo_or_device_is_refused(fifo, null_device):
    for path in (fifo.rename(fifo.with_suffix(".pdf")), null_device.rename(null_device.with_suffix(".pdf"))):
        with pytest.raises(ValidationError, match="will not read it"):
            check_file(path)


def test_a_socket_is_not_read(tmp_path):
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(FileRefused, match="is a socket"):
            read_source(path, kind="PDF file", limit=1000)
    finally:
        server.close()


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: costs no disk
    with pytest.raises(FileRefused, match="never more than 1 MB"):
        read_source(big, kind="PDF file", limit=1024 * 1024)


def test_restore_refuses_a_fifo_without_waiting(ctx, fifo):
    from dsl_desk.services.records.backups import describe_backup
    from dsl_desk.store.backup import BackupRefused

    named = fifo.rename(fifo.with_name("dsl-desk-x.db"))
    with pytest.raises(BackupRefused, match="named pipe"):
        describe_backup(ctx, named)


def test_init_with_a_recovery_key_file_that_cannot_be_written_still_shows_the_key(tmp_path, null_device):
    root = tmp_path / "data"
    result = run_cli(
        root,
        "init",
        "--organisation",
        "Penkford School",
        "--partnership",
        "st_helens",
        "--username",
        "j.smith",
        "--display-name",
        "Jane Smith",
        "--recovery-key-file",
        str(null_device),
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "RECOVERY KEY" in result.stdout and "Traceback" not in result.stderr
    assert "not written to a file" in result.stderr and "is a device" in result.stderr
    assert stat.S_ISCHR(os.stat(null_device).st_mode)
    assert run_cli(root, "children").returncode == 0
