"""The policy packs this installation knows: the built-in five plus any in the user's data dir."""

from __future__ import annotations

from dsl_desk.core.policy import PackLoadResult, builtin_policies_dir, load_packs
from dsl_desk.store.paths import DataPaths


def load_policies(paths: DataPaths | None = None) -> PackLoadResult:
    """Never raises for a bad pack: errors come back with file, line and field, and the rest still load."""
    dirs = [builtin_policies_dir()]
    if paths is not None and paths.policies.is_dir():
        dirs.append(paths.policies)
    return load_packs(dirs)
