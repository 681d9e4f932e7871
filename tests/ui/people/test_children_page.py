"""The Children page and the child dialog, driven through the real widgets against a real database."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox

from dsl_desk.services.people.children import add_child, list_children
from dsl_desk.store.models import AuditEvent
from dsl_desk.ui.people.child_dialog import ChildDialog
from dsl_desk.ui.people.children_page import ChildrenPage
from dsl_desk.ui.signals import AppSignals
from tests.conftest import fictional_child


def _save(dialog: ChildDialog, qtbot) -> None:
    button = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_add_a_child_through_the_dialog(qtbot, ctx):
    dialog = ChildDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.given_names, "Ffion")
    qtbot.keyClicks(dialog.family_name, "Rees-Amberley")
    qtbot.keyClicks(dialog.date_of_birth.edit, "04/07/2015")
    # keyClicks types ASCII only (Qt testlib asserts otherwise); a pasted Welsh name goes in as text.
    dialog.parents.insertPlainText("Siân Rees (mother)")
    box = dialog.flags["looked_after"]
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # on the tick box
    _save(dialog, qtbot)
    assert dialog.result() == ChildDialog.DialogCode.Accepted
    [row] = list_children(ctx)
    assert row.name == "Ffion Rees-Amberley"
    assert row.flags == ("Looked after",)
    assert str(row.date_of_birth) == "2015-07-04"
    from dsl_desk.services.people.children import get_child

    assert get_child(ctx, row.id).details.parents_carers == "Siân Rees (mother)"


def test_empty_required_fields_are_refused_and_nothing_is_saved(qtbot, ctx):
    dialog = ChildDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.family_name, "Nofirstname")
    _save(dialog, qtbot)
    assert dialog.isVisible()
    assert dialog.error.isVisible()
    assert "first name" in dialog.error.text()
    assert dialog.family_name.text() == "Nofirstname"  # what was typed is still there
    assert list_children(ctx) == []


def test_date_of_birth_cannot_be_in_the_future(qtbot, ctx):
    dialog = ChildDialog(ctx)
    qtbot.addWidget(dialog)
    # The date field itself refuses a day after today (Mon 5 Jan 2026 in the test clock) …
    dialog.date_of_birth.set_date(date(2030, 1, 1))
    assert dialog.date_of_birth.date() is None
    assert "in the future" in dialog.date_of_birth.words.text()


def test_page_lists_searches_and_shows_a_child(qtbot, ctx):
    first = add_child(ctx, fictional_child("Amir", "Haddad")).id
    add_child(ctx, fictional_child("Grace", "Okonkwo-Hale", child_protection_plan=True))
    page = ChildrenPage(ctx, AppSignals())
    qtbot.addWidget(page)
    page.show()
    assert page.proxy.rowCount() == 2
    qtbot.keyClicks(page.search, "okonk")
    assert page.proxy.rowCount() == 1
    page.search.clear()
    page.show_child(first)
    assert page.detail.name.text() == "Amir Haddad"
    assert "14 March 2015" in page.detail.fact_labels["born"].text()
    with ctx.store.session() as session:  # looking at a child's record is audited
        viewed = session.query(AuditEvent).filter_by(action="child_viewed", entity_id=first).count()
    assert viewed >= 1


def test_list_keeps_the_services_order_until_a_header_is_clicked(qtbot, ctx):
    for given, family in (("Amy", "Zed"), ("Bob", "Able"), ("Cat", "Moss")):
        add_child(ctx, fictional_child(given, family))
    page = ChildrenPage(ctx, AppSignals())
    qtbot.addWidget(page)
    shown = [page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())]
    assert shown == ["Bob Able", "Cat Moss", "Amy Zed"]  # by family name, as the service orders them


def test_contacts_page_corrects_a_partnership_contact(qtbot, ctx):
    from PySide6.QtWidgets import QDialogButtonBox

    from dsl_desk.services.people.partnership_contacts import board_contact
    from dsl_desk.ui.people.contacts_page import ContactsPage, PartnershipContactDialog

    page = ContactsPage(ctx, AppSignals())
    qtbot.addWidget(page)
    assert page.directory.rowCount() >= 1  # St Helens prints its business coordinator and LSCB manager
    dialog = PartnershipContactDialog(
        ctx,
        "st_helens",
        "board",
        "LSCB Business Manager",
        "",
        "",
        "",
        "",
        "Alas House, Corporation Street, St Helens",
        page,
    )
    qtbot.addWidget(dialog)
    dialog.fields["email"].setText("lscb@example.org")
    qtbot.mouseClick(
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save),
        Qt.MouseButton.LeftButton,
    )
    assert board_contact(ctx, "st_helens").email == "lscb@example.org"
    page.refresh()
    assert "lscb@example.org" in page.board_label.text()
