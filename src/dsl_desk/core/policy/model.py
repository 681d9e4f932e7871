"""Policy packs as typed, frozen data: one partnership's escalation policy (its stages, timescales, contacts).

Read from TOML and checked by core/policy/loader.py; everything else in the app sees only these dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from dsl_desk.core.calendar import Deadline, WorkingCalendar

TimescaleKind = Literal["immediately", "same_working_day", "working_days", "none"]
RequirementKind = Literal["notification", "form", "copy", "action"]
RequirementWhen = Literal["always", "child_protection_plan", "looked_after"]
Obligation = Literal["must", "should"]

TIMESCALE_KINDS: tuple[str, ...] = ("immediately", "same_working_day", "working_days", "none")
REQUIREMENT_KINDS: tuple[str, ...] = ("notification", "form", "copy", "action")
REQUIREMENT_WHENS: tuple[str, ...] = ("always", "child_protection_plan", "looked_after")
OBLIGATIONS: tuple[str, ...] = ("must", "should")
# The kinds of agency a step can be limited to (St Helens: "For cases involving Social Care ...").
AGENCY_KINDS: dict[str, str] = {
    "social_care": "Children's social care",
    "health": "Health",
    "police": "Police",
    "education": "Education (a school, college or nursery)",
    "early_help": "Early help or family support",
    "housing": "Housing",
    "probation": "Probation or youth justice",
    "other": "Another kind of agency",
}
# What a policy can demand when an escalation runs past its maximum (Barnet: section 3).
OVERRUN_FIELDS: tuple[str, ...] = ("reason", "manager_confirmation_child_safe")


@dataclass(frozen=True)
class Timescale:
    """How long a step may take. `days` counts only for kind "working_days".

    "immediately" is due at the moment it applies: it is overdue until done, whatever the hour.
    `may_shorten`: the policy lets the DSL set a shorter timescale that protects the child (City & Hackney 1.4).
    """

    kind: TimescaleKind
    days: int = 0
    text: str = ""
    may_shorten: bool = False

    def deadline(self, calendar: WorkingCalendar, event: datetime) -> Deadline | None:
        if self.kind == "immediately":
            return Deadline(event, out_of_hours=not calendar.in_working_hours(event))
        if self.kind == "same_working_day":
            return calendar.same_working_day(event)
        if self.kind == "working_days":
            return calendar.within_working_days(event, self.days)
        return None


@dataclass(frozen=True)
class Requirement:
    """Something the policy asks for at a stage: tell someone, fill in a form, send a copy, or do something."""

    key: str
    kind: RequirementKind
    text: str
    when: RequirementWhen = "always"
    recipient: str = ""
    form: str = ""
    citation: str = ""
    # True when the policy says this must happen before the next stage may start.
    before_next_stage: bool = False
    # "must": moving on and closing wait until it is done or a reason is recorded; "should": a reminder.
    obligation: Obligation = "should"
    timescale: Timescale | None = None  # its own deadline, counted from when the stage started
    agency_kinds: tuple[str, ...] = ()  # only when the other agency is of one of these kinds
    note_prompt: str = ""  # ticking it off needs a note answering this (Hackney 2.14: the Panel's members)


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    title: str
    our_side: str
    their_side: str
    what_happens: str
    timescale: Timescale
    requirements: tuple[Requirement, ...]
    prerequisites: tuple[str, ...]
    partnership_level: bool
    citation: str
    entry_condition: str = ""  # the policy's words on when this stage starts
    prerequisite_text: str = ""  # the policy's words behind `prerequisites`
    # True when the stage happens inside your own agency (St Helens Stage One: consult your own manager), so
    # nobody at the other agency owes a response yet.
    within_own_agency: bool = False
    # The Director of Children's Services "will make the final binding decision" (St Helens): the outcome is a
    # decision recorded in writing, not one agreed between the agencies.
    binding_decision: bool = False
    # How the stage is printed when the policy gives two stages the same label (St Helens' two Stage Fours).
    distinct_label: str = ""

    @property
    def display_name(self) -> str:
        return f"{self.label} – {self.title}"

    @property
    def printed_label(self) -> str:
        """The label that tells this stage apart from every other stage of its policy."""
        return self.distinct_label or self.label


@dataclass(frozen=True)
class PreStep:
    """What the policy asks before (or alongside) the formal stages."""

    key: str
    title: str
    text: str
    timescale: Timescale
    citation: str
    obligation: Obligation = "should"
    agency_kinds: tuple[str, ...] = ()  # only when the other agency is of one of these kinds
    after: str = ""  # applies once this earlier pre-step is done; its timescale counts from then
    within_own_agency: bool = False  # done inside the school: closure days move it


@dataclass(frozen=True)
class ImmediateRisk:
    timescale: Timescale
    instruction: str
    inform: tuple[str, ...]
    citation: str


@dataclass(frozen=True)
class ClosingForm:
    """A form to complete when the disagreement is resolved; `from_stage`: only if the escalation got that far."""

    form: str
    title: str
    recipient: str = ""
    from_stage: str = ""
    citation: str = ""


@dataclass(frozen=True)
class ClosingRules:
    written_outcome_required: bool
    learning_referred_to: str
    debrief_suggested: bool
    parents_informed_asked: bool
    closing_forms: tuple[ClosingForm, ...]
    action_log: str
    max_working_days: int | None
    overrun_requires: tuple[str, ...]
    citation: str
    overrun_text: str = ""  # the policy's words on running past max_working_days
    # "must" when the policy requires learning/gaps to be reported (St Helens: "must be brought to the attention
    # of the chair of the Board"): the DSL answers yes or no, and yes adds a step that blocks nothing but is owed.
    learning_obligation: Obligation = "should"

    @property
    def forms(self) -> tuple[str, ...]:
        return tuple(f.form for f in self.closing_forms)


@dataclass(frozen=True)
class Contact:
    level: str
    name: str
    role: str
    agency: str
    phone: str = ""
    email: str = ""
    stage: str = ""  # the stage key this contact belongs to, when the policy ties them to one
    urgent: bool = False  # whom to call now when a child is at immediate risk (out of hours too)


@dataclass(frozen=True)
class BoardContact:
    name: str
    postal_address: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class SourceDocument:
    title: str
    adopted_by: str
    dates: str
    review: str
    review_due: date | None = None  # the last day of the review month the document prints
    where_to_check: str = ""  # where a DSL finds the current version

    def review_overdue(self, today: date) -> bool:
        return self.review_due is not None and today > self.review_due


@dataclass(frozen=True)
class Category:
    key: str
    label: str


@dataclass(frozen=True)
class RelatedForm:
    """A form the policy mentions that is not part of a case's escalation (e.g. Medway's Practice Alert)."""

    key: str
    title: str
    text: str
    citation: str


@dataclass(frozen=True)
class Note:
    """Guidance from the policy worth showing the DSL that is not a stage."""

    key: str
    title: str
    text: str
    citation: str


@dataclass(frozen=True)
class PolicyPack:
    id: str
    name: str
    short_name: str
    version: str
    document: SourceDocument
    board: BoardContact
    categories: tuple[Category, ...]
    pre_steps: tuple[PreStep, ...]
    stages: tuple[Stage, ...]
    overall_timescale: Timescale | None
    immediate_risk: ImmediateRisk | None  # None: the policy says nothing about immediate risk
    closing: ClosingRules
    contacts: tuple[Contact, ...]
    allow_skipping_stages: bool
    recording: str
    related_forms: tuple[RelatedForm, ...] = ()
    notes: tuple[Note, ...] = ()
    several_categories: bool = (
        False  # the policy lists them with "and/or": a disagreement may be about several
    )

    def stage(self, key: str) -> Stage:
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise KeyError(f"The {self.short_name} policy has no stage {key!r}")

    def stage_index(self, key: str) -> int:
        return self.stages.index(self.stage(key))

    def has_stage(self, key: str) -> bool:
        return any(s.key == key for s in self.stages)

    @property
    def first_stage(self) -> Stage:
        return self.stages[0]

    @property
    def last_stage(self) -> Stage:
        return self.stages[-1]

    def next_stage(self, key: str) -> Stage | None:
        index = self.stage_index(key) + 1
        return self.stages[index] if index < len(self.stages) else None

    def contacts_for(self, stage_key: str) -> tuple[Contact, ...]:
        return tuple(c for c in self.contacts if c.stage == stage_key)

    @property
    def urgent_contacts(self) -> tuple[Contact, ...]:
        return tuple(c for c in self.contacts if c.urgent)

    def pre_step(self, key: str) -> PreStep | None:
        return next((p for p in self.pre_steps if p.key == key), None)
