"""Retention review and secure deletion, against a real encrypted database read back page by page."""

from __future__ import annotations

import importlib
import json
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from dsl_desk.core.learning import FollowUp
from dsl_desk.services.audit.verify import verify_audit_trail
from dsl_desk.services.desk.profile import update_retention_years
from dsl_desk.services.errors import ServiceError, ValidationError
from dsl_desk.services.escalations.drafts import discard_draft, list_drafts, save_draft
from dsl_desk.services.learning.lessons import record_follow_up
from dsl_desk.services.log.discussion_log import (
    NewAction,
    NewEntry,
    amend_entry,
    log_discussion,
    record_sharing,
)
from dsl_desk.services.log.search import search_log
from dsl_desk.services.people.children import add_child, list_children, update_child
from dsl_desk.services.records import retention, retention_deletion, retention_holds
from dsl_desk.services.records.backups import make_backup
from dsl_desk.services.records.subject_access import NewRequest, mark_responded, record_request
from dsl_desk.services.records.subject_access_items import add_term
from dsl_desk.store.models import (
    AuditEvent,
    Base,
    CaseTransfer,
    Child,
    DocumentRecord,
    Escalation,
    RetentionDeletion,
)
from tests.conftest import fictional_child
from tests.services.decrypted_pages import everything_decrypted, looks_like_sqlite
from tests.services.escalation_walk import walk

BORN = date(2001, 3, 14)  # 24 on the fixture's Monday 5 January 2026; 25 on Saturday 14 March 2026
DAY_AFTER_25TH = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)  # Monday 16 March
NAME = "Zephyrine Quillborough"
PHRASE = "xylophone marmalade"  # in the child's log, and nowhere else
LOG_GUARD_MIGRATION = "dsl_desk.store.migrations.versions.0002_discussion_search"


def add_old_child(ctx, given: str = "Zephyrine", family: str = "Quillborough", **changes) -> int:
    details = replace(fictional_child(given, family), date_of_birth=BORN, **changes)
    return add_child(ctx, details).id


def entry(child_id: int, clock, summary: str, **changes) -> NewEntry:
    return NewEntry(
        child_id=child_id,
        occurred_at=clock.now() - timedelta(hours=1),
        method="telephone",
        summary=summary,
        participants="Dana Whitlock (social worker)",
        **changes,
    )


def table_counts(ctx) -> dict[str, int]:
    """Rows in every table of the database (full-text index shadow tables aside)."""
    with ctx.store.session() as session:
        names = session.scalars(
            text(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'discussion_fts%'"
            )
        ).all()
        return {name: session.scalar(text(f'SELECT count(*) FROM "{name}"')) for name in names}


def trigger_sql(ctx, name: str) -> str | None:
    with ctx.store.session() as session:
        return session.scalar(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"), {"n": name}
        )


def add_request(ctx, child_id: int, *, responded: bool = False) -> int:
    """A subject access request with a line in its redaction log, through the subject access service."""
    request = record_request(
        ctx,
        NewRequest(child_id, "Ms A Quillborough", "Mother", ctx.clock.now().date(), identity_confirmed=True),
    )
    add_term(ctx, request.id, "Neighbour Person")
    if responded:
        mark_responded(ctx, request.id, "Secure email")
    return request.id


def add_transfer(ctx, child_id: int, *, keep_copy_until: date, status: str = "acknowledged") -> int:
    now = ctx.clock.now()
    with ctx.store.session() as session:
        transfer = CaseTransfer(
            direction="out",
            child_id=child_id,
            bundle_id=str(uuid.uuid4()),
            other_school="Oakfield Academy",
            status=status,
            created_at=now,
            created_by_id=ctx.actor.user_id,
            sent_at=now,
            keep_copy_until=keep_copy_until,
        )
        session.add(transfer)
        session.flush()
        return transfer.id


def build_full_record(ctx, clock, child_id: int, tmp_path, word: str) -> int:
    """Everything a record can hold: a resolved escalation with its stages, checklist, resolution, lessons
    follow-up and a form sent; log entries with shares, actions, an attachment and a correction; drafts; a
    subject access request with its redaction log; a hold placed and lifted; a transfer out. Returns the
    escalation id."""
    escalation_id = walk(ctx, clock, child_id, escalations=1, resolved=True)
    record_follow_up(ctx, escalation_id, FollowUp(staff_training=True, notes="Training booked"))
    with ctx.store.session() as session:
        session.add(
            DocumentRecord(
                escalation_id=escalation_id,
                form_id="st_helens_escalation_notice",
                action="export",
                file_name="notice.pdf",
                at=ctx.clock.now(),
                by_id=ctx.actor.user_id,
            )
        )
    attachment = tmp_path / f"letter-{child_id}.pdf"
    attachment.write_bytes(f"%PDF-1.4\n{word} attachment body\n%%EOF\n".encode())
    first = log_discussion(
        ctx,
        entry(
            child_id,
            clock,
            f"Talked about the {word} incident",
            child_views=f"Wants the {word} kite back",
            escalation_id=escalation_id,
            actions=(NewAction("Send the referral", "Jane Smith, DSL", date(2026, 2, 1)),),
            attachments=(attachment,),
        ),
    )
    record_sharing(ctx, first.id, "Dana Whitlock, social worker", clock.now() - timedelta(minutes=30))
    amend_entry(
        ctx, first.id, entry(child_id, clock, f"Talked about the {word} incident (corrected)"), "Typo"
    )
    log_discussion(ctx, entry(child_id, clock, f"A later call about the {word}"))
    save_draft(ctx, "escalate", {"outcome": f"{word} draft"}, escalation_id)
    save_draft(ctx, "form:st_helens_escalation_notice", {"notes": f"{word} form"}, escalation_id)
    add_request(ctx, child_id, responded=True)
    retention_holds.place_hold(ctx, child_id, "Waiting for the LADO", None)
    retention_holds.lift_hold(ctx, child_id)
    return escalation_id


# -- the review list ----------------------------------------------------------------------------------------


def test_moving_the_clock_past_the_25th_birthday_puts_a_child_on_the_list(ctx, clock, child_id):
    old = add_old_child(ctx)
    assert retention.list_due_for_review(ctx) == []
    assert retention.records_due(ctx) == []
    clock.set(datetime(2026, 3, 14, 12, 0, tzinfo=UTC))  # the birthday itself: still kept
    assert retention.list_due_for_review(ctx) == []
    clock.set(DAY_AFTER_25TH)
    [row] = retention.list_due_for_review(ctx)
    assert (row.child_id, row.name, row.date_of_birth) == (old, NAME, BORN)
    assert row.retention_until == date(2026, 3, 14)
    assert row.can_delete
    assert row.blockers == ()
    assert row.what_would_go == "0 escalations, 0 log entries, 0 attachments"
    [due] = retention.records_due(ctx)
    assert (due.kind, due.subject_id, due.child_id, due.due_on) == ("retention", 0, None, None)
    assert due.what == "1 record is past its retention date — review it"


def test_the_dashboard_row_counts_every_record_past_retention(ctx, clock):
    for given in ("Ada", "Bea", "Cal"):
        add_old_child(ctx, given, "Example")
    clock.set(DAY_AFTER_25TH)
    [due] = retention.records_due(ctx)
    assert due.what == "3 records are past their retention date — review them"


def test_a_longer_period_in_the_profile_keeps_the_record_off_the_list(ctx, clock):
    add_old_child(ctx)
    update_retention_years(ctx, 31)
    clock.set(DAY_AFTER_25TH)
    assert retention.list_due_for_review(ctx) == []
    with pytest.raises(ValidationError, match="25th birthday at least"):
        update_retention_years(ctx, 18)


def test_the_list_counts_what_would_go(ctx, clock, tmp_path):
    old = add_old_child(ctx)
    build_full_record(ctx, clock, old, tmp_path, "periwinkle")
    clock.set(DAY_AFTER_25TH)
    [row] = retention.list_due_for_review(ctx)
    assert (row.escalations, row.entries, row.attachments) == (1, 3, 1)
    assert row.what_would_go == "1 escalation, 3 log entries, 1 attachment"


# -- refusals: nothing changes ------------------------------------------------------------------------------


def test_a_record_not_yet_past_retention_is_refused(ctx, clock):
    old = add_old_child(ctx)
    clock.set(datetime(2026, 3, 14, 12, 0, tzinfo=UTC))
    before = table_counts(ctx)
    with pytest.raises(ServiceError, match="kept until 14 March 2026, so it cannot be deleted yet"):
        retention_deletion.delete_record(ctx, old, "End of retention", NAME)
    assert table_counts(ctx) == before


def test_an_open_escalation_stops_deletion(ctx, clock):
    old = add_old_child(ctx)
    walk(ctx, clock, old, escalations=0)
    clock.set(DAY_AFTER_25TH)
    [row] = retention.list_due_for_review(ctx)
    assert not row.can_delete
    assert "1 escalation is still open" in row.blockers[0]
    before = table_counts(ctx)
    with pytest.raises(ServiceError, match="escalation is still open"):
        retention_deletion.delete_record(ctx, old, "End of retention", NAME)
    assert table_counts(ctx) == before


def test_an_open_subject_access_request_stops_deletion(ctx, clock):
    old = add_old_child(ctx)
    request_id = add_request(ctx, old)
    clock.set(DAY_AFTER_25TH)
    [row] = retention.list_due_for_review(ctx)
    assert "subject access request is still open" in row.blockers[0]
    before = table_counts(ctx)
    with pytest.raises(ServiceError, match="subject access request is still open"):
        retention_deletion.delete_record(ctx, old, "End of retention", NAME)
    assert table_counts(ctx) == before
    mark_responded(ctx, request_id, "Secure email")
    assert (
        retention_deletion.delete_record(ctx, old, "End of retention", NAME).counts["subject_access_requests"]
        == 1
    )


def test_a_hold_keeps_the_record_off_the_list_until_its_review_date(ctx, clock):
    old = add_old_child(ctx)
    clock.set(DAY_AFTER_25TH)
    hold = retention_holds.place_hold(ctx, old, "Inquiry: do not destroy", date(2026, 9, 1))
    assert (hold.child_id, hold.name, hold.reason, hold.placed_by) == (
        old,
        NAME,
        "Inquiry: do not destroy",
        "Jane Smith",
    )
    assert retention.list_due_for_review(ctx) == []
    assert retention.records_due(ctx) == []
    assert [h.child_id for h in retention_holds.list_holds(ctx)] == [old]
    before = table_counts(ctx)
    with pytest.raises(ServiceError, match="Kept longer"):
        retention_deletion.delete_record(ctx, old, "End of retention", NAME)
    assert table_counts(ctx) == before

    clock.set(datetime(2026, 9, 1, 9, 0, tzinfo=UTC))  # the review date: back on the list, still held
    [row] = retention.list_due_for_review(ctx)
    assert row.on_hold
    assert not row.can_delete
    assert retention_holds.list_holds(ctx)[0].review_due

    retention_holds.lift_hold(ctx, old)
    assert retention_holds.list_holds(ctx) == []
    assert retention.list_due_for_review(ctx)[0].can_delete
    with ctx.store.session() as session:
        placed, lifted = session.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.action.like("retention_hold_%"))
            .order_by(AuditEvent.id)
        ).all()
    assert json.loads(placed) == {"hold": hold.hold_id, "review_on": "2026-09-01"}  # no reason: free text
    assert json.loads(lifted) == {"hold": hold.hold_id}


@pytest.mark.parametrize(
    ("reason", "review_on", "message"),
    [
        ("  ", None, "Say why this record is to be kept longer"),
        ("x" * 2001, None, "under 2000 characters"),
        ("Inquiry", date(2026, 1, 5), "is not in the future"),
    ],
)
def test_a_hold_needs_a_reason_and_a_future_review_date(ctx, reason, review_on, message):
    old = add_old_child(ctx)
    with pytest.raises(ValidationError, match=message):
        retention_holds.place_hold(ctx, old, reason, review_on)
    assert retention_holds.list_holds(ctx) == []


def test_a_second_hold_and_lifting_no_hold_are_refused(ctx):
    old = add_old_child(ctx)
    with pytest.raises(ValidationError, match="no hold to lift"):
        retention_holds.lift_hold(ctx, old)
    retention_holds.place_hold(ctx, old, "Inquiry", None)
    with pytest.raises(ValidationError, match="already kept longer"):
        retention_holds.place_hold(ctx, old, "Another", None)


@pytest.mark.parametrize(
    "typed",
    ["", "Zephyrine", "Zephyrine Quilborough", "Quillborough Zephyrine", "Amir Haddad"],
)
def test_a_wrong_name_is_refused_and_nothing_changes(ctx, clock, tmp_path, typed):
    old = add_old_child(ctx)
    build_full_record(ctx, clock, old, tmp_path, "periwinkle")
    clock.set(DAY_AFTER_25TH)
    before = table_counts(ctx)
    with pytest.raises(ValidationError, match="not the child's full name") as refused:
        retention_deletion.delete_record(ctx, old, "End of retention", typed)
    assert refused.value.field == "confirm_name"
    assert table_counts(ctx) == before


def test_the_name_is_matched_without_regard_to_case_spaces_or_accent_encoding(ctx, clock):
    old = add_child(ctx, replace(fictional_child("Zoë", "Brontë"), date_of_birth=BORN)).id
    clock.set(DAY_AFTER_25TH)
    decomposed = "zoe\u0308   BRONTE\u0308 "  # e + combining diaeresis, as some keyboards type it
    assert retention_deletion.delete_record(ctx, old, "End of retention", decomposed).counts["children"] == 1


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Say why the record is being deleted"),
        ("Retention ended for Zephyrine", "Leave the child's name out of the reason"),
        ("quillborough file: retention ended", "Leave the child's name out of the reason"),
    ],
)
def test_the_reason_is_required_and_must_not_name_the_child(ctx, clock, reason, message):
    old = add_old_child(ctx)
    clock.set(DAY_AFTER_25TH)
    before = table_counts(ctx)
    with pytest.raises(ValidationError, match=message):
        retention_deletion.delete_record(ctx, old, reason, NAME)
    assert table_counts(ctx) == before


def test_a_child_that_is_not_there_is_refused_plainly(ctx):
    with pytest.raises(Exception, match="no child record number 999"):
        retention_deletion.delete_record(ctx, 999, "End of retention", NAME)


# -- deleting -----------------------------------------------------------------------------------------------


def test_deleting_removes_every_row_tied_to_the_child_and_nothing_else(ctx, clock, tmp_path):
    old = add_old_child(ctx)
    other = add_old_child(ctx, "Amir", "Haddad")  # past retention too, and must be untouched
    old_escalation = build_full_record(ctx, clock, old, tmp_path, "periwinkle")
    other_escalation = build_full_record(ctx, clock, other, tmp_path, "tangerine")
    save_draft(ctx, "new_escalation", {"child_id": old, "problem": "periwinkle"})
    transfer = add_transfer(ctx, old, keep_copy_until=date(2027, 1, 1))
    clock.set(DAY_AFTER_25TH)
    before = table_counts(ctx)

    result = retention_deletion.delete_record(ctx, old, "Retention period ended; reviewed by the DSL", NAME)

    assert result.file_overwritten
    assert result.counts == {
        "children": 1,
        "escalations": 1,
        "escalation_stages": 2,
        "checklist_items": before["checklist_items"] // 2,
        "resolutions": 1,
        "lesson_follow_ups": 1,
        "document_records": 1,
        "discussion_entries": 3,
        "entry_shares": 1,
        "action_items": 1,
        "attachments": 1,
        "drafts": 3,
        "subject_access_requests": 1,
        "sar_redactions": 1,
        "retention_holds": 1,
        "case_transfers_kept_without_child": 1,
    }
    after = table_counts(ctx)
    for table, rows in before.items():
        expected = rows - result.counts.get(table, 0)
        if table in ("audit_events", "retention_deletions"):
            expected = rows + 1
        assert after[table] == expected, table
    with ctx.store.session() as session:
        assert session.get(Child, old) is None
        assert session.get(Escalation, old_escalation) is None
        assert session.get(Escalation, other_escalation).child_id == other
        assert session.get(CaseTransfer, transfer).child_id is None  # the transfer happened; it stays
    assert [row.name for row in list_children(ctx)] == ["Amir Haddad"]
    assert [(d.kind, d.subject_id) for d in list_drafts(ctx)] == [
        ("escalate", other_escalation),
        ("form:st_helens_escalation_notice", other_escalation),
    ]
    assert search_log(ctx, "periwinkle").hits == ()
    assert len(search_log(ctx, "tangerine").hits) == 3  # the index was rebuilt, not emptied


def test_every_table_that_points_at_a_childs_record_is_covered():
    """A table added later with a foreign key to a child's rows must be added to the deletion too."""
    tied = {"children", "escalations", "discussion_entries", "subject_access_requests"}
    pointing = {
        table.name
        for table in Base.metadata.sorted_tables
        for key in table.foreign_keys
        if key.column.table.name in tied
    }
    assert pointing <= set(retention.TABLE_WORDS) | {"case_transfers"}


def test_the_log_guard_is_put_back_and_still_refuses(ctx, clock, tmp_path):
    guard_sql = trigger_sql(ctx, "discussion_entries_no_delete")
    migration = importlib.import_module(LOG_GUARD_MIGRATION)
    assert guard_sql in migration._TRIGGERS
    old = add_old_child(ctx)
    other = add_old_child(ctx, "Amir", "Haddad")
    build_full_record(ctx, clock, old, tmp_path, "periwinkle")
    kept = log_discussion(ctx, entry(other, clock, "Still here"))
    clock.set(DAY_AFTER_25TH)
    retention_deletion.delete_record(ctx, old, "End of retention", NAME)

    for name in ("discussion_entries_no_delete", "discussion_entries_no_update"):
        assert trigger_sql(ctx, name) in migration._TRIGGERS
    assert trigger_sql(ctx, "discussion_entries_no_delete") == guard_sql
    with pytest.raises(DBAPIError, match="append-only and are never deleted"), ctx.store.session() as session:
        session.execute(text("DELETE FROM discussion_entries WHERE id = :id"), {"id": kept.id})
    with pytest.raises(DBAPIError, match="append-only"), ctx.store.session() as session:
        session.execute(text("UPDATE discussion_entries SET summary = 'x' WHERE id = :id"), {"id": kept.id})


def test_a_failure_part_way_leaves_the_record_and_the_guard_whole(ctx, clock, tmp_path, monkeypatch):
    old = add_old_child(ctx)
    build_full_record(ctx, clock, old, tmp_path, "periwinkle")
    clock.set(DAY_AFTER_25TH)
    before = table_counts(ctx)
    real_record = retention_deletion.audit.record

    def fail_on_deletion(session, **kwargs):
        if kwargs["action"] == "record_deleted":  # after every row is gone and the guard is back
            raise RuntimeError("power cut")
        return real_record(session, **kwargs)

    monkeypatch.setattr(retention_deletion.audit, "record", fail_on_deletion)
    with pytest.raises(RuntimeError, match="power cut"):
        retention_deletion.delete_record(ctx, old, "End of retention", NAME)
    monkeypatch.undo()
    assert table_counts(ctx) == before
    assert trigger_sql(ctx, "discussion_entries_no_delete") is not None
    assert len(search_log(ctx, "periwinkle").hits) == 3


def test_a_tombstone_and_an_audit_row_say_what_went_without_a_name(ctx, clock, tmp_path):
    old = add_old_child(ctx)
    build_full_record(ctx, clock, old, tmp_path, "periwinkle")
    clock.set(DAY_AFTER_25TH)
    result = retention_deletion.delete_record(ctx, old, "Retention period ended", NAME)
    with ctx.store.session() as session:
        tombstone = session.get(RetentionDeletion, result.tombstone_id)
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "record_deleted")).one()
        assert (tombstone.former_child_id, tombstone.year_of_birth) == (old, 2001)
        assert tombstone.retention_until == date(2026, 3, 14)
        assert tombstone.reason == "Retention period ended"
        assert tombstone.deleted_by_id == ctx.actor.user_id
        assert tombstone.deleted_at == DAY_AFTER_25TH
        assert json.loads(tombstone.counts) == result.counts
        assert (event.entity, event.entity_id) == ("child", old)
        detail = json.loads(event.detail)
        # Which entries and files went, by id only, so that `audit verify` knows they were deleted, not lost.
        assert len(detail.pop("entry_ids")) == result.counts["discussion_entries"]
        assert len(detail.pop("attachment_ids")) == result.counts["attachments"]
        assert detail == {"tombstone": tombstone.id, "counts": result.counts}
        every_audit_detail = " ".join(session.scalars(select(AuditEvent.detail)))
    assert "Zephyrine" not in every_audit_detail
    assert "Quillborough" not in every_audit_detail
    [row] = retention_deletion.list_deletions(ctx)
    assert (row.id, row.former_child_id, row.year_of_birth, row.deleted_by) == (
        result.tombstone_id,
        old,
        2001,
        "Jane Smith",
    )
    assert row.what_went == "1 child's details, 1 escalation, 3 log entries, 1 attachment"


def test_the_audit_trail_verifies_after_deletion(ctx, clock, tmp_path):
    old = add_old_child(ctx)
    build_full_record(ctx, clock, old, tmp_path, "periwinkle")
    clock.set(DAY_AFTER_25TH)
    retention_deletion.delete_record(ctx, old, "End of retention", NAME)
    report = verify_audit_trail(ctx)
    assert report.intact, report.problems


def test_the_name_and_the_log_are_gone_from_every_page_of_the_file(ctx, clock, tmp_path):
    old = add_old_child(ctx, address="7 Marigold Lane")
    update_child(ctx, old, replace(fictional_child(), date_of_birth=BORN))  # the old address was overwritten
    other = add_old_child(ctx, "Amir", "Haddad", parents_carers="Mr B Haddad (father)")
    build_full_record(ctx, clock, old, tmp_path, PHRASE.split(maxsplit=1)[0])
    log_discussion(ctx, entry(old, clock, f"Noted the {PHRASE} again"))
    log_discussion(ctx, entry(other, clock, "Ordinary day"))
    # A draft that named the child, saved and discarded long ago (its bytes may linger in free space).
    save_draft(
        ctx, "new_escalation", {"child_search": "Quillborough", "problem": "the velociraptor umbrella"}
    )
    discard_draft(ctx, "new_escalation")
    database, key = ctx.store.paths.database, ctx.store.db_key_copy()
    needles = [b"Zephyrine", b"Quillborough", b"Marigold", PHRASE.encode(), b"xylophone", b"marmalade"]
    plaintext = everything_decrypted(database, key)
    assert looks_like_sqlite(database, key)  # the pages really are decrypted...
    for needle in (b"Zephyrine", b"Quillborough", PHRASE.encode(), b"Haddad"):
        assert needle in plaintext, needle  # ...and the record really was in them
    clock.set(DAY_AFTER_25TH)

    retention_deletion.delete_record(ctx, old, "End of retention", NAME)

    assert database.with_name(f"{database.name}-wal").stat().st_size == 0  # the log beside it is emptied
    plaintext = everything_decrypted(database, key)
    for needle in [*needles, b"velociraptor"]:
        assert needle not in plaintext, needle
        assert needle.lower() not in plaintext.lower(), needle
    assert b"Haddad" in plaintext  # the other child is still there
    ctx.close()
    assert b"Quillborough" not in everything_decrypted(database, key)


# -- transfers, the preview, backups ------------------------------------------------------------------------


def test_a_transferred_file_is_due_when_the_copy_we_keep_expires(ctx, clock):
    young = add_child(ctx, fictional_child()).id  # born 2015: years from its 25th birthday
    transfer = add_transfer(ctx, young, keep_copy_until=date(2026, 6, 30), status="sent")
    assert retention.list_due_for_review(ctx) == []
    clock.set(datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    [row] = retention.list_due_for_review(ctx)
    assert row.keep_until == date(2026, 6, 30)
    assert "Oakfield Academy" in row.due_because
    assert "has not confirmed it received the file" in row.blockers[0]
    with pytest.raises(ServiceError, match="has not confirmed"):
        retention_deletion.delete_record(ctx, young, "Copy no longer needed", NAME)
    with ctx.store.session() as session:
        session.get(CaseTransfer, transfer).status = "acknowledged"
    result = retention_deletion.delete_record(ctx, young, "Copy no longer needed", NAME)
    assert result.counts["case_transfers_kept_without_child"] == 1
    with ctx.store.session() as session:
        assert session.get(CaseTransfer, transfer).child_id is None
        assert session.scalar(select(func.count()).select_from(Child)) == 0


@pytest.mark.parametrize("status", ["prepared", "cancelled"])
def test_a_transfer_never_sent_leaves_the_record_where_it_is(ctx, clock, status):
    young = add_child(ctx, fictional_child()).id
    add_transfer(ctx, young, keep_copy_until=date(2026, 6, 30), status=status)
    clock.set(datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    assert retention.list_due_for_review(ctx) == []
    with pytest.raises(ServiceError, match="cannot be deleted yet"):
        retention_deletion.delete_record(ctx, young, "Copy no longer needed", NAME)


def test_the_preview_says_what_would_go_and_what_the_backups_hold(ctx, clock, tmp_path):
    old = add_old_child(ctx)
    build_full_record(ctx, clock, old, tmp_path, "periwinkle")
    clock.set(DAY_AFTER_25TH)
    preview = retention_deletion.deletion_preview(ctx, old)
    assert preview.can_delete
    assert preview.backups_holding == 0
    assert "No backup holds it now" in preview.backup_note
    assert "1 child's details" in preview.lines
    assert "3 log entries" in preview.lines
    assert "2 escalation stages" in preview.lines
    make_backup(ctx)
    clock.advance(timedelta(days=1))
    make_backup(ctx)
    preview = retention_deletion.deletion_preview(ctx, old)
    assert preview.backups_holding == 2
    assert "2 backups made since it was started hold it now" in preview.backup_note
    assert "10 days of backups" in preview.backup_note
    assert "Restoring an older backup would bring it back" in preview.backup_note


def test_a_backup_made_before_the_child_was_added_does_not_count(ctx, clock):
    make_backup(ctx)
    clock.advance(timedelta(minutes=5))
    old = add_old_child(ctx)
    clock.set(DAY_AFTER_25TH)
    assert retention_deletion.deletion_preview(ctx, old).backups_holding == 0


def test_tidying_the_file_again_is_harmless(ctx, child_id):
    assert retention_deletion.tidy_database_file(ctx) == ""
    assert [row.id for row in list_children(ctx)] == [child_id]


def test_new_escalations_are_numbered_past_a_deleted_records_references(ctx, clock, tmp_path):
    """Deleting this year's escalations leaves a gap; the next reference must not reuse a number in use."""
    from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation

    young = add_child(ctx, fictional_child()).id
    walk(ctx, clock, young, escalations=1, resolved=True)  # ESC-2026-0001, deleted below
    other = add_child(ctx, fictional_child("Oswin", "Tamberlake")).id
    kept = walk(ctx, clock, other, escalations=0)  # ESC-2026-0002, stays
    add_transfer(ctx, young, keep_copy_until=date(2026, 6, 30))
    clock.set(datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    retention_deletion.delete_record(ctx, young, "Copy no longer needed", NAME)
    pack = ctx.pack("st_helens")
    opened = open_escalation(
        ctx,
        NewEscalation(
            child_id=other,
            other_agency="Demo Children's Social Care",
            category=pack.categories[0].key,
            problem="A second concern.",
            outcome_sought="A review.",
            policy_id="st_helens",
        ),
    )
    with ctx.store.session() as session:
        assert session.get(Escalation, kept).reference == "ESC-2026-0002"
    assert opened.reference == "ESC-2026-0003"


def test_a_failure_mid_deletion_puts_everything_back(ctx, clock, tmp_path, monkeypatch):
    """A failure while rows are being deleted (not only after them): everything rolls back and the log's
    delete guard is there again."""
    old = add_old_child(ctx)
    build_full_record(ctx, clock, old, tmp_path, "periwinkle")
    clock.set(DAY_AFTER_25TH)
    before = table_counts(ctx)
    real_rows = retention_deletion.tied_rows

    def broken(_scope):
        raise RuntimeError("disk removed")

    monkeypatch.setattr(
        retention_deletion, "tied_rows", lambda: [*real_rows()[:2], ("broken", Child, broken)]
    )
    with pytest.raises(RuntimeError, match="disk removed"):
        retention_deletion.delete_record(ctx, old, "End of retention", NAME)
    monkeypatch.undo()
    assert table_counts(ctx) == before
    assert trigger_sql(ctx, "discussion_entries_no_delete") is not None
    assert len(search_log(ctx, "periwinkle").hits) == 3
