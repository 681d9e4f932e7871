"""Transitions, deadlines, due status and closing rules, with time moved by a FixedClock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from dsl_desk.core.calendar import WorkingCalendar
from dsl_desk.core.clock import FixedClock
from dsl_desk.core.escalation_rules import (
    IMMEDIATE_RISK_FALLBACK,
    ChildFlags,
    ClosingField,
    DueStatus,
    TransitionRefused,
    check_escalation,
    closing_requirements,
    describe_deadline,
    due_status,
    immediate_risk_rule,
    requirements_for,
    stage_deadline,
    timescale_met,
)
from dsl_desk.core.policy import PolicyPack

from .moments import at

# ---- transitions ------------------------------------------------------------------------------------------


def test_next_stage_is_allowed(packs: dict[str, PolicyPack]) -> None:
    check_escalation(packs["barnet"], [], "stage_1", "stage_2")


def test_skipping_a_stage_is_refused_quoting_the_policy(packs: dict[str, PolicyPack]) -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_escalation(packs["barnet"], [], "stage_1", "stage_3")
    message = refused.value.message
    assert message.startswith("Stage 3 can't start yet: the next stage is Stage 2")
    assert "“If the issue remains unresolved between managers" in message
    assert refused.value.quote == packs["barnet"].stage("stage_3").entry_condition


def test_medway_stage_3_quotes_the_prerequisite(packs: dict[str, PolicyPack]) -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_escalation(packs["medway"], [], "stage_1", "stage_3")
    assert "“Both stages 1 and 2 must be utilised before going to stage 3.”" in refused.value.message
    assert "Stage 2 must be used first" in refused.value.message


def test_medway_prerequisite_holds_even_when_skipping_is_allowed(packs: dict[str, PolicyPack]) -> None:
    # An escalation recorded as starting at Stage 2 has not used Stage 1.
    lenient = replace(packs["medway"], allow_skipping_stages=True)
    with pytest.raises(TransitionRefused, match="Stage 1 must be used first"):
        check_escalation(lenient, [], "stage_2", "stage_3")
    check_escalation(lenient, ["stage_1"], "stage_2", "stage_3")


def test_skipping_allowed_when_the_pack_says_so(packs: dict[str, PolicyPack]) -> None:
    check_escalation(replace(packs["barnet"], allow_skipping_stages=True), [], "stage_1", "stage_4")


def test_nothing_after_the_last_stage(packs: dict[str, PolicyPack]) -> None:
    with pytest.raises(TransitionRefused, match="last stage of the St Helens policy") as refused:
        check_escalation(packs["st_helens"], [], "director_childrens_services", "stage_one")
    assert "final binding decision" in refused.value.message


def test_going_back_is_refused(packs: dict[str, PolicyPack]) -> None:
    with pytest.raises(TransitionRefused, match="already at Stage 3"):
        check_escalation(packs["barnet"], ["stage_1", "stage_2"], "stage_3", "stage_2")


@pytest.mark.parametrize(("current", "target"), [("stage_9", "stage_2"), ("stage_1", "stage_9")])
def test_unknown_stage_is_refused(packs: dict[str, PolicyPack], current: str, target: str) -> None:
    with pytest.raises(TransitionRefused, match="'stage_9', which the Barnet policy does not have"):
        check_escalation(packs["barnet"], [], current, target)


def test_city_and_hackney_2_10_is_a_should_so_it_reminds_and_does_not_block(
    packs: dict[str, PolicyPack],
) -> None:
    # 2.10: members "should be engaged ... before the case is raised with" the ICSC: a reminder, not a bar.
    pack = packs["city_and_hackney"]
    used = ["stage_one", "stage_two"]
    check_escalation(pack, used, "stage_three", "stage_four", done_requirement_keys=())


def test_a_must_before_the_next_stage_blocks(packs: dict[str, PolicyPack]) -> None:
    pack = packs["city_and_hackney"]
    stage = pack.stage("stage_three")
    strict = replace(stage, requirements=tuple(replace(r, obligation="must") for r in stage.requirements))
    strict_pack = replace(pack, stages=tuple(strict if s.key == "stage_three" else s for s in pack.stages))
    used = ["stage_one", "stage_two"]
    with pytest.raises(TransitionRefused, match="2.10") as refused:
        check_escalation(strict_pack, used, "stage_three", "stage_four", done_requirement_keys=())
    assert "before the case is raised with the CHSCP Independent Child Safeguarding Commissioner" in (
        refused.value.message
    )
    check_escalation(
        strict_pack, used, "stage_three", "stage_four", done_requirement_keys=["chscp_members_engaged"]
    )


# ---- requirements by child ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (ChildFlags(), {"consider_professionals_meeting"}),
        (ChildFlags(child_protection_plan=True), {"consider_professionals_meeting", "notify_cp_chair"}),
        (ChildFlags(looked_after=True), {"consider_professionals_meeting", "notify_iro"}),
        (
            ChildFlags(child_protection_plan=True, looked_after=True, ehcp=True),
            {"consider_professionals_meeting", "notify_cp_chair", "notify_iro"},
        ),
    ],
)
def test_requirements_follow_the_child(
    packs: dict[str, PolicyPack], flags: ChildFlags, expected: set[str]
) -> None:
    stage = packs["city_and_hackney"].stage("stage_two")
    assert {r.key for r in requirements_for(stage, flags)} == expected


# ---- deadlines --------------------------------------------------------------------------------------------


def test_immediate_risk_overrides_a_longer_timescale(
    packs: dict[str, PolicyPack], england: WorkingCalendar
) -> None:
    pack = packs["medway"]  # Stage 1: a response within 5 working days
    entered = at(2026, 1, 5)  # Monday
    normal = stage_deadline(pack, pack.stage("stage_1"), england, entered, immediate_risk=False)
    urgent = stage_deadline(pack, pack.stage("stage_1"), england, entered, immediate_risk=True)
    assert normal is not None
    assert urgent is not None
    assert normal.due_at == at(2026, 1, 12, 17)
    assert urgent.due_at == at(2026, 1, 5, 17)


def test_immediate_risk_gives_a_deadline_where_the_stage_has_none(
    packs: dict[str, PolicyPack], england: WorkingCalendar
) -> None:
    pack = packs["wigan"]
    assert stage_deadline(pack, pack.stage("level_2"), england, at(2026, 1, 5), immediate_risk=False) is None
    urgent = stage_deadline(pack, pack.stage("level_2"), england, at(2026, 1, 5), immediate_risk=True)
    assert urgent is not None
    assert urgent.due_at == at(2026, 1, 5, 17)


def test_medway_is_silent_on_immediate_risk_so_the_fallback_applies(
    packs: dict[str, PolicyPack], england: WorkingCalendar
) -> None:
    pack = packs["medway"]
    assert immediate_risk_rule(pack) is IMMEDIATE_RISK_FALLBACK
    assert "does not say" in IMMEDIATE_RISK_FALLBACK.instruction
    urgent = stage_deadline(pack, pack.first_stage, england, at(2026, 1, 5, 18), immediate_risk=True)
    assert urgent is not None
    assert urgent.due_at == at(2026, 1, 6, 17)
    assert urgent.out_of_hours


def test_timescale_met() -> None:
    due = at(2026, 1, 5, 17)
    assert timescale_met(None, at(2027, 1, 1))
    assert timescale_met(due, due)
    assert not timescale_met(due, due + timedelta(seconds=1))


# ---- due status, moving a FixedClock ---------------------------------------------------------------------


def test_due_status_as_the_clock_moves(england: WorkingCalendar) -> None:
    due = at(2026, 1, 6, 17)  # Tue 6 Jan 2026, 17:00
    clock = FixedClock(at(2026, 1, 2, 12))  # Fri 2 Jan: the next working day is Mon 5 Jan
    assert due_status(due, clock.now(), england) is DueStatus.ON_TRACK
    clock.set(at(2026, 1, 5, 9))
    assert due_status(due, clock.now(), england) is DueStatus.DUE_NEXT_WORKING_DAY
    clock.set(at(2026, 1, 6, 0, 0))
    assert due_status(due, clock.now(), england) is DueStatus.DUE_TODAY
    clock.set(due)
    assert due_status(due, clock.now(), england) is DueStatus.DUE_TODAY
    clock.advance(timedelta(seconds=1))
    assert due_status(due, clock.now(), england) is DueStatus.OVERDUE


def test_due_next_working_day_spans_a_weekend_and_bank_holidays(england: WorkingCalendar) -> None:
    assert due_status(at(2026, 1, 5, 17), at(2026, 1, 2, 16), england) is DueStatus.DUE_NEXT_WORKING_DAY
    # Thu 24 Dec 2026 -> Tue 29 Dec is the next working day.
    assert due_status(at(2026, 12, 29, 17), at(2026, 12, 24, 12), england) is DueStatus.DUE_NEXT_WORKING_DAY
    assert due_status(at(2026, 12, 30, 17), at(2026, 12, 24, 12), england) is DueStatus.ON_TRACK


def test_no_deadline(england: WorkingCalendar) -> None:
    assert due_status(None, at(2026, 1, 5), england) is DueStatus.NO_DEADLINE


# ---- deadlines in words -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "now", "words"),
    [
        (at(2027, 1, 5, 17), at(2027, 1, 5, 9), "today 17:00"),
        (at(2027, 1, 5, 17), at(2027, 1, 4, 9), "tomorrow 17:00"),
        (at(2027, 1, 5, 17), at(2027, 1, 1, 9), "Tue 5 Jan 17:00"),
        (at(2027, 1, 5, 17), at(2026, 12, 24, 9), "Tue 5 Jan 2027 17:00"),
        (at(2027, 1, 5, 17), at(2027, 1, 5, 18), "overdue since 17:00 today"),
        (at(2027, 1, 4, 17), at(2027, 1, 5, 9), "overdue since 17:00 yesterday"),
        (at(2026, 12, 31, 17), at(2027, 1, 5, 9), "overdue since Thu 31 Dec 2026 17:00"),
        (at(2026, 7, 6, 17), at(2026, 7, 1, 9), "Mon 6 Jul 17:00"),  # BST: 16:00 UTC shown as 17:00
        (None, at(2026, 7, 1, 9), "no deadline"),
    ],
)
def test_describe_deadline(due: datetime | None, now: datetime, words: str) -> None:
    assert describe_deadline(due, now) == words


# ---- closing ----------------------------------------------------------------------------------------------


def test_barnet_within_five_working_days_needs_no_overrun_fields(
    packs: dict[str, PolicyPack], england: WorkingCalendar
) -> None:
    # Opened Mon 5 Jan 2026: the maximum ends Mon 12 Jan 17:00.
    checklist = closing_requirements(
        packs["barnet"], opened_at=at(2026, 1, 5), resolved_at=at(2026, 1, 12, 16, 59), calendar=england
    )
    assert not checklist.overran
    assert checklist.required == (ClosingField.WRITTEN_OUTCOME, ClosingField.LEARNING)
    assert checklist.max_due_at == at(2026, 1, 12, 17)
    assert checklist.debrief_suggested
    assert checklist.action_log.startswith("BSCB Action Log")


def test_barnet_overrun_requires_reason_and_manager_confirmation(
    packs: dict[str, PolicyPack], england: WorkingCalendar
) -> None:
    checklist = closing_requirements(
        packs["barnet"], opened_at=at(2026, 1, 5), resolved_at=at(2026, 1, 13, 11), calendar=england
    )
    assert checklist.overran
    assert checklist.working_days_taken == 6
    assert checklist.requires("reason")
    assert checklist.requires(ClosingField.MANAGER_CONFIRMATION)
    assert "maximum of 5 working days (end of Mon 12 Jan)" in checklist.overrun_message
    assert "“If the matter takes longer than 5 working days to resolve" in checklist.overrun_message


def test_wigan_pro_forma_only_from_level_3(packs: dict[str, PolicyPack], england: WorkingCalendar) -> None:
    def forms(reached: str | None) -> tuple[str, ...]:
        checklist = closing_requirements(
            packs["wigan"], opened_at=at(2026, 1, 5), resolved_at=at(2026, 3, 5), calendar=england,
            reached_stage_key=reached,
        )  # fmt: skip
        assert not checklist.overran  # Wigan has no maximum
        assert checklist.requires(ClosingField.PARENTS_INFORMED)
        return tuple(f.form for f in checklist.forms)

    assert forms("level_2") == ()
    assert forms("level_3") == ("wigan_appendix4_proforma",)
    assert forms(None) == ("wigan_appendix4_proforma",)


def test_city_and_hackney_closing_asks_nothing_extra(
    packs: dict[str, PolicyPack], england: WorkingCalendar
) -> None:
    checklist = closing_requirements(
        packs["city_and_hackney"], opened_at=at(2026, 1, 5), resolved_at=at(2026, 2, 5), calendar=england
    )
    assert checklist.required == ()
    assert checklist.forms == ()
    assert not checklist.overran
