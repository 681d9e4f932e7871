"""Property (issue 13): no set of school closure days ever moves an immediate-risk deadline, another agency's
deadline or a policy maximum; only a step inside the school's own agency may move, and then only later."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dsl_desk.core.calendar import WorkingCalendar
from dsl_desk.core.escalation_rules import (
    closing_requirements,
    immediate_deadline,
    immediate_stage_deadline,
    overall_deadline,
    stage_deadline,
)
from dsl_desk.core.policy import PolicyPack

START = datetime(2026, 1, 1, tzinfo=UTC)
moments = st.integers(min_value=0, max_value=365 * 24 * 4).map(lambda q: START + timedelta(minutes=15 * q))
closures = st.sets(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 6, 30)), max_size=60)
PACK_IDS = ("st_helens", "barnet", "city_and_hackney", "medway", "wigan")


@settings(max_examples=150, deadline=None)
@given(event=moments, closed=closures, pack_id=st.sampled_from(PACK_IDS), risk=st.booleans())
def test_closures_move_only_own_agency_steps(packs: dict[str, PolicyPack], event, closed, pack_id, risk):
    pack = packs[pack_id]
    bare = WorkingCalendar("england")
    shut = WorkingCalendar("england", closed)
    assert immediate_deadline(pack, shut, event) == immediate_deadline(pack, bare, event)
    assert immediate_stage_deadline(pack, shut, event) == immediate_stage_deadline(pack, bare, event)
    assert overall_deadline(pack, shut, event, immediate_risk=risk) == overall_deadline(
        pack, bare, event, immediate_risk=risk
    )
    later = event + timedelta(days=9)
    assert (
        closing_requirements(pack, opened_at=event, resolved_at=later, calendar=shut).max_due_at
        == closing_requirements(pack, opened_at=event, resolved_at=later, calendar=bare).max_due_at
    )
    urgent = immediate_stage_deadline(pack, bare, event)
    for stage in pack.stages:
        with_closures = stage_deadline(pack, stage, shut, event, immediate_risk=risk)
        without = stage_deadline(pack, stage, bare, event, immediate_risk=risk)
        if risk:  # a child at immediate risk never waits for the school to reopen
            assert with_closures is not None and urgent is not None
            assert with_closures.due_at <= urgent.due_at
        if not stage.within_own_agency:
            assert with_closures == without, (pack_id, stage.key)
        elif with_closures is not None and without is not None:
            assert with_closures.due_at >= without.due_at  # a closure only ever gives the school longer
            if with_closures.due_at != without.due_at:
                assert with_closures.moved_by_closure_from == without.due_at  # and the screen can say so
