"""The menu bar: File, Edit, View, Go, Help with every shortcut shown; Quit; Getting started and About; all of
it (and the toolbar) waiting while the desk is locked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QToolButton

from dsl_desk import __version__
from dsl_desk.ui.main_window import MainWindow
from tests.conftest import PASSPHRASE


@pytest.fixture
def window(qtbot, ctx, data_paths, clock, packs, tmp_path):
    main = MainWindow(ctx, data_paths, clock, packs)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


def _menus(window):
    return {m.title().replace("&", ""): m for m in (a.menu() for a in window.menuBar().actions()) if m}


def _items(menu) -> list[QAction]:
    return [a for a in menu.actions() if not a.isSeparator()]


def test_the_menus_in_order_each_item_with_its_shortcut(window):
    assert list(_menus(window)) == ["File", "Edit", "View", "Go", "Help"]
    missing = [
        f"{title} › {a.text()}"
        for title, menu in _menus(window).items()
        for a in _items(menu)
        if a.shortcut().isEmpty() and a is not window.about_action
    ]
    assert not missing  # About is the one item platforms give no key
    go = [a.shortcut().toString() for a in _items(_menus(window)["Go"])]
    assert go == [f"Ctrl+{n % 10}" for n in range(1, 11)]
    from dsl_desk.ui.navigation import NAVIGATION

    shown = [a.text().replace("&&", "&") for a in _items(_menus(window)["Go"])]
    assert shown == [title for _key, title, _factory in NAVIGATION]
    # "Transfers & requests" showed as "Transfers _requests": its & was taken for a mnemonic
    assert all(QKeySequence.mnemonic(a.text()).isEmpty() for a in _items(_menus(window)["Go"]))
    file_items = {a.text().replace("&", ""): a.shortcut().toString() for a in _items(_menus(window)["File"])}
    assert file_items["Quit"] == "Ctrl+Q"
    assert file_items["New escalation"] == "Ctrl+N"
    assert file_items["Lock now"] == "Ctrl+Shift+L"


def test_ctrl_q_quits(qtbot, window):
    QTest.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()
    assert window.ctx is None  # closed as by the window's close button: backed up, key dropped


def test_menus_and_toolbar_wait_while_locked(qtbot, window):
    every = [a for menu in _menus(window).values() for a in _items(menu)]
    toolbar_buttons = [b for b in window.toolbar.findChildren(QToolButton) if b.defaultAction()]
    assert toolbar_buttons and all(b.isEnabled() for b in toolbar_buttons)
    window.lock()
    awake = [a.text() for a in every if a.isEnabled()]
    assert sorted(awake) == sorted([window.quit_action.text(), window.about_action.text()])
    assert not any(b.isEnabled() for b in toolbar_buttons)
    QTest.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # Go › Escalations: nothing
    assert window.pages == {}
    qtbot.keyClicks(window.unlock_panel.secret, PASSPHRASE)
    with qtbot.waitSignal(window.unlocked, timeout=5000):
        qtbot.keyClick(window.unlock_panel.secret, Qt.Key.Key_Return)
    assert all(a.isEnabled() for a in every)
    assert all(b.isEnabled() for b in toolbar_buttons)


def test_getting_started_says_what_to_do_first_and_summarises_the_policy(qtbot, window, packs):
    window.actions_by_name["getting_started"].trigger()
    dialog = window.help_dialog
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    text = dialog.browser.toPlainText()
    assert "What to do first" in text and "Ctrl+L" in text
    pack = packs["st_helens"]
    assert pack.name in text
    for stage in pack.stages:
        assert stage.title in text
    assert pack.immediate_risk.instruction[:40] in text


def test_f1_opens_getting_started(qtbot, window):
    QTest.keyClick(window, Qt.Key.Key_F1)
    qtbot.addWidget(window.help_dialog)
    assert window.help_dialog.isVisible()


def test_about_shows_version_data_folder_and_licences(qtbot, data_paths):
    from dsl_desk.ui.desk.help import AboutDialog

    dialog = AboutDialog(data_paths.root, data_paths.database)
    qtbot.addWidget(dialog)
    from PySide6.QtWidgets import QLabel

    top = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert __version__ in top and str(data_paths.root) in top
    shown = {s.name.split("_")[0]: s for s in dialog.info.libraries}
    for name, licence in (
        ("PySide6", "LGPL-3.0"),
        ("SQLAlchemy", "MIT"),
        ("pyHanko", "MIT"),
        ("sqlcipher3", "BSD"),
    ):
        assert licence in shown[name].licence, shown[name]
    libraries = dialog.libraries.toPlainText()
    for library in dialog.info.libraries:
        assert library.name in libraries and library.licence in libraries
    assert "pytest" not in shown  # only what ships, not the test tools
    fonts = dialog.fonts.toPlainText()
    assert "NotoSans-Regular" in fonts and "SIL Open Font License" in fonts
    assert "PERMISSION & CONDITIONS" in fonts  # the licence's own text, from resources/fonts/OFL.txt


def test_edit_copy_acts_on_the_focused_field_and_keys_stay_with_it(qtbot, window):
    field = QLineEdit("the agency's reply")
    qtbot.addWidget(field)
    field.show()
    field.activateWindow()
    field.setFocus()
    qtbot.waitUntil(lambda: QGuiApplication.focusObject() is field)
    field.selectAll()
    window.actions_by_name["edit_copy"].trigger()
    assert QGuiApplication.clipboard().text() == "the agency's reply"
    assert window.actions_by_name["edit_copy"].shortcut() == QKeySequence(QKeySequence.StandardKey.Copy)
    assert window.actions_by_name["edit_copy"].shortcutContext() == Qt.ShortcutContext.WidgetShortcut
