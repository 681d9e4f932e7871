"""Every pack walked through every stage over Christmas 2026 (Fri 25, Mon 28 Dec and Fri 1 Jan are holidays).

Opened Thu 24 Dec 10:00; each later stage is entered at 10:00 on the next working day:
Tue 29 Dec, Wed 30 Dec, Thu 31 Dec, Mon 4 Jan 2027.
"""

from __future__ import annotations

from datetime import date

import pytest

from dsl_desk.core.calendar import WorkingCalendar
from dsl_desk.core.escalation_rules import (
    check_escalation,
    closing_requirements,
    escalation_deadline,
    overall_deadline,
    stage_deadline,
)
from dsl_desk.core.policy import PolicyPack

from .moments import at, london_date

OPENED = at(2026, 12, 24)
ENTRIES = [
    OPENED,
    at(2026, 12, 29),
    at(2026, 12, 30),
    at(2026, 12, 31),
    at(2027, 1, 4),
    at(2027, 1, 5),
    at(2027, 1, 6),
]

# Stage deadlines (London dates) by stage, None where the policy gives the stage no timescale.
EXPECTED: dict[str, list[date | None]] = {
    # Stage One same day; no other stage has a timescale of its own (the Escalation Notice has its own).
    "st_helens": [date(2026, 12, 24), None, None, None, None, None, None],
    # Every stage the same working day.
    "barnet": [date(2026, 12, 24), date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)],
    "city_and_hackney": [None, None, None, None],
    # 5 working days from 24 Dec -> Tue 5 Jan; from 29 Dec -> Wed 6 Jan; from 30 Dec -> Thu 7 Jan.
    "medway": [date(2027, 1, 5), date(2027, 1, 6), date(2027, 1, 7), None],
    "wigan": [None, None, None, None],
}

# One working week / five working days from Thu 24 Dec -> Tue 5 Jan 2027.
OVERALL: dict[str, date | None] = {
    "st_helens": date(2027, 1, 5),
    "barnet": date(2027, 1, 5),
    "city_and_hackney": date(2027, 1, 5),
    "medway": None,
    "wigan": None,
}


@pytest.mark.parametrize("pack_id", sorted(EXPECTED))
def test_walk_every_stage_over_christmas(packs: dict[str, PolicyPack], pack_id: str) -> None:
    pack, calendar = packs[pack_id], WorkingCalendar("england")
    used: list[str] = []
    dates = []
    for stage, entered in zip(pack.stages, ENTRIES, strict=False):
        if used:
            check_escalation(pack, used[:-1], used[-1], stage.key)
        used.append(stage.key)
        deadline = stage_deadline(pack, stage, calendar, entered, immediate_risk=False)
        dates.append(london_date(None if deadline is None else deadline.due_at))
    assert dates == EXPECTED[pack_id]
    assert used == [s.key for s in pack.stages]
    overall = overall_deadline(pack, calendar, OPENED, immediate_risk=False)
    assert london_date(None if overall is None else overall.due_at) == OVERALL[pack_id]


@pytest.mark.parametrize("pack_id", sorted(EXPECTED))
def test_walk_with_immediate_risk_is_same_working_day_throughout(
    packs: dict[str, PolicyPack], pack_id: str
) -> None:
    pack, calendar = packs[pack_id], WorkingCalendar("england")
    for stage, entered in zip(pack.stages, ENTRIES, strict=False):
        deadline = escalation_deadline(
            pack, stage, calendar, opened_at=OPENED, entered_at=entered, immediate_risk=True
        )
        assert deadline is not None
        # Immediate risk: each stage the same working day it starts, or sooner when the one working week
        # (from 24 Dec: Tue 5 Jan) ends first.
        assert london_date(deadline.due_at) == min(london_date(entered), OVERALL[pack_id] or date.max)


def test_dashboard_date_is_the_earlier_of_stage_and_overall(packs: dict[str, PolicyPack]) -> None:
    pack, calendar = packs["st_helens"], WorkingCalendar("england")
    stage_four = pack.stage("stage_four")
    deadline = escalation_deadline(
        pack, stage_four, calendar, opened_at=OPENED, entered_at=ENTRIES[3], immediate_risk=False
    )
    assert deadline is not None
    assert london_date(deadline.due_at) == date(2027, 1, 5)  # the week beats the notice's Fri 8 Jan


def test_scotland_walk_for_medway_counts_the_new_year_holiday(packs: dict[str, PolicyPack]) -> None:
    # Scotland also closes Mon 4 Jan 2027 (New Year Holiday observed): 5 working days from 24 Dec -> Wed 6 Jan.
    pack = packs["medway"]
    deadline = stage_deadline(
        pack, pack.first_stage, WorkingCalendar("scotland"), OPENED, immediate_risk=False
    )
    assert deadline is not None
    assert london_date(deadline.due_at) == date(2027, 1, 6)


def test_barnet_closing_after_the_walk_has_overrun(packs: dict[str, PolicyPack]) -> None:
    checklist = closing_requirements(
        packs["barnet"], opened_at=OPENED, resolved_at=at(2027, 1, 6), calendar=WorkingCalendar("england")
    )
    assert checklist.overran
    assert checklist.working_days_taken == 6
