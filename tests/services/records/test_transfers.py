"""Case transfer between two real encrypted databases: the whole record arrives, nothing is overwritten,
refusals change nothing, and the sending side's receipt countdown follows the working calendar."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, text

from dsl_desk.documents.transfer_bundle import TransferKdf
from dsl_desk.services.audit.verify import verify_audit_trail
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.escalations.dashboard import list_open_cases, list_open_checklist
from dsl_desk.services.escalations.reading import get_escalation, list_escalations
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
from dsl_desk.services.log.reading import get_chronology
from dsl_desk.services.records import transfers as tr
from dsl_desk.services.records.transfer_import import TransferRefused
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import (
    ActionItem,
    Attachment,
    AuditEvent,
    Base,
    CaseTransfer,
    ChecklistItem,
    Child,
    DiscussionEntry,
    DocumentRecord,
    EntryShare,
    Escalation,
    Resolution,
    StageRecord,
    User,
)
from tests.services.transfer_world import PDF_BYTES, PNG_BYTES, receiving_school, rich_child

FAST = TransferKdf(time_cost=1, memory_kib=64, parallelism=1)
OAKFIELD = tr.Destination("Oakfield Academy", "Ruth Ndlovu", "dsl@oakfield.example", "Secure email")


@pytest.fixture
def sent(ctx, clock, tmp_path):
    record = rich_child(ctx, clock, tmp_path)
    exported = tr.export_bundle(ctx, record.child_id, OAKFIELD, tmp_path / "out", kdf=FAST)
    return record, exported


@pytest.fixture
def oakfield(tmp_path, clock, packs):
    context = receiving_school(tmp_path / "oakfield", clock, packs)
    yield context
    if context.store.is_open:
        context.close()


def counts(ctx) -> dict[str, int]:
    with ctx.store.session() as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def test_the_whole_record_arrives_as_a_new_child(ctx, oakfield, sent):
    record, exported = sent
    result = tr.import_bundle(
        oakfield, exported.bundle_path, exported.password, confirmed_fingerprint=exported.fingerprint
    )
    assert result.child_name == "Zephyrine Quillborough" and result.from_school == "Penkford School"
    assert result.signer.fingerprint == exported.fingerprint
    with ctx.store.session() as theirs, oakfield.store.session() as ours:
        before, after = theirs.get(Child, record.child_id), ours.get(Child, result.child_id)
        for name in ("given_names", "family_name", "date_of_birth", "address", "parents_carers"):
            assert getattr(after, name) == getattr(before, name)
        assert after.child_protection_plan is True
        sent_escalations = _escalations(theirs, record.child_id)
        got = _escalations(ours, result.child_id)
        assert [g[0] for g in got] == [s[0] + "-T" for s in sent_escalations]
        assert [g[1] for g in got] == ["resolved", "transferred"]  # the open one is the old school's
        assert [g[2:] for g in got] == [s[2:] for s in sent_escalations]
        assert _stages(ours, result.child_id) == _stages(theirs, record.child_id)
        assert _checklist(ours, result.child_id) == _checklist(theirs, record.child_id)
        assert _resolution(ours, result.child_id) == _resolution(theirs, record.child_id)
        assert _entries(ours, result.child_id) == _entries(theirs, record.child_id)
        assert _shares_and_actions(ours, result.child_id) == _shares_and_actions(theirs, record.child_id)
        files = _attachments(ours, result.child_id)
        assert files == _attachments(theirs, record.child_id)
        assert {content for _name, _sha, content in files} == {PDF_BYTES, PNG_BYTES}  # byte for byte
        assert all(hashlib.sha256(content).hexdigest() == sha for _name, sha, content in files)
        assert _documents(ours, result.child_id) == _documents(theirs, record.child_id)
        # The author is kept, as someone from the other school who cannot sign in here.
        author = ours.scalars(select(User).where(User.display_name == "Jane Smith (Penkford School)")).one()
        assert author.is_active is False
        # The log's append-only guard is still on after the import.
        entry_id = ours.scalars(
            select(DiscussionEntry.id).where(DiscussionEntry.child_id == result.child_id)
        ).first()
        with pytest.raises(Exception, match="append-only"):
            ours.execute(text("UPDATE discussion_entries SET summary = 'x' WHERE id = :id"), {"id": entry_id})
    chronology = get_chronology(oakfield, result.child_id)
    corrected = next(item for item in chronology.items if item.earlier)
    assert corrected.earlier[0].summary.startswith("Spoke to the social worker")
    assert corrected.current.amend_reason == "Wrong person named"
    assert corrected.current.author == "Jane Smith (Penkford School)"
    assert any(item.current.late for item in chronology.items)  # "recorded late" survives the move
    # The old school's open disagreement is visible but not one of our open cases.
    assert list_open_cases(oakfield) == []
    [theirs_open] = list_escalations(oakfield, status="transferred")
    detail = get_escalation(oakfield, theirs_open.escalation_id)
    assert (detail.reference, detail.status) == ("ESC-2026-0002-T", "transferred")
    assert theirs_open.status_words == "Transferred" and theirs_open.deadline is None


def _escalations(session, child_id):
    rows = session.scalars(
        select(Escalation).where(Escalation.child_id == child_id).order_by(Escalation.opened_at)
    )
    return [
        (e.reference, e.status, e.policy_id, e.category, e.problem, e.outcome_sought, e.current_stage,
         e.opened_at, e.other_agency.name, e.other_professional.name if e.other_professional else None)
        for e in rows
    ]  # fmt: skip


def _of_child(model, child_id):
    return model.escalation_id.in_(select(Escalation.id).where(Escalation.child_id == child_id))


def _stages(session, child_id):
    rows = session.scalars(
        select(StageRecord).where(_of_child(StageRecord, child_id)).order_by(StageRecord.id)
    )
    return [
        (s.stage_key, s.entered_at, s.deadline, s.contacted, s.outcome, s.left_at, s.timescale_met)
        for s in rows
    ]


def _checklist(session, child_id):
    rows = session.scalars(
        select(ChecklistItem).where(_of_child(ChecklistItem, child_id)).order_by(ChecklistItem.id)
    )
    return [(c.requirement_key, c.text, c.created_at, c.done_at, c.done_note) for c in rows]


def _resolution(session, child_id):
    found = session.scalars(select(Resolution).where(_of_child(Resolution, child_id))).one()
    return (found.written_outcome, found.resolved_at, found.lessons_learnt, found.child_situation_improved)


def _entries(session, child_id):
    rows = list(
        session.scalars(
            select(DiscussionEntry).where(DiscussionEntry.child_id == child_id).order_by(DiscussionEntry.id)
        )
    )
    position = {row.id: index for index, row in enumerate(rows)}
    return [
        (e.summary, e.occurred_at, e.recorded_at, e.method, e.child_views, e.opinion, e.decisions,
         e.participants, e.shared_with, e.kind, position.get(e.amends_id), e.amend_reason, e.escalation_id is None)
        for e in rows
    ]  # fmt: skip


def _shares_and_actions(session, child_id):
    entries = select(DiscussionEntry.id).where(DiscussionEntry.child_id == child_id)
    shares = session.scalars(select(EntryShare).where(EntryShare.entry_id.in_(entries)))
    actions = session.scalars(select(ActionItem).where(ActionItem.entry_id.in_(entries)))
    return (
        [(s.shared_with, s.shared_at, s.recorded_at) for s in shares],
        [(a.description, a.owner, a.due_on, a.done_at) for a in actions],
    )


def _attachments(session, child_id):
    entries = select(DiscussionEntry.id).where(DiscussionEntry.child_id == child_id)
    rows = session.scalars(select(Attachment).where(Attachment.entry_id.in_(entries)).order_by(Attachment.id))
    return [(a.file_name, a.sha256, a.content) for a in rows]


def _documents(session, child_id):
    rows = session.scalars(select(DocumentRecord).where(_of_child(DocumentRecord, child_id)))
    return [(d.form_id, d.action, d.recipient, d.at, d.sha256) for d in rows]


def test_importing_the_same_file_twice_is_refused_naming_when_and_as_whom(oakfield, sent, clock):
    _record, exported = sent
    first = tr.import_bundle(
        oakfield, exported.bundle_path, exported.password, confirmed_fingerprint=exported.fingerprint
    )
    clock.advance(timedelta(days=3))
    before = counts(oakfield)
    with pytest.raises(TransferRefused) as caught:
        tr.import_bundle(
            oakfield, exported.bundle_path, exported.password, confirmed_fingerprint=exported.fingerprint
        )
    message = str(caught.value)
    assert "already imported" in message and "Zephyrine Quillborough" in message
    assert f"child number {first.child_id}" in message
    assert counts(oakfield) == before
    preview = tr.preview_bundle(oakfield, exported.bundle_path, exported.password)
    assert "already imported" in preview.already_imported


def test_a_file_cannot_be_imported_back_into_the_desk_that_made_it(ctx, sent):
    _record, exported = sent
    before = counts(ctx)
    with pytest.raises(TransferRefused, match="made on this desk"):
        tr.import_bundle(
            ctx, exported.bundle_path, exported.password, confirmed_fingerprint=exported.fingerprint
        )
    assert counts(ctx) == before


@pytest.mark.parametrize("fault", ["wrong password", "tampered", "truncated", "foreign"])
def test_a_refused_file_changes_nothing(oakfield, sent, tmp_path, fault):
    _record, exported = sent
    data = exported.bundle_path.read_bytes()
    password = exported.password
    path = tmp_path / "faulty.dsltransfer"
    if fault == "wrong password":
        path.write_bytes(data)
        password = "AAAA-BBBB-CCCC-DDDD"
    elif fault == "tampered":
        path.write_bytes(data[:-500] + bytes([data[-500] ^ 1]) + data[-499:])
    elif fault == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(exported.summary_path.read_bytes())
    before = counts(oakfield)
    with pytest.raises(TransferRefused) as caught:
        tr.import_bundle(oakfield, path, password, confirmed_fingerprint=exported.fingerprint)
    assert "Nothing was imported" in str(caught.value)
    assert counts(oakfield) == before


def test_clashing_references_get_a_further_suffix_and_local_numbering_carries_on(
    ctx, oakfield, sent, tmp_path
):
    record, first = sent
    again = tr.export_bundle(ctx, record.child_id, OAKFIELD, tmp_path / "again", kdf=FAST)
    tr.import_bundle(oakfield, first.bundle_path, first.password, confirmed_fingerprint=first.fingerprint)
    second = tr.import_bundle(
        oakfield, again.bundle_path, again.password, confirmed_fingerprint=again.fingerprint
    )  # a second file: a second child
    with oakfield.store.session() as session:
        references = sorted(
            session.scalars(select(Escalation.reference).where(Escalation.child_id == second.child_id))
        )
        children = session.execute(select(func.count(Child.id))).scalar_one()
    assert references == ["ESC-2026-0001-T2", "ESC-2026-0002-T2"]
    assert children == 2  # never merged into the first
    pack = oakfield.pack("wigan")
    local = open_escalation(
        oakfield,
        NewEscalation(
            child_id=second.child_id,
            other_agency="Demo Children's Social Care",  # matched by name, not added twice
            category=pack.categories[0].key,
            problem="Our own concern.",
            outcome_sought="A strategy discussion.",
            policy_id="wigan",
        ),
    )
    assert local.reference == "ESC-2026-0003"  # after the highest number in use; imported ones keep "-T"
    assert [row.reference for row in list_open_cases(oakfield)] == ["ESC-2026-0003"]


def test_summary_pdf_is_encrypted_marked_and_complete(sent):
    _record, exported = sent
    reader = PdfReader(io.BytesIO(exported.summary_path.read_bytes()))
    assert reader.is_encrypted
    assert reader.decrypt(exported.password)
    pages = [page.extract_text() for page in reader.pages]
    whole = "\n".join(pages)
    for page_number, page in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in page
        assert f"Page {page_number} of {len(pages)}" in page
        assert "Zephyrine Quillborough" in page
    for expected in (
        "Safeguarding file transfer summary",
        "Ruth Ndlovu, Oakfield Academy",
        "Jane Smith, Designated Safeguarding Lead",
        "ESC-2026-0001",
        "Strategy discussion held; agreed by email.",
        "Correction of entry",
        "letter.pdf",
        "note.png",
        "partnership@example.org",
        exported.fingerprint[:23],
    ):
        assert expected in whole, expected
    assert b"Quillborough" not in exported.summary_path.read_bytes()
    assert (
        "Quillborough" not in exported.summary_path.name and "Quillborough" not in exported.bundle_path.name
    )


def test_receipt_countdown_counts_school_days_over_easter_and_chases(ctx, child_id, clock, tmp_path):
    clock.set(datetime(2026, 4, 2, 10, 0, tzinfo=UTC))  # Thursday before Good Friday
    exported = tr.export_bundle(ctx, child_id, OAKFIELD, tmp_path, kdf=FAST)
    assert exported.keep_copy_until == date(2027, 4, 2)  # one year, the default
    assert tr.records_due(ctx) == []  # prepared, not sent: no countdown yet
    row = tr.mark_sent(ctx, exported.transfer_id, method="By hand to the DSL")
    # Good Friday (3 Apr) and Easter Monday (6 Apr) are not school days: Tue 7 … Mon 13.
    assert row.receipt_due_on == date(2026, 4, 13)
    assert row.method == "By hand to the DSL"
    clock.set(datetime(2026, 4, 13, 16, 0, tzinfo=UTC))
    [due] = tr.records_due(ctx)
    assert (due.kind, due.subject_id, due.overdue, due.due_words) == ("transfer", row.id, False, "today")
    assert due.child == "Zephyrine Quillborough" and "Oakfield Academy" in due.what
    clock.set(datetime(2026, 4, 14, 9, 0, tzinfo=UTC))
    [due] = tr.records_due(ctx)
    # The dashboard's words, as for a subject access request beside it; the transfers tab keeps the date.
    assert due.overdue and due.due_words == "yesterday"
    assert tr.get_transfer(ctx, row.id).receipt_words == "overdue: was due Mon 13 Apr"
    chase = tr.record_chase(ctx, row.id)
    assert "Quillborough" not in chase and "Zephyrine" not in chase
    assert "Thu 2 Apr" in chase and "Oakfield Academy" in chase and "Dear Ruth Ndlovu" in chase
    assert tr.get_transfer(ctx, row.id).last_chased_at == clock.now()
    acknowledged = tr.record_acknowledgement(ctx, row.id, "Ruth Ndlovu")
    assert acknowledged.status_words == "Receipt confirmed by Ruth Ndlovu"
    assert tr.records_due(ctx) == []


def test_the_order_of_things_is_kept(ctx, child_id, tmp_path, clock):
    exported = tr.export_bundle(ctx, child_id, OAKFIELD, tmp_path, kdf=FAST)
    with pytest.raises(ValidationError, match="Mark it as sent first"):
        tr.record_acknowledgement(ctx, exported.transfer_id, "Ruth Ndlovu")
    with pytest.raises(ValidationError, match="cannot be chased"):
        tr.record_chase(ctx, exported.transfer_id)
    tr.mark_sent(ctx, exported.transfer_id)
    with pytest.raises(ValidationError, match="who confirmed"):
        tr.record_acknowledgement(ctx, exported.transfer_id, "  ")
    with pytest.raises(ValidationError, match="future"):
        tr.record_acknowledgement(ctx, exported.transfer_id, "Ruth", at=clock.now() + timedelta(hours=1))
    with pytest.raises(ValidationError, match="before the file was sent"):
        tr.record_acknowledgement(ctx, exported.transfer_id, "Ruth", at=clock.now() - timedelta(days=1))
    with pytest.raises(ValidationError, match="Say why"):
        tr.cancel(ctx, exported.transfer_id, "")
    cancelled = tr.cancel(ctx, exported.transfer_id, "The place fell through")
    assert cancelled.status == "cancelled"
    with pytest.raises(ValidationError, match="cancelled"):
        tr.mark_sent(ctx, exported.transfer_id)


def test_bad_export_input_is_refused_and_writes_nothing(ctx, child_id, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ValidationError, match="school the child is moving to"):
        tr.export_bundle(ctx, child_id, tr.Destination("  "), out, kdf=FAST)
    with pytest.raises(ValidationError, match="in the past"):
        tr.export_bundle(ctx, child_id, OAKFIELD, out, keep_copy_until=date(2025, 12, 31), kdf=FAST)
    with pytest.raises(NotFound, match="no child record number 999"):
        tr.export_bundle(ctx, 999, OAKFIELD, out, kdf=FAST)
    assert not out.exists() or list(out.iterdir()) == []
    assert tr.list_transfers(ctx) == []


def test_every_step_is_audited_without_names(ctx, oakfield, sent):
    _record, exported = sent
    tr.mark_sent(ctx, exported.transfer_id)
    tr.record_acknowledgement(ctx, exported.transfer_id, "Ruth Ndlovu")
    tr.import_bundle(
        oakfield, exported.bundle_path, exported.password, confirmed_fingerprint=exported.fingerprint
    )
    for context, expected in (
        (ctx, {"transfer_exported", "transfer_sent", "transfer_acknowledged"}),
        (oakfield, {"transfer_imported"}),
    ):
        with context.store.session() as session:
            events = list(session.scalars(select(AuditEvent).where(AuditEvent.action.like("transfer_%"))))
        assert {event.action for event in events} == expected
        for event in events:
            assert "Quillborough" not in event.detail and "Ruth" not in event.detail
    with oakfield.store.session() as session:
        incoming = session.scalars(select(CaseTransfer)).one()
    assert (incoming.direction, incoming.status, incoming.other_school) == (
        "in",
        "imported",
        "Penkford School",
    )
    assert incoming.signer_fingerprint == exported.fingerprint
    # The imported entries and files are hashed in the import's audit row, and check out afterwards.
    with oakfield.store.session() as session:
        imported = session.scalars(select(AuditEvent).where(AuditEvent.action == "transfer_imported")).one()
        entry_ids = set(session.scalars(select(DiscussionEntry.id)))
    assert {int(i) for i in json.loads(imported.detail)["entry_sha256"]} == entry_ids
    report = verify_audit_trail(oakfield)
    assert report.intact, report.problems


def test_a_file_passed_on_again_keeps_each_authors_own_school(ctx, oakfield, sent, tmp_path, clock, packs):
    _record, exported = sent
    arrived = tr.import_bundle(
        oakfield, exported.bundle_path, exported.password, confirmed_fingerprint=exported.fingerprint
    )
    onwards = tr.export_bundle(
        oakfield, arrived.child_id, tr.Destination("Brookside High"), tmp_path / "on", kdf=FAST
    )
    brookside = receiving_school(tmp_path / "brookside", clock, packs, name="Brookside High")
    try:
        again = tr.import_bundle(
            brookside, onwards.bundle_path, onwards.password, confirmed_fingerprint=onwards.fingerprint
        )
        authors = {item.current.author for item in get_chronology(brookside, again.child_id).items}
        assert authors == {"Jane Smith (Penkford School)"}
        with brookside.store.session() as session:
            names = set(session.scalars(select(User.display_name).where(User.is_active.is_(False))))
        assert names == {"Jane Smith (Penkford School)", "Ruth Ndlovu (Oakfield Academy)"}
    finally:
        brookside.close()


def test_the_old_schools_cases_are_not_this_schools_to_do_list_or_figures(ctx, oakfield, sent, clock):
    """The old school's unfinished checklist and its cases stay readable, but they are not the new school's."""
    from dsl_desk.core.periods import custom_period
    from dsl_desk.services.learning.reports import period_figures

    _record, exported = sent
    assert list_open_checklist(ctx)  # at the sending school these are real to-dos
    imported = tr.import_bundle(
        oakfield, exported.bundle_path, exported.password, confirmed_fingerprint=exported.fingerprint
    )
    with oakfield.store.session() as session:
        unfinished = session.execute(
            select(func.count(ChecklistItem.id))
            .join(Escalation, ChecklistItem.escalation_id == Escalation.id)
            .where(Escalation.child_id == imported.child_id, ChecklistItem.done_at.is_(None))
        ).scalar_one()
    assert unfinished > 0  # kept in the record ...
    assert list_open_checklist(oakfield) == []  # ... but not on the new school's dashboard
    year = custom_period(date(2025, 9, 1), date(2026, 8, 31))
    assert period_figures(oakfield, year).opened == 0  # nor in its figures

    clock.advance(timedelta(days=1))
    pack = oakfield.pack("wigan")
    ours = open_escalation(
        oakfield,
        NewEscalation(
            child_id=imported.child_id,
            other_agency="Demo Children's Social Care",
            category=pack.categories[0].key,
            problem="Our own concern.",
            outcome_sought="A strategy discussion.",
            policy_id="wigan",
        ),
    )
    assert {row.escalation_id for row in list_open_checklist(oakfield)} <= {ours.id}
    assert period_figures(oakfield, year).opened == 1  # the new school's own case counts


def test_fictional_and_real_records_never_mix(ctx, oakfield, child_id, tmp_path):
    """A demo desk's file is refused by a real school's desk, and a real file by a demo desk."""
    from dsl_desk.store.models import Organisation

    with ctx.store.session() as session:
        session.scalars(select(Organisation)).one().is_demo = True
    demo_file = tr.export_bundle(ctx, child_id, OAKFIELD, tmp_path / "demo", kdf=FAST)
    before = counts(oakfield)
    with pytest.raises(TransferRefused, match="demo: every child in it is fictional"):
        tr.import_bundle(
            oakfield, demo_file.bundle_path, demo_file.password, confirmed_fingerprint=demo_file.fingerprint
        )
    assert counts(oakfield) == before

    with ctx.store.session() as session:
        session.scalars(select(Organisation)).one().is_demo = False
    real_file = tr.export_bundle(ctx, child_id, OAKFIELD, tmp_path / "real", kdf=FAST)
    with oakfield.store.session() as session:
        session.scalars(select(Organisation)).one().is_demo = True
    with pytest.raises(TransferRefused, match="This is a demo desk"):
        tr.import_bundle(
            oakfield, real_file.bundle_path, real_file.password, confirmed_fingerprint=real_file.fingerprint
        )


def test_the_file_carries_where_the_senders_audit_trail_stood(ctx, oakfield, sent):
    """Issue 14: a transfer carries the sender's audit head, signed with the file, so the receiving school
    holds proof of it; it matches the sending desk's own trail at that row."""
    from dsl_desk.store.checkpoint import hash_at, parse_head_words

    _record, exported = sent
    tr.import_bundle(
        oakfield, exported.bundle_path, exported.password, confirmed_fingerprint=exported.fingerprint
    )
    with oakfield.store.session() as session:
        imported = session.scalars(select(AuditEvent).where(AuditEvent.action == "transfer_imported")).one()
    head = parse_head_words(json.loads(imported.detail)["sender_audit_head"])
    assert head is not None and head.rows > 0
    with ctx.store.session() as session:
        assert hash_at(session.connection(), head.last_id) == head.head
