"""St Helens (as adopted by Penkford School), checked against the policy's own words and headings."""

from __future__ import annotations

import pytest

from dsl_desk.core.policy import PolicyPack


@pytest.fixture
def pack(packs: dict[str, PolicyPack]) -> PolicyPack:
    return packs["st_helens"]


def test_document(pack: PolicyPack) -> None:
    # Front sheet: ratified September 2017, signed 19 September 2018, review July 2019.
    assert pack.name == "St Helens Safeguarding Children Board"
    assert "Penkford School" in pack.document.adopted_by
    assert "19 September 2018" in pack.document.dates
    assert pack.document.review == "July 2019"


def test_five_steps_with_two_called_stage_four(pack: PolicyPack) -> None:
    # Table of contents: Stage One ... Stage Four – Escalation to safeguarding leads, Stage Four – Mediation.
    assert [(s.label, s.title) for s in pack.stages] == [
        ("Stage One", "Consulting the line manager"),
        ("Stage Two", "Discussion between the professionals"),
        ("Stage Three", "Escalation to line manager"),
        ("Stage Four", "Escalation to safeguarding leads or senior manager"),
        ("Stage Four", "Mediation by a third party agency"),
        # All agencies: "referred to the comparable agency Directors ... the Director of Children's Services
        # who will make the final binding decision".
        ("Directors", "Referral to the comparable agency Directors"),
        ("Final decision", "Director of Children's Services: the final binding decision"),
    ]
    assert [s.partnership_level for s in pack.stages] == [False, False, False, False, True, False, False]
    assert [s.binding_decision for s in pack.stages] == [False] * 6 + [True]
    # The two Stage Fours are told apart wherever they are printed.
    assert pack.stage("stage_four").printed_label != pack.stage("stage_four_mediation").printed_label
    assert not pack.allow_skipping_stages
    assert all(s.prerequisites == () for s in pack.stages)


def test_timescales(pack: PolicyPack) -> None:
    # Stage One: "on the same working day that the disagreement arises".
    assert pack.stage("stage_one").timescale.kind == "same_working_day"
    # Stages Two, Three and the mediation have none of their own; the one working week applies.
    for key in ("stage_two", "stage_three", "stage_four_mediation"):
        assert pack.stage(key).timescale.kind == "none"
    # All agencies: the Escalation Notice goes to the Service Manager "within 5 working days": the Notice's
    # own deadline, not the stage's.
    assert pack.stage("stage_four").timescale.kind == "none"
    notice = {r.key: r for r in pack.stage("stage_four").requirements}["escalation_notice"]
    assert notice.timescale is not None
    assert (notice.timescale.kind, notice.timescale.days, notice.obligation) == ("working_days", 5, "must")
    # Introduction: "within one working week".
    assert pack.overall_timescale is not None
    assert (pack.overall_timescale.kind, pack.overall_timescale.days) == ("working_days", 5)


def test_immediate_risk_same_working_day(pack: PolicyPack) -> None:
    # Introduction: "escalated in a timely manner on the same working day".
    assert pack.immediate_risk is not None
    assert pack.immediate_risk.timescale.kind == "same_working_day"
    assert "immediate risk of significant harm" in pack.immediate_risk.instruction


def test_all_agencies_social_care_steps(pack: PolicyPack) -> None:
    # All agencies: discuss with the social worker, then alert the Team Manager "within one working day".
    steps = {p.key: p for p in pack.pre_steps}
    assert "social worker" in steps["social_worker"].text
    alert = steps["team_manager_alerted"]
    assert (alert.timescale.kind, alert.timescale.days) == ("working_days", 1)
    assert "by phone or in writing" in alert.text


def test_escalation_notice_and_copy_to_lscb(pack: PolicyPack) -> None:
    # All agencies: "forwarded to the Service Manager ... A copy ... LSCB Business Manager Alas House ..."
    requirements = {r.key: r for r in pack.stage("stage_four").requirements}
    notice = requirements["escalation_notice"]
    assert (notice.kind, notice.form) == ("form", "st_helens_escalation_notice")
    assert notice.recipient.startswith("Service Manager")
    copy = requirements["notice_copy_to_lscb"]
    assert copy.kind == "copy"
    assert copy.recipient == "LSCB Business Manager, Alas House, Corporation Street, St Helens"
    assert pack.board.postal_address == "LSCB Business Manager, Alas House, Corporation Street, St Helens"


def test_mediation_goes_through_the_business_coordinator(pack: PolicyPack) -> None:
    # Stage Four – Mediation: business coordinator -> chair of the Board -> uninvolved Board member chairs.
    mediation = pack.stage("stage_four_mediation")
    assert [r.recipient for r in mediation.requirements] == [
        "Business coordinator, St Helens Safeguarding Children Board"
    ]
    assert "Board member from an uninvolved agency" in mediation.what_happens
    assert "final opportunity" in mediation.what_happens


def test_closing(pack: PolicyPack) -> None:
    # Introduction: a written statement of the outcome; gaps to the chair of the Board.
    closing = pack.closing
    assert closing.written_outcome_required
    assert "chair of St Helens Safeguarding Children Board" in closing.learning_referred_to
    # Escalation Resolution Template: "sent to the Business Manager (Safeguarding Children Board)".
    assert closing.forms == ("st_helens_resolution_template",)
    assert closing.closing_forms[0].recipient == "Business Manager (Safeguarding Children Board)"
    assert closing.max_working_days is None
    assert closing.overrun_requires == ()
    assert not closing.debrief_suggested


def test_categories_and_recording(pack: PolicyPack) -> None:
    # Introduction: "Disagreements may relate to" five things.
    assert len(pack.categories) == 5
    assert pack.categories[-1].label == "The appropriate sharing of information"
    assert "including the professional who raised the initial concern" in pack.recording


def test_directors_route_is_a_note(pack: PolicyPack) -> None:
    # All agencies: the Director of Children's Services "will make the final binding decision".
    assert any("final binding decision" in n.text for n in pack.notes)
