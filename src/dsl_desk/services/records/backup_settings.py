"""Backup settings: a second folder and how many days of backups to keep.

Kept in backup-settings.json in the data dir rather than a table (see store/settings.py, which reads and writes
the file): it must be readable before the database is unlocked, and it needs no schema migration. Here: what a
setting may be, and the audit of each change.
"""

from __future__ import annotations

from pathlib import Path

from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext, ValidationError
from dsl_desk.store.paths import DataPaths
from dsl_desk.store.settings import DEFAULT_GENERATIONS, MAX_GENERATIONS, BackupSettings

__all__ = [
    "DEFAULT_GENERATIONS",
    "MAX_GENERATIONS",
    "BackupSettings",
    "load_settings",
    "save_settings",
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


def save_settings(ctx: AppContext, settings: BackupSettings) -> BackupSettings:
    """Validate, save and audit. The folder need not be plugged in now (a USB drive comes and goes)."""
    if not 1 <= settings.generations <= MAX_GENERATIONS:
        raise ValidationError(f"Keep between 1 and {MAX_GENERATIONS} days of backups.", field="generations")
    folder = settings.second_folder
    if folder is not None and not folder.is_absolute():
        raise ValidationError("Choose the second backup folder with its full path.", field="second_folder")
    if folder is not None and _inside(folder, ctx.store.paths.root):
        raise ValidationError(
            "Choose a second folder on another drive or a network share: a copy in the data folder is lost "
            "with the laptop.",
            field="second_folder",
        )
    ctx.store.paths.settings.backup.save(settings)
    with ctx.store.session() as session:
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="backup_settings_changed",
            entity="settings",
            detail={"second_folder": str(folder) if folder else None, "generations": settings.generations},
        )
    return settings


def _inside(folder: Path, root: Path) -> bool:
    try:
        folder.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True
