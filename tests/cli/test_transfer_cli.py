"""`dsl-desk transfer …` run in-process on two real data folders: export, sent, list, import, ack."""

from __future__ import annotations

import io
import json
import re

from dsl_desk.cli import main
from dsl_desk.cli.commands import PASSPHRASE_ENV
from dsl_desk.cli.transfer import TRANSFER_PASSWORD_ENV
from dsl_desk.services.desk.setup import sign_in
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
from dsl_desk.services.people.children import add_child, list_children
from dsl_desk.store.paths import DataPaths
from tests.conftest import PASSPHRASE, fictional_child
from tests.services.transfer_world import receiving_school


def run(paths: DataPaths, clock, *argv: str) -> int:
    return main(["--data-dir", str(paths.root), *argv], clock=clock)


def test_transfer_a_child_from_one_data_folder_to_another(
    ctx, data_paths, clock, packs, tmp_path, monkeypatch, capsys
):
    child = add_child(ctx, fictional_child()).id
    pack = ctx.pack("st_helens")
    open_escalation(
        ctx,
        NewEscalation(
            child_id=child,
            other_agency="Demo Children's Social Care",
            category=pack.categories[0].key,
            problem="The problem.",
            outcome_sought="The outcome.",
            policy_id="st_helens",
        ),
    )
    ctx.close()
    oakfield = receiving_school(tmp_path / "oakfield", clock, packs)
    oakfield_paths = oakfield.store.paths
    oakfield.close()
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)

    out = tmp_path / "outbox"
    assert run(data_paths, clock, "transfer", "export", str(child), "--to-school", "Oakfield Academy",
               "--to-dsl", "Ruth Ndlovu", "--method", "Secure email", "--out", str(out)) == 0  # fmt: skip
    printed = capsys.readouterr().out
    password = re.search(r"TRANSFER PASSWORD \(shown once\): (\S+)", printed).group(1)
    fingerprint = re.search(r"Signing certificate fingerprint: (\S+)", printed).group(1)
    assert "by telephone" in printed
    [bundle] = out.glob("*.dsltransfer")
    assert "Quillborough" not in bundle.name

    assert run(data_paths, clock, "transfer", "sent", "1") == 0
    assert "due Mon 12 Jan" in capsys.readouterr().out
    assert run(data_paths, clock, "transfer", "list", "--json") == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["status"], row["receipt_due_on"], row["other_school"]) == (
        "sent",
        "2026-01-12",
        "Oakfield Academy",
    )

    # The receiving school: a wrong password is refused plainly and changes nothing …
    monkeypatch.setenv(TRANSFER_PASSWORD_ENV, "AAAA-BBBB-CCCC-DDDD")
    assert run(oakfield_paths, clock, "transfer", "import", str(bundle)) == 2
    assert "transfer password is not right" in capsys.readouterr().err
    # … the right one, from standard input after the passphrase, shows the unknown signer's fingerprint and
    # imports nothing until it is confirmed …
    monkeypatch.delenv(TRANSFER_PASSWORD_ENV)
    monkeypatch.delenv(PASSPHRASE_ENV)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSPHRASE}\n{password.lower()}\n"))
    assert run(oakfield_paths, clock, "transfer", "import", str(bundle), "--passphrase-stdin") == 2
    refused = capsys.readouterr().err
    assert "certificate this desk does not know" in refused and fingerprint in refused
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSPHRASE}\n{password.lower()}\n"))
    wrong = "--fingerprint=" + "12" * 32
    assert run(oakfield_paths, clock, "transfer", "import", str(bundle), "--passphrase-stdin", wrong) == 2
    assert "is not the one of the certificate that signed this file" in capsys.readouterr().err
    # … and with the fingerprint the sending DSL read out, imports the child.
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSPHRASE}\n{password.lower()}\n"))
    confirmed = ["--passphrase-stdin", "--fingerprint", fingerprint]
    assert run(oakfield_paths, clock, "transfer", "import", str(bundle), *confirmed) == 0
    printed = capsys.readouterr().out
    assert "Zephyrine Quillborough" in printed and "confirmed by telephone, and now trusted" in printed
    assert "1 escalation was still open at Penkford School" in printed  # not "1 escalation(s) were"
    received = sign_in(oakfield_paths, "r.ndlovu", PASSPHRASE, clock=clock)
    try:
        assert [c.name for c in list_children(received)] == ["Zephyrine Quillborough"]
    finally:
        received.close()

    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    assert run(data_paths, clock, "transfer", "ack", "1", "--by", "Ruth Ndlovu") == 0
    assert "Receipt confirmed by Ruth Ndlovu" in capsys.readouterr().out
    assert run(data_paths, clock, "transfer", "list") == 0
    assert "Receipt confirmed" in capsys.readouterr().out


def test_import_without_a_password_is_refused(ctx, data_paths, clock, tmp_path, monkeypatch, capsys):
    ctx.close()
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    monkeypatch.delenv(TRANSFER_PASSWORD_ENV, raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    bundle = tmp_path / "x.dsltransfer"
    bundle.write_bytes(b"not a transfer")
    assert run(data_paths, clock, "transfer", "import", str(bundle)) == 2
    assert "No transfer password given" in capsys.readouterr().err
    monkeypatch.setenv(TRANSFER_PASSWORD_ENV, "ABCD")
    assert run(data_paths, clock, "transfer", "import", str(bundle)) == 2
    assert "not a DSL Desk transfer file" in capsys.readouterr().err


def test_export_of_an_unknown_child_or_bad_date_is_refused(
    ctx, data_paths, clock, tmp_path, monkeypatch, capsys
):
    ctx.close()
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    args = ("transfer", "export", "42", "--to-school", "Oakfield", "--out", str(tmp_path / "o"))
    assert run(data_paths, clock, *args) == 2
    assert "no child record number 42" in capsys.readouterr().err
    assert run(data_paths, clock, *args, "--keep-until", "next year") == 2
    assert "--keep-until must be a date" in capsys.readouterr().err


def test_trusting_a_transfer_files_certificate_lets_the_import_through(
    ctx, data_paths, clock, packs, tmp_path, monkeypatch, capsys
):
    child = add_child(ctx, fictional_child()).id
    ctx.close()
    oakfield = receiving_school(tmp_path / "oakfield", clock, packs)
    oakfield_paths = oakfield.store.paths
    oakfield.close()
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    out = tmp_path / "outbox"
    assert (
        run(data_paths, clock, "transfer", "export", str(child), "--to-school", "Oakfield", "--out", str(out))
        == 0
    )
    printed = capsys.readouterr().out
    password = re.search(r"TRANSFER PASSWORD \(shown once\): (\S+)", printed).group(1)
    fingerprint = re.search(r"Signing certificate fingerprint: (\S+)", printed).group(1)
    # The sender finds their own fingerprint to read out, without a passphrase.
    monkeypatch.delenv(PASSPHRASE_ENV)
    assert run(data_paths, clock, "trust", "list") == 0
    assert fingerprint in capsys.readouterr().out
    [bundle] = out.glob("*.dsltransfer")
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    monkeypatch.setenv(TRANSFER_PASSWORD_ENV, password)
    assert run(oakfield_paths, clock, "trust", "add", str(bundle), "--fingerprint", fingerprint) == 0
    assert "Trusted: Jane Smith" in capsys.readouterr().out
    assert run(oakfield_paths, clock, "transfer", "import", str(bundle)) == 0
    assert "a certificate this desk already knows" in capsys.readouterr().out
