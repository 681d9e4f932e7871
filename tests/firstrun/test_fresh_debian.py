"""The README's first run on a minimal Debian image (slow; needs docker or podman and the network).

In a fresh `debian:bookworm-slim` with only Python, make and Xvfb: `make run` stops with one line naming the
packages to install; after the README's `apt-get install` line it opens the desk (the benchmark probe signs in,
waits for the dashboard to paint and quits).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "debian:bookworm-slim"


def _engine() -> str:
    for engine in ("podman", "docker"):
        path = shutil.which(engine)
        if (
            path
            and subprocess.run([path, "info"], capture_output=True, check=False, timeout=60).returncode == 0
        ):
            return path
    pytest.skip("neither docker nor podman is available here (no engine, or its daemon is not running)")


def readme_install_line() -> str:
    """The `sudo apt-get install …` line of the README's first-run section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set-up: two commands", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"^sudo apt-get install (.+)$", section, re.MULTILINE)
    assert match, "the README's first-run section names no apt-get line"
    return match.group(1).strip()


def test_the_readme_names_the_packages_the_check_names():
    from dsl_desk.system_libraries import XCB_LIBRARIES

    named = set(readme_install_line().replace("-y", "").split())
    assert {package for _soname, package in XCB_LIBRARIES} <= named


SCRIPT = r"""
set -eu
apt-get update -qq
apt-get install -y -qq python3 python3-venv make xvfb xauth >/dev/null
cp -r /src /app && cd /app && rm -rf .venv
export DSL_DESK_DATA_DIR=/tmp/desk
set +e
xvfb-run -a make run > /tmp/first.out 2>&1
echo "FIRST_RC=$?"
set -e
grep -c 'sudo apt-get install' /tmp/first.out | sed 's/^/NAMED_LINES=/'
grep 'sudo apt-get install' /tmp/first.out | sed 's/^/LINE=/'
apt-get install -y -qq INSTALL >/dev/null
echo 'desk passphrase for the test' | .venv/bin/dsl-desk init --organisation 'Penkford School' \
    --partnership st_helens --username j.smith --display-name 'Jane Smith' --passphrase-stdin >/dev/null
DSL_DESK_BENCH_AUTOSTART=1 DSL_DESK_PASSPHRASE='desk passphrase for the test' timeout 300 xvfb-run -a \
    -s '-screen 0 1366x768x24' make run 2>&1 | grep -o 'DSL_DESK_BENCH .*' | head -1 | sed 's/^/OPENED=/'
"""


def test_first_run_on_a_minimal_debian_image():
    engine = _engine()
    if subprocess.run([engine, "pull", IMAGE], capture_output=True, check=False, timeout=600).returncode != 0:
        pytest.skip(f"could not pull {IMAGE} (no network?)")
    done = subprocess.run(
        [
            engine,
            "run",
            "--rm",
            "-v",
            f"{ROOT}:/src:ro",
            IMAGE,
            "bash",
            "-c",
            SCRIPT.replace("INSTALL", readme_install_line()),
        ],
        capture_output=True,
        check=False,
        text=True,
        timeout=3600,
    )
    out = done.stdout
    assert "FIRST_RC=2" in out, out + done.stderr
    assert "NAMED_LINES=1" in out, out
    assert "OPENED=DSL_DESK_BENCH" in out, out + done.stderr
