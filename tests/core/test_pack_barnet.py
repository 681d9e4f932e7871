"""Barnet Safeguarding Children Board, checked against the policy's numbered sections."""

from __future__ import annotations

import pytest

from dsl_desk.core.policy import PolicyPack


@pytest.fixture
def pack(packs: dict[str, PolicyPack]) -> PolicyPack:
    return packs["barnet"]


def test_four_stages(pack: PolicyPack) -> None:
    # 2. Resolution Process, Stages 1–4.
    assert [s.label for s in pack.stages] == ["Stage 1", "Stage 2", "Stage 3", "Stage 4"]
    assert pack.stage("stage_1").title == "Discussion between the professionals in disagreement"
    assert pack.stage("stage_2").title == "Escalate up to line manager / supervisor / manager"
    assert pack.stage("stage_3").title.startswith("Escalate up to BSCB representatives")
    assert pack.stage("stage_4").title == "Escalate up to BSCB for a chaired meeting"
    assert [s.partnership_level for s in pack.stages] == [False, False, False, True]


def test_every_stage_same_working_day(pack: PolicyPack) -> None:
    # 3. Timescales: "this process should still be completed and resolved the same working day".
    assert {s.timescale.kind for s in pack.stages} == {"same_working_day"}


def test_five_working_days_at_the_maximum(pack: PolicyPack) -> None:
    # 3. Timescales: "five working days at the maximum"; past it, the reason and the manager's assurance.
    assert pack.overall_timescale is not None
    assert (pack.overall_timescale.kind, pack.overall_timescale.days) == ("working_days", 5)
    assert pack.closing.max_working_days == 5
    assert pack.closing.overrun_requires == ("reason", "manager_confirmation_child_safe")
    assert "has not been compromised by the delay" in pack.closing.overrun_text


def test_immediate_risk(pack: PolicyPack) -> None:
    # 1. Introduction: DSL informed immediately, who informs the Head of Safeguarding and Quality Assurance.
    risk = pack.immediate_risk
    assert risk is not None
    assert risk.timescale.kind == "immediately"  # "must be informed immediately": now, even out of hours
    assert risk.inform == (
        "The designated safeguarding lead in your agency",
        "Head of Safeguarding and Quality Assurance in Barnet",
    )


def test_stage_4_referred_to_bscb_manager_and_head_of_safeguarding(pack: PolicyPack) -> None:
    # 2. Stage 4.
    recipients = [r.recipient for r in pack.stage("stage_4").requirements]
    assert recipients == ["Barnet Safeguarding Children Board Manager", "Head of Safeguarding in Barnet"]


def test_key_learning_and_action_log(pack: PolicyPack) -> None:
    # 4. Key Learning: learning to the BSCB Manager; debrief; issue, learning and outcomes in the Action Log.
    closing = pack.closing
    assert closing.learning_referred_to.startswith("Barnet Safeguarding Children Board Manager")
    assert closing.debrief_suggested
    assert closing.action_log.startswith("BSCB Action Log")
    assert closing.written_outcome_required
    assert closing.forms == ()


def test_categories(pack: PolicyPack) -> None:
    # 1. Introduction: the six examples of disagreements.
    assert [c.label for c in pack.categories] == [
        "Level of need",
        "Threshold for investigations and interventions",
        "Roles and responsibilities of professionals / agencies",
        "Whether a case conference should be initiated",
        "Communication between agencies",
        "Progression of plans",
    ]


def test_no_cp_chair_or_iro_notifications(pack: PolicyPack) -> None:
    # Barnet's policy does not ask for them.
    assert all(r.when == "always" for s in pack.stages for r in s.requirements)
