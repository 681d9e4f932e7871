"""Backup settings: a second folder and how many days of backups to keep, and the folders that follows.

Kept in backup-settings.json in the data dir rather than a table: it must be readable before the database
is unlocked (to find backups when the database is damaged), and it needs no schema migration. The file is read
and written through `DataPaths.settings` (store/settings.py: typed, atomic, a damaged file gives the defaults
and a note). Reading lives here, under every layer that needs it (a backup, retention, the audit check of the
checkpoints that backups hold); changing it is services/records/backup_settings.py, which validates and audits.
"""

from __future__ import annotations

from pathlib import Path

from dsl_desk.store.backup import BackupFile, list_backups
from dsl_desk.store.paths import DataPaths
from dsl_desk.store.settings import DEFAULT_GENERATIONS, MAX_GENERATIONS, BackupSettings

__all__ = [
    "DEFAULT_GENERATIONS",
    "MAX_GENERATIONS",
    "BackupSettings",
    "available_backups",
    "backup_folders",
    "load_settings",
    "settings_note",
]


def load_settings(paths: DataPaths) -> BackupSettings:
    """The saved settings, or the defaults when there are none or the file cannot be read.

    A damaged settings file must never stop a backup: the data-dir backup runs with the defaults.
    """
    return paths.settings.backup.load().value


def settings_note(paths: DataPaths) -> str:
    """'' when the saved settings were read whole; else what could not be read, in plain words."""
    return paths.settings.backup.load().note


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
