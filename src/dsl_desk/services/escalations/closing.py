"""Closing an escalation: the closing checklist, resolving it at the stage it reached, or withdrawing it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from dsl_desk.core.escalation_rules import (
    ClosingChecklist,
    ClosingField,
    closing_requirements,
)
from dsl_desk.core.i18n import _
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import calendar_in
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.escalations.checklist_items import add_item, close_musts
from dsl_desk.services.escalations.reading import load_detail, load_open
from dsl_desk.services.escalations.stages import leave_stage, response_time
from dsl_desk.services.escalations.views import (
    EscalationDetail,
)
from dsl_desk.store.models import (
    Resolution,
)


@dataclass(frozen=True)
class ResolutionInput:
    written_outcome: str
    outcome_agreed_in_writing: bool
    main_reason: str = ""
    actions: str = ""
    practitioners_informed: str = ""
    lessons_learnt: str = ""
    learning_referred_to_board: bool = False
    debrief_held: bool = False
    parents_informed: bool = False
    parents_not_informed_reason: str = ""
    child_situation_improved: str = ""  # yes | no | not yet known
    missed_reason: str = ""  # for the final stage, if its timescale was missed
    overrun_reason: str = ""
    manager_confirmed_child_safe: bool = False
    manager_name: str = ""
    response_received_at: datetime | None = None  # when the other agency's final answer came
    not_done_reasons: Mapping[int, str] = field(default_factory=dict)
    # "yes"/"no" where the policy requires gaps or learning to be reported (St Helens: the Board's chair)
    gaps_found: str = ""


def closing_checklist(ctx: AppContext, escalation_id: int) -> ClosingChecklist:
    """What resolving this escalation now would require (for the resolve wizard to ask)."""
    with ctx.store.session() as session:
        escalation = load_open(session, escalation_id)
        pack = ctx.pack(escalation.policy_id)
        return closing_requirements(
            pack,
            opened_at=escalation.began_at,
            resolved_at=ctx.clock.now(),
            calendar=calendar_in(session),
            reached_stage_key=escalation.current_stage,
        )


def resolve(ctx: AppContext, escalation_id: int, answers: ResolutionInput) -> EscalationDetail:
    now = ctx.clock.now()
    bounds.check_texts(
        answers, {"manager_name": bounds.NAME_MAX, "child_situation_improved": bounds.NAME_MAX}
    )
    with ctx.store.session() as session:
        escalation = load_open(session, escalation_id)
        pack = ctx.pack(escalation.policy_id)
        rules = closing_requirements(
            pack,
            opened_at=escalation.began_at,
            resolved_at=now,
            calendar=calendar_in(session),
            reached_stage_key=escalation.current_stage,
        )
        binding = pack.stage(escalation.current_stage).binding_decision
        _validate_resolution(answers, rules, binding_decision=binding)
        gaps_must = pack.closing.learning_obligation == "must" and bool(rules.learning_referred_to)
        if gaps_must and answers.gaps_found not in {"yes", "no"}:
            raise ValidationError(
                _(
                    "Say whether this disclosed gaps or weaknesses that the {short_name} policy says must be "
                    "brought to the attention of {learning_referred_to}."
                ).format(short_name=pack.short_name, learning_referred_to=rules.learning_referred_to),
                field="gaps_found",
            )
        current = escalation.stages[-1]
        received = response_time(answers.response_received_at, current, now)
        close_musts(session, ctx, escalation, answers.not_done_reasons, now, moving_on=False)
        if gaps_must:
            answers = replace(answers, learning_referred_to_board=answers.gaps_found == "yes")
        leave_stage(current, answers.written_outcome, answers.missed_reason, now, ctx.actor.user_id, received)
        session.add(
            Resolution(
                escalation_id=escalation.id,
                resolved_stage=escalation.current_stage,
                resolved_at=now,
                resolved_by_id=ctx.actor.user_id,
                **{
                    name: (value.strip() if isinstance(value, str) else value)
                    for name, value in answers.__dict__.items()
                    if name not in _NOT_RESOLUTION_COLUMNS
                },
            )
        )
        escalation.status = "resolved"
        escalation.closed_at = now
        for form in rules.forms:
            add_item(
                session,
                ctx,
                escalation,
                "closing",
                f"form:{form.form}",
                "form",
                _("Complete the {title}").format(title=form.title)
                + (
                    _(" and send it to {recipient}").format(recipient=form.recipient)
                    if form.recipient
                    else ""
                ),
                recipient=form.recipient,
                form_id=form.form,
            )
        refer = answers.gaps_found == "yes" if gaps_must else answers.learning_referred_to_board
        if refer and rules.learning_referred_to:
            add_item(
                session,
                ctx,
                escalation,
                "closing",
                "learning",
                "copy",
                f"{_('Bring the gaps or weaknesses found to the attention of') if gaps_must else _('Refer the learning to')} "
                f"{rules.learning_referred_to}",
                recipient=rules.learning_referred_to,
                obligation="must" if gaps_must else "should",
            )
        if rules.action_log:
            add_item(
                session,
                ctx,
                escalation,
                "closing",
                "action_log",
                "action",
                _("Record in the {action_log}").format(action_log=rules.action_log),
            )
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="escalation_resolved",
            entity="escalation",
            entity_id=escalation.id,
            detail={"stage": escalation.current_stage, "overran": rules.overran},
        )
        return load_detail(session, ctx, escalation.id)


_NOT_RESOLUTION_COLUMNS = {"missed_reason", "response_received_at", "not_done_reasons", "gaps_found"}


def _validate_resolution(
    answers: ResolutionInput, rules: ClosingChecklist, *, binding_decision: bool = False
) -> None:
    requires = rules.requires
    if binding_decision:
        if not answers.written_outcome.strip():
            raise ValidationError(_("Write down the final binding decision."), field="written_outcome")
        if not answers.outcome_agreed_in_writing:
            raise ValidationError(
                _(
                    "An escalation ending in a binding decision cannot be closed until the decision is in writing. "
                    "Get it in writing, then tick that it was given in writing."
                ),
                field="outcome_agreed_in_writing",
            )
    if not answers.written_outcome.strip():
        raise ValidationError(_("Write down the outcome the agencies agreed."), field="written_outcome")
    if (
        requires(ClosingField.WRITTEN_OUTCOME)
        and not binding_decision
        and not answers.outcome_agreed_in_writing
    ):
        raise ValidationError(
            _(
                "An escalation cannot be closed until the outcome is agreed in writing between the agencies. "
                "Get written confirmation (an email will do), then tick that it was agreed in writing."
            ),
            field="outcome_agreed_in_writing",
        )
    if (
        requires(ClosingField.PARENTS_INFORMED)
        and not answers.parents_informed
        and not answers.parents_not_informed_reason.strip()
    ):
        raise ValidationError(
            _(
                "Say whether the parents/carers were told of the disagreement and its resolution, and if not, why not "
                "(for example, to keep the child safe)."
            ),
            field="parents_not_informed_reason",
        )
    if requires(ClosingField.REASON) and not answers.overrun_reason.strip():
        raise ValidationError(rules.overrun_message, field="overrun_reason")
    if requires(ClosingField.MANAGER_CONFIRMATION) and not (
        answers.manager_confirmed_child_safe and answers.manager_name.strip()
    ):
        raise ValidationError(rules.overrun_message, field="manager_confirmed_child_safe")
    if answers.child_situation_improved not in {"yes", "no", _("not yet known")}:
        raise ValidationError(
            _("Say whether the child's situation has improved (yes, no, or not yet known)."),
            field="child_situation_improved",
        )


def withdraw(ctx: AppContext, escalation_id: int, reason: str) -> EscalationDetail:
    now = ctx.clock.now()
    bounds.check_text(reason, "the reason", field="reason")
    if not reason.strip():
        raise ValidationError(_("Say why the escalation is being withdrawn."), field="reason")
    with ctx.store.session() as session:
        escalation = load_open(session, escalation_id)
        current = escalation.stages[-1]
        current.left_at = now
        current.left_by_id = ctx.actor.user_id
        current.outcome = f"Withdrawn: {reason.strip()}"
        escalation.status = "withdrawn"
        escalation.withdrawn_reason = reason.strip()
        escalation.closed_at = now
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="escalation_withdrawn",
            entity="escalation",
            entity_id=escalation.id,
            detail={"reason": reason.strip()},
        )
        return load_detail(session, ctx, escalation.id)
