"""Backup settings: a second folder and how many days of backups to keep.

Kept in backup-settings.json in the data dir rather than a table: it must be readable before the database
is unlocked (to find backups when the database is damaged), and it needs no schema migration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext, ValidationError
from dsl_desk.store.atomic import write_atomically
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
    payload = {
        "format": SETTINGS_FORMAT,
        "second_folder": str(folder) if folder else None,
        "generations": settings.generations,
    }
    write_atomically(settings_path(ctx.store.paths), json.dumps(payload, indent=2).encode("utf-8"))
    with ctx.store.session() as session:
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="backup_settings_changed",
            entity="settings",
            detail={"second_folder": payload["second_folder"], "generations": settings.generations},
        )
    return settings


def _inside(folder: Path, root: Path) -> bool:
    try:
        folder.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True
