"""`dsl-desk retention list|hold|lift|delete|tidy`, run in-process against a real data dir."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from dsl_desk.cli import main
from dsl_desk.cli.commands import PASSPHRASE_ENV
from dsl_desk.services.desk.setup import sign_in
from dsl_desk.services.people.children import add_child, list_children
from dsl_desk.services.records.retention_deletion import list_deletions
from tests.conftest import PASSPHRASE, fictional_child

DAY_AFTER_25TH = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)


@pytest.fixture
def old_child(ctx, clock) -> int:
    """A child who turns 25 on 14 March 2026; the command opens the database itself, so it is closed."""
    child = add_child(ctx, replace(fictional_child(), date_of_birth=date(2001, 3, 14))).id
    add_child(ctx, replace(fictional_child("Amir", "Haddad"), parents_carers="Mr B Haddad"))
    ctx.close()
    clock.set(DAY_AFTER_25TH)
    return child


def run(data_paths, clock, monkeypatch, *args: str, stdin: str | None = None) -> int:
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--data-dir", str(data_paths.root), "retention", *args], clock=clock)


def reopen(data_paths, clock):
    return sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)


def test_list_as_json_and_as_a_table(old_child, data_paths, clock, monkeypatch, capsys):
    assert run(data_paths, clock, monkeypatch, "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    [row] = listed["due"]
    assert (row["child_id"], row["name"], row["keep_until"]) == (
        old_child,
        "Zephyrine Quillborough",
        "2026-03-14",
    )
    assert row["can_delete"] is True
    assert listed["kept_longer"] == []
    assert run(data_paths, clock, monkeypatch, "list") == 0
    out = capsys.readouterr().out
    assert "Zephyrine Quillborough" in out
    assert "nothing: it can be deleted" in out
    assert "Amir Haddad" not in out  # born 2015: years to go


def test_hold_then_lift(old_child, data_paths, clock, monkeypatch, capsys):
    args = ("hold", str(old_child), "--reason", "Inquiry: do not destroy", "--review-on", "2026-09-01")
    assert run(data_paths, clock, monkeypatch, *args) == 0
    assert "kept longer. Review it on 1 September 2026." in capsys.readouterr().out
    assert run(data_paths, clock, monkeypatch, "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["due"] == []
    assert [(h["child_id"], h["reason"]) for h in listed["kept_longer"]] == [
        (old_child, "Inquiry: do not destroy")
    ]
    assert run(data_paths, clock, monkeypatch, "lift", str(old_child)) == 0
    assert "The hold is lifted" in capsys.readouterr().out
    assert run(data_paths, clock, monkeypatch, "list", "--json") == 0
    assert [row["child_id"] for row in json.loads(capsys.readouterr().out)["due"]] == [old_child]


def test_a_bad_review_date_is_refused_plainly(old_child, data_paths, clock, monkeypatch, capsys):
    args = ("hold", str(old_child), "--reason", "Inquiry", "--review-on", "next year")
    assert run(data_paths, clock, monkeypatch, *args) == 2
    assert "--review-on must be a date like 2027-09-01" in capsys.readouterr().err


def test_delete_asks_for_the_name_and_deletes(old_child, data_paths, clock, monkeypatch, capsys):
    args = ("delete", str(old_child), "--reason", "Retention period ended")
    assert run(data_paths, clock, monkeypatch, *args, stdin="Zephyrine Quillborough\n") == 0
    out = capsys.readouterr().out
    assert "This cannot be undone." in out
    assert "Backups keep the record until they age out" in out
    assert "1 child's details" in out
    assert "Type the child's full name to confirm:" in out
    assert "The record was deleted" in out
    ctx = reopen(data_paths, clock)
    try:
        assert [row.name for row in list_children(ctx)] == ["Amir Haddad"]
        assert [row.former_child_id for row in list_deletions(ctx)] == [old_child]
    finally:
        ctx.close()


def test_delete_with_the_passphrase_on_stdin_reads_the_name_next(
    old_child, data_paths, clock, monkeypatch, capsys
):
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSPHRASE}\nzephyrine quillborough\n"))
    argv = ["--data-dir", str(data_paths.root), "retention", "delete", str(old_child), "--reason", "Ended"]
    assert main([*argv, "--passphrase-stdin"], clock=clock) == 0
    assert "The record was deleted" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("typed", "message"), [("Someone Else\n", "not the child's full name"), ("", "No name")]
)
def test_a_wrong_or_missing_name_deletes_nothing(
    old_child, data_paths, clock, monkeypatch, capsys, typed, message
):
    args = ("delete", str(old_child), "--reason", "Retention period ended")
    assert run(data_paths, clock, monkeypatch, *args, stdin=typed) == 2
    assert message in capsys.readouterr().err
    ctx = reopen(data_paths, clock)
    try:
        assert len(list_children(ctx)) == 2
        assert list_deletions(ctx) == []
    finally:
        ctx.close()


def test_a_record_not_yet_due_is_refused_before_asking(ctx, data_paths, clock, monkeypatch, capsys):
    young = add_child(ctx, fictional_child()).id
    ctx.close()
    args = ("delete", str(young), "--reason", "Tidying up")
    assert run(data_paths, clock, monkeypatch, *args, stdin="Zephyrine Quillborough\n") == 2
    captured = capsys.readouterr()
    assert "cannot be deleted now" in captured.err
    assert "Type the child's full name" not in captured.out


def test_tidy(old_child, data_paths, clock, monkeypatch, capsys):
    assert run(data_paths, clock, monkeypatch, "tidy") == 0
    assert "rewritten" in capsys.readouterr().out
