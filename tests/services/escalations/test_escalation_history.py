"""An escalation's history lists its stage changes, every export, email draft and print, and its linked
discussions, in time order — through the real services on a real encrypted desk."""

from __future__ import annotations

from datetime import timedelta

from dsl_desk.services.escalations.closing import withdraw
from dsl_desk.services.escalations.history import escalation_history
from dsl_desk.services.log.discussion_log import NewEntry, amend_entry, log_discussion
from dsl_desk.services.log.export import export_chronology
from dsl_desk.services.paperwork.email_drafts import write_email_draft
from dsl_desk.services.paperwork.exports import export_form, prepare_print, record_printed
from tests.services.escalation_walk import walk

NOTICE = "st_helens_escalation_notice"


def discussion(child_id: int, escalation_id: int | None, occurred_at, **changes) -> NewEntry:
    values = dict(
        child_id=child_id,
        escalation_id=escalation_id,
        occurred_at=occurred_at,
        method="telephone",
        summary="Rang Sam Otterburn (Service Manager) about the Escalation Notice; a reply is promised by Friday.",
        participants="Sam Otterburn, Service Manager",
    )
    values.update(changes)
    return NewEntry(**values)


def test_history_lists_exports_email_print_and_discussions_in_time_order(ctx, clock, child_id, tmp_path):
    escalation_id = walk(ctx, clock, child_id, escalations=3)  # Stage Four, 15:00 on Monday 5 January
    clock.advance(timedelta(minutes=2))  # 15:02
    export_form(ctx, escalation_id, NOTICE, sign=True, destination=tmp_path / "notice.pdf")
    clock.advance(timedelta(hours=1))  # 16:02: the call at 15:30 is written up now, after the export
    log_discussion(ctx, discussion(child_id, escalation_id, clock.now() - timedelta(minutes=32)))
    log_discussion(
        ctx, discussion(child_id, None, clock.now() - timedelta(minutes=20), summary="Not linked.")
    )
    clock.advance(timedelta(minutes=5))  # 16:07
    write_email_draft(ctx, escalation_id, NOTICE, tmp_path)
    clock.advance(timedelta(minutes=5))  # 16:12
    record_printed(ctx, prepare_print(ctx, escalation_id, NOTICE, wet_signature=True), pages=1)

    events = escalation_history(ctx, escalation_id)
    assert [e.kind for e in events] == [
        "opened",
        "escalated",
        "escalated",
        "escalated",
        "export",
        "discussion",
        "email",
        "print",
    ]
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert {e.who for e in events} == {"Jane Smith"}
    lines = [e.line for e in events]
    assert lines[0] == "Opened at Stage One – Consulting the line manager — 5 Jan 2026 09:00, Jane Smith"
    assert lines[3].startswith("Escalated to Stage Four – ")
    assert lines[4] == "Escalation Notice saved as notice.pdf (signed) — 5 Jan 2026 15:02, Jane Smith"
    assert lines[5] == (
        "Discussion (telephone) with Sam Otterburn, Service Manager logged: Rang Sam Otterburn (Service Manager) "
        "about the Escalation Notice; a reply is promised by Friday. — 5 Jan 2026 15:30, Jane Smith"
    )
    assert lines[6] == (
        "Escalation Notice emailed to St Helens Safeguarding Children Board (draft) — 5 Jan 2026 16:07, Jane Smith"
    )
    assert lines[7] == "Escalation Notice printed (for a wet signature) — 5 Jan 2026 16:12, Jane Smith"
    assert not any("Not linked" in line for line in lines)


def test_history_tells_corrections_chronologies_encryption_and_the_end(ctx, clock, child_id, tmp_path):
    escalation_id = walk(ctx, clock, child_id, escalations=1)
    clock.advance(timedelta(minutes=10))
    first = log_discussion(ctx, discussion(child_id, escalation_id, clock.now() - timedelta(minutes=5)))
    clock.advance(timedelta(minutes=10))
    amend_entry(
        ctx,
        first.id,
        discussion(
            child_id, escalation_id, clock.now() - timedelta(minutes=15), participants="Sam Otterburn"
        ),
        "Wrong role written down",
    )
    clock.advance(timedelta(minutes=10))
    write_email_draft(ctx, escalation_id, NOTICE, tmp_path, encrypt_password="ABCD-EFGH-JKMN-PQRT")
    clock.advance(timedelta(minutes=10))
    export_chronology(ctx, child_id, tmp_path / "chronology.pdf", escalation_id=escalation_id)
    clock.advance(timedelta(minutes=10))
    withdraw(ctx, escalation_id, "The family moved out of the area.")

    summaries = [e.summary for e in escalation_history(ctx, escalation_id)]
    assert summaries[2].startswith("Discussion (telephone) with Sam Otterburn, Service Manager logged: ")
    assert summaries[3].startswith(
        "Discussion (telephone) with Sam Otterburn logged (a correction of an earlier"
    )
    assert summaries[4] == (
        "Escalation Notice emailed to St Helens Safeguarding Children Board (draft, attachment encrypted)"
    )
    assert summaries[5] == "Chronology saved as chronology.pdf"
    assert summaries[6] == "Withdrawn: The family moved out of the area."


def test_a_resolved_escalation_ends_with_its_resolution(ctx, clock, child_id):
    escalation_id = walk(ctx, clock, child_id, escalations=1, resolved=True)
    events = escalation_history(ctx, escalation_id)
    assert [e.kind for e in events] == ["opened", "escalated", "resolved"]
    assert events[-1].summary == "Resolved at Stage Two – Discussion between the professionals"
