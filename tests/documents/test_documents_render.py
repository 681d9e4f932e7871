"""Rendered PDFs hold every label and value, paginate long answers, and print non-Latin names."""

from __future__ import annotations

import io
import re
import struct
import subprocess
import sys
import unicodedata
import zlib
from datetime import date, datetime

import pytest
from documents_samples import SIGNATURE, sample_meta
from pypdf import PdfReader

from dsl_desk.documents.forms import FieldKind
from dsl_desk.documents.page import MARKING
from dsl_desk.documents.render import (
    CHOSEN_MARK,
    NOT_CHOSEN_MARK,
    RenderMeta,
    SignatureBlock,
    render_form,
    safe_file_name,
)


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Whitespace collapsed, so a label wrapped over two lines in its box still matches."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def display(kind: FieldKind, value: str) -> str:
    if kind is FieldKind.DATE and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        day = date.fromisoformat(value)
        return f"{day.day} {day:%B %Y}"
    return value


@pytest.mark.parametrize(
    "form_id",
    [
        "st_helens_escalation_notice",
        "st_helens_resolution_template",
        "medway_stage3_escalation_form",
        "medway_partnership_practice_alert",
        "wigan_appendix3_agency_report",
        "wigan_appendix4_proforma",
        "general_escalation_record",
    ],
)
def test_every_label_and_value_is_printed(forms, samples, form_id):
    form = forms[form_id]
    values = samples[form_id]
    pdf = render_form(form, values, sample_meta(form.partnership))
    text = flat(" ".join(pages_text(pdf)))
    for field in form.fields:
        assert flat(field.label) in text, field.key
        value = values.get(field.key, "")
        if not value or field.kind in (FieldKind.YESNO, FieldKind.CHOICE):
            continue
        for line in display(field.kind, value).splitlines():
            assert flat(line) in text, field.key
    assert flat(form.title) in text
    assert "None" not in text


def test_yes_no_prints_both_options_and_marks_the_answer(forms, meta):
    form = forms["st_helens_resolution_template"]
    values = {"timescales_stage_1": "yes", "timescales_stage_2": "No", "timescales_stage_3": ""}
    text = flat(" ".join(pages_text(render_form(form, values, meta))))
    assert f"{CHOSEN_MARK} Yes {NOT_CHOSEN_MARK} No" in text
    assert f"{NOT_CHOSEN_MARK} Yes {CHOSEN_MARK} No" in text
    assert f"{NOT_CHOSEN_MARK} Yes {NOT_CHOSEN_MARK} No" in text


def test_choice_marks_each_chosen_option_and_keeps_unknown_answers(forms, meta):
    form = forms["st_helens_resolution_template"]
    values = {"main_reason": "Communication; need for action; Housing"}
    text = flat(" ".join(pages_text(render_form(form, values, meta))))
    assert f"{NOT_CHOSEN_MARK} Threshold Conflict" in text
    assert f"{CHOSEN_MARK} Communication" in text
    assert f"{CHOSEN_MARK} Need for Action" in text
    assert "Other: Housing" in text


def test_empty_values_print_empty_boxes_not_none(forms, meta):
    form = forms["medway_stage3_escalation_form"]
    values = dict.fromkeys((f.key for f in form.fields), "")
    values["child_name"] = None  # an unset column from the store
    text = " ".join(pages_text(render_form(form, values, meta)))
    assert "None" not in text
    assert "Stage four -MSCP" in text


def test_unknown_value_keys_are_rejected(forms, meta):
    with pytest.raises(ValueError, match="no field"):
        render_form(forms["st_helens_escalation_notice"], {"childs_name": "x"}, meta)


def test_long_text_breaks_across_pages_with_page_x_of_y(forms, meta):
    form = forms["st_helens_escalation_notice"]
    words = [f"w{i:05d}" for i in range(3400)]
    long_text = " ".join(words)
    assert len(long_text) >= 20_000
    pdf = render_form(form, {"information_of_concern": long_text, "child_name": "Zoë"}, meta)
    texts = pages_text(pdf)
    total = len(texts)
    assert total >= 4
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text
        assert text.count(MARKING) >= 2  # header and footer
        assert meta.reference in text
        assert meta.policy_pack_label in text
    found = re.findall(r"w\d{5}", " ".join(texts))
    assert found == words  # every word, once, in order: nothing lost or repeated at the page breaks


def test_one_unbroken_20000_character_word_still_renders(forms, meta):
    pdf = render_form(forms["medway_partnership_practice_alert"], {"summary": "x" * 20_000}, meta)
    texts = pages_text(pdf)
    assert len(texts) > 1
    assert sum(t.count("x") for t in texts) >= 20_000


def test_unicode_name_round_trips(forms, meta):
    name = "Zoë Łukasiewicz-Nguyễn"
    pdf = render_form(forms["st_helens_escalation_notice"], {"child_name": name}, meta)
    assert name in unicodedata.normalize("NFC", pages_text(pdf)[0])


def test_arabic_and_bengali_names_use_their_embedded_fonts(forms, meta):
    values = {"child_name": "محمد علي", "parents": "রবীন্দ্রনাথ ঠাকুর"}
    pdf = render_form(forms["st_helens_resolution_template"], values, meta)
    fonts = {
        str(font["/BaseFont"])
        for font in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()
        if "/BaseFont" in font.get_object()
    }
    assert any("NotoSansArabic" in f for f in fonts), fonts
    assert any("NotoSansBengali" in f for f in fonts), fonts


def test_metadata_names_the_form_not_the_child(forms, samples, meta):
    form = forms["st_helens_escalation_notice"]
    info = PdfReader(io.BytesIO(render_form(form, samples[form.id], meta))).metadata
    assert info.title == f"Escalation Notice — {meta.reference}"
    assert info.author == meta.author
    assert info.subject == f"{meta.partnership_name}: Escalation Notice"
    assert info.creator == "DSL Desk"
    assert "Zoë" not in f"{info.title}{info.subject}"


def test_demo_marking_only_on_demo_documents(forms):
    form = forms["st_helens_escalation_notice"]
    demo = " ".join(pages_text(render_form(form, {}, sample_meta("st_helens", demo=True))))
    real = " ".join(pages_text(render_form(form, {}, sample_meta("st_helens", demo=False))))
    assert "DEMO DATA — fictional" in demo
    assert "DEMO DATA" not in real


def test_same_input_gives_the_same_bytes(forms, samples, meta):
    form = forms["wigan_appendix4_proforma"]
    assert render_form(form, samples[form.id], meta) == render_form(form, samples[form.id], meta)


def test_electronic_signature_prints_name_role_date_and_drawing(forms, meta):
    signature = SignatureBlock("Jane Smith", "DSL", date(2026, 11, 3), image_png=tiny_png())
    pdf = render_form(forms["st_helens_escalation_notice"], {}, meta, signature=signature)
    assert "Jane Smith, DSL — signed 3 November 2026" in flat(pages_text(pdf)[0])
    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    assert [(image.image.width, image.image.height) for image in images] == [(4, 2)]


def test_wet_signature_leaves_the_box_empty(forms, meta):
    pdf = render_form(
        forms["st_helens_escalation_notice"], {"signed": "Typed Name"}, meta, signature=SIGNATURE,
        wet_signature=True,
    )  # fmt: skip
    text = flat(pages_text(pdf)[0])
    assert "signed 3 November" not in text
    assert "Typed Name" not in text
    assert "Jane Smith, Designated Safeguarding Lead" in text  # printed under the line


def test_naive_export_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        RenderMeta("P", "pack", "ESC-1", "Org", datetime(2026, 1, 1), "Jane")


def test_safe_file_name_has_reference_and_initials_only():
    name = safe_file_name("ESC-2026-0007", "ZŁN", "st_helens_escalation_notice")
    assert name == "ESC-2026-0007_ZLN_st_helens_escalation_notice.pdf"
    # A whole name passed by mistake still gives initials only, never the name.
    assert safe_file_name("esc/2026 7", "Zoë Łukasiewicz-Nguyễn", "x") == "ESC-2026-7_ZLN_x.pdf"
    assert safe_file_name("ESC-1", "Ann Bea Cat Dee Eve", "x") == "ESC-1_ABCD_x.pdf"
    assert safe_file_name("ESC-1", "محمد علي", "x") == "ESC-1_x.pdf"


def test_documents_layer_imports_no_qt_sqlalchemy_or_upper_layers():
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        banned = ('PySide6', 'sqlalchemy', 'dsl_desk.store', 'dsl_desk.services', 'dsl_desk.ui')\n"
        "        if name.startswith(banned):\n"
        "            raise ImportError('blocked ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import dsl_desk.documents.forms, dsl_desk.documents.render, dsl_desk.documents.signing\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def tiny_png() -> bytes:
    """A 4x2 black-and-white PNG, built by hand so the test needs no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 4, 2, 8, 0, 0, 0, 0)
    rows = b"\x00\x00\xff\x00\xff" + b"\x00\xff\x00\xff\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_only_complex_scripts_are_shaped():
    from dsl_desk.documents.fonts import font_for, needs_shaping

    assert needs_shaping("محمد علي")
    assert needs_shaping("Name: রবীন্দ্রনাথ")
    # Shaping Latin text would turn "ffi" into a ligature that extracts as "ﬃ".
    assert not needs_shaping("Officer Zoë Łukasiewicz-Nguyễn ☒")
    assert font_for("☒") == "DSLSymbols"
