"""An escalation and what belongs to it: its stages, the checklist a transition leaves, changes of immediate risk,
and how it ended.

`Escalation` names its child, agency and professional (in `people`) by string; the registry resolves them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dsl_desk.store.models.base import Base
from dsl_desk.store.types import UTCDateTime

if TYPE_CHECKING:
    from dsl_desk.store.models.people import Agency, Child, Professional


class Escalation(Base):
    __tablename__ = "escalations"
    __table_args__ = (
        Index("ix_escalations_status", "status"),
        Index("ix_escalations_child", "child_id"),
        # The open ones alone, with what the dashboard shows (migration 0008).
        Index(
            "ix_escalations_open",
            "opened_at",
            "reference",
            "child_id",
            "policy_id",
            "immediate_risk",
            "other_agency_id",
            sqlite_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    policy_id: Mapped[str] = mapped_column(String(60))
    policy_version: Mapped[str] = mapped_column(String(60))
    our_agency: Mapped[str] = mapped_column(String(200))
    our_professional: Mapped[str] = mapped_column(String(200))
    other_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    other_professional_id: Mapped[int | None] = mapped_column(ForeignKey("professionals.id"), nullable=True)
    category: Mapped[str] = mapped_column(String(120))
    problem: Mapped[str] = mapped_column(Text)
    outcome_sought: Mapped[str] = mapped_column(Text)
    immediate_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | resolved | withdrawn
    current_stage: Mapped[str] = mapped_column(String(60))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the DSL recorded it
    # When the disagreement arose: deadlines run from here, not from when the record was made.
    arose_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A shorter timescale the DSL set where the policy allows it (City & Hackney 1.4), with why.
    shortened_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    shortened_reason: Mapped[str] = mapped_column(Text, default="")
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")

    child: Mapped[Child] = relationship()
    other_agency: Mapped[Agency] = relationship()
    other_professional: Mapped[Professional | None] = relationship()
    stages: Mapped[list[StageRecord]] = relationship(order_by="StageRecord.id", back_populates="escalation")
    checklist: Mapped[list[ChecklistItem]] = relationship(
        order_by="ChecklistItem.id", back_populates="escalation"
    )
    resolution: Mapped[Resolution | None] = relationship(back_populates="escalation")
    risk_changes: Mapped[list[ImmediateRiskChange]] = relationship(order_by="ImmediateRiskChange.id")

    @property
    def began_at(self) -> datetime:
        """When the disagreement arose (records made before it was asked: when it was recorded)."""
        return self.arose_at or self.opened_at

    @property
    def risk_raised_at(self) -> datetime | None:
        """When immediate risk was last raised (opened with it: when the disagreement arose)."""
        raised = [c.noticed_at for c in self.risk_changes if c.raised]
        if raised:
            return raised[-1]
        return self.began_at if self.immediate_risk else None


class ImmediateRiskChange(Base):
    """Immediate risk raised or lowered after opening: who, when it was noticed, when recorded, and why."""

    __tablename__ = "immediate_risk_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    raised: Mapped[bool] = mapped_column(Boolean)
    noticed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)


class StageRecord(Base):
    """One stage an escalation passed through: when it was entered and left, its deadline and its outcome."""

    __tablename__ = "escalation_stages"
    __table_args__ = (
        Index("ix_stages_escalation", "escalation_id"),
        # The stage each open escalation is at, with what the dashboard shows (migration 0008).
        Index(
            "ix_stages_current",
            "escalation_id",
            "stage_key",
            "deadline",
            "raised_out_of_hours",
            "contacted",
            "entered_at",
            "left_at",
            sqlite_where=text("left_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"))
    stage_key: Mapped[str] = mapped_column(String(60))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the DSL recorded it
    # When the stage really started (the disagreement arose / the escalation was made): deadlines run from here.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the other agency's response came: "timescale met" is measured to here.
    response_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Set when the school's closure days moved the deadline: when it would otherwise have been due.
    deadline_moved_from: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    raised_out_of_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    contacted: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(Text, default="")
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    left_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    timescale_met: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    missed_reason: Mapped[str] = mapped_column(Text, default="")

    escalation: Mapped[Escalation] = relationship(back_populates="stages")

    @property
    def began_at(self) -> datetime:
        return self.started_at or self.entered_at


class ChecklistItem(Base):
    """Something the policy requires after a transition: a notification, a form, a copy to the partnership."""

    __tablename__ = "checklist_items"
    __table_args__ = (
        Index("ix_checklist_open", "escalation_id", "done_at"),
        Index(
            "ix_checklist_undone", "escalation_id", "due_at", "done_at", sqlite_where=text("done_at IS NULL")
        ),  # 0008
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"))
    stage_key: Mapped[str] = mapped_column(String(60))
    requirement_key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    recipient: Mapped[str] = mapped_column(String(200), default="")
    form_id: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    done_note: Mapped[str] = mapped_column(Text, default="")
    # "must" holds up moving on and closing until done or `not_done` with a reason; "should" reminds.
    obligation: Mapped[str] = mapped_column(String(10), default="should")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # its own timescale, if any
    due_from: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # counted from here
    # Closed without being done: done_at/done_by say when and who, done_note says why.
    not_done: Mapped[bool] = mapped_column(Boolean, default=False)

    escalation: Mapped[Escalation] = relationship(back_populates="checklist")


class Resolution(Base):
    """How an escalation ended: the St Helens Resolution Template plus what the other policies ask."""

    __tablename__ = "resolutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), unique=True)
    resolved_stage: Mapped[str] = mapped_column(String(60))
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    written_outcome: Mapped[str] = mapped_column(Text)
    outcome_agreed_in_writing: Mapped[bool] = mapped_column(Boolean)
    main_reason: Mapped[str] = mapped_column(String(120), default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    practitioners_informed: Mapped[str] = mapped_column(Text, default="")
    lessons_learnt: Mapped[str] = mapped_column(Text, default="")
    learning_referred_to_board: Mapped[bool] = mapped_column(Boolean, default=False)
    debrief_held: Mapped[bool] = mapped_column(Boolean, default=False)
    parents_informed: Mapped[bool] = mapped_column(Boolean, default=False)
    parents_not_informed_reason: Mapped[str] = mapped_column(Text, default="")
    child_situation_improved: Mapped[str] = mapped_column(String(20), default="")  # yes | no | not yet known
    overrun_reason: Mapped[str] = mapped_column(Text, default="")
    manager_confirmed_child_safe: Mapped[bool] = mapped_column(Boolean, default=False)
    manager_name: Mapped[str] = mapped_column(String(200), default="")

    escalation: Mapped[Escalation] = relationship(back_populates="resolution")
