"""The whole first escalation from the keyboard: a new child, a discussion logged, the escalation opened and
escalated, the St Helens Escalation Notice saved as a signed PDF. Only QTest.keyClick(s): no mouse, and no
widget method called to act (widgets are only read, to check where the focus went and what was saved).

A modal dialog runs its own event loop, so the keys for it are sent from a timer once it is up (`in_modal`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from dsl_desk.services.escalations.reading import get_escalation, list_escalations
from dsl_desk.services.log.reading import list_entries
from dsl_desk.services.people.children import list_children
from dsl_desk.ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


MAIN: list[QWidget] = []


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    if widget is None and MAIN and QApplication.activeModalWidget() is None:
        # A dialog closed: a window manager gives the main window back its focus; offscreen has none.
        MAIN[0].activateWindow()
        QTest.qWait(20)
        widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def key(k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(focused(), k, modifier)
    QApplication.processEvents()
    if modifier != Qt.KeyboardModifier.NoModifier or k == Qt.Key.Key_Space:
        QTest.qWait(150)  # a button pressed by its key clicks when its pressed look has shown (100 ms)


def type_text(text: str) -> None:
    QTest.keyClicks(focused(), text)
    QApplication.processEvents()


def in_modal(steps: Callable[[QWidget], None], done: list[str], label: str) -> None:
    """Run `steps` on the next modal dialog once it is showing (from inside its event loop)."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(10, poll)
            return
        if QApplication.focusWidget() is None or QApplication.focusWidget().window() is not dialog:
            dialog.activateWindow()  # what the window manager does for a new dialog; offscreen has none
            QTimer.singleShot(10, poll)
            return
        try:
            steps(dialog)
            done.append(label)
        except BaseException as error:  # shown by the test, after the dialog is closed
            done.append(f"{label} failed: {error!r}")
            dialog.reject()

    QTimer.singleShot(0, poll)


@pytest.fixture
def window(qtbot, ctx, data_paths, clock, packs):
    main = MainWindow(ctx, data_paths, clock, packs)
    qtbot.addWidget(main)
    main.show()
    main.activateWindow()
    qtbot.waitExposed(main)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    MAIN[:] = [main]
    yield main
    MAIN.clear()


def test_the_first_escalation_from_the_keyboard_alone(qtbot, window, ctx, clock, tmp_path, monkeypatch):
    done: list[str] = []
    # The Qt file dialog (not the desktop's, which no test can type into) starts in this folder.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", _keyboard_save_dialog(tmp_path))

    # 1. A new child: Children (Ctrl+2), Add child… (Alt+A).
    key(Qt.Key.Key_2, CTRL)
    assert window.stack.currentWidget() is window.pages["children"]

    def new_child(dialog: QWidget) -> None:
        assert focused().accessibleName() == "First name(s), required"
        type_text("Zephyrine")
        key(Qt.Key.Key_Tab)
        type_text("Quillborough")
        key(Qt.Key.Key_Tab)
        type_text("14/03/2015")
        key(Qt.Key.Key_Return)  # Save is the default button

    in_modal(new_child, done, "child")
    key(Qt.Key.Key_A, ALT)
    assert done == ["child"], done
    [child] = list_children(window.ctx)
    assert child.name == "Zephyrine Quillborough"

    # 2. Log a discussion about them (Ctrl+L, from their page): what was discussed, Ctrl+Enter saves.
    def discussion(dialog: QWidget) -> None:
        assert focused().accessibleName() == "What was discussed, required"  # the child is already known
        type_text("Rang the duty social worker about the referral closed with no assessment.")
        key(Qt.Key.Key_Return, CTRL)

    in_modal(discussion, done, "discussion")
    key(Qt.Key.Key_L, CTRL)
    assert done[-1] == "discussion", done
    [entry] = list_entries(window.ctx, child.id)
    assert "duty social worker" in entry.summary

    # 3. A new escalation for this child (Alt+N on their page), through the wizard by its mnemonics.
    def new_escalation(wizard: QWidget) -> None:
        for number, step in enumerate(_new_escalation_steps()):
            step()
            QApplication.processEvents()
            trail.append(f"{number}: page {wizard.currentId()}, focus {focused().accessibleName()!r}")
        assert not wizard.isVisible(), trail

    trail: list[str] = []
    in_modal(new_escalation, done, "escalation")
    key(Qt.Key.Key_N, ALT)
    assert done[-1] == "escalation", (done, trail)
    [case] = list_escalations(window.ctx)
    page = window.pages["escalations"]
    assert window.stack.currentWidget() is page
    first_stage = get_escalation(window.ctx, case.escalation_id).current_stage_key

    # 4. Escalate (Ctrl+E): the outcome of this stage, then on to the next one.
    view = page.detail_view
    key(Qt.Key.Key_E, CTRL)
    wizard = view.dialog
    assert wizard is not None and wizard.isVisible()
    wizard.activateWindow()  # the window manager's part, as in in_modal
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and focused().window() is wizard)
    trail.clear()
    for number, step in enumerate(_escalate_steps()):
        step()
        trail.append(f"{number}: page {wizard.currentId()}, focus {focused().accessibleName()!r}")
    assert view.dialog is None, trail
    assert get_escalation(window.ctx, case.escalation_id).current_stage_key != first_stage

    # 5. The Escalation Notice, signed: Forms (Ctrl+5), Save as PDF (Alt+D), a file name, Enter.
    key(Qt.Key.Key_5, CTRL)
    forms = window.pages["forms"]
    assert window.stack.currentWidget() is forms
    assert forms.form_id == "st_helens_escalation_notice"  # the form this stage asks for comes first
    key(Qt.Key.Key_D, ALT)
    saved = tmp_path / "notice.pdf"
    # The export and its signature run off the GUI thread, under a progress dialog.
    qtbot.waitUntil(lambda: "(signed)" in forms.status.text(), timeout=30_000)
    assert saved.is_file(), forms.status.text()
    reader = PdfReader(saved)
    assert "Escalation Notice" in reader.pages[0].extract_text()
    signatures = [f for f in (reader.get_fields() or {}).values() if f.get("/FT") == "/Sig" and f.get("/V")]
    assert signatures


def _keyboard_save_dialog(folder: Path):
    """QFileDialog.getSaveFileName with Qt's own dialog, driven from the keyboard: the file name, Enter."""
    original = QFileDialog.getSaveFileName

    def get_save_file_name(parent, caption="", directory="", file_filter="", *args, **kwargs):

        def steps(dialog: QWidget) -> None:
            key(Qt.Key.Key_A, CTRL)
            type_text(str(folder / "notice.pdf"))
            key(Qt.Key.Key_Return)

        done: list[str] = []
        in_modal(steps, done, "file")
        chosen = original(
            parent, caption, str(folder), file_filter, options=QFileDialog.Option.DontUseNativeDialog
        )
        assert done == ["file"], done
        return chosen

    return get_save_file_name


def _new_escalation_steps() -> list[Callable[[], None]]:
    def press(k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier):
        return lambda: key(k, modifier)

    def write(text: str):
        return lambda: type_text(text)

    return [
        press(Qt.Key.Key_O, ALT),  # N&o — not at immediate risk
        press(Qt.Key.Key_N, ALT),  # &Next
        press(Qt.Key.Key_N, ALT),  # the child is already chosen
        press(Qt.Key.Key_A, ALT),  # Other &agency
        write("Children's Social Care"),
        press(Qt.Key.Key_K, ALT),  # &Kind of agency
        write("Chi"),
        press(Qt.Key.Key_N, ALT),
        press(Qt.Key.Key_1, ALT),  # the first kind of disagreement
        press(Qt.Key.Key_N, ALT),
        press(Qt.Key.Key_P, ALT),  # The &problem
        write("The referral was closed with no assessment."),
        press(Qt.Key.Key_O, ALT),  # The &outcome
        write("A child and family assessment this week."),
        press(Qt.Key.Key_N, ALT),
        press(Qt.Key.Key_F, ALT),  # &Finish
    ]


def _escalate_steps() -> list[Callable[[], None]]:
    return [
        lambda: key(Qt.Key.Key_O, ALT),  # &Outcome of this stage
        lambda: type_text("No agreement: the team manager upheld the closure."),
        lambda: key(Qt.Key.Key_N, ALT),
        lambda: key(Qt.Key.Key_N, ALT),
        lambda: key(Qt.Key.Key_F, ALT),
    ]


def _keys_on_screen(window: MainWindow) -> dict[str, list[str]]:
    """Every key that does something in the window as it stands: menu titles' Alt+letters, visible buttons'
    and labelled fields' Alt+letters, and enabled actions' shortcuts; each thing once."""
    from collections import defaultdict

    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QAbstractButton, QLabel

    found: dict[str, set[str]] = defaultdict(set)
    for title in window.menuBar().actions():
        if not (mnemonic := QKeySequence.mnemonic(title.text())).isEmpty():
            found[mnemonic.toString()].add(f"menu {title.text()}")
    for button in window.findChildren(QAbstractButton):
        if button.isVisible() and button.isEnabled() and not button.shortcut().isEmpty():
            found[button.shortcut().toString()].add(f"button {button.text()}")
    for label in window.findChildren(QLabel):
        mnemonic = QKeySequence.mnemonic(label.text())
        if label.isVisible() and label.buddy() is not None and not mnemonic.isEmpty():
            found[mnemonic.toString()].add(f"field {label.text()}")
    for action in window.findChildren(QAction):
        widget_only = action.shortcutContext() == Qt.ShortcutContext.WidgetShortcut
        if action.isEnabled() and not action.shortcut().isEmpty() and not widget_only:
            found[action.shortcut().toString()].add(f"action {action.text()}")
    return {keys: sorted(users) for keys, users in found.items() if len(users) > 1}


def test_no_key_does_two_things_on_any_page(window, ctx, child_id):
    """Two things on one key do neither (Qt calls it ambiguous): Alt+E was the Edit menu, 'Edit details…' and
    'New escalation for this child…' on a child's page, and 'Escalate…' on an escalation's."""
    from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
    from dsl_desk.ui.navigation import NAVIGATION

    escalation = open_escalation(
        window.ctx,
        NewEscalation(
            child_id=child_id,
            other_agency="Demo Social Care",
            category=window.ctx.pack("st_helens").categories[0].key,
            problem="The problem.",
            outcome_sought="The outcome.",
        ),
    ).id
    clashes = {}
    for page_key, _title, _factory in NAVIGATION:
        window.show_page(page_key)
        if found := _keys_on_screen(window):
            clashes[page_key] = found
    window.show_child(child_id)
    if found := _keys_on_screen(window):
        clashes["a child's page"] = found
    window.show_escalation(escalation)
    if found := _keys_on_screen(window):
        clashes["an escalation's page"] = found
    assert not clashes
