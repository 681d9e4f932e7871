"""Smoke test of the PyInstaller bundle (`make test-slow`): it runs with no Python anywhere on PATH.

The bundle is dist/dsl-desk/dsl-desk (or $DSL_DESK_BUNDLE). When it is missing, or older than the sources
it was built from, the test builds it first with installer/dsl_desk.spec (a few minutes on two cores).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1800),  # the first test may build the bundle
    pytest.mark.skipif(sys.platform != "linux", reason="the Linux bundle"),
]

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "installer" / "dsl_desk.spec"
BUNDLE = Path(os.environ.get("DSL_DESK_BUNDLE", ROOT / "dist" / "dsl-desk" / "dsl-desk"))
INTERNAL = BUNDLE.parent / "_internal"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
DEMO_PASSPHRASE = "demo passphrase"  # published with the demo: see services/demo.py
SOURCES = ("src", "installer/dsl_desk.spec", "installer/launcher.py", "pyproject.toml")


def _newest_source() -> float:
    newest = 0.0
    for name in SOURCES:
        path = ROOT / name
        files = (
            [path]
            if path.is_file()
            else (p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        )
        newest = max([newest, *(f.stat().st_mtime for f in files)])
    return newest


@pytest.fixture(scope="module")
def bundle() -> Path:
    stale = (
        BUNDLE.exists() and "DSL_DESK_BUNDLE" not in os.environ and BUNDLE.stat().st_mtime < _newest_source()
    )
    if not BUNDLE.exists() or stale:
        if shutil.which("pyinstaller", path=str(Path(sys.executable).parent)) is None:
            pytest.skip("PyInstaller is not installed: pip install -c constraints.txt -e '.[build]'")
        subprocess.run(
            [sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(ROOT / "dist"),
             "--workpath", str(ROOT / "build" / "pyinstaller"), str(SPEC)],
            cwd=ROOT, check=True, capture_output=True, timeout=1800,
        )  # fmt: skip
    assert BUNDLE.exists(), f"no bundle at {BUNDLE}"
    return BUNDLE


@pytest.fixture(scope="module")
def no_python_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """/usr/bin and /bin without any python: the bundle must carry its own."""
    bin_dir = tmp_path_factory.mktemp("bin-without-python")
    for folder in (Path("/usr/bin"), Path("/bin")):
        for tool in folder.iterdir():
            if not tool.name.startswith(("python", "pip", "pydoc", "2to3", "idle")) and not os.path.lexists(
                bin_dir / tool.name
            ):
                (bin_dir / tool.name).symlink_to(tool)
    assert shutil.which("python3", path=str(bin_dir)) is None
    assert shutil.which("python", path=str(bin_dir)) is None
    home = tmp_path_factory.mktemp("home")
    return {"PATH": str(bin_dir), "HOME": str(home), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}


def run(
    bundle: Path, env: dict[str, str], *args: str, passphrase: str = ""
) -> subprocess.CompletedProcess[str]:
    full_env = dict(env)  # PYTHONHOME, PYTHONPATH and everything else of this process are left out
    if passphrase:
        full_env["DSL_DESK_PASSPHRASE"] = passphrase
    return subprocess.run(
        [str(bundle), *args], env=full_env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def demo_dir(bundle: Path, no_python_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("demo") / "data"
    result = run(bundle, no_python_env, "--data-dir", str(data), "demo", "--no-gui")
    assert result.returncode == 0, result.stderr
    assert "10 escalations" in result.stdout
    return data


def test_bundle_carries_the_data_files_where_the_code_looks(bundle: Path):
    # core/resources.py finds everything through importlib.resources.files("dsl_desk"), which PyInstaller
    # answers with _internal/dsl_desk: the data must be files there, at their paths inside the package.
    source = ROOT / "src" / "dsl_desk" / "store" / "migrations"
    bundled = INTERNAL / "dsl_desk" / "store" / "migrations"
    assert (bundled / "env.py").is_file()
    assert (bundled / "script.py.mako").is_file()
    assert sorted(p.name for p in (bundled / "versions").glob("*.py")) == sorted(
        p.name for p in (source / "versions").glob("*.py")
    )
    for folder, pattern in (
        ("resources/policies", "*.toml"),
        ("resources/forms", "*.toml"),
        ("resources/fonts", "*.ttf"),
    ):
        expected = sorted(p.name for p in (ROOT / "src" / "dsl_desk" / folder).glob(pattern))
        assert expected
        assert sorted(p.name for p in (INTERNAL / "dsl_desk" / folder).glob(pattern)) == expected, folder
    assert list(INTERNAL.glob("dsl_desk-*.dist-info")), "copy_metadata: __version__ comes from the dist-info"


def test_bundle_leaves_out_what_the_app_does_not_use(bundle: Path):
    names = {p.name for p in INTERNAL.rglob("*")}
    unwanted = [
        n
        for n in names
        if n.startswith(
            (
                "libQt6Qml",
                "libQt6Quick",
                "libQt6WebEngine",
                "libQt63D",
                "libQt6Multimedia",
                "QtQml.",
                "QtQuick",
                "QtWebEngine",
            )
        )
    ]
    assert not unwanted, unwanted
    for kept in (
        "QtWidgets.abi3.so",
        "QtGui.abi3.so",
        "QtCore.abi3.so",
        "QtPdf.abi3.so",
        "QtPdfWidgets.abi3.so",
        "QtPrintSupport.abi3.so",
    ):
        assert kept in names, kept
    plugins = {p.name for p in (INTERNAL / "PySide6" / "Qt" / "plugins" / "platforms").iterdir()}
    assert {"libqoffscreen.so", "libqxcb.so"} <= plugins


def test_version_without_python_on_path(bundle: Path, no_python_env: dict[str, str]):
    result = run(bundle, no_python_env, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"DSL Desk {VERSION}"


def test_demo_then_cases_as_json(bundle: Path, no_python_env: dict[str, str], demo_dir: Path):
    result = run(
        bundle, no_python_env, "--data-dir", str(demo_dir), "cases", "--json", passphrase=DEMO_PASSPHRASE
    )
    assert result.returncode == 0, result.stderr
    cases = json.loads(result.stdout)
    assert len(cases) == 8  # ten demo escalations, one resolved and one withdrawn
    assert {case["policy_id"] for case in cases} >= {
        "st_helens",
        "barnet",
        "medway",
        "wigan",
        "city_and_hackney",
    }


def test_export_signed_escalation_notice_and_verify_it(
    bundle: Path, no_python_env: dict[str, str], demo_dir: Path, tmp_path: Path
):
    cases = json.loads(
        run(
            bundle, no_python_env, "--data-dir", str(demo_dir), "cases", "--json", passphrase=DEMO_PASSPHRASE
        ).stdout
    )
    reference = next(case["reference"] for case in cases if case["policy_id"] == "st_helens")
    pdf = tmp_path / "X.pdf"
    exported = run(
        bundle, no_python_env, "--data-dir", str(demo_dir), "export", "st_helens_escalation_notice",
        "--escalation", reference, "--out", str(pdf), "--sign", passphrase=DEMO_PASSPHRASE,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    # With the desk that signed it, verify knows the certificate (exit 0); without, it says "unknown signer" (3).
    verified = run(bundle, no_python_env, "--data-dir", str(demo_dir), "verify", str(pdf))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Alex Morgan" in verified.stdout  # the demo DSL signed it
