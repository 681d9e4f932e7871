"""One place that builds every target: `python installer/build.py linux|windows|macos [--skip-bundle]`.

  linux    dist/dsl-desk/ (PyInstaller onedir) → dist/dsl-desk-<version>-linux-x86_64.tar.gz
  windows  dist/dsl-desk/ → Inno Setup (iscc) → dist/dsl-desk-<version>-setup.exe (per-user, no admin)
  macos    dist/DSL Desk.app → dist/dsl-desk-<version>-macos.zip (and a .dmg when hdiutil is there)

The version and name come from pyproject.toml, here and in the spec, so a release changes one line.
Run it from any directory with the project's environment active (`pip install -c constraints.txt -e .[build]`).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "installer" / "dsl_desk.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
TARGETS = ("linux", "windows", "macos")


def project() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {"name": data["name"], "version": data["version"], "description": data.get("description", "")}


def run(command: list[str], **kwargs: object) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]  # noqa: S603


def bundle() -> Path:
    """PyInstaller onedir build of the current platform: dist/dsl-desk/ (and dist/DSL Desk.app on macOS)."""
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--distpath",
            str(DIST),
            "--workpath",
            str(WORK),
            str(SPEC),
        ]
    )
    folder = DIST / project()["name"]
    if not folder.is_dir():
        raise SystemExit(f"PyInstaller did not make {folder}")
    return folder


def build_linux(skip_bundle: bool) -> Path:
    meta = project()
    folder = DIST / meta["name"] if skip_bundle else bundle()
    arch = platform.machine() or "x86_64"
    top = f"{meta['name']}-{meta['version']}"
    archive = DIST / f"{top}-linux-{arch}.tar.gz"
    # A .desktop file so `install.sh` (or the user) can add DSL Desk to the application menu.
    desktop = (ROOT / "installer" / "linux" / "dsl-desk.desktop").read_text(encoding="utf-8")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname=f"{top}/{meta['name']}")
        for extra in ("install.sh", "README.md"):
            tar.add(ROOT / "installer" / "linux" / extra, arcname=f"{top}/{extra}")
        info = tarfile.TarInfo(f"{top}/dsl-desk.desktop")
        encoded = desktop.encode("utf-8")
        info.size = len(encoded)
        info.mode = 0o644
        import io

        tar.addfile(info, io.BytesIO(encoded))
    print(f"Linux tarball: {archive} ({archive.stat().st_size / 1e6:.0f} MB)")
    return archive


def build_windows(skip_bundle: bool) -> Path:
    meta = project()
    if not skip_bundle:
        bundle()
    template = ROOT / "installer" / "windows" / "dsl_desk.iss"
    script = ROOT / "build" / "dsl_desk.iss"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(fill_placeholders(template.read_text(encoding="utf-8"), meta), encoding="utf-8")
    iscc = find_iscc()
    run([iscc, f"/O{DIST}", str(script)])
    installer = DIST / f"{meta['name']}-{meta['version']}-setup.exe"
    print(f"Windows installer: {installer}")
    return installer


def fill_placeholders(text: str, meta: dict[str, str]) -> str:
    """The .iss keeps @NAME@-style placeholders so it never carries a stale version."""
    values = {
        "@APP_NAME@": "DSL Desk",
        "@APP_EXE@": f"{meta['name']}.exe",
        "@APP_VERSION@": meta["version"],
        "@OUTPUT_BASE@": f"{meta['name']}-{meta['version']}-setup",
        "@SOURCE_DIR@": str(DIST / meta["name"]),
        "@LICENSE_NOTE@": str(ROOT / "installer" / "windows" / "before_install.txt"),
    }
    for key, value in values.items():
        text = text.replace(key, value)
    if "@" in "".join(line for line in text.splitlines() if line.strip().startswith(("#define", "Source"))):
        raise SystemExit("An @PLACEHOLDER@ in dsl_desk.iss has no value in installer/build.py")
    return text


def find_iscc() -> str:
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return found
    # Windows environment variable names are case-insensitive.
    for base in (
        os.environ.get("PROGRAMFILES(X86)"),
        os.environ.get("PROGRAMFILES"),
        os.environ.get("LOCALAPPDATA"),
    ):
        if base:
            for sub in ("Inno Setup 6", "Programs/Inno Setup 6"):
                candidate = Path(base) / sub / "ISCC.exe"
                if candidate.exists():
                    return str(candidate)
    raise SystemExit(
        "Inno Setup 6 is needed for the Windows installer: `choco install innosetup` or jrsoftware.org"
    )


def build_macos(skip_bundle: bool) -> Path:
    meta = project()
    if not skip_bundle:
        bundle()
    app = DIST / "DSL Desk.app"
    if not app.is_dir():
        raise SystemExit(f"PyInstaller did not make {app} (the spec makes it only on macOS)")
    archive = DIST / f"{meta['name']}-{meta['version']}-macos-{platform.machine()}.zip"
    # ditto keeps the bundle's symlinks and extended attributes, which zip/shutil would flatten.
    run(["ditto", "-c", "-k", "--keepParent", str(app), str(archive)])
    if shutil.which("hdiutil"):
        dmg = archive.with_suffix(".dmg")
        dmg.unlink(missing_ok=True)
        run(
            [
                "hdiutil",
                "create",
                "-volname",
                "DSL Desk",
                "-srcfolder",
                str(app),
                "-ov",
                "-format",
                "UDZO",
                str(dmg),
            ]
        )
    print(f"macOS app: {archive}")
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=TARGETS)
    parser.add_argument(
        "--skip-bundle", action="store_true", help="reuse dist/ from an earlier PyInstaller run"
    )
    args = parser.parse_args(argv)
    here = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    if args.target != here:
        raise SystemExit(
            f"PyInstaller cannot cross-build: build the {args.target} target on {args.target} "
            f"(this is {here}). CI does each on its own runner."
        )
    builders = {"linux": build_linux, "windows": build_windows, "macos": build_macos}
    builders[args.target](args.skip_bundle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
