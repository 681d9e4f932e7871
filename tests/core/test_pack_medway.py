"""Medway Safeguarding Children Partnership, checked against section 4 and the appendices."""

from __future__ import annotations

import pytest

from dsl_desk.core.policy import PolicyPack


@pytest.fixture
def pack(packs: dict[str, PolicyPack]) -> PolicyPack:
    return packs["medway"]


def test_line_manager_step_before_the_formal_stages(pack: PolicyPack) -> None:
    # 4: "A line/ team manager must contact the equivalent line/team manager ... in the first instance."
    assert [p.key for p in pack.pre_steps] == ["consult_line_manager", "line_manager_to_line_manager"]
    assert "equivalent line/team manager" in pack.pre_steps[1].text


def test_four_stages(pack: PolicyPack) -> None:
    assert [(s.label, s.title) for s in pack.stages] == [
        ("Stage 1", "Escalate to Service Manager"),
        ("Stage 2", "Escalate to Designated Safeguarding Leads/ Head of Service"),
        ("Stage 3", "Escalate to Assistant/ Deputy Directors"),
        ("Stage 4", "Involving the Medway Safeguarding Children Partnership"),
    ]
    assert pack.stage("stage_4").partnership_level
    assert "Independent Scrutineer" in pack.stage("stage_4").their_side


def test_five_working_days_at_stages_1_to_3(pack: PolicyPack) -> None:
    # 4: "requires a response within 5 working days" (Stage 1), "A response is required within 5 working days".
    for key in ("stage_1", "stage_2", "stage_3"):
        assert (pack.stage(key).timescale.kind, pack.stage(key).timescale.days) == ("working_days", 5)
    assert pack.stage("stage_4").timescale.kind == "none"
    assert pack.overall_timescale is None


def test_stage_3_prerequisite_quotes_the_policy(pack: PolicyPack) -> None:
    stage_3 = pack.stage("stage_3")
    assert stage_3.prerequisites == ("stage_1", "stage_2")
    assert stage_3.prerequisite_text == "Both stages 1 and 2 must be utilised before going to stage 3."


@pytest.mark.parametrize("key", ["stage_1", "stage_2", "stage_3"])
def test_cp_chair_and_iro_informed_at_stages_1_to_3(pack: PolicyPack, key: str) -> None:
    notified = {(r.when, r.recipient) for r in pack.stage(key).requirements if r.kind == "notification"}
    assert notified == {
        ("child_protection_plan", "Child Protection Conference Chair"),
        ("looked_after", "Independent Reviewing Officer (IRO)"),
    }


@pytest.mark.parametrize("key", ["stage_1", "stage_2"])
def test_copy_of_escalation_to_mscp_at_stages_1_and_2(pack: PolicyPack, key: str) -> None:
    copy = {r.key: r for r in pack.stage(key).requirements}["copy_to_mscp"]
    assert (copy.kind, copy.recipient) == ("copy", "mscp@medway.gov.uk")
    assert "a copy of the escalation and any response" in copy.text


def test_stage_3_escalation_form(pack: PolicyPack) -> None:
    by_key = {r.key: r for r in pack.stage("stage_3").requirements}
    assert by_key["stage3_form"].form == "medway_stage3_escalation_form"
    assert by_key["stage3_form_to_mscp"].recipient == "mscp@medway.gov.uk"
    # Stage 4: the same form, updated with all responses, goes to the MSCP.
    (stage_4_form,) = pack.stage("stage_4").requirements
    assert (stage_4_form.form, stage_4_form.recipient) == (
        "medway_stage3_escalation_form",
        "mscp@medway.gov.uk",
    )


def test_partnership_practice_alert_is_not_a_stage(pack: PolicyPack) -> None:
    # 3: the PPA is for concerns "that are not case related".
    assert [f.key for f in pack.related_forms] == ["medway_partnership_practice_alert"]
    assert all("Practice Alert" not in s.title for s in pack.stages)


def test_silent_on_immediate_risk_and_closing(pack: PolicyPack) -> None:
    # The Medway document never mentions immediate risk, a closing form or a maximum.
    assert pack.immediate_risk is None
    assert pack.closing.forms == ()
    assert pack.closing.max_working_days is None
    assert pack.board.email == "mscp@medway.gov.uk"
