"""The discussion log: contemporaneous entries, who they were shared with later, the actions agreed, and the files
kept inside the database.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dsl_desk.store.models.base import Base
from dsl_desk.store.types import UTCDateTime


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
