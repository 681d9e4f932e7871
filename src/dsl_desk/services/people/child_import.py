"""Children brought in from the school's MIS export (CSV) or a Common Transfer File: previewed, then imported.

The preview reads the file and says, row by row, what importing would do: add the child, leave them because
they are already here (by UPN, or name and date of birth), or refuse the row and why. Importing does the same
in one transaction: every child added or none, each audited, and duplicates found, never created. A file that
cannot be read changes nothing and says why in plain words.

The desk keeps no UPN (the children table has no column for it), so a child already here is found by name and
date of birth; the UPN still tells two pupils in the file apart and finds a pupil repeated in it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy import select

from dsl_desk.core.child_import import (
    ADD,
    ALREADY,
    REFUSE,
    Decision,
    ImportFileError,
    IncomingChild,
    KnownChild,
    ReadFile,
    match,
)
from dsl_desk.core.child_import_file import read_file
from dsl_desk.core.clock import london
from dsl_desk.core.i18n import _
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.people.children import ChildDetails, flags_of, validate
from dsl_desk.store.models import Child

MAX_IMPORT_BYTES = 20 * 1024 * 1024
ADDED = "added"


@dataclass(frozen=True)
class ImportRow:
    row: int  # the CSV line, or the pupil's place in the CTF
    name: str
    date_of_birth: date | None
    verdict: str  # "add" (preview) / "added", "already here" or "refused"
    reason: str = ""  # which record it already is, or why it was refused
    note: str = ""  # something to check that did not stop it
    flags: tuple[str, ...] = ()
    child_id: int | None = None  # the record it is (already here) or became (added)


@dataclass(frozen=True)
class ImportSummary:
    file_name: str
    kind: str  # "CSV" or "CTF"
    source: str  # the CTF's sending school, if it says
    rows: tuple[ImportRow, ...]
    columns: tuple[tuple[str, str], ...]
    unused: tuple[str, ...]
    repeats: int  # rows that repeated a pupil (one per contact), taken as that pupil
    imported: bool  # False for a preview

    def count(self, *verdicts: str) -> int:
        return sum(1 for row in self.rows if row.verdict in verdicts)

    @property
    def added(self) -> int:
        return self.count(ADD, ADDED)

    @property
    def already(self) -> int:
        return self.count(ALREADY)

    @property
    def refused(self) -> int:
        return self.count(REFUSE)

    def words(self) -> str:
        """ "3 children added, 1 already here, 1 refused." (or "would be added" for a preview)."""
        added = f"{_children(self.added)} {'added' if self.imported else 'to add'}"
        parts = [added, f"{self.already:,} already here"]
        if self.refused:
            parts.append(f"{self.refused:,} refused")
        return ", ".join(parts) + "."


def _children(n: int) -> str:
    return f"{n:,} child" if n == 1 else f"{n:,} children"


def preview_import(ctx: AppContext, path: Path | str) -> ImportSummary:
    """What importing `path` would do, row by row; nothing is written."""
    path = Path(path)
    data = _read(path)
    with ctx.store.session() as session:
        read, decisions = _plan(ctx, session, data, path.name)
    return _summary(path.name, read, decisions, {}, imported=False)


def import_children(ctx: AppContext, path: Path | str) -> ImportSummary:
    """Add every child the file has that is not already here, in one transaction, each audited."""
    path = Path(path)
    data = _read(path)
    now = ctx.clock.now()
    with ctx.store.session() as session:
        read, decisions = _plan(ctx, session, data, path.name)
        created: dict[int, int] = {}
        for decision in decisions:
            if decision.verdict != ADD:
                continue
            details = _details(decision.child)
            child = Child(**details.__dict__, created_at=now, created_by_id=ctx.actor.user_id)
            session.add(child)
            session.flush()
            created[decision.child.row] = child.id
            audit.record(
                session,
                at=now,
                user_id=ctx.actor.user_id,
                action="child_added",
                entity="child",
                entity_id=child.id,
                detail={"via": f"{read.kind} import"},
            )
        summary = _summary(path.name, read, decisions, created, imported=True)
        if created:
            audit.record(
                session,
                at=now,
                user_id=ctx.actor.user_id,
                action="children_imported",
                entity="child",
                detail={
                    "format": read.kind,
                    "file_sha256": hashlib.sha256(data).hexdigest(),
                    "added": summary.added,
                    "already_here": summary.already,
                    "refused": summary.refused,
                },
            )
    return summary


def _read(path: Path) -> bytes:
    from dsl_desk.store.files import FileRefused, read_source

    try:
        return read_source(path, kind="file of children", limit=MAX_IMPORT_BYTES)
    except FileRefused as error:
        raise ValidationError(str(error), field="file") from error


def _plan(
    ctx: AppContext, session: object, data: bytes, file_name: str
) -> tuple[ReadFile, tuple[Decision, ...]]:
    today = london(ctx.clock.now()).date()
    try:
        read = read_file(data, file_name, today=today)
    except ImportFileError as error:
        raise ValidationError(_("{error} Nothing was imported.").format(error=error), field="file") from None
    incoming = tuple(_checked(child, today) for child in read.children)
    known = [
        KnownChild(child.id, child.given_names, child.family_name, child.date_of_birth)
        for child in session.scalars(select(Child))  # type: ignore[attr-defined]
    ]
    return read, match(incoming, known)


def _checked(child: IncomingChild, today: date) -> IncomingChild:
    """The children service's own rules (a future date of birth, a name too long…) as the row's problem."""
    if child.problem:
        return child
    try:
        validate(_details(child), today)
    except ValidationError as error:
        return replace(child, problem=_lower_first(str(error)))
    return child


def _details(child: IncomingChild) -> ChildDetails:
    assert child.date_of_birth is not None
    return ChildDetails(
        given_names=child.given_names.strip(),
        family_name=child.family_name.strip(),
        date_of_birth=child.date_of_birth,
        address=child.address,
        parents_carers=child.parents_carers,
        child_protection_plan=child.child_protection_plan,
        looked_after=child.looked_after,
        child_in_need=child.child_in_need,
        ehcp=child.ehcp,
    )


def _summary(
    file_name: str,
    read: ReadFile,
    decisions: tuple[Decision, ...],
    created: dict[int, int],
    *,
    imported: bool,
) -> ImportSummary:
    rows = []
    for decision in decisions:
        child = decision.child
        verdict = ADDED if imported and decision.verdict == ADD else decision.verdict
        rows.append(
            ImportRow(
                row=child.row,
                name=child.name or "(no name)",
                date_of_birth=child.date_of_birth,
                verdict=verdict,
                reason=decision.reason,
                note=child.note,
                flags=flags_of(_details(child)) if child.date_of_birth else (),
                child_id=created.get(child.row, decision.existing_id),
            )
        )
    return ImportSummary(
        file_name=file_name,
        kind=read.kind,
        source=read.source,
        rows=tuple(rows),
        columns=read.columns,
        unused=read.unused,
        repeats=read.repeats,
        imported=imported,
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
