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

from dsl_desk.services.context import AppContext
from dsl_desk.services.desk.profile import get_profile
from dsl_desk.services.errors import ServiceError, ValidationError
from dsl_desk.services.people.agencies import (
    ProfessionalRow,
    add_professional,
    list_agencies,
    list_professionals,
)
from dsl_desk.services.people.partnership_contacts import (
    BOARD_KEY,
    ContactEditInput,
    PartnershipContactRow,
    board_contact,
    edit_contact,
    partnership_contacts,
    restore_printed_contact,
)
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.table_model import ROW_ROLE, Column, RowTableModel
from dsl_desk.ui.theme import ACCENT
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
                Column(self.tr("Name"), lambda r: r.name),
                Column(self.tr("Role"), lambda r: r.role),
                Column(self.tr("Agency"), lambda r: r.agency),
                Column(self.tr("Phone"), lambda r: r.phone),
                Column(self.tr("Email"), lambda r: r.email),
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
        self.directory: RowTableModel[PartnershipContactRow] = RowTableModel(
            [
                Column(self.tr("Level"), lambda r: r.contact.level),
                Column(self.tr("Name"), lambda r: r.contact.name),
                Column(self.tr("Role"), lambda r: r.contact.role),
                Column(self.tr("Agency"), lambda r: r.contact.agency),
                Column(self.tr("Phone"), lambda r: r.contact.phone),
                Column(self.tr("Email"), lambda r: r.contact.email),
                Column(
                    "",
                    lambda r: self.tr("corrected") if r.edited else "",
                    foreground=lambda r: ACCENT if r.edited else None,
                ),
            ],
            self,
        )
        self.directory_view, self.directory_proxy = make_table(
            self.directory, accessible_name=self.tr("Partnership contacts"), stretch_column=2
        )
        self.directory_view.activated.connect(self.edit_contact)
        self.directory_view.doubleClicked.connect(self.edit_contact)
        layout.addWidget(self.directory_view, 1)
        row = QHBoxLayout()
        self.directory_hint = hint("")
        row.addWidget(self.directory_hint, 1)
        self.edit_board_button = QPushButton(self.tr("Correct the partnership's address…"))
        self.edit_board_button.clicked.connect(self.edit_board)
        self.edit_button = QPushButton(self.tr("&Correct this contact…"))
        self.edit_button.clicked.connect(lambda: self.edit_contact(self.directory_view.currentIndex()))
        row.addWidget(self.edit_board_button)
        row.addWidget(self.edit_button)
        layout.addLayout(row)

    def refresh(self) -> None:
        self.people.set_rows(list_professionals(self.ctx))
        pack = self.ctx.pack(get_profile(self.ctx).partnership_id)
        self.pack_id = pack.id
        self.partnership_title.setText(self.tr("%s — escalation contacts") % pack.name)
        board = board_contact(self.ctx, pack.id)
        parts = [board.name, board.postal_address, board.email, board.phone]
        self.board_label.setText(" · ".join(p for p in parts if p))
        self.directory.set_rows(partnership_contacts(self.ctx, pack.id))
        self.directory_view.setVisible(bool(pack.contacts))
        self.edit_button.setVisible(bool(pack.contacts))
        self.directory_hint.setText(
            self.tr(
                "These are the contact details printed in the %s policy. People and numbers change: "
                "correct one with a double-click; the policy's own text is kept."
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

    def edit_contact(self, index: object) -> None:
        row = self.directory_proxy.data(index, ROW_ROLE) if index is not None else None  # type: ignore[arg-type]
        if row is None:
            return
        dialog = PartnershipContactDialog(
            self.ctx,
            self.pack_id,
            row.key,
            row.contact.name,
            row.contact.role,
            row.contact.agency,
            row.contact.phone,
            row.contact.email,
            "",
            self,
        )
        if dialog.exec():
            self.signals.changed.emit(Changed(contacts=True))

    def edit_board(self) -> None:
        board = board_contact(self.ctx, self.pack_id)
        dialog = PartnershipContactDialog(
            self.ctx,
            self.pack_id,
            BOARD_KEY,
            board.name,
            "",
            "",
            board.phone,
            board.email,
            board.postal_address,
            self,
        )
        if dialog.exec():
            self.signals.changed.emit(Changed(contacts=True))

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


class PartnershipContactDialog(QDialog):
    """Correct (or restore) one of the contact details the partnership's policy printed."""

    def __init__(
        self,
        ctx: AppContext,
        pack_id: str,
        key: str,
        name: str,
        role: str,
        agency: str,
        phone: str,
        email: str,
        postal_address: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.pack_id, self.key = ctx, pack_id, key
        self.setWindowTitle(self.tr("Correct a partnership contact"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            hint(self.tr("Your correction is kept in this database; the policy file is not changed."))
        )
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        is_board = key == BOARD_KEY
        for field_name, label, value in (
            ("name", self.tr("Name"), name),
            ("role", self.tr("Role"), role),
            ("agency", self.tr("Agency"), agency),
            ("postal_address", self.tr("Postal address"), postal_address),
            ("phone", self.tr("Phone"), phone),
            ("email", self.tr("Email"), email),
        ):
            if is_board and field_name in ("role", "agency"):
                continue
            if not is_board and field_name == "postal_address":
                continue
            edit = QLineEdit(value, accessibleName=label)
            self.fields[field_name] = edit
            form.addRow(label, edit)
        layout.addLayout(form)
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.restore_button = buttons.addButton(
            self.tr("Restore the policy's details"), QDialogButtonBox.ButtonRole.ResetRole
        )
        self.restore_button.clicked.connect(self.restore)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    def save(self) -> None:
        values = ContactEditInput(**{name: edit.text() for name, edit in self.fields.items()})
        try:
            edit_contact(self.ctx, self.pack_id, self.key, values)
        except (ValidationError, ServiceError) as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self.accept()

    def restore(self) -> None:
        restore_printed_contact(self.ctx, self.pack_id, self.key)
        self.accept()
