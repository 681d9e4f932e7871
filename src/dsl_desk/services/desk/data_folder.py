"""The data folder as callers above the services name it: where the database, the key file, backups and the
private temporary folder live (store/paths.py owns the layout)."""

from __future__ import annotations

from dsl_desk.store.paths import DataPaths, ensure_writable

__all__ = ["DataPaths", "ensure_writable"]
