"""What the window looked like when it was closed (geometry, splitter sizes, folders last chosen).

Kept in the data folder through `DataPaths.settings` (store/settings.py), not in the platform's settings store,
so a desk's files are all in one place. The layout is a convenience: a damaged file gives the default layout,
and a layout that cannot be saved (a full disk, a read-only folder) is simply not kept; neither ever stops the
window opening or closing, and nothing a user typed depends on it.
"""

from __future__ import annotations

from dsl_desk.store.errors import StoreError
from dsl_desk.store.paths import DataPaths
from dsl_desk.store.settings import WindowState

__all__ = ["WindowState", "load_window_state", "save_window_state"]


def load_window_state(paths: DataPaths) -> WindowState:
    """The layout saved last, or the default layout (also when the file is damaged: see store/settings.py)."""
    return paths.settings.window.load().value


def save_window_state(paths: DataPaths, state: WindowState) -> str:
    """Save the layout. '' when it was saved; else why not, in plain words (nothing else is affected)."""
    try:
        paths.settings.window.save(state)
    except StoreError as error:
        return f"The window layout was not saved: {error}"
    return ""
