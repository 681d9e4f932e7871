"""`dsl-desk log list|search|export`, run in-process against a real data dir."""

from __future__ import annotations

import json
from datetime import timedelta

from dsl_desk.cli import main
from dsl_desk.services.log.discussion_log import NewEntry, amend_entry, log_discussion
from tests.conftest import PASSPHRASE


def _seed(ctx, child_id, clock) -> None:
    first = log_discussion(
        ctx,
        NewEntry(
            child_id, clock.now() - timedelta(days=2), "telephone", "Rang Dawn Brightwater about the bruise"
        ),
    )
    amend_entry(
        ctx,
        first.id,
        NewEntry(child_id, first.occurred_at, "telephone", "Rang Dawn Brightwater about the bruises"),
        "Plural",
    )
    ctx.close()  # the command opens the database itself


def _run(data_paths, clock, monkeypatch, *args) -> int:
    monkeypatch.setenv("DSL_DESK_PASSPHRASE", PASSPHRASE)
    return main(["--data-dir", str(data_paths.root), "log", *args], clock=clock)


def test_log_list_as_json_and_as_a_table(ctx, child_id, clock, data_paths, monkeypatch, capsys):
    _seed(ctx, child_id, clock)
    assert _run(data_paths, clock, monkeypatch, "list", "--child", str(child_id), "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["amends_id"] for r in rows] == [None, rows[0]["id"]]
    assert rows[0]["late"] is True
    assert _run(data_paths, clock, monkeypatch, "list", "--child", str(child_id)) == 0
    out = capsys.readouterr().out
    assert "corrected by" in out
    assert "recorded late (2 days)" in out


def test_log_search_marks_the_matches(ctx, child_id, clock, data_paths, monkeypatch, capsys):
    _seed(ctx, child_id, clock)
    assert _run(data_paths, clock, monkeypatch, "search", "bruises") == 0
    out = capsys.readouterr().out
    assert "[bruises]" in out
    assert _run(data_paths, clock, monkeypatch, "search", "nothing-like-this", "--json") == 0
    assert json.loads(capsys.readouterr().out) == {"hits": [], "more": False}


def test_log_export_writes_the_pdf(ctx, child_id, clock, data_paths, monkeypatch, capsys, tmp_path):
    _seed(ctx, child_id, clock)
    out = tmp_path / "chronology.pdf"
    assert _run(data_paths, clock, monkeypatch, "export", "--child", str(child_id), "--out", str(out)) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert "The export was audited" in capsys.readouterr().out


def test_an_unknown_child_is_a_plain_message(ctx, clock, data_paths, monkeypatch, capsys):
    ctx.close()
    assert _run(data_paths, clock, monkeypatch, "list", "--child", "999") == 2
    assert "no child record number 999" in capsys.readouterr().err
