"""The settings DSL Desk keeps as files in its data folder, read and written through one typed object.

`DataPaths.settings` (store/paths.py) hands out one `SettingsFile` per file; each holds a frozen dataclass:

- backup-settings.json, `BackupSettings`: the second backup folder and how many days of backups to keep. A file
  rather than a table: it must be readable before the database is unlocked (to find backups when the database
  is damaged), and it needs no schema migration.
- window-state.json, `WindowState`: where the window was, the splitters' sizes, the folders last chosen. Kept
  in the data folder (not the platform's registry or ~/.config) so that a desk's files are all in one place.

Reading never raises. A missing file gives the defaults. A file that cannot be read, is not JSON or holds a
value of the wrong kind gives the defaults for what could not be read and a note in plain words saying so
(`Loaded.note`); the file itself is left alone until the next save replaces it. Writing is atomic
(store/atomic.py): a crash leaves the old file or the new one. What a value may be (a folder outside the data
folder, 1–365 days) is checked by the service that saves it; here a value read back is only kept in range.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

from dsl_desk.store.atomic import write_atomically
from dsl_desk.store.errors import StoreError
from dsl_desk.store.files import read_source

SETTINGS_FORMAT = 1
SETTINGS_LIMIT = 256 * 1024  # a settings file is a few hundred bytes; anything this big is not one
DEFAULT_GENERATIONS = 10
MAX_GENERATIONS = 365

T = TypeVar("T")


@dataclass(frozen=True)
class BackupSettings:
    second_folder: Path | None = None
    generations: int = DEFAULT_GENERATIONS  # days: the newest backup of each of this many days is kept


@dataclass(frozen=True)
class WindowState:
    """What the window looked like when it was last closed. Sizes and folder names only: never a record."""

    geometry: bytes = b""  # QWidget.saveGeometry(), opaque to everything but Qt
    splitters: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # splitter name -> sizes
    last_folders: Mapping[str, str] = field(default_factory=dict)  # purpose (e.g. "export") -> folder

    def with_geometry(self, geometry: bytes) -> WindowState:
        return replace(self, geometry=bytes(geometry))

    def with_splitter(self, name: str, sizes: list[int] | tuple[int, ...]) -> WindowState:
        return replace(self, splitters={**self.splitters, name: tuple(int(s) for s in sizes)})

    def with_last_folder(self, purpose: str, folder: Path | str) -> WindowState:
        return replace(self, last_folders={**self.last_folders, purpose: str(folder)})


@dataclass(frozen=True)
class Loaded(Generic[T]):
    """A settings value as read, and a plain note when (part of) the file could not be used."""

    value: T
    note: str = ""


class _Fields:
    """Fields out of a decoded JSON object: one that is missing gives its default; one of the wrong kind gives
    its default and is named in `wrong`, so the note can say what was lost."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.wrong: list[str] = []

    def get(self, key: str, default: Any, convert: Callable[[Any], Any]) -> Any:
        if key not in self.raw or self.raw[key] is None:
            return default
        try:
            return convert(self.raw[key])
        except (TypeError, ValueError, binascii.Error):
            self.wrong.append(key)
            return default


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(value)
    return int(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _decode_backup(fields: _Fields) -> BackupSettings:
    folder = fields.get("second_folder", "", _text)
    generations = fields.get("generations", DEFAULT_GENERATIONS, _integer)
    return BackupSettings(Path(folder) if folder else None, max(1, min(MAX_GENERATIONS, generations)))


def _encode_backup(settings: BackupSettings) -> dict[str, Any]:
    return {
        "second_folder": str(settings.second_folder) if settings.second_folder else None,
        "generations": settings.generations,
    }


def _sizes(value: Any) -> dict[str, tuple[int, ...]]:
    if not isinstance(value, dict):
        raise TypeError(value)
    return {_text(name): tuple(max(0, _integer(size)) for size in sizes) for name, sizes in value.items()}


def _folders(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError(value)
    return {_text(purpose): _text(folder) for purpose, folder in value.items()}


def _decode_window(fields: _Fields) -> WindowState:
    return WindowState(
        geometry=fields.get("geometry", b"", lambda v: base64.b64decode(_text(v), validate=True)),
        splitters=fields.get("splitters", {}, _sizes),
        last_folders=fields.get("last_folders", {}, _folders),
    )


def _encode_window(state: WindowState) -> dict[str, Any]:
    return {
        "geometry": base64.b64encode(state.geometry).decode("ascii"),
        "splitters": {name: list(sizes) for name, sizes in state.splitters.items()},
        "last_folders": dict(state.last_folders),
    }


@dataclass(frozen=True)
class SettingsFile(Generic[T]):
    """One JSON settings file in the data folder and the dataclass it holds."""

    path: Path
    what: str  # plural, for the note: "The backup settings in … are damaged"
    default: T
    decode: Callable[[_Fields], T]
    encode: Callable[[T], dict[str, Any]]

    def load(self) -> Loaded[T]:
        """The saved value, or the defaults (with a note when the file is there but could not be used)."""
        if not os.path.lexists(self.path):
            return Loaded(self.default)
        try:
            raw = json.loads(
                read_source(self.path, kind="settings file", limit=SETTINGS_LIMIT).decode("utf-8")
            )
        except StoreError:  # not an ordinary file (a folder, a pipe), too big, or no permission to read it
            return Loaded(self.default, self._defaults_used("could not be read"))
        except ValueError:  # not UTF-8, not JSON
            return Loaded(self.default, self._defaults_used("are damaged"))
        if not isinstance(raw, dict):
            return Loaded(self.default, self._defaults_used("are damaged"))
        fields = _Fields(raw)
        value = self.decode(fields)
        if fields.wrong:
            return Loaded(
                value,
                f"Part of the {self.what} in {self.path} is damaged ({', '.join(fields.wrong)}): the defaults "
                "are used for that part until the settings are saved again.",
            )
        return Loaded(value)

    def save(self, value: T) -> None:
        """Write `value` atomically. A full disk or a read-only folder raises StoreError with a plain message."""
        payload = {"format": SETTINGS_FORMAT, **self.encode(value)}
        write_atomically(self.path, json.dumps(payload, indent=2, ensure_ascii=False).encode("utf-8"))

    def _defaults_used(self, why: str) -> str:
        return f"The {self.what} in {self.path} {why}, so the defaults are used until they are saved again."


@dataclass(frozen=True)
class DeskSettings:
    """Every settings file of one data folder. Made by `DataPaths.settings`."""

    backup_file: Path
    window_file: Path

    @property
    def backup(self) -> SettingsFile[BackupSettings]:
        return SettingsFile(
            self.backup_file, "backup settings", BackupSettings(), _decode_backup, _encode_backup
        )

    @property
    def window(self) -> SettingsFile[WindowState]:
        return SettingsFile(
            self.window_file, "window settings", WindowState(), _decode_window, _encode_window
        )
