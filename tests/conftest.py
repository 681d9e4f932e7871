"""Shared fixtures: a temporary data dir, a frozen clock, a real encrypted database set up and unlocked."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dsl_desk.core.clock import FixedClock
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services.context import AppContext
from dsl_desk.services.desk.policies import load_policies
from dsl_desk.services.desk.setup import NewUser, OrganisationProfile, initialise
from dsl_desk.services.people.children import ChildDetails, add_child
from dsl_desk.store.keyring import KdfParams
from dsl_desk.store.paths import DataPaths

# Real Argon2id, but cheap: the default cost is for laptops, not for a suite that unlocks hundreds of times.
FAST_KDF = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
PASSPHRASE = "purple elephant river spoon"


@pytest.fixture(scope="session")
def packs() -> dict[str, PolicyPack]:
    result = load_policies()
    assert not result.errors, result.errors
    return dict(result.packs)


@pytest.fixture
def clock() -> FixedClock:
    # Monday 5 January 2026, 09:00 in London (GMT): an ordinary school morning.
    return FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))


@pytest.fixture
def data_paths(tmp_path: Path) -> DataPaths:
    return DataPaths(tmp_path / "data")


@pytest.fixture
def profile() -> OrganisationProfile:
    return OrganisationProfile(
        name="Penkford School", agency_type="School", partnership_id="st_helens", nation="england"
    )


@pytest.fixture
def first_user() -> NewUser:
    return NewUser(
        username="j.smith",
        display_name="Jane Smith",
        role="Designated Safeguarding Lead",
        passphrase=PASSPHRASE,
    )


@pytest.fixture
def ctx(
    data_paths: DataPaths,
    clock: FixedClock,
    profile: OrganisationProfile,
    first_user: NewUser,
    packs: dict[str, PolicyPack],
) -> Iterator[AppContext]:
    context, _recovery = initialise(data_paths, profile, first_user, clock=clock, packs=packs, kdf=FAST_KDF)
    yield context
    _drain_background_work()
    if context.store.is_open:
        context.close()
    _collect_on_this_thread()


def _collect_on_this_thread() -> None:
    """Free a closed store's connections here, on the test's own thread: left to the garbage collector, they
    may be finalised on whichever thread allocates next, such as the next test's background job."""
    if "PySide6.QtCore" in sys.modules:
        gc.collect()


def _drain_background_work() -> None:
    """Let a page's background job (a start-up check, a backup) finish before its database is closed: a job
    still reading a store that teardown disposes of can crash the process, taking every later test with it."""
    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone(30_000)


@pytest.fixture
def recovery_ctx(
    data_paths: DataPaths,
    clock: FixedClock,
    profile: OrganisationProfile,
    first_user: NewUser,
    packs: dict[str, PolicyPack],
) -> Iterator[tuple[AppContext, str]]:
    context, recovery = initialise(data_paths, profile, first_user, clock=clock, packs=packs, kdf=FAST_KDF)
    yield context, recovery
    _drain_background_work()
    if context.store.is_open:
        context.close()
    _collect_on_this_thread()


def fictional_child(given: str = "Zephyrine", family: str = "Quillborough", **flags: bool) -> ChildDetails:
    return ChildDetails(
        given_names=given,
        family_name=family,
        date_of_birth=date(2015, 3, 14),
        address="1 Example Row, Testville",
        parents_carers="Ms A Quillborough (mother)",
        **flags,
    )


@pytest.fixture
def child_id(ctx: AppContext) -> int:
    return add_child(ctx, fictional_child()).id
