"""Each input found ending in a traceback (or silently misread) on the command line, by name.

Every test runs `dsl_desk.cli.commands.main` in-process on a real encrypted database, and checks the exit code, a
plain message, and that nothing was changed.
"""

from __future__ import annotations

import pytest

from dsl_desk.cli import main
from dsl_desk.cli.commands import PASSPHRASE_ENV
from dsl_desk.services.log.discussion_log import NewEntry, log_discussion
from tests.conftest import PASSPHRASE
from tests.services.db_digest import database_digest

EX_SOFTWARE, DEBUG_ENV = 70, "DSL_DESK_DEBUG"  # sysexits.h; spelled out so this file also runs on main
TOO_BIG = str(2**63)  # one more than SQLite's largest INTEGER


@pytest.fixture
def desk(ctx, child_id, data_paths, clock, monkeypatch):
    """A database with one child and one log entry, closed, with the passphrase in the environment."""
    log_discussion(ctx, NewEntry(child_id, clock.now(), "telephone", "Spoke to the duty social worker."))
    ctx.close()
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    return data_paths


def run(paths, clock, *argv: str) -> int:
    try:
        return main(["--data-dir", str(paths.root), *argv], clock=clock)
    except SystemExit as stop:  # argparse refusing an argument: exit 2 with its usage line
        return stop.code if isinstance(stop.code, int) else 1


def refused(paths, clock, capsys, *argv: str) -> str:
    """Run, expect a plain refusal (exit 2, no traceback, nothing changed), return what was said."""
    before = database_digest(paths, PASSPHRASE, clock)
    assert run(paths, clock, *argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert database_digest(paths, PASSPHRASE, clock) == before
    return err


def test_a_child_id_of_2_to_the_63_is_refused_plainly(desk, clock, capsys):
    err = refused(desk, clock, capsys, "log", "list", "--child", TOO_BIG)
    assert f"there is no record number {TOO_BIG}" in err


@pytest.mark.parametrize(
    "argv",
    [
        ("sar", "items", TOO_BIG),
        ("transfer", "sent", TOO_BIG),
        ("retention", "lift", TOO_BIG),
        ("log", "search", "visit", "--child", TOO_BIG),
        ("export", "st_helens_escalation_notice", "--escalation", "9" * 5000, "--out", "x.pdf"),
    ],
)
def test_every_id_option_refuses_an_id_too_big_for_the_database(desk, clock, capsys, argv):
    err = refused(desk, clock, capsys, *argv)
    assert "no record number" in err or "There is no escalation" in err


def test_an_underscore_in_an_id_is_not_read_as_a_number(desk, clock, capsys):
    # int("0_1") is 1: on main this listed child 1's log. An id is digits only.
    err = refused(desk, clock, capsys, "log", "list", "--child", "0_1")
    assert "use digits only" in err


@pytest.mark.parametrize("typed", ["+1", "-1", " 1", "١", "1.0", "0x1", "0"])
def test_an_id_is_decimal_digits_from_1(desk, clock, capsys, typed):
    refused(desk, clock, capsys, "log", "list", "--child", typed)


def test_a_report_to_9999_12_31_is_refused_plainly(desk, clock, capsys):
    err = refused(desk, clock, capsys, "report", "--from", "2026-01-01", "--to", "9999-12-31")
    assert "between 1 January 1900 and 31 December 2100" in err


def test_a_date_in_another_shape_is_not_guessed(desk, clock, capsys):
    # date.fromisoformat takes 20260101 and 2026-W01-1 since Python 3.11; a date here is YYYY-MM-DD.
    for shape in ("20260101", "2026-W01-1", "2026-01-01T00:00"):
        assert "not a date like 2026-01-31" in refused(
            desk, clock, capsys, "report", "--from", shape, "--to", "2026-02-01"
        )


def test_non_utf8_bytes_in_an_argument_are_refused_plainly(desk, child_id, clock, capsys):
    name = b"Mr \xff\xfe Example".decode("utf-8", "surrogateescape")  # how Python passes such argv
    err = refused(desk, clock, capsys, "sar", "new", "--child", str(child_id), "--requester", name,
                  "--relationship", "Father", "--received", "2026-01-05")  # fmt: skip
    assert "not valid text" in err


def test_non_utf8_bytes_in_a_path_are_refused_plainly(desk, child_id, clock, capsys, tmp_path):
    out = str(tmp_path) + "/" + b"chronology-\xff.pdf".decode("utf-8", "surrogateescape")
    err = refused(desk, clock, capsys, "log", "export", "--child", str(child_id), "--out", out)
    assert "not valid text" in err


def test_an_over_long_file_name_is_refused_plainly(desk, child_id, clock, capsys, tmp_path):
    err = refused(
        desk, clock, capsys, "log", "export", "--child", str(child_id), "--out", str(tmp_path / ("a" * 300))
    )
    assert "longer than 255 bytes" in err


def test_an_over_long_path_is_refused_plainly(desk, clock, capsys, tmp_path):
    err = refused(desk, clock, capsys, "verify", str(tmp_path) + "/a" * 3000)
    assert "the most a path can be here is 4,000" in err


def test_a_path_with_a_nul_byte_is_refused_plainly(desk, clock, capsys):
    err = refused(desk, clock, capsys, "verify", "notice\x00.pdf")
    assert "NUL" in err


def test_a_data_folder_with_a_nul_byte_is_refused_plainly(clock, capsys):
    assert run_without_data_dir(clock, "--data-dir", "data\x00", "children") == 2
    assert "NUL" in capsys.readouterr().err


def run_without_data_dir(clock, *argv: str) -> int:
    return main(list(argv), clock=clock)


def test_withhold_entry_0_is_refused_plainly(desk, clock, capsys):
    # On main `--entry 0` was falsy, fell through every option and ended in StopIteration.
    err = refused(desk, clock, capsys, "sar", "withhold", "1", "--entry", "0", "--exemption", "child_abuse",
                  "--reason", "Not in her interests")  # fmt: skip
    assert "there is no record number 0" in err


def test_a_subject_access_request_received_on_0001_01_01_is_refused(desk, child_id, clock, capsys):
    err = refused(desk, clock, capsys, "sar", "new", "--child", str(child_id), "--requester", "Mr B Example",
                  "--relationship", "Father", "--received", "0001-01-01")  # fmt: skip
    assert "--received must be a date like" in err


def test_log_search_for_a_missing_child_says_there_is_no_such_child(desk, clock, capsys):
    err = refused(desk, clock, capsys, "log", "search", "social", "--child", "999999")
    assert "There is no child record number 999999" in err


def test_huge_text_is_refused_before_it_reaches_the_database(desk, child_id, clock, capsys):
    err = refused(desk, clock, capsys, "retention", "hold", str(child_id), "--reason", "x" * 200_001)
    assert "the most it can be is 100,000" in err


def test_an_unexpected_error_is_a_plain_message_exit_70_and_a_report_without_data(
    desk, child_id, clock, capsys, monkeypatch
):
    secret = "Zephyrine Quillborough lives at 1 Example Row"

    def broken(*_args, **_kwargs):
        raise RuntimeError(secret)  # what a real bug's message could carry: a child's data

    monkeypatch.setattr("dsl_desk.services.people.children.list_children", broken)
    assert run(desk, clock, "children") == EX_SOFTWARE
    err = capsys.readouterr().err
    assert "Something went wrong that DSL Desk did not expect. Nothing was saved from the last action." in err
    assert "Traceback" not in err and secret not in err
    reports = list((desk.root / "crash-reports").iterdir())
    assert len(reports) == 1
    report = reports[0].read_text(encoding="utf-8")
    assert str(reports[0]) in err
    assert "Exception: RuntimeError" in report
    assert "dsl_desk/cli/commands.py:" in report and "in main" in report
    assert secret not in report and "Zephyrine" not in report
    assert str(desk.root.parent) not in report  # no folder names above the package (a home folder has a name)
    assert oct(reports[0].stat().st_mode & 0o777) == oct(0o600)


def test_dsl_desk_debug_shows_the_real_traceback(desk, clock, capsys, monkeypatch):
    monkeypatch.setenv(DEBUG_ENV, "1")

    def broken(*_args, **_kwargs):
        raise RuntimeError("the developer's clue")

    monkeypatch.setattr("dsl_desk.services.people.children.list_children", broken)
    assert run(desk, clock, "children") == EX_SOFTWARE
    err = capsys.readouterr().err
    assert "Traceback" in err and "the developer's clue" in err
    assert "Something went wrong" in err


def test_an_output_path_through_a_file_is_refused_plainly(desk, clock, capsys, tmp_path):
    # Found by the fuzz suite: on main the CSV export ended in NotADirectoryError.
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    err = refused(desk, clock, capsys, "report", "--from", "2026-01-01", "--to", "2026-03-31",
                  "--csv", str(tmp_path / "notes.txt" / "figures.csv"))  # fmt: skip
    assert "is not a folder" in err
