"""Read models for learning from disagreements: the period's figures and the lessons log.

Plain frozen dataclasses in core (not in services) because both the services that build them and the
documents layer that prints them need the same types, and documents may not import services.
Nothing here holds a child's name: counts, labels, and (only when asked for) case references.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dsl_desk.core.i18n import _


@dataclass(frozen=True)
class Count:
    label: str
    count: int


@dataclass(frozen=True)
class StageTimescales:
    """How the stages left in the period went against their timescales."""

    stage: str  # e.g. "Stage Two"
    title: str  # e.g. "Discussion between the professionals"
    met: int
    missed: int
    no_timescale: int = 0
    policy: str = ""  # the policy's short name, set only when the period mixes several policies

    @property
    def total(self) -> int:
        return self.met + self.missed + self.no_timescale

    @property
    def name(self) -> str:
        """ "Stage Two – Discussion between the professionals" (prefixed "St Helens: " when policies mix)."""
        return stage_name(self.policy, self.stage, self.title)


@dataclass(frozen=True)
class CaseLine:
    """One escalation in the period, for the optional appendix of references (never a name)."""

    reference: str
    category: str
    other_agency: str
    status: str
    resolved_stage: str
    working_days: int | None


@dataclass(frozen=True)
class PeriodFigures:
    start: date
    end: date
    label: str
    organisation: str
    opened: int
    resolved: int
    withdrawn: int
    open_at_end: int
    by_category: tuple[Count, ...]
    by_agency: tuple[Count, ...]
    resolved_at_stage: tuple[Count, ...]
    timescales: tuple[StageTimescales, ...]
    days_to_resolution: tuple[int, ...]  # working days, one per escalation resolved in the period
    median_days: float | None  # None when nothing was resolved
    longest_days: int | None
    referred_to_board: int
    cases: tuple[CaseLine, ...] = ()  # empty unless references were asked for

    @property
    def includes_references(self) -> bool:
        return bool(self.cases)


@dataclass(frozen=True)
class FollowUp:
    """What the lesson led to: the questions of Wigan's Appendix 4."""

    staff_training: bool = False
    new_protocol: bool = False
    inform_commissioner: bool = False
    commissioner_service: str = ""
    sub_group: bool = False
    sub_group_name: str = ""
    board_discussion: bool = False
    board_forum: str = ""
    notes: str = ""

    def summary(self) -> str:
        """One line for a table cell: "Staff training; Sub group: Learning and Improvement"."""
        parts = [
            text
            for wanted, text in (
                (self.staff_training, _("Staff training")),
                (self.new_protocol, _("New protocol")),
                (self.inform_commissioner, _with(_("Inform commissioner"), self.commissioner_service)),
                (self.sub_group, _with(_("Sub group"), self.sub_group_name)),
                (self.board_discussion, _with("Board / executive", self.board_forum)),
            )
            if wanted
        ]
        if self.notes:
            parts.append(self.notes)
        return "; ".join(parts)


@dataclass(frozen=True)
class LessonLine:
    """One resolved escalation in the lessons log. `reference` is "" unless references were asked for."""

    number: int
    escalation_id: int
    reference: str
    resolved_on: date
    category: str
    other_agency: str
    resolved_stage: str
    lessons: str
    referred_to_board: bool
    follow_up: FollowUp | None

    @property
    def follow_up_text(self) -> str:
        return self.follow_up.summary() if self.follow_up else ""


def stage_name(policy: str, label: str, title: str) -> str:
    name = f"{label} – {title}" if title else label
    return f"{policy}: {name}" if policy else name


def median_or_none(values: Sequence[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def format_days(value: float | None) -> str:
    """3 -> "3", 2.5 -> "2.5", None -> "–" (no escalation was resolved)."""
    if value is None:
        return "–"
    return f"{value:g}"


def _with(text: str, detail: str) -> str:
    return f"{text}: {detail}" if detail else text
