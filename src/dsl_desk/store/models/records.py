"""Tables for a child's record leaving, being asked for, or reaching the end of its life.

- `CaseTransfer`: a child's file sent to (or received from) another school, as Keeping Children Safe in
  Education expects when a child moves; the sending side tracks receipt and how long it keeps its copy.
- `SubjectAccessRequest` and `SarRedaction`: a request under the UK GDPR right of access, its one-month
  deadline, and the redaction log (third parties' names redacted, entries withheld under a DPA 2018 exemption).
- `RetentionHold` and `RetentionDeletion`: a record kept past its retention date, and the tombstone left when a
  record is deleted at the end of its retention period (no name, no content: what went, when, by whom, why).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dsl_desk.store.models.base import Base
from dsl_desk.store.types import UTCDateTime


class CaseTransfer(Base):
    """One transfer of a child's file: `direction` "out" (we sent it) or "in" (we imported it)."""

    __tablename__ = "case_transfers"
    __table_args__ = (
        UniqueConstraint("direction", "bundle_id"),
        Index("ix_case_transfers_child", "child_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # out | in
    # Kept (as NULL) after the child's record is deleted at the end of retention: the transfer happened.
    child_id: Mapped[int | None] = mapped_column(
        ForeignKey("children.id", ondelete="SET NULL"), nullable=True
    )
    bundle_id: Mapped[str] = mapped_column(String(36))  # a UUID written inside the bundle
    bundle_sha256: Mapped[str] = mapped_column(String(64), default="")
    signer_fingerprint: Mapped[str] = mapped_column(String(100), default="")
    other_school: Mapped[str] = mapped_column(String(200))  # receiving school (out) / sending school (in)
    other_dsl: Mapped[str] = mapped_column(String(200), default="")
    other_contact: Mapped[str] = mapped_column(String(200), default="")  # email or phone
    method: Mapped[str] = mapped_column(String(120), default="")  # how it was sent
    status: Mapped[str] = mapped_column(String(20))  # prepared | sent | acknowledged | cancelled | imported
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    receipt_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # five school days after sending
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[str] = mapped_column(String(200), default="")
    last_chased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    keep_copy_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")


class SubjectAccessRequest(Base):
    """A request for everything held about a child; due one calendar month after receipt (UK GDPR Art. 12)."""

    __tablename__ = "subject_access_requests"
    __table_args__ = (Index("ix_sars_child", "child_id"), Index("ix_sars_status", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    requester_name: Mapped[str] = mapped_column(String(200))
    requester_relationship: Mapped[str] = mapped_column(String(120))  # the child, parent, solicitor, …
    received_on: Mapped[date] = mapped_column(Date)
    identity_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Day one of the month: receipt, or the day identity was confirmed when that came later.
    clock_starts_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    extended_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | responded | withdrawn
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    response_method: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class SarRedaction(Base):
    """One line of a request's redaction log: a name redacted throughout, or an item withheld, and why.

    A decision taken back before the response is sent is marked removed, not deleted: the log shows both.
    """

    __tablename__ = "sar_redactions"
    __table_args__ = (Index("ix_sar_redactions_request", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("subject_access_requests.id"))
    # redact_term | withhold | withhold_silent (withheld without saying so: neither confirm nor deny)
    kind: Mapped[str] = mapped_column(String(20))
    term: Mapped[str] = mapped_column(String(200), default="")  # for redact_term
    item_type: Mapped[str] = mapped_column(
        String(30), default=""
    )  # for withhold: entry | escalation | attachment
    item_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    exemption: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class RetentionHold(Base):
    """Keep a record past its retention date (e.g. a statutory inquiry's instruction not to destroy)."""

    __tablename__ = "retention_holds"
    __table_args__ = (Index("ix_retention_holds_child", "child_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    reason: Mapped[str] = mapped_column(Text)
    review_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class RetentionDeletion(Base):
    """What is left of a record deleted at the end of retention: no name, no content, only the facts of it."""

    __tablename__ = "retention_deletions"

    id: Mapped[int] = mapped_column(primary_key=True)
    former_child_id: Mapped[int] = mapped_column(Integer)
    year_of_birth: Mapped[int] = mapped_column(Integer)
    retention_until: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    counts: Mapped[str] = mapped_column(Text, default="{}")  # JSON: rows deleted per table
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
