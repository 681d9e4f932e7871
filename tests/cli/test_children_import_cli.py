"""`dsl-desk children import FILE [--preview]`, run in-process against a real data dir."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from dsl_desk.cli import main
from tests.conftest import PASSPHRASE
from tests.services.db_digest import database_digest

SAMPLES = Path(__file__).parents[1] / "fixtures" / "children"


def _run(data_paths, clock, monkeypatch, *args) -> int:
    monkeypatch.setenv("DSL_DESK_PASSPHRASE", PASSPHRASE)
    return main(["--data-dir", str(data_paths.root), "children", *args], clock=clock)


def test_preview_changes_nothing_then_import_adds_and_a_second_import_finds_them_here(
    ctx, clock, data_paths, monkeypatch, capsys
):
    ctx.close()
    before = database_digest(data_paths, PASSPHRASE)
    csv = str(SAMPLES / "mis-export.csv")
    assert _run(data_paths, clock, monkeypatch, "import", csv, "--preview") == 0
    out = capsys.readouterr().out
    assert "Columns used: Legal Surname → Family name" in out
    assert "Zephyrine (Zeph) Quillborough" in out
    assert out.rstrip().endswith("Preview (nothing changed): 5 children to add, 0 already here.")
    assert database_digest(data_paths, PASSPHRASE) == before
    assert _run(data_paths, clock, monkeypatch, "import", csv) == 0
    assert capsys.readouterr().out.rstrip().endswith("5 children added, 0 already here.")
    assert _run(data_paths, clock, monkeypatch, "import", csv, "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert [row["verdict"] for row in summary["rows"]] == ["already here"] * 5
    assert _run(data_paths, clock, monkeypatch, "--json") == 0
    assert len(json.loads(capsys.readouterr().out)) == 5


def test_options_before_or_after_import_are_both_taken(ctx, clock, data_paths, monkeypatch, capsys):
    ctx.close()
    monkeypatch.delenv("DSL_DESK_PASSPHRASE", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSPHRASE + "\n"))
    args = ["--data-dir", str(data_paths.root), "children", "--passphrase-stdin", "import"]
    assert main([*args, str(SAMPLES / "ctf-sample.xml"), "--preview"], clock=clock) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSPHRASE + "\n"))
    args = ["--data-dir", str(data_paths.root), "children", "import", str(SAMPLES / "ctf-sample.xml")]
    assert main([*args, "--passphrase-stdin", "--user", "j.smith"], clock=clock) == 0
    assert "2 children added" in capsys.readouterr().out


def test_refused_rows_exit_1_and_a_bad_file_exits_2_changing_nothing(
    ctx, clock, data_paths, monkeypatch, capsys, tmp_path
):
    ctx.close()
    some_refused = tmp_path / "pupils.csv"
    some_refused.write_text("Surname,Forename,DOB\nFuturewell,Nell,01/02/2031\nPresentine,Ada,01/02/2015\n")
    assert _run(data_paths, clock, monkeypatch, "import", str(some_refused)) == 1
    out = capsys.readouterr().out
    assert "The date of birth 1 February 2031 is in the future" in out
    assert out.rstrip().endswith("1 child added, 0 already here, 1 refused.")
    before = database_digest(data_paths, PASSPHRASE)
    bad = tmp_path / "bad.xml"
    bad.write_text("<CTfile><oops></CTfile>")
    assert _run(data_paths, clock, monkeypatch, "import", str(bad)) == 2
    err = capsys.readouterr().err
    assert "not a well-formed XML file" in err and "Nothing was imported." in err
    assert "Traceback" not in err
    assert database_digest(data_paths, PASSPHRASE) == before
