"""The Settings page's dialogs: adding a deputy DSL, changing a passphrase, drawing a new signature."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.services.context import AppContext
from dsl_desk.services.desk.setup import KdfParams, NewUser, passphrase_problem
from dsl_desk.services.desk.users import (
    UserRow,
    add_deputy,
    change_passphrase,
    set_signature,
)
from dsl_desk.services.errors import DeskError, ValidationError, WrongPassphrase
from dsl_desk.ui.desk.setup_pages import suggest_username
from dsl_desk.ui.paperwork.form_fields import (
    add_new_passphrase_rows,
    buddy_label,
    error_label,
    new_form,
    secret_edit,
    with_message,
)
from dsl_desk.ui.paperwork.signature_pad import SignaturePad
from dsl_desk.ui.widgets.common import hint


def set_message(label: QLabel, text: str, *, ok: bool = False) -> None:
    """Show a result next to the control that caused it: green when saved, red when refused."""
    label.setObjectName("hint" if ok else "error")
    label.setStyleSheet("color: #2e7d32; font-weight: 600;" if ok else "")
    label.setText(text)
    label.setVisible(bool(text))
    label.style().unpolish(label)
    label.style().polish(label)


def dialog_buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setProperty("primary", True)
    buttons.rejected.connect(dialog.reject)
    return buttons


class AddDeputyDialog(QDialog):
    """`added` holds the new account after a successful OK."""

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, kdf: KdfParams | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kdf = kdf
        self.added: UserRow | None = None
        self._username_edited = False
        self.setWindowTitle(self.tr("Add a deputy DSL"))
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        layout = QVBoxLayout(self)
        layout.addWidget(
            hint(
                self.tr(
                    "Ask your deputy to sit with you and type their own passphrase. They will unlock DSL Desk "
                    "on this laptop with their user name and passphrase; what they record is marked as theirs."
                )
            )
        )
        form = new_form()
        self._build_identity(form)
        self._build_secrets(form)
        layout.addLayout(form)
        self.message = error_label(self.tr("Add deputy problem"))
        layout.addWidget(self.message)
        self.buttons = dialog_buttons(self, self.tr("Add deputy"))
        self.buttons.accepted.connect(self.save)
        layout.addWidget(self.buttons)

    def _build_identity(self, form: QFormLayout) -> None:
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(self.tr("Deputy's full name (required)"))
        self.name_error = error_label(self.tr("Full name problem"))
        form.addRow(
            buddy_label(self.tr("&Full name *"), self.name_edit),
            with_message(self.name_edit, self.name_error),
        )
        self.role_edit = QLineEdit(self.tr("Deputy Designated Safeguarding Lead"))
        self.role_edit.setAccessibleName(self.tr("Role (required)"))
        self.role_error = error_label(self.tr("Role problem"))
        form.addRow(
            buddy_label(self.tr("&Role *"), self.role_edit), with_message(self.role_edit, self.role_error)
        )
        self.username_edit = QLineEdit()
        self.username_edit.setAccessibleName(self.tr("User name (required)"))
        self.username_error = error_label(self.tr("User name problem"))
        form.addRow(
            buddy_label(self.tr("&User name *"), self.username_edit),
            with_message(self.username_edit, self.username_error),
        )
        self.name_edit.textChanged.connect(self._suggest_username)
        self.username_edit.textEdited.connect(lambda text: setattr(self, "_username_edited", bool(text)))

    def _build_secrets(self, form: QFormLayout) -> None:
        fields = add_new_passphrase_rows(
            form,
            first_label=self.tr("&Passphrase *"),
            first_name=self.tr("Deputy's passphrase"),
            second_label=self.tr("Type it &again *"),
            second_name=self.tr("Deputy's passphrase again"),
            first_error_name=self.tr("Passphrase problem"),
            second_error_name=self.tr("Repeated passphrase problem"),
        )
        self.first_edit, self.second_edit = fields.first, fields.second
        self.first_error, self.second_error = fields.first_error, fields.second_error
        self.strength = fields.strength
        self.show_toggle = QCheckBox(self.tr("&Show what is typed"))
        self.show_toggle.toggled.connect(fields.show_typed)
        form.addRow("", self.show_toggle)

    def _suggest_username(self, name: str) -> None:
        if not self._username_edited:
            self.username_edit.setText(suggest_username(name))

    def _field_messages(self) -> dict[str, tuple[QLabel, QWidget]]:
        return {
            "display_name": (self.name_error, self.name_edit),
            "role": (self.role_error, self.role_edit),
            "username": (self.username_error, self.username_edit),
            "passphrase": (self.first_error, self.first_edit),
        }

    def save(self) -> None:
        if self._try_save():
            self.accept()
            return
        # A window ignores the height its newly shown, wrapped messages need; grow to show them.
        self.adjustSize()

    def _try_save(self) -> bool:
        for label, _field in self._field_messages().values():
            set_message(label, "")
        set_message(self.second_error, "")
        set_message(self.message, "")
        if self.second_edit.text() != self.first_edit.text():
            set_message(
                self.second_error, self.tr("The two passphrases are different. Type the same one twice.")
            )
            self.second_edit.setFocus()
            return False
        user = NewUser(
            username=self.username_edit.text().strip(),
            display_name=self.name_edit.text().strip(),
            role=self.role_edit.text().strip(),
            passphrase=self.first_edit.text(),
        )
        try:
            self.added = add_deputy(self.ctx, user, kdf=self.kdf)
        except ValidationError as error:
            label, field = self._field_messages().get(error.field, (self.message, self.name_edit))
            set_message(label, str(error))
            field.setFocus()
            return False
        except DeskError as error:
            set_message(self.message, str(error))
            return False
        return True


class ChangePassphraseDialog(QDialog):
    """`changed` is True after the passphrase was changed."""

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, kdf: KdfParams | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kdf = kdf
        self.changed = False
        self.setWindowTitle(self.tr("Change my passphrase"))
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 66)
        layout = QVBoxLayout(self)
        layout.addWidget(
            hint(
                self.tr(
                    "Changing your passphrase does not change the recovery key; keep that sheet where it is."
                )
            )
        )
        form = new_form()
        self.old_edit = secret_edit(self.tr("Current passphrase"))
        self.old_error = error_label(self.tr("Current passphrase problem"))
        form.addRow(
            buddy_label(self.tr("&Current passphrase"), self.old_edit),
            with_message(self.old_edit, self.old_error),
        )
        fields = add_new_passphrase_rows(
            form,
            first_label=self.tr("&New passphrase"),
            first_name=self.tr("New passphrase"),
            second_label=self.tr("Type it &again"),
            second_name=self.tr("New passphrase again"),
            first_error_name=self.tr("New passphrase problem"),
            second_error_name=self.tr("Repeated passphrase problem"),
        )
        self.new_edit, self.again_edit = fields.first, fields.second
        self.new_error, self.again_error = fields.first_error, fields.second_error
        self.strength = fields.strength
        layout.addLayout(form)
        self.message = error_label(self.tr("Change passphrase problem"))
        layout.addWidget(self.message)
        buttons = dialog_buttons(self, self.tr("Change passphrase"))
        buttons.accepted.connect(self.save)
        layout.addWidget(buttons)

    def save(self) -> None:
        if self._try_save():
            self.accept()
            return
        # A window ignores the height its newly shown, wrapped messages need; grow to show them.
        self.adjustSize()

    def _try_save(self) -> bool:
        for label in (self.old_error, self.new_error, self.again_error, self.message):
            set_message(label, "")
        new = self.new_edit.text()
        problem = passphrase_problem(new)
        if problem:
            set_message(self.new_error, problem)
            self.new_edit.setFocus()
            return False
        if self.again_edit.text() != new:
            set_message(
                self.again_error, self.tr("The two new passphrases are different. Type the same one twice.")
            )
            self.again_edit.setFocus()
            return False
        try:
            change_passphrase(self.ctx, self.old_edit.text(), new, kdf=self.kdf)
        except WrongPassphrase:
            set_message(self.old_error, self.tr("That is not your current passphrase. Nothing was changed."))
            self.old_edit.selectAll()
            self.old_edit.setFocus()
            return False
        except ValidationError as error:
            set_message(self.new_error, str(error))
            return False
        except DeskError as error:
            set_message(self.message, str(error))
            return False
        self.changed = True
        return True


class SignatureDialog(QDialog):
    """Draw a new signature; `saved` is True once it is stored."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.saved = False
        self.setWindowTitle(self.tr("Draw my signature"))
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)
        layout = QVBoxLayout(self)
        layout.addWidget(hint(self.tr("Sign as you would on paper. It replaces your current signature.")))
        self.pad = SignaturePad()
        layout.addWidget(self.pad)
        self.message = error_label(self.tr("Signature problem"))
        layout.addWidget(self.message)
        self.buttons = dialog_buttons(self, self.tr("Save signature"))
        self.buttons.accepted.connect(self.save)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(False)
        self.pad.changed.connect(lambda: self.ok_button.setEnabled(not self.pad.is_empty()))
        layout.addWidget(self.buttons)

    def save(self) -> None:
        if self._try_save():
            self.accept()
            return
        # A window ignores the height its newly shown, wrapped messages need; grow to show them.
        self.adjustSize()

    def _try_save(self) -> bool:
        png = self.pad.png_bytes()
        if png is None:
            set_message(self.message, self.tr("Draw your signature first."))
            return False
        try:
            set_signature(self.ctx, png)
        except DeskError as error:
            set_message(self.message, str(error))
            return False
        self.saved = True
        return True
