"""Importing children from the school's MIS export and Common Transfer Files into a real encrypted database."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from dsl_desk.services.audit import trail as audit
from dsl_desk.services.audit.verify import verify_audit_trail
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.people.child_import import import_children, preview_import
from dsl_desk.services.people.children import ChildDetails, add_child, get_child, list_children
from dsl_desk.store.models import AuditEvent
from tests.conftest import PASSPHRASE
from tests.services.db_digest import database_digest

SAMPLES = Path(__file__).parents[2] / "fixtures" / "children"


def audit_actions(ctx) -> list[str]:
    with ctx.store.session() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_a_preview_says_what_would_happen_and_writes_nothing(ctx, data_paths) -> None:
    before = database_digest(data_paths, PASSPHRASE)
    summary = preview_import(ctx, SAMPLES / "mis-export.csv")
    assert not summary.imported
    assert summary.words() == "5 children to add, 0 already here."
    assert [row.verdict for row in summary.rows] == ["add"] * 5
    assert summary.rows[1].flags == ("Looked after",)
    assert summary.repeats == 1
    assert database_digest(data_paths, PASSPHRASE) == before
    assert list_children(ctx) == []


def test_an_import_adds_each_child_once_in_one_audited_transaction(ctx) -> None:
    summary = import_children(ctx, SAMPLES / "mis-export.csv")
    assert summary.words() == "5 children added, 0 already here."
    names = [row.name for row in list_children(ctx)]
    assert names == [
        "Ines Brackenridge",
        "Ivo Brackenridge",
        "Orla Fenwickstone",
        "Tobias Albert Marrowdene",
        "Zephyrine (Zeph) Quillborough",
    ]
    zeph = get_child(ctx, summary.rows[0].child_id)
    assert zeph.details.parents_carers.startswith("Ada Quillborough (Mother), 07700 900101; Bram")
    assert zeph.details.date_of_birth == date(2015, 3, 14)
    actions = audit_actions(ctx)
    assert actions.count("child_added") == 5
    assert actions.count("children_imported") == 1
    with ctx.store.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "children_imported")).one()
        detail = json.loads(event.detail)
    assert detail["added"] == 5 and detail["format"] == "CSV"
    assert "Quillborough" not in event.detail  # no child's name in the trail
    assert verify_audit_trail(ctx).intact


def test_importing_the_same_file_again_creates_no_duplicate_and_changes_nothing(ctx, data_paths) -> None:
    import_children(ctx, SAMPLES / "mis-export.csv")
    before = database_digest(data_paths, PASSPHRASE)
    again = import_children(ctx, SAMPLES / "mis-export.csv")
    assert again.words() == "0 children added, 5 already here."
    assert all(row.reason.startswith("Already here as record ") for row in again.rows)
    assert len(list_children(ctx)) == 5
    assert database_digest(data_paths, PASSPHRASE) == before


def test_a_child_typed_by_hand_is_found_in_the_ctf_by_name_and_date_of_birth(ctx) -> None:
    typed = add_child(
        ctx, ChildDetails(given_names="Mabyn", family_name="THISTLEWOOD", date_of_birth=date(2015, 10, 2))
    )
    summary = import_children(ctx, SAMPLES / "ctf-sample.xml")
    assert summary.kind == "CTF" and summary.source == "Oakfield Primary School"
    assert (summary.rows[0].verdict, summary.rows[0].child_id) == ("already here", typed.id)
    assert summary.rows[1].verdict == "added"
    assert summary.words() == "1 child added, 1 already here."


def test_the_csv_and_the_ctf_of_the_same_pupil_make_one_child(ctx) -> None:
    import_children(ctx, SAMPLES / "mis-export-semicolon.csv")
    summary = import_children(ctx, SAMPLES / "ctf-sample.xml")
    assert [row.verdict for row in summary.rows] == ["added", "already here"]  # Zoë Pellingham is here
    assert len(list_children(ctx)) == 3


def test_a_future_date_of_birth_is_refused_with_why_and_the_others_are_added(ctx, tmp_path) -> None:
    path = write(
        tmp_path,
        "pupils.csv",
        "Surname,Forename,DOB\nFuturewell,Nell,01/02/2031\nPresentine,Ada,01/02/2015\n",
    )
    summary = import_children(ctx, path)
    refused, added = summary.rows
    assert refused.verdict == "refused"
    assert refused.reason == "The date of birth 1 February 2031 is in the future. Check the date."
    assert added.verdict == "added"
    assert summary.words() == "1 child added, 0 already here, 1 refused."
    assert [row.name for row in list_children(ctx)] == ["Ada Presentine"]


def test_a_file_whose_only_child_is_refused_changes_nothing(ctx, tmp_path, data_paths) -> None:
    path = write(tmp_path, "pupils.csv", "Surname,Forename,DOB\nFuturewell,Nell,01/02/2031\n")
    before = database_digest(data_paths, PASSPHRASE)
    summary = import_children(ctx, path)
    assert summary.words() == "0 children added, 0 already here, 1 refused."
    assert database_digest(data_paths, PASSPHRASE) == before


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("latin1.csv", "Surname,Forename,DOB\nPellingham,Zoë,09/05/2014\n".encode("cp1252"), "not in UTF-8"),
        ("headers.csv", "Pupil,Year\nZoë Pellingham,5\n", "these were not found"),
        ("pupils.xml", "Surname,Forename,DOB\n", "not a well-formed XML file"),
        ("page.xml", "<html><body/></html>", "not a Common Transfer File"),
        ("empty.csv", "", "empty"),
    ],
)
def test_a_bad_file_gets_a_plain_message_and_changes_nothing(
    ctx, tmp_path, data_paths, name, content, says
) -> None:
    path = write(tmp_path, name, content)
    before = database_digest(data_paths, PASSPHRASE)
    for action in (preview_import, import_children):
        with pytest.raises(ValidationError, match=says) as raised:
            action(ctx, path)
        assert str(raised.value).endswith("Nothing was imported.") or "Nothing was changed" in str(
            raised.value
        )
    assert database_digest(data_paths, PASSPHRASE) == before


def test_a_huge_file_or_a_folder_is_refused_unread(ctx, tmp_path, data_paths) -> None:
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:
        handle.write(b"Surname,Forename,DOB\n")
        handle.truncate(21 * 1024 * 1024)
    before = database_digest(data_paths, PASSPHRASE)
    with pytest.raises(ValidationError, match="never more than 20 MB"):
        import_children(ctx, huge)
    with pytest.raises(ValidationError, match="is a folder|not a file of children"):
        import_children(ctx, tmp_path)
    with pytest.raises(ValidationError, match="could not be read"):
        import_children(ctx, tmp_path / "missing.csv")
    assert database_digest(data_paths, PASSPHRASE) == before


def test_a_failure_part_way_leaves_no_child_behind(ctx, monkeypatch) -> None:
    real = audit.record
    calls = {"n": 0}

    def failing(session, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk unplugged")
        return real(session, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(OSError, match="disk unplugged"):
        import_children(ctx, SAMPLES / "mis-export.csv")
    monkeypatch.undo()
    assert list_children(ctx) == []
    assert "child_added" not in audit_actions(ctx)
