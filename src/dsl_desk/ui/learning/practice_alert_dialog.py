"""A Partnership Practice Alert (Medway Appendix Three), with a live warning when a child's name is typed.

The warning is shown as the DSL types (the names are fetched once, when the dialog opens); saving with a
name still in it asks for confirmation that it is not a child's, and the service records that override.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import london
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import DeskError, ValidationError
from dsl_desk.services.learning.practice_alerts import (
    AlertInput,
    AlertView,
    ChildNameFound,
    child_name_matcher,
    create_alert,
    name_warnings,
    new_alert_defaults,
    update_alert,
)
from dsl_desk.ui.messages import confirm
from dsl_desk.ui.widgets.common import fit_to_screen
from dsl_desk.ui.widgets.date_entry import DateEntry

# (field, the form's own label, multi-line?)
FIELDS = (
    ("informer", "Name of informer and title", False),
    ("service", "Service", False),
    ("contact_details", "Contact details", False),
    ("summary", "Summary of what happened (specific dates and examples)", True),
    ("measures_taken", "Measures already taken to address or resolve the issue", True),
    ("contributory_causes", "Contributory causes / barriers / challenges", True),
    ("good_practice", "Identified areas of good practice", True),
    ("recommended_action", "Action taken or recommended to prevent a recurrence", True),
)


class PracticeAlertDialog(QDialog):
    def __init__(self, ctx: AppContext, existing: AlertView | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.existing = existing
        self.saved: AlertView | None = None
        self.matcher = child_name_matcher(ctx)
        self.setWindowTitle(
            self.tr("Partnership Practice Alert") + (f" {existing.reference}" if existing else "")
        )
        fit_to_screen(self, 720, 760)
        start = existing.alert if existing else new_alert_defaults(ctx)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                self.tr(
                    "For practice across the partnership that is not about one child. Do not include any child's name or details."
                ),
                objectName="hint",
                wordWrap=True,
            )
        )
        form = QFormLayout()
        self.boxes: dict[str, QLineEdit | QPlainTextEdit] = {}
        for key, label, multiline in FIELDS:
            box: QLineEdit | QPlainTextEdit = (
                QPlainTextEdit(getattr(start, key)) if multiline else QLineEdit(getattr(start, key))
            )
            if isinstance(box, QPlainTextEdit):
                box.setTabChangesFocus(True)
                box.setMinimumHeight(70)
            box.setAccessibleName(self.tr(label))
            box.textChanged.connect(self._check_names)
            self.boxes[key] = box
            form.addRow(self.tr(label), box)
        self.start = start
        self.alert_date = DateEntry(
            accessible_name=self.tr("Date of alert, required"),
            value=start.alert_date,
            required=True,
            today=london(ctx.clock.now()).date(),
        )
        form.insertRow(3, self.tr("Date of alert"), self.alert_date)
        layout.addLayout(form)
        self.warning = QLabel(objectName="error", wordWrap=True)
        self.warning.hide()
        layout.addWidget(self.warning)
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._check_names()

    def alert(self) -> AlertInput:
        """What the form holds; a ValidationError when the date of the alert is missing or not a date."""
        day = self.alert_date.checked_date("alert_date")
        assert day is not None  # required
        return self._alert(day)

    def _alert(self, day: date) -> AlertInput:
        texts = {
            key: box.toPlainText() if isinstance(box, QPlainTextEdit) else box.text()
            for key, box in self.boxes.items()
        }
        return AlertInput(alert_date=day, **texts)

    def _check_names(self) -> None:
        # The names are checked as they are typed, whatever state the date is in.
        warnings = name_warnings(self.matcher, self._alert(self.alert_date.date() or self.start.alert_date))
        if not warnings:
            self.warning.hide()
            return
        labels = {key: label for key, label, _multi in FIELDS}
        found = "; ".join(f"{', '.join(w.names)} (in “{labels[w.field]}”)" for w in warnings)
        self.warning.setText(
            self.tr(
                "This looks like a child's name: %s. A Practice Alert must not identify a child — remove it."
            )
            % found
        )
        self.warning.show()

    def save(self) -> None:
        self._save(names_confirmed=False)

    def _save(self, *, names_confirmed: bool) -> None:
        try:
            alert = self.alert()
            if self.existing is None:
                self.saved = create_alert(self.ctx, alert, names_confirmed=names_confirmed)
            else:
                self.saved = update_alert(self.ctx, self.existing.id, alert, names_confirmed=names_confirmed)
        except ChildNameFound as found:
            if confirm_not_a_child(self, str(found)):
                self._save(names_confirmed=True)
            return
        except DeskError as error:
            self.error.setText(str(error))
            self.error.show()
            if isinstance(error, ValidationError) and error.field == "alert_date":
                self.alert_date.setFocus()
            return
        self.accept()


def confirm_not_a_child(parent: QWidget, message: str) -> bool:
    """Asked when saving with a known name still in the alert; a function so tests can answer it."""
    return confirm(
        parent, "A child's name?", message, yes="It is not a child — save", no="Go back and remove it"
    )
