"""Loading packs: a broken pack is reported with file, line and field, and never stops the others."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dsl_desk.core.policy import (
    PackLoadError,
    builtin_policies_dir,
    find_field_line,
    load_pack,
    load_packs,
)

BUILTIN = builtin_policies_dir()
SHIPPED = ["barnet", "city_and_hackney", "medway", "st_helens", "wigan"]


def _barnet_text() -> str:
    return (BUILTIN / "barnet.toml").read_text(encoding="utf-8")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str, occurrence: int = 0) -> int:
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if line.startswith(needle)]
    return hits[occurrence]


def test_builtin_folder_holds_the_five_packs() -> None:
    result = load_packs([BUILTIN])
    assert result.errors == ()
    assert sorted(result.packs) == SHIPPED
    assert (BUILTIN / "README.md").is_file()


def test_syntax_error_reports_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.toml", '[pack]\nformat = 1\nid = "broken\nname = "x"\n')
    with pytest.raises(PackLoadError) as failed:
        load_pack(path)
    error = failed.value.error
    assert (error.file, error.line, error.field) == (path, 3, "")
    assert "not valid TOML" in error.message
    assert str(error).startswith("broken.toml, line 3: is not valid TOML")


def test_missing_field_reports_the_field_and_its_table(tmp_path: Path) -> None:
    text = _barnet_text()
    stage_2_line = next(line for line in text.splitlines() if line.startswith('what_happens = "Consult'))
    broken = text.replace(stage_2_line + "\n", "")
    path = _write(tmp_path, "barnet.toml", broken)
    with pytest.raises(PackLoadError) as failed:
        load_pack(path)
    error = failed.value.error
    assert error.field == "stages[1].what_happens"
    assert "is missing" in error.message
    assert error.line == _line_of(broken, "[[stages]]", occurrence=1)


def test_wrong_type_points_at_the_line(tmp_path: Path) -> None:
    broken = _barnet_text().replace("max_working_days = 5", 'max_working_days = "five"')
    path = _write(tmp_path, "barnet.toml", broken)
    with pytest.raises(PackLoadError) as failed:
        load_pack(path)
    error = failed.value.error
    assert error.field == "closing.max_working_days"
    assert error.message == "should be a whole number, not text"
    assert error.line == _line_of(broken, "max_working_days")


def test_bad_value_inside_an_inline_table(tmp_path: Path) -> None:
    original = 'timescale = { kind = "same_working_day", text = "Still completed'
    broken = _barnet_text().replace(original, original.replace("same_working_day", "same_day"), 1)
    path = _write(tmp_path, "barnet.toml", broken)
    with pytest.raises(PackLoadError) as failed:
        load_pack(path)
    error = failed.value.error
    assert error.field == "stages[2].timescale.kind"
    assert "'same_day' is not one of: immediately, same_working_day, working_days, none" in error.message
    assert error.line == _line_of(broken, 'timescale = { kind = "same_day"')


def test_typo_in_a_field_name_suggests_the_right_one(tmp_path: Path) -> None:
    broken = _barnet_text().replace("debrief_suggested", "debreif_suggested")
    with pytest.raises(PackLoadError, match="did you mean 'debrief_suggested'"):
        load_pack(_write(tmp_path, "barnet.toml", broken))


def test_prerequisite_must_be_an_earlier_stage(tmp_path: Path) -> None:
    text = (BUILTIN / "medway.toml").read_text(encoding="utf-8")
    broken = text.replace('prerequisites = ["stage_1", "stage_2"]', 'prerequisites = ["stage_1", "stage_9"]')
    with pytest.raises(PackLoadError) as failed:
        load_pack(_write(tmp_path, "medway.toml", broken))
    assert failed.value.error.field == "stages[2].prerequisites"
    assert failed.value.error.line == _line_of(broken, "prerequisites =")


def test_unknown_overrun_field_is_refused(tmp_path: Path) -> None:
    broken = _barnet_text().replace('"manager_confirmation_child_safe"]', '"head_signature"]')
    with pytest.raises(PackLoadError, match="'head_signature' is not one of"):
        load_pack(_write(tmp_path, "barnet.toml", broken))


def test_form_requirement_needs_a_form(tmp_path: Path) -> None:
    text = (BUILTIN / "medway.toml").read_text(encoding="utf-8")
    broken = text.replace(
        'form = "medway_stage3_escalation_form"\nrecipient = "Assistant', 'recipient = "Assistant'
    )
    with pytest.raises(PackLoadError) as failed:
        load_pack(_write(tmp_path, "medway.toml", broken))
    assert failed.value.error.field == "stages[2].requirements[0].form"
    assert failed.value.error.line == _line_of(broken, "[[stages.requirements]]", occurrence=6)


def test_unsupported_format_version(tmp_path: Path) -> None:
    broken = _barnet_text().replace("format = 1", "format = 2", 1)
    with pytest.raises(PackLoadError, match="pack format 1"):
        load_pack(_write(tmp_path, "barnet.toml", broken))


def test_one_bad_pack_does_not_stop_the_others(tmp_path: Path) -> None:
    for name in SHIPPED:
        shutil.copy(BUILTIN / f"{name}.toml", tmp_path)
    _write(tmp_path, "aaa_broken.toml", "[pack\n")
    result = load_packs([tmp_path])
    assert sorted(result.packs) == SHIPPED
    assert [(e.file.name, e.line) for e in result.errors] == [("aaa_broken.toml", 1)]


def test_user_pack_adds_to_the_builtin_ones(tmp_path: Path) -> None:
    text = (
        _barnet_text()
        .replace('id = "barnet"', 'id = "barnet_local"')
        .replace('short_name = "Barnet"', 'short_name = "Barnet (local copy)"')
    )
    _write(tmp_path, "mine.toml", text)
    result = load_packs([BUILTIN, tmp_path])
    assert result.errors == ()
    assert result.packs["barnet_local"].short_name == "Barnet (local copy)"
    assert result.packs["barnet"].short_name == "Barnet"


def test_duplicate_id_is_an_error_and_the_builtin_pack_stays(tmp_path: Path) -> None:
    text = _barnet_text().replace('short_name = "Barnet"', 'short_name = "Impostor"')
    _write(tmp_path, "barnet.toml", text)
    result = load_packs([BUILTIN, tmp_path])
    assert result.packs["barnet"].short_name == "Barnet"
    (error,) = result.errors
    assert (error.field, error.line) == ("pack.id", _line_of(text, "id = "))
    assert "already used" in error.message


def test_missing_user_folder_is_not_an_error(tmp_path: Path) -> None:
    result = load_packs([BUILTIN, tmp_path / "not-created-yet"])
    assert result.errors == ()
    assert len(result.packs) == 5


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[pack]\nname = "caf\xe9"\n')
    result = load_packs([tmp_path])
    assert result.packs == {}
    assert "could not be read" in result.errors[0].message


@pytest.mark.parametrize(
    ("dotted", "expected"),
    [
        ("pack.id", 3),
        ("stages[1]", 7),
        ("stages[1].timescale.kind", 9),
        ("stages[1].requirements[0].key", 11),
        ("stages[1].missing", 7),
        ("nowhere", None),
    ],
)
def test_find_field_line(dotted: str, expected: int | None) -> None:
    text = "\n".join(
        [
            "[pack]",  # 1
            "format = 1",  # 2
            'id = "x"',  # 3
            "[[stages]]",  # 4
            'key = "a"',  # 5
            "",  # 6
            "[[stages]]",  # 7
            'key = "b"',  # 8
            'timescale = { kind = "none" }',  # 9
            "[[stages.requirements]]",  # 10
            'key = "r"',  # 11
        ]
    )
    assert find_field_line(text, dotted) == expected


# ---- packs that would have stopped every command (issue 14) ------------------------------------------------


def test_a_deeply_nested_pack_is_skipped_with_a_plain_error_and_the_others_load(tmp_path: Path) -> None:
    for name in SHIPPED:
        shutil.copy(BUILTIN / f"{name}.toml", tmp_path)
    _write(tmp_path, "nested.toml", "x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = load_packs([tmp_path])  # raised RecursionError, stopping every command and the GUI
    assert sorted(result.packs) == SHIPPED
    (error,) = result.errors
    assert error.file.name == "nested.toml"
    assert "nested too deeply" in error.message


def test_an_absurd_number_of_days_is_refused_by_the_validator(tmp_path: Path) -> None:
    original = 'timescale = { kind = "working_days", days = 5, text = "A response within 5 working days" }'
    text = (BUILTIN / "medway.toml").read_text(encoding="utf-8")
    assert original in text
    path = _write(tmp_path, "medway.toml", text.replace(original, original.replace("5,", "3000000,"), 1))
    with pytest.raises(PackLoadError) as failed:  # passed validation, then overflowed the calendar
        load_pack(path)
    assert failed.value.error.field == "stages[0].timescale.days"
    assert "longer than any policy allows" in failed.value.error.message


def test_a_pack_larger_than_any_policy_is_not_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "huge.toml", "# " + "x" * (600 * 1024) + "\n")
    with pytest.raises(PackLoadError, match="larger than a policy pack can be"):
        load_pack(path)


def test_a_review_due_that_is_not_a_date_is_refused(tmp_path: Path) -> None:
    text = _barnet_text().replace('review = ""', 'review = ""\nreview_due = "July 2019"', 1)
    path = _write(tmp_path, "barnet.toml", text)
    with pytest.raises(PackLoadError) as failed:
        load_pack(path)
    assert failed.value.error.field == "document.review_due"


def test_two_stages_with_one_label_need_distinct_labels_for_the_forms(tmp_path: Path) -> None:
    text = (BUILTIN / "st_helens.toml").read_text(encoding="utf-8")
    broken = text.replace('distinct_label = "Stage Four (mediation by a third party agency)"\n', "", 1)
    path = _write(tmp_path, "st_helens.toml", broken)
    with pytest.raises(PackLoadError, match="distinct_label"):
        load_pack(path)


def test_every_shipped_requirement_says_must_or_should_in_its_own_file() -> None:
    """The default is "should": a shipped pack must decide for each step from its document's words."""
    import tomllib

    for name in SHIPPED:
        raw = tomllib.loads((BUILTIN / f"{name}.toml").read_text(encoding="utf-8"))
        for stage in raw["stages"]:
            for requirement in stage.get("requirements", []):
                assert requirement.get("obligation") in ("must", "should"), (name, requirement["key"])
