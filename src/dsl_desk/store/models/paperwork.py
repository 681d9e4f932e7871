"""Paperwork: each form exported, printed or drafted as email."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from dsl_desk.store.models.base import Base
from dsl_desk.store.types import UTCDateTime


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
