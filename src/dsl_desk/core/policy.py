"""Policy packs: one partnership's escalation policy as typed, frozen data, loaded from a TOML file."""

from __future__ import annotations

import difflib
import re
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, cast

from dsl_desk.core.calendar import Deadline, WorkingCalendar
from dsl_desk.core.i18n import _

FORMAT_VERSION = 1

TimescaleKind = Literal["immediately", "same_working_day", "working_days", "none"]
RequirementKind = Literal["notification", "form", "copy", "action"]
RequirementWhen = Literal["always", "child_protection_plan", "looked_after"]
Obligation = Literal["must", "should"]

TIMESCALE_KINDS: tuple[str, ...] = ("immediately", "same_working_day", "working_days", "none")
REQUIREMENT_KINDS: tuple[str, ...] = ("notification", "form", "copy", "action")
REQUIREMENT_WHENS: tuple[str, ...] = ("always", "child_protection_plan", "looked_after")
OBLIGATIONS: tuple[str, ...] = ("must", "should")
# The kinds of agency a step can be limited to (St Helens: "For cases involving Social Care ...").
AGENCY_KINDS: dict[str, str] = {
    "social_care": "Children's social care",
    "health": "Health",
    "police": "Police",
    "education": "Education (a school, college or nursery)",
    "early_help": "Early help or family support",
    "housing": "Housing",
    "probation": "Probation or youth justice",
    "other": "Another kind of agency",
}
# No policy gives a timescale longer than a few weeks: anything bigger is a typing mistake.
MAX_TIMESCALE_DAYS = 60
# What a policy can demand when an escalation runs past its maximum (Barnet: section 3).
OVERRUN_FIELDS: tuple[str, ...] = ("reason", "manager_confirmation_child_safe")

MAX_PACK_BYTES = 512 * 1024  # the largest shipped pack is about 30 KB
_KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*")


# ---------------------------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timescale:
    """How long a step may take. `days` counts only for kind "working_days".

    "immediately" is due at the moment it applies: it is overdue until done, whatever the hour.
    `may_shorten`: the policy lets the DSL set a shorter timescale that protects the child (City & Hackney 1.4).
    """

    kind: TimescaleKind
    days: int = 0
    text: str = ""
    may_shorten: bool = False

    def deadline(self, calendar: WorkingCalendar, event: datetime) -> Deadline | None:
        if self.kind == "immediately":
            return Deadline(event, out_of_hours=not calendar.in_working_hours(event))
        if self.kind == "same_working_day":
            return calendar.same_working_day(event)
        if self.kind == "working_days":
            return calendar.within_working_days(event, self.days)
        return None


@dataclass(frozen=True)
class Requirement:
    """Something the policy asks for at a stage: tell someone, fill in a form, send a copy, or do something."""

    key: str
    kind: RequirementKind
    text: str
    when: RequirementWhen = "always"
    recipient: str = ""
    form: str = ""
    citation: str = ""
    # True when the policy says this must happen before the next stage may start.
    before_next_stage: bool = False
    # "must": moving on and closing wait until it is done or a reason is recorded; "should": a reminder.
    obligation: Obligation = "should"
    timescale: Timescale | None = None  # its own deadline, counted from when the stage started
    agency_kinds: tuple[str, ...] = ()  # only when the other agency is of one of these kinds
    note_prompt: str = ""  # ticking it off needs a note answering this (Hackney 2.14: the Panel's members)


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    title: str
    our_side: str
    their_side: str
    what_happens: str
    timescale: Timescale
    requirements: tuple[Requirement, ...]
    prerequisites: tuple[str, ...]
    partnership_level: bool
    citation: str
    entry_condition: str = ""  # the policy's words on when this stage starts
    prerequisite_text: str = ""  # the policy's words behind `prerequisites`
    # True when the stage happens inside your own agency (St Helens Stage One: consult your own manager), so
    # nobody at the other agency owes a response yet.
    within_own_agency: bool = False
    # The Director of Children's Services "will make the final binding decision" (St Helens): the outcome is a
    # decision recorded in writing, not one agreed between the agencies.
    binding_decision: bool = False
    # How the stage is printed when the policy gives two stages the same label (St Helens' two Stage Fours).
    distinct_label: str = ""

    @property
    def display_name(self) -> str:
        return f"{self.label} – {self.title}"

    @property
    def printed_label(self) -> str:
        """The label that tells this stage apart from every other stage of its policy."""
        return self.distinct_label or self.label


@dataclass(frozen=True)
class PreStep:
    """What the policy asks before (or alongside) the formal stages."""

    key: str
    title: str
    text: str
    timescale: Timescale
    citation: str
    obligation: Obligation = "should"
    agency_kinds: tuple[str, ...] = ()  # only when the other agency is of one of these kinds
    after: str = ""  # applies once this earlier pre-step is done; its timescale counts from then
    within_own_agency: bool = False  # done inside the school: closure days move it


@dataclass(frozen=True)
class ImmediateRisk:
    timescale: Timescale
    instruction: str
    inform: tuple[str, ...]
    citation: str


@dataclass(frozen=True)
class ClosingForm:
    """A form to complete when the disagreement is resolved; `from_stage`: only if the escalation got that far."""

    form: str
    title: str
    recipient: str = ""
    from_stage: str = ""
    citation: str = ""


@dataclass(frozen=True)
class ClosingRules:
    written_outcome_required: bool
    learning_referred_to: str
    debrief_suggested: bool
    parents_informed_asked: bool
    closing_forms: tuple[ClosingForm, ...]
    action_log: str
    max_working_days: int | None
    overrun_requires: tuple[str, ...]
    citation: str
    overrun_text: str = ""  # the policy's words on running past max_working_days
    # "must" when the policy requires learning/gaps to be reported (St Helens: "must be brought to the attention
    # of the chair of the Board"): the DSL answers yes or no, and yes adds a step that blocks nothing but is owed.
    learning_obligation: Obligation = "should"

    @property
    def forms(self) -> tuple[str, ...]:
        return tuple(f.form for f in self.closing_forms)


@dataclass(frozen=True)
class Contact:
    level: str
    name: str
    role: str
    agency: str
    phone: str = ""
    email: str = ""
    stage: str = ""  # the stage key this contact belongs to, when the policy ties them to one
    urgent: bool = False  # whom to call now when a child is at immediate risk (out of hours too)


@dataclass(frozen=True)
class BoardContact:
    name: str
    postal_address: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class SourceDocument:
    title: str
    adopted_by: str
    dates: str
    review: str
    review_due: date | None = None  # the last day of the review month the document prints
    where_to_check: str = ""  # where a DSL finds the current version

    def review_overdue(self, today: date) -> bool:
        return self.review_due is not None and today > self.review_due


@dataclass(frozen=True)
class Category:
    key: str
    label: str


@dataclass(frozen=True)
class RelatedForm:
    """A form the policy mentions that is not part of a case's escalation (e.g. Medway's Practice Alert)."""

    key: str
    title: str
    text: str
    citation: str


@dataclass(frozen=True)
class Note:
    """Guidance from the policy worth showing the DSL that is not a stage."""

    key: str
    title: str
    text: str
    citation: str


@dataclass(frozen=True)
class PolicyPack:
    id: str
    name: str
    short_name: str
    version: str
    document: SourceDocument
    board: BoardContact
    categories: tuple[Category, ...]
    pre_steps: tuple[PreStep, ...]
    stages: tuple[Stage, ...]
    overall_timescale: Timescale | None
    immediate_risk: ImmediateRisk | None  # None: the policy says nothing about immediate risk
    closing: ClosingRules
    contacts: tuple[Contact, ...]
    allow_skipping_stages: bool
    recording: str
    related_forms: tuple[RelatedForm, ...] = ()
    notes: tuple[Note, ...] = ()

    def stage(self, key: str) -> Stage:
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise KeyError(
            _("The {short_name} policy has no stage {key!r}").format(short_name=self.short_name, key=key)
        )

    def stage_index(self, key: str) -> int:
        return self.stages.index(self.stage(key))

    def has_stage(self, key: str) -> bool:
        return any(s.key == key for s in self.stages)

    @property
    def first_stage(self) -> Stage:
        return self.stages[0]

    @property
    def last_stage(self) -> Stage:
        return self.stages[-1]

    def next_stage(self, key: str) -> Stage | None:
        index = self.stage_index(key) + 1
        return self.stages[index] if index < len(self.stages) else None

    def contacts_for(self, stage_key: str) -> tuple[Contact, ...]:
        return tuple(c for c in self.contacts if c.stage == stage_key)

    @property
    def urgent_contacts(self) -> tuple[Contact, ...]:
        return tuple(c for c in self.contacts if c.urgent)

    def pre_step(self, key: str) -> PreStep | None:
        return next((p for p in self.pre_steps if p.key == key), None)


# ---------------------------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackError:
    """A pack that could not be loaded: which file, where, which field, and what is wrong, in plain English."""

    file: Path
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file.name if self.line is None else f"{self.file.name}, line {self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class PackLoadError(ValueError):
    def __init__(self, error: PackError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class PackLoadResult:
    packs: dict[str, PolicyPack] = field(default_factory=dict)
    errors: tuple[PackError, ...] = ()


def builtin_policies_dir() -> Path:
    """The packs shipped with the app: next to the source tree, or inside a PyInstaller bundle."""
    if getattr(sys, "frozen", False) and hasattr(sys, "_MEIPASS"):
        return Path(sys._MEIPASS) / "resources" / "policies"
    return Path(__file__).resolve().parents[3] / "resources" / "policies"


def load_pack(path: Path) -> PolicyPack:
    """Read and check one pack; raises PackLoadError naming the file, line and field."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_PACK_BYTES:
            raise PackLoadError(
                PackError(
                    path,
                    None,
                    "",
                    _("is larger than a policy pack can be ({value} KB)").format(
                        value=MAX_PACK_BYTES // 1024
                    ),
                )
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackLoadError(
            PackError(path, None, "", _("could not be read ({exc})").format(exc=exc))
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, message = _syntax_error_position(exc)
        raise PackLoadError(
            PackError(path, line, "", _("is not valid TOML: {message}").format(message=message))
        ) from exc
    except RecursionError as exc:  # tables or arrays nested thousands deep
        raise PackLoadError(PackError(path, None, "", _("is nested too deeply to be a policy pack"))) from exc
    try:
        return _build_pack(_Table(data, ""))
    except _SchemaError as exc:
        raise PackLoadError(
            PackError(path, find_field_line(text, exc.field), exc.field, exc.message)
        ) from exc


def load_packs(dirs: Sequence[Path]) -> PackLoadResult:
    """Load every *.toml in each folder, in order. Bad packs become errors; the rest still load.

    A later folder (the user's) adds packs but may not replace one already loaded: a duplicate id is an error,
    so a safeguarding policy never changes silently.
    """
    packs: dict[str, PolicyPack] = {}
    origins: dict[str, Path] = {}
    errors: list[PackError] = []
    for directory in dirs:
        for path in _pack_files(Path(directory), errors):
            try:
                pack = load_pack(path)
            except PackLoadError as exc:
                errors.append(exc.error)
                continue
            if pack.id in packs:
                errors.append(_duplicate_error(path, pack.id, origins[pack.id]))
                continue
            packs[pack.id] = pack
            origins[pack.id] = path
    return PackLoadResult(packs, tuple(errors))


def _pack_files(directory: Path, errors: list[PackError]) -> list[Path]:
    if not directory.is_dir():
        return []  # the user's folder may simply not exist yet
    try:
        return sorted(p for p in directory.glob("*.toml") if p.is_file())
    except OSError as exc:
        errors.append(
            PackError(directory, None, "", _("the folder could not be read ({exc})").format(exc=exc))
        )
        return []


def _duplicate_error(path: Path, pack_id: str, first: Path) -> PackError:
    try:
        line = find_field_line(path.read_text(encoding="utf-8"), "pack.id")
    except (OSError, UnicodeDecodeError):
        line = None
    message = _(
        "the id {pack_id!r} is already used by {first}; this pack was not loaded. "
        "Give it a different id to use it alongside the other one."
    ).format(pack_id=pack_id, first=first)
    return PackError(path, line, "pack.id", message)


def _syntax_error_position(exc: tomllib.TOMLDecodeError) -> tuple[int | None, str]:
    """tomllib puts '(at line L, column C)' in its message; Python 3.14 also has exc.lineno."""
    text = str(exc)
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)", text)
    if match is None:
        return getattr(exc, "lineno", None), text
    return int(match.group(1)), f"{text[: match.start()]} (column {match.group(2)})"


# --- finding the line of a dotted field, as best we can --------------------------------------------------------

_HEADER = re.compile(r"^\s*\[")


def find_field_line(text: str, dotted: str) -> int | None:
    """1-based line of a field like 'stages[2].timescale.kind', or of the nearest enclosing table found."""
    lines = text.splitlines()
    position: int | None = None
    prefix: list[str] = []
    for name, index in _segments(dotted):
        prefix.append(name)
        start = 0 if position is None else position
        hit = _find_segment(lines, start, ".".join(prefix), name, index)
        if hit is None:
            break
        position = hit
    return None if position is None else position + 1


def _segments(dotted: str) -> list[tuple[str, int | None]]:
    segments: list[tuple[str, int | None]] = []
    for part in dotted.split("."):
        match = re.fullmatch(r"(.+?)\[(\d+)\]", part)
        segments.append((match.group(1), int(match.group(2))) if match else (part, None))
    return [s for s in segments if s[0]]


def _find_segment(lines: list[str], start: int, header: str, name: str, index: int | None) -> int | None:
    escaped = re.escape(header)
    if index is not None:
        array = re.compile(rf"^\s*\[\[\s*{escaped}\s*\]\]")
        hits = [i for i in range(start, len(lines)) if array.match(lines[i])]
        return hits[index] if index < len(hits) else None
    table = re.compile(rf"^\s*\[\s*{escaped}\s*\]")
    for i in range(start, len(lines)):
        if table.match(lines[i]):
            return i
    return _find_key(lines, start, name)


def _find_key(lines: list[str], start: int, name: str) -> int | None:
    key = re.compile(rf"(?:^|[{{,\s]){re.escape(name)}\s*=")
    for i in range(start, len(lines)):
        if i > start and _HEADER.match(lines[i]):
            return None  # left the table we were in
        if not lines[i].lstrip().startswith("#") and key.search(lines[i]):
            return i
    return None


# --- reading typed values with their dotted path ----------------------------------------------------------------


class _SchemaError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class _Table:
    """A TOML table plus its dotted path, so every error names the field it is about."""

    def __init__(self, data: dict[str, Any], path: str) -> None:
        self.data = data
        self.path = path

    def name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> _SchemaError:
        return _SchemaError(self.name(key), message)

    def allow(self, *keys: str) -> None:
        """Unknown keys are almost always typos ("timscale"), so they are errors, with a suggestion."""
        for key in self.data:
            if key not in keys:
                guess = difflib.get_close_matches(key, keys, n=1)
                hint = (
                    _(" – did you mean {guess!r}?").format(guess=guess[0])
                    if guess
                    else _("; expected one of: {join}").format(join=", ".join(keys))
                )
                raise self.error(key, f"is not a field this table can have{hint}")

    def _get(self, key: str, kind: type | tuple[type, ...], what: str, default: Any) -> Any:
        if key not in self.data:
            if default is _REQUIRED:
                raise self.error(key, f"is missing; it should be {what}")
            return default
        value = self.data[key]
        # bool is an int in Python; TOML keeps them apart, so do we.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise self.error(key, f"should be {what}, not {_describe(value)}")
        return value

    def text(self, key: str, default: Any = None) -> str:
        value = self._get(key, str, _("text in quotes"), _REQUIRED if default is None else default)
        return cast(str, value).strip()

    def key(self, key: str) -> str:
        value = self.text(key)
        if not _KEY_PATTERN.fullmatch(value):
            raise self.error(key, f"{value!r} should be lower case letters, digits and _ (e.g. 'stage_1')")
        return value

    def choice(self, key: str, options: Iterable[str], default: str | None = None) -> str:
        value = self.text(key, default)
        if value not in options:
            raise self.error(key, f"{value!r} is not one of: {', '.join(options)}")
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        return cast(bool, self._get(key, bool, _("true or false"), _REQUIRED if default is None else default))

    def number(self, key: str, default: Any = None) -> int:
        return cast(int, self._get(key, int, _("a whole number"), _REQUIRED if default is None else default))

    def optional_number(self, key: str) -> int | None:
        return cast(int | None, self._get(key, int, _("a whole number"), None))

    def optional_date(self, key: str) -> date | None:
        value = self._get(key, date, _("a date written like 2019-07-31 (no quotes)"), None)
        if isinstance(value, datetime):
            raise self.error(key, "should be a date without a time, like 2019-07-31")
        return cast(date | None, value)

    def texts(self, key: str) -> tuple[str, ...]:
        values = self._get(key, list, _("a list of texts in quotes"), [])
        for i, value in enumerate(values):
            if not isinstance(value, str):
                raise _SchemaError(
                    f"{self.name(key)}[{i}]",
                    _("should be text in quotes, not {describe}").format(describe=_describe(value)),
                )
        return tuple(v.strip() for v in values)

    def table(self, key: str) -> _Table:
        return _Table(self._get(key, dict, "a table", _REQUIRED), self.name(key))

    def optional_table(self, key: str) -> _Table | None:
        value = self._get(key, dict, "a table", None)
        return None if value is None else _Table(value, self.name(key))

    def tables(self, key: str) -> list[_Table]:
        values = self._get(key, list, _("a list of tables ([[...]])"), [])
        result: list[_Table] = []
        for i, value in enumerate(values):
            if not isinstance(value, dict):
                raise _SchemaError(
                    f"{self.name(key)}[{i}]",
                    _("should be a table, not {describe}").format(describe=_describe(value)),
                )
            result.append(_Table(value, f"{self.name(key)}[{i}]"))
        return result


_REQUIRED: Any = object()


def _describe(value: object) -> str:
    names = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


# --- building the pack --------------------------------------------------------------------------------------------


def _build_pack(root: _Table) -> PolicyPack:
    root.allow(
        "pack", "document", "board", "categories", "overall_timescale", "immediate_risk",
        "pre_steps", "stages", "closing", "contacts", "related_forms", "notes",
    )  # fmt: skip
    head = root.table("pack")
    head.allow("format", "id", "name", "short_name", "version", "allow_skipping_stages", "recording")
    if head.number("format") != FORMAT_VERSION:
        raise head.error("format", f"this version of DSL Desk reads pack format {FORMAT_VERSION}")
    overall = root.optional_table("overall_timescale")
    risk = root.optional_table("immediate_risk")
    pack = PolicyPack(
        id=head.key("id"),
        name=head.text("name"),
        short_name=head.text("short_name"),
        version=head.text("version"),
        document=_document(root.table("document")),
        board=_board(root.table("board")),
        categories=tuple(_category(t) for t in root.tables("categories")),
        pre_steps=tuple(_pre_step(t) for t in root.tables("pre_steps")),
        stages=tuple(_stage(t) for t in root.tables("stages")),
        overall_timescale=None if overall is None else _timescale(overall),
        immediate_risk=None if risk is None else _immediate_risk(risk),
        closing=_closing(root.table("closing")),
        contacts=tuple(_contact(t) for t in root.tables("contacts")),
        allow_skipping_stages=head.flag("allow_skipping_stages", default=False),
        recording=head.text("recording", ""),
        related_forms=tuple(_related_form(t) for t in root.tables("related_forms")),
        notes=tuple(_note(t) for t in root.tables("notes")),
    )
    _check_pack(pack)
    return pack


def _document(t: _Table) -> SourceDocument:
    t.allow("title", "adopted_by", "dates", "review", "review_due", "where_to_check")
    return SourceDocument(
        t.text("title"),
        t.text("adopted_by", ""),
        t.text("dates", ""),
        t.text("review", ""),
        review_due=t.optional_date("review_due"),
        where_to_check=t.text("where_to_check", ""),
    )


def _board(t: _Table) -> BoardContact:
    t.allow("name", "postal_address", "email", "phone")
    return BoardContact(
        t.text("name"), t.text("postal_address", ""), t.text("email", ""), t.text("phone", "")
    )


def _category(t: _Table) -> Category:
    t.allow("key", "label")
    return Category(t.key("key"), t.text("label"))


def _timescale(t: _Table) -> Timescale:
    t.allow("kind", "days", "text", "may_shorten")
    kind = t.choice("kind", TIMESCALE_KINDS)
    days = t.number("days", default=0)
    if kind == "working_days" and days < 1:
        raise t.error("days", 'a "working_days" timescale needs days = 1 or more')
    if days > MAX_TIMESCALE_DAYS:
        raise t.error(
            "days", f"{days} working days is longer than any policy allows (at most {MAX_TIMESCALE_DAYS})"
        )
    if kind != "working_days" and days != 0:
        raise t.error("days", 'days only applies when kind = "working_days"')
    return Timescale(
        cast(TimescaleKind, kind), days, t.text("text", ""), may_shorten=t.flag("may_shorten", default=False)
    )


def _agency_kinds(t: _Table) -> tuple[str, ...]:
    kinds = t.texts("agency_kinds")
    for kind in kinds:
        if kind not in AGENCY_KINDS:
            raise t.error("agency_kinds", f"{kind!r} is not one of: {', '.join(AGENCY_KINDS)}")
    return kinds


def _pre_step(t: _Table) -> PreStep:
    t.allow(
        "key", "title", "text", "timescale", "citation", "obligation", "agency_kinds", "after",
        "within_own_agency",
    )  # fmt: skip
    return PreStep(
        t.key("key"),
        t.text("title"),
        t.text("text"),
        _timescale(t.table("timescale")),
        t.text("citation"),
        obligation=cast(Obligation, t.choice("obligation", OBLIGATIONS, default="should")),
        agency_kinds=_agency_kinds(t),
        after=t.text("after", ""),
        within_own_agency=t.flag("within_own_agency", default=False),
    )


def _immediate_risk(t: _Table) -> ImmediateRisk:
    t.allow("timescale", "instruction", "inform", "citation")
    return ImmediateRisk(
        _timescale(t.table("timescale")), t.text("instruction"), t.texts("inform"), t.text("citation")
    )


def _requirement(t: _Table) -> Requirement:
    t.allow(
        "key", "kind", "text", "when", "recipient", "form", "citation", "before_next_stage", "obligation",
        "timescale", "agency_kinds", "note_prompt",
    )  # fmt: skip
    timescale = t.optional_table("timescale")
    requirement = Requirement(
        key=t.key("key"),
        kind=cast(RequirementKind, t.choice("kind", REQUIREMENT_KINDS)),
        text=t.text("text"),
        when=cast(RequirementWhen, t.choice("when", REQUIREMENT_WHENS, default="always")),
        recipient=t.text("recipient", ""),
        form=t.text("form", ""),
        citation=t.text("citation", ""),
        before_next_stage=t.flag("before_next_stage", default=False),
        obligation=cast(Obligation, t.choice("obligation", OBLIGATIONS, default="should")),
        timescale=None if timescale is None else _timescale(timescale),
        agency_kinds=_agency_kinds(t),
        note_prompt=t.text("note_prompt", ""),
    )
    if requirement.kind == "form" and not requirement.form:
        raise t.error("form", 'is missing; a requirement of kind "form" names the form it needs')
    if requirement.kind in ("notification", "copy") and not requirement.recipient:
        raise t.error("recipient", f'is missing; a "{requirement.kind}" says who it goes to')
    return requirement


def _stage(t: _Table) -> Stage:
    t.allow(
        "key", "label", "title", "our_side", "their_side", "entry_condition", "what_happens", "timescale",
        "requirements", "prerequisites", "prerequisite_text", "partnership_level", "citation",
        "within_own_agency", "binding_decision", "distinct_label",
    )  # fmt: skip
    requirements = tuple(_requirement(r) for r in t.tables("requirements"))
    _unique([r.key for r in requirements], t, "requirements", "requirement key")
    return Stage(
        key=t.key("key"),
        label=t.text("label"),
        title=t.text("title"),
        our_side=t.text("our_side", ""),
        their_side=t.text("their_side", ""),
        what_happens=t.text("what_happens"),
        timescale=_timescale(t.table("timescale")),
        requirements=requirements,
        prerequisites=t.texts("prerequisites"),
        partnership_level=t.flag("partnership_level", default=False),
        citation=t.text("citation"),
        entry_condition=t.text("entry_condition", ""),
        prerequisite_text=t.text("prerequisite_text", ""),
        within_own_agency=t.flag("within_own_agency", default=False),
        binding_decision=t.flag("binding_decision", default=False),
        distinct_label=t.text("distinct_label", ""),
    )


def _closing_form(t: _Table) -> ClosingForm:
    t.allow("form", "title", "recipient", "from_stage", "citation")
    return ClosingForm(
        t.text("form"),
        t.text("title"),
        t.text("recipient", ""),
        t.text("from_stage", ""),
        t.text("citation", ""),
    )


def _closing(t: _Table) -> ClosingRules:
    t.allow(
        "written_outcome_required", "learning_referred_to", "debrief_suggested", "parents_informed_asked",
        "forms", "action_log", "max_working_days", "overrun_requires", "overrun_text", "citation",
        "learning_obligation",
    )  # fmt: skip
    rules = ClosingRules(
        written_outcome_required=t.flag("written_outcome_required"),
        learning_referred_to=t.text("learning_referred_to", ""),
        debrief_suggested=t.flag("debrief_suggested", default=False),
        parents_informed_asked=t.flag("parents_informed_asked", default=False),
        closing_forms=tuple(_closing_form(f) for f in t.tables("forms")),
        action_log=t.text("action_log", ""),
        max_working_days=t.optional_number("max_working_days"),
        overrun_requires=t.texts("overrun_requires"),
        citation=t.text("citation"),
        overrun_text=t.text("overrun_text", ""),
        learning_obligation=cast(Obligation, t.choice("learning_obligation", OBLIGATIONS, default="should")),
    )
    for item in rules.overrun_requires:
        if item not in OVERRUN_FIELDS:
            raise t.error("overrun_requires", f"{item!r} is not one of: {', '.join(OVERRUN_FIELDS)}")
    if rules.max_working_days is not None and not 1 <= rules.max_working_days <= MAX_TIMESCALE_DAYS:
        raise t.error("max_working_days", f"should be between 1 and {MAX_TIMESCALE_DAYS}")
    if rules.overrun_requires and rules.max_working_days is None:
        raise t.error("max_working_days", "is missing; overrun_requires needs a maximum to overrun")
    return rules


def _contact(t: _Table) -> Contact:
    t.allow("level", "name", "role", "agency", "phone", "email", "stage", "urgent")
    return Contact(
        level=t.text("level", ""),
        name=t.text("name", ""),
        role=t.text("role", ""),
        agency=t.text("agency", ""),
        phone=t.text("phone", ""),
        email=t.text("email", ""),
        stage=t.text("stage", ""),
        urgent=t.flag("urgent", default=False),
    )


def _related_form(t: _Table) -> RelatedForm:
    t.allow("key", "title", "text", "citation")
    return RelatedForm(t.key("key"), t.text("title"), t.text("text"), t.text("citation"))


def _note(t: _Table) -> Note:
    t.allow("key", "title", "text", "citation")
    return Note(t.key("key"), t.text("title"), t.text("text"), t.text("citation"))


# --- checks across the whole pack -------------------------------------------------------------------------------


def _check_pack(pack: PolicyPack) -> None:
    root = _Table({}, "")
    if not pack.stages:
        raise root.error("stages", "is missing; a pack needs at least one [[stages]] table")
    _unique([s.key for s in pack.stages], root, "stages", "stage key")
    _unique([c.key for c in pack.categories], root, "categories", "category key")
    _unique([p.key for p in pack.pre_steps], root, "pre_steps", "pre-step key")
    keys = [s.key for s in pack.stages]
    labels = [s.label for s in pack.stages]
    for i, stage in enumerate(pack.stages):
        if labels.count(stage.label) > 1 and not stage.distinct_label:
            raise _SchemaError(
                f"stages[{i}].distinct_label",
                _(
                    "is missing; two stages are labelled {label!r}, so each needs a distinct_label for the forms"
                ).format(label=stage.label),
            )
        for prerequisite in stage.prerequisites:
            if prerequisite not in keys[:i]:
                raise _SchemaError(
                    f"stages[{i}].prerequisites",
                    _("{prerequisite!r} is not the key of an earlier stage").format(
                        prerequisite=prerequisite
                    ),
                )
    _check_references(pack, keys)


def _check_references(pack: PolicyPack, keys: list[str]) -> None:
    pre_keys = [p.key for p in pack.pre_steps]
    for i, step in enumerate(pack.pre_steps):
        if step.after and step.after not in pre_keys[:i]:
            raise _SchemaError(
                f"pre_steps[{i}].after",
                _("{after!r} is not the key of an earlier pre-step").format(after=step.after),
            )
    for i, contact in enumerate(pack.contacts):
        if contact.stage and contact.stage not in keys:
            raise _SchemaError(
                f"contacts[{i}].stage", _("{stage!r} is not the key of a stage").format(stage=contact.stage)
            )
    for i, form in enumerate(pack.closing.closing_forms):
        if form.from_stage and form.from_stage not in keys:
            raise _SchemaError(
                f"closing.forms[{i}].from_stage",
                _("{from_stage!r} is not the key of a stage").format(from_stage=form.from_stage),
            )


def _unique(values: list[str], table: _Table, key: str, what: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise _SchemaError(
                f"{table.name(key)}[{i}].key",
                _("the {what} {value!r} is used twice").format(what=what, value=value),
            )
        seen.add(value)
