"""Each of the five partnerships walked through the services, from the first disagreement to resolution at
the final stage, over Christmas 2026 (Fri 25 Dec, Mon 28 Dec and Fri 1 Jan are bank holidays in England).

Opened Thu 24 Dec 10:00 for a child on a child protection plan who is also looked after, so every notification
the policies tie to those flags is due. Each later stage is entered at 10:00 on the next working day:
Tue 29 Dec, Wed 30 Dec, Thu 31 Dec, Mon 4 Jan 2027. Every stored deadline and every checklist item is checked
against the documents (../shared/seeds/), as cited.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dsl_desk.core.clock import london
from dsl_desk.services.escalations.checklist_items import complete_checklist_item
from dsl_desk.services.escalations.closing import ResolutionInput, resolve
from dsl_desk.services.escalations.reading import get_escalation
from dsl_desk.services.escalations.stages import StageOutcome, escalate
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
from dsl_desk.services.people.children import add_child
from tests.conftest import fictional_child

# London is on GMT in December and January, so these UTC times are London times.
ENTERED = [
    datetime(2026, 12, 24, 10),
    datetime(2026, 12, 29, 10),
    datetime(2026, 12, 30, 10),
    datetime(2026, 12, 31, 10),
    datetime(2027, 1, 4, 10),
    datetime(2027, 1, 5, 10),
    datetime(2027, 1, 6, 10),
]
# St Helens has seven steps (its five stages, then the Directors and the Director of Children's Services);
# the others resolve on Mon 4 Jan.
RESOLVED = {"st_helens": datetime(2027, 1, 7, 10)}
JAN_5 = date(2027, 1, 5)  # "one working week" / 5 working days from Thu 24 Dec: 29, 30, 31 Dec, 4, 5 Jan

# The deadline stored for each stage: the earlier of the stage's own timescale and the policy's overall one.
DEADLINES: dict[str, list[date | None]] = {
    # Stage One "on the same working day"; the rest "within one working week" (Introduction); the Escalation
    # Notice's 5 working days from 31 Dec (Fri 8 Jan) are later than the week's end, so the week wins.
    "st_helens": [date(2026, 12, 24), JAN_5, JAN_5, JAN_5, JAN_5, JAN_5, JAN_5],
    # 3. Timescales: every stage "the same working day".
    "barnet": [date(2026, 12, 24), date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)],
    # 1.4: "within one working week"; no stage has a timescale of its own.
    "city_and_hackney": [JAN_5, JAN_5, JAN_5, JAN_5],
    # Stages 1–3: "A response is required within 5 working days"; stage 4 has none.
    "medway": [JAN_5, date(2027, 1, 6), date(2027, 1, 7), None],
    # Wigan sets no timescale except for immediate risk.
    "wigan": [None, None, None, None],
}

# Checklist items (requirement keys) created on entering each stage; "before_stages" on opening.
CHECKLIST: dict[str, dict[str, set[str]]] = {
    "st_helens": {
        # All agencies: raise it and record; social care via the social worker; Team Manager within 1 day.
        "before_stages": {"pre:raise_with_other_agency", "pre:social_worker", "pre:team_manager_alerted"},
        "stage_one": set(),
        "stage_two": set(),
        "stage_three": {"notify_manager"},  # "the two professionals should each notify their manager"
        # The Escalation Notice, forwarded within 5 working days, with a copy to the LSCB Business Manager.
        "stage_four": {"escalation_notice", "notice_copy_to_lscb"},
        "stage_four_mediation": {"refer_to_business_coordinator"},  # referred to the business coordinator
        # All agencies: "referred to the comparable agency Directors", then "the Director of Children's Services
        # who will make the final binding decision".
        "agency_directors": {"refer_to_directors"},
        "director_childrens_services": {"refer_to_dcs"},
        "closing": {"form:st_helens_resolution_template", "learning"},  # the Resolution Template
    },
    "barnet": {
        "stage_1": set(),
        "stage_2": {"refer_to_line_manager"},  # referred by each professional to their line manager
        "stage_3": {"refer_to_bscb_representative"},  # referred to the BSCB representative in each agency
        "stage_4": {"refer_to_bscb_manager", "refer_to_head_of_safeguarding"},  # Board Manager + Head
        "closing": {"learning", "action_log"},  # 4. Key Learning: to the Board Manager; the BSCB Action Log
    },
    "city_and_hackney": {
        "before_stages": {"pre:consult_supervisor"},  # 1.6
        "stage_one": set(),
        # 2.5 consider a professionals' meeting; 2.6 CP Chair and/or IRO notified.
        "stage_two": {"consider_professionals_meeting", "notify_cp_chair", "notify_iro"},
        # 2.9 professionals' meeting again; 2.10 CHSCP agency members engaged before the ICSC.
        "stage_three": {"consider_professionals_meeting", "chscp_members_engaged"},
        # 2.13 e-mail chscp@hackney.gov.uk with actions and rationale; 2.14 who sat on the Resolution Panel.
        "stage_four": {"email_icsc_referral", "resolution_panel_members"},
        "closing": set(),
    },
    "medway": {
        # 2. consult the line manager; 4. line manager contacts the equivalent line manager first.
        "before_stages": {"pre:consult_line_manager", "pre:line_manager_to_line_manager"},
        # Stages 1 and 2: CP Conference Chair / IRO informed; copy to mscp@medway.gov.uk.
        "stage_1": {"inform_cp_chair", "inform_iro", "copy_to_mscp"},
        "stage_2": {"inform_cp_chair", "inform_iro", "copy_to_mscp"},
        # Stage 3: the Stage 3 Escalation Form, a copy to the MSCP, CP Chair / IRO informed.
        "stage_3": {"stage3_form", "stage3_form_to_mscp", "inform_cp_chair", "inform_iro"},
        "stage_4": {"escalation_form_to_mscp"},  # sent to the MSCP using the Escalation Form
        "closing": set(),
    },
    "wigan": {
        # 2.2 / 2.4 / 3.3: Appendix 3 at each level of the practitioners' and agencies' discussions.
        "level_1": {"appendix3_level1"},
        "level_2": {"appendix3_level2"},
        "level_3": {"appendix3_level3"},
        "level_4": {"refer_to_business_development_manager"},  # 3.2
        # 4.2: the Appendix 4 pro-forma once WSCB members were involved (level 3 and above); 4.1 learning.
        "closing": {"form:wigan_appendix4_proforma", "learning"},
    },
}


def _at(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


@pytest.mark.parametrize("pack_id", sorted(DEADLINES))
def test_walk_from_first_disagreement_to_resolution_over_christmas(ctx, clock, pack_id):
    pack = ctx.pack(pack_id)
    clock.set(_at(ENTERED[0]))
    child = add_child(
        ctx, fictional_child("Walk", pack_id.title(), child_protection_plan=True, looked_after=True)
    ).id
    detail = open_escalation(
        ctx,
        NewEscalation(
            child_id=child,
            other_agency="Demo Children's Social Care",
            other_agency_kind="social_care",  # St Helens' "cases involving Social Care" steps apply
            category=pack.categories[0].key,
            problem="The problem.",
            outcome_sought="The outcome.",
            policy_id=pack_id,
        ),
    )
    for index, stage in enumerate(pack.stages):
        if index:
            for item in detail.open_checklist:
                complete_checklist_item(ctx, item.id, "done")
            clock.set(_at(ENTERED[index]))
            detail = escalate(
                ctx,
                detail.id,
                StageOutcome(
                    outcome="Not resolved at this stage.",
                    contacted_next="Their manager",
                    missed_reason="Over the Christmas closure.",
                ),
            )
        assert detail.current_stage_key == stage.key
        due = detail.current_deadline
        assert (london(due).date() if due else None) == DEADLINES[pack_id][index], stage.key
        if due is not None:
            assert london(due).time().hour == 17  # the cut-off of a working day
    clock.set(_at(RESOLVED.get(pack_id, ENTERED[4])))
    for item in detail.open_checklist:
        complete_checklist_item(ctx, item.id, "done")
    closed = resolve(
        ctx,
        detail.id,
        ResolutionInput(
            written_outcome="Agreed by email between the team managers.",
            outcome_agreed_in_writing=True,
            lessons_learnt="Share the chronology with the referral.",
            learning_referred_to_board=True,
            gaps_found="yes",
            debrief_held=True,
            parents_informed=True,
            child_situation_improved="yes",
            missed_reason="Over the Christmas closure.",
        ),
    )
    assert closed.status == "resolved"
    assert closed.resolution is not None
    assert closed.resolution.resolved_stage == pack.last_stage.key
    by_stage: dict[str, set[str]] = {}
    for item in get_escalation(ctx, detail.id).checklist:
        by_stage.setdefault(item.stage_key, set()).add(item.requirement_key)
    expected = {stage: keys for stage, keys in CHECKLIST[pack_id].items() if keys}
    assert by_stage == expected
    # The history keeps every stage, in order, each left with whether its timescale was met.
    assert [s.state for s in closed.stages] == ["done"] * len(pack.stages)
    assert all(s.timescale_met is not None for s in closed.stages)
