"""The main window: navigation, the privacy key, the idle lock, the status bar and remembered geometry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from dsl_desk.ui.main_window import MainWindow
from tests.conftest import PASSPHRASE


@pytest.fixture
def window(qtbot, ctx, data_paths, clock, packs, tmp_path):
    main = MainWindow(ctx, data_paths, clock, packs)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


def _press(qtbot, window, sequence: str) -> None:
    key = QKeySequence(sequence)[0]
    QTest.keyClick(window, key.key(), key.keyboardModifiers())


def test_status_bar_says_who_and_where(window, data_paths):
    assert "Jane Smith" in window.user_label.text()
    assert window.lock_label.text() == "Unlocked"
    assert window.file_label.text() == str(data_paths.database)


def test_pages_are_built_when_first_shown(window):
    assert set(window.pages) == {"dashboard"}  # unlocking costs only the dashboard
    window.show_page("contacts")
    assert window.stack.currentWidget() is window.pages["contacts"]
    assert set(window.pages) == {"dashboard", "contacts"}


def test_navigation_by_keyboard(qtbot, window):
    _press(qtbot, window, "Ctrl+2")
    assert window.stack.currentWidget() is window.pages["children"]
    _press(qtbot, window, "Ctrl+1")
    assert window.stack.currentWidget() is window.pages["dashboard"]


def test_privacy_key_locks_at_once_and_unlock_restores(qtbot, window):
    _press(qtbot, window, "Ctrl+Shift+L")
    assert window.is_locked
    assert window.pages == {}  # nothing holding children's data survives a lock
    assert window.outer.currentWidget() is window.unlock_panel
    assert window.lock_label.text() == "Locked"
    qtbot.keyClicks(window.unlock_panel.secret, PASSPHRASE)
    with qtbot.waitSignal(window.unlocked, timeout=5000):
        qtbot.keyClick(window.unlock_panel.secret, Qt.Key.Key_Return)
    assert not window.is_locked
    assert "dashboard" in window.pages


def test_idle_lock_after_the_configured_minutes(window, clock):
    clock.advance(timedelta(minutes=9, seconds=59))
    window.idle_guard.check()  # what its timer calls every 15 seconds
    assert not window.is_locked
    clock.advance(timedelta(seconds=1))
    window.idle_guard.check()
    assert window.is_locked


def test_input_postpones_the_idle_lock(qtbot, window, clock):
    clock.advance(timedelta(minutes=9))
    QTest.mouseMove(window.rail)
    qtbot.keyClick(window.rail, Qt.Key.Key_Down)
    clock.advance(timedelta(minutes=9))
    window.idle_guard.check()
    assert not window.is_locked


def test_the_window_opens_to_the_screens_available_size(window):
    """Not 1280x800, taller than a 1366x768 laptop (the status bar was off-screen)."""
    available = window.screen().availableGeometry()
    assert window.isMaximized()
    assert available.contains(window.frameGeometry())
    assert window.frameGeometry().height() >= available.height() - 2
    assert window.statusBar().isVisible()


def test_geometry_is_remembered_in_the_data_folder(qtbot, ctx, data_paths, clock, packs, window):
    window.showNormal()
    window.resize(791, 577)  # within the offscreen platform's 800x600 screen
    window.close()
    assert data_paths.window_state.is_file()  # beside the database, not in the home folder
    from dsl_desk.services.desk.setup import sign_in

    again = MainWindow(
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock, packs=packs),
        data_paths,
        clock,
        packs,
    )
    qtbot.addWidget(again)
    assert not again.isMaximized()
    assert again.size().width() == 791
    assert again.size().height() == 577
    # Kept in the data folder (window-state.json), not in the platform's settings store.
    assert data_paths.settings.window.load().value.geometry


def test_splitter_sizes_are_remembered_in_the_data_folder(qtbot, ctx, data_paths, clock, packs, window):
    from PySide6.QtWidgets import QSplitter

    from dsl_desk.services.desk.setup import sign_in

    def splitter(main: MainWindow) -> QSplitter:
        main._ensure_page("records")
        main.stack.setCurrentWidget(main.pages["records"])
        main.pages["records"].tabs.setCurrentWidget(main.pages["records"].access)
        found = main.pages["records"].findChild(QSplitter, "access_splitter")
        qtbot.waitUntil(found.isVisible)
        return found

    window.resize(791, 577)  # within the offscreen platform's 800x600 screen, so it comes back the same
    first = splitter(window)
    total = sum(first.sizes())
    first.setSizes([total - 120, 120])
    chosen = first.sizes()
    window.close()
    assert data_paths.settings.window.load().value.splitters["access_splitter"] == tuple(chosen)
    again = MainWindow(
        sign_in(data_paths, "j.smith", PASSPHRASE, clock=clock, packs=packs), data_paths, clock, packs
    )
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert splitter(again).sizes() == chosen


def test_a_damaged_window_state_file_opens_the_default_layout(qtbot, ctx, data_paths, clock, packs):
    data_paths.window_state.write_bytes(b"\x00{not json at all")
    main = MainWindow(ctx, data_paths, clock, packs)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.close()  # and closing writes a good one in its place
    assert data_paths.settings.window.load().note == ""


def test_a_damaged_geometry_file_opens_to_fit_the_screen(qtbot, ctx, data_paths, clock, packs):
    (data_paths.root / "window-state.json").write_text('{"main_window": "not base64 at all!"}')
    main = MainWindow(ctx, data_paths, clock, packs)
    qtbot.addWidget(main)
    main.show()
    assert main.isMaximized()


def test_an_unfinished_wizard_is_offered_for_resuming(qtbot, ctx, data_paths, clock, packs, tmp_path):
    from dsl_desk.services.escalations.drafts import save_draft

    save_draft(ctx, "new_escalation", {"problem": "typed before the laptop died"})
    main = MainWindow(ctx, data_paths, clock, packs)
    qtbot.addWidget(main)
    main.show()
    assert main.draft_banner.isVisible()
    assert "New escalation" in main.draft_label.text()
    assert main.pending_draft is not None
    assert main.pending_draft.values["problem"] == "typed before the laptop died"


def test_changing_the_idle_minutes_takes_effect_at_once(window, ctx, clock):
    from datetime import time

    from dsl_desk.services.desk.profile import update_working_hours
    from dsl_desk.ui.signals import Changed

    update_working_hours(window.ctx, cutoff=time(17, 0), idle_lock_minutes=2)
    window.signals.changed.emit(Changed(settings=True))
    clock.advance(timedelta(minutes=2))
    window.idle_guard.check()
    assert window.is_locked


def _escalation(ctx, child_id):
    from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation

    return open_escalation(
        ctx,
        NewEscalation(
            child_id=child_id,
            other_agency="Demo Social Care",
            category=ctx.pack("st_helens").categories[0].key,
            problem="The problem.",
            outcome_sought="The outcome.",
        ),
    ).id


def test_quick_log_is_prefilled_with_what_is_on_screen(window, ctx, child_id):
    escalation = _escalation(window.ctx, child_id)
    assert window.current_subject() == (None, None)  # the dashboard is about no one in particular
    window.show_escalation(escalation)
    assert window.current_subject() == (child_id, escalation)
    window.show_child(child_id)
    assert window.current_subject() == (child_id, None)


def test_forms_button_opens_the_escalations_forms(qtbot, window, child_id):
    escalation = _escalation(window.ctx, child_id)
    window.show_escalation(escalation)
    page = window.pages["escalations"]
    qtbot.mouseClick(page.detail_view.forms_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.pages["forms"]


def test_the_dashboard_shows_a_change_at_once(window, child_id):
    """Found by a new-user walkthrough: the dashboard only caught up on its one-minute timer."""
    from dsl_desk.ui.signals import Changed

    dashboard = window.pages["dashboard"]
    assert dashboard.case_model.rowCount() == 0
    escalation = _escalation(window.ctx, child_id)
    window.signals.changed.emit(Changed(escalations=True))
    assert [dashboard.case_model.row_at(r).escalation_id for r in range(dashboard.case_model.rowCount())] == [
        escalation
    ]
    assert "due today" in window.alert_label.text()  # the banner follows the same refresh


def test_refresh_action_refreshes_the_dashboard(window, child_id):
    dashboard = window.pages["dashboard"]
    _escalation(window.ctx, child_id)
    window.actions_by_name["refresh"].trigger()
    assert dashboard.case_model.rowCount() == 1


def test_records_owed_show_on_the_dashboard_and_open_their_tab(window, child_id, clock):
    """A subject access response past its month: a row on the dashboard, a line in the banner, and a
    double-click opens the request on Transfers & requests."""
    from datetime import date

    from dsl_desk.services.records.subject_access import NewRequest, record_request
    from dsl_desk.ui.signals import Changed

    dashboard = window.pages["dashboard"]
    assert not dashboard.record_view.isVisibleTo(dashboard)  # nothing owed: no empty section
    request = record_request(
        window.ctx, NewRequest(child_id, "Ann Example", "Mother", date(2025, 11, 3), identity_confirmed=True)
    )
    window.signals.changed.emit(Changed(records=True))
    assert dashboard.record_view.isVisibleTo(dashboard)
    [row] = [dashboard.record_model.row_at(r) for r in range(dashboard.record_model.rowCount())]
    assert (row.kind, row.subject_id, row.overdue) == ("subject_access", request.id, True)
    assert "1 record overdue (transfer or subject access)" in window.alert_label.text()

    dashboard.record_view.doubleClicked.emit(dashboard.record_proxy.index(0, 0))
    records = window.pages["records"]
    assert window.stack.currentWidget() is records
    assert records.tabs.currentWidget() is records.access
    assert records.access.detail.request.id == request.id
