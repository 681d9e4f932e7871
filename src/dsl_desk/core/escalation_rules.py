"""The rules services apply to an escalation: which stage may come next, when things are due, what closing needs."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from dsl_desk.core.calendar import Deadline, WorkingCalendar
from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import describe_date, describe_deadline
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import (
    ClosingForm,
    ImmediateRisk,
    PolicyPack,
    PreStep,
    Requirement,
    Stage,
    Timescale,
)

__all__ = [
    "IMMEDIATE_RISK_FALLBACK",
    "ChildFlags",
    "ClosingChecklist",
    "ClosingField",
    "DueStatus",
    "TransitionRefused",
    "check_escalation",
    "closing_requirements",
    "describe_deadline",
    "due_status",
    "earliest",
    "escalation_deadline",
    "immediate_deadline",
    "immediate_risk_rule",
    "immediate_stage_deadline",
    "may_shorten",
    "overall_deadline",
    "requirement_applies",
    "requirements_for",
    "review_warning",
    "stage_deadline",
    "timescale_deadline",
    "timescale_met",
]


@dataclass(frozen=True)
class ChildFlags:
    child_protection_plan: bool = False
    looked_after: bool = False
    child_in_need: bool = False
    ehcp: bool = False


class TransitionRefused(Exception):
    """A move the policy does not allow. `message` is for the user and quotes the policy."""

    def __init__(self, message: str, *, quote: str = "", citation: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.quote = quote
        self.citation = citation


# ---------------------------------------------------------------------------------------------------------------
# Moving between stages
# ---------------------------------------------------------------------------------------------------------------


def check_escalation(
    pack: PolicyPack,
    used_stage_keys: Sequence[str],
    current_key: str,
    target_key: str,
    *,
    done_requirement_keys: Collection[str] | None = None,
) -> None:
    """Raise TransitionRefused unless the policy allows moving from the current stage to the target.

    `done_requirement_keys`: the current stage's requirements already done; when given, requirements the
    policy wants before the next stage (e.g. City & Hackney 2.10) are enforced too.
    """
    current = _known_stage(pack, current_key, _("This escalation is at"))
    following = pack.next_stage(current_key)
    if following is None:
        raise _refusal(
            _(
                "{display_name} is the last stage of the {short_name} policy, so there is no stage "
                "to escalate to. Record the outcome and close the escalation."
            ).format(display_name=current.display_name, short_name=pack.short_name),
            current.what_happens,
            current.citation,
        )
    target = _known_stage(pack, target_key, _("There is no stage"))
    if pack.stage_index(target_key) <= pack.stage_index(current_key):
        raise TransitionRefused(
            _("This escalation is already at {display_name}; the next stage is {display_name2}.").format(
                display_name=current.display_name, display_name2=following.display_name
            )
        )
    _check_prerequisites(pack, target, {*used_stage_keys, current_key})
    if target.key != following.key and not pack.allow_skipping_stages:
        _refuse_skip(pack, target, following)
    if done_requirement_keys is not None:
        _check_requirements_done(current, target, done_requirement_keys)


def _known_stage(pack: PolicyPack, key: str, context: str) -> Stage:
    if not pack.has_stage(key):
        raise TransitionRefused(
            _(
                "{context} {key!r}, which the {short_name} policy does not have. "
                "Check that the escalation uses the right policy pack."
            ).format(context=context, key=key, short_name=pack.short_name)
        )
    return pack.stage(key)


def _check_prerequisites(pack: PolicyPack, target: Stage, used: set[str]) -> None:
    missing = [pack.stage(key).label for key in target.prerequisites if key not in used]
    if missing:
        raise _refusal(
            _("{label} can't start yet: {and_} must be used first.").format(
                label=target.label, and_=_and(missing)
            ),
            target.prerequisite_text,
            target.citation,
            pack.short_name,
        )


def _refuse_skip(pack: PolicyPack, target: Stage, following: Stage) -> None:
    raise _refusal(
        _("{label} can't start yet: the next stage is {display_name}. Use {label2} first.").format(
            label=target.label, display_name=following.display_name, label2=following.label
        ),
        target.entry_condition,
        target.citation,
        pack.short_name,
    )


def _check_requirements_done(current: Stage, target: Stage, done: Collection[str]) -> None:
    for requirement in current.requirements:
        if requirement.before_next_stage and requirement.obligation == "must" and requirement.key not in done:
            raise _refusal(
                _("Before moving to {label}, record that this has been done.").format(label=target.label),
                requirement.text,
                requirement.citation,
            )


def _refusal(message: str, quote: str, citation: str, short_name: str = "") -> TransitionRefused:
    if not quote:
        return TransitionRefused(message, citation=citation)
    source = f"The {short_name} policy" if short_name else _("The policy")
    where = f" ({citation})" if citation else ""
    return TransitionRefused(
        _("{message} {source} says: “{quote}”{where}").format(
            message=message, source=source, quote=quote, where=where
        ),
        quote=quote,
        citation=citation,
    )


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def requirements_for(stage: Stage, flags: ChildFlags, agency_kind: str = "") -> tuple[Requirement, ...]:
    """The stage's requirements that apply to this child (CP chair only with a plan, IRO only if looked after)
    and to this kind of other agency."""
    return tuple(r for r in stage.requirements if requirement_applies(r, flags, agency_kind))


# ---------------------------------------------------------------------------------------------------------------
# Deadlines
# ---------------------------------------------------------------------------------------------------------------

# Used when a pack is silent on immediate risk (Medway): a child at immediate risk never waits for a
# five-working-day response, so DSL Desk still asks for action the same working day and says why.
IMMEDIATE_RISK_FALLBACK = ImmediateRisk(
    timescale=Timescale("same_working_day", 0, "Same working day"),
    instruction=(
        "This policy does not say what to do when a child is at immediate risk of significant harm. "
        "Do not wait for the escalation process: follow your child protection procedures the same working day."
    ),
    inform=(),
    citation="",
)


def immediate_risk_rule(pack: PolicyPack) -> ImmediateRisk:
    return pack.immediate_risk or IMMEDIATE_RISK_FALLBACK


def earliest(*deadlines: Deadline | None) -> Deadline | None:
    present = [d for d in deadlines if d is not None]
    return min(present, key=lambda d: d.due_at) if present else None


def timescale_deadline(
    timescale: Timescale, calendar: WorkingCalendar, event: datetime, *, own_agency: bool
) -> Deadline | None:
    """A timescale's deadline. Closure days count only for what the school does inside its own agency: another
    agency's response and a policy's maximum never wait for the school to reopen. When closures did move it,
    the deadline says from when."""
    bare = timescale.deadline(calendar.without_closures(), event)
    if not own_agency or bare is None:
        return bare
    moved = timescale.deadline(calendar, event)
    if moved is None or moved.due_at == bare.due_at:
        return bare
    return replace(moved, moved_by_closure_from=bare.due_at)


def immediate_deadline(pack: PolicyPack, calendar: WorkingCalendar, at: datetime) -> Deadline | None:
    """When something owed because a child is at immediate risk is due: never moved by closure days.

    "Immediately" (Barnet, City & Hackney) is due at the moment itself, so it is overdue until done."""
    return immediate_risk_rule(pack).timescale.deadline(calendar.without_closures(), at)


def immediate_stage_deadline(pack: PolicyPack, calendar: WorkingCalendar, at: datetime) -> Deadline | None:
    """How long a stage may take while a child is at immediate risk: the pack's timescale, except that a policy
    saying "immediately" (about whom to inform) still gives each stage the same working day, as every policy's
    immediate-risk rule does for escalating; the "immediately" items carry the "now"."""
    rule = immediate_risk_rule(pack).timescale
    if rule.kind == "immediately":
        rule = IMMEDIATE_RISK_FALLBACK.timescale
    return rule.deadline(calendar.without_closures(), at)


def stage_deadline(
    pack: PolicyPack,
    stage: Stage,
    calendar: WorkingCalendar,
    entered_at: datetime,
    *,
    immediate_risk: bool,
    risk_raised_at: datetime | None = None,
) -> Deadline | None:
    """When the stage is due, counted from when it started; immediate risk overrides any longer timescale,
    counted from when the stage started or the risk was raised, whichever is later."""
    normal = timescale_deadline(stage.timescale, calendar, entered_at, own_agency=stage.within_own_agency)
    if not immediate_risk:
        return normal
    since = max(entered_at, risk_raised_at) if risk_raised_at else entered_at
    return earliest(normal, immediate_stage_deadline(pack, calendar, since))


def overall_deadline(
    pack: PolicyPack,
    calendar: WorkingCalendar,
    opened_at: datetime,
    *,
    immediate_risk: bool,
    shortened_to: datetime | None = None,
) -> Deadline | None:
    """The whole-escalation timescale (e.g. St Helens' one working week), counted from when the disagreement
    arose, never moved by closures; `shortened_to`: a shorter timescale the DSL set where the policy allows."""
    normal = None
    if pack.overall_timescale is not None:
        normal = timescale_deadline(pack.overall_timescale, calendar, opened_at, own_agency=False)
    if shortened_to is not None:
        normal = earliest(normal, Deadline(shortened_to))
    del immediate_risk  # the stage deadline carries immediate risk, counted from when each stage starts
    return normal


def escalation_deadline(
    pack: PolicyPack,
    stage: Stage,
    calendar: WorkingCalendar,
    *,
    opened_at: datetime,
    entered_at: datetime,
    immediate_risk: bool,
    risk_raised_at: datetime | None = None,
    shortened_to: datetime | None = None,
) -> Deadline | None:
    """The date to show on the dashboard: whichever of the stage's and the whole escalation's comes first."""
    return earliest(
        stage_deadline(
            pack, stage, calendar, entered_at, immediate_risk=immediate_risk, risk_raised_at=risk_raised_at
        ),
        overall_deadline(pack, calendar, opened_at, immediate_risk=immediate_risk, shortened_to=shortened_to),
    )


def may_shorten(pack: PolicyPack) -> bool:
    """Whether the policy lets the DSL set a shorter timescale (City & Hackney 1.4: "or a timescale that
    protects the child from harm (whichever is shortest)")."""
    return pack.overall_timescale is not None and pack.overall_timescale.may_shorten


def requirement_applies(requirement: Requirement | PreStep, flags: ChildFlags, agency_kind: str) -> bool:
    """Whether a step applies to this child and this other agency (Social Care steps only with Social Care)."""
    if requirement.agency_kinds and agency_kind not in requirement.agency_kinds:
        return False
    when = getattr(requirement, "when", "always")
    return {
        "always": True,
        "child_protection_plan": flags.child_protection_plan,
        "looked_after": flags.looked_after,
    }[when]


def timescale_met(due_at: datetime | None, left_at: datetime) -> bool:
    """True if the step was finished by its deadline (or had none)."""
    return due_at is None or left_at <= due_at


class DueStatus(StrEnum):
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    DUE_NEXT_WORKING_DAY = "due_next_working_day"
    ON_TRACK = "on_track"
    NO_DEADLINE = "no_deadline"


def due_status(due_at: datetime | None, now: datetime, calendar: WorkingCalendar) -> DueStatus:
    """Overdue once `now` is past `due_at`; 'today' and 'next working day' by London date."""
    if due_at is None:
        return DueStatus.NO_DEADLINE
    if now > due_at:
        return DueStatus.OVERDUE
    today, due_day = london(now).date(), london(due_at).date()
    if due_day == today:
        return DueStatus.DUE_TODAY
    if due_day <= calendar.next_working_day(today):
        return DueStatus.DUE_NEXT_WORKING_DAY
    return DueStatus.ON_TRACK


# ---------------------------------------------------------------------------------------------------------------
# Closing
# ---------------------------------------------------------------------------------------------------------------


class ClosingField(StrEnum):
    """Answers the resolve wizard must collect; the values match ClosingRules.overrun_requires."""

    WRITTEN_OUTCOME = "written_outcome"
    LEARNING = "learning"
    PARENTS_INFORMED = "parents_informed"
    REASON = "reason"
    MANAGER_CONFIRMATION = "manager_confirmation_child_safe"


_OVERRUN_ASKS = {
    ClosingField.REASON: "the reason it took longer",
    ClosingField.MANAGER_CONFIRMATION: "your manager's confirmation that the child's safety was not compromised",
}


@dataclass(frozen=True)
class ClosingChecklist:
    required: tuple[ClosingField, ...]
    forms: tuple[ClosingForm, ...]
    learning_referred_to: str
    action_log: str
    debrief_suggested: bool
    working_days_taken: int
    max_due_at: datetime | None
    overran: bool
    overrun_message: str
    citation: str

    def requires(self, field: ClosingField | str) -> bool:
        return ClosingField(field) in self.required


def closing_requirements(
    pack: PolicyPack,
    *,
    opened_at: datetime,
    resolved_at: datetime,
    calendar: WorkingCalendar,
    reached_stage_key: str | None = None,
) -> ClosingChecklist:
    """What resolving needs. Past the pack's maximum (Barnet: 5 working days) the overrun fields become required.

    `reached_stage_key`: the highest stage used; forms tied to a stage (Wigan's Appendix 4) are only listed
    when the escalation got that far. None lists them all.
    """
    rules = pack.closing
    bare = calendar.without_closures()  # a policy's maximum never waits for the school to reopen
    taken = bare.working_days_elapsed(opened_at, resolved_at)
    max_due = None
    if rules.max_working_days is not None:
        max_due = bare.within_working_days(opened_at, rules.max_working_days).due_at
    overran = max_due is not None and resolved_at > max_due
    message = _overrun_message(pack, taken, max_due, resolved_at) if overran and max_due else ""
    required = [
        field
        for field, needed in (
            (ClosingField.WRITTEN_OUTCOME, rules.written_outcome_required),
            (ClosingField.LEARNING, bool(rules.learning_referred_to)),
            (ClosingField.PARENTS_INFORMED, rules.parents_informed_asked),
        )
        if needed
    ]
    if overran:
        required += [ClosingField(f) for f in rules.overrun_requires]
    return ClosingChecklist(
        required=tuple(required),
        forms=_closing_forms(pack, reached_stage_key),
        learning_referred_to=rules.learning_referred_to,
        action_log=rules.action_log,
        debrief_suggested=rules.debrief_suggested,
        working_days_taken=taken,
        max_due_at=max_due,
        overran=overran,
        overrun_message=message,
        citation=rules.citation,
    )


def _closing_forms(pack: PolicyPack, reached: str | None) -> tuple[ClosingForm, ...]:
    def applies(form: ClosingForm) -> bool:
        if not form.from_stage or reached is None:
            return True
        return pack.stage_index(reached) >= pack.stage_index(form.from_stage)

    return tuple(f for f in pack.closing.closing_forms if applies(f))


def _overrun_message(pack: PolicyPack, taken: int, max_due: datetime, resolved_at: datetime) -> str:
    rules = pack.closing
    asks = [_OVERRUN_ASKS[ClosingField(f)] for f in rules.overrun_requires]
    limit = describe_date(london(max_due).date(), london(resolved_at).date())
    message = _(
        "This was resolved {taken} working days after it was opened, past the {short_name} policy's "
        "maximum of {max_working_days} working days (end of {limit})."
    ).format(taken=taken, short_name=pack.short_name, max_working_days=rules.max_working_days, limit=limit)
    if rules.overrun_text:
        message += _(" The policy says: “{overrun_text}”").format(overrun_text=rules.overrun_text)
    if asks:
        message += f" Record {_and(asks)}."
    return message


def review_warning(pack: PolicyPack, today: date) -> str:
    """Said on set-up and on every escalation page when the policy is past its own review date."""
    document = pack.document
    if not document.review_overdue(today):
        return ""
    where = document.where_to_check or _("Ask {name} for the current version.").format(name=pack.board.name)
    return _(
        "The {short_name} policy in use was due for review in {review}, so it may have been replaced. {where}"
    ).format(short_name=pack.short_name, review=document.review, where=where)
