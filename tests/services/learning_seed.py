"""A small history of escalations with hand-worked answers, for the reports, lessons and UI tests.

Penkford School (St Helens policy, England). Times are January, so London time is UTC.

  F  opened Mon 15 Dec 2025 09:00, Police, roles_and_tasks; resolved at Stage One Wed 7 Jan 2026 10:00:
     Stage One due 15 Dec 17:00, missed. Working days after 15 Dec to 7 Jan, less 25, 26 Dec and 1 Jan:
     16-19 Dec (4), 22-24 (3), 29-31 (3), 2 Jan (1), 5-7 Jan (3) = 14. Learning referred.
  A  opened Mon 5 Jan 09:00, Social Care, level_of_need; resolved at Stage One 15:00 the same day: met, 0 days.
  B  opened Tue 6 Jan 10:00, Social Care, level_of_need; escalated Wed 7 Jan 10:00 (Stage One due 6 Jan
     17:00: missed); resolved at Stage Two Mon 12 Jan 12:00 (due by the one working week, Tue 13 Jan 17:00:
     met). 7, 8, 9, 12 Jan = 4 days. Learning referred.
  C  opened Wed 7 Jan 11:00, Health, information_sharing; escalated 16:00 (met); resolved at Stage Two
     Mon 19 Jan 10:00 (due Wed 14 Jan 17:00: missed). 8, 9, 12-16, 19 Jan = 8 days.
  D  opened Thu 8 Jan 09:00, Police, severity_of_risk; still open.
  E  opened Fri 9 Jan 09:00, Health, information_sharing; withdrawn 12:00 the same day.

January to March 2026: opened 5 (A-E), resolved 4 (A, B, C, F), withdrawn 1, open at the end 1 (D);
Stage One met 2 (A, C) missed 2 (B, F); Stage Two met 1 (B) missed 1 (C); days 0, 4, 8, 14: median 6, longest 14.
"""

from __future__ import annotations

from datetime import UTC, datetime

from dsl_desk.core.clock import FixedClock
from dsl_desk.services.context import AppContext
from dsl_desk.services.escalations.checklist_items import complete_checklist_item
from dsl_desk.services.escalations.closing import ResolutionInput, resolve, withdraw
from dsl_desk.services.escalations.reading import get_escalation
from dsl_desk.services.escalations.stages import StageOutcome, escalate
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation

SOCIAL_CARE, HEALTH, POLICE = "Borough Social Care", "Community Health", "Police Protection Unit"


def at(day: int, hour: int, month: int = 1, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


def _open(
    ctx: AppContext, clock: FixedClock, child_id: int, when: datetime, agency: str, category: str
) -> int:
    clock.set(when)
    detail = open_escalation(
        ctx,
        NewEscalation(
            child_id=child_id,
            other_agency=agency,
            category=category,
            problem="The agencies disagree about what the child needs.",
            outcome_sought="An agreed plan.",
            policy_id="st_helens",
        ),
    )
    return detail.id


def _escalate(ctx: AppContext, clock: FixedClock, escalation_id: int, when: datetime, missed: bool) -> None:
    clock.set(when)
    for item in get_escalation(ctx, escalation_id).open_checklist:
        complete_checklist_item(ctx, item.id, "done")
    escalate(
        ctx,
        escalation_id,
        StageOutcome(outcome="Not agreed.", missed_reason="The manager was away." if missed else ""),
    )


def _resolve(
    ctx: AppContext,
    clock: FixedClock,
    escalation_id: int,
    when: datetime,
    *,
    missed: bool,
    lessons: str,
    referred: bool,
) -> None:
    clock.set(when)
    resolve(
        ctx,
        escalation_id,
        ResolutionInput(
            written_outcome="Agreed by email.",
            outcome_agreed_in_writing=True,
            lessons_learnt=lessons,
            learning_referred_to_board=referred,
            gaps_found="yes" if referred else "no",
            parents_informed=True,
            child_situation_improved="yes",
            missed_reason="Waiting for written agreement." if missed else "",
        ),
    )


def seed(ctx: AppContext, clock: FixedClock, child_id: int) -> dict[str, int]:
    ids: dict[str, int] = {}
    ids["F"] = _open(ctx, clock, child_id, at(15, 9, month=12, year=2025), POLICE, "roles_and_tasks")
    ids["A"] = _open(ctx, clock, child_id, at(5, 9), SOCIAL_CARE, "level_of_need")
    _resolve(
        ctx,
        clock,
        ids["A"],
        at(5, 15),
        missed=False,
        lessons="Zephyrine's school should hear sooner.",
        referred=False,
    )
    ids["B"] = _open(ctx, clock, child_id, at(6, 10), SOCIAL_CARE, "level_of_need")
    _resolve_f_and_escalate_b(ctx, clock, ids)
    ids["C"] = _open(ctx, clock, child_id, at(7, 11), HEALTH, "information_sharing")
    _escalate(ctx, clock, ids["C"], at(7, 16), missed=False)
    ids["D"] = _open(ctx, clock, child_id, at(8, 9), POLICE, "severity_of_risk")
    ids["E"] = _open(ctx, clock, child_id, at(9, 9), HEALTH, "information_sharing")
    clock.set(at(9, 12))
    withdraw(ctx, ids["E"], "Resolved informally.")
    _resolve(
        ctx,
        clock,
        ids["B"],
        at(12, 12),
        missed=False,
        lessons="Share the chronology with the referral.",
        referred=True,
    )
    _resolve(
        ctx, clock, ids["C"], at(19, 10), missed=True, lessons="Health need a named contact.", referred=False
    )
    clock.set(at(2, 9, month=2))
    return ids


def _resolve_f_and_escalate_b(ctx: AppContext, clock: FixedClock, ids: dict[str, int]) -> None:
    _resolve(
        ctx, clock, ids["F"], at(7, 10), missed=True, lessons="Police attend core groups.", referred=True
    )
    _escalate(ctx, clock, ids["B"], at(7, 10), missed=True)
