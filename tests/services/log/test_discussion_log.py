"""The discussion log against a real encrypted database: append-only, corrections, bad input, attachments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from dsl_desk.services.errors import ServiceError, ValidationError
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
from dsl_desk.services.log.attachments import MAX_ATTACHMENT_BYTES, add_attachment, opened_attachment
from dsl_desk.services.log.discussion_log import (
    MAX_TEXT,
    NewAction,
    NewEntry,
    amend_entry,
    complete_action,
    log_discussion,
    record_sharing,
)
from dsl_desk.services.log.export import export_chronology
from dsl_desk.services.log.reading import get_chronology, list_entries, list_open_actions
from dsl_desk.services.log.search import search_log
from dsl_desk.store.models import Attachment, AuditEvent, DiscussionEntry, DocumentRecord
from dsl_desk.store.search import SearchFilters

ARABIC = "قالت الطفلة إنها خائفة من العودة إلى المنزل"
BENGALI = "শিশুটি বলেছে সে বাড়ি যেতে ভয় পায়"
MIXED = f"Zoë Łukasiewicz-Nguyễn said: {ARABIC} / {BENGALI} / 我不想回家 / Ψυχολόγος 🙂"


def _entry(child_id: int, clock, **changes) -> NewEntry:
    values = dict(
        child_id=child_id,
        occurred_at=clock.now() - timedelta(hours=1),
        method="telephone",
        summary="Rang Dawn Brightwater (social worker) about the bruise Zephyrine showed.",
        participants="Dawn Brightwater, social worker, Demo CSC",
    )
    values.update(changes)
    return NewEntry(**values)


def _count(ctx, model=DiscussionEntry) -> int:
    with ctx.store.session() as session:
        return session.scalar(select(func.count()).select_from(model))


# --- writing and reading --------------------------------------------------------------------------------


def test_an_entry_is_stored_with_the_app_time_and_the_signed_in_author(ctx, child_id, clock):
    view = log_discussion(ctx, _entry(child_id, clock, occurred_at=clock.now() - timedelta(minutes=30)))
    assert view.recorded_at == clock.now()
    assert view.author == "Jane Smith"
    assert not view.late
    [item] = get_chronology(ctx, child_id).items
    assert item.current.summary.startswith("Rang Dawn Brightwater")
    with ctx.store.session() as session:
        actions = [e.action for e in session.scalars(select(AuditEvent))]
    assert "log_entry_added" in actions


def test_an_entry_written_more_than_a_day_later_is_marked_late_with_the_delay(ctx, child_id, clock):
    view = log_discussion(ctx, _entry(child_id, clock, occurred_at=clock.now() - timedelta(days=2, hours=3)))
    assert view.late
    assert view.late_by == "2 days 3 hours"
    on_time = log_discussion(ctx, _entry(child_id, clock, occurred_at=clock.now() - timedelta(hours=23)))
    assert not on_time.late


def test_a_correction_keeps_the_original_and_a_late_correction_does_not_make_it_late(ctx, child_id, clock):
    original = log_discussion(ctx, _entry(child_id, clock))
    clock.advance(timedelta(days=5))
    correction = amend_entry(
        ctx,
        original.id,
        _entry(child_id, clock, occurred_at=original.occurred_at, summary="Corrected text"),
        "Wrong word",
    )
    [item] = get_chronology(ctx, child_id).items
    assert item.current.id == correction.id
    assert [v.id for v in item.earlier] == [original.id]
    assert item.earlier[0].summary == original.summary  # the original text is still there
    assert item.earlier[0].amended_by_id == correction.id
    assert correction.amend_reason == "Wrong word"
    assert not correction.late  # measured from when the event was first written down


def test_amending_an_amended_entry_is_refused_and_names_the_latest_version(ctx, child_id, clock):
    first = log_discussion(ctx, _entry(child_id, clock))
    second = amend_entry(ctx, first.id, _entry(child_id, clock, summary="Second"), "Typo")
    with pytest.raises(ServiceError, match=f"Correct the latest version \\(entry {second.id}\\)"):
        amend_entry(ctx, first.id, _entry(child_id, clock, summary="Rival"), "Another")
    third = amend_entry(ctx, second.id, _entry(child_id, clock, summary="Third"), "Still wrong")
    [item] = get_chronology(ctx, child_id).items
    assert [v.id for v in item.earlier] == [first.id, second.id]
    assert item.current.id == third.id


def test_a_correction_needs_a_reason(ctx, child_id, clock):
    first = log_discussion(ctx, _entry(child_id, clock))
    with pytest.raises(ValidationError, match="why"):
        amend_entry(ctx, first.id, _entry(child_id, clock), "  ")
    assert _count(ctx) == 1


# --- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        ({"occurred_at": datetime(2026, 1, 5, 9, 1, tzinfo=UTC)}, "in the future", "occurred_at"),
        (
            {"occurred_at": datetime(2015, 3, 13, 12, 0, tzinfo=UTC)},
            "before Zephyrine Quillborough was born",
            "occurred_at",
        ),
        ({"summary": "   \n "}, "cannot be empty", "summary"),
        ({"method": "carrier pigeon"}, "how the discussion", "method"),
        ({"kind": "dissent", "method": "telephone"}, "multi-agency meeting", "method"),
        ({"actions": (NewAction("Send the referral", "", date(2026, 1, 6)),)}, "owns action 1", "actions"),
        ({"actions": (NewAction("Send the referral", "Jane Smith, DSL", None),)}, "due date", "actions"),
        ({"summary": "x" * (MAX_TEXT + 1)}, "the most it can hold is 100,000", "summary"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(
    ctx, child_id, clock, changes, message, field
):
    with pytest.raises(ValidationError, match=message) as caught:
        log_discussion(ctx, _entry(child_id, clock, **changes))
    assert caught.value.field == field
    assert _count(ctx) == 0


def test_the_day_of_birth_itself_is_allowed(ctx, child_id, clock):
    view = log_discussion(ctx, _entry(child_id, clock, occurred_at=datetime(2015, 3, 14, 10, 0, tzinfo=UTC)))
    assert view.late  # and, written eleven years later, it says so


def test_fifty_thousand_characters_in_any_script_are_kept_exactly_and_found(ctx, child_id, clock, tmp_path):
    long_text = (MIXED + "\n") * (50_000 // (len(MIXED) + 1))
    long_text = long_text + "y" * (50_000 - len(long_text))
    assert len(long_text) == 50_000
    view = log_discussion(ctx, _entry(child_id, clock, summary=long_text, child_views=ARABIC))
    assert view.summary == long_text.strip()
    assert search_log(ctx, "Łukasiewicz").hits[0].entry_id == view.id
    assert search_log(ctx, "خائفة").hits[0].entry_id == view.id
    assert search_log(ctx, "zoe nguyen").hits  # accents folded (Ł has no decomposition, so it is not)
    result = export_chronology(ctx, child_id, tmp_path / "long.pdf")
    assert result.pages > 5  # the long note flowed across pages instead of stopping the renderer


def test_a_dissent_at_a_meeting_is_its_own_kind(ctx, child_id, clock):
    view = log_discussion(ctx, _entry(child_id, clock, kind="dissent", method="strategy_meeting"))
    assert view.is_dissent
    assert list_entries(ctx, child_id)[0].kind == "dissent"


# --- escalation link, actions, sharing ------------------------------------------------------------------


def test_an_entry_linked_to_an_escalation_records_its_current_stage(ctx, child_id, clock):
    category = ctx.pack("st_helens").categories[0].key
    case = open_escalation(
        ctx, NewEscalation(child_id, "Demo CSC", category, "Closed too soon", "A strategy meeting")
    )
    view = log_discussion(ctx, _entry(child_id, clock, escalation_id=case.id))
    assert view.escalation_reference == case.reference
    assert view.stage_key and view.stage_label
    other = log_discussion(ctx, _entry(child_id, clock))
    only = get_chronology(ctx, child_id, escalation_id=case.id)
    assert [i.current.id for i in only.items] == [view.id]
    assert other.id not in [i.current.id for i in only.items]


def test_open_actions_are_listed_until_done(ctx, child_id, clock):
    view = log_discussion(
        ctx,
        _entry(
            child_id,
            clock,
            actions=(
                NewAction("Send the referral", "Jane Smith, DSL", date(2026, 1, 5)),
                NewAction("Ring the GP", "Ann Lee, school nurse", date(2026, 1, 9)),
            ),
        ),
    )
    rows = list_open_actions(ctx)
    assert [r.description for r in rows] == ["Send the referral", "Ring the GP"]
    assert rows[0].child == "Zephyrine Quillborough"
    clock.advance(timedelta(days=1))
    assert list_open_actions(ctx)[0].overdue
    complete_action(ctx, view.actions[0].id)
    assert [r.description for r in list_open_actions(ctx)] == ["Ring the GP"]
    with pytest.raises(ServiceError, match="already marked done"):
        complete_action(ctx, view.actions[0].id)


def test_sharing_later_is_recorded_beside_the_entry(ctx, child_id, clock):
    view = log_discussion(ctx, _entry(child_id, clock, shared_with="Dawn Brightwater, social worker"))
    assert view.shares[0].shared_at == view.occurred_at
    shared = record_sharing(ctx, view.id, "Sam Okafor, team manager", clock.now())
    assert [s.shared_with for s in shared.shares] == [
        "Dawn Brightwater, social worker",
        "Sam Okafor, team manager",
    ]
    with pytest.raises(ValidationError, match="future"):
        record_sharing(ctx, view.id, "Someone", clock.now() + timedelta(hours=1))
    with pytest.raises(ValidationError, match="before the discussion"):
        record_sharing(ctx, view.id, "Someone", view.occurred_at - timedelta(hours=1))


# --- attachments ----------------------------------------------------------------------------------------


def test_an_attachment_is_kept_in_the_database_and_opened_through_a_removed_temporary_file(
    ctx, child_id, clock, tmp_path, data_paths
):
    source = tmp_path / "minutes.eml"
    source.write_bytes(b"From: a@example.org\nSubject: minutes\n\nAgreed.")
    view = log_discussion(ctx, _entry(child_id, clock, attachments=(source,)))
    source.unlink()  # the database holds its own copy
    [attached] = view.attachments
    assert attached.media_type == "message/rfc822"
    with opened_attachment(ctx, attached.id) as copy:
        assert copy.read_bytes().endswith(b"Agreed.")
        assert copy.parent == data_paths.private_temp  # inside the data folder, never the system temp
        assert copy.suffix == ".eml" and "minutes" not in copy.name  # the type, not the original name
        assert copy.stat().st_mode & 0o077 == 0  # only this account can read it
    assert not copy.exists()
    assert list(data_paths.private_temp.iterdir()) == []
    with ctx.store.session() as session:
        opened = session.scalars(select(AuditEvent).where(AuditEvent.action == "attachment_opened")).all()
    assert len(opened) == 1


def test_a_200_mb_attachment_is_refused_before_it_is_read(ctx, child_id, clock, tmp_path):
    huge = tmp_path / "recording.pdf"
    with huge.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: no 200 MB is written or read
    with pytest.raises(ValidationError, match="at most 25 MB") as caught:
        log_discussion(ctx, _entry(child_id, clock, attachments=(huge,)))
    assert "200 MB" in str(caught.value)
    assert _count(ctx) == 0  # the entry was not saved without its attachment either
    entry = log_discussion(ctx, _entry(child_id, clock))
    with pytest.raises(ValidationError, match="at most 25 MB"):
        add_attachment(ctx, entry.id, huge)
    assert _count(ctx, Attachment) == 0


def test_exactly_the_limit_is_accepted(ctx, child_id, clock, tmp_path):
    edge = tmp_path / "scan.png"
    with edge.open("wb") as handle:
        handle.truncate(MAX_ATTACHMENT_BYTES)
    entry = log_discussion(ctx, _entry(child_id, clock, attachments=(edge,)))
    assert entry.attachments[0].size == MAX_ATTACHMENT_BYTES


@pytest.mark.parametrize("name", ["virus.exe", "notes.docx", "no_suffix"])
def test_other_file_types_are_refused_with_what_to_do(ctx, child_id, clock, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"x")
    with pytest.raises(ValidationError, match="print it to PDF"):
        log_discussion(ctx, _entry(child_id, clock, attachments=(path,)))


def test_a_missing_file_is_refused(ctx, child_id, clock, tmp_path):
    with pytest.raises(ValidationError, match="could not be read"):
        log_discussion(ctx, _entry(child_id, clock, attachments=(tmp_path / "gone.pdf",)))


# --- export ---------------------------------------------------------------------------------------------


def test_export_writes_the_pdf_and_is_audited(ctx, child_id, clock, tmp_path):
    first = log_discussion(ctx, _entry(child_id, clock))
    amend_entry(ctx, first.id, _entry(child_id, clock, summary="Better"), "Clearer")
    result = export_chronology(ctx, child_id, tmp_path / "out.pdf")
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")
    assert result.entries == 2
    with ctx.store.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "chronology_exported")).one()
        record = session.scalars(select(DocumentRecord)).one()
    assert event.entity_id == child_id
    assert record.form_id == "chronology"
    assert record.file_name == "out.pdf"


def test_a_failed_export_leaves_no_audit_row(ctx, child_id, clock, tmp_path):
    log_discussion(ctx, _entry(child_id, clock))
    with pytest.raises(Exception, match="out.pdf"):
        export_chronology(ctx, child_id, tmp_path / "no such folder" / "out.pdf")
    with ctx.store.session() as session:
        assert (
            session.scalars(select(AuditEvent).where(AuditEvent.action == "chronology_exported")).all() == []
        )


# --- search filters -------------------------------------------------------------------------------------


def test_search_filters_by_method_author_dates_and_child(ctx, child_id, clock):
    from dsl_desk.services.people.children import add_child
    from tests.conftest import fictional_child

    other = add_child(ctx, fictional_child("Amir", "Haddad")).id
    old = log_discussion(
        ctx, _entry(child_id, clock, occurred_at=clock.now() - timedelta(days=10), summary="bruise old")
    )
    new = log_discussion(ctx, _entry(child_id, clock, method="email", summary="bruise new"))
    theirs = log_discussion(ctx, _entry(other, clock, summary="bruise other"))

    def ids(**filters):
        return {h.entry_id for h in search_log(ctx, "bruise", SearchFilters(**filters)).hits}

    assert ids() == {old.id, new.id, theirs.id}
    assert ids(child_id=child_id) == {old.id, new.id}
    assert ids(method="email") == {new.id}
    assert ids(author_id=ctx.actor.user_id) == {old.id, new.id, theirs.id}
    assert ids(author_id=ctx.actor.user_id + 99) == set()
    assert ids(occurred_from=clock.now() - timedelta(days=2)) == {new.id, theirs.id}
    assert ids(occurred_to=clock.now() - timedelta(days=2)) == {old.id}


# --- append-only, for every sequence of operations ------------------------------------------------------


def test_the_database_itself_refuses_to_edit_or_delete_an_entry(ctx, child_id, clock):
    view = log_discussion(ctx, _entry(child_id, clock))
    with pytest.raises(DatabaseError, match="append-only"), ctx.store.session() as session:
        session.execute(
            text("UPDATE discussion_entries SET summary = 'rewritten' WHERE id = :id"), {"id": view.id}
        )
    with pytest.raises(DatabaseError, match="append-only"), ctx.store.session() as session:
        session.execute(text("DELETE FROM discussion_entries WHERE id = :id"), {"id": view.id})
    assert get_chronology(ctx, child_id).items[0].current.summary == view.summary


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
_OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("log"), _TEXT),
        st.tuples(st.just("amend"), _TEXT, st.integers(0, 20)),
        st.tuples(st.just("share"), st.integers(0, 20)),
        st.tuples(st.just("done"), st.integers(0, 20)),
        st.tuples(st.just("search"), _TEXT),
        st.tuples(st.just("edit"), st.integers(0, 20)),
    ),
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=_OPERATIONS)
def test_no_sequence_of_operations_changes_or_removes_a_stored_entry(ctx, child_id, clock, operations):
    """Whatever is done (log, correct, share, tick off, search, even raw SQL), every stored text remains."""
    seen = _stored(ctx)
    for operation in operations:
        _apply(ctx, child_id, clock, operation)
        now = _stored(ctx)
        assert all(now.get(entry_id) == text_ for entry_id, text_ in seen.items())
        seen = now


def _stored(ctx) -> dict[int, tuple[str, str, str]]:
    with ctx.store.session() as session:
        return {
            e.id: (e.summary, e.decisions, e.participants) for e in session.scalars(select(DiscussionEntry))
        }


def _apply(ctx, child_id, clock, operation) -> None:
    kind = operation[0]
    ids = sorted(_stored(ctx))
    pick = ids[operation[-1] % len(ids)] if ids and isinstance(operation[-1], int) else None
    try:
        if kind == "log":
            log_discussion(ctx, _entry(child_id, clock, summary=operation[1], decisions=operation[1]))
        elif kind == "amend" and pick:
            amend_entry(ctx, pick, _entry(child_id, clock, summary=operation[1]), "Property test")
        elif kind == "share" and pick:
            record_sharing(ctx, pick, "Someone, role", clock.now())
        elif kind == "done" and pick:
            for action in list_open_actions(ctx)[:1]:
                complete_action(ctx, action.action_id)
        elif kind == "search":
            search_log(ctx, operation[1])
        elif kind == "edit" and pick:
            with ctx.store.session() as session:
                session.execute(
                    text("UPDATE discussion_entries SET summary = 'x' WHERE id = :id"), {"id": pick}
                )
    except (ServiceError, DatabaseError):
        pass  # refused operations are part of the property: they must not change anything either
