"""Wigan Safeguarding Children Board (June 2016), checked against the sections and Appendices 2–4."""

from __future__ import annotations

import pytest

from dsl_desk.core.policy import PolicyPack


@pytest.fixture
def pack(packs: dict[str, PolicyPack]) -> PolicyPack:
    return packs["wigan"]


def test_levels_1_to_4(pack: PolicyPack) -> None:
    # 2.1–2.3 (practitioner, line manager, agency safeguarding lead), 3.1 (WSCB representative), 3.2.
    assert [(s.label, s.title) for s in pack.stages] == [
        ("Level 1", "Practitioners, then line manager / supervisor"),
        ("Level 2", "Agency safeguarding lead"),
        ("Level 3", "WSCB representatives (Board members)"),
        ("Level 4", "WSCB Safeguarding Business Development Manager / Independent Chair"),
    ]
    assert [s.partnership_level for s in pack.stages] == [False, False, False, True]


def test_no_timescales_except_immediate_risk(pack: PolicyPack) -> None:
    # Flowchart: "ESCALATED ON THE SAME WORKING DAY USING ESTABLISHED CHILD PROTECTION PROCEDURES".
    assert {s.timescale.kind for s in pack.stages} == {"none"}
    assert pack.overall_timescale is None
    assert pack.immediate_risk is not None
    assert pack.immediate_risk.timescale.kind == "same_working_day"
    assert "child protection procedures" in pack.immediate_risk.instruction


@pytest.mark.parametrize("key", ["level_1", "level_2", "level_3"])
def test_appendix_3_agency_report_at_levels_1_to_3(pack: PolicyPack, key: str) -> None:
    # 2.2, 2.4, 3.3: "Use Appendix 3".
    assert "wigan_appendix3_agency_report" in {r.form for r in pack.stage(key).requirements}


def test_closing(pack: PolicyPack) -> None:
    # 4.1 debrief; 4.2 pro-forma to the Monitoring and Evaluation Officer for quarterly analysis;
    # Appendix 3 asks whether the parents/carers were informed.
    closing = pack.closing
    assert closing.debrief_suggested
    assert closing.parents_informed_asked
    assert closing.written_outcome_required
    (proforma,) = closing.closing_forms
    assert proforma.form == "wigan_appendix4_proforma"
    assert proforma.from_stage == "level_3"
    assert "Monitoring and Evaluation Officer" in proforma.recipient
    assert "quarterly" in closing.learning_referred_to
    assert pack.board.email == "wscb@wigan.gov.uk"


def test_contacts_directory_as_printed(pack: PolicyPack) -> None:
    # Appendix 2.
    by_level: dict[str, list[str]] = {}
    for contact in pack.contacts:
        by_level.setdefault(contact.level, []).append(contact.phone)
    assert by_level["Level 1"] == ["01942 828451", "01942 828300", "01942 487126"]
    assert len(by_level["Level 2"]) == 15
    assert "0161 856 7221" in by_level["Level 2"]
    assert "07917 233 441" in by_level["Level 2"]
    assert len(by_level["Level 3"]) == 18
    assert set(by_level["Level 4"]) == {"01942 486025"}
    assert [c.name for c in pack.contacts_for("level_4")] == ["Kath Nelson", "Nuala O'Rourke", "Lynsey Swift"]


def test_dissent_at_multi_agency_meetings_noted(pack: PolicyPack) -> None:
    # 2.5.
    dissent = {n.key: n for n in pack.notes}["dissent_at_meetings"]
    assert dissent.citation == "2.5"
    assert "activate the Escalation Policy" in dissent.text


def test_schools_represented_by_education_service_manager_at_level_3(pack: PolicyPack) -> None:
    assert "Service Manager for Education Support" in pack.stage("level_3").our_side
