"""DSL Desk: professional-disagreement escalations for Designated Safeguarding Leads."""

from __future__ import annotations

from typing import Any

APP_NAME = "DSL Desk"


def __getattr__(name: str) -> Any:
    """`__version__` is read from the installed package's metadata when first asked for: importing
    importlib.metadata (it parses e-mail headers) cost tens of milliseconds on the way to the unlock screen."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("dsl-desk")
    except PackageNotFoundError:  # running from a source tree without an install (e.g. a frozen bundle)
        found = "0.1.0"
    globals()["__version__"] = found
    return found
