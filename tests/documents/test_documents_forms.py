"""Form definitions load from resources/forms/*.toml and malformed ones say which file and field is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

import dsl_desk
from dsl_desk.documents.forms import (
    FieldKind,
    FormDefinitionError,
    builtin_forms_dir,
    load_form,
    load_forms,
    values_from_sources,
)

EXPECTED_FORMS = {
    "st_helens_escalation_notice",
    "st_helens_resolution_template",
    "medway_stage3_escalation_form",
    "medway_partnership_practice_alert",
    "wigan_appendix3_agency_report",
    "wigan_appendix4_proforma",
    "general_escalation_record",
}

GOOD_FIELD = 'key = "child_name"\nlabel = "Name of child"\nkind = "text"\nsource = "child.name"\n'


def write_form(
    tmp_path: Path, field: str = GOOD_FIELD, name: str = "broken.toml", form_id: str = "x"
) -> Path:
    path = tmp_path / name
    path.write_text(
        f'id = "{form_id}"\ntitle = "A form"\npartnership = "any"\n\n[[sections]]\ntitle = ""\n\n'
        f"[[sections.fields]]\n{field}",
        encoding="utf-8",
    )
    return path


def test_every_built_in_form_loads(forms):
    assert set(forms) >= EXPECTED_FORMS
    for form in forms.values():
        assert form.title
        assert form.fields


def test_st_helens_notice_has_the_template_fields(forms):
    labels = [f.label for f in forms["st_helens_escalation_notice"].fields]
    for label in (
        "Agency issuing Escalation Notice", "Agency receiving Escalation Notice",
        "Name of Child/Young Person", "D.O.B", "Please document any information of concern.",
        "Signed", "Role", "Dated", "Copy to LSCB", "Date", "Date of resolution", "Level of resolution",
        "Issues raised", "Lessons learnt",
    ):  # fmt: skip
        assert label in labels


def test_st_helens_resolution_template_keeps_timescales_and_reasons(forms):
    form = forms["st_helens_resolution_template"]
    labels = [f.label for f in form.fields]
    for stage in (1, 2, 3):
        assert form.field(f"timescales_stage_{stage}").label == f"Timescales adhered to Stage {stage}"
        assert form.field(f"timescales_stage_{stage}").kind is FieldKind.YESNO
    assert labels.count("No – please supply reason") == 3
    assert form.field("main_reason").options == (
        "Threshold Conflict", "Communication", "Need for Action", "Roles & Responsibilities",
    )  # fmt: skip
    for label in ("Name of referrer", "Practitioners Informed", "Date form completed"):
        assert label in labels
    assert form.field("method_of_delivery").label.startswith("Method of delivery")


def test_medway_stage3_form_has_all_four_stage_blocks(forms):
    titles = [s.title for s in forms["medway_stage3_escalation_form"].sections]
    assert titles[1:] == [
        "Stage One – Service Manager",
        "Stage Two – Designated Safeguarding Lead / Head of Service",
        "Stage Three – Assistant Director / Headteacher/ equivalent",
        "Stage four -MSCP",
    ]


def test_partnership_practice_alert_has_no_child_fields(forms):
    form = forms["medway_partnership_practice_alert"]
    assert not [f.key for f in form.fields if f.source.startswith("child.") or "child" in f.key]


def test_wigan_proforma_asks_yes_no_questions(forms):
    yes_no = [f for f in forms["wigan_appendix4_proforma"].fields if f.kind is FieldKind.YESNO]
    assert len(yes_no) == 6


def test_general_record_serves_the_hackney_commissioner_referral(forms):
    form = forms["general_escalation_record"]
    assert form.partnership == "any"
    assert form.applies_to("barnet")
    assert form.applies_to("city_and_hackney")
    assert form.field("actions_to_date").label == "Actions taken to date"
    assert "Rationale" in form.field("icsc_rationale").label


def test_values_from_sources_maps_dotted_names_to_field_keys(forms):
    form = forms["st_helens_escalation_notice"]
    values = values_from_sources(form, {"child.name": "Zoë", "escalation.problem": "x", "unused.thing": "y"})
    assert values == {"child_name": "Zoë", "information_of_concern": "x"}


def test_bad_kind_names_the_file_and_field(tmp_path):
    path = write_form(tmp_path, 'key = "child_dob"\nlabel = "DOB"\nkind = "dat"\n')
    with pytest.raises(FormDefinitionError) as caught:
        load_form(path)
    message = str(caught.value)
    assert "broken.toml" in message
    assert "sections[0].fields[0] (field 'child_dob')" in message
    assert "kind 'dat'" in message


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ('key = "a"\nkind = "text"\n', "label: is required"),
        ('key = "a"\nlabel = "A"\nkind = "choice"\noptions = ["Only one"]\n', "at least two options"),
        ('key = "a"\nlabel = "A"\nkind = "text"\noptions = ["x", "y"]\n', "only for choice fields"),
        ('key = "a"\nlable = "A"\nkind = "text"\n', "unknown key(s): lable"),
        ('key = "a"\nlabel = "A"\nkind = "text"\nsource = "Child Name"\n', "dotted name"),
        ('key = "a"\nlabel = "A"\nkind = "multiline"\nlines = 0\n', "lines must be"),
        ('key = "Bad Key"\nlabel = "A"\nkind = "text"\n', "lower_snake_case"),
    ],
)
def test_malformed_fields_are_reported(tmp_path, field, problem):
    with pytest.raises(FormDefinitionError, match="broken.toml") as caught:
        load_form(write_form(tmp_path, field))
    assert problem in str(caught.value)


def test_duplicate_field_key_is_reported(tmp_path):
    path = write_form(tmp_path, GOOD_FIELD + "\n[[sections.fields]]\n" + GOOD_FIELD)
    with pytest.raises(FormDefinitionError, match=r"fields\[1\] \(field 'child_name'\): key is used twice"):
        load_form(path)


def test_invalid_toml_is_reported_with_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('id = "x"\ntitle = \n', encoding="utf-8")
    with pytest.raises(FormDefinitionError, match=r"bad\.toml: not valid TOML"):
        load_form(path)


def test_duplicate_form_id_across_files_is_reported(tmp_path):
    write_form(tmp_path, name="a.toml", form_id="same")
    write_form(tmp_path, name="b.toml", form_id="same")
    with pytest.raises(FormDefinitionError, match=r"b\.toml: id: form id 'same' is already used"):
        load_forms(tmp_path)


def test_builtin_forms_dir_is_package_data():
    assert builtin_forms_dir() == Path(dsl_desk.__file__).parent / "resources" / "forms"
    assert (builtin_forms_dir() / "st_helens_escalation_notice.toml").is_file()
