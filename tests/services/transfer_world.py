"""Two schools for the transfer tests: a child with a full record at Penkford, and Oakfield to receive it.

Everything is built through the real services on real encrypted databases, moving the test clock by hand.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from dsl_desk.core.clock import FixedClock
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services.context import AppContext
from dsl_desk.services.desk.setup import NewUser, OrganisationProfile, initialise
from dsl_desk.services.log.discussion_log import (
    NewAction,
    NewEntry,
    amend_entry,
    complete_action,
    log_discussion,
    record_sharing,
)
from dsl_desk.services.paperwork.exports import export_form
from dsl_desk.services.people.children import add_child
from dsl_desk.store.paths import DataPaths
from tests.conftest import FAST_KDF, PASSPHRASE, fictional_child
from tests.services.escalation_walk import walk

# Real PDF and PNG headers, then random bytes: an attachment must come through byte for byte.
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + os.urandom(30_000) + b"\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + os.urandom(5_000)


@dataclass(frozen=True)
class RichRecord:
    child_id: int
    resolved_id: int
    open_id: int
    original_entry: int
    correction_entry: int


def rich_child(ctx: AppContext, clock: FixedClock, tmp: Path) -> RichRecord:
    """A child with a resolved escalation, an open one, entries with actions, shares, a correction,
    attachments and a form exported."""
    child = add_child(ctx, fictional_child("Zephyrine", "Quillborough", child_protection_plan=True)).id
    resolved = walk(ctx, clock, child, escalations=1, resolved=True)
    clock.advance(timedelta(hours=1))
    export_form(ctx, resolved, "st_helens_escalation_notice", sign=False, recipient="partnership@example.org")
    clock.advance(timedelta(days=1))
    open_case = walk(ctx, clock, child, pack_id="medway", escalations=0)
    letter, photo = tmp / "letter.pdf", tmp / "note.png"
    letter.write_bytes(PDF_BYTES)
    photo.write_bytes(PNG_BYTES)
    clock.advance(timedelta(hours=3))
    first = log_discussion(
        ctx,
        NewEntry(
            child_id=child,
            occurred_at=clock.now() - timedelta(hours=1),
            method="telephone",
            summary="Spoke to the social worker about the referral.",
            participants="Priya Anand (social worker)",
            child_views="Z said: “I want to stay with Nan.”",
            opinion="The threshold is met.",
            decisions="Escalate if no strategy discussion by Friday.",
            escalation_id=open_case,
            actions=(NewAction("Chase the strategy discussion", "Jane Smith", clock.now().date()),),
            shared_with="Head teacher",
            attachments=(letter, photo),
        ),
    )
    clock.advance(timedelta(hours=1))
    correction = amend_entry(
        ctx,
        first.id,
        NewEntry(
            child_id=child,
            occurred_at=first.occurred_at,
            method="telephone",
            summary="Spoke to the team manager (not the social worker) about the referral.",
            participants="Dana Whitlock (team manager)",
            escalation_id=open_case,
        ),
        "Wrong person named",
    )
    record_sharing(ctx, correction.id, "Virtual school head", clock.now())
    complete_action(ctx, first.actions[0].id)
    # Written two days after the event: "recorded late" must survive the move.
    log_discussion(
        ctx,
        NewEntry(
            child_id=child,
            occurred_at=clock.now() - timedelta(days=2),
            method="face_to_face",
            summary="Z arrived upset; told the class teacher about a row at home.",
            child_views="“Mum was shouting.”",
        ),
    )
    return RichRecord(child, resolved, open_case, first.id, correction.id)


def receiving_school(
    root: Path, clock: FixedClock, packs: dict[str, PolicyPack], *, name: str = "Oakfield Academy"
) -> AppContext:
    context, _recovery = initialise(
        DataPaths(root),
        OrganisationProfile(name=name, agency_type="School", partnership_id="wigan", nation="england"),
        NewUser(username="r.ndlovu", display_name="Ruth Ndlovu", role="DSL", passphrase=PASSPHRASE),
        clock=clock,
        packs=packs,
        kdf=FAST_KDF,
    )
    return context
