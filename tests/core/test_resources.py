"""The shipped data is package data, found through importlib.resources and never beside the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import dsl_desk
from dsl_desk.core import resources

PACKAGE = Path(dsl_desk.__file__).parent


def test_each_folder_is_inside_the_package_and_holds_its_files() -> None:
    assert resources.policies_dir() == PACKAGE / "resources" / "policies"
    assert resources.forms_dir() == PACKAGE / "resources" / "forms"
    assert resources.fonts_dir() == PACKAGE / "resources" / "fonts"
    assert resources.migrations_dir() == PACKAGE / "store" / "migrations"
    assert (resources.policies_dir() / "barnet.toml").is_file()
    assert (resources.forms_dir() / "st_helens_escalation_notice.toml").is_file()
    assert (resources.fonts_dir() / "NotoSans-Regular.ttf").is_file()
    assert (resources.fonts_dir() / "OFL.txt").is_file()  # the licence travels with the fonts
    assert (resources.migrations_dir() / "env.py").is_file()


def test_callers_use_the_resolver() -> None:
    from dsl_desk.core.policy import builtin_policies_dir
    from dsl_desk.documents.fonts import builtin_fonts_dir
    from dsl_desk.documents.forms import builtin_forms_dir
    from dsl_desk.store.migrate import MIGRATIONS_DIR

    assert builtin_policies_dir() == resources.policies_dir()
    assert builtin_forms_dir() == resources.forms_dir()
    assert builtin_fonts_dir() == resources.fonts_dir()
    assert resources.migrations_dir() == MIGRATIONS_DIR


def test_no_module_finds_files_relative_to_the_source_tree() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "parents[" in (text := path.read_text(encoding="utf-8")) or "_MEIPASS" in text
    ]
    assert offenders == []


_FROM_ZIP = """
import sys
sys.path.insert(0, sys.argv[1])
import dsl_desk.core.resources as r
assert r.__file__.startswith(sys.argv[1]), r.__file__
folder = r.policies_dir()
print(folder.is_dir(), (folder / "barnet.toml").is_file(), str(folder).startswith(sys.argv[1]))
"""


def test_a_zipped_package_has_its_data_unpacked_to_real_files(tmp_path: Path) -> None:
    archive = tmp_path / "dsl_desk.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in PACKAGE.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.parts[-2] != "versions":
                zipped.write(path, Path("dsl_desk") / path.relative_to(PACKAGE))
    done = subprocess.run(
        [sys.executable, "-I", "-c", _FROM_ZIP, str(archive)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "False"]
