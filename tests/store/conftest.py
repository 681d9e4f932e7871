"""Fixtures for the store tests: folders that really cannot be written (see mounts.py)."""

from tests.store.mounts import full_folder, read_only_folder  # noqa: F401 - fixtures used by name
