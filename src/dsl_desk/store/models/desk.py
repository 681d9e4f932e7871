"""The desk itself: the organisation it belongs to, its closure days, its users, and unfinished wizards."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dsl_desk.store.models.base import Base
from dsl_desk.store.types import UTCDateTime


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
