"""The house rules (docs/architecture.md), checked on every `make test`.

The import rules are import-linter contracts in `.importlinter`: the layers, the order of the service subjects,
the UI never importing the store, SQLAlchemy or ReportLab, Qt only in the UI, and no cycles. import-linter reads
every import statement, the ones inside functions too. The tests here run it on the package, and on a copy with
a rule broken on purpose, to show that it would notice.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dsl_desk

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(dsl_desk.__file__).resolve().parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PARTNERSHIPS = ("st_helens", "barnet", "city_and_hackney", "medway", "wigan")


def _lint(src: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(ROOT / ".importlinter")],
        capture_output=True,
        text=True,
        cwd=src,
        env={**os.environ, "PYTHONPATH": str(src)},
        timeout=300,
        check=False,
    )


def test_the_contracts_hold():
    done = _lint(PACKAGE.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout
    assert done.stdout.count("KEPT") == 6


def test_a_broken_rule_is_caught(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "dsl_desk", ignore=shutil.ignore_patterns("__pycache__", "resources"))
    # The UI reaching into the store from inside a function, a low subject importing a high one, and a cycle.
    (copy / "dsl_desk/ui/people/planted.py").write_text("def f():\n    from dsl_desk.store import paths\n")
    (copy / "dsl_desk/services/people/planted.py").write_text(
        "from dsl_desk.services.records import backups\n"
    )
    (copy / "dsl_desk/core/planted_a.py").write_text("from dsl_desk.core import planted_b\n")
    (copy / "dsl_desk/core/planted_b.py").write_text("from dsl_desk.core import planted_a\n")
    done = _lint(copy)
    assert done.returncode != 0
    out = " ".join(done.stdout.split())
    assert "dsl_desk.ui.people.planted -> dsl_desk.store.paths" in out
    assert "dsl_desk.services.people is not allowed to import dsl_desk.services.records" in out
    assert ".planted_a -> .planted_b" in out or ".planted_b -> .planted_a" in out


def test_no_partnership_is_named_in_the_code():
    """Behaviour that differs between partnerships comes from the pack's data: no partnership's id, and no id of
    its forms, is a string in the code (the demo, which picks one to fill a desk, aside)."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative == "services/demo.py" or relative.startswith("store/migrations/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value.strip()
                if value in PARTNERSHIPS or any(value.startswith(p + "_") for p in PARTNERSHIPS):
                    found.append(f"{relative}:{node.lineno}: {value!r}")
    assert found == []


def test_the_ui_never_reaches_the_store_through_the_context():
    """The context the UI holds carries the store for the services; the UI asks it for paths and read_only."""
    found = []
    for path in (PACKAGE / "ui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "store":
                found.append(f"ui/{path.relative_to(PACKAGE / 'ui').as_posix()}:{node.lineno}")
    assert found == []
