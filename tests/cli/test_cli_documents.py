"""`dsl-desk export` and `dsl-desk verify`, run in-process against a real encrypted data dir."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from dsl_desk.cli import main
from dsl_desk.services.desk.setup import sign_in
from dsl_desk.store.models import AuditEvent, DocumentRecord
from tests.conftest import PASSPHRASE
from tests.documents.forgery import FORGED_TEXT, add_visible_text, forger_sign, home_made_identity
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
    assert report.startswith("INTACT, KNOWN SIGNER")
    assert "signed by Jane Smith (Designated Safeguarding Lead, Penkford School)" in report
    assert "known to this desk (the certificate of Jane Smith" in report
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
    assert main(["verify", str(unsigned)], clock=clock) == 2
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


# --- forgeries told apart ----------------------------------------------------------------------------------


@pytest.fixture
def genuine(data_dir, tmp_path, clock, capsys) -> Path:
    out = tmp_path / "genuine.pdf"
    args = ["--data-dir", data_dir, "export", NOTICE, "--escalation", "ESC-2026-0001", "--out", str(out)]
    assert main([*args, "--sign"], clock=clock) == 0
    capsys.readouterr()
    return out


@pytest.fixture
def no_passphrase(monkeypatch):
    """verify must work for anyone: no passphrase in the environment, nothing on standard input."""
    monkeypatch.delenv("DSL_DESK_PASSPHRASE", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


def _verify(data_dir: str, path: Path, clock, capsys) -> tuple[int, str]:
    code = main(["--data-dir", data_dir, "verify", str(path)], clock=clock)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, captured.out


def test_a_re_signed_forgery_of_a_desk_notice_is_changed(
    data_dir, genuine, tmp_path, clock, capsys, no_passphrase
):
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(forger_sign(add_visible_text(genuine.read_bytes()), home_made_identity()))
    assert FORGED_TEXT in _text(forged)
    code, out = _verify(data_dir, forged, clock, capsys)
    assert code == 1
    assert out.startswith("CHANGED:")
    assert "UNKNOWN to this desk" in out  # the second, home-made "Jane Smith"


def test_a_wholly_forged_pdf_is_intact_but_unknown_until_its_fingerprint_is_trusted(
    data_dir, genuine, tmp_path, clock, capsys, monkeypatch, data_paths, packs
):
    forger = home_made_identity()
    forged = tmp_path / "other-school.pdf"
    forged.write_bytes(forger_sign(_unsigned_copy(data_dir, tmp_path, clock, capsys), forger, "Sig"))
    with monkeypatch.context() as empty:
        empty.delenv("DSL_DESK_PASSPHRASE")
        empty.setattr("sys.stdin", io.StringIO(""))
        code, out = _verify(data_dir, forged, clock, capsys)
    assert code == 3
    assert out.startswith("INTACT, UNKNOWN SIGNER")
    assert forger.fingerprint in out

    # A fingerprint that does not match is refused, and nothing is trusted.
    wrong = "AB" * 32
    assert (
        main(["--data-dir", data_dir, "trust", "add", str(forged), "--fingerprint", wrong], clock=clock) == 2
    )
    assert "not that of any certificate that signed this file" in capsys.readouterr().err
    assert _verify(data_dir, forged, clock, capsys)[0] == 3

    # Read out by telephone, typed in lower case with spaces: trusted, and audited.
    spoken = forger.fingerprint.replace(":", " ").lower()
    assert (
        main(["--data-dir", data_dir, "trust", "add", str(forged), "--fingerprint", spoken], clock=clock) == 0
    )
    assert "Trusted: Jane Smith (DSL, Penkford School)" in capsys.readouterr().out
    code, out = _verify(data_dir, forged, clock, capsys)
    assert code == 0 and out.startswith("INTACT, KNOWN SIGNER")
    assert "trusted on 5 January 2026, after its fingerprint was confirmed by telephone" in out

    assert main(["--data-dir", data_dir, "trust", "list"], clock=clock) == 0
    listing = capsys.readouterr().out
    assert forger.fingerprint in listing and "trusted (phoned)" in listing and "user of this desk" in listing

    ctx = sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock, packs=packs)
    try:
        with ctx.store.session() as session:
            trusted = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "certificate_trusted")
            ).one()
            assert forger.fingerprint in trusted.detail
    finally:
        ctx.close()

    assert (
        main(["--data-dir", data_dir, "trust", "remove", "--fingerprint", forger.fingerprint], clock=clock)
        == 0
    )
    capsys.readouterr()
    assert _verify(data_dir, forged, clock, capsys)[0] == 3


def _unsigned_copy(data_dir: str, tmp_path: Path, clock, capsys) -> bytes:
    out = tmp_path / "unsigned.pdf"
    args = ["--data-dir", data_dir, "export", NOTICE, "--escalation", "1", "--out", str(out)]
    assert main(args, clock=clock) == 0
    capsys.readouterr()
    return out.read_bytes()


def test_damaged_files_are_unreadable_with_a_plain_message(
    data_dir, genuine, tmp_path, clock, capsys, no_passphrase
):
    data = genuine.read_bytes()
    xref = data.rindex(b"startxref")
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(100 << 20)  # sparse: 100 MB on paper, nothing on disk
    cases = {
        "empty.pdf": b"",
        "text.pdf": b"Dear DSL, please find attached",
        "truncated.pdf": data[: len(data) // 2],
        "xref.pdf": data[: xref + 12] + b"Z" + data[xref + 13 :],
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
    for name in [*cases, "huge.pdf", "missing.pdf"]:
        code, out = _verify(data_dir, tmp_path / name, clock, capsys)
        assert code == 2, (name, out)
        assert out.strip(), name
    assert "larger than any DSL Desk form" in _verify(data_dir, huge, clock, capsys)[1]


def test_verify_help_lists_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    text = capsys.readouterr().out
    for line in ("0  INTACT, KNOWN SIGNER", "1  CHANGED", "2  not signed", "3  INTACT, UNKNOWN SIGNER"):
        assert line in text
