"""Subject access requests: record one, track its one-month deadline, and decide what is redacted or withheld.

Every decision is a row of the redaction log (`SarRedaction`); taking one back marks it removed, so the log
keeps both. Nothing can be decided once the request is answered or withdrawn. Every step is audited, by ids,
dates and exemption keys only: a name or a reason typed by the DSL never goes into the audit trail.

Building and exporting the response itself is in `subject_access_export`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.calendar import WorkingCalendar
from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import day_month_year, describe_date, medium_date, relative_day
from dsl_desk.core.i18n import _
from dsl_desk.core.subject_access import (
    MAX_EXTENSION_MONTHS,
    clock_starts,
    exemption,
    response_due,
)
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError, ValidationError
from dsl_desk.services.records.due_item import RecordDue
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import (
    Child,
    SarRedaction,
    SubjectAccessRequest,
    User,
)

ENTITY = "subject_access_request"
ITEM_TYPES = {"entry": "entry in the discussion log", "escalation": "escalation", "attachment": "attachment"}
# Stored in SarRedaction.kind. "withhold_silent": withheld, and the response does not say so (neither
# confirm nor deny), because saying that something was withheld would itself cause the harm.
REDACT_TERM, WITHHOLD, WITHHOLD_SILENT = "redact_term", "withhold", "withhold_silent"
THIRD_PARTY = "third_party"
MAX_REASON = 2_000
MIN_TERM = 2


@dataclass(frozen=True)
class NewRequest:
    child_id: int
    requester_name: str
    relationship: str  # the child, mother, father, solicitor, …
    received_on: date
    identity_confirmed: bool = False
    identity_confirmed_on: date | None = None  # when proof arrived, if after receipt; starts the month
    notes: str = ""


@dataclass(frozen=True)
class RequestRow:
    id: int
    reference: str  # "SAR-3"
    child_id: int
    child: str
    requester: str
    relationship: str
    received_on: date
    identity_confirmed: bool
    due_on: date  # the deadline now in force (the extended one if extended)
    first_due_on: date
    extended: bool
    extension_reason: str
    status: str  # open | responded | withdrawn
    responded_at: datetime | None
    response_method: str
    due_words: str
    overdue: bool
    terms: int  # names redacted (decisions in force)
    withheld: int  # items withheld (decisions in force)

    @property
    def status_words(self) -> str:
        if self.status == "responded":
            return "Answered"
        if self.status == "withdrawn":
            return "Withdrawn"
        return "Overdue" if self.overdue else "Open"


@dataclass(frozen=True)
class Decision:
    id: int
    kind: str  # redact_term | withhold | withhold_silent
    term: str
    item_type: str
    item_id: int | None
    exemption_key: str
    exemption_label: str
    exemption_reference: str
    reason: str
    decided_at: datetime
    decided_by: str
    removed_at: datetime | None
    removed_by: str

    @property
    def in_force(self) -> bool:
        return self.removed_at is None

    @property
    def silent(self) -> bool:
        return self.kind == WITHHOLD_SILENT


@dataclass(frozen=True)
class RequestDetail:
    request: RequestRow
    decisions: tuple[Decision, ...]  # oldest first, removed ones included
    notes: str

    @property
    def terms(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.kind == REDACT_TERM and d.in_force)

    @property
    def withheld(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.kind != REDACT_TERM and d.in_force)


def record_request(ctx: AppContext, new: NewRequest) -> RequestRow:
    now = ctx.clock.now()
    today = london(now).date()
    new = _validated(new, today)
    with ctx.store.session() as session:
        child = load_child(session, new.child_id)
        if new.received_on < child.date_of_birth:
            raise ValidationError(
                _(
                    "The request cannot have been received on {received_on}, before the child was "
                    "born. Check the date."
                ).format(received_on=day_month_year(new.received_on)),
                field="received_on",
            )
        start = clock_starts(new.received_on, new.identity_confirmed_on)
        row = SubjectAccessRequest(
            child_id=new.child_id,
            requester_name=new.requester_name,
            requester_relationship=new.relationship,
            received_on=new.received_on,
            identity_confirmed=new.identity_confirmed or new.identity_confirmed_on is not None,
            clock_starts_on=start,
            due_on=response_due(start, ico_calendar(session)),
            notes=new.notes,
            status="open",
            created_at=now,
            created_by_id=ctx.actor.user_id,
        )
        session.add(row)
        session.flush()
        audit_request(
            ctx, session, "sar_recorded", row.id, {"child": row.child_id, "clock_starts": start.isoformat()}
        )
        return _rows(session, [row], today)[0]


def _validated(new: NewRequest, today: date) -> NewRequest:
    bounds.check_texts(new, {"requester_name": bounds.NAME_MAX, "relationship": bounds.NAME_MAX})
    bounds.check_past_date(
        new.received_on, _("the date the request was received"), today, field="received_on"
    )
    if new.identity_confirmed_on is not None:
        bounds.check_date(new.identity_confirmed_on, _("the date identity was confirmed"))
    requester, relationship = new.requester_name.strip(), new.relationship.strip()
    if not requester:
        raise ValidationError(_("Enter the name of the person who made the request."), field="requester_name")
    if len(requester) > 200:
        raise ValidationError(
            _("The requester's name is too long (200 characters at most)."), field="requester_name"
        )
    if not relationship:
        raise ValidationError(
            _("Say who the requester is to the child (for example the child, mother, father, solicitor)."),
            field="relationship",
        )
    if len(relationship) > 120:
        raise ValidationError(
            _("Keep “relationship to the child” under 120 characters."), field="relationship"
        )
    if new.received_on > today:
        raise ValidationError(
            _(
                "The request cannot have been received on {received_on}: that is in the future. "
                "Check the date."
            ).format(received_on=day_month_year(new.received_on)),
            field="received_on",
        )
    confirmed_on = new.identity_confirmed_on
    if confirmed_on is not None and confirmed_on > today:
        raise ValidationError(
            _("The date identity was confirmed is in the future. Leave it empty until it is confirmed."),
            field="identity_confirmed_on",
        )
    return NewRequest(
        new.child_id, requester, relationship, new.received_on, new.identity_confirmed, confirmed_on,
        new.notes.strip(),
    )  # fmt: skip


def confirm_identity(ctx: AppContext, request_id: int, confirmed_on: date) -> RequestRow:
    """Proof of identity arrived: the month runs from that day (if later than receipt)."""
    today = london(ctx.clock.now()).date()
    bounds.check_date(confirmed_on, _("the date identity was confirmed"), field="identity_confirmed_on")
    if confirmed_on > today:
        raise ValidationError(
            _("The date identity was confirmed is in the future."), field="identity_confirmed_on"
        )
    with ctx.store.session() as session:
        row = open_request(session, request_id)
        start = clock_starts(row.received_on, confirmed_on)
        row.identity_confirmed = True
        row.clock_starts_on = start
        row.due_on = response_due(start, ico_calendar(session))
        row.extended_due_on = None  # an extension counts from day one too; the DSL extends again if needed
        audit_request(ctx, session, "sar_identity_confirmed", row.id, {"clock_starts": start.isoformat()})
        return _rows(session, [row], today)[0]


def extend(ctx: AppContext, request_id: int, further_months: int, reason: str) -> RequestRow:
    """Extend by one or two further months (complex requests), with the reason the requester is told."""
    today = london(ctx.clock.now()).date()
    bounds.check_text(reason, "the reason", field="reason")
    reason = reason.strip()
    if not isinstance(further_months, int) or not 1 <= further_months <= MAX_EXTENSION_MONTHS:
        raise ValidationError(_("An extension is of one or two further months."), field="further_months")
    if not reason:
        raise ValidationError(
            _("Say why the request needs more time: the requester must be told the reason."), field="reason"
        )
    check_reason_length(reason)
    with ctx.store.session() as session:
        row = open_request(session, request_id)
        if today > row.due_on:
            raise ValidationError(
                _(
                    "The first month ended on {due_on}. An extension has to be decided, and the "
                    "requester told, within the first month, so it cannot be added now."
                ).format(due_on=day_month_year(row.due_on)),
                field="further_months",
            )
        start = row.clock_starts_on
        extended = response_due(start, ico_calendar(session), extension_months=further_months)
        if row.extended_due_on is not None and extended <= row.extended_due_on:
            raise ValidationError(
                _("The request is already extended to {extended_due_on}.").format(
                    extended_due_on=day_month_year(row.extended_due_on)
                ),
                field="further_months",
            )
        row.extended_due_on = extended
        row.extension_reason = reason
        audit_request(
            ctx, session, "sar_extended", row.id, {"months": further_months, "due_on": extended.isoformat()}
        )
        return _rows(session, [row], today)[0]


def mark_responded(ctx: AppContext, request_id: int, method: str) -> RequestRow:
    bounds.check_text(method, _("how it was sent"), limit=bounds.LINE_MAX, field="method")
    method = method.strip()
    if not method:
        raise ValidationError(
            _("Say how the response was sent (for example by secure email, or handed over in person)."),
            field="method",
        )
    if len(method) > 120:
        raise ValidationError(_("Keep “how it was sent” under 120 characters."), field="method")
    now = ctx.clock.now()
    with ctx.store.session() as session:
        row = open_request(session, request_id)
        row.status, row.responded_at, row.response_method = "responded", now, method
        audit_request(ctx, session, "sar_responded", row.id, {})
        return _rows(session, [row], london(now).date())[0]


def mark_withdrawn(ctx: AppContext, request_id: int) -> RequestRow:
    now = ctx.clock.now()
    with ctx.store.session() as session:
        row = open_request(session, request_id)
        row.status = "withdrawn"
        audit_request(ctx, session, "sar_withdrawn", row.id, {})
        return _rows(session, [row], london(now).date())[0]


def list_requests(
    ctx: AppContext, *, child_id: int | None = None, open_only: bool = False
) -> list[RequestRow]:
    """Open requests first, soonest due first; then answered and withdrawn ones, newest first."""
    if child_id is not None:
        bounds.check_id(child_id, "child")
    with ctx.store.session() as session:
        query = select(SubjectAccessRequest)
        if child_id is not None:
            query = query.where(SubjectAccessRequest.child_id == child_id)
        if open_only:
            query = query.where(SubjectAccessRequest.status == "open")
        rows = _rows(session, list(session.scalars(query)), london(ctx.clock.now()).date())
    return sorted(
        rows, key=lambda r: (0, r.due_on.toordinal(), r.id) if r.status == "open" else (1, -r.id, 0)
    )


def get_request(ctx: AppContext, request_id: int) -> RequestDetail:
    with ctx.store.session() as session:
        row = load_request(session, request_id)
        return RequestDetail(
            _rows(session, [row], london(ctx.clock.now()).date())[0], decisions_of(session, row.id), row.notes
        )


def records_due(ctx: AppContext) -> list[RecordDue]:
    """Open requests with the date the response is due (overdue after it), for the dashboard."""
    today = london(ctx.clock.now()).date()
    rows = list_requests(ctx, open_only=True)
    return [
        RecordDue(
            kind="subject_access",
            subject_id=r.id,
            child_id=r.child_id,
            child=r.child,
            what=_due_what(r, today),
            due_on=r.due_on,
            due_words=r.due_words,
            overdue=r.overdue,
        )
        for r in rows
    ]


def _due_what(row: RequestRow, today: date) -> str:
    what = _(
        "Subject access request {reference} ({relationship}), received {received_on}: respond by {due_on}"
    ).format(
        reference=row.reference,
        relationship=row.relationship,
        received_on=describe_date(row.received_on, today),
        due_on=describe_date(row.due_on, today),
    )
    if row.extended:
        what += " (extended)"
    if not row.identity_confirmed:
        what += _("; identity not yet confirmed")
    return what


def due_words(due: date, today: date) -> str:
    return relative_day(due, today)


def ico_calendar(session: Session) -> WorkingCalendar:
    # Weekends and the nation's bank holidays only: a school's INSET day does not move an ICO deadline.
    return WorkingCalendar(organisation(session).nation)


def audit_request(
    ctx: AppContext, session: Session, action: str, request_id: int, detail: dict[str, object]
) -> None:
    audit.record(
        session,
        at=ctx.clock.now(),
        user_id=ctx.actor.user_id,
        action=action,
        entity=ENTITY,
        entity_id=request_id,
        detail=detail or None,
    )


def check_reason_length(reason: str) -> None:
    if len(reason) > MAX_REASON:
        raise ValidationError(
            _("Keep the reason under {MAX_REASON:,} characters.").format(MAX_REASON=MAX_REASON),
            field="reason",
        )


def load_request(session: Session, request_id: int) -> SubjectAccessRequest:
    row = bounds.fetch(session, SubjectAccessRequest, request_id)
    if row is None:
        raise NotFound(
            _("There is no subject access request number {request_id}.").format(
                request_id=bounds.shown(request_id)
            )
        )
    return row


def open_request(session: Session, request_id: int) -> SubjectAccessRequest:
    row = load_request(session, request_id)
    if row.status != "open":
        words = "answered" if row.status == "responded" else "withdrawn"
        raise ServiceError(
            _("Request SAR-{id} was {words}, so it can no longer be changed.").format(id=row.id, words=words)
        )
    return row


def load_child(session: Session, child_id: int) -> Child:
    child = bounds.fetch(session, Child, child_id)
    if child is None:
        raise ValidationError(_("Choose the child the request is about."), field="child_id")
    return child


def child_names(child: Child) -> set[str]:
    return {n.casefold() for n in (child.given_names, child.family_name, child.full_name) if n}


def users_by_id(session: Session) -> dict[int, str]:
    return {u.id: u.display_name for u in session.scalars(select(User))}


def decisions_in_force(session: Session, request_id: int, *kinds: str) -> list[SarRedaction]:
    return list(
        session.scalars(
            select(SarRedaction).where(
                SarRedaction.request_id == request_id,
                SarRedaction.kind.in_(kinds),
                SarRedaction.removed_at.is_(None),
            )
        )
    )


def decisions_of(session: Session, request_id: int) -> tuple[Decision, ...]:
    users = users_by_id(session)
    rows = session.scalars(
        select(SarRedaction).where(SarRedaction.request_id == request_id).order_by(SarRedaction.id)
    )
    return tuple(decision_view(row, users) for row in rows)


def decision_view(row: SarRedaction, users: dict[int, str]) -> Decision:
    chosen = exemption(row.exemption)
    return Decision(
        row.id, row.kind, row.term, row.item_type, row.item_id, chosen.key, chosen.label, chosen.reference,
        row.reason, row.decided_at, users.get(row.decided_by_id, ""), row.removed_at,
        users.get(row.removed_by_id, "") if row.removed_by_id else "",
    )  # fmt: skip


def _rows(session: Session, rows: list[SubjectAccessRequest], today: date) -> list[RequestRow]:
    if not rows:
        return []
    children = {
        c.id: c.full_name
        for c in session.scalars(select(Child).where(Child.id.in_({r.child_id for r in rows})))
    }
    counts: dict[int, list[int]] = {}
    for request_id, kind in session.execute(
        select(SarRedaction.request_id, SarRedaction.kind).where(
            SarRedaction.request_id.in_([r.id for r in rows]), SarRedaction.removed_at.is_(None)
        )
    ):
        pair = counts.setdefault(request_id, [0, 0])
        pair[0 if kind == REDACT_TERM else 1] += 1
    return [_row(r, children.get(r.child_id, ""), counts.get(r.id, [0, 0]), today) for r in rows]


def _row(row: SubjectAccessRequest, child: str, counts: list[int], today: date) -> RequestRow:
    due = row.extended_due_on or row.due_on
    is_open = row.status == "open"
    return RequestRow(
        id=row.id,
        reference=f"SAR-{row.id}",
        child_id=row.child_id,
        child=child,
        requester=row.requester_name,
        relationship=row.requester_relationship,
        received_on=row.received_on,
        identity_confirmed=row.identity_confirmed,
        due_on=due,
        first_due_on=row.due_on,
        extended=row.extended_due_on is not None,
        extension_reason=row.extension_reason,
        status=row.status,
        responded_at=row.responded_at,
        response_method=row.response_method,
        due_words=due_words(due, today) if is_open else "",
        overdue=is_open and today > due,
        terms=counts[0],
        withheld=counts[1],
    )


def day_of(instant: datetime) -> str:
    local = london(instant)
    return medium_date(local.date())
