"""Fuzz the services the GUI calls: nothing escapes but the project's own errors, and a refusal changes nothing.

A screen checks what it can, but every value reaching a service may be anything its type allows (and, from
a damaged draft or a future screen, more): integers of every size, dates from 1 to 9999, broken and huge
text, odd paths. The only exceptions allowed out are ServiceError (ValidationError …) and StoreError
(NotFound …), whose messages the GUI shows as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from dsl_desk.services.context import AppContext
from dsl_desk.services.desk import closures
from dsl_desk.services.errors import ServiceError
from dsl_desk.services.escalations import changes as escalation_changes
from dsl_desk.services.escalations import checklist_items, closing, reading, stages, workflow
from dsl_desk.services.log import discussion_log
from dsl_desk.services.log import reading as log_reading
from dsl_desk.services.log import search as log_search
from dsl_desk.services.people import children
from dsl_desk.services.records import (
    retention_deletion,
    retention_holds,
    subject_access,
    subject_access_items,
    transfers,
)
from dsl_desk.store.errors import StoreError
from dsl_desk.store.search import SearchFilters
from tests.fuzz_world import QUICK, THOROUGH, WORDS, build_world, dates, ids, moments, paths_in, texts
from tests.services.db_digest import engine_digest


@pytest.fixture(scope="module")
def desk(tmp_path_factory, packs):
    world, ctx = build_world(tmp_path_factory.mktemp("fuzz-services"), packs)
    yield world, ctx
    ctx.close()


WORDS_TEXT = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
RECENT_DATES = st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 1, 6))
RECENT_MOMENTS = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2026, 1, 6), timezones=st.just(UTC)
)


def child_details(t: Any = None, d: Any = None) -> st.SearchStrategy[children.ChildDetails]:
    t = texts() if t is None else t
    d = dates() if d is None else d
    return st.builds(
        children.ChildDetails,
        given_names=t,
        family_name=t,
        date_of_birth=d,
        address=t,
        parents_carers=t,
        continuum_of_need=t,
        child_protection_plan=st.booleans(),
    )


def new_entries(i: Any, t: Any, d: Any, m: Any) -> st.SearchStrategy[discussion_log.NewEntry]:
    action = st.builds(discussion_log.NewAction, t, t, st.none() | d)
    return st.builds(
        discussion_log.NewEntry,
        child_id=i,
        occurred_at=m,
        method=st.sampled_from(["telephone", "strategy_meeting", "carrier pigeon"]) | t,
        summary=t,
        participants=t,
        child_views=t,
        opinion=t,
        decisions=t,
        kind=st.sampled_from(["discussion", "dissent"]) | t,
        escalation_id=st.none() | i,
        actions=st.lists(action, max_size=2).map(tuple),
        shared_with=t,
        shared_at=st.none() | m,
    )


@dataclass(frozen=True)
class Call:
    """A service call with its generated arguments (hypothesis prints it as the failing example)."""

    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    def __call__(self, ctx: AppContext) -> Any:
        return self.function(ctx, *self.args, **self.kwargs)

    def __repr__(self) -> str:
        shown = [repr(a)[:300] for a in self.args] + [f"{k}={v!r}"[:300] for k, v in self.kwargs.items()]
        return f"{self.function.__module__}.{self.function.__name__}(ctx, {', '.join(shown)})"


def _calls(scratch: Path, plain: bool) -> list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]:
    """The service calls the GUI makes, each with strategies for its arguments.

    `plain`: every argument is of the kind a screen sends (ids that exist, words, recent dates), so calls
    get past the first check and the rules behind it are fuzzed too; otherwise anything goes.
    """
    if plain:
        i, t, d, m = st.sampled_from([1, 2, 3]), WORDS_TEXT, RECENT_DATES, RECENT_MOMENTS
    else:
        i, t, d, m = ids(), texts(), dates(), moments()
    maybe_i, maybe_d, maybe_m = st.none() | i, st.none() | d, st.none() | m
    new_escalation = st.builds(
        workflow.NewEscalation,
        child_id=i,
        other_agency=t,
        category=st.sampled_from(["level_of_need"]) | t,
        problem=t,
        outcome_sought=t,
        other_professional_id=maybe_i,
        contacted=t,
        policy_id=st.sampled_from(["", "st_helens", "city_and_hackney"]) | t,
        arose_at=maybe_m,
        other_agency_kind=st.sampled_from(["", "social_care", "health"]) | t,
        immediate_risk=st.booleans(),
    )
    resolution = st.builds(
        closing.ResolutionInput, written_outcome=t, outcome_agreed_in_writing=st.booleans()
    )
    filters = st.builds(
        SearchFilters,
        child_id=maybe_i,
        escalation_id=maybe_i,
        occurred_from=maybe_m,
        occurred_to=maybe_m,
        method=st.just("") | t,
        author_id=maybe_i,
    )
    new_request = st.builds(
        subject_access.NewRequest,
        child_id=i,
        requester_name=t,
        relationship=t,
        received_on=d,
        identity_confirmed=st.booleans(),
        identity_confirmed_on=maybe_d,
        notes=t,
    )
    item_kind = st.sampled_from(["entry", "escalation", "attachment"]) | t
    exemption = st.sampled_from(["child_abuse", "serious_harm"]) | t
    return [
        (children.add_child, (child_details(t, d),), {}),
        (children.update_child, (i, child_details(t, d)), {}),
        (children.get_child, (i,), {}),
        (children.list_children, (t,), {}),
        (workflow.open_escalation, (new_escalation,), {}),
        (stages.escalate, (i, st.builds(stages.StageOutcome, t, t, t, t)), {}),
        (closing.resolve, (i, resolution), {}),
        (closing.withdraw, (i, t), {}),
        (checklist_items.complete_checklist_item, (i, t), {}),
        (reading.get_escalation, (i,), {}),
        (checklist_items.record_not_done, (i, t), {}),
        (
            escalation_changes.set_immediate_risk,
            (i,),
            {"raised": st.booleans(), "reason": t, "noticed_at": maybe_m},
        ),
        (escalation_changes.shorten_timescale, (i,), {"due_at": m, "reason": t}),
        (closures.add_closure, (d, t), {"last_day": maybe_d}),
        (reading.chase_message, (i,), {}),
        (discussion_log.log_discussion, (new_entries(i, t, d, m),), {}),
        (discussion_log.amend_entry, (i, new_entries(i, t, d, m), t), {}),
        (discussion_log.record_sharing, (i, t, m), {}),
        (discussion_log.complete_action, (i,), {}),
        (log_reading.get_chronology, (i,), {"escalation_id": maybe_i}),
        (log_search.search_log, (t, filters), {}),
        (subject_access.record_request, (new_request,), {}),
        (subject_access.confirm_identity, (i, d), {}),
        (subject_access.extend, (i, st.integers() | st.sampled_from([1, 2]), t), {}),
        (subject_access.mark_responded, (i, t), {}),
        (subject_access_items.add_term, (i, t, t), {}),
        (subject_access_items.withhold, (i, item_kind, i, exemption, t), {"silent": st.booleans()}),
        (subject_access_items.take_back, (i,), {}),
        (subject_access_items.list_items, (i,), {}),
        (subject_access.list_requests, (), {"child_id": maybe_i}),
        (transfers.mark_sent, (i,), {"method": t}),
        (transfers.record_acknowledgement, (i, t), {"at": maybe_m}),
        (transfers.record_chase, (i,), {}),
        (transfers.cancel, (i, t), {}),
        (transfers.list_transfers, (), {"child_id": maybe_i}),
        (transfers.preview_bundle, (paths_in(scratch).map(Path), t), {}),
        (retention_holds.place_hold, (i, t, maybe_d), {}),
        (retention_holds.lift_hold, (i,), {}),
        (retention_deletion.deletion_preview, (i,), {}),
        (retention_deletion.delete_record, (i, t, t), {}),
    ]


@st.composite
def service_calls(draw: st.DrawFn, scratch: Path) -> Call:
    function, args, kwargs = draw(st.sampled_from(_calls(scratch, plain=draw(st.booleans()))))
    return Call(function, tuple(draw(a) for a in args), {k: draw(v) for k, v in kwargs.items()})


def _check(ctx: AppContext, call: Call) -> None:
    before = engine_digest(ctx.store.engine)
    name = call.function.__name__
    try:
        call(ctx)
    except (ServiceError, StoreError):
        event(f"{name}: refused")  # --hypothesis-show-statistics shows how often each call got through
        assert engine_digest(ctx.store.engine) == before, f"{call!r} was refused, yet the database changed"
    else:
        event(f"{name}: done")


@QUICK
@given(data=st.data())
def test_no_generated_service_call_escapes_with_anything_but_a_plain_error(desk, data):
    world, ctx = desk
    _check(ctx, data.draw(service_calls(world.scratch), label="call"))


@pytest.mark.slow
@THOROUGH
@given(data=st.data())
def test_no_generated_service_call_escapes_thoroughly(desk, data):
    world, ctx = desk
    _check(ctx, data.draw(service_calls(world.scratch), label="call"))
