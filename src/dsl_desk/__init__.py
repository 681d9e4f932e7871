"""DSL Desk: professional-disagreement escalations for Designated Safeguarding Leads."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dsl-desk")
except PackageNotFoundError:  # running from a source tree without an install (e.g. a frozen bundle)
    __version__ = "0.1.0"

APP_NAME = "DSL Desk"
