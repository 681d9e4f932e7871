"""Subject access requests on a real encrypted database: deadlines, redaction, withholding, the log, export."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from dsl_desk.core.subject_access import REDACTED
from dsl_desk.services.errors import ServiceError, ValidationError
from dsl_desk.services.records.due import list_records_due
from dsl_desk.services.records.subject_access import (
    NewRequest,
    confirm_identity,
    extend,
    get_request,
    list_requests,
    mark_responded,
    mark_withdrawn,
    record_request,
    records_due,
)
from dsl_desk.services.records.subject_access_export import build, export_response, preview
from dsl_desk.services.records.subject_access_items import (
    add_term,
    list_items,
    suggest_terms,
    take_back,
    withhold,
)
from dsl_desk.store.models import AuditEvent
from tests.services.subject_access_seed import (
    SECRET_FILE,
    SECRET_SUMMARY,
    SECRET_VIEWS,
    THIRD_PARTY,
    seed,
)


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def seeded(ctx, clock, child_id, tmp_path):
    return seed(ctx, clock, child_id, tmp_path)


def _request(child: int, **changes) -> NewRequest:
    values = dict(
        child_id=child,
        requester_name="Ms A Quillborough",
        relationship="Mother",
        received_on=date(2026, 1, 5),
    )
    values.update(changes)
    return NewRequest(**values)


# --- recording and the deadline -------------------------------------------------------------------------


def test_a_request_is_due_one_calendar_month_after_receipt(ctx, child_id):
    row = record_request(ctx, _request(child_id, received_on=date(2026, 1, 5), identity_confirmed=True))
    assert row.due_on == date(2026, 2, 5)
    assert row.reference == f"SAR-{row.id}"
    assert row.due_words == "in 31 days"
    assert not row.overdue


def test_a_request_received_on_31_december_falls_due_on_the_first_working_day_after_31_january(ctx, child_id):
    # 31 Jan 2026 is a Saturday: due Monday 2 February.
    row = record_request(ctx, _request(child_id, received_on=date(2025, 12, 31)))
    assert row.due_on == date(2026, 2, 2)


def test_a_received_date_in_the_future_is_refused_and_nothing_is_saved(ctx, child_id):
    with pytest.raises(ValidationError, match="in the future") as raised:
        record_request(ctx, _request(child_id, received_on=date(2026, 1, 6)))
    assert raised.value.field == "received_on"
    assert list_requests(ctx) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"requester_name": "   "}, "requester_name"),
        ({"relationship": ""}, "relationship"),
        ({"identity_confirmed_on": date(2026, 1, 9)}, "identity_confirmed_on"),
        ({"child_id": 999}, "child_id"),
    ],
)
def test_missing_or_impossible_details_are_refused(ctx, child_id, changes, field):
    with pytest.raises(ValidationError) as raised:
        record_request(ctx, _request(child_id, **changes))
    assert raised.value.field == field
    assert list_requests(ctx) == []


def test_the_month_runs_from_when_identity_is_confirmed(ctx, child_id, clock):
    row = record_request(ctx, _request(child_id, received_on=date(2026, 1, 5)))
    assert not row.identity_confirmed
    clock.advance(timedelta(days=7))
    row = confirm_identity(ctx, row.id, date(2026, 1, 12))
    assert row.identity_confirmed
    assert row.due_on == date(2026, 2, 12)
    # An extension counts from the same day one.
    row = extend(ctx, row.id, 2, "Four years of records from three agencies to review.")
    assert row.due_on == date(2026, 4, 13)  # 12 Apr 2026 is a Sunday
    assert row.first_due_on == date(2026, 2, 12)


def test_an_extension_needs_a_reason_and_is_at_most_two_further_months(ctx, child_id, clock):
    row = record_request(ctx, _request(child_id, identity_confirmed=True))
    with pytest.raises(ValidationError, match="why"):
        extend(ctx, row.id, 2, "   ")
    with pytest.raises(ValidationError, match="one or two"):
        extend(ctx, row.id, 3, "Complex")
    row = extend(ctx, row.id, 1, "Complex: many agencies.")
    assert (row.due_on, row.extended) == (date(2026, 3, 5), True)
    with pytest.raises(ValidationError, match="already extended"):
        extend(ctx, row.id, 1, "Again")
    row = extend(ctx, row.id, 2, "Still complex.")
    assert row.due_on == date(2026, 4, 7)  # 5 Apr is Easter Sunday, 6 Apr Easter Monday


def test_an_extension_cannot_be_added_after_the_first_month(ctx, child_id, clock):
    row = record_request(ctx, _request(child_id, identity_confirmed=True))
    clock.advance(timedelta(days=32))
    with pytest.raises(ValidationError, match="within the first month"):
        extend(ctx, row.id, 2, "Complex")
    assert get_request(ctx, row.id).request.extended is False


def test_records_due_follow_the_clock_and_leave_answered_requests(ctx, child_id, clock):
    row = record_request(ctx, _request(child_id, identity_confirmed=True))
    [due] = records_due(ctx)
    assert (due.kind, due.subject_id, due.child_id) == ("subject_access", row.id, child_id)
    assert due.child == "Zephyrine Quillborough"
    assert "Ms A Quillborough" not in due.what  # the dashboard names the child, not the requester
    assert (due.due_on, due.overdue, due.due_words) == (date(2026, 2, 5), False, "in 31 days")
    clock.advance(timedelta(days=31))
    assert records_due(ctx)[0].due_words == "today"
    assert not records_due(ctx)[0].overdue
    clock.advance(timedelta(days=2))
    [late] = records_due(ctx)
    assert late.overdue and late.due_words == "2 days ago"
    mark_responded(ctx, row.id, "Secure email")
    assert records_due(ctx) == []
    assert list_requests(ctx)[0].status_words == "Answered"


def test_the_dashboard_gathers_subject_access_rows(ctx, child_id):
    row = record_request(ctx, _request(child_id, identity_confirmed=True))
    assert [r.subject_id for r in list_records_due(ctx) if r.kind == "subject_access"] == [row.id]


def test_an_answered_or_withdrawn_request_cannot_be_changed(ctx, child_id):
    first = record_request(ctx, _request(child_id))
    mark_withdrawn(ctx, first.id)
    with pytest.raises(ServiceError, match="withdrawn"):
        add_term(ctx, first.id, "Dawn Brightwater")
    second = record_request(ctx, _request(child_id))
    with pytest.raises(ValidationError, match="how the response was sent"):
        mark_responded(ctx, second.id, " ")
    mark_responded(ctx, second.id, "By hand")
    with pytest.raises(ServiceError, match="answered"):
        mark_responded(ctx, second.id, "Again")


# --- decisions ------------------------------------------------------------------------------------------


def test_terms_are_checked(ctx, seeded):
    with pytest.raises(ValidationError, match="at least two"):
        add_term(ctx, seeded.request_id, " x ")
    with pytest.raises(ValidationError, match="child's own name"):
        add_term(ctx, seeded.request_id, "zephyrine")
    add_term(ctx, seeded.request_id, THIRD_PARTY)
    with pytest.raises(ValidationError, match="already being redacted"):
        add_term(ctx, seeded.request_id, "ravi  tindall")


def test_withholding_needs_a_reason_an_exemption_and_an_item_of_this_child(ctx, seeded, clock):
    with pytest.raises(ValidationError, match="Say why") as raised:
        withhold(ctx, seeded.request_id, "entry", seeded.secret_entry_id, "child_abuse", "  ")
    assert raised.value.field == "reason"
    with pytest.raises(ValidationError, match="exemption"):
        withhold(ctx, seeded.request_id, "entry", seeded.secret_entry_id, "because", "Harm")
    with pytest.raises(ValidationError, match="not part of this child's record"):
        withhold(ctx, seeded.request_id, "entry", 9999, "child_abuse", "Harm")
    from dsl_desk.services.people.children import add_child
    from tests.conftest import fictional_child

    other = add_child(ctx, fictional_child("Amir", "Haddad")).id
    other_request = record_request(ctx, _request(other))
    with pytest.raises(ValidationError, match="not part of this child's record"):
        withhold(ctx, other_request.id, "entry", seeded.secret_entry_id, "child_abuse", "Harm")
    withhold(ctx, seeded.request_id, "entry", seeded.secret_entry_id, "child_abuse", "Harm to the child")
    with pytest.raises(ValidationError, match="already withheld"):
        withhold(ctx, seeded.request_id, "entry", seeded.secret_entry_id, "crime", "Police")
    assert get_request(ctx, seeded.request_id).request.withheld == 1


def test_items_list_everything_that_can_be_withheld(ctx, seeded):
    withhold(ctx, seeded.request_id, "attachment", seeded.attachment_id, "third_party", "Names a neighbour")
    items = list_items(ctx, seeded.request_id)
    kinds = [(i.item_type, i.item_id) for i in items]
    assert ("escalation", seeded.escalation_id) in kinds
    assert {("entry", seeded.original_id), ("entry", seeded.correction_id)} <= set(kinds)
    [file] = [i for i in items if i.item_type == "attachment"]
    assert file.label == f"Attachment: {SECRET_FILE}" and file.withheld is not None
    [correction] = [i for i in items if i.item_id == seeded.correction_id and i.item_type == "entry"]
    assert f"correction of entry {seeded.original_id}" in correction.label


def test_suggestions_come_from_the_record_and_leave_out_the_child_and_chosen_names(ctx, seeded):
    names = suggest_terms(ctx, seeded.request_id)
    for expected in ("Dawn Brightwater", THIRD_PARTY, "Ms A Quillborough", "Mrs Okafor", "Priya Anand"):
        assert expected in names
    assert not any("Zephyrine" in n for n in names)
    add_term(ctx, seeded.request_id, THIRD_PARTY)
    assert THIRD_PARTY not in suggest_terms(ctx, seeded.request_id)


# --- the response and the log ---------------------------------------------------------------------------


def test_withheld_text_is_nowhere_in_the_pdf_or_json_and_terms_are_redacted(ctx, seeded, tmp_path):
    add_term(ctx, seeded.request_id, THIRD_PARTY)
    add_term(ctx, seeded.request_id, "Dawn Brightwater", "Social worker asked not to be named")
    withhold(
        ctx, seeded.request_id, "entry", seeded.secret_entry_id, "child_abuse", "Not in the child's interests"
    )
    out = tmp_path / "out"
    out.mkdir()
    result = export_response(ctx, seeded.request_id, out)

    pdf = _flat(_pdf_text(result.response_pdf))
    raw_json = result.response_json.read_text(encoding="utf-8")
    for secret in (SECRET_SUMMARY, SECRET_VIEWS, SECRET_FILE, "Thaddeus", "Vesperine", "Okafor"):
        assert secret not in pdf
        assert secret not in raw_json
    for name in (THIRD_PARTY, "RAVI TINDALL", "Brightwater"):
        assert name not in pdf
        assert name not in raw_json
    assert "[redacted: third party]'s car" in pdf
    assert f"{REDACTED} (social worker)" in raw_json  # participants fields too
    # A note marks the place, naming the exemption; the rest of the record is there.
    assert "has been withheld under an exemption: Child abuse data (DPA 2018 Sch. 3 Part 5)" in pdf
    assert "Emailed school nurse." in pdf and "Emailed the school nurse, Ms Pryce." in pdf
    assert "Zephyrine Quillborough" in pdf and "14 March 2015" in pdf
    assert "OFFICIAL-SENSITIVE" in pdf and "Page 1 of" in pdf
    assert "Prepared for Ms A Quillborough (Mother)" in pdf
    assert "Information Commissioner's Office" in pdf
    document = json.loads(raw_json)
    assert document["schema"] == "dsl-desk/subject-access-disclosure"
    assert document["schema_version"] == 1
    assert document["generated_at"] == "2026-01-05T15:00:00+00:00"
    assert [s["key"] for s in document["sections"]] == ["child", "escalations", "discussion_log"]
    withheld = [i for s in document["sections"] for i in s["items"] if i["type"] == "withheld"]
    assert withheld == [
        {
            "type": "withheld", "id": None, "heading": withheld[0]["heading"], "fields": [], "lists": [],
            "exemption": {"key": "child_abuse", "label": "Child abuse data", "reference": "DPA 2018 Sch. 3 Part 5"},
        }
    ]  # fmt: skip
    assert result.preview.withheld_noted == 1
    assert result.preview.by_term[THIRD_PARTY] >= 3
    # File names carry no name; the redaction log is a separate file.
    assert result.response_pdf.name.startswith(f"SAR-{seeded.request_id}_ZQ_2026-01-05")
    assert "Quillborough" not in result.redaction_log_pdf.name


def test_a_silently_withheld_item_leaves_no_trace_in_the_response(ctx, seeded, tmp_path):
    withhold(
        ctx, seeded.request_id, "entry", seeded.secret_entry_id, "serious_harm_education", "Harm", silent=True
    )
    withhold(ctx, seeded.request_id, "escalation", seeded.escalation_id, "crime", "Police asked", silent=True)
    result = export_response(ctx, seeded.request_id, tmp_path)
    pdf = _flat(_pdf_text(result.response_pdf))
    raw_json = result.response_json.read_text(encoding="utf-8")
    for trace in (
        "withheld under",
        "Serious harm",
        "Prevention or detection",
        "STH-2026-0001",
        SECRET_SUMMARY,
    ):
        assert trace not in pdf
        assert trace not in raw_json
    assert "There are no escalations about this child." in pdf
    assert (result.preview.withheld_silently, result.preview.withheld_noted) == (2, 0)


def test_the_redaction_log_lists_every_decision_including_those_taken_back(ctx, seeded, tmp_path, clock):
    term = add_term(ctx, seeded.request_id, THIRD_PARTY, "Mother's partner")
    withheld = withhold(
        ctx, seeded.request_id, "entry", seeded.secret_entry_id, "child_abuse", "Harm to the child"
    )
    clock.advance(timedelta(hours=1))
    take_back(ctx, withheld.id)
    with pytest.raises(ValidationError, match="already"):
        take_back(ctx, withheld.id)
    withhold(
        ctx, seeded.request_id, "entry", seeded.secret_entry_id, "serious_harm_education", "Harm", silent=True
    )
    result = export_response(ctx, seeded.request_id, tmp_path)
    log = _flat(_pdf_text(result.redaction_log_pdf))
    assert "Do not send this log to the requester" in log
    assert f"Name redacted throughout: “{THIRD_PARTY}”" in log
    assert "Mother's partner" in log
    assert "Taken back 5 January 2026 16:00 by Jane Smith" in log
    assert "Harm to the child" in log
    assert "Child abuse data (DPA 2018 Sch. 3 Part 5)" in log
    assert "neither confirm nor deny" in log
    assert f"Withheld: Entry {seeded.secret_entry_id}" in log
    assert SECRET_SUMMARY not in log  # the log says which entry, never what it says
    detail = get_request(ctx, seeded.request_id)
    assert [d.id for d in detail.decisions][:2] == [term.id, withheld.id]
    assert not detail.decisions[1].in_force
    # With the withholding taken back, the preview counts the entry as disclosed again … until silently withheld.
    assert preview(ctx, seeded.request_id).withheld_silently == 1


def test_every_step_is_audited_without_names_or_reasons(ctx, seeded, tmp_path):
    add_term(ctx, seeded.request_id, THIRD_PARTY, "Mother's partner")
    decision = withhold(ctx, seeded.request_id, "entry", seeded.secret_entry_id, "child_abuse", "Harm to her")
    take_back(ctx, decision.id)
    extend(ctx, seeded.request_id, 1, "Complex record")
    export_response(ctx, seeded.request_id, tmp_path)
    mark_responded(ctx, seeded.request_id, "Secure email to Ms Quillborough")
    with ctx.store.session() as session:
        events = list(
            session.scalars(select(AuditEvent).where(AuditEvent.entity == "subject_access_request"))
        )
    actions = [e.action for e in events]
    assert actions == [
        "sar_recorded", "sar_term_added", "sar_item_withheld", "sar_item_unwithheld", "sar_extended",
        "sar_exported", "sar_responded",
    ]  # fmt: skip
    details = " ".join(e.detail for e in events)
    for private in (
        "Tindall",
        "Quillborough",
        "Harm to her",
        "Mother's partner",
        "Complex record",
        "Secure email",
    ):
        assert private not in details


def test_export_to_a_missing_folder_is_refused_and_nothing_is_audited(ctx, seeded, tmp_path):
    with pytest.raises(ValidationError, match="not there"):
        export_response(ctx, seeded.request_id, tmp_path / "usb-drive-removed")
    with ctx.store.session() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "sar_exported")).first() is None


def test_entries_about_a_withheld_escalation_do_not_name_it(ctx, seeded):
    withhold(ctx, seeded.request_id, "escalation", seeded.escalation_id, "crime", "Police asked")
    built = build(ctx, seeded.request_id)
    log_items = next(s for s in built.disclosure.sections if s.key == "discussion_log").items
    assert all(f.key != "escalation" for item in log_items for f in item.fields)


def test_a_silently_withheld_version_is_not_pointed_at_by_its_correction(ctx, seeded):
    withhold(ctx, seeded.request_id, "entry", seeded.original_id, "crime", "Police asked", silent=True)
    built = build(ctx, seeded.request_id)
    [correction] = [
        i
        for s in built.disclosure.sections
        for i in s.items
        if i.type == "entry" and i.id == seeded.correction_id
    ]
    assert [f for f in correction.fields if f.key == "correction"] == []
    assert f"entry {seeded.original_id}" not in str(built.disclosure)
    withhold(ctx, seeded.request_id, "entry", seeded.correction_id, "crime", "Police asked")
    built = build(ctx, seeded.request_id)
    assert not any(i.id == seeded.original_id for s in built.disclosure.sections for i in s.items)


def test_a_noted_withheld_correction_is_mentioned_without_its_number(ctx, seeded):
    withhold(ctx, seeded.request_id, "entry", seeded.correction_id, "crime", "Police asked")
    built = build(ctx, seeded.request_id)
    [earlier] = [i for s in built.disclosure.sections for i in s.items if i.id == seeded.original_id]
    assert earlier.heading.startswith("Earlier version")
    assert ("corrected_by", "This version was corrected later; the correction is withheld.") in [
        (f.key, f.value) for f in earlier.fields
    ]
    assert f"entry {seeded.correction_id}" not in str(built.disclosure)


def test_a_job_title_is_not_suggested_as_a_name():
    """Found in the demo: "Sam Otterburn, Social Worker" suggested "Social Worker" for redaction."""
    from dsl_desk.services.records.subject_access_items import _names_in

    found = _names_in("Sam Otterburn, Social Worker; DS Chris Kettering, Detective Sergeant and Dawn Care")
    assert found == ["Sam Otterburn", "DS Chris Kettering", "Dawn Care"]
