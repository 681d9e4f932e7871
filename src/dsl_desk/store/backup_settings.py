"""Backup settings: a second folder and how many days of backups to keep, and the folders that follows.

Kept in backup-settings.json in the data dir rather than a table: it must be readable before the database
is unlocked (to find backups when the database is damaged), and it needs no schema migration. Reading lives
here, under every layer that needs it (a backup, retention, the audit check of the checkpoints that backups
hold); changing it is services/records/backup_settings.py, which validates and audits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from dsl_desk.store.atomic import write_atomically
from dsl_desk.store.backup import BackupFile, list_backups
from dsl_desk.store.paths import DataPaths

SETTINGS_FORMAT = 1
DEFAULT_GENERATIONS = 10
MAX_GENERATIONS = 365


@dataclass(frozen=True)
class BackupSettings:
    second_folder: Path | None = None
    generations: int = DEFAULT_GENERATIONS  # days: the newest backup of each of this many days is kept


def settings_path(paths: DataPaths) -> Path:
    return paths.root / "backup-settings.json"


def load_settings(paths: DataPaths) -> BackupSettings:
    """The saved settings, or the defaults when there are none or the file cannot be read."""
    try:
        raw = json.loads(settings_path(paths).read_text(encoding="utf-8"))
        folder = raw.get("second_folder")
        generations = int(raw.get("generations", DEFAULT_GENERATIONS))
    except (OSError, ValueError, AttributeError, TypeError):
        # A damaged settings file must never stop a backup: the data-dir backup runs with the defaults.
        return BackupSettings()
    return BackupSettings(Path(folder) if folder else None, _clamp(generations))


def _clamp(generations: int) -> int:
    return max(1, min(MAX_GENERATIONS, generations))


def write_settings(paths: DataPaths, settings: BackupSettings) -> dict[str, object]:
    payload: dict[str, object] = {
        "format": SETTINGS_FORMAT,
        "second_folder": str(settings.second_folder) if settings.second_folder else None,
        "generations": settings.generations,
    }
    write_atomically(settings_path(paths), json.dumps(payload, indent=2).encode("utf-8"))
    return payload


def backup_folders(paths: DataPaths) -> list[Path]:
    """The data dir's backups folder, and the second folder when one is set."""
    folders = [paths.backups]
    second = load_settings(paths).second_folder
    if second is not None:
        folders.append(second)
    return folders


def available_backups(paths: DataPaths, database_id: str) -> list[BackupFile]:
    """Backups of this database in the data dir and the second folder, newest first."""
    found: list[BackupFile] = []
    for folder in backup_folders(paths):
        found.extend(list_backups(folder, database_id))
    return sorted(found, key=lambda b: b.made_at, reverse=True)
