"""Where the files shipped inside the package are: policy packs, form definitions, fonts, migrations.

Every caller finds them here, through importlib.resources, so they are found the same way in a checkout, in an
installed wheel and in the PyInstaller bundle (whose importer answers `files()` with the folder it unpacked the
package's data to, _internal/dsl_desk/...). Nothing is looked up relative to the source tree.

The shipped data is in src/dsl_desk/resources/{policies,forms,fonts} (pyproject.toml lists them as package
data); the Alembic scripts stay beside the code that runs them, in dsl_desk/store/migrations.
"""

from __future__ import annotations

import functools
import tempfile
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE = "dsl_desk"

_kept: list[tempfile.TemporaryDirectory[str]] = []  # only when the package is not on disk (a zip import)


@functools.cache
def _folder(package: str, *parts: str) -> Path:
    resource = files(package).joinpath(*parts)
    if isinstance(resource, Path):
        return resource
    # Readers (ReportLab's fonts, Alembic's script directory, glob) need real files: unpack once per process
    # (Python 3.11's as_file() unpacks single files only). The folder goes when the process ends.
    holder = tempfile.TemporaryDirectory(prefix="dsl-desk-")
    _kept.append(holder)
    target = Path(holder.name, *parts)
    _copy_tree(resource, target)
    return target


def _copy_tree(resource: Traversable, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for child in resource.iterdir():
        if child.is_dir():
            _copy_tree(child, target / child.name)
        else:
            (target / child.name).write_bytes(child.read_bytes())


def policies_dir() -> Path:
    """The policy packs the app ships (resources/policies/*.toml)."""
    return _folder(PACKAGE, "resources", "policies")


def forms_dir() -> Path:
    """The form definitions the app ships (resources/forms/*.toml)."""
    return _folder(PACKAGE, "resources", "forms")


def locale_dir() -> Path:
    """The translations (resources/locale: dsl_desk.mo per language for gettext, dsl_desk_<lang>.qm for Qt)."""
    return _folder(PACKAGE, "resources", "locale")


def fonts_dir() -> Path:
    """The fonts embedded in exported PDFs (resources/fonts/*.ttf)."""
    return _folder(PACKAGE, "resources", "fonts")


def migrations_dir() -> Path:
    """Alembic's script directory (env.py, script.py.mako, versions/)."""
    return _folder(PACKAGE, "store", "migrations")  # by path: core does not import the store
