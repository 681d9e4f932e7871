"""Make a large, realistic DSL Desk database for the performance budget (benchmarks/run.py).

    python benchmarks/generate.py DATA_DIR [--children 5000] [--escalations 10000] [--entries 200000]
                                           [--open 2500] [--chronology 2000] [--history F] [--school]

`--history F` multiplies the history (children, closed escalations, log entries) by F and keeps the same
number of open escalations and the same 2,000-entry chronology: the growth curve of benchmarks/run.py.
`--school` makes a school-sized desk instead: 40 open escalations, 2,000 children, 20,000 entries.

What it holds (fixed random seed, every name invented):
- one organisation (a fictional school in the St Helens partnership) and one DSL account, made by the real
  `services.setup.initialise` with the real Argon2id cost, so unlocking it costs what it costs on a laptop;
- 5,000 children, 14 agencies and their professionals;
- 10,000 escalations spread over the five policy packs, at every stage: about a quarter open (most of them
  opened in the last six weeks, so some are overdue, some due today, some on track), the rest resolved (with
  a resolution record) or withdrawn. Stage records carry the deadlines `core` computes from the pack and the
  working-day calendar, and each stage's checklist items come from the pack's requirements for that child;
- 200,000 discussion-log entries, 2,000 of them about one child (`CHRONOLOGY_CHILD_ID`, the chronology
  benchmark), the rest spread over the children, many linked to one of the child's escalations.

The per-row services (one transaction and one audit row each) would take hours for this much data, so rows
go in with executemany in a few big transactions through the store's own engine, after its migrations have
run: the real schema, the real column types, and the database's own triggers (the discussion log's FTS5
index is filled by its insert trigger, as it is for rows the app writes). The audit trail holds only the
set-up rows: bulk-loaded history is not user activity.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select

from dsl_desk.core.calendar import WorkingCalendar
from dsl_desk.core.escalation_rules import ChildFlags, escalation_deadline, requirements_for
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services.desk.policies import load_policies
from dsl_desk.services.desk.setup import NewUser, OrganisationProfile, initialise
from dsl_desk.store.keyring import KdfParams
from dsl_desk.store.models import (
    Agency,
    ChecklistItem,
    Child,
    DiscussionEntry,
    Escalation,
    Professional,
    Resolution,
    StageRecord,
)
from dsl_desk.store.paths import DataPaths

SEED = 20260105
BENCH_USERNAME = "bench.dsl"
BENCH_PASSPHRASE = "benchmark passphrase only"
CHRONOLOGY_CHILD_ID = 1
CHRONOLOGY_ENTRIES = 2000
BATCH = 20_000
OPEN_SHARE, WITHDRAWN_SHARE = 0.25, 0.08

GIVEN = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Arthur",
    "Ivy",
    "Leo",
    "Freya",
    "Oscar",
    "Lily",
    "Harry",
    "Florence",
    "Archie",
    "Willow",
    "Jack",
    "Sophia",
    "Muhammad",
    "Isabella",
    "Theo",
    "Grace",
    "Charlie",
    "Ella",
    "Alfie",
    "Evie",
    "Jacob",
    "Aisha",
    "Thomas",
    "Zara",
    "Ibrahim",
    "Maya",
    "Yusuf",
    "Anaya",
    "Kacper",
    "Zofia",
    "Oluwaseun",
    "Chioma",
    "Rhys",
    "Cerys",
    "Dylan",
    "Seren",
    "Callum",
    "Eilidh",
    "Niamh",
    "Cian",
    "Ruairi",
    "Priya",
    "Arjun",
    "Fatima",
    "Omar",
    "Hana",
    "Ayaan",
    "Layla",
    "Tomasz",
    "Julia",
    "Mateusz",
    "Emilia",
    "Kofi",
    "Ama",
    "Darius",
    "Elif",
    "Yusuf",
    "Sanaa",
    "Reuben",
    "Keira",
]
FAMILY = [
    "Ashdown",
    "Birchall",
    "Carrow",
    "Dunmore",
    "Elsworth",
    "Fenwick",
    "Garside",
    "Holbrook",
    "Ingleby",
    "Jessop",
    "Kershaw",
    "Lathom",
    "Marsden",
    "Nuttall",
    "Ormerod",
    "Pennington",
    "Quarmby",
    "Rushworth",
    "Sowerby",
    "Tattersall",
    "Underhill",
    "Venables",
    "Whitworth",
    "Yardley",
    "Akhtar",
    "Begum",
    "Chaudhry",
    "Dhillon",
    "Egan",
    "Fofana",
    "Gashi",
    "Hussain",
    "Iqbal",
    "Jankowski",
    "Kowalczyk",
    "Lungu",
    "Mensah",
    "Nowak",
    "Okafor",
    "Popescu",
    "Qureshi",
    "Rahman",
    "Sandhu",
    "Tran",
    "Uddin",
    "Varga",
    "Wiśniewska",
    "Xu",
    "Yilmaz",
    "Zielińska",
    "O'Donnell",
    "MacLeod",
    "Ní",
    "Bhriain",
    "Łukasik",
    "Nguyễn",
    "Haddad",
    "Osei",
    "Adeyemi",
    "Kaur",
    "Bhatt",
]
STREETS = [
    "Larch",
    "Weaver",
    "Mill",
    "Canal",
    "Quarry",
    "Orchard",
    "Station",
    "Crescent",
    "Holly",
    "Kestrel",
    "Beacon",
    "Ferry",
]
AGENCIES = (
    ("Fictional Borough Children's Social Care", "social care"),
    ("Fictional Borough Early Help", "social care"),
    ("Fictional Community Health NHS Trust", "health"),
    ("Fictional Hospitals NHS Foundation Trust", "health"),
    ("Fictional CAMHS", "health"),
    ("Fictional Police Public Protection Unit", "police"),
    ("Fictional Police Neighbourhood Team", "police"),
    ("Fictional Youth Justice Service", "youth justice"),
    ("Fictional Housing Options", "housing"),
    ("Fictional Virtual School", "education"),
    ("Fictional SEND Team", "education"),
    ("Fictional Probation Service", "probation"),
    ("Fictional Drug and Alcohol Service", "health"),
    ("Fictional Domestic Abuse Service", "voluntary"),
)
ROLES = (
    "Social Worker",
    "Team Manager",
    "Health Visitor",
    "School Nurse",
    "Detective Constable",
    "CAMHS Practitioner",
    "Family Support Worker",
    "Service Manager",
    "Youth Worker",
    "Caseworker",
)
METHODS = ("phone", "meeting", "email", "video call", "strategy discussion", "home visit", "letter")
CONCERNS = (
    "neglect",
    "hunger at breakfast club",
    "poor hygiene",
    "unexplained bruising",
    "missed health appointments",
    "domestic abuse at home",
    "parental substance misuse",
    "persistent absence",
    "going missing overnight",
    "self-harm",
    "online exploitation",
    "county lines concerns",
    "housing conditions",
    "sibling's disclosure",
    "mother's mental health",
    "overcrowding",
    "anxiety about going home",
    "a referral closed without contact",
)
ACTIONS = (
    "agreed to hold a strategy discussion",
    "declined to reopen the referral",
    "will review the plan",
    "asked for chronology of concerns",
    "promised a written response by Friday",
    "escalated to the team manager",
    "shared the assessment outcome",
    "did not attend the core group",
    "agreed a joint home visit",
    "asked school to complete an early help assessment",
    "confirmed the case is allocated",
)
OUTCOMES = (
    "Agreed to a strategy discussion; escalation resolved.",
    "Referral reopened and allocated.",
    "Manager agreed the plan stays at child protection.",
    "Written confirmation received; practice improved.",
)


@dataclass(frozen=True)
class Counts:
    children: int = 5000
    escalations: int = 10_000
    entries: int = 200_000
    open: int = 2500  # of the escalations, exactly this many are open
    chronology: int = CHRONOLOGY_ENTRIES

    @classmethod
    def history(cls, factor: float) -> Counts:
        """`factor` times the history of the default desk with the same open work."""
        base = cls()
        closed = base.escalations - base.open
        return cls(
            children=round(base.children * factor),
            escalations=base.open + round(closed * factor),
            entries=round(base.entries * factor),
        )

    @classmethod
    def school(cls) -> Counts:
        """A school's desk after some years: 40 open escalations, 2,000 children, 20,000 entries."""
        return cls(children=2000, escalations=400, entries=20_000, open=40, chronology=200)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="an empty folder (it is created if missing)")
    parser.add_argument("--children", type=int, default=Counts.children)
    parser.add_argument("--escalations", type=int, default=Counts.escalations)
    parser.add_argument("--entries", type=int, default=Counts.entries)
    parser.add_argument("--open", type=int, help="open escalations (default: a quarter of them)")
    parser.add_argument("--chronology", type=int, default=CHRONOLOGY_ENTRIES, help="entries about child 1")
    parser.add_argument("--history", type=float, help="F times the default history, the same open cases")
    parser.add_argument("--school", action="store_true", help="a school-sized desk (40 open escalations)")
    parser.add_argument("--now", help="ISO time the data is relative to (default: now)")
    parser.add_argument(
        "--kdf",
        choices=("real", "fast"),
        default="real",
        help="Argon2id cost of the account's passphrase: 'real' as the app sets it (default)",
    )
    args = parser.parse_args(argv)
    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    kdf = KdfParams() if args.kdf == "real" else KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
    if args.school:
        counts = Counts.school()
    elif args.history:
        counts = Counts.history(args.history)
    else:
        opened = args.open if args.open is not None else round(args.escalations * OPEN_SHARE)
        counts = Counts(args.children, args.escalations, args.entries, opened, args.chronology)
    started = time.perf_counter()
    summary = generate(
        DataPaths(args.data_dir.resolve()),
        counts,
        now=now,
        kdf=kdf,
    )
    summary["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(summary))
    return 0


def generate(paths: DataPaths, counts: Counts, *, now: datetime, kdf: KdfParams) -> dict[str, Any]:
    packs = dict(load_policies().packs)
    rng = random.Random(SEED)
    profile = OrganisationProfile("Fictional Academy (BENCHMARK)", "School", "st_helens", "england")
    user = NewUser(BENCH_USERNAME, "Robin Benchmark", "Designated Safeguarding Lead", BENCH_PASSPHRASE)

    class _Clock:
        def now(self) -> datetime:
            return now - timedelta(days=3 * 365 + 30)

    ctx, _recovery = initialise(paths, profile, user, clock=_Clock(), packs=packs, kdf=kdf)
    try:
        engine = ctx.store.engine
        user_id = ctx.actor.user_id
        calendar = WorkingCalendar("england")
        with engine.begin() as conn:
            agency_ids, professional_ids = _agencies(conn, rng)
            flags = _children(conn, rng, counts.children, user_id, now)
        with engine.begin() as conn:
            escalations = _escalations(
                conn,
                rng,
                counts.escalations,
                counts.open,
                packs,
                calendar,
                flags,
                agency_ids,
                professional_ids,
                user_id,
                now,
            )
        _entries(engine, rng, counts, escalations, user_id, now)
        with engine.connect() as conn:
            totals = {
                table.name: conn.scalar(select(func.count()).select_from(table))
                for table in (
                    Child.__table__,
                    Escalation.__table__,
                    StageRecord.__table__,
                    ChecklistItem.__table__,
                    DiscussionEntry.__table__,
                )
            }
            totals["open_escalations"] = conn.scalar(
                select(func.count())
                .select_from(Escalation.__table__)
                .where(Escalation.__table__.c.status == "open")
            )
    finally:
        ctx.close()
    return {"data_dir": str(paths.root), "username": BENCH_USERNAME, **totals}


# ---------------------------------------------------------------------------------------------------------------


def _agencies(conn: Connection, rng: random.Random) -> tuple[list[int], list[list[int]]]:
    base = conn.scalar(select(func.coalesce(func.max(Agency.__table__.c.id), 0))) or 0
    agency_rows = [
        {"id": base + i + 1, "name": name, "kind": kind, "phone": f"01632 96{i:04d}", "email": ""}
        for i, (name, kind) in enumerate(AGENCIES)
    ]
    conn.execute(insert(Agency.__table__), agency_rows)
    professionals: list[list[int]] = []
    rows = []
    next_id = (conn.scalar(select(func.coalesce(func.max(Professional.__table__.c.id), 0))) or 0) + 1
    for agency in agency_rows:
        ids = []
        for _ in range(rng.randint(3, 8)):
            rows.append(
                {
                    "id": next_id,
                    "name": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                    "role": rng.choice(ROLES),
                    "agency_id": agency["id"],
                    "phone": f"01632 9{rng.randint(10000, 99999)}",
                    "email": "",
                }
            )
            ids.append(next_id)
            next_id += 1
        professionals.append(ids)
    conn.execute(insert(Professional.__table__), rows)
    return [a["id"] for a in agency_rows], professionals


def _children(conn: Connection, rng: random.Random, n: int, user_id: int, now: datetime) -> list[ChildFlags]:
    rows, flags = [], []
    for i in range(1, n + 1):
        cp, lac, cin, ehcp = (
            rng.random() < 0.08,
            rng.random() < 0.04,
            rng.random() < 0.12,
            rng.random() < 0.06,
        )
        flags.append(ChildFlags(cp, lac, cin, ehcp))
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        rows.append(
            {
                "id": i,
                "given_names": given,
                "family_name": family,
                "date_of_birth": date(2008, 9, 1) + timedelta(days=rng.randint(0, 11 * 365)),
                "address": f"{rng.randint(1, 180)} {rng.choice(STREETS)} Road, Fictionton",
                "parents_carers": f"{rng.choice(GIVEN)} {family} (parent)",
                "child_protection_plan": cp,
                "looked_after": lac,
                "child_in_need": cin,
                "ehcp": ehcp,
                "continuum_of_need": "Level 4" if cp or lac else "Level 3" if cin else "Level 2",
                "created_at": now - timedelta(days=rng.randint(40, 1500)),
                "created_by_id": user_id,
            }
        )
    conn.execute(insert(Child.__table__), rows)
    return flags


@dataclass(frozen=True)
class _Made:
    id: int
    child_id: int
    stage_key: str
    opened_at: datetime


def _escalations(
    conn: Connection,
    rng: random.Random,
    n: int,
    n_open: int,
    packs: dict[str, PolicyPack],
    calendar: WorkingCalendar,
    flags: list[ChildFlags],
    agency_ids: list[int],
    professional_ids: list[list[int]],
    user_id: int,
    now: datetime,
) -> list[_Made]:
    pack_list = [packs[key] for key in sorted(packs)]
    escalation_rows: list[dict[str, Any]] = []
    stage_rows: list[dict[str, Any]] = []
    item_rows: list[dict[str, Any]] = []
    resolution_rows: list[dict[str, Any]] = []
    made: list[_Made] = []
    per_year: dict[int, int] = {}
    children_with_cases = rng.sample(range(1, len(flags) + 1), k=min(len(flags), max(1, n // 3)))
    if CHRONOLOGY_CHILD_ID not in children_with_cases:
        children_with_cases[0] = CHRONOLOGY_CHILD_ID
    # Exactly n_open are open (its own random stream, so the growth curve keeps the same open work); of the
    # closed ones about a tenth were withdrawn.
    open_ids = set(random.Random(SEED + 1).sample(range(1, n + 1), k=min(n, n_open)))
    closed_withdrawn = WITHDRAWN_SHARE / (1 - OPEN_SHARE)
    for escalation_id in range(1, n + 1):
        pack = pack_list[escalation_id % len(pack_list)]
        child_id = rng.choice(children_with_cases)
        child_flags = flags[child_id - 1]
        roll = rng.random()
        status = (
            "open" if escalation_id in open_ids else "withdrawn" if roll < closed_withdrawn else "resolved"
        )
        opened = _opened_at(rng, status, now)
        # Immediate risk is dealt with the same working day: only recent open ones still carry it.
        immediate = rng.random() < 0.02 and (status != "open" or now - opened < timedelta(days=3))
        reached = 1 + min(int(rng.expovariate(1.1)), len(pack.stages) - 1)
        year = opened.year
        per_year[year] = per_year.get(year, 0) + 1
        agency_index = rng.randrange(len(agency_ids))
        entered = opened
        closed_at: datetime | None = None
        for number, stage in enumerate(pack.stages[:reached]):
            current = number == reached - 1
            deadline = escalation_deadline(
                pack, stage, calendar, opened_at=opened, entered_at=entered, immediate_risk=immediate
            )
            left = None
            if not current or status != "open":
                left = entered + timedelta(hours=rng.uniform(3, 24 * 9))
                left = min(left, now - timedelta(minutes=5))
            stage_rows.append(
                {
                    "escalation_id": escalation_id,
                    "stage_key": stage.key,
                    "entered_at": entered,
                    "deadline": deadline.due_at if deadline else None,
                    "raised_out_of_hours": bool(deadline and deadline.out_of_hours),
                    "contacted": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}, {rng.choice(ROLES)}",
                    "entered_by_id": user_id,
                    "outcome": "" if left is None else rng.choice(ACTIONS).capitalize() + ".",
                    "left_at": left,
                    "left_by_id": None if left is None else user_id,
                    "timescale_met": None if left is None else (deadline is None or left <= deadline.due_at),
                    "missed_reason": ""
                    if left is None or deadline is None or left <= deadline.due_at
                    else "The other agency's manager was on leave.",
                }
            )
            for requirement in requirements_for(stage, child_flags):
                done = left is not None or rng.random() < 0.5
                item_rows.append(
                    {
                        "escalation_id": escalation_id,
                        "stage_key": stage.key,
                        "requirement_key": requirement.key,
                        "kind": requirement.kind,
                        "text": requirement.text,
                        "recipient": requirement.recipient,
                        "form_id": requirement.form,
                        "created_at": entered,
                        "done_at": entered + timedelta(hours=2) if done else None,
                        "done_by_id": user_id if done else None,
                        "done_note": "Done" if done else "",
                    }
                )
            if left is not None and not current:
                entered = left
            elif left is not None:
                closed_at = left
        closed = None if status == "open" else closed_at
        escalation_rows.append(
            {
                "id": escalation_id,
                "reference": f"ESC-{year}-{per_year[year]:04d}",
                "child_id": child_id,
                "policy_id": pack.id,
                "policy_version": pack.version,
                "our_agency": "Fictional Academy (BENCHMARK)",
                "our_professional": "Robin Benchmark",
                "other_agency_id": agency_ids[agency_index],
                "other_professional_id": rng.choice(professional_ids[agency_index]),
                "category": rng.choice(pack.categories).key,
                "problem": f"Disagreement about {rng.choice(CONCERNS)}: the agency {rng.choice(ACTIONS)}.",
                "outcome_sought": "A strategy discussion and a written plan shared with school.",
                "immediate_risk": immediate,
                "status": status,
                "current_stage": pack.stages[reached - 1].key,
                "opened_at": opened,
                "opened_by_id": user_id,
                "closed_at": closed,
                "withdrawn_reason": "The concern was resolved informally." if status == "withdrawn" else "",
            }
        )
        if status == "resolved":
            resolution_rows.append(
                {
                    "escalation_id": escalation_id,
                    "resolved_stage": pack.stages[reached - 1].key,
                    "resolved_at": closed,
                    "resolved_by_id": user_id,
                    "written_outcome": rng.choice(OUTCOMES),
                    "outcome_agreed_in_writing": True,
                    "main_reason": "Communication",
                    "child_situation_improved": rng.choice(("yes", "no", "not yet known")),
                }
            )
        made.append(_Made(escalation_id, child_id, pack.stages[reached - 1].key, opened))
    conn.execute(insert(Escalation.__table__), escalation_rows)
    for table, rows in (
        (StageRecord.__table__, stage_rows),
        (ChecklistItem.__table__, item_rows),
        (Resolution.__table__, resolution_rows),
    ):
        for chunk in _chunks(rows, BATCH):
            conn.execute(insert(table), chunk)
    return made


def _opened_at(rng: random.Random, status: str, now: datetime) -> datetime:
    days = rng.triangular(0, 45, 4) if status == "open" else rng.uniform(20, 3 * 365)
    opened = now - timedelta(days=days)
    # Office hours, as most escalations are raised (a few out of hours).
    hour = rng.choice((8, 9, 10, 11, 12, 13, 14, 15, 16, 16, 19))
    return opened.replace(hour=hour, minute=rng.randrange(60), second=0, microsecond=0)


def _entries(
    engine: Any, rng: random.Random, counts: Counts, made: list[_Made], user_id: int, now: datetime
) -> None:
    by_child: dict[int, list[_Made]] = {}
    for escalation in made:
        by_child.setdefault(escalation.child_id, []).append(escalation)
    table: Table = DiscussionEntry.__table__
    columns = set(table.c.keys())
    children = list(range(1, counts.children + 1))
    busy = list(by_child)  # children with escalations have most of the discussions
    next_id = 1
    remaining = counts.entries
    chronology = min(counts.chronology, remaining)
    while remaining:
        size = min(BATCH, remaining)
        rows = []
        for _ in range(size):
            if chronology:
                child_id = CHRONOLOGY_CHILD_ID
                chronology -= 1
            else:
                child_id = rng.choice(busy) if rng.random() < 0.8 else rng.choice(children)
            rows.append(_entry(rng, next_id, child_id, by_child.get(child_id, ()), user_id, now, columns))
            next_id += 1
        with engine.begin() as conn:
            conn.execute(insert(table), rows)
        remaining -= size


def _entry(
    rng: random.Random,
    entry_id: int,
    child_id: int,
    cases: Sequence[_Made],
    user_id: int,
    now: datetime,
    columns: set[str],
) -> dict[str, Any]:
    case = rng.choice(cases) if cases and rng.random() < 0.7 else None
    start = case.opened_at if case else now - timedelta(days=3 * 365)
    span = max(60.0, (now - start).total_seconds())
    occurred = start + timedelta(seconds=rng.uniform(0, span))
    who = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)} ({rng.choice(ROLES)})"
    concern = rng.choice(CONCERNS)
    row: dict[str, Any] = {
        "id": entry_id,
        "child_id": child_id,
        "escalation_id": case.id if case else None,
        "stage_key": case.stage_key if case else "",
        "kind": "dissent" if rng.random() < 0.05 else "discussion",
        "occurred_at": occurred,
        "recorded_at": occurred + timedelta(minutes=rng.randint(5, 240)),
        "author_id": user_id,
        "method": rng.choice(METHODS),
        "participants": f"Robin Benchmark (DSL); {who}",
        "summary": (
            f"Discussed {concern} with {who}. The agency {rng.choice(ACTIONS)}. "
            f"School raised {rng.choice(CONCERNS)} and {rng.choice(CONCERNS)}."
        ),
        "decisions": f"School will {rng.choice(('follow up in writing', 'chase on Monday', 'refer to the MASH'))}.",
        "shared_with": "",
        "shared_at": None,
        "amends_id": None,
        "amend_reason": "",
        "child_views": "Said they feel safe at school." if rng.random() < 0.3 else "",
        "opinion": "",
    }
    return {key: value for key, value in row.items() if key in columns}


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


if __name__ == "__main__":
    sys.exit(main())
