"""What every subject access dialog shares: a form, a plain message when the service refuses, Save/Cancel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import london
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import DeskError, ValidationError
from dsl_desk.ui.paperwork.form_fields import error_label
from dsl_desk.ui.widgets.date_entry import DateEntry


class ServiceDialog(QDialog):
    """A form whose Save calls one service function; `saved` holds what it returned."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, title: str, save_text: str = "") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.saved: Any = None
        self.setWindowTitle(title)
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.error = error_label(self.tr("Problem with the form"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        if save_text:
            self.save_button.setText(save_text)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.buttons)

    def save(self) -> None:  # overridden: each dialog calls `attempt` with its service call
        raise NotImplementedError

    def attempt(self, call: Callable[[], Any]) -> None:
        try:
            self.saved = call()
        except ValidationError as error:
            self.show_error(str(error))
            field = getattr(self, error.field, None)
            if isinstance(field, QWidget):
                field.setFocus()
            return
        except DeskError as error:
            self.show_error(str(error))
            return
        self.accept()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.adjustSize()  # a window ignores the height newly shown, wrapped text needs (as in Settings)


def date_edit(ctx: AppContext, accessible_name: str) -> DateEntry:
    """A required, typed date that cannot be after today (UK time) and starts on it."""
    today = london(ctx.clock.now()).date()
    return DateEntry(accessible_name=accessible_name, value=today, required=True, today=today, past_only=True)


def date_of(edit: DateEntry, field: str = "") -> date:
    """The typed date; a ValidationError (shown by `attempt`, the field focused) when it is not one."""
    chosen = edit.checked_date(field)
    assert chosen is not None  # required
    return chosen
