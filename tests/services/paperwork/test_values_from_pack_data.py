"""Form values that depend on a policy's rules take them from the pack's data, never from a pack's name or
the spelling of its requirement keys (issue 15)."""

from __future__ import annotations

from dataclasses import replace

from dsl_desk.services.escalations.checklist_items import complete_checklist_item
from dsl_desk.services.escalations.reading import get_escalation
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
from dsl_desk.services.paperwork.form_values import escalation_sources
from dsl_desk.services.people.children import add_child
from tests.conftest import fictional_child

SOURCE = "escalation.chair_or_iro_notified"


def _open(ctx, pack_id: str, **flags: bool) -> int:
    pack = ctx.pack(pack_id)
    child = add_child(ctx, fictional_child("Pack", pack_id.title(), **flags)).id
    return open_escalation(
        ctx,
        NewEscalation(
            child_id=child,
            other_agency="Demo Children's Social Care",
            other_agency_kind="social_care",
            category=pack.categories[0].key,
            problem="The problem.",
            outcome_sought="The outcome.",
            policy_id=pack_id,
        ),
    ).id


def test_chair_or_iro_notified_follows_the_notifications_the_pack_ties_to_a_plan_or_care(ctx):
    escalation_id = _open(ctx, "medway", child_protection_plan=True)
    assert escalation_sources(ctx, escalation_id)[SOURCE] == "no"  # Medway Stage 1: the CP Chair informed
    chair = next(
        i for i in get_escalation(ctx, escalation_id).checklist if i.requirement_key == "inform_cp_chair"
    )
    complete_checklist_item(ctx, chair.id, "Told the Conference Chair by phone.")
    assert escalation_sources(ctx, escalation_id)[SOURCE] == "yes"


def test_no_answer_where_the_pack_asks_for_no_such_notification(ctx):
    # Barnet's policy names no CP Chair or IRO notification, so the form has nothing to say either way.
    assert SOURCE not in escalation_sources(
        ctx, _open(ctx, "barnet", child_protection_plan=True)
    )  # left blank


def test_renamed_requirement_keys_change_nothing(ctx, monkeypatch):
    """A pack that spells its keys differently (no 'cp_chair' or 'iro' in them) still answers."""
    pack = ctx.pack("medway")
    renamed = replace(
        pack,
        stages=tuple(
            replace(
                stage,
                requirements=tuple(
                    replace(
                        r, key=r.key.replace("cp_chair", "conference_lead").replace("iro", "care_reviewer")
                    )
                    for r in stage.requirements
                ),
            )
            for stage in pack.stages
        ),
    )
    monkeypatch.setitem(ctx.packs, "medway", renamed)
    escalation_id = _open(ctx, "medway", looked_after=True)
    keys = {i.requirement_key for i in get_escalation(ctx, escalation_id).checklist}
    assert "inform_care_reviewer" in keys
    assert escalation_sources(ctx, escalation_id)[SOURCE] == "no"
