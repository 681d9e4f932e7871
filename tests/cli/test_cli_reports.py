"""`dsl-desk report`: figures as text and JSON, CSV and PDF exports, against the seeded history."""

from __future__ import annotations

import json

from dsl_desk.cli import main
from tests.conftest import PASSPHRASE
from tests.services.learning_seed import seed


def test_report_command_prints_and_exports(ctx, clock, child_id, data_paths, tmp_path, monkeypatch, capsys):
    seed(ctx, clock, child_id)
    ctx.close()
    monkeypatch.setenv("DSL_DESK_PASSPHRASE", PASSPHRASE)
    base = ["--data-dir", str(data_paths.root), "report", "--from", "2026-01-01", "--to", "2026-03-31"]
    assert main([*base, "--json"], clock=clock) == 0
    figures = json.loads(capsys.readouterr().out)
    assert (figures["opened"], figures["resolved"], figures["median_days"], figures["longest_days"]) == (
        5,
        4,
        6.0,
        14,
    )
    csv_file, pdf_file = tmp_path / "f.csv", tmp_path / "g.pdf"
    assert main([*base, "--csv", str(csv_file), "--pdf", str(pdf_file)], clock=clock) == 0
    out = capsys.readouterr().out
    assert "Opened: 5" in out
    assert f"Wrote {csv_file}" in out
    assert pdf_file.read_bytes().startswith(b"%PDF-")
    assert "Escalations opened,5" in csv_file.read_text(encoding="utf-8-sig")


def test_report_refuses_a_backwards_period(ctx, data_paths, clock, monkeypatch, capsys):
    ctx.close()
    monkeypatch.setenv("DSL_DESK_PASSPHRASE", PASSPHRASE)
    args = ["--data-dir", str(data_paths.root), "report", "--from", "2026-03-31", "--to", "2026-01-01"]
    assert main(args, clock=clock) == 2
    assert "--to must be on or after --from" in capsys.readouterr().err
