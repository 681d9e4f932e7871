"""A school's file of pupils, whichever it is: a CTF (XML) or a CSV export of the management information system, told apart by its content."""

from __future__ import annotations

from datetime import date

from dsl_desk.core.child_import import MAX_FILE_BYTES, ImportFileError, ReadFile, _looks_like_xml, read_csv
from dsl_desk.core.child_import_ctf import read_ctf

ADD, ALREADY, REFUSE = "add", "already here", "refused"

# UPN check letters: I, O and S are never used (DfE UPN guidance).


def read_file(data: bytes, file_name: str = "", *, today: date) -> ReadFile:
    """A CSV or a CTF, told apart by content (an XML file starts with "<"), or ImportFileError."""
    if not isinstance(data, bytes | bytearray):
        raise ImportFileError("The file could not be read.")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"The file is {len(data) / 1024 / 1024:,.1f} MB; the most that can be imported at once is "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB. Export fewer pupils (one year group at a time) and import each."
        )
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if _looks_like_xml(data) or file_name.lower().endswith(".xml"):
        return read_ctf(data, today=today)
    return read_csv(data, today=today)
