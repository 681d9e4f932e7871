"""Build escalations for the documents tests through the real services, moving the test clock by hand."""

from __future__ import annotations

from datetime import timedelta

from dsl_desk.core.clock import FixedClock
from dsl_desk.services.context import AppContext
from dsl_desk.services.escalations.checklist_items import complete_checklist_item
from dsl_desk.services.escalations.closing import ResolutionInput, resolve
from dsl_desk.services.escalations.reading import get_escalation
from dsl_desk.services.escalations.stages import StageOutcome, escalate
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation

PROBLEM = "Referral closed as no further action although school believes the threshold is met."
OUTCOME = "A strategy discussion and a Child and Family Assessment."
OTHER_AGENCY = "Demo Children's Social Care"


def walk(
    ctx: AppContext,
    clock: FixedClock,
    child_id: int,
    *,
    pack_id: str = "st_helens",
    escalations: int = 1,
    resolved: bool = False,
) -> int:
    """Open an escalation, move it on `escalations` stages (each within its timescale), maybe resolve it."""
    pack = ctx.pack(pack_id)
    detail = open_escalation(
        ctx,
        NewEscalation(
            child_id=child_id,
            other_agency=OTHER_AGENCY,
            category=pack.categories[0].key,
            problem=PROBLEM,
            outcome_sought=OUTCOME,
            policy_id=pack_id,
            other_professional_name="Priya Anand",
            contacted="Dana Whitlock, Team Manager",
        ),
    )
    for _ in range(escalations):
        clock.advance(timedelta(hours=2))
        _tick(ctx, detail.id)
        detail = escalate(
            ctx,
            detail.id,
            StageOutcome(
                outcome="Not resolved at this level.", contacted_next="Sam Otterburn, Service Manager"
            ),
        )
    if resolved:
        clock.advance(timedelta(hours=2))
        resolve(
            ctx,
            detail.id,
            ResolutionInput(
                written_outcome="Strategy discussion held; agreed by email.",
                outcome_agreed_in_writing=True,
                main_reason="Threshold Conflict",
                actions="Assessment started within 10 working days.",
                practitioners_informed="Class teacher, SENCo",
                lessons_learnt="Share the chronology with the referral.",
                learning_referred_to_board=True,
                gaps_found="yes",
                parents_informed=True,
                child_situation_improved="yes",
            ),
        )
    return detail.id


def _tick(ctx: AppContext, escalation_id: int) -> None:
    for item in get_escalation(ctx, escalation_id).open_checklist:
        complete_checklist_item(ctx, item.id, "Done")
