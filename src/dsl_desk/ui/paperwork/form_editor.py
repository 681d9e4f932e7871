"""A data-entry view generated from a form definition: the same file that draws the PDF draws this page.

Labels are the template's own words; each box starts with what the app knows, and `typed()` returns only
the boxes the user changed, so untouched boxes keep following the record.
"""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.services.paperwork.form_values import FieldKind, FormDefinition, FormField
from dsl_desk.ui.translation import translate
from dsl_desk.ui.widgets.common import hint

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YES_WORDS = frozenset({"yes", "y", "true", "1"})
_NO_WORDS = frozenset({"no", "n", "false", "0"})
_LABEL_WIDTH = 170
_STACK_LABEL_CHARS = 70  # as the renderer: a longer question goes above its answer


def _stacked(f: FormField) -> bool:
    return f.kind is FieldKind.MULTILINE or len(f.label) > _STACK_LABEL_CHARS


def display_date(value: str) -> str:
    """The store's ISO dates shown the British way; the PDF prints either form the same."""
    if _ISO_DATE.match(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        return day_month_year(day)
    return value


class _Input:
    """What every field editor offers the form editor."""

    widget: QWidget

    def value(self) -> str:
        raise NotImplementedError

    def set_value(self, value: str) -> None:
        raise NotImplementedError


class _LineInput(_Input):
    def __init__(self, f: FormField, changed: SignalInstance) -> None:
        self.widget = self.edit = QLineEdit()
        if f.kind is FieldKind.DATE:
            self.edit.setPlaceholderText(translate("form_editor", "e.g. 5 January 2026"))
        self.edit.textEdited.connect(lambda _text: changed.emit())

    def value(self) -> str:
        return self.edit.text().strip()

    def set_value(self, value: str) -> None:
        self.edit.setText(value)


class _TextInput(_Input):
    def __init__(self, f: FormField, changed: SignalInstance) -> None:
        self.widget = self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)  # Tab moves on to the next box, as on every other field
        line = QFontMetrics(self.edit.font()).lineSpacing()
        self.edit.setMinimumHeight(min(f.lines, 8) * line + 12)
        self.edit.textChanged.connect(changed.emit)

    def value(self) -> str:
        return self.edit.toPlainText().strip()

    def set_value(self, value: str) -> None:
        self.edit.blockSignals(True)
        self.edit.setPlainText(value)
        self.edit.blockSignals(False)


class _YesNoInput(_Input):
    def __init__(self, _f: FormField, changed: SignalInstance) -> None:
        self.widget = QWidget()
        layout = QHBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self.widget)
        self.buttons: dict[str, QRadioButton] = {}
        for answer, text in (("yes", "Yes"), ("no", "No"), ("", "Not answered")):
            button = QRadioButton(text)
            self.group.addButton(button)
            self.buttons[answer] = button
            layout.addWidget(button)
        self.other = QLabel(objectName="hint", wordWrap=True)
        layout.addWidget(self.other, 1)
        self._other_text = ""
        self.group.buttonClicked.connect(lambda _button: self._clicked(changed))

    def _clicked(self, changed: SignalInstance) -> None:
        # A recorded answer that was not a plain yes or no is replaced once the user chooses.
        self._other_text = ""
        self.other.clear()
        changed.emit()

    def value(self) -> str:
        chosen = next((answer for answer, b in self.buttons.items() if b.isChecked()), "")
        return chosen or self._other_text

    def set_value(self, value: str) -> None:
        answer = value.strip().lower()
        key = "yes" if answer in _YES_WORDS else "no" if answer in _NO_WORDS else ""
        self.buttons[key].setChecked(True)
        self._other_text = value if value and not key else ""
        self.other.setText(self._other_text)


class _ChoiceInput(_Input):
    def __init__(self, f: FormField, changed: SignalInstance) -> None:
        self.widget = self.combo = QComboBox()
        self.combo.addItems(["", *f.options])
        self.combo.activated.connect(lambda _index: changed.emit())

    def value(self) -> str:
        return self.combo.currentText()

    def set_value(self, value: str) -> None:
        if value and self.combo.findText(value) < 0:
            self.combo.addItem(value)  # an answer that is not an option prints as "Other: …"
        self.combo.setCurrentText(value)


class _MultiChoiceInput(_Input):
    def __init__(self, f: FormField, changed: SignalInstance) -> None:
        self.widget = QWidget()
        layout = QVBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        self.options = f.options
        # "&&": a single "&" in a button's text marks a keyboard shortcut and is not shown ("Roles & Responsibilities").
        self.boxes = [QCheckBox(option.replace("&", "&&")) for option in f.options]
        for box in self.boxes:
            box.toggled.connect(lambda _on: changed.emit())
            layout.addWidget(box)
        self._others: list[str] = []

    def value(self) -> str:
        chosen = [o for o, b in zip(self.options, self.boxes, strict=True) if b.isChecked()]
        return "; ".join(chosen + self._others)

    def set_value(self, value: str) -> None:
        picked = {p.strip().casefold(): p.strip() for p in re.split(r"[;\n]", value) if p.strip()}
        for option, box in zip(self.options, self.boxes, strict=True):
            box.blockSignals(True)
            box.setChecked(option.casefold() in picked)
            box.blockSignals(False)
        known = {o.casefold() for o in self.options}
        self._others = [text for key, text in picked.items() if key not in known]


class _SignatureInput(_Input):
    """Signatures are never typed: they are added on export (digital) or left for ink."""

    def __init__(self, _f: FormField, _changed: SignalInstance) -> None:
        self.widget = hint(
            "Filled in when you export: your drawn signature, name and date when “Sign” is ticked; "
            "left empty when you print for a wet signature."
        )

    def value(self) -> str:
        return ""

    def set_value(self, value: str) -> None:
        return None


def _make_input(f: FormField, changed: SignalInstance) -> _Input:
    if f.kind is FieldKind.MULTILINE:
        return _TextInput(f, changed)
    if f.kind is FieldKind.YESNO:
        return _YesNoInput(f, changed)
    if f.kind is FieldKind.CHOICE:
        return _MultiChoiceInput(f, changed) if f.multiple else _ChoiceInput(f, changed)
    if f.kind is FieldKind.SIGNATURE:
        return _SignatureInput(f, changed)
    return _LineInput(f, changed)


class FormEditor(QWidget):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form: FormDefinition | None = None
        self.inputs: dict[str, _Input] = {}
        self._baseline: dict[str, str] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 8, 0)  # clear of the scroll bar

    def set_form(self, form: FormDefinition, prefilled: dict[str, str], typed: dict[str, str]) -> None:
        self._clear()
        self.form = form
        for section in form.sections:
            self._layout.addWidget(self._section(section.title, section.note, section.fields))
        self._layout.addStretch(1)
        # Compare later edits with what was shown, so only real changes count as typed.
        self._baseline = {k: self.inputs[k].value() for k in self.inputs}
        for key, value in prefilled.items():
            self._show(key, value)
            self._baseline[key] = self.inputs[key].value() if key in self.inputs else value
        for key, value in typed.items():
            self._show(key, value)
        # Lay the new form out now, so the scroll area never shows the new boxes squeezed into the old height.
        self._layout.activate()

    def _show(self, key: str, value: str) -> None:
        if key in self.inputs and self.form is not None:
            kind = self.form.field(key).kind
            self.inputs[key].set_value(display_date(value) if kind is FieldKind.DATE else value)

    def _section(self, title: str, note: str, fields: tuple[FormField, ...]) -> QGroupBox:
        box = QGroupBox(title)
        outer = QVBoxLayout(box)
        if note:
            outer.addWidget(hint(note))
        layout = QFormLayout()
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for f in fields:
            field_input = _make_input(f, self.edited)
            self.inputs[f.key] = field_input
            field_input.widget.setAccessibleName(f.label)
            field_input.widget.setObjectName(f"field_{f.key}")
            label = self._label(f)
            if _stacked(f):
                # As on the printed form: long questions and big boxes read better with the label above.
                layout.addRow(label)
                layout.addRow(field_input.widget)
            else:
                label.setFixedWidth(_LABEL_WIDTH)  # the same in every section, so the boxes line up
                layout.addRow(label, field_input.widget)
        outer.addLayout(layout)
        return box

    @staticmethod
    def _label(f: FormField) -> QLabel:
        text = f"<b>{_escape(f.label)}</b>"
        if f.hint:
            text += f"<br><span style='color:#52606d'>{_escape(f.hint)}</span>"
        # No buddy: a buddy label treats "&" as a shortcut marker and would eat it ("Lead Practitioner & Agency").
        label = QLabel(text, wordWrap=True)
        label.setTextFormat(Qt.TextFormat.RichText)
        return label

    def _clear(self) -> None:
        self.inputs = {}
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                # Hidden and detached now: deleteLater alone leaves the old form drawn until the event loop runs.
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()

    def typed(self) -> dict[str, str]:
        """The boxes whose value differs from what the record filled in."""
        return {k: i.value() for k, i in self.inputs.items() if i.value() != self._baseline.get(k, "")}

    def set_text(self, key: str, value: str) -> None:
        """Put text in a box as if typed (for text the keyboard simulator cannot type, and for tests)."""
        self.inputs[key].set_value(value)
        self.edited.emit()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
