"""The first-run wizard, driven through its real fields and buttons, checked against the database it creates."""

from __future__ import annotations

import math
from datetime import time
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDateTimeEdit, QFileDialog, QWizard

from dsl_desk.services.desk.profile import get_profile
from dsl_desk.services.desk.setup import sign_in, sign_in_with_recovery_key
from dsl_desk.services.desk.users import list_users, signature_of
from dsl_desk.ui.desk.setup_pages import suggest_username
from dsl_desk.ui.desk.setup_wizard import SetupWizard
from tests.conftest import FAST_KDF, PASSPHRASE

Button = QWizard.WizardButton


@pytest.fixture
def wizard(qtbot, data_paths, clock, packs):
    widget = SetupWizard(data_paths, clock, packs, kdf=FAST_KDF)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    if widget.context is not None:
        widget.context.close()
        widget.context = None


def click(qtbot, wizard: SetupWizard, which: QWizard.WizardButton = Button.NextButton) -> None:
    button = wizard.button(which)
    assert button.isVisible(), f"{which} is not shown on {type(wizard.currentPage()).__name__}"
    assert button.isEnabled(), f"{which} is disabled on {type(wizard.currentPage()).__name__}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_into(qtbot, widget, text: str) -> None:
    """Replace a field's text by typing, as a user who tabs into it does (Tab selects what is there)."""
    widget.setFocus()
    if isinstance(widget, QDateTimeEdit):
        widget.setSelectedSection(QDateTimeEdit.Section.HourSection)
    else:
        widget.selectAll()
    qtbot.keyClicks(widget, text)


def tick(qtbot, checkbox) -> None:
    """Click the box itself (a check box's centre can be empty space when the layout stretches it)."""
    qtbot.mouseClick(checkbox, Qt.MouseButton.LeftButton, pos=QPoint(8, checkbox.height() // 2))


def choose_partnership(qtbot, wizard: SetupWizard, name: str) -> None:
    pack_list = wizard.partnership_page.pack_list
    item = pack_list.findItems(name, Qt.MatchFlag.MatchExactly)[0]
    qtbot.mouseClick(
        pack_list.viewport(), Qt.MouseButton.LeftButton, pos=pack_list.visualItemRect(item).center()
    )


def draw_signature(canvas) -> None:
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(40, 90))
    for i in range(1, 50):
        QTest.mouseMove(canvas, QPoint(40 + i * 6, 90 + round(25 * math.sin(i / 4))))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(340, 90))


def fill_to_passphrase(qtbot, wizard: SetupWizard) -> None:
    """Welcome → organisation → partnership → working day → you, leaving the wizard on the passphrase page."""
    click(qtbot, wizard)
    type_into(qtbot, wizard.organisation_page.name_edit, "Penkford Primary School")
    click(qtbot, wizard)
    choose_partnership(qtbot, wizard, "St Helens Safeguarding Children Board")
    click(qtbot, wizard)
    type_into(qtbot, wizard.working_day_page.cutoff_edit, "16:30")
    type_into(qtbot, wizard.working_day_page.idle_spin, "15")
    click(qtbot, wizard)
    type_into(qtbot, wizard.you_page.name_edit, "Jane Smith")
    click(qtbot, wizard)
    assert wizard.currentPage() is wizard.passphrase_page


def fill_passphrases(qtbot, wizard: SetupWizard, first: str, second: str) -> None:
    type_into(qtbot, wizard.passphrase_page.first_edit, first)
    type_into(qtbot, wizard.passphrase_page.second_edit, second)


# -- the whole way through ---------------------------------------------------------------------------------------


def test_set_up_end_to_end_creates_the_database(qtbot, wizard, data_paths, clock, packs):
    fill_to_passphrase(qtbot, wizard)
    fill_passphrases(qtbot, wizard, PASSPHRASE, PASSPHRASE)
    click(qtbot, wizard)
    assert wizard.currentPage() is wizard.signature_page
    draw_signature(wizard.signature_page.pad.canvas)
    assert not data_paths.exists()  # nothing is written before the commit button
    click(qtbot, wizard, Button.CommitButton)

    assert wizard.currentPage() is wizard.recovery_page
    key = wizard.recovery_page.key_label.text()
    assert len(key) == 39
    assert not wizard.button(Button.FinishButton).isEnabled()
    tick(qtbot, wizard.recovery_page.confirm)
    click(qtbot, wizard, Button.FinishButton)
    assert wizard.result() == QWizard.DialogCode.Accepted
    assert wizard.context is not None
    wizard.context.close()
    wizard.context = None

    ctx = sign_in(data_paths, "jane.smith", PASSPHRASE, clock=clock, packs=packs)
    try:
        profile = get_profile(ctx)
        assert profile.name == "Penkford Primary School"
        assert profile.agency_type == "School"
        assert profile.partnership_id == "st_helens"
        assert profile.nation == "england"
        assert profile.working_day_start == time(8, 0)
        assert profile.working_day_end == time(17, 0)
        assert profile.cutoff == time(16, 30)
        assert profile.idle_lock_minutes == 15
        [user] = list_users(ctx)
        assert (user.username, user.display_name, user.role) == (
            "jane.smith",
            "Jane Smith",
            "Designated Safeguarding Lead",
        )
        signature = signature_of(ctx)
        assert signature is not None
        assert signature.startswith(b"\x89PNG")
    finally:
        ctx.close()

    recovered = sign_in_with_recovery_key(data_paths, "jane.smith", key, clock=clock, packs=packs)
    recovered.close()


def test_the_signature_can_be_skipped(qtbot, wizard, data_paths, clock, packs):
    fill_to_passphrase(qtbot, wizard)
    fill_passphrases(qtbot, wizard, PASSPHRASE, PASSPHRASE)
    click(qtbot, wizard)
    click(qtbot, wizard, Button.CommitButton)
    assert wizard.currentPage() is wizard.recovery_page
    wizard.context.close()
    wizard.context = None
    ctx = sign_in(data_paths, "jane.smith", PASSPHRASE, clock=clock, packs=packs)
    try:
        assert signature_of(ctx) is None
    finally:
        ctx.close()


# -- validation, inline ------------------------------------------------------------------------------------------


def test_an_empty_organisation_name_stays_on_the_page_with_the_message(qtbot, wizard):
    click(qtbot, wizard)
    page = wizard.organisation_page
    assert wizard.currentPage() is page
    click(qtbot, wizard)
    assert wizard.currentPage() is page
    assert page.name_error.isVisible()
    assert "name of your organisation" in page.name_error.text()
    type_into(qtbot, page.name_edit, "Penkford Primary School")
    assert not page.name_error.isVisible()  # the message goes as soon as the user corrects the field
    click(qtbot, wizard)
    assert wizard.currentPage() is wizard.partnership_page


def test_other_agency_type_needs_a_description(qtbot, wizard):
    click(qtbot, wizard)
    page = wizard.organisation_page
    type_into(qtbot, page.name_edit, "Riverside Youth Hub")
    page.agency_combo.setCurrentIndex(page.agency_combo.findData("Other"))
    assert page.other_edit.isVisible()
    click(qtbot, wizard)
    assert wizard.currentPage() is page
    assert page.other_error.isVisible()
    type_into(qtbot, page.other_edit, "Youth service")
    click(qtbot, wizard)
    assert wizard.currentPage() is wizard.partnership_page
    assert page.agency_type() == "Youth service"


def test_a_partnership_must_be_chosen_and_shows_its_flow(qtbot, wizard, packs):
    click(qtbot, wizard)
    type_into(qtbot, wizard.organisation_page.name_edit, "Penkford Primary School")
    click(qtbot, wizard)
    page = wizard.partnership_page
    click(qtbot, wizard)
    assert wizard.currentPage() is page
    assert page.error.isVisible()
    choose_partnership(qtbot, wizard, "St Helens Safeguarding Children Board")
    assert not page.error.isVisible()
    pack = packs["st_helens"]
    assert [box.stage.key for box in page.flow.boxes] == [stage.key for stage in pack.stages]
    assert pack.document.title in page.document_label.text()
    assert pack.document.dates in page.dates_label.text()
    assert any(box.objectName() == "flowStagePartnership" for box in page.flow.boxes)
    # St Helens' front sheet: "Review date: July 2019" – long past, so set-up says so and where to check.
    assert page.review_label.isVisible()
    assert "due for review in July 2019" in page.review_label.text()
    choose_partnership(qtbot, wizard, "City & Hackney Safeguarding Children Partnership")
    assert not page.review_label.isVisible()  # no review date printed


def test_cut_off_outside_the_working_day_is_refused(qtbot, wizard):
    click(qtbot, wizard)
    type_into(qtbot, wizard.organisation_page.name_edit, "Penkford Primary School")
    click(qtbot, wizard)
    choose_partnership(qtbot, wizard, "Wigan Safeguarding Children Board")
    click(qtbot, wizard)
    page = wizard.working_day_page
    type_into(qtbot, page.cutoff_edit, "18:00")
    click(qtbot, wizard)
    assert wizard.currentPage() is page
    assert page.cutoff_error.isVisible()
    assert "cut-off" in page.cutoff_error.text()


def test_the_user_name_follows_the_name_until_edited(qtbot, wizard):
    page = wizard.you_page
    type_into(qtbot, page.name_edit, "Zoe  O'Brien-Hart")
    assert page.username_edit.text() == "zoe.obrien-hart"
    type_into(qtbot, page.username_edit, "zoe.h")
    type_into(qtbot, page.name_edit, "Zoe Hart")
    assert page.username_edit.text() == "zoe.h"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jane Smith", "jane.smith"),
        ("  jane  ", "jane"),
        ("Mary Ann Jones", "mary.jones"),
        ("Zoë Ó Súilleabháin", "zoe.suilleabhain"),
        ("", ""),
    ],
)
def test_suggest_username(name, expected):
    assert suggest_username(name) == expected


def test_passphrases_that_differ_are_refused(qtbot, wizard):
    fill_to_passphrase(qtbot, wizard)
    page = wizard.passphrase_page
    fill_passphrases(qtbot, wizard, PASSPHRASE, PASSPHRASE + "x")
    click(qtbot, wizard)
    assert wizard.currentPage() is page
    assert page.second_error.isVisible()
    assert "different" in page.second_error.text()
    assert not page.first_error.isVisible()


def test_a_too_short_passphrase_is_refused(qtbot, wizard):
    fill_to_passphrase(qtbot, wizard)
    page = wizard.passphrase_page
    fill_passphrases(qtbot, wizard, "short", "short")
    assert page.strength.strength.score == 0
    click(qtbot, wizard)
    assert wizard.currentPage() is page
    assert page.first_error.isVisible()
    assert "at least 10 characters" in page.first_error.text()


def test_show_what_i_type_reveals_both_fields(qtbot, wizard):
    page = wizard.passphrase_page
    tick(qtbot, page.show_toggle)
    assert page.first_edit.echoMode() == page.first_edit.EchoMode.Normal
    assert page.second_edit.echoMode() == page.second_edit.EchoMode.Normal


def test_back_and_next_keep_what_was_typed(qtbot, wizard):
    fill_to_passphrase(qtbot, wizard)
    for _ in range(4):
        click(qtbot, wizard, Button.BackButton)
    assert wizard.currentPage() is wizard.organisation_page
    assert wizard.organisation_page.name_edit.text() == "Penkford Primary School"
    for _ in range(4):
        click(qtbot, wizard)
    assert wizard.partnership_page.selected_pack_id() == "st_helens"
    assert wizard.working_day_page.cutoff_edit.time().toString("HH:mm") == "16:30"
    assert wizard.working_day_page.idle_spin.value() == 15
    assert wizard.you_page.name_edit.text() == "Jane Smith"
    assert wizard.you_page.username_edit.text() == "jane.smith"


def test_a_store_error_is_shown_on_the_signature_page(qtbot, wizard, data_paths):
    fill_to_passphrase(qtbot, wizard)
    fill_passphrases(qtbot, wizard, PASSPHRASE, PASSPHRASE)
    click(qtbot, wizard)
    # Someone else set up DSL Desk in this folder while the wizard was open.
    data_paths.root.mkdir(parents=True)
    data_paths.keyring.write_text("{}")
    click(qtbot, wizard, Button.CommitButton)
    assert wizard.currentPage() is wizard.signature_page
    assert wizard.signature_page.error.isVisible()
    assert wizard.signature_page.error.text()
    assert wizard.context is None


# -- the recovery key page ---------------------------------------------------------------------------------------


@pytest.fixture
def on_recovery_page(qtbot, wizard):
    fill_to_passphrase(qtbot, wizard)
    fill_passphrases(qtbot, wizard, PASSPHRASE, PASSPHRASE)
    click(qtbot, wizard)
    click(qtbot, wizard, Button.CommitButton)
    assert wizard.currentPage() is wizard.recovery_page
    return wizard


def test_finish_is_disabled_until_the_box_is_ticked(qtbot, on_recovery_page):
    wizard = on_recovery_page
    finish = wizard.button(Button.FinishButton)
    assert not finish.isEnabled()
    assert not wizard.button(Button.BackButton).isVisible()  # the database exists: nothing to go back to
    tick(qtbot, wizard.recovery_page.confirm)
    assert finish.isEnabled()
    tick(qtbot, wizard.recovery_page.confirm)
    assert not finish.isEnabled()


def test_closing_before_the_key_is_put_away_is_refused(qtbot, on_recovery_page):
    wizard = on_recovery_page
    wizard.close()
    assert wizard.isVisible()
    assert wizard.recovery_page.error.isVisible()
    assert wizard.context is not None


def test_save_as_pdf_writes_the_key(qtbot, on_recovery_page, tmp_path: Path, monkeypatch):
    wizard = on_recovery_page
    target = tmp_path / "my recovery key"  # no suffix: the wizard adds .pdf
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "PDF files (*.pdf)")
    )
    qtbot.mouseClick(wizard.recovery_page.pdf_button, Qt.MouseButton.LeftButton)
    pdf = target.with_suffix(".pdf")
    assert pdf.exists()
    assert pdf.read_bytes().startswith(b"%PDF")
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert wizard.recovery_key in text
    assert "Penkford Primary School" in text
    assert "5 January 2026" in text
    assert wizard.recovery_page.status.isVisible()
    assert "Saved to" in wizard.recovery_page.status.text()


def test_cancelling_the_save_dialog_writes_nothing(qtbot, on_recovery_page, tmp_path: Path, monkeypatch):
    wizard = on_recovery_page
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: ("", ""))
    qtbot.mouseClick(wizard.recovery_page.pdf_button, Qt.MouseButton.LeftButton)
    assert not list(tmp_path.glob("*.pdf"))
    assert not wizard.recovery_page.status.isVisible()
