"""The command line, run in-process against real data dirs."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from dsl_desk import __version__
from dsl_desk.cli import main
from dsl_desk.cli.commands import build_parser
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
from dsl_desk.services.people.children import add_child
from dsl_desk.store.paths import DataPaths
from tests.conftest import PASSPHRASE, fictional_child


def test_version():
    result = subprocess.run(
        [sys.executable, "-m", "dsl_desk.cli", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"DSL Desk {__version__}"


def test_init_reads_the_passphrase_from_stdin_and_prints_the_recovery_key(
    tmp_path, monkeypatch, capsys, clock
):
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSPHRASE + "\n"))
    code = main(
        [
            "--data-dir",
            str(tmp_path / "d"),
            "init",
            "--organisation",
            "Penkford School",
            "--partnership",
            "st_helens",
            "--username",
            "jane.smith",
            "--display-name",
            "Jane Smith",
            "--passphrase-stdin",
        ],
        clock=clock,
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "RECOVERY KEY" in out
    assert (tmp_path / "d" / "dsl-desk.db").exists()
    monkeypatch.setenv("DSL_DESK_PASSPHRASE", PASSPHRASE)
    assert main(["--data-dir", str(tmp_path / "d"), "children", "--json"], clock=clock) == 0
    assert json.loads(capsys.readouterr().out) == []
    # The certificate the DSL's forms will be signed with was made at set-up.
    from dsl_desk.services.desk.setup import sign_in
    from dsl_desk.store.models import User

    ctx = sign_in(DataPaths(tmp_path / "d"), "jane.smith", PASSPHRASE, clock=clock)
    with ctx.store.session() as session:
        assert session.query(User).one().signing_identity is not None
    ctx.close()


def test_no_passphrase_option_exists():
    """A passphrase in argv would show in the process list and shell history."""
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(
            [
                "init",
                "--organisation",
                "x",
                "--partnership",
                "st_helens",
                "--username",
                "a.b",
                "--display-name",
                "A B",
                "--passphrase",
                "secret",
            ]
        )


def test_cases_json_lists_open_escalations(ctx, data_paths, clock, monkeypatch, capsys):
    child = add_child(ctx, fictional_child()).id
    open_escalation(
        ctx,
        NewEscalation(
            child_id=child,
            other_agency="Demo Social Care",
            category=ctx.pack("st_helens").categories[0].key,
            problem="p",
            outcome_sought="o",
        ),
    )
    ctx.close()
    monkeypatch.setenv("DSL_DESK_PASSPHRASE", PASSPHRASE)
    assert main(["--data-dir", str(data_paths.root), "cases", "--json"], clock=clock) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["child"] == "Zephyrine Quillborough"
    assert row["due_status"] == "due_today"
    assert row["deadline"] == "2026-01-05T17:00:00+00:00"
    assert row["open_checklist"] >= 1


def test_errors_are_one_plain_line_with_no_traceback(ctx, data_paths, clock, monkeypatch, capsys):
    ctx.close()
    monkeypatch.setenv("DSL_DESK_PASSPHRASE", "not the passphrase")
    assert main(["--data-dir", str(data_paths.root), "cases"], clock=clock) == 2
    err = capsys.readouterr().err
    assert err.startswith("dsl-desk: That passphrase is not right")
    assert "Traceback" not in err
    assert main(["--data-dir", str(data_paths.root / "nowhere"), "cases"], clock=clock) == 2
    assert "There is no DSL Desk database" in capsys.readouterr().err


def test_policy_show_prints_the_stages(capsys):
    assert main(["policy", "show", "medway"]) == 0
    out = capsys.readouterr().out
    assert "Stage 3" in out
    assert "mscp@medway.gov.uk" in out
    assert main(["policy", "show", "nowhere"]) == 2
    assert "Known packs:" in capsys.readouterr().err


def test_demo_goes_to_its_own_folder_and_is_marked(tmp_path, monkeypatch, capsys, clock):
    monkeypatch.delenv("DSL_DESK_DATA_DIR", raising=False)
    monkeypatch.setattr(
        "dsl_desk.cli.commands.resolve_data_dir", lambda value=None: DataPaths(tmp_path / "DSL Desk")
    )
    assert main(["demo", "--no-gui"], clock=clock) == 0
    assert (tmp_path / "DSL Desk Demo" / "dsl-desk.db").exists()
    assert not (tmp_path / "DSL Desk").exists()  # the real data folder is untouched
    assert list((tmp_path / "DSL Desk Demo" / "private-temp").iterdir()) == []  # its throwaway bundle is gone
    keyring = json.loads((tmp_path / "DSL Desk Demo" / "keyring.json").read_text())
    assert keyring["demo"] is True
    assert main(["demo", "--no-gui"], clock=clock) == 2  # never silently replaced
    assert "--force" in capsys.readouterr().err


def test_cases_json_the_dashboard_and_the_escalation_page_agree_on_every_deadline(
    ctx, data_paths, clock, monkeypatch, capsys
):
    """Barnet, immediate risk raised out of hours: informing the DSL is due now (Barnet 1), the stage runs
    to the next working day's end. Every reader shows the same instants."""
    from datetime import UTC, datetime

    from dsl_desk.services.escalations.dashboard import list_open_cases, list_open_checklist
    from dsl_desk.services.escalations.reading import get_escalation

    clock.set(datetime(2026, 1, 9, 19, 0, tzinfo=UTC))  # Friday evening
    child = add_child(ctx, fictional_child()).id
    opened = open_escalation(
        ctx,
        NewEscalation(
            child_id=child,
            other_agency="Demo Social Care",
            category=ctx.pack("barnet").categories[0].key,
            problem="p",
            outcome_sought="o",
            policy_id="barnet",
            immediate_risk=True,
        ),
    )
    page = get_escalation(ctx, opened.id)
    (dashboard,) = list_open_cases(ctx)
    items = {row.item_id: row.due_at for row in list_open_checklist(ctx)}
    ctx.close()
    monkeypatch.setenv("DSL_DESK_PASSPHRASE", PASSPHRASE)
    assert main(["--data-dir", str(data_paths.root), "cases", "--json"], clock=clock) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["deadline"] == page.current_deadline.isoformat() == dashboard.deadline.isoformat()
    assert row["deadline"] == "2026-01-09T19:00:00+00:00"  # now: "informed immediately"
    assert row["stage_deadline"] == page.stages[0].deadline.isoformat() == "2026-01-12T17:00:00+00:00"
    assert row["due_status"] == dashboard.due_status.value == page.due_status.value
    for item in page.checklist:
        assert items.get(item.id) == item.due_at
