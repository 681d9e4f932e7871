"""Children brought in from what a school already has: a CSV export of its management information system (MIS)
or a DfE Common Transfer File (CTF, XML). Pure: bytes in, rows and decisions out; no Qt, no SQL, no clock.

Reading (`read_file`):
- CSV: UTF-8 (with or without the byte-order mark Excel writes) or UTF-16 with a byte-order mark; comma,
  semicolon or tab between columns. Columns are matched by their header, whatever order they come in and however
  the MIS spells them ("Legal Surname", "surname", "Family name" are all the family name); a header we do not
  use is listed, never guessed at. Dates are read day first (14/03/2015, 2015-03-14, 14 Mar 2015).
  A pupil exported once per contact (one row each for mother and father) is one child with both contacts.
- CTF: the DfE's <CTfile> with <Header> and <CTFpupilData><Pupil>…; a pupil's UPN, legal and preferred names,
  date of birth (YYYY-MM-DD), in-care flag, SEN provision (E: an EHC plan), address and contacts are read, in
  the older layout (Surname/Forename on <Pupil>) and the newer (LegalSurname/LegalForename, also inside
  <BasicDetails>). A document type declaration or entity is refused: a CTF never has one, and entities are how
  an XML file is made to blow up or to read other files.
A file that cannot be read at all raises ImportFileError with a plain message; a row that cannot be read is kept
with its `problem`, so the summary can say which row and why.

Matching (`match`): an incoming child is already here when a known child has the same UPN, or else the same
date of birth and family name and a first name in common ("Leo" typed by hand is "Leo James" in the MIS, or
"Alexander" known as "Alex"). Twins (same date of birth and family name, different first names) are two children.
Within the file, a repeated UPN (or, without a UPN, a repeated name and date of birth) is the same child.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from dsl_desk.core.date_entry import DateEntryError, parse_uk_date

MAX_FILE_BYTES = 20 * 1024 * 1024  # a whole-school CTF with attendance and assessments is a few megabytes
MAX_CHILDREN = 10_000  # the largest all-through school has about 3,000 pupils
MAX_CELL = 1_000  # characters in one CSV cell or XML value; a name or an address line is far shorter
MAX_NESTING = 40  # elements inside elements; a CTF goes about eight deep

ADD, ALREADY, REFUSE = "add", "already here", "refused"

# UPN check letters: I, O and S are never used (DfE UPN guidance).
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN = re.compile(r"[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]")


class ImportFileError(ValueError):
    """The file cannot be read as a list of children; the message says why and what to do, in plain words."""


@dataclass(frozen=True)
class IncomingChild:
    row: int  # the CSV line (the header is line 1), or the pupil's place in the CTF (1 for the first)
    given_names: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    upn: str = ""
    preferred_forename: str = ""
    address: str = ""
    parents_carers: str = ""
    looked_after: bool = False
    ehcp: bool = False
    child_protection_plan: bool = False
    child_in_need: bool = False
    problem: str = ""  # why this row cannot be taken; "" when it can
    note: str = ""  # something to check that does not stop it (a UPN whose check letter does not add up)

    @property
    def name(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()


@dataclass(frozen=True)
class ReadFile:
    kind: str  # "CSV" or "CTF"
    children: tuple[IncomingChild, ...]
    columns: tuple[tuple[str, str], ...] = ()  # (the file's header, what it fills), for the preview
    unused: tuple[str, ...] = ()  # headers this desk does not keep (year group, ethnicity…)
    source: str = ""  # a CTF's sending school, when it names one
    repeats: int = 0  # rows that repeated a child already in the file (one per contact), merged into it


@dataclass(frozen=True)
class KnownChild:
    id: int
    given_names: str
    family_name: str
    date_of_birth: date
    upn: str = ""


@dataclass(frozen=True)
class Decision:
    child: IncomingChild
    verdict: str  # ADD, ALREADY or REFUSE
    reason: str = ""  # for ALREADY: which record or row; for REFUSE: why, in plain words
    existing_id: int | None = None


# -- reading ---------------------------------------------------------------------------------------------------


def _looks_like_xml(data: bytes) -> bool:
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<", b"\xff\xfe<", b"\xfe\xff\x00<"))


# -- CSV -------------------------------------------------------------------------------------------------------

FIELD_WORDS = {
    "family_name": "Family name",
    "given_names": "First name(s)",
    "middle_names": "Middle names",
    "full_name": "Name (Family, First)",
    "preferred_forename": "Preferred first name",
    "date_of_birth": "Date of birth",
    "upn": "UPN",
    "address": "Address",
    "contact_name": "Parents/carers",
    "contact_relationship": "Parents/carers (relationship)",
    "contact_detail": "Parents/carers (telephone, email)",
    "looked_after": "Looked after",
    "ehcp": "EHCP",
    "sen": "SEN provision (E: EHCP)",
    "child_protection_plan": "Child protection plan",
    "child_in_need": "Child in need",
}

_HEADERS = {
    "family_name": {"surname", "legalsurname", "familyname", "lastname", "legallastname", "legalfamilyname"},
    "given_names": {
        "forename", "forenames", "legalforename", "legalforenames", "firstname", "firstnames", "givenname",
        "givennames", "legalfirstname", "legalfirstnames",
    },
    "middle_names": {"middlename", "middlenames", "othernames"},
    "full_name": {"name", "pupilname", "studentname", "fullname", "legalname", "pupil", "student", "childname"},
    "preferred_forename": {"preferredforename", "preferredfirstname", "knownas", "preferredname", "chosenname"},
    "date_of_birth": {"dob", "dateofbirth", "birthdate", "dateofbirthddmmyyyy"},
    "upn": {"upn", "uniquepupilnumber", "pupilupn", "studentupn"},
    "looked_after": {"lookedafter", "lookedafterchild", "incare", "cla", "lac", "childlookedafter"},
    "ehcp": {"ehcp", "ehcplan", "ehc", "educationhealthandcareplan"},
    "sen": {"sen", "senprovision", "senstatus", "senneed", "send", "sendstatus"},
    "child_protection_plan": {"cp", "cpplan", "childprotectionplan", "childprotection", "cpp", "onacpplan"},
    "child_in_need": {"cin", "childinneed", "cinplan"},
}  # fmt: skip
_ADDRESS_WORDS = {
    "address", "homeaddress", "street", "road", "town", "city", "county", "postcode", "postalcode", "locality",
    "housename", "housenumber", "flat", "village", "district", "posttown", "paon", "saon",
}  # fmt: skip
_CONTACT_PREFIXES = (
    "contact",
    "parent",
    "carer",
    "guardian",
    "priority",
    "mother",
    "father",
    "primarycontact",
)
_TRUE = {"y", "yes", "true", "1", "x", "✓", "✔", "t"}
_FALSE = {"", "n", "no", "false", "0", "-", "f", "none"}


def _header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", _plain(header))


def field_of(header: str) -> str | None:
    """What a CSV column fills, from its header; None for a column this desk does not keep."""
    key = _header_key(header)
    found = next((name for name, words in _HEADERS.items() if key in words), None)
    if found or not key:
        return found
    if key.startswith(_CONTACT_PREFIXES):
        if "address" in key or "postcode" in key:
            return None  # a contact's own address is not the child's
        if "relation" in key:
            return "contact_relationship"
        detail = any(word in key for word in ("phone", "tel", "mobile", "email"))
        return "contact_detail" if detail else "contact_name"
    is_address = key in _ADDRESS_WORDS or key.startswith(("address", "homeaddress"))
    return "address" if is_address else None


def read_csv(data: bytes, *, today: date) -> ReadFile:
    text = _decode(bytes(data))
    if "\x00" in text:
        raise ImportFileError(
            "The file contains NUL characters, so it is not a CSV file. Export it again as CSV."
        )
    delimiter = _delimiter(text.lstrip()[:2000])
    table: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                table.append((reader.line_num, row))
            if len(table) > MAX_CHILDREN * 4:
                raise ImportFileError(
                    f"The file has more than {MAX_CHILDREN * 4:,} rows; the most that can be imported at once is "
                    f"{MAX_CHILDREN:,} children. Export one year group at a time."
                )
    except csv.Error as error:
        raise ImportFileError(
            f"The file is not a CSV file this desk can read (line {reader.line_num}: {error}). Export it again "
            "from the MIS as CSV."
        ) from None
    if not table:
        raise ImportFileError("The file is empty.")
    headers = [cell.strip().lstrip("\ufeff") for cell in table[0][1]]
    fields_by_column = _columns(headers)
    found = set(fields_by_column.values())
    missing = []
    if "full_name" not in found:
        if "family_name" not in found:
            missing.append("the family name (e.g. “Surname” or “Legal Surname”)")
        if "given_names" not in found:
            missing.append("the first name (e.g. “Forename” or “Legal Forename”)")
    if "date_of_birth" not in found:
        missing.append("the date of birth (e.g. “DOB” or “Date of Birth”)")
    if missing:
        shown = ", ".join(f"“{h}”" for h in headers[:12] if h) or "none"
        raise ImportFileError(
            "The first line of the file must name its columns, and these were not found: "
            + "; ".join(missing)
            + f". The columns found were: {shown}."
        )
    children = [_csv_child(line, row, fields_by_column, len(headers), today) for line, row in table[1:]]
    merged = _merge_repeats(children)
    if len(merged) > MAX_CHILDREN:
        raise ImportFileError(
            f"The file holds {len(merged):,} children; the most that can be imported at once is "
            f"{MAX_CHILDREN:,}. Export one year group at a time."
        )
    columns = tuple((headers[i], FIELD_WORDS[name]) for i, name in sorted(fields_by_column.items()))
    unused = tuple(h for i, h in enumerate(headers) if i not in fields_by_column and h)
    return ReadFile("CSV", tuple(merged), columns, unused, repeats=len(children) - len(merged))


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            position = error.start
            line = data[:position].count(b"\n") + 1
            raise ImportFileError(
                f"The file is not in UTF-8 (line {line} has a character in another encoding, perhaps "
                "Windows-1252). In Excel choose Save As → “CSV UTF-8 (Comma delimited)”, or export from the MIS "
                "as UTF-8, and import that file."
            ) from None
    raise ImportFileError("The file is not readable text. Export it again from the MIS as CSV (UTF-8).")


def _delimiter(sample: str) -> str:
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _columns(headers: Sequence[str]) -> dict[int, str]:
    """Column index → field. The first column for a field wins, except that a legal name beats a plain one."""
    chosen: dict[str, int] = {}
    repeated = {"address", "contact_name", "contact_relationship", "contact_detail"}
    result: dict[int, str] = {}
    for index, header in enumerate(headers):
        name = field_of(header)
        if name is None:
            continue
        if name in repeated:
            result[index] = name
            continue
        if name in chosen:
            if "legal" in _header_key(header) and "legal" not in _header_key(headers[chosen[name]]):
                del result[chosen[name]]
            else:
                continue
        chosen[name] = index
        result[index] = name
    return result


def _csv_child(
    line: int, row: list[str], fields_by_column: dict[int, str], width: int, today: date
) -> IncomingChild:
    problems: list[str] = []
    if len(row) > width and any(c.strip() for c in row[width:]):
        problems.append(
            f"it has {len(row)} cells but the header names {width} columns (a comma inside a name not in quotes?)"
        )
    values, address, contacts = _cells(row, fields_by_column, problems)
    family, given = _csv_names(values, problems)
    preferred = values.get("preferred_forename", "")
    dob = None
    if not values.get("date_of_birth"):
        problems.append("it has no date of birth")
    else:
        dob = _csv_date(values["date_of_birth"], today, problems)
    flags = {name: _yes_no(values.get(name, ""), FIELD_WORDS[name], problems) for name in _FLAGS}
    flags["ehcp"] = flags["ehcp"] or _sen_means_ehcp(values.get("sen", ""))
    upn, problem, note = _upn(values.get("upn", ""))
    if problem:
        problems.append(problem)
    return IncomingChild(
        row=line,
        given_names=_with_preferred(given, preferred),
        family_name=family,
        date_of_birth=dob,
        upn=upn,
        preferred_forename=preferred,
        address=", ".join(address),
        parents_carers="; ".join(contacts),
        problem=_sentence(problems),
        note=note,
        **flags,
    )


_FLAGS = ("looked_after", "ehcp", "child_protection_plan", "child_in_need")


def _cells(
    row: list[str], fields_by_column: dict[int, str], problems: list[str]
) -> tuple[dict[str, str], list[str], list[str]]:
    """The row's values by field, its address lines, and its contacts ("Jo Bloggs (Mother), 07700 900123")."""
    values: dict[str, str] = {}
    address: list[str] = []
    contacts: list[str] = []
    for index, name in fields_by_column.items():
        cell = " ".join(row[index].split()) if index < len(row) else ""
        if len(cell) > MAX_CELL:
            problems.append(f"the {FIELD_WORDS[name]} cell is {len(cell):,} characters long")
        elif not cell:
            continue
        elif name == "address":
            address.append(cell)
        elif name in {"contact_relationship", "contact_detail"} and contacts:
            contacts[-1] += f" ({cell})" if name == "contact_relationship" else f", {cell}"
        elif name.startswith("contact_"):
            contacts.append(cell)
        else:
            values[name] = cell
    return values, address, contacts


def _csv_names(values: dict[str, str], problems: list[str]) -> tuple[str, str]:
    given = values.get("given_names", "")
    family = values.get("family_name", "")
    if "full_name" in values and not (given and family):
        family, given, problem = _split_full_name(values["full_name"])
        if problem:
            problems.append(problem)
    if not family and not problems:
        problems.append("it has no family name")
    if not given and not problems:
        problems.append("it has no first name")
    if values.get("middle_names"):
        given = f"{given} {values['middle_names']}".strip()
    return family, given


def _split_full_name(text: str) -> tuple[str, str, str]:
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
        if family and given:
            return family, given, ""
    return "", "", f"its name “{text}” is not written “Family name, First names”"


def _csv_date(text: str, today: date, problems: list[str]) -> date | None:
    cleaned = re.sub(r"[ T]0?0:00(:00)?$", "", text.strip())  # Excel adds midnight to a date
    try:
        return parse_uk_date(cleaned, today=today)
    except DateEntryError as error:
        problems.append(f"its date of birth cannot be read: {_lower_first(str(error)).rstrip('.')}")
        return None


_MEANS_YES = {
    FIELD_WORDS["looked_after"]: {"cla", "lac", "looked after", "in care"},
    FIELD_WORDS["ehcp"]: {"e", "ehc", "ehc plan", "ehcp"},
    FIELD_WORDS["child_protection_plan"]: {"cp", "cpp", "cp plan"},
    FIELD_WORDS["child_in_need"]: {"cin"},
}


def _yes_no(text: str, label: str, problems: list[str]) -> bool:
    value = _plain(text).strip()
    if value in _TRUE or value in _MEANS_YES.get(label, set()):
        return True
    if value not in _FALSE:
        problems.append(f"the {label} column says “{text}”: it should say Yes or No")
    return False


def _sen_means_ehcp(text: str) -> bool:
    value = _plain(text).strip()
    return (
        value in {"e", "s"} or "ehc" in value or "education health and care" in value or "statement" in value
    )


def _upn(text: str) -> tuple[str, str, str]:
    """(the UPN, a problem that refuses the row, a note that does not)."""
    value = re.sub(r"\s", "", text).upper()
    if not value:
        return "", "", ""
    if not _UPN.fullmatch(value):
        return "", f"its UPN “{text.strip()}” is not a UPN (a letter, 11 digits, then a digit or letter)", ""
    if not upn_check_letter_agrees(value):
        return value, "", f"its UPN {value} has a check letter that does not add up: check it in the MIS"
    return value, "", ""


def upn_check_letter_agrees(upn: str) -> bool:
    """The DfE check: characters 2-13 times weights 2-13 (a letter in 13 counts as its place in the check
    alphabet), the sum modulo 23 picks the first letter. A mismatch is noted, never refused: the MIS is the
    authority on its own UPNs."""
    if not _UPN.fullmatch(upn):
        return False
    total = 0
    for weight, char in enumerate(upn[1:], start=2):
        total += weight * (int(char) if char.isdigit() else _UPN_LETTERS.index(char))
    return _UPN_LETTERS[total % 23] == upn[0]


def _with_preferred(given: str, preferred: str) -> str:
    """ "Alexander James (Alex)": the legal names, and the one the child is known by when it is not one of them."""
    if preferred and _words(preferred)[:1] and _words(preferred)[0] not in _words(given):
        return f"{given} ({preferred})".strip()
    return given


def _merge_repeats(children: list[IncomingChild]) -> list[IncomingChild]:
    """One child per pupil: MIS exports often repeat a pupil once per contact."""
    merged: list[IncomingChild] = []
    by_key: dict[tuple[str, ...], int] = {}
    for child in children:
        key = _identity(child)
        if key is None or child.problem or key not in by_key:
            if key is not None and not child.problem:
                by_key[key] = len(merged)
            merged.append(child)
            continue
        first = merged[by_key[key]]
        if not _same_person(first, child):
            merged.append(child)
            continue
        merged[by_key[key]] = replace(
            first,
            address=first.address or child.address,
            parents_carers="; ".join(
                dict.fromkeys(p for p in (*_split(first.parents_carers), *_split(child.parents_carers)) if p)
            ),
            looked_after=first.looked_after or child.looked_after,
            ehcp=first.ehcp or child.ehcp,
            child_protection_plan=first.child_protection_plan or child.child_protection_plan,
            child_in_need=first.child_in_need or child.child_in_need,
        )
    return merged


def _identity(child: IncomingChild) -> tuple[str, ...] | None:
    if child.upn:
        return ("upn", child.upn)
    if child.date_of_birth is None:
        return None
    return (
        "name",
        _family_key(child.family_name),
        " ".join(_words(child.given_names)),
        str(child.date_of_birth),
    )


def _same_person(a: IncomingChild, b: IncomingChild) -> bool:
    return (
        a.date_of_birth == b.date_of_birth
        and _family_key(a.family_name) == _family_key(b.family_name)
        and _words(a.given_names) == _words(b.given_names)
    )


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";")]


# -- CTF -------------------------------------------------------------------------------------------------------

_RELATIONSHIPS = {
    "PAR": "parent", "CAR": "carer", "FOS": "foster carer", "STP": "step-parent", "REL": "relative",
    "FAM": "family member", "OTH": "other contact", "SWR": "social worker", "CHM": "childminder",
    "DOC": "doctor", "HDT": "head teacher", "AGP": "agency",
}  # fmt: skip


def match(children: Iterable[IncomingChild], known: Iterable[KnownChild]) -> tuple[Decision, ...]:
    """What to do with each incoming child: add it, or leave it because it is already here, or refuse it."""
    known = list(known)
    by_upn = {k.upn: k for k in known if k.upn}
    by_birth: dict[date, list[KnownChild]] = {}
    for k in known:
        by_birth.setdefault(k.date_of_birth, []).append(k)
    taken_upns: dict[str, IncomingChild] = {}
    taken_names: dict[tuple[str, str, date], IncomingChild] = {}
    decisions = []
    for child in children:
        if child.problem:
            decisions.append(Decision(child, REFUSE, _capital(child.problem)))
            continue
        assert child.date_of_birth is not None
        existing = by_upn.get(child.upn) if child.upn else None
        if existing is None:
            existing = next((k for k in by_birth.get(child.date_of_birth, []) if same_child(child, k)), None)
        if existing is not None:
            decisions.append(
                Decision(
                    child, ALREADY, f"Already here as record {existing.id} ({_name(existing)}).", existing.id
                )
            )
            continue
        if child.upn and child.upn in taken_upns:
            earlier = taken_upns[child.upn]
            decisions.append(
                Decision(
                    child,
                    REFUSE,
                    f"It has the same UPN as {_where(earlier)} ({earlier.name}) but another name or date of "
                    "birth: check both in the MIS.",
                )
            )
            continue
        name_key = (_family_key(child.family_name), _first(child.given_names), child.date_of_birth)
        earlier = taken_names.get(name_key)
        if earlier is not None and not (child.upn and earlier.upn and child.upn != earlier.upn):
            decisions.append(Decision(child, ALREADY, f"The same child as {_where(earlier)} of this file."))
            continue
        if child.upn:
            taken_upns[child.upn] = child
        taken_names.setdefault(name_key, child)
        decisions.append(Decision(child, ADD))
    return tuple(decisions)


def same_child(child: IncomingChild, known: KnownChild) -> bool:
    """Same date of birth, same family name, and a first name in common (either's first is among the other's)."""
    if child.date_of_birth != known.date_of_birth:
        return False
    if _family_key(child.family_name) != _family_key(known.family_name):
        return False
    incoming, existing = _words(child.given_names), _words(known.given_names)
    if not incoming or not existing:
        return False
    return incoming[0] in existing or existing[0] in incoming


def _where(child: IncomingChild) -> str:
    return f"row {child.row}"


def _name(known: KnownChild) -> str:
    return f"{known.given_names} {known.family_name}".strip()


# -- words -----------------------------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Case, accents and compatibility forms set aside: "Zoë" and "ZOE" are the same letters."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^\w]+|_", _plain(text).replace("'", "").replace("’", "")) if w]


def _first(text: str) -> str:
    words = _words(text)
    return words[0] if words else ""


def _family_key(text: str) -> str:
    return "".join(_words(text))


def _sentence(problems: list[str]) -> str:
    return "; ".join(problems)


def _capital(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and not text[:2].isupper() else text
