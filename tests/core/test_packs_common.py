"""What every shipped pack must give the DSL: citations, timescale wording, and forms the app knows."""

from __future__ import annotations

import pytest

from dsl_desk.core.policy import PolicyPack

PACK_IDS = ["barnet", "city_and_hackney", "medway", "st_helens", "wigan"]

# The paper forms the packs ask for; documents/forms must provide each of these ids.
FORM_IDS = {
    "st_helens_escalation_notice",
    "st_helens_resolution_template",
    "general_escalation_record",
    "medway_stage3_escalation_form",
    "wigan_appendix3_agency_report",
    "wigan_appendix4_proforma",
}


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_every_stage_and_requirement_is_cited(packs: dict[str, PolicyPack], pack_id: str) -> None:
    pack = packs[pack_id]
    assert pack.categories
    for stage in pack.stages:
        assert stage.citation
        assert stage.entry_condition, stage.key  # quoted when someone tries to skip to it
        assert stage.timescale.text or stage.timescale.kind == "none"
        for requirement in stage.requirements:
            assert requirement.citation, (stage.key, requirement.key)
    assert any(s.partnership_level for s in pack.stages)


def test_forms_asked_for_are_the_known_ones(packs: dict[str, PolicyPack]) -> None:
    asked = {r.form for p in packs.values() for s in p.stages for r in s.requirements if r.form}
    asked |= {f for p in packs.values() for f in p.closing.forms}
    assert asked == FORM_IDS
