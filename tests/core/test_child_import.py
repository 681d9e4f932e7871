"""Reading a school's MIS export (CSV) and Common Transfer File (XML), and matching its pupils to known children."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dsl_desk.core.child_import import (
    ADD,
    ALREADY,
    MAX_FILE_BYTES,
    REFUSE,
    ImportFileError,
    IncomingChild,
    KnownChild,
    field_of,
    match,
    upn_check_letter_agrees,
)
from dsl_desk.core.child_import_file import read_file

SAMPLES = Path(__file__).parents[1] / "fixtures" / "children"
TODAY = date(2026, 12, 4)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def read(data: bytes | str, name: str = "pupils.csv"):
    return read_file(data.encode("utf-8") if isinstance(data, str) else data, name, today=TODAY)


# -- CSV -------------------------------------------------------------------------------------------------------


def test_an_mis_export_is_read_by_its_headers_and_a_pupil_repeated_per_contact_is_one_child() -> None:
    result = read(sample("mis-export.csv"))
    assert result.kind == "CSV"
    assert [c.name for c in result.children] == [
        "Zephyrine (Zeph) Quillborough",
        "Tobias Albert Marrowdene",
        "Orla Fenwickstone",
        "Ivo Brackenridge",
        "Ines Brackenridge",
    ]
    assert result.repeats == 1
    zeph = result.children[0]
    assert zeph.date_of_birth == date(2015, 3, 14)
    assert zeph.upn == "H342123415001"
    assert zeph.address == "1 Example Row, Testville, TE1 1AA"
    assert zeph.parents_carers == (
        "Ada Quillborough (Mother), 07700 900101; Bram Quillborough (Father), 07700 900102"
    )
    assert result.children[1].looked_after  # "In Care: Y"
    assert result.children[2].ehcp  # "SEN Status: E"
    assert not result.children[3].ehcp  # "K" is SEN support, not an EHC plan
    assert ("DOB", "Date of birth") in result.columns
    assert set(result.unused) == {"Year", "Reg Group", "Gender"}


def test_another_mis_layout_with_a_bom_semicolons_iso_dates_and_family_comma_first() -> None:
    result = read(sample("mis-export-semicolon.csv"))
    zoe, rafferty = result.children
    assert (zoe.given_names, zoe.family_name, zoe.date_of_birth) == ("Zoë", "Pellingham", date(2014, 5, 9))
    assert zoe.child_protection_plan
    assert zoe.address == "3 Orchard Way, Testville, TE5 5EE"
    assert rafferty.family_name == "Oakenshaw"


@pytest.mark.parametrize(
    ("header", "fills"),
    [
        ("Legal Surname", "family_name"),
        ("surname", "family_name"),
        ("Family name", "family_name"),
        ("First Name", "given_names"),
        ("Date of Birth", "date_of_birth"),
        ("D.O.B.", "date_of_birth"),
        ("Unique Pupil Number", "upn"),
        ("Contact 1 Relationship", "contact_relationship"),
        ("Contact 2 Mobile", "contact_detail"),
        ("Contact 1 Address", None),
        ("Ethnicity", None),
        ("Postcode", "address"),
    ],
)
def test_headers_are_matched_however_the_mis_spells_them(header: str, fills: str | None) -> None:
    assert field_of(header) == fills


def test_a_legal_name_column_wins_over_a_plain_one_whichever_comes_first() -> None:
    result = read("Surname,Legal Surname,Forename,DOB\nSmithy,Smythe,Ann,01/02/2015\n")
    assert result.children[0].family_name == "Smythe"
    assert "Surname" in result.unused


def test_missing_headers_say_which_and_what_was_found() -> None:
    with pytest.raises(ImportFileError) as raised:
        read("Name of pupil,Year\nAnn Smythe,5\n")
    message = str(raised.value)
    assert "the family name" in message
    assert "the date of birth" in message
    assert "“Name of pupil”" in message


def test_a_file_in_another_encoding_is_refused_with_how_to_save_it_as_utf8() -> None:
    data = "Surname,Forename,DOB\nPellingham,Zoë,09/05/2014\n".encode("cp1252")
    with pytest.raises(ImportFileError, match=r"not in UTF-8 \(line 2.*CSV UTF-8"):
        read(data)


def test_utf16_with_a_byte_order_mark_is_read() -> None:
    data = "Surname\tForename\tDOB\nPellingham\tZoë\t09/05/2014\n".encode("utf-16")
    assert read(data).children[0].given_names == "Zoë"


def test_a_huge_file_is_refused_before_it_is_read() -> None:
    with pytest.raises(ImportFileError, match="the most that can be imported at once is 20 MB"):
        read(b"Surname,Forename,DOB\n" + b"x" * MAX_FILE_BYTES)


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    with pytest.raises(ImportFileError, match="empty"):
        read(data)


def test_a_binary_file_is_refused() -> None:
    with pytest.raises(ImportFileError):
        read(bytes(range(256)) * 4)


def test_a_row_that_cannot_be_read_is_kept_with_why() -> None:
    result = read(
        "Surname,Forename,DOB,In Care,UPN\n"
        "Smythe,Ann,31/02/2015,N,\n"
        "Jones,,01/02/2015,N,\n"
        "Brown,Cal,01/02/2015,maybe,\n"
        "Green,Dot,01/02/2015,N,Q1234\n"
        "Black,Eve,,N,\n"
    )
    problems = [c.problem for c in result.children]
    assert "February 2015 has 28 days" in problems[0]
    assert problems[1] == "it has no first name"
    assert "the Looked after column says “maybe”" in problems[2]
    assert "its UPN “Q1234” is not a UPN" in problems[3]
    assert problems[4] == "it has no date of birth"
    assert [c.row for c in result.children] == [2, 3, 4, 5, 6]


def test_excel_midnight_after_a_date_and_blank_lines_are_harmless() -> None:
    result = read("Surname,Forename,DOB\n\nSmythe,Ann,14/03/2015 00:00\n")
    assert result.children[0].date_of_birth == date(2015, 3, 14)
    assert result.children[0].row == 3


def test_a_broken_csv_quote_is_a_plain_message() -> None:
    with pytest.raises(ImportFileError, match="not a CSV file this desk can read"):
        read('Surname,Forename,DOB\n"Smythe,Ann",01/02/2015\n"unterminated\n' + "x," * 200_000)


# -- UPN -------------------------------------------------------------------------------------------------------


def test_upn_check_letters() -> None:
    assert upn_check_letter_agrees("H342123415001")
    assert upn_check_letter_agrees("U34212341500A")  # a temporary UPN ends in a letter
    assert not upn_check_letter_agrees("A342123415001")
    assert not upn_check_letter_agrees("I342123415001")  # I, O and S are never check letters


def test_a_upn_whose_check_letter_does_not_add_up_is_noted_not_refused() -> None:
    child = read("Surname,Forename,DOB,UPN\nSmythe,Ann,01/02/2015,A342123415001\n").children[0]
    assert child.problem == ""
    assert "check letter that does not add up" in child.note


# -- CTF -------------------------------------------------------------------------------------------------------


def test_a_common_transfer_file_is_read_in_both_layouts() -> None:
    result = read(sample("ctf-sample.xml"), "999LLLL_CTF_3421234_001.xml")
    assert result.kind == "CTF"
    assert result.source == "Oakfield Primary School"
    mab, zoe = result.children
    assert (mab.given_names, mab.family_name, mab.date_of_birth) == (
        "Mabyn Rose (Mab)",
        "Thistlewood",
        date(2015, 10, 2),
    )
    assert mab.upn == "U34212341500A"
    assert mab.looked_after and mab.ehcp
    assert mab.address == "12 Bramble Walk, Testville, TE7 7GG"
    assert (
        mab.parents_carers == "Ms Kit Hartwell (foster carer); Mr Joss Hartwell (foster carer), 0151 496 0107"
    )
    assert (zoe.given_names, zoe.family_name) == ("Zoë", "Pellingham")
    assert not zoe.ehcp  # the plan ended in 2021
    assert zoe.address == "3 Orchard Way, Testville, TE5 5EE"


def ctf(pupils: str) -> bytes:
    return f"<?xml version='1.0'?><CTfile><Header/><CTFpupilData>{pupils}</CTFpupilData></CTfile>".encode()


def test_a_ctf_pupil_with_a_future_or_badly_written_date_of_birth_is_kept_with_why() -> None:
    result = read(
        ctf(
            "<Pupil><Surname>A</Surname><Forename>B</Forename><DOB>14/03/2015</DOB></Pupil>"
            "<Pupil><Surname>A</Surname><Forename>C</Forename><DOB>2015-02-30</DOB></Pupil>"
            "<Pupil><Surname>A</Surname><DOB>2015-02-03</DOB></Pupil>"
        ),
        "x.xml",
    )
    assert [c.problem for c in result.children] == [
        "its date of birth “14/03/2015” is not a date written YYYY-MM-DD",
        "its date of birth “2015-02-30” is not a date written YYYY-MM-DD",
        "it has no forename",
    ]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"<?xml version='1.0'?><CTfile><Header>", "not a well-formed XML file"),
        (b"Surname,Forename,DOB\n", "not a well-formed XML file"),  # named .xml but a CSV
        (b"<html><body>hello</body></html>", "starts with <html>, not <CTfile>"),
        (b"<CTfile><Header/></CTfile>", "holds no pupils"),
        (
            b'<?xml version="1.0"?><!DOCTYPE CTfile [<!ENTITY lol "lol">]><CTfile>&lol;</CTfile>',
            "declares a document type or entities",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE CTfile SYSTEM "file:///etc/passwd"><CTfile/>',
            "declares a document type or entities",
        ),
        (b"<CTfile>" + b"<a>" * 100 + b"</a>" * 100 + b"</CTfile>", "nested too deeply"),
        (b"<CTfile><x>" + b"y" * 5000 + b"</x></CTfile>", "longer than 1,000 characters"),
    ],
)
def test_a_file_that_is_not_a_ctf_says_so_plainly(data: bytes, says: str) -> None:
    with pytest.raises(ImportFileError, match=says.replace("(", r"\(")):
        read(data, "pupils.xml")


def test_a_ctf_with_a_namespace_is_read() -> None:
    data = (
        b'<CTfile xmlns="urn:example"><CTFpupilData><Pupil><Surname>A</Surname><Forename>B</Forename>'
        b"<DOB>2015-02-03</DOB></Pupil></CTFpupilData></CTfile>"
    )
    assert read(data, "x.xml").children[0].name == "B A"


# -- matching --------------------------------------------------------------------------------------------------


def incoming(row: int, given: str, family: str, born: date, upn: str = "") -> IncomingChild:
    return IncomingChild(row=row, given_names=given, family_name=family, date_of_birth=born, upn=upn)


BORN = date(2015, 3, 14)


def test_a_child_already_here_is_found_by_name_and_date_of_birth_however_typed() -> None:
    known = [KnownChild(7, "Zephyrine", "Quill-Borough", BORN), KnownChild(8, "Alex", "Zhou", BORN)]
    decisions = match(
        [
            incoming(2, "ZEPHYRINE (Zeph)", "Quillborough", BORN),
            incoming(3, "Alexander (Alex)", "Zhou", BORN),
            incoming(4, "Zephyrine", "Quillborough", date(2015, 3, 15)),
        ],
        known,
    )
    assert [(d.verdict, d.existing_id) for d in decisions] == [(ALREADY, 7), (ALREADY, 8), (ADD, None)]
    assert decisions[0].reason == "Already here as record 7 (Zephyrine Quill-Borough)."


def test_twins_are_two_children() -> None:
    known = [KnownChild(3, "Ivo", "Brackenridge", BORN)]
    decisions = match([incoming(2, "Ines", "Brackenridge", BORN)], known)
    assert decisions[0].verdict == ADD


def test_a_upn_match_wins_over_a_changed_name() -> None:
    known = [KnownChild(5, "Orla", "Fenwick", BORN, upn="L342123415003")]
    decisions = match([incoming(2, "Orla", "Fenwickstone", BORN, "L342123415003")], known)
    assert (decisions[0].verdict, decisions[0].existing_id) == (ALREADY, 5)


def test_within_the_file_a_repeated_upn_with_another_name_is_refused_and_a_repeat_is_already_here() -> None:
    decisions = match(
        [
            incoming(2, "Orla", "Fenwickstone", BORN, "L342123415003"),
            incoming(3, "Tobias", "Marrowdene", BORN, "L342123415003"),
            incoming(4, "Orla", "Fenwickstone", BORN),
            incoming(
                5, "Orla", "Fenwickstone", BORN, "X342123415002"
            ),  # another pupil, same name and birthday
        ],
        [],
    )
    assert [d.verdict for d in decisions] == [ADD, REFUSE, ALREADY, ADD]
    assert "the same UPN as row 2 (Orla Fenwickstone)" in decisions[1].reason
    assert decisions[2].reason == "The same child as row 2 of this file."


def test_a_row_with_a_problem_is_refused_with_it_as_a_sentence() -> None:
    child = IncomingChild(row=9, given_names="A", family_name="B", problem="it has no date of birth")
    assert match([child], [])[0].reason == "It has no date of birth."
