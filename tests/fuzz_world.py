"""A small desk with something of everything, and the hypothesis strategies the fuzz suites share.

The fuzz suites (tests/cli/test_fuzz_cli.py, tests/services/test_fuzz_services.py) throw generated input at
the command line and at the services the GUI calls: integers of every size, dates of every shape, broken
text, huge text and awkward paths. Anything but the project's own user-facing errors is a bug, and a
refused action must leave every row as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from dsl_desk.core.clock import FixedClock
from dsl_desk.core.policy import PolicyPack
from dsl_desk.documents.transfer_bundle import TransferKdf
from dsl_desk.services.context import AppContext
from dsl_desk.services.desk.setup import NewUser, OrganisationProfile, initialise
from dsl_desk.services.people.children import add_child
from dsl_desk.services.records.transfers import Destination, export_bundle
from dsl_desk.store.paths import DataPaths
from tests.conftest import FAST_KDF, PASSPHRASE, fictional_child
from tests.services.subject_access_seed import Seeded, seed

FAST_TRANSFER = TransferKdf(time_cost=1, memory_kib=64, parallelism=1)

# `make test` keeps the whole fuzz suite near a minute; `-m slow` runs many more examples.
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class World:
    paths: DataPaths
    clock: FixedClock
    seeded: Seeded
    other_child_id: int
    transfer_id: int
    scratch: Path  # where generated paths point: never outside the test's own folder


def build_world(root: Path, packs: dict[str, PolicyPack]) -> tuple[World, AppContext]:
    clock = FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    paths = DataPaths(root / "data")
    ctx, _recovery = initialise(
        paths,
        OrganisationProfile("Penkford School", "School", "st_helens", "england"),
        NewUser("j.smith", "Jane Smith", "Designated Safeguarding Lead", PASSPHRASE),
        clock=clock,
        packs=packs,
        kdf=FAST_KDF,
    )
    child = add_child(ctx, fictional_child()).id
    scratch = root / "scratch"
    scratch.mkdir()
    seeded = seed(ctx, clock, child, scratch)
    other = add_child(ctx, fictional_child("Albertine", "Marchbanks")).id
    out = scratch / "transfer-out"
    out.mkdir()
    transfer = export_bundle(ctx, other, Destination("Oakfield Academy"), out, kdf=FAST_TRANSFER)
    (scratch / "a-file.txt").write_text("not a folder")
    (scratch / "a-folder").mkdir()
    clock.advance(timedelta(days=1))
    return World(paths, clock, seeded, other, transfer.transfer_id, scratch), ctx


# ---- strategies --------------------------------------------------------------------------------------------

BIG_NUMBERS = st.sampled_from([0, -1, 2**31, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**400])


def ids(known: tuple[int, ...] = (1, 2, 3)) -> st.SearchStrategy[int]:
    """Mostly ids that exist (so deeper checks run), and every size of integer besides."""
    known_ids = st.sampled_from(known)
    return st.one_of(known_ids, known_ids, known_ids, st.integers(), BIG_NUMBERS)


def id_texts() -> st.SearchStrategy[str]:
    """What a user might type for an id: digits, signs, underscores, spaces, other scripts, huge numbers."""
    return st.one_of(
        st.sampled_from(["1", "2", "3", "0", "-1", "+1", "1_0", " 1", "1 ", "١", "1.0", "0x1", "1e3", ""]),
        st.integers().map(str),
        BIG_NUMBERS.map(str),
        st.just("9" * 5000),
        texts(),
    )


def broken_texts() -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            "",
            "   ",
            "\x00",
            "a\x00b",
            "\udcff\udcfe",  # non-UTF-8 bytes in argv arrive as lone surrogates (surrogateescape)
            b"Mr \xff Example".decode("utf-8", "surrogateescape"),
            "\ud800",
            "x" * 200_001,
            "Zoë O’Brien-Łukasz 山田",
            "\n\r\t",
            "--help",
            "-",
        ]
    )


def texts() -> st.SearchStrategy[str]:
    anything = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)  # surrogates too
    words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)  # gets past "enter …"
    return st.one_of(words, words, words, anything, broken_texts(), st.text(max_size=300))


WORDS = ("Dawn", "Brightwater", "social", "worker", "visit", "Secure", "email", "Quillborough", "Zephyrine",
         "level_of_need", "telephone", "Oakfield", "Academy", "agreed", "plan", "Mother")  # fmt: skip


def dates() -> st.SearchStrategy[date]:
    edges = st.sampled_from(
        [date.min, date.max, date(1899, 12, 31), date(1900, 1, 1), date(2100, 12, 31), date(2101, 1, 1),
         date(2026, 1, 5), date(2026, 1, 6), date(2015, 3, 13)]
    )  # fmt: skip
    near = st.dates(min_value=date(2014, 1, 1), max_value=date(2027, 12, 31))
    return st.one_of(edges, st.dates(), near, near)


def moments() -> st.SearchStrategy[datetime]:
    near = st.datetimes(
        min_value=datetime(2025, 12, 1), max_value=datetime(2026, 1, 6), timezones=st.just(UTC)
    )
    return st.one_of(
        st.sampled_from([datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)]),
        st.datetimes(timezones=st.just(UTC)),
        near,
        near,
    )


def date_texts() -> st.SearchStrategy[str]:
    return st.one_of(
        dates().map(date.isoformat),
        st.sampled_from(
            ["9999-12-31", "0001-01-01", "2026-02-30", "2026-13-01", "20260101", "2026-W01-1", "2026-1-5",
             "05/01/2026", "2026-01-05T09:00", "+2026-01-05", "２０２６-01-05", "", "today"]
        ),
        texts(),
    )  # fmt: skip


def paths_in(scratch: Path) -> st.SearchStrategy[str]:
    """Awkward paths, all inside the test's scratch folder (a fuzz test must never write elsewhere)."""
    base = str(scratch)
    return st.one_of(
        st.sampled_from(
            [
                base,
                f"{base}/a-folder",
                f"{base}/a-file.txt",
                f"{base}/a-file.txt/inside.pdf",  # a path through a file
                f"{base}/missing-folder/out.pdf",
                f"{base}/" + "a" * 300,
                f"{base}" + "/a" * 3000,
                f"{base}/nul\x00.pdf",
                f"{base}/" + b"out-\xff.pdf".decode("utf-8", "surrogateescape"),
                f"{base}/ok.pdf",
                f"{base}/ok.csv",
            ]
        ),
        st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=30).map(
            lambda name: f"{base}/{name}"
        ),
    )
