"""Add or edit a child. Required fields are marked; problems show next to the form, nothing typed is lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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
from dsl_desk.services.people.children import ChildDetails, ChildView, add_child, update_child, validate
from dsl_desk.ui.widgets.date_entry import DateEntry

CONTINUUM_LEVELS = (
    "",
    "Level 1 – universal",
    "Level 2 – early help",
    "Level 3 – child in need",
    "Level 4 – child protection",
    "Level 4 – looked after",
)


class ChildDialog(QDialog):
    """`saved` holds the ChildView after a successful save."""

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, existing: ChildView | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.existing = existing
        self.saved: ChildView | None = None
        self.setWindowTitle(self.tr("Edit child") if existing else self.tr("Add a child"))
        self._build()
        if existing:
            self._fill(existing.details)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.given_names = QLineEdit(accessibleName=self.tr("First name(s), required"))
        self.family_name = QLineEdit(accessibleName=self.tr("Family name, required"))
        # Typed, day first, and said back in words; empty until someone types it (no made-up default).
        self.date_of_birth = DateEntry(
            accessible_name=self.tr("Date of birth, required"),
            required=True,
            today=london(self.ctx.clock.now()).date(),
            past_only=True,
        )
        self.address = QPlainTextEdit(accessibleName=self.tr("Address"))
        self.address.setFixedHeight(60)
        self.parents = QPlainTextEdit(accessibleName=self.tr("Parents and carers"))
        self.parents.setFixedHeight(60)
        self.parents.setPlaceholderText(
            self.tr("Full names and relationship, e.g. “Dawn Brightwater (mother)”")
        )
        self.flags = {
            "child_protection_plan": QCheckBox(self.tr("Child protection plan")),
            "looked_after": QCheckBox(self.tr("Looked after (in care)")),
            "child_in_need": QCheckBox(self.tr("Child in need")),
            "ehcp": QCheckBox(self.tr("Education, health and care plan (EHCP)")),
        }
        self.continuum = QComboBox(editable=True, accessibleName=self.tr("Continuum of need"))
        self.continuum.addItems(CONTINUUM_LEVELS)
        form.addRow(self.tr("First name(s) *"), self.given_names)
        form.addRow(self.tr("Family name *"), self.family_name)
        form.addRow(self.tr("Date of birth *"), self.date_of_birth)
        form.addRow(self.tr("Address"), self.address)
        form.addRow(self.tr("Parents / carers"), self.parents)
        flags = QVBoxLayout()
        for box in self.flags.values():
            flags.addWidget(box)
        form.addRow(self.tr("Status"), flags)
        form.addRow(self.tr("Continuum of need"), self.continuum)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("* required"), objectName="hint"))
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.setAccessibleName(self.tr("Problem with the form"))
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout.addWidget(buttons)
        self.resize(520, 560)

    def _fill(self, details: ChildDetails) -> None:
        self.given_names.setText(details.given_names)
        self.family_name.setText(details.family_name)
        self.date_of_birth.set_date(details.date_of_birth)
        self.address.setPlainText(details.address)
        self.parents.setPlainText(details.parents_carers)
        for name, box in self.flags.items():
            box.setChecked(getattr(details, name))
        self.continuum.setCurrentText(details.continuum_of_need)

    def details(self) -> ChildDetails:
        """What the form holds; a ValidationError when the date of birth is missing or not a date."""
        today = london(self.ctx.clock.now()).date()
        born = self.date_of_birth.date()
        if born is None:
            # The names are checked first, as the form reads, then the date of birth's own problem.
            validate(replace(self._details(today), date_of_birth=today), today)
            problem = self.date_of_birth.problem()
            if self.date_of_birth.is_empty():
                problem = self.tr("Enter the child's date of birth, e.g. 14/03/2015.")
            raise ValidationError(problem, field="date_of_birth")
        return self._details(born)

    def _details(self, born: date) -> ChildDetails:
        return ChildDetails(
            given_names=self.given_names.text(),
            family_name=self.family_name.text(),
            date_of_birth=born,
            address=self.address.toPlainText(),
            parents_carers=self.parents.toPlainText(),
            continuum_of_need=self.continuum.currentText(),
            **{name: box.isChecked() for name, box in self.flags.items()},
        )

    def save(self) -> None:
        try:
            self.date_of_birth.today = london(
                self.ctx.clock.now()
            ).date()  # the dialog may stay open past midnight
            self.date_of_birth.recheck()
            if self.existing:
                self.saved = update_child(self.ctx, self.existing.id, self.details())
            else:
                self.saved = add_child(self.ctx, self.details())
        except ValidationError as error:
            self.error.setText(str(error))
            self.error.show()
            field = getattr(self, error.field, None)
            if isinstance(field, QWidget):
                field.setFocus()
            return
        except DeskError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self.accept()
