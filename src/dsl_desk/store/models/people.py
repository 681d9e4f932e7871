"""The people a DSL works with: children, other agencies and their professionals, partnership contacts.

`PartnershipContactEdit` holds the user's corrections to the contact details a policy pack prints. Packs ship the
public details each partnership's document printed; people and numbers change, so the DSL can correct or hide one.
The pack stays as published; corrections live here, in the encrypted database.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dsl_desk.store.models.base import Base
from dsl_desk.store.types import UTCDateTime


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
