"""Contacts: the professionals you deal with, and your partnership's escalation contacts."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.policy import Contact
from dsl_desk.services.agencies import ProfessionalRow, add_professional, list_agencies, list_professionals
from dsl_desk.services.context import AppContext, ServiceError, ValidationError
from dsl_desk.services.profile import get_profile
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.table_model import Column, RowTableModel
from dsl_desk.ui.widgets.common import hint, make_table, page_title, section_title


class ContactsPage(QWidget):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self._build()
        self.refresh()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        top = QHBoxLayout()
        top.addWidget(page_title(self.tr("Contacts")))
        top.addStretch(1)
        self.add_button = QPushButton(self.tr("&Add professional…"))
        self.add_button.clicked.connect(self.add_professional)
        top.addWidget(self.add_button)
        layout.addLayout(top)
        layout.addWidget(section_title(self.tr("Professionals")))
        self.people: RowTableModel[ProfessionalRow] = RowTableModel(
            [
                Column("Name", lambda r: r.name),
                Column("Role", lambda r: r.role),
                Column("Agency", lambda r: r.agency),
                Column("Phone", lambda r: r.phone),
                Column("Email", lambda r: r.email),
            ],
            self,
        )
        self.people_view, _ = make_table(
            self.people, accessible_name=self.tr("Professionals"), stretch_column=2
        )
        layout.addWidget(self.people_view, 1)
        self.partnership_title = section_title("")
        layout.addWidget(self.partnership_title)
        self.board_label = QLabel(wordWrap=True)
        layout.addWidget(self.board_label)
        self.directory: RowTableModel[Contact] = RowTableModel(
            [
                Column("Level", lambda c: c.level),
                Column("Name", lambda c: c.name),
                Column("Role", lambda c: c.role),
                Column("Agency", lambda c: c.agency),
                Column("Phone", lambda c: c.phone),
                Column("Email", lambda c: c.email),
            ],
            self,
        )
        self.directory_view, _ = make_table(
            self.directory, accessible_name=self.tr("Partnership contacts"), stretch_column=2
        )
        layout.addWidget(self.directory_view, 1)
        self.directory_hint = hint("")
        layout.addWidget(self.directory_hint)

    def refresh(self) -> None:
        self.people.set_rows(list_professionals(self.ctx))
        pack = self.ctx.pack(get_profile(self.ctx).partnership_id)
        self.partnership_title.setText(self.tr("%s — escalation contacts") % pack.name)
        board = pack.board
        parts = [board.name, board.postal_address, board.email, board.phone]
        self.board_label.setText(" · ".join(p for p in parts if p))
        self.directory.set_rows(list(pack.contacts))
        self.directory_view.setVisible(bool(pack.contacts))
        self.directory_hint.setText(
            self.tr(
                "These are the contact details printed in the %s policy. Check them before relying on them: "
                "people and numbers change."
            )
            % pack.short_name
            if pack.contacts
            else self.tr(
                "The %s policy does not print a contacts directory; escalate through your own agency's "
                "managers and the partnership's address above."
            )
            % pack.short_name
        )

    def on_changed(self, changed: Changed) -> None:
        if changed.contacts or changed.escalations:
            self.refresh()

    def add_professional(self) -> None:
        dialog = ProfessionalDialog(self.ctx, self)
        if dialog.exec():
            self.signals.changed.emit(Changed(contacts=True))


class ProfessionalDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.saved: ProfessionalRow | None = None
        self.setWindowTitle(self.tr("Add a professional"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(accessibleName=self.tr("Full name, required"))
        self.name.setPlaceholderText(self.tr("Full name, not initials"))
        self.role = QLineEdit(accessibleName=self.tr("Role"))
        self.agency = QComboBox(editable=True, accessibleName=self.tr("Agency, required"))
        self.agency.addItems([a.name for a in list_agencies(ctx)])
        self.agency.setCurrentText("")
        self.phone = QLineEdit(accessibleName=self.tr("Phone"))
        self.email = QLineEdit(accessibleName=self.tr("Email"))
        form.addRow(self.tr("Name *"), self.name)
        form.addRow(self.tr("Role"), self.role)
        form.addRow(self.tr("Agency *"), self.agency)
        form.addRow(self.tr("Phone"), self.phone)
        form.addRow(self.tr("Email"), self.email)
        layout.addLayout(form)
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def save(self) -> None:
        try:
            self.saved = add_professional(
                self.ctx,
                self.name.text(),
                self.role.text(),
                self.agency.currentText(),
                phone=self.phone.text(),
                email=self.email.text(),
            )
        except (ValidationError, ServiceError) as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self.accept()
