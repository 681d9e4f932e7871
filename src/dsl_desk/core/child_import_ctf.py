"""Reading the DfE Common Transfer File (CTF, XML) into incoming children: expat with no DTD or entities, limits on size, nesting, values and pupils; the older and newer name layouts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from xml.parsers import expat

from dsl_desk.core.child_import import (
    _RELATIONSHIPS,
    MAX_CELL,
    MAX_CHILDREN,
    MAX_NESTING,
    ImportFileError,
    IncomingChild,
    ReadFile,
    _merge_repeats,
    _plain,
    _sentence,
    _upn,
    _with_preferred,
)

ADD, ALREADY, REFUSE = "add", "already here", "refused"

# UPN check letters: I, O and S are never used (DfE UPN guidance).


@dataclass
class _Node:
    tag: str
    children: list[_Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def find(self, *path: str) -> _Node | None:
        node: _Node | None = self
        for tag in path:
            node = next((c for c in node.children if c.tag == tag), None) if node else None
        return node

    def all(self, tag: str) -> list[_Node]:
        return [c for c in self.children if c.tag == tag]

    def value(self, *path: str) -> str:
        node = self.find(*path)
        return " ".join("".join(node.text).split()) if node else ""

    def first_value(self, *paths: tuple[str, ...]) -> str:
        for path in paths:
            found = self.value(*path)
            if found:
                return found
        return ""

    def descendants(self, tag: str) -> Iterable[_Node]:
        for child in self.children:
            if child.tag == tag:
                yield child
            yield from child.descendants(tag)


def _parse_xml(data: bytes) -> _Node:
    parser = expat.ParserCreate(namespace_separator="}")
    root = _Node("")
    stack = [root]

    def refuse(*_args: object) -> None:
        raise ImportFileError(
            "The XML file declares a document type or entities, which a Common Transfer File never has, so it "
            "was not read. Export the CTF again from the MIS."
        )

    def start(tag: str, _attrs: dict[str, str]) -> None:
        if len(stack) > MAX_NESTING:
            raise ImportFileError("The XML file is nested too deeply to be a Common Transfer File.")
        node = _Node(tag.rsplit("}", 1)[-1])
        stack[-1].children.append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    def text(value: str) -> None:
        node = stack[-1]
        if sum(len(t) for t in node.text) + len(value) > MAX_CELL:
            raise ImportFileError(
                f"The XML file has a <{node.tag}> value longer than {MAX_CELL:,} characters, which no CTF has."
            )
        node.text.append(value)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise ImportFileError(
            f"The file is not a well-formed XML file (line {error.lineno}: "
            f"{expat.ErrorString(error.code)}). If it is a CSV, give it a name ending .csv; if it is a CTF, "
            "export it again from the MIS."
        ) from None
    if not root.children:
        raise ImportFileError("The XML file is empty.")
    return root.children[0]


def read_ctf(data: bytes, *, today: date) -> ReadFile:
    root = _parse_xml(bytes(data))
    if root.tag != "CTfile":
        raise ImportFileError(
            f"The XML file is not a Common Transfer File: it starts with <{root.tag}>, not <CTfile>."
        )
    pupils_node = root.find("CTFpupilData")
    pupils = pupils_node.all("Pupil") if pupils_node else []
    if not pupils:
        raise ImportFileError("The Common Transfer File holds no pupils (no <CTFpupilData><Pupil>).")
    if len(pupils) > MAX_CHILDREN:
        raise ImportFileError(
            f"The Common Transfer File holds {len(pupils):,} pupils; the most that can be imported at once is "
            f"{MAX_CHILDREN:,}."
        )
    source = root.value("Header", "SourceSchool", "SchoolName")
    children = [_ctf_child(number, pupil, today) for number, pupil in enumerate(pupils, start=1)]
    merged = _merge_repeats(children)
    return ReadFile("CTF", tuple(merged), source=source, repeats=len(children) - len(merged))


def _ctf_child(number: int, pupil: _Node, today: date) -> IncomingChild:
    problems: list[str] = []
    family = pupil.first_value(
        ("LegalSurname",), ("Surname",), ("BasicDetails", "LegalSurname"), ("BasicDetails", "Surname")
    )
    given = pupil.first_value(
        ("LegalForename",), ("Forename",), ("BasicDetails", "LegalForename"), ("BasicDetails", "Forename")
    )
    middle = pupil.first_value(("MiddleNames",), ("BasicDetails", "MiddleNames"))
    preferred = pupil.first_value(("PreferredForename",), ("BasicDetails", "PreferredForename"))
    if not family:
        problems.append("it has no surname")
    if not given:
        problems.append("it has no forename")
    dob_text = pupil.first_value(("DOB",), ("BasicDetails", "DOB"))
    dob = None
    if not dob_text:
        problems.append("it has no date of birth")
    else:
        try:
            dob = date.fromisoformat(dob_text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", dob_text) else None
        except ValueError:
            dob = None
        if dob is None:
            problems.append(f"its date of birth “{dob_text}” is not a date written YYYY-MM-DD")
    upn, problem, note = _upn(pupil.value("UPN"))
    if problem:
        problems.append(problem)
    in_care = any(
        _plain("".join(n.text)).strip() in {"true", "1", "y", "yes"} for n in pupil.descendants("InCare")
    )
    given_names = f"{given} {middle}".strip()
    return IncomingChild(
        row=number,
        given_names=_with_preferred(given_names, preferred),
        family_name=family,
        date_of_birth=dob,
        upn=upn,
        preferred_forename=preferred,
        address=_ctf_address(pupil),
        parents_carers=_ctf_contacts(pupil),
        looked_after=in_care,
        ehcp=_ctf_ehcp(pupil, today),
        problem=_sentence(problems),
        note=note,
    )


def _ctf_address(pupil: _Node) -> str:
    address = pupil.find("Address")
    if address is None:
        return ""
    parts: list[str] = []
    lines = address.find("AddressLines")
    bs7666 = address.find("BS7666Address")
    if bs7666 is not None:
        paon, street = bs7666.value("PAON"), bs7666.value("Street")
        if paon[:1].isdigit():  # "12" and "Bramble Walk" are one line: "12 Bramble Walk"
            paon, street = "", f"{paon} {street}".strip()
        parts += [bs7666.value("SAON"), paon, street]
        parts += [bs7666.value(tag) for tag in ("Locality", "Town", "AdministrativeArea", "PostTown")]
    elif lines is not None:
        parts += ["".join(n.text).strip() for n in lines.children]
    parts.append(address.first_value(("PostCode",), ("Postcode",), ("BS7666Address", "PostCode")))
    return ", ".join(dict.fromkeys(p for p in parts if p))


def _ctf_contacts(pupil: _Node) -> str:
    contacts = pupil.find("Contacts")
    if contacts is None:
        return ""

    def order(node: _Node) -> int:
        text = node.value("Order")
        return int(text) if text.isdigit() else 99

    shown = []
    for contact in sorted(contacts.all("Contact"), key=order):
        name = " ".join(
            p for p in (contact.value("Title"), contact.value("Forename"), contact.value("Surname")) if p
        )
        if not name:
            continue
        code = contact.value("Relationship").upper()
        relationship = _RELATIONSHIPS.get(code, code.lower())
        phone = next((p.value("PhoneNo") for p in contact.descendants("Phone") if p.value("PhoneNo")), "")
        shown.append(name + (f" ({relationship})" if relationship else "") + (f", {phone}" if phone else ""))
    return "; ".join(shown)


def _ctf_ehcp(pupil: _Node, today: date) -> bool:
    for sen in pupil.descendants("SEN"):
        provision = sen.value("SENprovision").upper()
        ended = sen.value("EndDate")
        if ended and re.fullmatch(r"\d{4}-\d{2}-\d{2}", ended):
            try:
                if date.fromisoformat(ended) <= today:
                    continue
            except ValueError:
                pass
        if provision in {"E", "S"}:
            return True
    return False


# -- matching --------------------------------------------------------------------------------------------------
