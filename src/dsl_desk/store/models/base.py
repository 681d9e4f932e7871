"""The declarative base every table registers on: one `Base.metadata` for the migrations and the tests."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
