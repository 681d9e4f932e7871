"""Opening an escalation: the first stage, the policy's steps before it, immediate risk. One transaction, audited.

The rest of an escalation's life is beside this module, one subject each: stages.py (moving on),
checklist_items.py (ticking off), closing.py (resolving, withdrawing), reading.py (reading back), changes.py
(immediate risk and a shorter timescale raised later), deadlines.py and requirements.py (the rules each of them
applies). The rules themselves (order, prerequisites, deadlines, what each stage requires) come from core and the
policy pack; these modules only apply them and record what happened. Nothing is deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.categories import valid_categories
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import AGENCY_KINDS, PolicyPack
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import calendar_in, organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.escalations.checklist_items import add_immediate_risk_items
from dsl_desk.services.escalations.event_times import event_time, is_late
from dsl_desk.services.escalations.reading import load_child, load_detail
from dsl_desk.services.escalations.stages import add_pre_steps, enter_stage
from dsl_desk.services.escalations.views import (
    EscalationDetail,
)
from dsl_desk.services.people.agencies import find_or_add_agency
from dsl_desk.store.models import (
    Escalation,
    Professional,
)


@dataclass(frozen=True)
class NewEscalation:
    child_id: int
    other_agency: str
    category: str
    problem: str
    outcome_sought: str
    immediate_risk: bool = False
    other_professional_id: int | None = None
    other_professional_name: str = ""
    our_professional: str = ""  # defaults to the signed-in user
    contacted: str = ""  # who was contacted at the first stage
    policy_id: str = ""  # defaults to the organisation's partnership
    arose_at: datetime | None = None  # when the disagreement arose; defaults to now
    other_agency_kind: str = ""  # social_care, health, …: steps for a kind of agency apply only to it
    immediate_risk_reason: str = ""


_NEW_LIMITS = {
    "other_agency": bounds.NAME_MAX,
    "other_professional_name": bounds.NAME_MAX,
    "our_professional": bounds.NAME_MAX,
    "category": bounds.NAME_MAX,
    "policy_id": bounds.NAME_MAX,
}


def open_escalation(ctx: AppContext, draft: NewEscalation) -> EscalationDetail:
    now = ctx.clock.now()
    bounds.check_texts(draft, _NEW_LIMITS)
    arose_at = event_time(draft.arose_at, now, "When the disagreement arose", field="arose_at")
    with ctx.store.session() as session:
        org = organisation(session)
        pack = ctx.pack(draft.policy_id or org.partnership_id)
        _validate_new(draft, pack)
        child = load_child(session, draft.child_id)
        agency = find_or_add_agency(session, draft.other_agency)
        if draft.other_agency_kind:
            if draft.other_agency_kind not in AGENCY_KINDS:
                raise ValidationError(
                    _("Choose what kind of agency it is from the list."), field="agency_kind"
                )
            agency.kind = draft.other_agency_kind
        professional_id = _other_professional(session, draft, agency.id)
        escalation = Escalation(
            reference=_next_reference(session, now),
            child_id=child.id,
            policy_id=pack.id,
            policy_version=pack.version,
            our_agency=org.name,
            our_professional=draft.our_professional.strip() or ctx.actor.display_name,
            other_agency_id=agency.id,
            other_professional_id=professional_id,
            category=draft.category,
            problem=draft.problem.strip(),
            outcome_sought=draft.outcome_sought.strip(),
            immediate_risk=draft.immediate_risk,
            current_stage=pack.first_stage.key,
            opened_at=now,
            arose_at=arose_at,
            opened_by_id=ctx.actor.user_id,
        )
        session.add(escalation)
        session.flush()
        calendar = calendar_in(session)
        enter_stage(
            session,
            ctx,
            escalation,
            pack,
            pack.first_stage.key,
            calendar,
            contacted=draft.contacted,
            started_at=arose_at,
        )
        add_pre_steps(session, ctx, escalation, pack, calendar, agency.kind)
        if draft.immediate_risk:
            add_immediate_risk_items(session, ctx, escalation, pack, calendar, arose_at)
        session.flush()
        session.refresh(escalation)
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="escalation_opened",
            entity="escalation",
            entity_id=escalation.id,
            detail={
                "reference": escalation.reference,
                "policy": pack.id,
                "stage": escalation.current_stage,
                "immediate_risk": draft.immediate_risk,
                "arose_at": arose_at.isoformat(),
                "recorded_late": is_late(arose_at, now),
            },
        )
        return load_detail(session, ctx, escalation.id)


def _validate_new(draft: NewEscalation, pack: PolicyPack) -> None:
    if not draft.other_agency.strip():
        raise ValidationError(_("Enter the other agency you disagree with."), field="other_agency")
    if not valid_categories(pack, draft.category):
        several = " (one or more)" if pack.several_categories else ""
        raise ValidationError(
            _("Choose what the disagreement is about{several} from the {short_name} list.").format(
                several=several, short_name=pack.short_name
            ),
            field="category",
        )
    if not draft.problem.strip():
        raise ValidationError(
            _("Say what the problem is — the policy asks you to be clear about it."), field="problem"
        )
    if not draft.outcome_sought.strip():
        raise ValidationError(_("Say what outcome you are seeking for the child."), field="outcome_sought")


def _other_professional(session: Session, draft: NewEscalation, agency_id: int) -> int | None:
    if draft.other_professional_id is not None:
        if bounds.fetch(session, Professional, draft.other_professional_id) is None:
            raise ValidationError(
                _("That professional is no longer in the contacts."), field="other_professional"
            )
        return draft.other_professional_id
    name = draft.other_professional_name.strip()
    if not name:
        return None
    person = Professional(name=name, agency_id=agency_id)
    session.add(person)
    session.flush()
    return person.id


_REFERENCE_NUMBER = re.compile(r"(\d+)")  # the number after "ESC-2026-", imported ones' "-T" ignored


def _next_reference(session: Session, now: datetime) -> str:
    """One more than the highest number used this year. Not a count: a record deleted at the end of its
    retention leaves a gap, and a count would then hand out a number still in use."""
    prefix = f"ESC-{now.year}-"
    used = session.scalars(select(Escalation.reference).where(Escalation.reference.like(f"{prefix}%")))
    numbers = (int(match.group(1)) for ref in used if (match := _REFERENCE_NUMBER.match(ref, len(prefix))))
    return f"{prefix}{max(numbers, default=0) + 1:04d}"
