"""Backup settings: a second folder and how many days of backups to keep.

Kept in backup-settings.json in the data dir rather than a table (store/backup_settings.py says why; the file is
read and written through DataPaths.settings, store/settings.py). Here: what a setting may be, and the audit of
each change.
"""

from __future__ import annotations

from pathlib import Path

from dsl_desk.core.i18n import _
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.store.backup_settings import (
    DEFAULT_GENERATIONS,
    MAX_GENERATIONS,
    BackupSettings,
    load_settings,
    settings_note,
)

__all__ = [
    "DEFAULT_GENERATIONS",
    "MAX_GENERATIONS",
    "BackupSettings",
    "load_settings",
    "save_settings",
    "settings_note",
]


def save_settings(ctx: AppContext, settings: BackupSettings) -> BackupSettings:
    """Validate, save and audit. The folder need not be plugged in now (a USB drive comes and goes)."""
    if not 1 <= settings.generations <= MAX_GENERATIONS:
        raise ValidationError(
            _("Keep between 1 and {MAX_GENERATIONS} days of backups.").format(
                MAX_GENERATIONS=MAX_GENERATIONS
            ),
            field="generations",
        )
    folder = settings.second_folder
    if folder is not None and not folder.is_absolute():
        raise ValidationError(_("Choose the second backup folder with its full path."), field="second_folder")
    if folder is not None and _inside(folder, ctx.store.paths.root):
        raise ValidationError(
            _(
                "Choose a second folder on another drive or a network share: a copy in the data folder is lost "
                "with the laptop."
            ),
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
