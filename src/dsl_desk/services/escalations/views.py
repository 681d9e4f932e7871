"""Read models for escalations: plain dataclasses the dashboard, the escalation page and the CLI share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dsl_desk.core.escalation_rules import DueStatus
from dsl_desk.core.i18n import N_, _

DUE_STATUS_WORDS = {
    DueStatus.OVERDUE: N_("Overdue"),
    DueStatus.DUE_TODAY: N_("Due today"),
    DueStatus.DUE_NEXT_WORKING_DAY: N_("Due next working day"),
    DueStatus.ON_TRACK: N_("On track"),
    DueStatus.NO_DEADLINE: N_("No deadline"),
}


@dataclass(frozen=True)
class CaseRow:
    """One open escalation on the dashboard."""

    escalation_id: int
    reference: str
    child_id: int
    child: str
    policy_id: str
    stage_key: str
    stage_label: str
    other_agency: str
    next_contact: str
    deadline: datetime | None
    deadline_words: str
    due_status: DueStatus
    out_of_hours: bool
    immediate_risk: bool
    open_checklist: int
    waiting_working_days: int
    status: str = "open"  # open | resolved | withdrawn
    stage_deadline: datetime | None = None  # the stage's own (the row's deadline may be an item's, sooner)

    @property
    def status_words(self) -> str:
        if self.status != "open":
            return self.status.capitalize()
        return (_("Immediate risk – ") if self.immediate_risk else "") + _(DUE_STATUS_WORDS[self.due_status])


@dataclass(frozen=True)
class OpenItemRow:
    """A checklist item still to do, on any escalation (open or already resolved)."""

    item_id: int
    escalation_id: int
    reference: str
    child: str
    kind: str
    text: str
    recipient: str
    form_id: str
    since: datetime
    due_at: datetime | None = None
    obligation: str = "should"
    due_words: str = ""
    due_status: DueStatus = DueStatus.NO_DEADLINE


@dataclass(frozen=True)
class StageView:
    key: str
    label: str
    title: str
    state: str  # done | current | to_come
    entered_at: datetime | None = None
    deadline: datetime | None = None
    left_at: datetime | None = None
    contacted: str = ""
    outcome: str = ""
    timescale_met: bool | None = None
    missed_reason: str = ""
    started_at: datetime | None = None  # when it really started (entered_at: when it was recorded)
    response_received_at: datetime | None = None
    deadline_moved_from: datetime | None = None  # closure days moved the deadline from here
    printed_label: str = ""  # tells apart two stages with the same label (St Helens' Stage Fours)


@dataclass(frozen=True)
class ChecklistView:
    id: int
    stage_key: str
    kind: str
    text: str
    recipient: str
    form_id: str
    done_at: datetime | None
    done_note: str
    requirement_key: str = ""  # the pack requirement (or "form:…", "pre:…") this item stands for
    obligation: str = "should"  # must | should
    due_at: datetime | None = None
    not_done: bool = False
    due_words: str = ""


@dataclass(frozen=True)
class RiskChangeView:
    raised: bool
    noticed_at: datetime
    recorded_at: datetime
    by: str
    reason: str


@dataclass(frozen=True)
class ResolutionView:
    resolved_stage: str
    resolved_at: datetime
    written_outcome: str
    main_reason: str
    actions: str
    practitioners_informed: str
    lessons_learnt: str
    learning_referred_to_board: bool
    debrief_held: bool
    parents_informed: bool
    parents_not_informed_reason: str
    child_situation_improved: str
    overrun_reason: str
    manager_confirmed_child_safe: bool
    manager_name: str = ""


@dataclass(frozen=True)
class EscalationDetail:
    id: int
    reference: str
    child_id: int
    child: str
    policy_id: str
    policy_name: str
    policy_version: str
    status: str
    our_agency: str
    our_professional: str
    other_agency: str
    other_professional: str
    category: str
    problem: str
    outcome_sought: str
    immediate_risk: bool
    opened_at: datetime
    current_stage_key: str
    current_deadline: datetime | None
    deadline_words: str
    due_status: DueStatus
    waiting_working_days: int
    stages: tuple[StageView, ...]
    checklist: tuple[ChecklistView, ...]
    resolution: ResolutionView | None
    withdrawn_reason: str
    arose_at: datetime | None = None
    recorded_late: bool = False
    deadline_note: str = (
        ""  # why the deadline is what it is, when not plain (closures, shortened, immediate risk)
    )
    risk_changes: tuple[RiskChangeView, ...] = ()
    may_shorten: bool = False
    shortened_reason: str = ""
    review_warning: str = ""  # the policy is past its own review date
    urgent_contacts: tuple[str, ...] = ()  # whom to call now, when a child is at immediate risk
    binding_decision_stage: bool = False

    @property
    def open_checklist(self) -> tuple[ChecklistView, ...]:
        return tuple(item for item in self.checklist if item.done_at is None)
