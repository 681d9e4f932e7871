"""The crash report: what went wrong and where, and nothing a user typed or stored."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from dsl_desk import crash

SECRET = "Zephyrine Quillborough"


def _failing_insert() -> None:
    # SQLAlchemy's own message carries the statement's parameters: a child's name here.
    raise IntegrityError("INSERT INTO children VALUES (?)", [SECRET], Exception("UNIQUE constraint failed"))


def test_the_report_names_types_files_lines_and_functions_but_no_message_or_value():
    try:
        try:
            _failing_insert()
        except IntegrityError as error:
            raise KeyError(SECRET) from error
    except KeyError as error:
        report = crash.report_text(error)
    assert "Exception: KeyError" in report
    assert "Raised from: sqlalchemy.exc.IntegrityError" in report
    assert "in _failing_insert" in report and "test_crash_report.py:" in report
    assert SECRET not in report and "INSERT" not in report and "UNIQUE" not in report
    assert f"Version: {crash.dsl_desk.__version__}" in report and "Platform: " in report


def test_a_file_problem_keeps_its_errno_but_not_the_file_name(tmp_path):
    try:
        (tmp_path / f"{SECRET}.pdf").read_bytes()
    except FileNotFoundError as error:
        report = crash.report_text(error)
    assert "Exception: FileNotFoundError" in report and "errno: 2" in report
    assert SECRET not in report and str(tmp_path) not in report


def test_a_report_that_cannot_be_written_says_so_instead_of_failing(tmp_path):
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the data folder should be")  # fails for root too
    path = crash.write_report(RuntimeError("x"), not_a_folder)
    assert path is None
    assert "No crash report could be written" in crash.plain_message(path)


def test_a_report_is_not_written_without_a_data_folder():
    assert crash.write_report(RuntimeError("x"), None) is None
