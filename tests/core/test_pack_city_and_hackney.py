"""City & Hackney Safeguarding Children Partnership (December 2021), checked paragraph by paragraph."""

from __future__ import annotations

import pytest

from dsl_desk.core.policy import PolicyPack


@pytest.fixture
def pack(packs: dict[str, PolicyPack]) -> PolicyPack:
    return packs["city_and_hackney"]


def test_four_stages(pack: PolicyPack) -> None:
    # 2.1, 2.3, 2.7, 2.11.
    assert [(s.label, s.title) for s in pack.stages] == [
        ("Stage One", "Discuss with the other worker"),
        ("Stage Two", "Escalate to line manager"),
        ("Stage Three", "Escalate to senior managers"),
        ("Stage Four", "Resolution by the Independent Child Safeguarding Commissioner"),
    ]
    assert pack.stage("stage_four").partnership_level
    assert pack.document.dates == "December 2021 (Update)"


def test_one_working_week_or_shorter(pack: PolicyPack) -> None:
    # 1.4: "within one working week or a timescale that protects the child from harm (whichever is shortest)".
    overall = pack.overall_timescale
    assert overall is not None
    assert (overall.kind, overall.days) == ("working_days", 5)
    assert "whichever is shortest" in overall.text
    assert {s.timescale.kind for s in pack.stages} == {"none"}


def test_stage_two_notifies_cp_chair_and_iro(pack: PolicyPack) -> None:
    # 2.6: Child Protection Chair and/or Independent Reviewing Officer "must also be notified".
    by_key = {r.key: r for r in pack.stage("stage_two").requirements}
    assert (by_key["notify_cp_chair"].when, by_key["notify_cp_chair"].recipient) == (
        "child_protection_plan",
        "Child Protection Chair",
    )
    assert (by_key["notify_iro"].when, by_key["notify_iro"].recipient) == (
        "looked_after",
        "Independent Reviewing Officer",
    )
    assert by_key["consider_professionals_meeting"].kind == "action"  # 2.5


def test_chscp_members_engaged_before_the_icsc(pack: PolicyPack) -> None:
    # 2.10: agency members "should be engaged in seeking resolution before the case is raised with" the ICSC.
    engaged = {r.key: r for r in pack.stage("stage_three").requirements}["chscp_members_engaged"]
    assert engaged.before_next_stage
    assert engaged.obligation == "should"  # a reminder: "should be engaged"
    assert engaged.citation == "2.10"


def test_stage_four_email_to_chscp(pack: PolicyPack) -> None:
    # 2.13: e-mail chscp@hackney.gov.uk "setting out the actions taken to date and the rationale".
    referral, panel = pack.stage("stage_four").requirements
    assert referral.obligation == "must"  # "must e-mail the details"
    assert panel.note_prompt and "three" in panel.note_prompt  # 2.14: who sat on the Resolution Panel
    assert (referral.kind, referral.form, referral.recipient) == (
        "form",
        "general_escalation_record",
        "chscp@hackney.gov.uk",
    )
    assert "actions taken to date and the rationale" in referral.text
    # 2.14: Resolution Panel of senior officers from three agencies.
    assert "senior officers from three agencies" in pack.stage("stage_four").what_happens


def test_immediate_harm_informs_the_dsl(pack: PolicyPack) -> None:
    # 1.5.
    assert pack.immediate_risk is not None
    assert pack.immediate_risk.inform == ("The Designated Safeguarding Lead in your agency",)


def test_recording_and_closing(pack: PolicyPack) -> None:
    # 3.1: recorded in writing on the child's file; no closing form, maximum or learning referral.
    assert "on the child's file" in pack.recording
    assert pack.closing.forms == ()
    assert pack.closing.max_working_days is None
    assert not pack.closing.written_outcome_required


def test_categories(pack: PolicyPack) -> None:
    # 1.3: the last bullet is printed as one item.
    assert [c.label for c in pack.categories][-1] == "Progressing plans and communication"
    assert len(pack.categories) == 4
