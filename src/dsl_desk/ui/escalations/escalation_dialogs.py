"""The small dialogs of an escalation's detail: a shorter timescale, a step marked done or not done, the chase message to copy, and withdrawing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError, ValidationError
from dsl_desk.services.escalations.changes import shorten_timescale
from dsl_desk.services.escalations.closing import withdraw
from dsl_desk.services.escalations.views import (
    ChecklistView,
    EscalationDetail,
)
from dsl_desk.ui.widgets.date_entry import DateTimeEntry


class ShortenDialog(QDialog):
    """A shorter timescale that protects the child, where the policy allows one (City & Hackney 1.4), with why."""

    def __init__(self, ctx: AppContext, detail: EscalationDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.detail = ctx, detail
        self.result_detail: EscalationDetail | None = None
        self.setWindowTitle(self.tr("Shorter timescale"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.addWidget(
            wrapped(
                self.tr(
                    "The policy allows a timescale shorter than its own when that protects the child. "
                    "It now ends %s; give an earlier date and time, and why."
                )
                % detail.deadline_words
            )
        )
        now = ctx.clock.now()
        self.due = DateTimeEntry(accessible_name=self.tr("New, shorter deadline"), now=now, earliest=now)
        layout.addWidget(QLabel(self.tr("&New deadline:"), buddy=self.due.edit))
        layout.addWidget(self.due)
        self.reason = QLineEdit(placeholderText=self.tr("e.g. Child protection conference on Thursday"))
        self.reason.setAccessibleName(self.tr("Why a shorter timescale"))
        layout.addWidget(QLabel(self.tr("&Why:"), buddy=self.reason))
        layout.addWidget(self.reason)
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _save(self) -> None:
        try:
            due = self.due.checked_instant("due_at")
            if due is None:
                raise ValidationError(self.tr("Give the new deadline's date and time."), field="due_at")
            self.result_detail = shorten_timescale(
                self.ctx, self.detail.id, due_at=due, reason=self.reason.text()
            )
        except ServiceError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self.accept()


class MarkDoneDialog(QDialog):
    def __init__(self, item: ChecklistView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Mark done"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.addWidget(wrapped(item.text))
        label = QLabel(self.tr("&Note (optional) — e.g. who you told, how, or where the form is:"))
        self.note = QPlainTextEdit()
        self.note.setAccessibleName(self.tr("Note"))
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(110)
        label.setBuddy(self.note)
        layout.addWidget(label)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("&Mark done"))
        self.ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class ChaseDialog(QDialog):
    def __init__(self, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Chase the other agency"))
        self.resize(640, 460)
        layout = QVBoxLayout(self)
        layout.addWidget(
            wrapped(
                self.tr(
                    "A message ready to send. It has no child's name on purpose: it may go by ordinary email, and "
                    "the reference tells someone who knows the case which child it is. Edit it as you like."
                ),
                "hint",
            )
        )
        self.message = QPlainTextEdit(message)
        self.message.setAccessibleName(self.tr("Chase message"))
        layout.addWidget(self.message, 1)
        row = QHBoxLayout()
        self.copied = QLabel()
        self.copy_button = QPushButton(self.tr("&Copy to clipboard"))
        self.copy_button.setDefault(True)
        self.copy_button.clicked.connect(self.copy)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        row.addWidget(self.copied, 1)
        row.addWidget(self.copy_button)
        row.addWidget(close)
        layout.addLayout(row)

    def copy(self) -> None:
        QApplication.clipboard().setText(self.message.toPlainText())
        self.copied.setText(self.tr("Copied. Paste it into your email."))


class WithdrawDialog(QDialog):
    def __init__(self, ctx: AppContext, detail: EscalationDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.escalation_id = detail.id
        self.result_detail: EscalationDetail | None = None
        self.setWindowTitle(self.tr("Withdraw %s") % detail.reference)
        self.setMinimumWidth(540)
        layout = QVBoxLayout(self)
        layout.addWidget(
            wrapped(
                self.tr(
                    "Withdraw the escalation only if it is no longer needed (for example, the other agency "
                    "changed its decision before a stage ended). Nothing is deleted: it stays on the record."
                )
            )
        )
        label = QLabel(self.tr("&Why is it being withdrawn? (required)"))
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName(self.tr("Reason for withdrawing"))
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(110)
        label.setBuddy(self.reason)
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("&Withdraw"))
        buttons.accepted.connect(self.withdraw)
        buttons.rejected.connect(self.reject)
        for widget in (label, self.reason, self.error, buttons):
            layout.addWidget(widget)

    def withdraw(self) -> None:
        try:
            self.result_detail = withdraw(self.ctx, self.escalation_id, self.reason.toPlainText())
        except ServiceError as error:
            self.error.setText(str(error))
            self.error.show()
            self.reason.setFocus()
            return
        self.accept()


def wrapped(text: str, object_name: str = "") -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if object_name:
        label.setObjectName(object_name)
    return label
