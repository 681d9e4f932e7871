"""The dashboard's warnings follow the injected clock: due today, then overdue; immediate risk pinned on top."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
from dsl_desk.services.people.children import add_child
from dsl_desk.ui.desk.dashboard_page import DashboardPage
from dsl_desk.ui.signals import AppSignals
from dsl_desk.ui.table_model import ROW_ROLE
from tests.conftest import fictional_child


def _open(ctx, child_name: str, **changes) -> int:
    child = add_child(ctx, fictional_child(child_name, "Example")).id
    values = dict(
        child_id=child,
        other_agency="Demo Social Care",
        category=ctx.pack("medway").categories[0].key,
        problem="The problem.",
        outcome_sought="The outcome.",
        policy_id="medway",
    )
    values.update(changes)
    return open_escalation(ctx, NewEscalation(**values)).id


def _page(qtbot, ctx) -> tuple[DashboardPage, AppSignals]:
    signals = AppSignals()
    page = DashboardPage(ctx, signals)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    return page, signals


def _statuses(page: DashboardPage) -> list[str]:
    return [page.case_model.row_at(row).status_words for row in range(page.case_model.rowCount())]


def test_warnings_move_with_the_clock(qtbot, ctx, clock):
    _open(ctx, "Routine")  # Medway stage 1: five working days -> Mon 12 Jan 17:00
    page, _signals = _page(qtbot, ctx)
    assert _statuses(page) == ["On track"]
    assert page.tile_labels["overdue"].text() == "0"
    clock.set(datetime(2026, 1, 12, 9, 0, tzinfo=UTC))
    page.refresh()
    assert _statuses(page) == ["Due today"]
    assert page.tile_labels["today"].text() == "1"
    assert page.case_model.row_at(0).deadline_words == "today 17:00"
    clock.set(datetime(2026, 1, 12, 17, 30, tzinfo=UTC))
    page.refresh()
    assert _statuses(page) == ["Overdue"]
    assert page.tile_labels["overdue"].text() == "1"
    assert page.due_today_count() == 1


def test_immediate_risk_is_pinned_with_the_same_day_instruction(qtbot, ctx):
    _open(ctx, "Routine")
    risky = _open(
        ctx, "Urgent", policy_id="barnet", category=ctx.pack("barnet").categories[0].key, immediate_risk=True
    )
    page, signals = _page(qtbot, ctx)
    assert page.case_model.row_at(0).escalation_id == risky
    # …and on screen: the view's proxy must not re-sort the service's order.
    shown = [
        page.case_proxy.data(page.case_proxy.index(r, 0), ROW_ROLE).escalation_id
        for r in range(page.case_proxy.rowCount())
    ]
    assert shown[0] == risky
    banners = [page.risk_area.itemAt(i).widget() for i in range(page.risk_area.count())]
    assert len(banners) == 1
    text = banners[0].findChild(QLabel).text()
    assert "Immediate risk" in text
    assert "designated safeguarding lead" in text.lower()
    opened = []
    signals.open_escalation.connect(opened.append)
    qtbot.mouseClick(banners[0].findChild(QPushButton), Qt.MouseButton.LeftButton)
    assert opened == [risky]


def test_checklist_items_are_listed_and_open_their_escalation(qtbot, ctx):
    escalation = _open(ctx, "Flags", policy_id="medway")
    page, signals = _page(qtbot, ctx)
    assert page.item_model.rowCount() >= 1
    assert int(page.tile_labels["items"].text()) == page.item_model.rowCount()
    opened = []
    signals.open_escalation.connect(opened.append)
    index = page.item_view.model().index(0, 0)
    page.item_view.doubleClicked.emit(index)
    assert opened == [escalation]
    assert page.item_view.model().data(index, ROW_ROLE).escalation_id == escalation


def test_open_actions_from_discussions_are_listed(qtbot, ctx, clock, child_id):
    from datetime import date

    from dsl_desk.services.log.discussion_log import NewAction, log_discussion
    from dsl_desk.services.log.reading import list_open_actions
    from tests.services.log.test_discussion_log import _entry

    log_discussion(
        ctx,
        _entry(
            child_id,
            clock,
            actions=(NewAction("Chase the strategy meeting minutes", "Jane Smith, DSL", date(2026, 1, 7)),),
        ),
    )
    page, signals = _page(qtbot, ctx)
    assert page.action_model.rowCount() == len(list_open_actions(ctx)) == 1
    assert page.action_model.row_at(0).description == "Chase the strategy meeting minutes"
    opened = []
    signals.open_child.connect(opened.append)
    page.action_view.doubleClicked.emit(page.action_proxy.index(0, 0))
    assert opened == [child_id]


def test_an_agreed_action_is_ticked_off_from_the_dashboard(qtbot, ctx, clock, child_id):
    from datetime import date

    from PySide6.QtCore import Qt

    from dsl_desk.services.log.discussion_log import NewAction, log_discussion
    from dsl_desk.services.log.reading import list_open_actions
    from dsl_desk.store.models import AuditEvent
    from tests.services.log.test_discussion_log import _entry

    log_discussion(
        ctx,
        _entry(
            child_id, clock, actions=(NewAction("Send the chronology", "Jane Smith, DSL", date(2026, 1, 7)),)
        ),
    )
    page, signals = _page(qtbot, ctx)
    assert not page.action_done_button.isEnabled()  # nothing chosen yet
    page.action_view.setCurrentIndex(page.action_proxy.index(0, 0))
    assert page.action_done_button.isEnabled()
    changed = []
    signals.changed.connect(changed.append)
    qtbot.mouseClick(page.action_done_button, Qt.MouseButton.LeftButton)
    assert list_open_actions(ctx) == []
    assert page.action_model.rowCount() == 0
    assert page.action_message.text() == "Done: Send the chronology"
    assert changed and changed[0].log
    with ctx.store.session() as session:
        assert session.query(AuditEvent).filter_by(action="log_action_done").count() == 1
