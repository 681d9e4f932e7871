"""A child's record with something of everything a subject access response holds, shared by the SAR tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from dsl_desk.core.clock import FixedClock
from dsl_desk.services.context import AppContext
from dsl_desk.services.log.discussion_log import NewAction, NewEntry, amend_entry, log_discussion
from dsl_desk.services.records.subject_access import NewRequest, record_request
from tests.services.escalation_walk import walk

# Words that appear only in the entry (and its attachment's name) a test withholds.
SECRET_SUMMARY = "Vesperine disclosed that Uncle Thaddeus visits on Tuesdays"
SECRET_VIEWS = "I hide in the airing cupboard when Thaddeus comes"
SECRET_FILE = "thaddeus-disclosure-note.pdf"
THIRD_PARTY = "Ravi Tindall"


@dataclass(frozen=True)
class Seeded:
    child_id: int
    escalation_id: int
    open_entry_id: int
    secret_entry_id: int
    original_id: int
    correction_id: int
    attachment_id: int
    request_id: int


def seed(ctx: AppContext, clock: FixedClock, child_id: int, tmp_path: Path) -> Seeded:
    escalation_id = walk(ctx, clock, child_id, escalations=1)
    clock.advance(timedelta(hours=1))
    open_entry = log_discussion(
        ctx,
        NewEntry(
            child_id=child_id,
            occurred_at=clock.now() - timedelta(minutes=30),
            method="telephone",
            summary=f"Rang Dawn Brightwater about attendance. {THIRD_PARTY}'s car was outside; "
            f"RAVI TINDALL answered the door.",
            participants=f"Dawn Brightwater (social worker), {THIRD_PARTY}",
            child_views="I like reading club.",
            decisions="Keep the attendance plan.",
            actions=(NewAction("Send the attendance record", "Dawn Brightwater", date(2026, 1, 9)),),
            shared_with="Dawn Brightwater (social worker)",
            escalation_id=escalation_id,
        ),
    )
    note = tmp_path / SECRET_FILE
    note.write_bytes(b"%PDF-1.4\n% a note\n")
    clock.advance(timedelta(hours=1))
    secret = log_discussion(
        ctx,
        NewEntry(
            child_id=child_id,
            occurred_at=clock.now() - timedelta(minutes=20),
            method="face_to_face",
            summary=SECRET_SUMMARY,
            child_views=SECRET_VIEWS,
            participants="Mrs Okafor (class teacher)",
            attachments=(note,),
        ),
    )
    clock.advance(timedelta(hours=1))
    original = log_discussion(
        ctx,
        NewEntry(child_id=child_id, occurred_at=clock.now(), method="email", summary="Emailed school nurse."),
    )
    correction = amend_entry(
        ctx,
        original.id,
        NewEntry(
            child_id=child_id,
            occurred_at=clock.now(),
            method="email",
            summary="Emailed the school nurse, Ms Pryce.",
        ),
        "Added who the nurse was.",
    )
    clock.advance(timedelta(hours=1))
    request = record_request(
        ctx,
        NewRequest(
            child_id=child_id,
            requester_name="Ms A Quillborough",
            relationship="Mother",
            received_on=date(2026, 1, 5),
            identity_confirmed=True,
        ),
    )
    return Seeded(
        child_id,
        escalation_id,
        open_entry.id,
        secret.id,
        original.id,
        correction.id,
        secret.attachments[0].id,
        request.id,
    )
