"""A fresh Linux desktop without Qt's xcb libraries: one line naming the packages, not Qt's plugin paragraph."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dsl_desk.system_libraries import XCB_LIBRARIES, check_display_libraries, missing_packages, uses_xcb

ROOT = Path(__file__).resolve().parents[2]


def test_xcb_is_used_on_linux_unless_another_platform_or_wayland():
    assert uses_xcb({}, "linux")
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb;wayland"}, "linux")
    assert not uses_xcb({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not uses_xcb({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not uses_xcb({"XDG_SESSION_TYPE": "wayland"}, "linux")
    assert not uses_xcb({}, "win32")
    assert not uses_xcb({}, "darwin")


def test_the_packages_named_are_those_of_the_libraries_that_do_not_load():
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxkbcommon-x11.so.0"}
    assert missing_packages(lambda soname: soname not in absent) == [
        "libxcb-icccm4",
        "libxcb-keysyms1",
        "libxkbcommon-x11-0",
    ]
    line = check_display_libraries({}, "linux", lambda soname: soname not in absent)
    assert line is not None and "\n" not in line
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0`" in line
    assert check_display_libraries({}, "linux", lambda soname: True) is None
    assert check_display_libraries({"QT_QPA_PLATFORM": "offscreen"}, "linux", lambda s: False) is None


def test_every_library_the_plugin_links_is_known(tmp_path):
    """The list follows the wheel: each system library libqxcb.so and QtGui need (readelf) is in it."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the xcb plugin is Linux only")
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    needed: set[str] = set()
    for library in (
        qt / "plugins" / "platforms" / "libqxcb.so",
        qt / "lib" / "libQt6XcbQpa.so.6",
        qt / "lib" / "libQt6Gui.so.6",
    ):
        out = subprocess.run(["readelf", "-d", str(library)], capture_output=True, text=True, check=True)
        needed |= {line.split("[")[1].rstrip("]") for line in out.stdout.splitlines() if "(NEEDED)" in line}
    ordinary = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libz.so.1", "libzstd.so.1"}
    system = {n for n in needed if not n.startswith(("libQt6", "libicu", "ld-linux"))} - ordinary
    system -= {"libgthread-2.0.so.0"}  # in the same package as libglib-2.0
    assert system <= {soname for soname, _package in XCB_LIBRARIES}, system - {s for s, _ in XCB_LIBRARIES}


def test_make_run_without_a_library_says_which_package_in_one_line(tmp_path):
    """A real start of the app, with libxcb-icccm.so.4 unloadable (an empty file of that name first on the
    library path: Qt itself then aborts with its plugin paragraph)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the xcb plugin is Linux only")
    broken = tmp_path / "lib"
    broken.mkdir()
    (broken / "libxcb-icccm.so.4").write_bytes(b"")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "xcb",
        "LD_LIBRARY_PATH": str(broken),
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run(
        [sys.executable, "-m", "dsl_desk", "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "sudo apt-get install libxcb-icccm4`" in lines[0]
    assert not (tmp_path / "data").exists()  # nothing was set up before the window could open
