"""Learning from disagreements: the follow-up to a lesson, and Partnership Practice Alerts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dsl_desk.store.models.base import Base
from dsl_desk.store.types import UTCDateTime


class LessonFollowUp(Base):
    """What a lesson led to (Wigan Appendix 4). Append-only: a change is a new row; the newest one counts."""

    __tablename__ = "lesson_follow_ups"
    __table_args__ = (Index("ix_follow_ups_escalation", "escalation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"))
    staff_training: Mapped[bool] = mapped_column(Boolean, default=False)
    new_protocol: Mapped[bool] = mapped_column(Boolean, default=False)
    inform_commissioner: Mapped[bool] = mapped_column(Boolean, default=False)
    commissioner_service: Mapped[str] = mapped_column(String(200), default="")
    sub_group: Mapped[bool] = mapped_column(Boolean, default=False)
    sub_group_name: Mapped[str] = mapped_column(String(200), default="")
    board_discussion: Mapped[bool] = mapped_column(Boolean, default=False)
    board_forum: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class PracticeAlert(Base):
    """A Partnership Practice Alert (Medway Appendix Three): about practice, never about one child."""

    __tablename__ = "practice_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    informer: Mapped[str] = mapped_column(String(200))
    service: Mapped[str] = mapped_column(String(200), default="")
    contact_details: Mapped[str] = mapped_column(Text, default="")
    alert_date: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    measures_taken: Mapped[str] = mapped_column(Text, default="")
    contributory_causes: Mapped[str] = mapped_column(Text, default="")
    good_practice: Mapped[str] = mapped_column(Text, default="")
    recommended_action: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
