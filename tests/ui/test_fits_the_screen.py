"""Every window, page, wizard page and dialog fits a 1366x768 and a 1280x720 laptop at 100 %, and a 1920x1080
screen at 150 % (1280x720 logical pixels): nothing opens wider or taller than the screen, and nothing has a
minimum size that stops it being made to fit.

Each screen is its own process (the offscreen platform's screen is fixed when Qt starts): tests/ui/fit_probe.py
opens everything over the demo database and reports the sizes. Dialogs must leave room for a title bar, which
the offscreen platform does not draw; the main window is maximised, and the window manager fits its frame.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENS = [(1366, 768, "1"), (1280, 720, "1"), (1920, 1080, "1.5")]
TITLE_BAR = 30


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory, packs) -> Path:
    from dsl_desk.core.clock import SystemClock
    from dsl_desk.services.demo import create_demo
    from dsl_desk.store.paths import DataPaths

    folder = tmp_path_factory.mktemp("fit") / "demo"
    create_demo(DataPaths(folder), clock=SystemClock(), packs=packs)
    return folder


def probe(demo_folder: Path, tmp_path: Path, width: int, height: int, scale: str) -> dict:
    data = tmp_path / "data"
    shutil.copytree(demo_folder, data)
    config = tmp_path / "screen.json"
    screen = {"name": "laptop", "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96}
    config.write_text(json.dumps({"screens": [{**screen, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": scale,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "ui" / "fit_probe.py"), str(data)],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=300,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("FIT ")]
    assert lines, done.stdout[-2000:] + done.stderr[-4000:]
    return json.loads(lines[0][4:])


def too_big(report: dict) -> list[str]:
    width, height = report["available"]
    problems = []
    for item in report["seen"]:
        room = (
            height
            if item["name"].startswith(("main window", "page ", "escalation page", "records tab"))
            else (height - TITLE_BAR)
        )
        if item["width"] > width or item["height"] > room:
            problems.append(f"{item['name']} opens at {item['width']}x{item['height']}")
        if item["min_width"] > width or item["min_height"] > room:
            problems.append(f"{item['name']} cannot be smaller than {item['min_width']}x{item['min_height']}")
        if item["scrolls_sideways"]:
            problems.append(f"{item['name']} scrolls sideways in {item['scrolls_sideways']}")
    return problems


@pytest.mark.parametrize(
    ("width", "height", "scale"), SCREENS, ids=["1366x768", "1280x720", "1920x1080@150%"]
)
def test_everything_fits_the_screen(demo_folder, tmp_path, width, height, scale):
    report = probe(demo_folder, tmp_path, width, height, scale)
    assert report["available"] == [round(width / float(scale)), round(height / float(scale))]
    assert not report["errors"], report["errors"]
    assert set(report["dialog_classes"]) <= set(report["opened_classes"]), "a dialog the probe does not open"
    assert len(report["seen"]) > 60
    problems = too_big(report)
    assert not problems, f"on {report['available']}: " + "; ".join(problems)
