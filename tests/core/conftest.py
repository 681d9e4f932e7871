"""Shared fixtures for the core tests: the shipped policy packs and an England school calendar."""

from __future__ import annotations

import pytest

from dsl_desk.core.calendar import WorkingCalendar
from dsl_desk.core.policy import PolicyPack, builtin_policies_dir, load_packs


@pytest.fixture(scope="session")
def packs() -> dict[str, PolicyPack]:
    result = load_packs([builtin_policies_dir()])
    assert result.errors == ()
    return result.packs


@pytest.fixture
def england() -> WorkingCalendar:
    return WorkingCalendar("england")
