"""Before Qt is imported on Linux: are the system libraries its X11 (xcb) platform plugin needs installed?

Without them Qt stops with "Could not load the Qt platform plugin "xcb"" and a paragraph that names no package.
This check tries to load each library the way Qt would (by its soname), and names the Debian/Ubuntu packages
that hold the ones missing, in one line the user can paste. It imports nothing from Qt, so it runs even when
importing PySide6.QtGui itself would fail for want of libEGL or libGL.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

# The shared libraries PySide6's QtGui, QtWidgets and the xcb platform plugin (libqxcb.so, libQt6XcbQpa.so.6)
# load from the system, with the Debian/Ubuntu package holding each. Found with `readelf -d` on the wheel's
# libraries and `dpkg -S` on Debian 12; libc, libstdc++, zlib and the like are on every system and left out.
XCB_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libEGL.so.1", "libegl1"),
    ("libGL.so.1", "libgl1"),
    ("libfontconfig.so.1", "libfontconfig1"),
    ("libfreetype.so.6", "libfreetype6"),
    ("libglib-2.0.so.0", "libglib2.0-0"),
    ("libdbus-1.so.3", "libdbus-1-3"),
    ("libX11.so.6", "libx11-6"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libxcb.so.1", "libxcb1"),
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-render.so.0", "libxcb-render0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-shm.so.0", "libxcb-shm0"),
    ("libxcb-sync.so.1", "libxcb-sync1"),
    ("libxcb-util.so.1", "libxcb-util1"),
    ("libxcb-xfixes.so.0", "libxcb-xfixes0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
)


def uses_xcb(environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether Qt will try its X11 plugin: on Linux, unless another platform is asked for or this is a
    Wayland session (Qt 6 then prefers its Wayland plugin)."""
    environ = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(";")[0].split(":")[0].strip() == "xcb"
    return not (environ.get("WAYLAND_DISPLAY") or environ.get("XDG_SESSION_TYPE") == "wayland")


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_packages(loads: Callable[[str], bool] = _loads) -> list[str]:
    """The packages holding the libraries that will not load, in the order of XCB_LIBRARIES, each once."""
    missing: list[str] = []
    for soname, package in XCB_LIBRARIES:
        if package not in missing and not loads(soname):
            missing.append(package)
    return missing


def install_line(packages: list[str]) -> str:
    return (
        "DSL Desk cannot open its window: these system packages are missing. Install them with "
        f"`sudo apt-get install {' '.join(packages)}` (Debian/Ubuntu names), then start it again."
    )


def check_display_libraries(
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    loads: Callable[[str], bool] = _loads,
) -> str | None:
    """One line naming the packages to install, or None when nothing is missing (or xcb is not used)."""
    if not uses_xcb(environ, platform):
        return None
    packages = missing_packages(loads)
    return install_line(packages) if packages else None
