"""Benchmark the discussion log: open a 2,000-entry chronology, and search 200,000 entries.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_log.py [--entries 200000] [--child-entries 2000]

Generates a fresh encrypted database in a temporary folder (bulk inserts through the store's engine, in
one transaction per 20,000 rows; the FTS5 triggers index every row as it arrives), then prints timings.
Not a timed test: it reports figures, it does not fail.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import insert

from dsl_desk.core.clock import FixedClock
from dsl_desk.services.desk.policies import load_policies
from dsl_desk.services.desk.setup import NewUser, OrganisationProfile, initialise
from dsl_desk.services.log.reading import get_chronology
from dsl_desk.services.log.search import search_log
from dsl_desk.services.people.children import ChildDetails, add_child
from dsl_desk.store.keyring import KdfParams
from dsl_desk.store.models import ActionItem, Child, DiscussionEntry
from dsl_desk.store.paths import DataPaths
from dsl_desk.store.search import SearchFilters

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
WORDS = [
    "bruise",
    "referral",
    "strategy",
    "meeting",
    "threshold",
    "social",
    "worker",
    "police",
    "health",
    "school",
    "nurse",
    "home",
    "visit",
    "attendance",
    "neglect",
    "hunger",
    "hygiene",
    "plan",
    "core",
    "group",
    "conference",
    "disclosure",
    "mother",
    "father",
    "partner",
    "assessment",
    "section",
    "47",
    "early",
    "help",
    "CAMHS",
    "GP",
    "paediatric",
    "review",
    "minutes",
    "dissent",
    "escalation",
    "manager",
]
NAMES = ("Dawn Brightwater", "Priya Shah", "Sam Okafor", "Lee Grant", "Ama Boateng", "Bethan Jones")
METHODS = ("telephone", "email", "face_to_face", "strategy_meeting", "core_group", "letter")
BATCH = 20_000


def _summary(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(25, 70))
    return f"Spoke with {rng.choice(NAMES)} about " + " ".join(words) + "."


def _rows(rng: random.Random, child_ids: list[int], count: int, author_id: int) -> list[dict]:
    rows = []
    for _ in range(count):
        occurred = NOW - timedelta(minutes=rng.randint(60, 60 * 24 * 365 * 3))
        rows.append(
            {
                "child_id": rng.choice(child_ids),
                "stage_key": "",
                "kind": "discussion",
                "occurred_at": occurred,
                "recorded_at": occurred + timedelta(minutes=rng.randint(5, 60 * 48)),
                "author_id": author_id,
                "method": rng.choice(METHODS),
                "participants": f"{rng.choice(NAMES)}, social worker\n{rng.choice(NAMES)}, DSL",
                "summary": _summary(rng),
                "child_views": "",
                "opinion": "",
                "decisions": "Agreed to review because " + " ".join(rng.choices(WORDS, k=8)),
                "shared_with": "",
                "amend_reason": "",
            }
        )
    return rows


def _bulk_insert(ctx, rows: list[dict]) -> None:
    # Straight through the store's engine: one executemany per batch, triggers keep the index in step.
    with ctx.store.engine.begin() as connection:
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(DiscussionEntry), rows[start : start + BATCH])


def _amend_some(ctx, child_id: int, author_id: int, count: int) -> None:
    from sqlalchemy import select

    with ctx.store.session() as session:
        ids = list(
            session.scalars(
                select(DiscussionEntry.id).where(DiscussionEntry.child_id == child_id).limit(count)
            )
        )
        for entry_id in ids:
            session.add(
                DiscussionEntry(
                    child_id=child_id, occurred_at=NOW - timedelta(days=1), recorded_at=NOW, author_id=author_id,
                    method="telephone", summary="A correction of an earlier entry.", amends_id=entry_id,
                    amend_reason="Benchmark correction",
                )
            )  # fmt: skip
            session.add(
                ActionItem(
                    entry_id=entry_id, description="Follow up", owner="Jane Smith", due_on=date(2026, 2, 1)
                )
            )


def _timed(label: str, work, repeat: int = 5) -> object:
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    print(f"{label:<58} median {statistics.median(times) * 1000:8.1f} ms   best {min(times) * 1000:8.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--child-entries", type=int, default=2_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dsl-bench-log-"))
    clock = FixedClock(NOW)
    packs = dict(load_policies().packs)
    ctx, _ = initialise(
        DataPaths(folder / "data"),
        OrganisationProfile("Bench School", "School", "st_helens", "england"),
        NewUser("bench", "Bench User", "DSL", "bench passphrase long enough"),
        clock=clock,
        packs=packs,
        kdf=KdfParams(time_cost=1, memory_kib=8192, parallelism=1),
    )
    rng = random.Random(20260105)
    start = time.perf_counter()
    busy = add_child(ctx, ChildDetails("Zoë", "Łukasiewicz-Nguyễn", date(2014, 5, 2))).id
    others = _bulk_children(ctx, 500)
    _bulk_insert(ctx, _rows(rng, [busy], args.child_entries, ctx.actor.user_id))
    _bulk_insert(ctx, _rows(rng, others, args.entries - args.child_entries, ctx.actor.user_id))
    _amend_some(ctx, busy, ctx.actor.user_id, 50)
    print(f"generated {args.entries:,} entries in {time.perf_counter() - start:.1f} s ({folder})")
    print(f"database size {(folder / 'data').stat().st_size and _size(folder):.0f} MB")

    chronology = _timed(
        f"open chronology ({args.child_entries:,} entries, service)", lambda: get_chronology(ctx, busy)
    )
    print(f"    {len(chronology.items):,} events, {sum(1 for i in chronology.items if i.earlier)} corrected")
    _bench_widget(ctx, busy)
    for words in ("bruise", "brightwater referral", "paediatric", "strat meet", "zzznotthere"):
        result = _timed(f"search {args.entries:,} entries: {words!r}", lambda w=words: search_log(ctx, w))
        print(f"    {len(result.hits)} hits{' (more)' if result.more else ''}")
    _timed(
        "search 'bruise' for one child, emails only",
        lambda: search_log(ctx, "bruise", SearchFilters(child_id=busy, method="email")),
    )
    ctx.close()


def _bulk_children(ctx, count: int) -> list[int]:
    with ctx.store.engine.begin() as connection:
        rows = [
            {
                "given_names": f"Child{n}", "family_name": "Bench", "date_of_birth": date(2012, 1, 1),
                "address": "", "parents_carers": "", "child_protection_plan": False, "looked_after": False,
                "child_in_need": False, "ehcp": False, "continuum_of_need": "", "created_at": NOW,
                "created_by_id": ctx.actor.user_id,
            }
            for n in range(count)
        ]  # fmt: skip
        connection.execute(insert(Child), rows)
    with ctx.store.session() as session:
        from sqlalchemy import select

        return list(session.scalars(select(Child.id).where(Child.family_name == "Bench")))


def _bench_widget(ctx, child_id: int) -> None:
    from PySide6.QtWidgets import QApplication

    from dsl_desk.ui.log.chronology import ChronologyView
    from dsl_desk.ui.signals import AppSignals

    app = QApplication.instance() or QApplication([])
    view = ChronologyView(ctx, AppSignals())
    view.resize(1200, 800)
    view.show()

    def show() -> None:
        view.show_child(child_id)
        app.processEvents()

    _timed("open chronology in the widget (query + HTML + layout)", show, repeat=3)
    view.close()
    view.deleteLater()
    app.processEvents()


def _size(folder: Path) -> float:
    return sum(p.stat().st_size for p in (folder / "data").rglob("*") if p.is_file()) / 1024 / 1024


if __name__ == "__main__":
    main()
