"""Export a child's chronology (or one escalation's part of it) to PDF. The export is audited.

Children's data leaves the encrypted database only by an explicit action like this one, so the file is
written and the audit row added in one unit of work: if either fails, neither is left behind.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import with_time
from dsl_desk.core.i18n import _
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.log.reading import get_chronology
from dsl_desk.services.log.views import KINDS, Chronology, EntryView, ExportResult
from dsl_desk.store.atomic import write_atomically
from dsl_desk.store.models import DocumentRecord

if TYPE_CHECKING:
    from dsl_desk.documents.chronology import ChronologyMeta, PrintedEntry, PrintedEvent

# The PDF renderer (ReportLab, HarfBuzz) is imported inside the functions that print: this module is
# imported at start-up by the log page, and start-up must not pay for a PDF library it may never use.
CHRONOLOGY_FORM_ID = "chronology"


def suggested_file_name(ctx: AppContext, chronology: Chronology) -> str:
    from dsl_desk.documents.chronology import file_name_for

    return file_name_for(chronology.child_name, ctx.clock.now().date(), chronology.escalation_reference)


def export_chronology(
    ctx: AppContext, child_id: int, out: Path, *, escalation_id: int | None = None
) -> ExportResult:
    bounds.check_path(out, _("the file to write"))  # before get_chronology audits a view
    chronology = get_chronology(ctx, child_id, escalation_id=escalation_id)
    written: list[Path] = []
    try:
        with ctx.store.session() as session:
            org = organisation(session)
            from dsl_desk.documents.chronology import render_chronology

            pdf = render_chronology(printed_events(chronology), _meta(ctx, chronology, org.name, org.is_demo))
            _record(ctx, session, chronology, out, hashlib.sha256(pdf.content).hexdigest())
            # Written last inside the unit of work, so a failed write rolls the audit row back with it.
            write_atomically(out, pdf.content)
            written.append(out)
    except BaseException:
        # The commit failed after the file was written: an unaudited copy of a child's record must not
        # be left on disk.
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return ExportResult(str(out), pdf.pages, chronology.entry_count)


def _meta(ctx: AppContext, chronology: Chronology, organisation_name: str, demo: bool) -> ChronologyMeta:
    from dsl_desk.documents.chronology import ChronologyMeta

    return ChronologyMeta(
        child_name=chronology.child_name,
        date_of_birth=chronology.date_of_birth,
        organisation=organisation_name,
        exported_at=ctx.clock.now(),
        author=f"{ctx.actor.display_name}, {ctx.actor.role}",
        escalation=chronology.escalation_reference,
        demo=demo,
    )


def _record(ctx: AppContext, session: Session, chronology: Chronology, out: Path, sha256: str) -> None:
    now = ctx.clock.now()
    session.add(
        DocumentRecord(
            escalation_id=chronology.escalation_id,
            form_id=CHRONOLOGY_FORM_ID,
            action="export",
            file_name=out.name,
            sha256=sha256,
            at=now,
            by_id=ctx.actor.user_id,
        )
    )
    audit.record(
        session,
        at=now,
        user_id=ctx.actor.user_id,
        action="chronology_exported",
        entity="child",
        entity_id=chronology.child_id,
        detail={
            "escalation": chronology.escalation_id,
            "file": out.name,
            "sha256": sha256,
            "entries": chronology.entry_count,
        },
    )


def printed_events(chronology: Chronology) -> list[PrintedEvent]:
    from dsl_desk.documents.chronology import PrintedEvent

    return [
        PrintedEvent(_printed(item.current), tuple(_printed(v) for v in item.earlier))
        for item in chronology.items
    ]


def _printed(view: EntryView) -> PrintedEntry:
    from dsl_desk.documents.chronology import PrintedAction, PrintedEntry

    escalation = view.escalation_reference
    if escalation and view.stage_label:
        escalation += f", {view.stage_label}"
    return PrintedEntry(
        number=view.id,
        kind_label=KINDS[view.kind] if view.kind != "discussion" else "",
        occurred_at=view.occurred_at,
        recorded_at=view.recorded_at,
        author=view.author,
        author_role=view.author_role,
        method_label=view.method_label,
        summary=view.summary,
        participants=view.participants,
        child_views=view.child_views,
        opinion=view.opinion,
        decisions=view.decisions,
        actions=tuple(PrintedAction(a.description, a.owner, a.due_on, a.done_at) for a in view.actions),
        shared=tuple(_share_line(s.shared_with, s.shared_at) for s in view.shares),
        attachments=tuple(f"{a.file_name} ({_size(a.size)})" for a in view.attachments),
        escalation=escalation,
        late_by=view.late_by,
        amends_number=view.amends_id,
        amend_reason=view.amend_reason,
        corrected_by=view.amended_by_id,
    )


def _share_line(shared_with: str, shared_at: datetime | None) -> str:
    if shared_at is None:
        return shared_with
    local = london(shared_at)
    return f"{shared_with} — {with_time(local)}"


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"
