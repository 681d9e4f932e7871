"""Loading policy packs: reading a pack's TOML file and checking every field, naming the file, line and field
of anything wrong in plain English. A broken pack never stops the others."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from dsl_desk.core.i18n import _
from dsl_desk.core.policy.model import (
    AGENCY_KINDS,
    OBLIGATIONS,
    OVERRUN_FIELDS,
    REQUIREMENT_KINDS,
    REQUIREMENT_WHENS,
    TIMESCALE_KINDS,
    BoardContact,
    Category,
    ClosingForm,
    ClosingRules,
    Contact,
    ImmediateRisk,
    Note,
    Obligation,
    PolicyPack,
    PreStep,
    RelatedForm,
    Requirement,
    RequirementKind,
    RequirementWhen,
    SourceDocument,
    Stage,
    Timescale,
    TimescaleKind,
)
from dsl_desk.core.policy.toml_table import (
    SchemaError,
    Table,
    find_field_line,
    syntax_error_position,
)
from dsl_desk.core.resources import policies_dir

# No policy gives a timescale longer than a few weeks: anything bigger is a typing mistake.
MAX_TIMESCALE_DAYS = 60
FORMAT_VERSION = 1
MAX_PACK_BYTES = 512 * 1024  # the largest shipped pack is about 30 KB


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
    """The packs shipped with the app (package data: see core/resources.py)."""
    return policies_dir()


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
        line, message = syntax_error_position(exc)
        raise PackLoadError(
            PackError(path, line, "", _("is not valid TOML: {message}").format(message=message))
        ) from exc
    except RecursionError as exc:  # tables or arrays nested thousands deep
        raise PackLoadError(PackError(path, None, "", _("is nested too deeply to be a policy pack"))) from exc
    try:
        return _build_pack(Table(data, ""))
    except SchemaError as exc:
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


# --- building the pack --------------------------------------------------------------------------------------------


def _build_pack(root: Table) -> PolicyPack:
    root.allow(
        "pack", "document", "board", "categories", "overall_timescale", "immediate_risk",
        "pre_steps", "stages", "closing", "contacts", "related_forms", "notes",
    )  # fmt: skip
    head = root.table("pack")
    head.allow(
        "format", "id", "name", "short_name", "version", "allow_skipping_stages", "recording",
        "several_categories",
    )  # fmt: skip
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
        several_categories=head.flag("several_categories", default=False),
    )
    _check_pack(pack)
    return pack


def _document(t: Table) -> SourceDocument:
    t.allow("title", "adopted_by", "dates", "review", "review_due", "where_to_check")
    return SourceDocument(
        t.text("title"),
        t.text("adopted_by", ""),
        t.text("dates", ""),
        t.text("review", ""),
        review_due=t.optional_date("review_due"),
        where_to_check=t.text("where_to_check", ""),
    )


def _board(t: Table) -> BoardContact:
    t.allow("name", "postal_address", "email", "phone")
    return BoardContact(
        t.text("name"), t.text("postal_address", ""), t.text("email", ""), t.text("phone", "")
    )


def _category(t: Table) -> Category:
    t.allow("key", "label")
    return Category(t.key("key"), t.text("label"))


def _timescale(t: Table) -> Timescale:
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


def _agency_kinds(t: Table) -> tuple[str, ...]:
    kinds = t.texts("agency_kinds")
    for kind in kinds:
        if kind not in AGENCY_KINDS:
            raise t.error("agency_kinds", f"{kind!r} is not one of: {', '.join(AGENCY_KINDS)}")
    return kinds


def _pre_step(t: Table) -> PreStep:
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


def _immediate_risk(t: Table) -> ImmediateRisk:
    t.allow("timescale", "instruction", "inform", "citation")
    return ImmediateRisk(
        _timescale(t.table("timescale")), t.text("instruction"), t.texts("inform"), t.text("citation")
    )


def _requirement(t: Table) -> Requirement:
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


def _stage(t: Table) -> Stage:
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


def _closing_form(t: Table) -> ClosingForm:
    t.allow("form", "title", "recipient", "from_stage", "citation")
    return ClosingForm(
        t.text("form"),
        t.text("title"),
        t.text("recipient", ""),
        t.text("from_stage", ""),
        t.text("citation", ""),
    )


def _closing(t: Table) -> ClosingRules:
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


def _contact(t: Table) -> Contact:
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


def _related_form(t: Table) -> RelatedForm:
    t.allow("key", "title", "text", "citation")
    return RelatedForm(t.key("key"), t.text("title"), t.text("text"), t.text("citation"))


def _note(t: Table) -> Note:
    t.allow("key", "title", "text", "citation")
    return Note(t.key("key"), t.text("title"), t.text("text"), t.text("citation"))


# --- checks across the whole pack -------------------------------------------------------------------------------


def _check_pack(pack: PolicyPack) -> None:
    root = Table({}, "")
    if not pack.stages:
        raise root.error("stages", "is missing; a pack needs at least one [[stages]] table")
    _unique([s.key for s in pack.stages], root, "stages", "stage key")
    _unique([c.key for c in pack.categories], root, "categories", "category key")
    _unique([p.key for p in pack.pre_steps], root, "pre_steps", "pre-step key")
    keys = [s.key for s in pack.stages]
    labels = [s.label for s in pack.stages]
    for i, stage in enumerate(pack.stages):
        if labels.count(stage.label) > 1 and not stage.distinct_label:
            raise SchemaError(
                f"stages[{i}].distinct_label",
                _(
                    "is missing; two stages are labelled {label!r}, so each needs a distinct_label for the forms"
                ).format(label=stage.label),
            )
        for prerequisite in stage.prerequisites:
            if prerequisite not in keys[:i]:
                raise SchemaError(
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
            raise SchemaError(
                f"pre_steps[{i}].after",
                _("{after!r} is not the key of an earlier pre-step").format(after=step.after),
            )
    for i, contact in enumerate(pack.contacts):
        if contact.stage and contact.stage not in keys:
            raise SchemaError(
                f"contacts[{i}].stage", _("{stage!r} is not the key of a stage").format(stage=contact.stage)
            )
    for i, form in enumerate(pack.closing.closing_forms):
        if form.from_stage and form.from_stage not in keys:
            raise SchemaError(
                f"closing.forms[{i}].from_stage",
                _("{from_stage!r} is not the key of a stage").format(from_stage=form.from_stage),
            )


def _unique(values: list[str], table: Table, key: str, what: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise SchemaError(
                f"{table.name(key)}[{i}].key",
                _("the {what} {value!r} is used twice").format(what=what, value=value),
            )
        seen.add(value)
