"""core stays pure: it imports without Qt or SQLAlchemy and never reads the wall clock itself."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import dsl_desk.core

CORE = Path(dsl_desk.core.__file__).parent

# A meta-path finder that refuses PySide6 and SQLAlchemy, so any import of them fails loudly.
_PROBE = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'sqlalchemy', 'shiboken6'):
            raise ImportError('core must not import ' + name)
sys.meta_path.insert(0, Block())
import dsl_desk.core.calendar, dsl_desk.core.policy, dsl_desk.core.escalation_rules, dsl_desk.core.dates_in_words
import dsl_desk.core.date_entry, dsl_desk.core.policy.loader, dsl_desk.core.resources, dsl_desk.core.child_import
from dsl_desk.core.policy import builtin_policies_dir, load_packs
assert load_packs([builtin_policies_dir()]).errors == ()
print('ok')
"""


def test_core_imports_without_qt_or_sqlalchemy() -> None:
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_core_never_reads_the_wall_clock() -> None:
    wall_clock = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time)\(")
    offenders = [
        str(path.relative_to(CORE))
        for path in CORE.rglob("*.py")
        if path.name != "clock.py" and wall_clock.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
