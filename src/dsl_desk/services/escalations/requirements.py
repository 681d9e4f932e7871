"""What a stage asks of the school (inform, send, refer, record), for one escalation: by its child's flags and
the other agency's kind. escalate() puts these on the checklist; the Escalate wizard shows the same list before
commit, so the preview and the stored checklist cannot differ."""

from __future__ import annotations

from dsl_desk.core.escalation_rules import ChildFlags, requirements_for
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import Requirement, Stage
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import NotFound
from dsl_desk.store.models import Child, Escalation


def child_flags(child: Child) -> ChildFlags:
    return ChildFlags(child.child_protection_plan, child.looked_after, child.child_in_need, child.ehcp)


def stage_requirements(stage: Stage, escalation: Escalation) -> list[Requirement]:
    kind = escalation.other_agency.kind if escalation.other_agency else ""
    return list(requirements_for(stage, child_flags(escalation.child), kind))


def next_stage_requirements(ctx: AppContext, escalation_id: int, stage_key: str) -> list[Requirement]:
    """What escalating this escalation to `stage_key` would put on its checklist."""
    with ctx.store.session() as session:
        escalation = session.get(Escalation, escalation_id)
        if escalation is None:
            raise NotFound(_("That escalation is not in this database."))
        pack = ctx.pack(escalation.policy_id)
        return stage_requirements(pack.stage(stage_key), escalation)
