"""`dsl-desk export` and `dsl-desk verify`, run in-process against a real encrypted data dir."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from dsl_desk.cli import main
from dsl_desk.services.setup import sign_in
from dsl_desk.store.models import DocumentRecord
from tests.conftest import PASSPHRASE
from tests.services.escalation_walk import walk

NOTICE = "st_helens_escalation_notice"


@pytest.fixture
def data_dir(ctx, clock, child_id, data_paths, monkeypatch) -> str:
    walk(ctx, clock, child_id, escalations=1)
    ctx.close()  # the CLI unlocks the database itself, as it would from a terminal
    monkeypatch.setenv("DSL_DESK_PASSPHRASE", PASSPHRASE)
    return str(data_paths.root)


def _text(path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(path).pages)


def test_export_signed_then_verify(data_dir, tmp_path, clock, capsys, data_paths, packs):
    out = tmp_path / "notice.pdf"
    args = ["--data-dir", data_dir, "export", NOTICE, "--escalation", "ESC-2026-0001", "--out", str(out)]
    assert main([*args, "--sign"], clock=clock) == 0
    assert "Saved the Escalation Notice for ESC-2026-0001 (signed)" in capsys.readouterr().out
    assert "Zephyrine Quillborough" in _text(out)
    assert main(["--data-dir", data_dir, "verify", str(out)], clock=clock) == 0
    report = capsys.readouterr().out
    assert "Signed by Jane Smith" in report
    assert "has not been changed" in report
    ctx = sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock, packs=packs)
    try:
        with ctx.store.session() as session:
            record = session.scalars(select(DocumentRecord)).one()
            assert (record.action, record.signed, record.file_name) == ("export", True, "notice.pdf")
    finally:
        ctx.close()


def test_verify_exit_codes_for_changed_unsigned_and_unreadable(data_dir, tmp_path, clock, capsys):
    signed = tmp_path / "signed.pdf"
    base = ["--data-dir", data_dir, "export", NOTICE, "--escalation", "1"]
    assert main([*base, "--out", str(signed), "--sign"], clock=clock) == 0
    data = signed.read_bytes()
    position = data.index(b"stream", 1000) + 40
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :])
    assert main(["verify", str(changed)], clock=clock) == 1
    assert "CHANGED" in capsys.readouterr().out

    unsigned = tmp_path / "unsigned.pdf"
    assert main([*base, "--out", str(unsigned), "--wet-signature"], clock=clock) == 0
    capsys.readouterr()
    assert main(["verify", str(unsigned)], clock=clock) == 1
    assert "not signed" in capsys.readouterr().out

    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"hello")
    assert main(["verify", str(junk)], clock=clock) == 2
    assert main(["verify", str(tmp_path / "missing.pdf")], clock=clock) == 2


def test_export_explains_mistakes(data_dir, tmp_path, clock, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    out = str(tmp_path / "x.pdf")
    base = ["--data-dir", data_dir, "export"]
    assert main([*base, NOTICE, "--escalation", "ESC-2026-0099", "--out", out], clock=clock) == 2
    assert "There is no escalation “ESC-2026-0099”" in capsys.readouterr().err
    assert main([*base, "no_such_form", "--escalation", "1", "--out", out], clock=clock) == 2
    assert "There is no form “no_such_form”" in capsys.readouterr().err
    assert main([*base, NOTICE, "--escalation", "1", "--out", str(tmp_path)], clock=clock) == 2
    assert "is a folder" in capsys.readouterr().err
