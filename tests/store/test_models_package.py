"""store/models is a package by subject: no module imports another in a cycle, and the package exports every table."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import dsl_desk.store.models as models_package
from dsl_desk.store.models import Base

# The subjects from lowest to highest, as in services/: a module may import `base` and the subjects below it.
ORDER = ["base", "audit", "people", "log", "escalations", "paperwork", "learning", "desk", "records"]
PACKAGE = "dsl_desk.store.models"


def _subject_modules() -> list[str]:
    return [m.name for m in pkgutil.iter_modules(models_package.__path__)]


def _imports_within_package(path: Path) -> set[str]:
    """Every module of the package that `path` imports, type-checking-only imports included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            module = node.module if node.level == 0 else f"{PACKAGE}.{node.module}"
            if module == PACKAGE:
                found.add("__init__")
            elif module.startswith(PACKAGE + "."):
                found.add(module.removeprefix(PACKAGE + "."))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE):
                    found.add(alias.name.removeprefix(PACKAGE).lstrip(".") or "__init__")
    return found


def test_every_subject_module_is_in_the_order():
    assert sorted(_subject_modules()) == sorted(ORDER)


def test_a_subject_imports_only_subjects_below_it():
    folder = Path(models_package.__file__).parent
    for name in _subject_modules():
        imported = _imports_within_package(folder / f"{name}.py")
        assert "__init__" not in imported, f"{name} imports the package itself (a cycle through __init__)"
        above = {other for other in imported if ORDER.index(other) >= ORDER.index(name)}
        assert not above, f"{name} imports {sorted(above)}, which are not below it"


def test_the_package_exports_every_table_and_only_its_modules_define_them():
    exported = {getattr(models_package, name) for name in models_package.__all__}
    mapped = {mapper.class_ for mapper in Base.registry.mappers}
    assert mapped <= exported
    assert {cls.__module__.rsplit(".", 1)[0] for cls in mapped} == {PACKAGE}
    # Each table's module is a subject module, and importing any one of them brings in the whole metadata.
    for name in _subject_modules():
        importlib.import_module(f"{PACKAGE}.{name}")
    assert {cls.__table__.name for cls in mapped} == set(Base.metadata.tables)


def test_the_old_flat_modules_are_gone():
    store = Path(models_package.__file__).parent.parent
    assert not [p.name for p in store.glob("models*.py")]
