"""The Audit page, driven through its widgets against a real encrypted database."""

from __future__ import annotations

from datetime import timedelta

import sqlcipher3
from PySide6.QtCore import Qt

from dsl_desk.services.audit import trail as audit
from dsl_desk.services.audit.log import AuditFilter, list_events
from dsl_desk.services.people.children import add_child
from dsl_desk.store.keyring import sqlcipher_key_literal
from dsl_desk.store.models import AuditEvent
from dsl_desk.ui.audit.audit_page import AuditPage
from dsl_desk.ui.signals import AppSignals
from tests.conftest import fictional_child


def make_page(qtbot, ctx) -> AuditPage:
    page = AuditPage(ctx, AppSignals())
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    return page


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def choose(combo, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, f"{text!r} is not in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


def shown_actions(page: AuditPage) -> list[str]:
    return [row.action for row in page.model.rows]


def test_lists_newest_first_and_looking_is_recorded(qtbot, ctx, child_id):
    page = make_page(qtbot, ctx)
    assert shown_actions(page)[:2] == ["child_added", "setup"]
    assert page.model.rows[0].record == f"child {child_id}"
    assert "Showing all 2 row" in page.count_label.text()
    assert not page.more_button.isVisible()
    with ctx.store.session() as session:
        viewed = session.query(AuditEvent).filter_by(action="audit_viewed").count()
    assert viewed == 1


def test_filters_by_action_user_record_and_date(qtbot, ctx, clock):
    first = add_child(ctx, fictional_child("Amir", "Haddad")).id
    clock.advance(timedelta(days=3))
    second = add_child(ctx, fictional_child("Grace", "Okonkwo")).id
    page = make_page(qtbot, ctx)
    page.reload_choices()

    choose(page.action, "Child added")
    click(qtbot, page.apply_button)
    assert [row.entity_id for row in page.model.rows] == [second, first]

    choose(page.user, "Jane Smith")
    choose(page.entity, "child")
    qtbot.keyClicks(page.entity_id, str(first))
    click(qtbot, page.apply_button)
    assert [row.entity_id for row in page.model.rows] == [first]

    page.entity_id.clear()
    qtbot.keyClicks(page.date_from.edit, "7/1/26")  # only the second child was added on or after the 7th
    click(qtbot, page.apply_button)
    assert [row.entity_id for row in page.model.rows] == [second]

    page.date_from.edit.clear()
    qtbot.keyClicks(page.date_from.edit, "9 Jan 2026")
    qtbot.keyClicks(page.date_to.edit, "2026-01-06")
    click(qtbot, page.apply_button)
    assert page.filter_error.isVisible()
    assert "after" in page.filter_error.text()

    click(qtbot, page.clear_button)
    assert not page.filter_error.isVisible()
    assert len(page.model.rows) >= 4


def test_a_record_number_must_be_digits(qtbot, ctx):
    page = make_page(qtbot, ctx)
    qtbot.keyClicks(page.entity_id, "twelve")
    click(qtbot, page.apply_button)
    assert page.filter_error.isVisible()
    assert "digits" in page.filter_error.text()


def test_a_large_trail_is_fetched_a_page_at_a_time(qtbot, ctx):
    with ctx.store.session() as session:
        for n in range(1200):
            audit.record(session, at=ctx.clock.now(), user_id=ctx.actor.user_id, action="child_viewed",
                         entity="child", entity_id=n)  # fmt: skip
    page = make_page(qtbot, ctx)
    assert len(page.model.rows) == 500
    assert page.more_button.isVisible()
    click(qtbot, page.more_button)
    assert len(page.model.rows) == 1000
    ids = [row.id for row in page.model.rows]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 1000
    click(qtbot, page.more_button)
    assert len(page.model.rows) == 1201  # and the set-up row
    assert not page.more_button.isVisible()


def test_verify_shows_intact_then_names_a_row_edited_behind_our_back(qtbot, ctx, child_id, finish_operations):
    page = make_page(qtbot, ctx)
    click(qtbot, page.verify_button)
    finish_operations()
    assert page.verify_result.isVisible()
    assert "intact" in page.verify_label.text()

    target = list_events(ctx, AuditFilter(action="child_added"), record_view=False).rows[0].id
    raw = sqlcipher3.connect(str(ctx.store.paths.database))
    raw.execute(f'PRAGMA key = "{sqlcipher_key_literal(ctx.store.db_key_copy())}"')
    raw.execute("DROP TRIGGER audit_events_no_update")  # the guard goes first (migration 0006)
    raw.execute('UPDATE audit_events SET detail = \'{"name": "someone else"}\' WHERE id = ?', (target,))
    raw.commit()
    raw.close()

    click(qtbot, page.verify_button)
    finish_operations()
    assert "TAMPERED" in page.verify_label.text()
    assert f"Row {target}:" in page.verify_label.text()
    assert page.model.rows[0].action == "audit_verified"  # the page shows the check it just recorded
