"""The data model. Append-only where the policies want a record: rows are added, not rewritten or deleted.

Every row that records something a person did says which user did it (`*_by_id`).
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from dsl_desk.store.types import UTCDateTime


class Base(DeclarativeBase):
    pass


class Organisation(Base):
    """The one organisation this database belongs to (e.g. Penkford School)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_type: Mapped[str] = mapped_column(String(60))
    partnership_id: Mapped[str] = mapped_column(String(60))
    nation: Mapped[str] = mapped_column(String(30))
    working_day_start: Mapped[time] = mapped_column(Time, default=time(8, 0))
    working_day_end: Mapped[time] = mapped_column(Time, default=time(17, 0))
    cutoff: Mapped[time] = mapped_column(Time, default=time(17, 0))
    idle_lock_minutes: Mapped[int] = mapped_column(Integer, default=10)
    retention_years_after_birth: Mapped[int] = mapped_column(Integer, default=25)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClosureDay(Base):
    """A day the organisation is closed (INSET day, snow day): not a working day for deadlines."""

    __tablename__ = "closure_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    # A holiday is one entry: the closure runs from `day` to `last_day` (None: the one day).
    last_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(120))  # e.g. "Designated Safeguarding Lead"
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    signing_identity: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(60), default="")  # social care, health, police, education...
    phone: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(200), default="")


class Professional(Base):
    __tablename__ = "professionals"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), nullable=True)
    phone: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(200), default="")

    agency: Mapped[Agency | None] = relationship()


class Child(Base):
    __tablename__ = "children"
    __table_args__ = (Index("ix_children_names", "id", "given_names", "family_name"),)  # 0008

    id: Mapped[int] = mapped_column(primary_key=True)
    given_names: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date] = mapped_column(Date)
    address: Mapped[str] = mapped_column(Text, default="")
    parents_carers: Mapped[str] = mapped_column(Text, default="")
    child_protection_plan: Mapped[bool] = mapped_column(Boolean, default=False)
    looked_after: Mapped[bool] = mapped_column(Boolean, default=False)
    child_in_need: Mapped[bool] = mapped_column(Boolean, default=False)
    ehcp: Mapped[bool] = mapped_column(Boolean, default=False)
    continuum_of_need: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()


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


class DiscussionEntry(Base):
    """A contemporaneous record. Never edited: a correction is a new entry that amends this one."""

    __tablename__ = "discussion_entries"
    __table_args__ = (
        Index("ix_entries_child_time", "child_id", "occurred_at"),
        Index("ix_entries_escalation", "escalation_id"),
        Index("ix_entries_amends", "amends_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    escalation_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"), nullable=True)
    stage_key: Mapped[str] = mapped_column(String(60), default="")
    kind: Mapped[str] = mapped_column(String(20), default="discussion")  # discussion | dissent
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    method: Mapped[str] = mapped_column(String(40))
    participants: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text)
    decisions: Mapped[str] = mapped_column(Text, default="")
    shared_with: Mapped[str] = mapped_column(Text, default="")
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_entries.id"), nullable=True)
    amend_reason: Mapped[str] = mapped_column(Text, default="")
    # Kept apart from the facts in `summary`, as the policies and serious case reviews ask (0002).
    child_views: Mapped[str] = mapped_column(Text, default="")
    opinion: Mapped[str] = mapped_column(Text, default="")


class EntryShare(Base):
    """An entry shared with someone after it was written: recorded beside it, so the entry is never edited."""

    __tablename__ = "entry_shares"
    __table_args__ = (Index("ix_entry_shares_entry", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("discussion_entries.id"))
    shared_with: Mapped[str] = mapped_column(Text)
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class ActionItem(Base):
    """An action agreed in a discussion, with an owner and a due date; open ones show on the dashboard."""

    __tablename__ = "action_items"
    __table_args__ = (Index("ix_action_items_entry", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("discussion_entries.id"))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class Attachment(Base):
    """A file kept inside the encrypted database, never as a loose file."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_entry", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_entries.id"), nullable=True)
    escalation_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"), nullable=True)
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class DocumentRecord(Base):
    """A form exported, printed or drafted as email: fills 'Copy to LSCB … Date' and 'Method of delivery'."""

    __tablename__ = "document_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"), nullable=True)
    form_id: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(20))  # export | print | email
    recipient: Mapped[str] = mapped_column(String(200), default="")
    file_name: Mapped[str] = mapped_column(String(255), default="")
    signed: Mapped[bool] = mapped_column(Boolean, default=False)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class AuditEvent(Base):
    """Append-only and hash-chained: each row's hash covers its content and the previous row's hash."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60), default="")
    entity_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Draft(Base):
    """What a user typed into a wizard that is not finished yet, so a crash loses nothing."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Tables kept in modules of their own register themselves on Base.metadata when imported; importing them
# here means anything that sees the models (Alembic, the tests) sees every table.
from dsl_desk.store import models_contacts, models_learning, models_records  # noqa: E402, F401
