"""Attachments (emails, letters, photos of notes) kept inside the encrypted database, never as loose files.

A file is checked for type and size *before* it is read, so a 200 MB video picked by mistake is refused
without loading it into memory. Opening one writes a copy into the private temporary folder inside the data
folder, removed when the caller's `with` block ends, or when the desk is locked or closed (services/scratch.py).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.i18n import _
from dsl_desk.services import bounds, scratch
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.log.views import AttachmentView
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import Attachment, DiscussionEntry

MAX_ATTACHMENT_MB = 25
MAX_ATTACHMENT_BYTES = MAX_ATTACHMENT_MB * 1024 * 1024
MEDIA_TYPES: dict[str, str] = {
    ".eml": "message/rfc822",
    ".msg": "application/vnd.ms-outlook",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".heic": "image/heic",
}
ALLOWED_WORDS = "emails (.eml, .msg), PDFs and images (.png, .jpg, .gif, .webp, .tif, .heic)"


@dataclass(frozen=True)
class CheckedFile:
    path: Path
    file_name: str
    media_type: str
    size: int


def check_file(path: Path) -> CheckedFile:
    """Refuse, with a message saying what to do, a file that is missing, of the wrong type or too big."""
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise ValidationError(
            _(
                "“{name}” cannot be attached: DSL Desk keeps {ALLOWED_WORDS}. "
                "Save it in one of those formats (for example print it to PDF) and attach that."
            ).format(name=path.name, ALLOWED_WORDS=ALLOWED_WORDS),
            field="attachments",
        )
    from dsl_desk.store.files import FileRefused, check_source

    try:
        # An ordinary file only: a device or a named pipe is refused before it is opened.
        check_source(path, kind="file to attach", limit=1 << 62)
        size = path.stat().st_size
    except FileRefused as error:
        raise ValidationError(str(error), field="attachments") from error
    except OSError as error:
        raise ValidationError(
            _("“{name}” could not be read ({value}). Check the file is still there.").format(
                name=path.name, value=error.strerror or error
            ),
            field="attachments",
        ) from error
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _(
                "“{name}” is {value:.0f} MB; an attachment can be at most "
                "{MAX_ATTACHMENT_MB} MB. Attach a smaller copy (for example a PDF of the pages that matter)."
            ).format(name=path.name, value=size / 1024 / 1024, MAX_ATTACHMENT_MB=MAX_ATTACHMENT_MB),
            field="attachments",
        )
    return CheckedFile(path, path.name, media_type, size)


def _read(checked: CheckedFile) -> bytes:
    # Read at most one byte past the limit: a file that grew after the check is still refused.
    from dsl_desk.store.files import FileRefused, read_source

    try:
        content = read_source(checked.path, kind="file to attach", limit=MAX_ATTACHMENT_BYTES + 1)
    except FileRefused as error:
        raise ValidationError(str(error), field="attachments") from error
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("“{file_name}” grew past {MAX_ATTACHMENT_MB} MB while it was being attached.").format(
                file_name=checked.file_name, MAX_ATTACHMENT_MB=MAX_ATTACHMENT_MB
            ),
            field="attachments",
        )
    return content


def store_file(
    session: Session, checked: CheckedFile, *, entry: DiscussionEntry, now: datetime, user_id: int
) -> Attachment:
    """Add one checked file to `entry` in the caller's transaction."""
    content = _read(checked)
    attachment = Attachment(
        entry_id=entry.id,
        escalation_id=entry.escalation_id,
        file_name=checked.file_name,
        media_type=checked.media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        added_at=now,
        added_by_id=user_id,
    )
    session.add(attachment)
    session.flush()
    return attachment


def add_attachment(ctx: AppContext, entry_id: int, path: Path) -> AttachmentView:
    """Attach a file to an entry already written (attaching adds; it does not change the entry)."""
    checked = check_file(path)
    now = ctx.clock.now()
    with ctx.store.session() as session:
        entry = bounds.fetch(session, DiscussionEntry, entry_id)
        if entry is None:
            raise NotFound(
                _("There is no discussion log entry number {entry_id}.").format(
                    entry_id=bounds.shown(entry_id)
                )
            )
        attachment = store_file(session, checked, entry=entry, now=now, user_id=ctx.actor.user_id)
        audit.record(
            session,
            at=now,
            user_id=ctx.actor.user_id,
            action="attachment_added",
            entity="attachment",
            entity_id=attachment.id,
            # No file name: names like "Zephyrine bruise.jpg" would outlive a record's deletion in the trail.
            detail={"entry": entry_id, "sha256": attachment.sha256},
        )
        return view_of(attachment)


def view_of(attachment: Attachment) -> AttachmentView:
    return AttachmentView(
        attachment.id, attachment.file_name, attachment.media_type, attachment.size, attachment.added_at
    )


def list_attachments(session: Session, entry_ids: list[int]) -> dict[int, list[AttachmentView]]:
    """Attachments by entry, without loading their content."""
    query = (
        select(
            Attachment.id,
            Attachment.entry_id,
            Attachment.file_name,
            Attachment.media_type,
            Attachment.size,
            Attachment.added_at,
        )
        .where(Attachment.entry_id.in_(entry_ids))
        .order_by(Attachment.id)
    )
    found: dict[int, list[AttachmentView]] = {}
    for row_id, entry_id, name, media_type, size, added_at in session.execute(query):
        found.setdefault(entry_id, []).append(AttachmentView(row_id, name, media_type, size, added_at))
    return found


def _content(ctx: AppContext, attachment_id: int) -> tuple[str, bytes]:
    with ctx.store.session() as session:
        attachment = bounds.fetch(session, Attachment, attachment_id)
        if attachment is None:
            raise NotFound(
                _("There is no attachment number {attachment_id}.").format(
                    attachment_id=bounds.shown(attachment_id)
                )
            )
        # Taking a copy out of the encrypted database is a disclosure, so it is audited.
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="attachment_opened",
            entity="attachment",
            entity_id=attachment.id,
            detail={"sha256": attachment.sha256},
        )
        return attachment.file_name, attachment.content


def open_copy(ctx: AppContext, attachment_id: int) -> Path:
    """A copy of the attachment for a viewer, in the private temporary folder (services/scratch.py), which
    is emptied when the desk locks, when the app quits and at the next start after a crash. The file is
    named by the attachment's number and a random token, keeping only its extension: the original name
    ("Zephyrine bruise.jpg") is not written to disk."""
    name, content = _content(ctx, attachment_id)
    suffix = Path(name).suffix.lower()
    if suffix not in MEDIA_TYPES:  # only attachable types are stored; this keeps a viewer's guess honest
        suffix = ""
    return scratch.scratch_file(ctx.store.paths, suffix, content, label=f"attachment-{attachment_id}")


@contextlib.contextmanager
def opened_attachment(ctx: AppContext, attachment_id: int) -> Iterator[Path]:
    """A temporary copy of the attachment for the length of the `with` block, then overwritten and removed."""
    path = open_copy(ctx, attachment_id)
    try:
        yield path
    finally:
        scratch.discard(path)
