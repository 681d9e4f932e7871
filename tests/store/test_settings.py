"""The settings files in the data folder: typed values, atomic writes, a damaged file gives defaults and a note."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dsl_desk.store.errors import StoreError
from dsl_desk.store.paths import FILES, FOLDERS, DataPaths
from dsl_desk.store.settings import MAX_GENERATIONS, SETTINGS_LIMIT, BackupSettings, WindowState


@pytest.fixture
def paths(tmp_path: Path) -> DataPaths:
    paths = DataPaths(tmp_path / "data")
    paths.root.mkdir()
    return paths


def test_no_file_gives_the_defaults_without_a_note(paths):
    assert (paths.settings.backup.load().value, paths.settings.backup.load().note) == (BackupSettings(), "")
    assert (paths.settings.window.load().value, paths.settings.window.load().note) == (WindowState(), "")
    assert list(paths.root.iterdir()) == []  # reading writes nothing


def test_backup_settings_round_trip_in_the_named_file(paths, tmp_path):
    saved = BackupSettings(second_folder=tmp_path / "usb", generations=5)
    paths.settings.backup.save(saved)
    assert paths.settings.backup.load().value == saved
    assert json.loads(paths.backup_settings.read_text(encoding="utf-8")) == {
        "format": 1,
        "second_folder": str(tmp_path / "usb"),
        "generations": 5,
    }


def test_a_backup_settings_file_written_by_the_earlier_version_reads_the_same(paths):
    paths.backup_settings.write_text(
        json.dumps({"format": 1, "second_folder": "/media/usb", "generations": 7}, indent=2), encoding="utf-8"
    )
    assert paths.settings.backup.load().value == BackupSettings(Path("/media/usb"), 7)
    paths.backup_settings.write_text('{"format": 1, "second_folder": null, "generations": 10}')
    assert paths.settings.backup.load() == paths.settings.backup.load().__class__(BackupSettings())


def test_generations_read_back_are_kept_in_range(paths):
    paths.backup_settings.write_text('{"generations": 0}')
    assert paths.settings.backup.load().value.generations == 1
    paths.backup_settings.write_text('{"generations": 100000}')
    assert paths.settings.backup.load().value.generations == MAX_GENERATIONS


def test_window_state_round_trips_geometry_splitters_and_folders(paths):
    state = (
        WindowState()
        .with_geometry(b"\x01\xd9\xd0\xcb\x00\x03")
        .with_splitter("children", [300, 700])
        .with_last_folder("export", "/home/dsl/Documents")
    )
    paths.settings.window.save(state)
    loaded = paths.settings.window.load()
    assert loaded.note == ""
    assert loaded.value == state
    assert loaded.value.splitters["children"] == (300, 700)


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b"", b'"text"'])
def test_a_damaged_file_gives_the_defaults_and_a_note_naming_it(paths, content):
    paths.backup_settings.write_bytes(content)
    loaded = paths.settings.backup.load()
    assert loaded.value == BackupSettings()
    assert str(paths.backup_settings) in loaded.note
    assert "defaults" in loaded.note
    assert paths.backup_settings.read_bytes() == content  # left alone until saved again: nothing lost


def test_a_damaged_field_loses_only_that_field(paths):
    paths.window_state.write_text(
        json.dumps({"geometry": "not base64!", "splitters": {"forms": [200, 500]}, "last_folders": 7})
    )
    loaded = paths.settings.window.load()
    assert loaded.value == WindowState(splitters={"forms": (200, 500)})
    assert "geometry" in loaded.note and "last_folders" in loaded.note
    assert "splitters" not in loaded.note


def test_wrong_kinds_of_value_are_notes_not_exceptions(paths):
    paths.backup_settings.write_text('{"second_folder": 12, "generations": "many"}')
    loaded = paths.settings.backup.load()
    assert loaded.value == BackupSettings()
    assert "second_folder" in loaded.note and "generations" in loaded.note
    paths.window_state.write_text('{"splitters": {"forms": ["wide", 3]}, "geometry": 5}')
    assert paths.settings.window.load().value == WindowState()


def test_a_folder_a_pipe_or_a_huge_file_in_its_place_is_not_read(paths):
    paths.backup_settings.mkdir()
    assert paths.settings.backup.load().value == BackupSettings()
    assert "could not be read" in paths.settings.backup.load().note
    os.mkfifo(paths.window_state)  # opening it to read would wait for a writer for ever
    assert paths.settings.window.load().value == WindowState()
    assert "could not be read" in paths.settings.window.load().note
    paths.window_state.unlink()
    paths.window_state.write_bytes(b" " * (SETTINGS_LIMIT + 1))
    assert paths.settings.window.load().note


def test_saving_replaces_a_damaged_file(paths):
    paths.backup_settings.write_text("{not json")
    paths.settings.backup.save(BackupSettings(generations=3))
    assert paths.settings.backup.load() == paths.settings.backup.load().__class__(
        BackupSettings(generations=3)
    )


def test_saving_where_nothing_can_be_written_is_a_plain_error_and_keeps_the_old_file(read_only_folder):
    paths = DataPaths(read_only_folder)
    with pytest.raises(StoreError) as raised:
        paths.settings.window.save(WindowState(geometry=b"x"))
    assert "read-only" in str(raised.value)
    assert not paths.window_state.exists()


def test_every_name_of_the_data_folder_is_known(paths):
    for name in FILES:
        assert paths.name_of(getattr(paths, name)) == name
    for name in FOLDERS:
        assert paths.name_of(getattr(paths, name) / "inside" / "deeper.txt") == name
    for companion in paths.database_companions:
        assert paths.name_of(companion) == "database_companions"
    assert paths.name_of(paths.setup_aside("20260105T090000", "-wal")) == "setup_aside"
    assert paths.name_of(paths.root / ".keyring.json.k3x_9a.tmp") == "transient"
    assert paths.name_of(paths.root / "notes.txt") is None
    assert paths.name_of(paths.root / ".notes.txt.k3x_9a.tmp") is None
    assert paths.name_of(paths.keyring / "inside") is None
    assert paths.name_of(paths.root.parent / "elsewhere.json") is None
