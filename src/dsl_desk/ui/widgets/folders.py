"""Where a file dialog starts: the user's Documents folder (QStandardPaths), not the root of their home folder
or wherever the program happened to be started from."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths


def documents_folder() -> Path:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found else Path.home()


def in_documents(name: str = "") -> str:
    """A path in Documents for a dialog to start at (a suggested file name, or the folder itself)."""
    return str(documents_folder() / name) if name else str(documents_folder())
