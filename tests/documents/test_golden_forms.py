"""Golden references: the text every built-in form's PDF holds, as a reader extracts it, page by page.

A change to a form's wording, its order or what prints on it shows up here as a readable diff, beside the
pixel renderings in docs/forms/. After a change you meant, write the references again and read the diff:

    DSL_DESK_UPDATE_GOLDEN=1 python -m pytest tests/documents/test_golden_forms.py
"""

from __future__ import annotations

import difflib
import io
import os
from pathlib import Path

import pytest
from documents_samples import SAMPLES, SIGNATURE, sample_meta
from pypdf import PdfReader

from dsl_desk.documents.forms import builtin_forms_dir, load_forms
from dsl_desk.documents.render import render_form

GOLDEN = Path(__file__).parent / "golden"
FORMS = load_forms(builtin_forms_dir())


def extracted(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = "".join(
        f"--- page {n} of {len(pages)} ---\n{page.extract_text().rstrip()}\n"
        for n, page in enumerate(pages, 1)
    )
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def test_every_form_has_a_reference():
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == sorted(FORMS)


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_form_text_matches_its_reference(form_id):
    form = FORMS[form_id]
    text = extracted(render_form(form, SAMPLES[form_id], sample_meta(form.partnership), signature=SIGNATURE))
    reference = GOLDEN / f"{form_id}.txt"
    if os.environ.get("DSL_DESK_UPDATE_GOLDEN"):
        reference.write_text(text, encoding="utf-8")
    expected = reference.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True), "reference", "now"))
    assert text == expected, f"{form_id} changed:\n{diff}"
