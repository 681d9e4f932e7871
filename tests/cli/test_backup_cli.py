"""`dsl-desk backup`, `dsl-desk restore FILE` and `dsl-desk audit verify`, run in-process on real files."""

from __future__ import annotations

import sqlcipher3

from dsl_desk.cli import main
from dsl_desk.cli.commands import PASSPHRASE_ENV
from dsl_desk.services.audit.log import AuditFilter, list_events
from dsl_desk.services.desk.setup import NewUser, OrganisationProfile, initialise, sign_in
from dsl_desk.services.people.children import add_child, list_children
from dsl_desk.services.records.backups import make_backup
from dsl_desk.store import backup as bk
from dsl_desk.store.keyring import sqlcipher_key_literal
from dsl_desk.store.paths import DataPaths
from tests.conftest import FAST_KDF, PASSPHRASE, fictional_child


def run(data_paths, clock, *argv: str) -> int:
    return main(["--data-dir", str(data_paths.root), *argv], clock=clock)


def names(data_paths, clock) -> list[str]:
    ctx = sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)
    try:
        return sorted(row.name for row in list_children(ctx))
    finally:
        ctx.close()


def test_backup_command_makes_an_encrypted_backup(ctx, data_paths, clock, monkeypatch, capsys):
    add_child(ctx, fictional_child())
    ctx.close()
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    assert run(data_paths, clock, "backup") == 0
    out = capsys.readouterr().out
    assert "Backup made" in out
    [made] = bk.list_backups(data_paths.backups)
    assert b"Quillborough" not in made.path.read_bytes()
    assert run(data_paths, clock, "backup", "--list") == 0
    assert made.path.name in capsys.readouterr().out


def test_restore_command_replaces_after_showing_the_backup(ctx, data_paths, clock, monkeypatch, capsys):
    add_child(ctx, fictional_child("Amir", "Haddad"))
    made = make_backup(ctx).backup
    add_child(ctx, fictional_child("Grace", "Okonkwo"))
    ctx.close()
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)

    # Not a terminal and no --yes: refused, nothing changed.
    assert run(data_paths, clock, "restore", str(made.path)) == 2
    captured = capsys.readouterr()
    assert "Add --yes" in captured.err
    assert names(data_paths, clock) == ["Amir Haddad", "Grace Okonkwo"]

    assert run(data_paths, clock, "restore", str(made.path), "--yes") == 0
    out = capsys.readouterr().out
    assert "Children:" in out
    assert "has been restored" in out
    assert names(data_paths, clock) == ["Amir Haddad"]


def test_restore_refuses_another_databases_backup_plainly(
    ctx, data_paths, clock, packs, tmp_path, monkeypatch, capsys
):
    other, _ = initialise(
        DataPaths(tmp_path / "other"),
        OrganisationProfile("Other School", "School", "st_helens", "england"),
        NewUser("j.smith", "Jane Smith", "DSL", PASSPHRASE),  # same user and passphrase, other database
        clock=clock,
        packs=packs,
        kdf=FAST_KDF,
    )
    theirs = make_backup(other).backup
    other.close()
    add_child(ctx, fictional_child())
    ctx.close()
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    assert run(data_paths, clock, "restore", str(theirs.path), "--yes") == 2
    err = capsys.readouterr().err
    assert "different DSL Desk database" in err
    assert "Traceback" not in err
    assert names(data_paths, clock) == ["Zephyrine Quillborough"]


def test_restore_command_mends_a_database_that_will_not_open(ctx, data_paths, clock, monkeypatch, capsys):
    add_child(ctx, fictional_child())
    made = make_backup(ctx).backup
    ctx.close()
    with data_paths.database.open("r+b") as handle:
        handle.seek(20)
        handle.write(b"\xff" * 64)
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    assert run(data_paths, clock, "restore", str(made.path), "--yes") == 0
    assert "damaged" in capsys.readouterr().err
    assert names(data_paths, clock) == ["Zephyrine Quillborough"]


def test_audit_verify_catches_a_row_edited_with_the_sqlcipher_shell(
    ctx, child_id, data_paths, clock, monkeypatch, capsys
):
    target = list_events(ctx, AuditFilter(action="child_added"), record_view=False).rows[0].id
    key = sqlcipher_key_literal(ctx.store.db_key_copy())
    ctx.close()
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    assert run(data_paths, clock, "audit", "verify") == 0
    assert "intact" in capsys.readouterr().out

    # What someone with the key and the sqlcipher shell could do: rewrite what a row says.
    shell = sqlcipher3.connect(str(data_paths.database))
    shell.execute(f'PRAGMA key = "{key}"')
    shell.execute("DROP TRIGGER audit_events_no_update")  # the guard goes first (migration 0006)
    shell.execute("""UPDATE audit_events SET detail = '{"note": "nothing to see"}' WHERE id = ?""", (target,))
    shell.commit()
    shell.close()

    assert run(data_paths, clock, "audit", "verify") == 1
    out = capsys.readouterr().out
    assert "TAMPERED" in out
    assert f"row {target}: its content was changed" in out
