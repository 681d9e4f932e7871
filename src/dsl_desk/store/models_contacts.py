"""The user's corrections to the contact details a policy pack prints.

Packs ship the public details each partnership's document printed; people and numbers change, so the DSL
can correct or hide one. The pack stays as published; corrections live here, in the encrypted database.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dsl_desk.store.models import Base
from dsl_desk.store.types import UTCDateTime


class PartnershipContactEdit(Base):
    __tablename__ = "partnership_contact_edits"
    __table_args__ = (UniqueConstraint("policy_id", "contact_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(60))
    contact_key: Mapped[str] = mapped_column(String(400))  # "board", or the printed contact's level|role|name
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(200), default="")
    agency: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    postal_address: Mapped[str] = mapped_column(String(400), default="")
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
