"""A wheel installed outside the checkout runs: the demo and a form export, with nothing read from the source tree.

The wheel is built from a copy of the sources (so the build leaves nothing in the checkout), installed with
`--no-deps` into a fresh virtual environment under tmp_path; the dependencies come from this interpreter's
site-packages through a folder of links that leaves out dsl_desk itself (its editable install would point
back at the source tree). An audit hook installed at start-up in the new environment writes down every file
or folder opened or listed under the source tree or the copy the wheel was built from; the test fails on any.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from pypdf import PdfReader

import dsl_desk

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSPHRASE = "demo passphrase"  # published with the demo: see services/demo.py

pytestmark = pytest.mark.timeout(600)

# Runs in the new environment at start-up (from a .pth file), before dsl_desk is imported.
_GUARD = """
import os, sys

_FORBIDDEN = tuple(os.path.realpath(p) for p in {forbidden!r})
_LOG = open({log!r}, "a", encoding="utf-8")


def _watch(event, args):
    if event not in ("open", "os.listdir", "os.scandir", "glob.glob") or not args:
        return
    path = args[0]
    if isinstance(path, int) or path is None:
        return
    try:
        path = os.path.realpath(os.fsdecode(path))
    except (TypeError, ValueError):
        return
    if any(path == root or path.startswith(root + os.sep) for root in _FORBIDDEN):
        _LOG.write(event + " " + path + "\\n")
        _LOG.flush()


sys.addaudithook(_watch)
"""


def _setuptools_builds_here() -> bool:
    """Whether this interpreter's setuptools meets pyproject's build-system requirement (>=77)."""
    try:
        major = int(version("setuptools").split(".")[0])
    except (PackageNotFoundError, ValueError):
        return False
    return major >= 77


def _build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    shutil.copytree(
        ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels)]
    if _setuptools_builds_here():
        command.append("--no-build-isolation")  # otherwise pip fetches setuptools for an isolated build
    built = subprocess.run(
        [*command, str(source)], capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path
    )
    if (
        built.returncode != 0
        and "No matching distribution found for setuptools" in built.stdout + built.stderr
    ):
        pytest.skip("no setuptools>=77 here and no package index to fetch it from for an isolated build")
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = wheels.glob("dsl_desk-*.whl")
    return wheel


def _dependencies_without_dsl_desk(tmp_path: Path) -> Path:
    """This interpreter's site-packages as links, less dsl_desk and its editable-install hooks."""
    site = Path(sysconfig.get_paths()["purelib"])
    links = tmp_path / "dependencies"
    links.mkdir()
    for entry in site.iterdir():
        name = entry.name.lower()
        if name.startswith(("dsl_desk", "dsl-desk", "__editable__", "_dsl_desk")) or name.endswith(".pth"):
            continue
        (links / entry.name).symlink_to(entry)
    return links


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp_path = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout.strip()
    )  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index",
         str(wheel)],
        check=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    log = tmp_path / "read-from-source.log"
    log.touch()
    forbidden = [
        str(ROOT / "src"),
        str(Path(dsl_desk.__file__).resolve().parents[1]),
        str(tmp_path / "source"),
    ]
    (site / "_source_guard.py").write_text(_GUARD.format(forbidden=forbidden, log=str(log)), encoding="utf-8")
    (site / "_source_guard.pth").write_text(
        f"import _source_guard\n{_dependencies_without_dsl_desk(tmp_path)}\n", encoding="utf-8"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    return {"venv": venv, "site": site, "log": log, "cwd": elsewhere, "home": tmp_path / "home"}


def run(installed: dict[str, Path], *args: str, passphrase: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": f"{installed['venv'] / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(installed["home"]),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }  # no PYTHONPATH, nothing else of this process
    if passphrase:
        env["DSL_DESK_PASSPHRASE"] = passphrase
    return subprocess.run(
        list(args), env=env, cwd=installed["cwd"], capture_output=True, text=True, timeout=300, check=False
    )


def test_the_package_comes_from_the_wheel_and_the_guard_is_on(installed: dict[str, Path]):
    python = str(installed["venv"] / "bin" / "python")
    done = run(installed, python, "-c", "import dsl_desk, _source_guard; print(dsl_desk.__file__)")
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_relative_to(installed["site"])
    # The guard catches a read of the source tree (checked once, then the log is emptied for the app's runs).
    probe = run(installed, python, "-c", f"open({str(ROOT / 'src' / 'dsl_desk' / '__init__.py')!r}).close()")
    assert probe.returncode == 0, probe.stderr
    assert "__init__.py" in installed["log"].read_text(encoding="utf-8")
    installed["log"].write_text("", encoding="utf-8")


def test_demo_and_a_form_export_from_the_installed_wheel(installed: dict[str, Path]):
    data = installed["cwd"].parent / "data"
    dsl_desk_command = str(installed["venv"] / "bin" / "dsl-desk")
    demo = run(installed, dsl_desk_command, "--data-dir", str(data), "demo", "--no-gui")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "10 escalations" in demo.stdout
    listed = run(
        installed, dsl_desk_command, "--data-dir", str(data), "cases", "--json", passphrase=DEMO_PASSPHRASE
    )
    assert listed.returncode == 0, listed.stderr
    reference = next(
        case["reference"] for case in json.loads(listed.stdout) if case["policy_id"] == "st_helens"
    )
    pdf = installed["cwd"] / "notice.pdf"
    exported = run(
        installed, dsl_desk_command, "--data-dir", str(data), "export", "st_helens_escalation_notice",
        "--escalation", reference, "--out", str(pdf), passphrase=DEMO_PASSPHRASE,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stdout + exported.stderr
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Escalation Notice" in text
    assert reference in text
    assert installed["log"].read_text(encoding="utf-8") == "", "read from the source tree"
