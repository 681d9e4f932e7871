"""Fuzz the command line in-process: no input ends in a traceback, and a refusal changes nothing.

Allowed outcomes: exit 0 or 1 (done; or done with a warning, e.g. `verify` of a changed file), exit 2 (a
plain refusal, from argparse or from a service), never 70 (something unexpected: a crash report) and never
an exception out of main().
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from dsl_desk.cli import main
from dsl_desk.cli.commands import PASSPHRASE_ENV
from dsl_desk.cli.transfer import TRANSFER_PASSWORD_ENV
from tests.conftest import PASSPHRASE
from tests.fuzz_world import QUICK, THOROUGH, build_world, date_texts, id_texts, paths_in, texts
from tests.services.db_digest import database_digest

EXIT_OK, EXIT_WARNING, EXIT_REFUSED = 0, 1, 2


@pytest.fixture(scope="module")
def world(tmp_path_factory, packs):
    built, ctx = build_world(tmp_path_factory.mktemp("fuzz-cli"), packs)
    ctx.close()
    return built


@pytest.fixture(autouse=True)
def _environment(monkeypatch, world):
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    monkeypatch.setenv(TRANSFER_PASSWORD_ENV, "not the password")
    monkeypatch.chdir(world.scratch)  # a relative path lands in the scratch folder, never in the repository


@st.composite
def argvs(draw: st.DrawFn, scratch: Path) -> list[str]:
    """One command with generated arguments: ids, dates, text and paths of every shape."""
    ident, day, text, path = id_texts(), date_texts(), texts(), paths_in(scratch)
    commands = [
        lambda: ["log", "list", "--child", draw(ident)],
        lambda: ["log", "search", draw(text), "--child", draw(ident)],
        lambda: ["log", "search", draw(text)],
        lambda: ["log", "export", "--child", draw(ident), "--out", draw(path)],
        lambda: [
            "sar",
            "new",
            "--child",
            draw(ident),
            "--requester",
            draw(text),
            "--relationship",
            draw(text),
            "--received",
            draw(day),
        ],
        lambda: ["sar", "items", draw(ident)],
        lambda: ["sar", "redact", draw(ident), draw(text)],
        lambda: [
            "sar",
            "withhold",
            draw(ident),
            draw(st.sampled_from(["--entry", "--escalation", "--attachment"])),
            draw(ident),
            "--exemption",
            draw(st.sampled_from(["child_abuse", "serious_harm", "nonsense"])),
            "--reason",
            draw(text),
        ],
        lambda: ["sar", "export", draw(ident), "--out", draw(path)],
        lambda: ["sar", "responded", draw(ident), "--method", draw(text)],
        lambda: ["transfer", "sent", draw(ident), "--method", draw(text)],
        lambda: ["transfer", "ack", draw(ident), "--by", draw(text)],
        lambda: ["transfer", "chase", draw(ident)],
        lambda: [
            "transfer",
            "export",
            draw(ident),
            "--to-school",
            draw(text),
            "--out",
            draw(path),
            "--keep-until",
            draw(day),
        ],
        lambda: ["transfer", "import", draw(path)],
        lambda: ["retention", "hold", draw(ident), "--reason", draw(text), "--review-on", draw(day)],
        lambda: ["retention", "lift", draw(ident)],
        lambda: ["retention", "delete", draw(ident), "--reason", draw(text)],
        lambda: ["report", "--from", draw(day), "--to", draw(day)],
        lambda: ["report", "--from", "2026-01-01", "--to", "2026-03-31", "--csv", draw(path)],
        lambda: [
            "export",
            draw(st.sampled_from(["st_helens_escalation_notice", "general_record"]) | text),
            "--escalation",
            draw(ident | st.just("ESC-2026-0001")),
            "--out",
            draw(path),
        ],
        lambda: ["verify", draw(path)],
        lambda: ["policy", "show", draw(text)],
        lambda: ["restore", draw(path)],
        lambda: [draw(text)],
    ]
    return draw(st.sampled_from(commands))()


def _run(world, argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()  # a StringIO holds anything, even text a terminal could not show
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(["--data-dir", str(world.paths.root), *argv], clock=world.clock)
        except SystemExit as stop:  # argparse: --help (0) or a refused argument (2)
            code = stop.code if isinstance(stop.code, int) else EXIT_REFUSED
    return code, err.getvalue()


def _check(world, argv: list[str]) -> None:
    before = database_digest(world.paths, PASSPHRASE)
    code, err = _run(world, argv)
    words = [w for w in argv[:2] if w.isascii() and w.isalpha()]  # a label pytest can print
    event(f"{' '.join(words) or '(other)'}: exit {code}")
    assert "Traceback" not in err, err
    assert code in (EXIT_OK, EXIT_WARNING, EXIT_REFUSED), (code, err)
    if code == EXIT_REFUSED:
        assert database_digest(world.paths, PASSPHRASE) == before, f"refused, yet the database changed: {err}"


def test_the_digest_sees_a_change(world):
    """The control: a command that does change something changes the digest (so equal means unchanged)."""
    before = database_digest(world.paths, PASSPHRASE)
    code, err = _run(world, ["sar", "redact", "1", "Quentin Aldermoor"])
    assert code == EXIT_OK, err
    assert database_digest(world.paths, PASSPHRASE) != before


@QUICK
@given(data=st.data())
def test_no_generated_command_line_ends_in_a_traceback(world, data):
    _check(world, data.draw(argvs(world.scratch), label="argv"))


@pytest.mark.slow
@THOROUGH
@given(data=st.data())
def test_no_generated_command_line_ends_in_a_traceback_thoroughly(world, data):
    _check(world, data.draw(argvs(world.scratch), label="argv"))
