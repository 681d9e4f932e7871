"""Where the main window was and how big: kept in the data folder (window-state.json), beside the database it
belongs to, so a portable install or a second desk keeps its own, and nothing is written in the home folder.

Not secret and not audited; a folder that cannot be written (a read-only desk, a full disk) just forgets it.
The one place this is stored: when the desk has a settings file of its own, only these two functions move.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json

from dsl_desk.store.atomic import write_atomically
from dsl_desk.store.errors import StoreError
from dsl_desk.store.paths import DataPaths

FILE_NAME = "window-state.json"
MAX_BYTES = 64 * 1024  # a window's geometry is a few dozen bytes; anything larger is not ours


def load_window_state(paths: DataPaths, key: str) -> bytes | None:
    """What `save_window_state` last kept under `key` (Qt's saveGeometry bytes), or None."""
    path = paths.root / FILE_NAME
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        value = json.loads(path.read_text(encoding="utf-8")).get(key)
        return base64.b64decode(value, validate=True) if isinstance(value, str) else None
    except (OSError, ValueError, AttributeError, binascii.Error):
        return None  # missing, unreadable or not ours: the window opens to fit the screen


def save_window_state(paths: DataPaths, key: str, value: bytes) -> None:
    path = paths.root / FILE_NAME
    try:
        current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if not isinstance(current, dict):
            current = {}
    except (OSError, ValueError):
        current = {}
    current[key] = base64.b64encode(value).decode("ascii")
    # Read-only or full: the window opens to fit the screen next time.
    with contextlib.suppress(OSError, StoreError):
        write_atomically(path, json.dumps(current, indent=1).encode("utf-8"))
