"""`--data-dir DIR` is taken before or after the command (README: every command takes it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dsl_desk.cli import main
from dsl_desk.cli.commands import hoist_data_dir
from dsl_desk.services.people.children import add_child
from tests.conftest import PASSPHRASE, fictional_child

ROOT = Path(__file__).resolve().parents[2]


def test_cases_with_the_data_dir_after_the_command(ctx, data_paths, clock, monkeypatch, capsys):
    add_child(ctx, fictional_child())
    ctx.close()
    monkeypatch.setenv("DSL_DESK_PASSPHRASE", PASSPHRASE)
    assert main(["cases", "--data-dir", str(data_paths.root), "--json"], clock=clock) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["children", "--json", f"--data-dir={data_paths.root}"], clock=clock) == 0
    [child] = json.loads(capsys.readouterr().out)
    assert child["name"] == "Zephyrine Quillborough"
    assert (
        main(["log", "list", "--child", str(child["id"]), "--data-dir", str(data_paths.root)], clock=clock)
        == 0
    )


def test_the_real_command_takes_it_after_the_command(ctx, data_paths):
    ctx.close()
    env = {
        **os.environ,
        "DSL_DESK_PASSPHRASE": PASSPHRASE,
        "PYTHONPATH": str(ROOT / "src"),
        "DSL_DESK_DATA_DIR": str(data_paths.root.parent / "not-this-one"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "dsl_desk", "cases", "--data-dir", str(data_paths.root), "--json"],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=120,
    )
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "[]", "")


def test_only_the_data_dir_moves():
    assert hoist_data_dir(["cases", "--data-dir", "D", "--json"]) == ["--data-dir", "D", "cases", "--json"]
    assert hoist_data_dir(["cases", "--data-dir=D"]) == ["--data-dir=D", "cases"]
    assert hoist_data_dir(["--data-dir", "D", "cases"]) == ["--data-dir", "D", "cases"]
    # after `--` it is a word, e.g. one to search the log for
    assert hoist_data_dir(["log", "search", "--", "--data-dir", "x"]) == [
        "log",
        "search",
        "--",
        "--data-dir",
        "x",
    ]
    assert hoist_data_dir(["cases", "--data-dir"]) == ["cases", "--data-dir"]  # argparse says what is missing
