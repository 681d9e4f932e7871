"""In the GUI an unexpected exception in a slot shows a plain message and a crash report, and the app goes on.

pytest-qt's own exception capture is switched off here: it is the hook under test that must catch them.
"""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import Qt, QThread, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from dsl_desk.ui.crash_dialog import install_crash_hook

SECRET = "Zephyrine Quillborough, 1 Example Row"


@pytest.fixture
def hooks_restored(monkeypatch):
    # monkeypatch puts back whatever hooks were there (pytest's, pytest-qt's) when the test ends.
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)


def _broken_slot() -> None:
    raise RuntimeError(SECRET)


@pytest.mark.qt_no_exception_capture
@pytest.mark.usefixtures("hooks_restored")
def test_an_exception_in_a_slot_is_shown_plainly_and_the_app_keeps_running(qtbot, tmp_path):
    shown: list[str] = []
    install_crash_hook(QApplication.instance(), tmp_path, show=shown.append)
    button = QPushButton("Save")
    qtbot.addWidget(button)
    button.clicked.connect(_broken_slot)

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert shown[0].startswith("Something went wrong that DSL Desk did not expect. Nothing was saved")
    reports = list((tmp_path / "crash-reports").iterdir())
    assert len(reports) == 1 and str(reports[0]) in shown[0]
    report = reports[0].read_text(encoding="utf-8")
    assert "Exception: RuntimeError" in report and "in _broken_slot" in report
    assert SECRET not in report and SECRET not in shown[0]

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # still alive, and still saying so
    qtbot.waitUntil(lambda: len(shown) == 2)


@pytest.mark.qt_no_exception_capture
@pytest.mark.usefixtures("hooks_restored")
def test_an_exception_on_a_worker_thread_is_shown_on_the_gui_thread(qtbot, tmp_path):
    shown: list[tuple[str, bool]] = []
    app = QApplication.instance()
    install_crash_hook(
        app, tmp_path, show=lambda m: shown.append((m, QThread.currentThread() is app.thread()))
    )
    worker = threading.Thread(target=_broken_slot)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(shown) == 1)
    message, on_gui_thread = shown[0]
    assert "Something went wrong" in message
    assert on_gui_thread  # widgets may only be made on the GUI thread


@pytest.mark.qt_no_exception_capture
@pytest.mark.usefixtures("hooks_restored")
def test_the_message_is_a_real_dialog(qtbot, tmp_path):
    install_crash_hook(QApplication.instance(), tmp_path)
    seen: list[str] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.accept()
        else:
            QTimer.singleShot(20, read_and_close)

    QTimer.singleShot(20, read_and_close)
    button = QPushButton("Save")
    qtbot.addWidget(button)
    button.clicked.connect(_broken_slot)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert "A crash report was written to" in seen[0]


@pytest.mark.usefixtures("hooks_restored")
def test_an_unexpected_error_in_background_work_comes_back_plain_and_reported(qtbot, tmp_path):
    from dsl_desk.crash import UnexpectedError
    from dsl_desk.services.errors import ValidationError
    from dsl_desk.ui.operations import run_operation

    install_crash_hook(QApplication.instance(), tmp_path, show=lambda _message: None)
    failures: list[Exception] = []
    run_operation(None, _broken_slot, label="Saving…", on_error=failures.append, progress=False)
    run_operation(
        None,
        lambda: (_ for _ in ()).throw(ValidationError("Enter a name.")),
        label="Saving…",
        on_error=failures.append,
        progress=False,
    )
    qtbot.waitUntil(lambda: len(failures) == 2)
    unexpected = next(f for f in failures if isinstance(f, UnexpectedError))
    assert str(unexpected).startswith("Something went wrong") and SECRET not in str(unexpected)
    assert len(list((tmp_path / "crash-reports").iterdir())) == 1
    assert any(str(f) == "Enter a name." for f in failures)  # the project's own errors pass unchanged
