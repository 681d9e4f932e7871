"""Form fields every dialog and wizard page shares: inline messages under fields, buddy labels, the form
layout, and the new-passphrase pair with its strength meter (set-up, Add deputy, Change passphrase)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.ui.widgets.passphrase_strength import PassphraseStrength


def error_label(accessible_name: str) -> QLabel:
    """An inline message under a field: hidden until there is something to say."""
    label = QLabel(objectName="error", wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAccessibleName(accessible_name)
    label.hide()
    return label


def clear_on_edit(edit: QLineEdit, message: QLabel) -> None:
    """A message about what was typed goes away as soon as the user starts correcting it."""
    edit.textEdited.connect(message.hide)


def with_message(field: QWidget, message: QLabel) -> QWidget:
    """A field with its message directly below it, for a QFormLayout row."""
    if isinstance(field, QLineEdit):
        clear_on_edit(field, message)
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(field)
    layout.addWidget(message)
    return box


def hint_label(text: str) -> QLabel:
    label = QLabel(text, objectName="hint", wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def buddy_label(text: str, field: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(field)
    return label


def new_form() -> QFormLayout:
    form = QFormLayout()
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    form.setVerticalSpacing(10)
    return form


def secret_edit(accessible_name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(accessible_name)
    return edit


@dataclass(frozen=True)
class NewPassphraseFields:
    first: QLineEdit
    strength: PassphraseStrength
    first_error: QLabel
    second: QLineEdit
    second_error: QLabel

    def show_typed(self, visible: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if visible else QLineEdit.EchoMode.Password
        self.first.setEchoMode(mode)
        self.second.setEchoMode(mode)


def add_new_passphrase_rows(
    form: QFormLayout,
    *,
    first_label: str,
    first_name: str,
    second_label: str,
    second_name: str,
    first_error_name: str,
    second_error_name: str,
) -> NewPassphraseFields:
    """A new passphrase, its strength meter under it, and the same typed again, each with its message.

    Labels and accessible names come from the caller, already translated.
    """
    first = secret_edit(first_name)
    strength = PassphraseStrength()
    first.textChanged.connect(strength.set_passphrase)
    first_error = error_label(first_error_name)
    box = with_message(first, first_error)
    cast("QVBoxLayout", box.layout()).insertWidget(1, strength)
    form.addRow(buddy_label(first_label, first), box)
    second = secret_edit(second_name)
    second_error = error_label(second_error_name)
    form.addRow(buddy_label(second_label, second), with_message(second, second_error))
    return NewPassphraseFields(first, strength, first_error, second, second_error)


def child_choice_text(name: str, born: date) -> str:
    """How a child is offered in a list of children: the date of birth in words, which reads the same in
    every locale (09/10/2014 does not)."""
    return f"{name} (born {day_month_year(born)})"
