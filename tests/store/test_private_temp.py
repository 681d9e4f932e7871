"""The private temporary folder: owner-only, names without personal data, files overwritten before removal,
links never followed out of it."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from dsl_desk.store import private_temp


@pytest.fixture
def folder(tmp_path):
    return private_temp.ensure_folder(tmp_path / "data" / "private-temp")


def test_the_folder_is_owner_only_even_when_it_was_widened(folder):
    folder.chmod(0o755)  # a copy or restore of the data folder widened it
    private_temp.ensure_folder(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_file_is_owner_only_and_named_by_label_and_a_random_token(folder):
    first = private_temp.write_file(folder, b"one", ".PDF", label="Zephyrine Quillborough/../../x")
    second = private_temp.write_file(folder, b"two", ".PDF", label="Zephyrine Quillborough/../../x")
    assert first.parent == folder and second.parent == folder
    assert first != second
    assert first.suffix == ".pdf"
    assert " " not in first.name and "/" not in first.name and ".." not in first.name
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    odd = private_temp.write_file(folder, b"", "/../Zephyrine.pdf")  # a name smuggled in as a suffix
    assert odd.parent == folder and "Zephyrine" not in odd.name


@pytest.mark.skipif(sys.platform == "win32", reason="hard links to read back the old blocks: POSIX")
def test_emptying_overwrites_each_file_before_removing_it(folder, tmp_path):
    path = private_temp.write_file(folder, b"Zephyrine's body map " * 1000, ".pdf")
    size = path.stat().st_size
    witness = tmp_path / "witness"
    os.link(path, witness)  # a second name for the same blocks: what an undelete tool would read
    emptied = private_temp.empty_folder(folder)
    assert emptied == private_temp.Emptied(1)
    assert list(folder.iterdir()) == []
    assert witness.read_bytes() == bytes(size)


def test_emptying_removes_sub_folders_and_never_follows_a_link_out(folder, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not ours")
    (folder / "link").symlink_to(outside)
    inner = private_temp.new_folder(folder, "demo-transfer")
    (inner / "deeper").mkdir()
    (inner / "deeper" / "bundle.zip").write_bytes(b"bundle")
    (inner / "outside-dir").symlink_to(tmp_path, target_is_directory=True)
    emptied = private_temp.empty_folder(folder)
    assert emptied.removed == 2 and emptied.left == ()
    assert list(folder.iterdir()) == []
    assert outside.read_bytes() == b"not ours"
    assert (tmp_path / "outside.txt").exists()


def test_emptying_a_folder_that_is_not_there_is_fine(tmp_path):
    assert private_temp.empty_folder(tmp_path / "never-made") == private_temp.Emptied(0)
