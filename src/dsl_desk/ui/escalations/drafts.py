"""Wizard drafts: what a user types into a wizard is kept in the encrypted database as they type.

`DraftingWizard` is the base of every escalation wizard. Its fields are bound by name; their values are saved
(services.drafts) on each page change and one second after the last edit, so closing the window or a crash
loses nothing. `resume.open_wizard_for_draft` gives back the right wizard, refilled, for a stored draft.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import clock_time, describe_date, short_day_month
from dsl_desk.services.context import AppContext
from dsl_desk.services.escalations.drafts import DraftView, discard_draft, load_draft, save_draft
from dsl_desk.services.escalations.views import EscalationDetail
from dsl_desk.ui.widgets.common import fit_to_screen
from dsl_desk.ui.widgets.date_entry import DateEntry, DateTimeEntry

DRAFT_SAVE_DELAY_MS = 1000  # after the last keystroke: responsive typing, at most a second to lose in a crash
NEW_ESCALATION = "new_escalation"
ESCALATE = "escalate"
RESOLVE = "resolve"
DRAFT_KINDS = (NEW_ESCALATION, ESCALATE, RESOLVE)

Getter = Callable[[], Any]
Setter = Callable[[Any], None]


class DraftingWizard(QWizard):
    """A QWizard whose named fields are saved as a draft while the user types."""

    draft_kept = Signal(str)  # the message shown when the window closes with a draft kept

    def __init__(
        self,
        ctx: AppContext,
        kind: str,
        subject_id: int,
        parent: QWidget | None = None,
        *,
        draft: DraftView | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.draft_kind = kind
        self.draft_subject = subject_id
        self.result_detail: EscalationDetail | None = None
        self.kept_message = ""
        self._fields: dict[str, tuple[Getter, Setter, bool]] = {}
        self._restoring = False
        self._done = False
        self._given_draft = draft
        # A draft saved earlier but not asked for: offered on the first page, never overwritten silently.
        self.stored_draft = None if draft is not None else load_draft(ctx, kind, subject_id)
        self.draft_timer = QTimer(self)
        self.draft_timer.setSingleShot(True)
        self.draft_timer.setInterval(DRAFT_SAVE_DELAY_MS)
        self.draft_timer.timeout.connect(self.save_now)
        self.currentIdChanged.connect(self._page_changed)
        self._set_up_window()

    def _set_up_window(self) -> None:
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setTitleFormat(Qt.TextFormat.RichText)
        self.setSubTitleFormat(Qt.TextFormat.PlainText)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoDefaultButton, False)
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< &Back"))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Next >"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("&Close (draft is kept)"))
        cancel = self.button(QWizard.WizardButton.CancelButton)
        cancel.setToolTip(self.tr(KEPT_TEXT))
        fit_to_screen(self, 860, 680)
        self.setMinimumSize(720, 560)

    # -- binding fields ---------------------------------------------------------------------------------------

    def bind(self, name: str, widget: QWidget, *, content: bool | None = None) -> None:
        """Save and refill `widget` under `name`. `content`: whether a value counts as something typed."""
        if isinstance(widget, QLineEdit):
            self._bind(name, widget.text, lambda v: widget.setText(str(v)), widget.textChanged, content, True)
        elif isinstance(widget, QPlainTextEdit):
            self._bind(
                name,
                widget.toPlainText,
                lambda v: widget.setPlainText(str(v)),
                widget.textChanged,
                content,
                True,
            )
        elif isinstance(widget, QComboBox) and widget.isEditable():
            self._bind(
                name,
                widget.currentText,
                lambda v: widget.setCurrentText(str(v)),
                widget.currentTextChanged,
                content,
                True,
            )
        elif isinstance(widget, QComboBox):
            self._bind(
                name,
                widget.currentData,
                lambda v: _select_data(widget, v),
                widget.currentIndexChanged,
                content,
                False,
            )
        elif isinstance(widget, QAbstractButton):
            self._bind(
                name, widget.isChecked, lambda v: widget.setChecked(bool(v)), widget.toggled, content, False
            )
        elif isinstance(widget, DateEntry | DateTimeEntry):
            # The text as typed, so a half-typed or mistyped date comes back for the user to finish.
            self._bind(name, widget.text, lambda v: widget.set_text(str(v)), widget.changed, content, True)
        elif isinstance(widget, QDateEdit):
            self._bind(
                name,
                lambda: widget.date().toString(Qt.DateFormat.ISODate),
                lambda v: widget.setDate(QDate.fromString(str(v), Qt.DateFormat.ISODate)),
                widget.dateChanged,
                content,
                False,
            )
        else:
            raise TypeError(f"Cannot keep a draft of a {type(widget).__name__}")

    def bind_custom(
        self, name: str, getter: Getter, setter: Setter, changed: Any, *, content: bool = False
    ) -> None:
        self._bind(name, getter, setter, changed, content, False)

    def _bind(
        self, name: str, getter: Getter, setter: Setter, changed: Any, content: bool | None, typed: bool
    ) -> None:
        self._fields[name] = (getter, setter, typed if content is None else content)
        changed.connect(self._edited)

    def _edited(self, *_args: object) -> None:
        if not self._restoring and not self._done:
            self.draft_timer.start()

    # -- values -----------------------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {name: getter() for name, (getter, _setter, _content) in self._fields.items()}

    def restore(self, values: dict[str, Any]) -> None:
        """Refill the fields from a draft; unknown or missing names are skipped."""
        self._restoring = True
        try:
            for name, (_getter, setter, _content) in self._fields.items():
                if name in values and values[name] is not None:
                    setter(values[name])
        finally:
            self._restoring = False

    def restore_given_draft(self) -> None:
        """Subclasses call this once every page is built."""
        if self._given_draft is not None:
            self.restore(self._given_draft.values)

    def resume_stored_draft(self) -> None:
        if self.stored_draft is not None:
            self.restore(self.stored_draft.values)
            self.stored_draft = None

    def has_content(self) -> bool:
        for getter, _setter, content in self._fields.values():
            value = getter()
            if content and isinstance(value, str) and value.strip():
                return True
        return False

    # -- saving -----------------------------------------------------------------------------------------------

    def save_now(self) -> None:
        self.draft_timer.stop()
        if self._done or not self.has_content():
            return
        save_draft(self.ctx, self.draft_kind, self.values(), self.draft_subject)
        self.stored_draft = None  # what was stored is now what is on screen

    def _page_changed(self, _page_id: int) -> None:
        self.save_now()
        # Put the cursor in the step's first box, so typing straight away is not lost (seen in a walkthrough).
        QTimer.singleShot(0, self._focus_first_field)

    def _focus_first_field(self) -> None:
        page = self.currentPage()
        if page is None:
            return
        for widget in page.findChildren(QWidget):
            if (
                isinstance(widget, QLineEdit | QPlainTextEdit | QComboBox | QDateEdit)
                and widget.isVisible()
                and widget.isEnabled()
                and not (isinstance(widget, QLineEdit) and widget.isReadOnly())
            ):
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                return

    def finish_with(self, detail: EscalationDetail) -> None:
        """The wizard's work is saved for real: the draft is no longer needed."""
        self._done = True
        self.draft_timer.stop()
        self.result_detail = detail
        discard_draft(self.ctx, self.draft_kind, self.draft_subject)
        window = self._main_window()
        if window is not None:
            window.statusBar().clearMessage()  # an earlier "your draft is kept" is no longer true

    def _main_window(self) -> QMainWindow | None:
        window = self.parent()
        while window is not None and not isinstance(window, QMainWindow):
            window = window.parent()
        return window if isinstance(window, QMainWindow) else None

    def reject(self) -> None:
        if not self._done and self.has_content():
            self.save_now()
            self.kept_message = self.tr(KEPT_TEXT)
            self.draft_kept.emit(self.kept_message)
            window = self._main_window()
            if window is not None:
                window.statusBar().showMessage(self.kept_message, 15_000)
        self._done = True
        self.draft_timer.stop()
        super().reject()


KEPT_TEXT = "Your draft is kept; you can resume it from the dashboard or the escalation."


def _select_data(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


# -- page building blocks -------------------------------------------------------------------------------------


class WizardPage(QWizardPage):
    """A page with a red message line for refusals and a footer saying the draft is kept."""

    def __init__(self, title: str, subtitle: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = ""
        self.set_heading(title, subtitle)
        # The page scrolls rather than clips at 150% scaling or with every optional section showing.
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        holder = QWidget()
        holder.setObjectName("wizardPageBody")
        holder.setStyleSheet("QWidget#wizardPageBody { background: transparent; }")
        scroll.setWidget(holder)
        scroll.viewport().setAutoFillBackground(False)
        self.body = QVBoxLayout(holder)
        self.body.setContentsMargins(0, 0, 6, 0)
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setAccessibleName(self.tr("Problem"))
        self.error.hide()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.error)
        outer.addWidget(
            wrapped(
                self.tr(
                    "Saved as you type. If you close this window, your draft is kept; "
                    "you can resume it from the dashboard or the escalation."
                ),
                "hint",
            )
        )

    def set_heading(self, title: str, subtitle: str = "") -> None:
        """Every page has a title and a subtitle, so QWizard draws the same header on each."""
        self.heading = title
        self.setTitle(f"<span style='font-size: 14pt; font-weight: 600;'>{html.escape(title)}</span>")
        self.setSubTitle(subtitle or " ")

    def show_error(self, message: str, focus: QWidget | None = None) -> bool:
        """Show why the page cannot go on; returns False so validatePage can `return self.show_error(...)`."""
        self.error.setText(message)
        self.error.show()
        if focus is not None:
            focus.setFocus()
        return False

    def clear_error(self) -> None:
        self.error.clear()
        self.error.hide()


def moment_words(at: datetime | None, now: datetime) -> str:
    """“Mon 5 Jan 09:00” in London time (the year only when it is not this year); blank for no time."""
    if at is None:
        return ""
    local = london(at)
    return f"{describe_date(local.date(), london(now).date())} {clock_time(local)}"


def wrapped(text: str = "", object_name: str = "") -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if object_name:
        label.setObjectName(object_name)
    return label


def field_label(text: str, buddy: QWidget, *, required: bool = False) -> QLabel:
    """A label with a mnemonic for its field; required fields end in “(required)”."""
    suffix = " " + QCoreApplication.translate("DraftingWizard", "(required)") if required else ""
    label = QLabel(text + suffix)
    label.setBuddy(buddy)
    label.setWordWrap(True)
    return label


def text_box(
    accessible_name: str, placeholder: str = "", *, height: int = 90, grow: bool = False
) -> QPlainTextEdit:
    """A multi-line box. Only the main boxes (`grow`) take spare height; the others stay a few lines tall."""
    box = QPlainTextEdit()
    box.setAccessibleName(accessible_name)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)  # Tab moves on, as in every other field; a busy DSL uses the keyboard
    box.setMinimumHeight(height)
    if not grow:
        box.setMaximumHeight(height * 3 // 2)
    return box


def line_edit(accessible_name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(accessible_name)
    edit.setPlaceholderText(placeholder)
    return edit


def resume_banner(wizard: DraftingWizard) -> QFrame | None:
    """Offer an earlier draft of the same wizard, instead of overwriting it as soon as the user types."""
    stored = wizard.stored_draft
    if stored is None:
        return None
    frame = QFrame(objectName="alertBanner")
    layout = QHBoxLayout(frame)
    when = moment_words(stored.saved_at, wizard.ctx.clock.now())
    layout.addWidget(
        wrapped(
            wizard.tr("You have an unfinished draft of this, saved %s. Resume it, or start afresh below.")
            % when
        ),
        1,
    )
    button = QPushButton(wizard.tr("&Resume draft"))
    button.setAccessibleName(wizard.tr("Resume the saved draft"))

    def resume() -> None:
        wizard.resume_stored_draft()
        frame.hide()

    button.clicked.connect(resume)
    layout.addWidget(button)
    return frame


# -- resuming -------------------------------------------------------------------------------------------------


def describe_draft(draft: DraftView) -> str:
    """One line for the start-up offer: what the draft is and when it was saved."""
    saved = london(draft.saved_at)
    when = f"{short_day_month(saved)} {clock_time(saved)}"
    what = {
        NEW_ESCALATION: "New escalation",
        ESCALATE: "Escalating to the next stage",
        RESOLVE: "Resolving an escalation",
    }.get(draft.kind, draft.kind)
    return f"{what} (saved {when})"
