"""The Reports page driven through its widgets against the seeded history (tests/services/learning_seed.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from dsl_desk.services.learning.practice_alerts import list_alerts
from dsl_desk.ui.learning import practice_alert_dialog
from dsl_desk.ui.learning import reports_page as reports
from dsl_desk.ui.learning.practice_alert_dialog import PracticeAlertDialog
from dsl_desk.ui.learning.reports_page import PERIOD_CHOICES, ReportsPage
from dsl_desk.ui.signals import AppSignals
from tests.services.learning_seed import seed


def _page(qtbot, ctx) -> ReportsPage:
    page = ReportsPage(ctx, AppSignals())
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def _tiles(page: ReportsPage) -> dict[str, str]:
    return {key: label.text() for key, label in page.tiles.items()}


def test_choosing_last_quarter_then_custom_dates_shows_their_figures(qtbot, ctx, clock, child_id):
    seed(ctx, clock, child_id)  # leaves the clock at Mon 2 Feb 2026: "this quarter" is January to March
    page = _page(qtbot, ctx)
    assert page.period_label.text() == "January to March 2026"
    assert _tiles(page) == {
        "opened": "5", "resolved": "4", "withdrawn": "1", "open_at_end": "1", "median": "6", "longest": "14"
    }  # fmt: skip
    assert [bar.label for bar in page.stage_chart.bars] == [
        "Stage One – Consulting the line manager",
        "Stage Two – Discussion between the professionals",
    ]
    assert [bar.values for bar in page.timescale_chart.bars] == [(2, 2, 0), (1, 1, 0)]
    assert page.lesson_model.rowCount() == 4
    assert "[name removed]" in page.lesson_model.rows[0].lessons

    page.period_choice.setCurrentIndex(PERIOD_CHOICES.index("Last quarter"))
    assert page.period_label.text() == "October to December 2025"
    assert _tiles(page)["opened"] == "1"
    assert _tiles(page)["median"] == "–"
    assert not page.from_date.isEnabled()

    page.period_choice.setCurrentIndex(PERIOD_CHOICES.index("Custom dates"))
    assert page.from_date.isEnabled()
    for field, typed in ((page.from_date, "6/1/2026"), (page.to_date, "9.1.26")):
        field.edit.clear()
        qtbot.keyClicks(field.edit, typed)
    assert page.period_label.text() == "6 January 2026 to 9 January 2026"
    assert (_tiles(page)["opened"], _tiles(page)["resolved"], _tiles(page)["longest"]) == ("4", "1", "14")


def test_exporting_the_governors_report_writes_the_file(
    qtbot, ctx, clock, child_id, tmp_path, monkeypatch, finish_operations
):
    seed(ctx, clock, child_id)
    page = _page(qtbot, ctx)
    chosen = tmp_path / "governors"
    monkeypatch.setattr(reports, "ask_save_path", lambda *_args: chosen)
    qtbot.mouseClick(page.export_buttons["governors"], Qt.MouseButton.LeftButton)
    finish_operations()
    assert page.last_export == tmp_path / "governors.pdf"  # the extension is added when left off
    assert page.last_export.read_bytes().startswith(b"%PDF-")


def test_the_alert_form_warns_when_a_childs_name_is_typed(qtbot, ctx, child_id, monkeypatch):
    dialog = PracticeAlertDialog(ctx, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.boxes["summary"], "Strategy meetings held without school. ")
    assert not dialog.warning.isVisible()
    qtbot.keyClicks(dialog.boxes["summary"], "zephyrine was not discussed.")
    assert dialog.warning.isVisible()
    assert "zephyrine" in dialog.warning.text()
    # Saving with the name still there asks; "go back" keeps the dialog open and saves nothing.
    monkeypatch.setattr(practice_alert_dialog, "confirm_not_a_child", lambda *_args: False)
    qtbot.mouseClick(
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save),
        Qt.MouseButton.LeftButton,
    )
    assert dialog.isVisible()
    assert list_alerts(ctx) == []
    dialog.boxes["summary"].clear()
    qtbot.keyClicks(dialog.boxes["summary"], "Strategy meetings held without school on 5 and 12 January.")
    assert not dialog.warning.isVisible()
    qtbot.mouseClick(
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save),
        Qt.MouseButton.LeftButton,
    )
    [saved] = list_alerts(ctx)
    assert saved.alert.summary == "Strategy meetings held without school on 5 and 12 January."
    assert saved.alert.informer == "Jane Smith, Designated Safeguarding Lead"
