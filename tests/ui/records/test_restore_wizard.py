"""The Restore wizard and the damaged-database dialog, driven through their widgets on real files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from dsl_desk.services.desk.setup import sign_in
from dsl_desk.services.people.children import add_child, list_children
from dsl_desk.services.records.backups import make_backup
from dsl_desk.store.errors import DatabaseCorrupt
from dsl_desk.ui.records.restore_wizard import DamagedDatabaseDialog, RestoreWizard
from tests.conftest import PASSPHRASE, fictional_child


def names(ctx) -> list[str]:
    return sorted(row.name for row in list_children(ctx))


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def wizard_button(wizard: QWizard, which: QWizard.WizardButton):
    return wizard.button(which)


@pytest.fixture
def two_children_one_backup(ctx, clock):
    add_child(ctx, fictional_child("Amir", "Haddad"))
    made = make_backup(ctx).backup
    clock.advance(timedelta(hours=2))
    add_child(ctx, fictional_child("Grace", "Okonkwo"))
    return made


def open_wizard(qtbot, ctx) -> RestoreWizard:
    wizard = RestoreWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def test_choose_review_and_restore(qtbot, ctx, two_children_one_backup):
    made = two_children_one_backup
    wizard = open_wizard(qtbot, ctx)
    page = wizard.choose_page
    assert page.backups.count() == 1
    assert "made by hand" in page.backups.item(0).text()
    assert page.path.text() == str(made.path)

    click(qtbot, wizard_button(wizard, QWizard.WizardButton.NextButton))
    review = wizard.review_page
    assert wizard.currentPage() is review
    assert review.values["children"].text() == "1"
    assert review.values["escalations"].text() == "0"
    assert "Monday 5 January 2026 at 09:00" in review.values["made"].text()
    commit = wizard_button(wizard, QWizard.WizardButton.CommitButton)
    assert not commit.isEnabled()  # nothing is replaced until the user says they understand
    assert names(ctx) == ["Amir Haddad", "Grace Okonkwo"]

    click(qtbot, review.understood)
    assert commit.isEnabled()
    click(qtbot, commit)

    assert wizard.currentPage() is wizard.done_page
    assert "has been restored" in wizard.done_page.message.text()
    assert wizard.result_value is not None
    assert wizard.result_value.safety_copy.exists()
    assert names(ctx) == ["Amir Haddad"]


def test_a_truncated_backup_is_refused_on_the_first_page(qtbot, ctx, two_children_one_backup):
    made = two_children_one_backup
    made.path.write_bytes(made.path.read_bytes()[:4096])
    wizard = open_wizard(qtbot, ctx)
    page = wizard.choose_page
    page.path.clear()
    qtbot.keyClicks(page.path, str(made.path))
    click(qtbot, wizard_button(wizard, QWizard.WizardButton.NextButton))
    assert wizard.currentPage() is page
    assert page.error.isVisible()
    assert "incomplete" in page.error.text()
    assert names(ctx) == ["Amir Haddad", "Grace Okonkwo"]


def test_a_file_that_is_not_there_is_refused_plainly(qtbot, ctx, tmp_path):
    wizard = open_wizard(qtbot, ctx)
    page = wizard.choose_page
    assert page.empty.isVisible()
    qtbot.keyClicks(page.path, str(tmp_path / "nowhere.db"))
    click(qtbot, wizard_button(wizard, QWizard.WizardButton.NextButton))
    assert "There is no backup file" in page.error.text()


def test_damaged_database_dialog_offers_and_restores_the_newest_good_backup(qtbot, ctx, clock, data_paths):
    add_child(ctx, fictional_child("Amir", "Haddad"))
    made = make_backup(ctx).backup
    ctx.close()
    with data_paths.database.open("r+b") as handle:
        handle.seek(20)
        handle.write(b"\xff" * 64)
    with pytest.raises(DatabaseCorrupt):
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock)

    dialog = DamagedDatabaseDialog(data_paths, clock, {}, "j.smith", PASSPHRASE)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.candidate == made.path
    assert "Monday 5 January 2026" in dialog.explanation.text()
    click(qtbot, dialog.restore_button)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.context is not None
    assert names(dialog.context) == ["Amir Haddad"]
    dialog.context.close()
