"""Every long operation runs off the GUI thread, through ui/operations.py, with its progress shown.

Each test wraps the service function at the page's own call site (the module's reference) in a spy that
records the thread it runs on, then calls the real service on the real encrypted database. Inside the work
the spy waits for a beat of a timer on the GUI thread: that beat can only come if the GUI thread is free
while the work runs (if the work ran on the GUI thread the spy records that instead of waiting). It also
records which operation labels were under way and whether a progress indicator was on screen meanwhile.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from types import ModuleType

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QWidget, QWizard

from dsl_desk.ui import operations
from dsl_desk.ui.signals import AppSignals
from tests.conftest import PASSPHRASE, fictional_child

PROGRESS_NAMES = ("operationProgress", "operationBusy")


class ThreadSpy:
    """Spies on service calls made from the UI: where they ran and whether the GUI stayed free."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.on_gui_thread: list[bool] = []
        self.gui_was_free: list[bool] = []
        self.labels: list[tuple[str, ...]] = []
        self.progress_seen = False
        self._working = 0
        self._beat = threading.Event()
        self.timer = QTimer(interval=10)
        self.timer.timeout.connect(self._heartbeat)
        self.timer.start()

    def _heartbeat(self) -> None:
        if self._working:
            self.progress_seen = self.progress_seen or any(
                widget.objectName() in PROGRESS_NAMES and widget.isVisible()
                for widget in QApplication.allWidgets()
            )
            self._beat.set()

    def wrap(self, owner: ModuleType | type, name: str) -> None:
        real = getattr(owner, name)

        def spy(*args: object, **kwargs: object) -> object:
            on_gui = threading.current_thread() is threading.main_thread()
            self.on_gui_thread.append(on_gui)
            self.labels.append(tuple(operations.running()))
            if not on_gui:
                self._working += 1
                try:
                    self._beat.clear()
                    self.gui_was_free.append(self._beat.wait(30) and self._beat.wait(30))
                finally:
                    self._working -= 1
            return real(*args, **kwargs)

        self.monkeypatch.setattr(owner, name, spy)

    def assert_off_the_gui_thread(self, label: str, *, progress: bool = True) -> None:
        assert self.on_gui_thread, "the service was not called"
        assert not any(self.on_gui_thread), "the service ran on the GUI thread"
        assert all(self.gui_was_free), "the GUI thread did not answer while the work ran"
        assert any(label in running for labels in self.labels for running in labels), self.labels
        if progress:
            assert self.progress_seen, "no progress was shown while the work ran"


@pytest.fixture
def spy(monkeypatch, qtbot) -> Iterator[ThreadSpy]:
    watcher = ThreadSpy(monkeypatch)
    yield watcher
    watcher.timer.stop()


def click(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def shown(qtbot, widget: QWidget) -> QWidget:
    qtbot.addWidget(widget)
    widget.resize(780, 580)  # within the offscreen platform's 800x600 screen
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def in_flight(button: QWidget, label: str) -> None:
    """Just after the click: the work has started and the action waits for it."""
    assert not button.isEnabled()
    assert any(label in running for running in operations.running())


# -- backups and restore ----------------------------------------------------------------------------------------


def test_back_up_now_in_settings(qtbot, ctx, spy, finish_operations):
    from dsl_desk.ui.records import backup_settings_card
    from dsl_desk.ui.records.backup_settings_card import BackupSettingsCard

    spy.wrap(backup_settings_card, "make_backup")
    card = shown(qtbot, BackupSettingsCard(ctx, AppSignals()))
    click(qtbot, card.backup_button)
    in_flight(card.backup_button, "Backing up")
    finish_operations()
    spy.assert_off_the_gui_thread("Backing up", progress=False)  # a dialog appears only after 300 ms
    assert card.backup_button.isEnabled()
    assert any(ctx.store.paths.backups.glob("*.db"))


def test_back_up_now_on_the_dashboard_banner_shows_progress_in_the_status_bar(
    qtbot, ctx, data_paths, clock, packs, tmp_path, spy, finish_operations
):
    from dsl_desk.ui.main_window import MainWindow
    from dsl_desk.ui.records import backup_warning

    window = MainWindow(ctx, data_paths, clock, packs)
    qtbot.addWidget(window)
    window.show()
    finish_operations()  # the start-up check and the first backup of the day
    warning = window.pages["dashboard"].backup_warning
    spy.wrap(backup_warning, "make_backup")
    backed_up = []
    warning.backed_up.connect(backed_up.append)
    click(qtbot, warning.button)
    in_flight(warning.button, "Backing up")
    finish_operations()
    spy.assert_off_the_gui_thread("Backing up")  # the busy bar in the main window's status bar
    assert backed_up and backed_up[0].backup.path.exists()


def test_restore_through_the_wizard(qtbot, ctx, clock, spy):
    from datetime import timedelta

    from dsl_desk.services.people.children import add_child, list_children
    from dsl_desk.services.records.backups import make_backup
    from dsl_desk.ui.records import restore_wizard
    from dsl_desk.ui.records.restore_wizard import RestoreWizard

    add_child(ctx, fictional_child("Amir", "Haddad"))
    make_backup(ctx)
    clock.advance(timedelta(hours=2))
    add_child(ctx, fictional_child("Grace", "Okonkwo"))
    spy.wrap(restore_wizard, "describe_backup")
    spy.wrap(restore_wizard, "restore_backup")
    wizard = shown(qtbot, RestoreWizard(ctx))
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    click(qtbot, wizard.review_page.understood)
    click(qtbot, wizard.button(QWizard.WizardButton.CommitButton))
    assert wizard.currentPage() is wizard.done_page
    spy.assert_off_the_gui_thread("Restoring the backup")  # under a modal progress dialog
    assert len(spy.on_gui_thread) == 2  # opening the backup, then restoring it
    assert sorted(row.name for row in list_children(ctx)) == ["Amir Haddad"]


def test_backup_on_exit_finishes_before_the_window_closes(
    qtbot, ctx, data_paths, clock, packs, tmp_path, spy, finish_operations
):
    from dsl_desk.services.records import backups
    from dsl_desk.ui.main_window import MainWindow

    window = MainWindow(ctx, data_paths, clock, packs)
    qtbot.addWidget(window)
    window.show()
    finish_operations()
    spy.wrap(backups, "backup_on_exit")  # imported by the window when it closes
    assert window.close()
    spy.assert_off_the_gui_thread("Backing up before closing")
    assert window.ctx is None and not ctx.store.is_open  # closed only after the backup
    assert any("exit" in path.name for path in data_paths.backups.glob("*.db"))


# -- exports ----------------------------------------------------------------------------------------------------


def test_subject_access_export(qtbot, ctx, clock, child_id, tmp_path, monkeypatch, spy, finish_operations):
    from dsl_desk.services.records import subject_access_export
    from dsl_desk.ui.records import access_tab
    from dsl_desk.ui.records.access_tab import SubjectAccessTab
    from tests.services.subject_access_seed import seed

    seeded = seed(ctx, clock, child_id, tmp_path)
    tab = shown(qtbot, SubjectAccessTab(ctx, AppSignals()))
    tab.refresh()
    tab.select(seeded.request_id)
    out = tmp_path / "response"
    out.mkdir()
    monkeypatch.setattr(access_tab, "choose_folder", lambda *_: str(out))
    spy.wrap(subject_access_export, "export_response")  # imported by the tab when it exports
    click(qtbot, tab.export_button)
    in_flight(tab.export_button, "subject access")
    finish_operations()
    spy.assert_off_the_gui_thread("subject access", progress=False)
    assert tab.last_export is not None and tab.last_export.response_pdf.exists()


def test_chronology_export(qtbot, ctx, child_id, clock, tmp_path, monkeypatch, spy, finish_operations):
    from dsl_desk.services.log.discussion_log import NewEntry, log_discussion
    from dsl_desk.ui.log import chronology
    from dsl_desk.ui.log.chronology import ChronologyView

    log_discussion(ctx, NewEntry(child_id, clock.now(), "telephone", "Rang the school nurse"))
    view = shown(qtbot, ChronologyView(ctx, AppSignals()))
    view.show_child(child_id)
    target = tmp_path / "chronology.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_a: (str(target), "")))
    spy.wrap(chronology, "export_chronology")
    click(qtbot, view.export_button)
    in_flight(view.export_button, "chronology")
    finish_operations()
    spy.assert_off_the_gui_thread("chronology", progress=False)
    assert target.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("button", "service", "suffix"),
    [
        ("governors", "export_governors_report", ".pdf"),
        ("figures_csv", "export_figures_csv", ".csv"),
        ("lessons_pdf", "export_lessons_pdf", ".pdf"),
        ("lessons_csv", "export_lessons_csv", ".csv"),
    ],
)
def test_report_exports(
    qtbot, ctx, clock, child_id, tmp_path, monkeypatch, spy, finish_operations, button, service, suffix
):
    from dsl_desk.ui.learning import reports_page
    from dsl_desk.ui.learning.reports_page import ReportsPage
    from tests.services.learning_seed import seed

    seed(ctx, clock, child_id)
    page = shown(qtbot, ReportsPage(ctx, AppSignals()))
    monkeypatch.setattr(reports_page, "ask_save_path", lambda *_a: tmp_path / f"report{suffix}")
    spy.wrap(reports_page, service)
    click(qtbot, page.export_buttons[button])
    in_flight(page.export_buttons[button], "Exporting report")
    assert not any(b.isEnabled() for b in page.export_buttons.values())  # one export at a time
    finish_operations()
    spy.assert_off_the_gui_thread("Exporting report", progress=False)
    assert page.last_export == tmp_path / f"report{suffix}" and page.last_export.stat().st_size > 0


@pytest.fixture
def forms(qtbot, ctx, clock, child_id):
    from dsl_desk.ui.paperwork.forms_page import FormsPage
    from tests.services.escalation_walk import walk

    escalation_id = walk(ctx, clock, child_id, escalations=1)
    page = shown(qtbot, FormsPage(ctx, AppSignals()))
    page.show_escalation_forms(escalation_id)
    page.show_form("st_helens_escalation_notice")
    return page


def test_form_export(qtbot, forms, tmp_path, monkeypatch, spy, finish_operations):
    from dsl_desk.ui.paperwork import forms_page

    out = tmp_path / "notice.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_a: (str(out), "")))
    spy.wrap(forms_page, "export_form")
    click(qtbot, forms.buttons["save"])
    in_flight(forms.buttons["save"], "Saving the form")
    finish_operations()
    spy.assert_off_the_gui_thread("Saving the form", progress=False)
    assert out.read_bytes().startswith(b"%PDF") and "Saved" in forms.status.text()
    assert all(button.isEnabled() for button in forms.buttons.values())


def test_form_print(qtbot, forms, tmp_path, monkeypatch, spy, finish_operations):
    from dsl_desk.ui.paperwork import forms_page

    out = tmp_path / "printed.pdf"

    def to_file(dialog: QPrintDialog) -> QDialog.DialogCode:
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", to_file)
    spy.wrap(forms_page, "prepare_print")
    spy.wrap(forms_page, "print_pdf")
    click(qtbot, forms.buttons["print"])
    in_flight(forms.buttons["print"], "Printing")
    finish_operations()
    spy.assert_off_the_gui_thread("Printing", progress=False)
    assert len(spy.on_gui_thread) == 2  # made and drawn on the printer, both on the pool
    assert out.exists() and "Recorded on the escalation" in forms.status.text()


def test_form_email_draft_and_preview(qtbot, forms, monkeypatch, spy, finish_operations):
    from dsl_desk.ui.paperwork import forms_page
    from dsl_desk.ui.paperwork.forms_page import EmailChoice, EmailDialog

    monkeypatch.setattr(EmailDialog, "ask", staticmethod(lambda _r, _p=None: EmailChoice(None)))
    monkeypatch.setattr(forms_page.QDesktopServices, "openUrl", lambda _url: True)
    spy.wrap(forms_page, "write_email_draft")
    spy.wrap(forms_page, "prepare_form")
    click(qtbot, forms.buttons["email"])
    in_flight(forms.buttons["email"], "email draft")
    finish_operations()
    click(qtbot, forms.buttons["preview"])
    finish_operations()
    spy.assert_off_the_gui_thread("email draft", progress=False)
    assert any("preview" in running for labels in spy.labels for running in labels)
    assert len(spy.on_gui_thread) == 2
    assert forms.preview_document.pageCount() == 1


# -- search, the audit check, signing in -------------------------------------------------------------------------


def test_log_search(qtbot, ctx, child_id, clock, spy, finish_operations):
    from dsl_desk.services.log.discussion_log import NewEntry, log_discussion
    from dsl_desk.ui.log import log_page
    from dsl_desk.ui.log.log_page import LogPage

    log_discussion(ctx, NewEntry(child_id, clock.now(), "telephone", "Rang Dawn Brightwater"))
    page = shown(qtbot, LogPage(ctx, AppSignals()))
    page.tabs.setCurrentIndex(1)
    spy.wrap(log_page, "search_log")
    qtbot.keyClicks(page.search, "brightwater")
    click(qtbot, page.search_button)
    in_flight(page.search_button, "Searching")
    assert page.results_label.text() == "Searching…"
    finish_operations()
    spy.assert_off_the_gui_thread("Searching", progress=False)
    assert page.result is not None and len(page.result.hits) == 1


def test_audit_chain_check(qtbot, ctx, spy, finish_operations):
    from dsl_desk.ui.audit import audit_page
    from dsl_desk.ui.audit.audit_page import AuditPage

    page = shown(qtbot, AuditPage(ctx, AppSignals()))
    spy.wrap(audit_page, "verify")
    click(qtbot, page.verify_button)
    in_flight(page.verify_button, "audit trail")
    finish_operations()
    spy.assert_off_the_gui_thread("audit trail", progress=False)
    assert "intact" in page.verify_label.text()


def test_sign_in(qtbot, ctx, data_paths, clock, packs, spy):
    from dsl_desk.ui.desk import unlock
    from dsl_desk.ui.desk.unlock import UnlockPanel

    ctx.close()
    panel = shown(qtbot, UnlockPanel(data_paths, clock, packs))
    spy.wrap(unlock, "sign_in")
    qtbot.keyClicks(panel.secret, PASSPHRASE)
    with qtbot.waitSignal(panel.unlocked, timeout=30_000) as signal:
        click(qtbot, panel.unlock_button)
    spy.assert_off_the_gui_thread("Signing in")  # under a modal progress dialog
    signal.args[0].close()


def test_creating_the_database_in_the_setup_wizard(qtbot, data_paths, clock, packs, spy):
    from dsl_desk.ui.desk import setup_wizard
    from dsl_desk.ui.desk.setup_wizard import SetupWizard
    from tests.conftest import FAST_KDF
    from tests.ui.desk.test_setup_wizard import fill_passphrases, fill_to_passphrase

    wizard = shown(qtbot, SetupWizard(data_paths, clock, packs, kdf=FAST_KDF))
    fill_to_passphrase(qtbot, wizard)
    fill_passphrases(qtbot, wizard, PASSPHRASE, PASSPHRASE)
    spy.wrap(setup_wizard, "initialise")
    try:
        assert wizard.create_database() == ""
        spy.assert_off_the_gui_thread("Creating the encrypted database")
    finally:
        if wizard.context is not None:
            wizard.context.close()
            wizard.context = None


# -- the helper itself ------------------------------------------------------------------------------------------


def test_a_refusal_goes_to_the_one_message_box_and_the_change_is_broadcast(qtbot, monkeypatch):
    from dsl_desk.services.context import ServiceError
    from dsl_desk.ui.signals import Changed

    shown_boxes: list[tuple[str, str]] = []
    monkeypatch.setattr(
        "dsl_desk.ui.messages.show_error", lambda _parent, title, text: shown_boxes.append((title, text))
    )
    signals = AppSignals()
    changes: list[object] = []
    signals.changed.connect(changes.append)

    def refuse() -> None:
        raise ServiceError("The folder is not there any more.")

    operations.run_operation(
        None, refuse, label="Saving…", title="Not saved", signals=signals, changes=Changed()
    )
    operations.run_operation(
        None, lambda: 3, label="Counting…", signals=signals, changes=lambda n: Changed(log=n == 3)
    )
    qtbot.waitUntil(lambda: not operations.running())
    assert shown_boxes == [("Not saved", "The folder is not there any more.")]
    assert changes == [Changed(log=True)]  # only the write that worked announces its change


def test_the_gui_thread_watch_reports_a_blocking_step_and_not_a_waiting_one(qtbot, gui_thread_watch):
    """The conftest watch: blocking the GUI thread in UI code is reported; waiting in an event loop is not."""
    from tests.ui.conftest import GuiThreadWatch

    release = threading.Event()
    timer = threading.Timer(0.4, release.set)
    with GuiThreadWatch(limit=0.15) as blocked:
        timer.start()
        operations.run_operation(None, lambda: release.wait(10), label="Waiting…", progress=False)
        operations.wait_for_background_work()  # UI code blocking the GUI thread on the pool
    qtbot.waitUntil(lambda: not operations.running())
    assert [stall.unit.split(" in ")[-1] for stall in blocked.stalls] == ["wait_for_background_work"]
    assert blocked.stalls[0].seconds > 0.15

    release.clear()
    timer = threading.Timer(0.4, release.set)
    with GuiThreadWatch(limit=0.15) as waiting:
        timer.start()
        operations.run_and_wait(None, lambda: release.wait(10), label="Waiting…")
    assert waiting.stalls == []  # the GUI thread ran its event loop meanwhile
    gui_thread_watch.stalls.clear()  # the block above was on purpose: not a finding of this test


def test_locking_waits_for_a_restore_under_way(
    qtbot, ctx, data_paths, clock, packs, tmp_path, finish_operations
):
    """The idle lock (or Ctrl+Shift+L) during a restore does not pull the pages out from under it: the desk
    locks once the restore has finished."""
    from dsl_desk.ui.main_window import MainWindow

    window = MainWindow(ctx, data_paths, clock, packs)
    qtbot.addWidget(window)
    window.show()
    finish_operations()
    release = threading.Event()
    locked_during: list[bool] = []

    def restore_stand_in() -> None:
        release.wait(10)  # without the deferral, lock() would block the GUI thread on this until it gave up

    def lock_meanwhile() -> None:
        window.lock()
        locked_during.append(window.is_locked)
        release.set()

    QTimer.singleShot(0, lock_meanwhile)
    operations.run_and_wait(window, restore_stand_in, label="Restoring the backup…")
    assert locked_during == [False]  # not while the database was being swapped
    qtbot.waitUntil(lambda: window.is_locked, timeout=10_000)  # but straight after
