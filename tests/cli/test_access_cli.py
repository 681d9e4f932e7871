"""`dsl-desk sar …` end to end, in-process, on a real encrypted database and real files."""

from __future__ import annotations

import json

from pypdf import PdfReader

from dsl_desk.cli import main
from dsl_desk.cli.commands import PASSPHRASE_ENV
from tests.conftest import PASSPHRASE
from tests.services.subject_access_seed import SECRET_SUMMARY, THIRD_PARTY, seed


def run(data_paths, clock, *argv: str) -> int:
    return main(["--data-dir", str(data_paths.root), *argv], clock=clock)


def test_a_request_from_receipt_to_response(ctx, child_id, data_paths, clock, tmp_path, monkeypatch, capsys):
    seeded = seed(ctx, clock, child_id, tmp_path)
    ctx.close()
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)

    assert run(data_paths, clock, "sar", "new", "--child", str(child_id), "--requester", "Mr B Example",
               "--relationship", "Father", "--received", "2026-01-05", "--identity-confirmed") == 0  # fmt: skip
    assert "respond by Thursday 5 February 2026" in capsys.readouterr().out
    assert run(data_paths, clock, "sar", "list", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["relationship"] for r in rows] == ["Mother", "Father"]
    request = str(seeded.request_id)

    assert run(data_paths, clock, "sar", "items", request) == 0
    out = capsys.readouterr().out
    assert f"entry      {seeded.secret_entry_id:>5}" in out
    assert THIRD_PARTY in out.splitlines()[-1]  # suggested for redaction

    assert run(data_paths, clock, "sar", "redact", request, THIRD_PARTY) == 0
    assert run(data_paths, clock, "sar", "withhold", request, "--entry", str(seeded.secret_entry_id),
               "--exemption", "child_abuse", "--reason", "Not in her interests") == 0  # fmt: skip
    assert "Child abuse data (DPA 2018 Sch. 3 Part 5)" in capsys.readouterr().out

    out_dir = tmp_path / "response"
    out_dir.mkdir()
    assert run(data_paths, clock, "sar", "export", request, "--out", str(out_dir)) == 0
    printed = capsys.readouterr().out
    assert "1 withheld" in printed and "The export was audited" in printed
    files = {p.name.rsplit("_", 1)[1]: p for p in out_dir.iterdir()}
    text = " ".join(p.extract_text() for p in PdfReader(files["response.pdf"]).pages)
    assert SECRET_SUMMARY not in " ".join(text.split())
    assert THIRD_PARTY not in " ".join(text.split())
    assert SECRET_SUMMARY not in files["response.json"].read_text(encoding="utf-8")
    assert "Do not send" in PdfReader(files["redaction-log.pdf"]).pages[0].extract_text()

    assert run(data_paths, clock, "sar", "responded", request, "--method", "Secure email") == 0
    assert run(data_paths, clock, "sar", "list") == 0
    assert "Answered" in capsys.readouterr().out


def test_bad_input_is_refused_plainly(ctx, child_id, data_paths, clock, tmp_path, monkeypatch, capsys):
    ctx.close()
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    assert run(data_paths, clock, "sar", "new", "--child", str(child_id), "--requester", "X Y",
               "--relationship", "Father", "--received", "05/01/2026") == 2  # fmt: skip
    assert "must be a date like 2026-01-05" in capsys.readouterr().err
    assert run(data_paths, clock, "sar", "new", "--child", str(child_id), "--requester", "X Y",
               "--relationship", "Father", "--received", "2026-02-01") == 2  # fmt: skip
    assert "in the future" in capsys.readouterr().err
    assert run(data_paths, clock, "sar", "export", "7", "--out", str(tmp_path)) == 2
    assert "no subject access request number 7" in capsys.readouterr().err
