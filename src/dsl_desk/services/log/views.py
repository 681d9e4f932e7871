"""Read models for the discussion log: plain dataclasses the chronology, search, dashboard and CLI share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dsl_desk.core.i18n import _

LATE_AFTER = timedelta(hours=24)

# Stored keys and the words shown for them. Keys never change (they are in the database); words may.
METHODS: dict[str, str] = {
    "face_to_face": "Face to face",
    "telephone": "Telephone",
    "email": "Email",
    "letter": "Letter",
    "professionals_meeting": "Professionals' meeting",
    "strategy_meeting": "Strategy meeting",
    "core_group": "Core group",
    "child_protection_conference": "Child protection conference",
    "other": "Other",
}
# Wigan 2.5: dissent is recorded "within multi agency meetings", so a dissent entry is one of these.
MEETING_METHODS = frozenset(
    {"professionals_meeting", "strategy_meeting", "core_group", "child_protection_conference"}
)
KINDS: dict[str, str] = {"discussion": "Discussion", "dissent": "Dissent at a multi-agency meeting"}


def method_label(key: str) -> str:
    return METHODS.get(key, key.replace("_", " ").capitalize())


def describe_delay(delay: timedelta) -> str:
    """'2 days 3 hours', '30 hours' reads worse; minutes only matter under a day."""
    total_minutes = int(delay.total_seconds() // 60)
    days, rest = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if not days and minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts) or _("less than a minute")


@dataclass(frozen=True)
class ActionView:
    id: int
    description: str
    owner: str
    due_on: date | None
    done_at: datetime | None


@dataclass(frozen=True)
class AttachmentView:
    id: int
    file_name: str
    media_type: str
    size: int
    added_at: datetime


@dataclass(frozen=True)
class ShareView:
    shared_with: str
    shared_at: datetime | None
    recorded_at: datetime | None  # None: recorded with the entry itself


@dataclass(frozen=True)
class EntryView:
    """One stored entry, exactly as written (an amended one keeps its original text)."""

    id: int
    child_id: int
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    author: str
    author_role: str
    method: str
    method_label: str
    participants: str
    summary: str
    child_views: str
    opinion: str
    decisions: str
    escalation_id: int | None
    escalation_reference: str
    stage_key: str
    stage_label: str  # the stage's label in the escalation's policy pack, e.g. "Stage 2"
    amends_id: int | None
    amend_reason: str
    amended_by_id: int | None  # the entry that corrects this one, if any
    late: bool  # written more than 24 hours after the event
    late_by: str  # "2 days 3 hours" when late, else ""
    actions: tuple[ActionView, ...] = ()
    attachments: tuple[AttachmentView, ...] = ()
    shares: tuple[ShareView, ...] = ()

    @property
    def is_amended(self) -> bool:
        return self.amended_by_id is not None

    @property
    def is_dissent(self) -> bool:
        return self.kind == "dissent"


@dataclass(frozen=True)
class ChronologyItem:
    """One event in the chronology: its current version, and the versions it replaced (oldest first)."""

    current: EntryView
    earlier: tuple[EntryView, ...] = ()


@dataclass(frozen=True)
class Chronology:
    child_id: int
    child_name: str
    date_of_birth: date
    escalation_id: int | None
    escalation_reference: str
    items: tuple[ChronologyItem, ...]

    @property
    def entry_count(self) -> int:
        return sum(1 + len(item.earlier) for item in self.items)


@dataclass(frozen=True)
class SearchHit:
    entry_id: int
    child_id: int
    child_name: str
    occurred_at: datetime
    method_label: str
    author: str
    escalation_reference: str
    snippet: str  # matched words between MATCH_START and MATCH_END (see store.search)
    superseded: bool  # a later entry corrects this one


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[SearchHit, ...]
    more: bool  # there are more matches than were returned


@dataclass(frozen=True)
class OpenActionRow:
    """An action agreed in a discussion and not yet done, for the dashboard."""

    action_id: int
    entry_id: int
    child_id: int
    child: str
    description: str
    owner: str
    due_on: date | None
    overdue: bool
    escalation_reference: str


@dataclass(frozen=True)
class AuthorOption:
    id: int
    name: str


@dataclass(frozen=True)
class ExportResult:
    path: str
    pages: int
    entries: int
