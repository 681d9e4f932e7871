"""The dashboard's open work: every open case at the stage it is at, and every step still to do, read through the indexes of open work alone (migration 0008) and kept until the store changes (Store.kept, keyed by the change signal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from typing import Any, NamedTuple

from sqlalchemy import Row, select

from dsl_desk.core.calendar import Deadline, WorkingCalendar
from dsl_desk.core.clock import LONDON, london
from dsl_desk.core.dates_in_words import deadline_phrase
from dsl_desk.core.escalation_rules import (
    DueStatus,
    due_status,
    earliest,
)
from dsl_desk.core.policy import Contact
from dsl_desk.services.calendar import calendar_in
from dsl_desk.services.context import AppContext
from dsl_desk.services.escalations.reading import case_row, open_case_query
from dsl_desk.services.escalations.scope import our_own
from dsl_desk.services.escalations.views import (
    CaseRow,
    OpenItemRow,
)
from dsl_desk.services.people.partnership_contacts import merged_contacts
from dsl_desk.store.models import (
    ChecklistItem,
    Child,
    Escalation,
)

STATUS_ORDER = {
    DueStatus.OVERDUE: 0,
    DueStatus.DUE_TODAY: 1,
    DueStatus.DUE_NEXT_WORKING_DAY: 2,
    DueStatus.ON_TRACK: 3,
    DueStatus.NO_DEADLINE: 4,
}


def list_open_cases(ctx: AppContext) -> list[CaseRow]:
    """Open escalations, most urgent first: immediate risk pinned on top, then overdue, due today, …

    The dashboard asks every minute and after every change. What it read is kept while nothing it shows
    has changed (the store's change signal, Store.data_changes); after a change it is read again, and a row
    is made again only if its record (or the calendar, or the partnership's contacts) changed, or the time
    has moved past what its words depend on (its deadline, or midnight)."""
    now = ctx.clock.now()
    kept = ctx.store.kept(
        "open_cases", (ctx.store.data_changes(), id(ctx.packs)), lambda: _read_open_cases(ctx)
    )
    made = _rows_made(ctx, "open_case_rows", kept.context)
    remade = made.remade
    rows = [
        made.row(
            record, now, lambda r=record: case_row(ctx, r, kept.calendar, now, kept.directories), _case_due
        )
        for record in kept.records
    ]
    made.forget_all_but(kept.records)
    if made.remade == remade and made.sorted_from is kept.records:
        return list(made.sorted)  # not one row changed: the same order
    made.sorted_from = kept.records
    made.sorted = sorted(
        rows, key=lambda r: (not r.immediate_risk, STATUS_ORDER[r.due_status], r.deadline or now)
    )
    return list(made.sorted)


def list_open_checklist(ctx: AppContext) -> list[OpenItemRow]:
    """Every checklist item not yet done, oldest first — the dashboard's to-do list, each with its own
    deadline where the policy gives the step one. Kept between calls as list_open_cases is."""
    now = ctx.clock.now()
    kept = ctx.store.kept("open_checklist", ctx.store.data_changes(), lambda: _read_open_checklist(ctx))
    made = _rows_made(ctx, "open_item_rows", kept.context)
    rows = [
        made.row(record, now, lambda r=record: _item_row(r, now, kept.calendar), _item_due)
        for record in kept.records
    ]
    made.forget_all_but(kept.records)
    return rows


@dataclass
class _OpenWork:
    """What the dashboard read from the store (hashable records: plain tuples of column values)."""

    records: list[Any]
    calendar: WorkingCalendar
    directories: dict[str, list[Contact]] = field(default_factory=dict)

    @property
    def context(self) -> Any:
        """Everything besides its record that a row is made from: the calendar and the contacts."""
        calendar = (self.calendar.nation, self.calendar.closure_days, self.calendar.cutoff)
        return calendar, tuple((pack, tuple(contacts)) for pack, contacts in sorted(self.directories.items()))


@dataclass
class _RowsMade:
    """Rows made from records, each with the times its words and status hold for; kept across re-reads."""

    context: Any = None
    made: dict[Any, tuple[Any, datetime, datetime]] = field(default_factory=dict)
    remade: int = 0  # rows made so far: unchanged over a call, nothing in the list changed
    sorted_from: Any = None
    sorted: list[Any] = field(default_factory=list)

    def row(self, record: Any, now: datetime, make: Any, due: Any) -> Any:
        found = self.made.get(record)
        if found is not None and found[1] <= now < found[2]:
            return found[0]
        made = make()
        start, end = _holds_between(now, due(record))
        self.made[record] = (made, start, end)
        self.remade += 1
        return made

    def forget_all_but(self, records: list[Any]) -> None:
        if len(self.made) > len(records):
            keep = set(records)
            self.made = {record: found for record, found in self.made.items() if record in keep}


def _rows_made(ctx: AppContext, name: str, context: Any) -> _RowsMade:
    made = ctx.store.kept(name, id(ctx.packs), _RowsMade)
    if made.context != context:  # a closure day, the cut-off or a contact changed: every row again
        made.context, made.made, made.sorted_from = context, {}, None
    return made


def _holds_between(now: datetime, due_at: datetime | None) -> tuple[datetime, datetime]:
    """When a row's deadline words and due status stay what they are at `now`: within the same London day
    (midnight by the wall clock), and on the same side of its deadline (they use the date of now, and
    whether now is past the deadline)."""
    today = london(now).date()
    start = datetime.combine(today, dt_time.min, tzinfo=LONDON).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=1), dt_time.min, tzinfo=LONDON).astimezone(UTC)
    if due_at is None:
        return start, end
    if now > due_at:
        return max(start, due_at + _TICK), end
    return start, min(end, due_at + _TICK)


_TICK = timedelta(microseconds=1)


def _item_due(record: _ItemRecord) -> datetime | None:
    return record.due_at


def _case_due(record: Row[Any]) -> datetime | None:
    shown = earliest(
        Deadline(record.deadline) if record.deadline else None,
        Deadline(record.first_item_due) if record.first_item_due else None,
    )
    return shown.due_at if shown else None


def _read_open_cases(ctx: AppContext) -> _OpenWork:
    with ctx.store.session() as session:
        calendar = calendar_in(session)
        directories = {
            pack.id: [row.contact for row in merged_contacts(session, pack)] for pack in ctx.packs.values()
        }
        records = [_CaseRecord(*row) for row in session.execute(open_case_query())]
    return _OpenWork(records, calendar, directories)


def _read_open_checklist(ctx: AppContext) -> _OpenWork:
    with ctx.store.session() as session:
        calendar = calendar_in(session)
        query = (
            select(
                ChecklistItem.id,
                ChecklistItem.escalation_id,
                Escalation.reference,
                Child.given_names,
                Child.family_name,
                ChecklistItem.kind,
                ChecklistItem.text,
                ChecklistItem.recipient,
                ChecklistItem.form_id,
                ChecklistItem.created_at,
                ChecklistItem.due_at,
                ChecklistItem.obligation,
            )
            .join(Escalation, ChecklistItem.escalation_id == Escalation.id)
            .join(Child, Escalation.child_id == Child.id)
            .where(ChecklistItem.done_at.is_(None), Escalation.status != "withdrawn", our_own())
            .order_by(ChecklistItem.created_at, ChecklistItem.id)
        )
        records = [_ItemRecord(*row) for row in session.execute(query)]
    return _OpenWork(records, calendar)


class _CaseRecord(NamedTuple):
    id: int
    reference: str
    child_id: int
    policy_id: str
    immediate_risk: bool
    status: str
    given_names: str
    family_name: str
    agency: str
    stage_key: str
    deadline: datetime | None
    raised_out_of_hours: bool
    contacted: str
    entered_at: datetime
    open_items: int
    first_item_due: datetime | None


class _ItemRecord(NamedTuple):
    id: int
    escalation_id: int
    reference: str
    given_names: str
    family_name: str
    kind: str
    text: str
    recipient: str
    form_id: str
    created_at: datetime
    due_at: datetime | None
    obligation: str


def _item_row(item: _ItemRecord, now: datetime, calendar: WorkingCalendar) -> OpenItemRow:
    return OpenItemRow(
        item.id,
        item.escalation_id,
        item.reference,
        f"{item.given_names} {item.family_name}",
        item.kind,
        item.text,
        item.recipient,
        item.form_id,
        item.created_at,
        due_at=item.due_at,
        obligation=item.obligation,
        due_words=deadline_phrase(item.due_at, now),
        due_status=due_status(item.due_at, now, calendar),
    )
