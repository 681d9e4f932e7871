"""The checklist knows what the app did: a form exported, printed or emailed ticks off the item that asks for it.

Called by services/exports.py inside the transaction that writes the DocumentRecord, so the record and the
ticked item are kept together or not at all. An item already done is never touched again (not re-opened, not
re-dated, not re-worded).

Which items a document completes:
- kind "form": any export, print or email draft of the item's form;
- kind "copy": only a copy of the item's form addressed to the item's recipient — an email draft (it goes to the
  partnership's board) when the item's recipient is the board under any of its names or addresses, or an export
  made for that very recipient. A copy printed for the governors, or the form saved to a USB stick, is not a copy
  sent to the partnership.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.policy import BoardContact
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.people.partnership_contacts import merged_board
from dsl_desk.store.models import ChecklistItem, DocumentRecord, Escalation

FORM_KINDS = ("form", "copy")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class TickedItem:
    item_id: int
    requirement_key: str
    note: str


def complete_items_for_document(
    session: Session,
    ctx: AppContext,
    record: DocumentRecord,
    *,
    form_title: str,
    extra: Mapping[str, object] | None = None,
) -> list[TickedItem]:
    """Tick off the escalation's open items that `record` satisfies; audit each one. Returns what was ticked."""
    if record.escalation_id is None:
        return []
    escalation = session.get(Escalation, record.escalation_id)
    if escalation is None:
        return []
    items = session.scalars(
        select(ChecklistItem)
        .where(
            ChecklistItem.escalation_id == escalation.id,
            ChecklistItem.form_id == record.form_id,
            ChecklistItem.kind.in_(FORM_KINDS),
            ChecklistItem.done_at.is_(None),
        )
        .order_by(ChecklistItem.id)
    ).all()
    if not items:
        return []
    board_names = _board_names(session, ctx, escalation.policy_id)
    ticked = []
    for item in items:
        if item.kind == "copy" and not addressed_to(item.recipient, record, board_names):
            continue
        note = done_note(item, record, form_title, extra or {})
        item.done_at = record.at
        item.done_by_id = record.by_id
        item.done_note = note
        audit.record(
            session,
            at=record.at,
            user_id=record.by_id,
            action="checklist_done",
            entity="checklist_item",
            entity_id=item.id,
            detail={
                "escalation_id": escalation.id,
                "key": item.requirement_key,
                "by": "export",
                "document_id": record.id,
                "document_action": record.action,
                "form": record.form_id,
                "file_name": record.file_name,
                "recipient": record.recipient,
            },
        )
        ticked.append(TickedItem(item.id, item.requirement_key, note))
    return ticked


def addressed_to(item_recipient: str, record: DocumentRecord, board_names: Iterable[str]) -> bool:
    """Whether the document went to the person or body the copy item names."""
    wanted = _plain(item_recipient)
    sent_to = _plain(record.recipient)
    if not wanted or not sent_to:
        return False
    if wanted == sent_to or _emails(wanted) & _emails(sent_to):
        return True
    if record.action != "email":
        return False
    # An email draft always goes to the partnership's board (services/exports.py write_email_draft): it is
    # the copy the item asks for when the item names the board, by its name, email or postal address.
    names = {_plain(name) for name in board_names if name.strip()}
    board_emails = set().union(*(_emails(name) for name in names)) if names else set()
    return sent_to in names and (wanted in names or bool(_emails(wanted) & board_emails))


def done_note(
    item: ChecklistItem, record: DocumentRecord, form_title: str, extra: Mapping[str, object]
) -> str:
    """What, and to whom, in plain words; the when is the item's done_at."""
    state = _state(record, extra)
    if record.action == "email":
        to = record.recipient
        if item.kind == "copy" and _plain(item.recipient) != _plain(record.recipient):
            to = f"{record.recipient}, for the attention of {item.recipient}"
        encrypted = ", attachment encrypted" if extra.get("encrypted") else ""
        what = f"emailed to {to} (draft {record.file_name}{encrypted})"
    elif record.action == "print":
        what = f"printed ({state})"
    else:
        what = f"saved as {record.file_name} ({state})"
        if record.recipient:
            what += f", for {record.recipient}"
    return f"Done by DSL Desk: {form_title} {what}"


def _state(record: DocumentRecord, extra: Mapping[str, object]) -> str:
    if extra.get("wet_signature"):
        return "for a wet signature"
    return "signed" if record.signed else "not signed"


def _board_names(session: Session, ctx: AppContext, policy_id: str) -> list[str]:
    pack = ctx.packs.get(policy_id)
    if pack is None:
        return []
    boards: list[BoardContact] = [pack.board, merged_board(session, pack)]
    return [value for board in boards for value in (board.name, board.email, board.postal_address)]


def _plain(text: str) -> str:
    return " ".join(text.casefold().replace(",", " ").split()).strip(" .;:")


def _emails(text: str) -> set[str]:
    return set(_EMAIL.findall(text.casefold()))
