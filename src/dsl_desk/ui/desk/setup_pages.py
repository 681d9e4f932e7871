"""The set-up wizard's pages up to the signature: welcome, the organisation, its partnership, its working day, the first DSL, the passphrase, the signature. Each checks its own fields when Next is pressed and says what is wrong next to the field."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from dsl_desk import APP_NAME
from dsl_desk.core.clock import Clock, london
from dsl_desk.core.escalation_rules import review_warning
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services.desk.setup import (
    USERNAME_PATTERN,
    passphrase_problem,
)
from dsl_desk.ui.paperwork.form_fields import (
    add_new_passphrase_rows,
    buddy_label,
    error_label,
    hint_label,
    new_form,
    with_message,
)
from dsl_desk.ui.paperwork.signature_pad import SignaturePad
from dsl_desk.ui.widgets.policy_flow import PolicyFlow

if TYPE_CHECKING:
    pass


# Stored in English; shown through translated() so a Welsh translation can follow (the markers let lupdate
# find words that are only ever passed to tr() as variables).
TR_CONTEXT = "setup"
AGENCY_TYPES = (
    QT_TRANSLATE_NOOP("setup", "School"),
    QT_TRANSLATE_NOOP("setup", "College"),
    QT_TRANSLATE_NOOP("setup", "Early years"),
    QT_TRANSLATE_NOOP("setup", "Health"),
    QT_TRANSLATE_NOOP("setup", "Other"),
)
NATIONS = (
    ("england", QT_TRANSLATE_NOOP("setup", "England")),
    ("wales", QT_TRANSLATE_NOOP("setup", "Wales")),
    ("scotland", QT_TRANSLATE_NOOP("setup", "Scotland")),
    ("northern_ireland", QT_TRANSLATE_NOOP("setup", "Northern Ireland")),
)


def translated(text: str) -> str:
    return QCoreApplication.translate(TR_CONTEXT, text)


def suggest_username(full_name: str) -> str:
    """“Jane Smith” → “jane.smith”; accents folded, punctuation dropped, so the suggestion is always valid."""
    folded = unicodedata.normalize("NFKD", full_name).encode("ascii", "ignore").decode("ascii").lower()
    words = [re.sub(r"[^a-z0-9-]", "", word).strip("-") for word in folded.split()]
    words = [word for word in words if word]
    if not words:
        return ""
    chosen = [words[0], words[-1]] if len(words) > 1 else words
    return ".".join(chosen)[:60]


class SetupPage(QWizardPage):
    """Base page: keeps typed values on Back and shows/hides inline messages."""

    def cleanupPage(self) -> None:
        # QWizard's default resets the page's fields when the user goes Back; we never throw typing away.
        return

    def setup_wizard(self) -> Any:  # the SetupWizard (setup_wizard.py imports the pages, not the other way)
        return self.wizard()

    @staticmethod
    def show_message(label: QLabel, text: str, field: QWidget | None = None) -> bool:
        """Show `text` (or hide the label when empty); focus the field at fault. Returns whether all is well."""
        label.setText(text)
        label.setVisible(bool(text))
        if text and field is not None:
            field.setFocus()
        return not text


class WelcomePage(SetupPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Welcome to %s") % APP_NAME)
        self.setSubTitle(self.tr("A few minutes of set-up, once, before you start."))
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        intro = QLabel(wordWrap=True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        intro.setText(
            self.tr(
                "<p>%s helps you follow your local safeguarding partnership’s escalation policy when you and "
                "another professional disagree about a child’s safety: which stage you are at, who to contact "
                "next, what must be written down, and when each step is due.</p>"
                "<p><b>Your records stay on this laptop, encrypted.</b> Nothing is sent anywhere unless you "
                "choose to print, export or email something. Only someone with a passphrase (or the recovery "
                "key) can open them.</p>"
            )
            % APP_NAME
        )
        layout.addWidget(intro)
        need = QLabel(wordWrap=True)
        need.setTextFormat(Qt.TextFormat.RichText)
        need.setText(
            self.tr(
                "<p><b>You will need:</b></p><ul>"
                "<li>the name of your school or organisation;</li>"
                "<li>which local safeguarding partnership you belong to;</li>"
                "<li>your usual working hours;</li>"
                "<li>a passphrase you will remember (three or four unrelated words work well);</li>"
                "<li>a printer, or somewhere safe to save a PDF, for your recovery key.</li></ul>"
            )
        )
        layout.addWidget(need)
        layout.addWidget(
            hint_label(self.tr("Press Next to begin. You can go back to any page before the end."))
        )
        layout.addStretch(1)


class OrganisationPage(SetupPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Your organisation"))
        self.setSubTitle(self.tr("This name appears on every form and report. Fields marked * are required."))
        form = new_form()
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(self.tr("Organisation name (required)"))
        self.name_edit.setPlaceholderText(self.tr("For example, Penkford Primary School"))
        self.name_edit.setMaxLength(200)
        self.name_error = error_label(self.tr("Organisation name problem"))
        form.addRow(
            buddy_label(self.tr("&Organisation name *"), self.name_edit),
            with_message(self.name_edit, self.name_error),
        )
        self.agency_combo = QComboBox()
        self.agency_combo.setAccessibleName(self.tr("Type of organisation (required)"))
        for value in AGENCY_TYPES:
            self.agency_combo.addItem(translated(value), value)
        form.addRow(buddy_label(self.tr("&Type of organisation *"), self.agency_combo), self.agency_combo)
        self.other_edit = QLineEdit()
        self.other_edit.setAccessibleName(self.tr("Describe your organisation"))
        self.other_edit.setPlaceholderText(self.tr("For example, Youth service"))
        self.other_edit.setMaxLength(100)
        self.other_error = error_label(self.tr("Organisation type problem"))
        self.other_label = buddy_label(self.tr("&Describe it *"), self.other_edit)
        self.other_box = with_message(self.other_edit, self.other_error)
        form.addRow(self.other_label, self.other_box)
        self.agency_combo.currentIndexChanged.connect(self._show_other)
        self._show_other()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)

    def _show_other(self) -> None:
        is_other = self.agency_combo.currentData() == "Other"
        self.other_label.setVisible(is_other)
        self.other_box.setVisible(is_other)

    def agency_type(self) -> str:
        value = self.agency_combo.currentData()
        return self.other_edit.text().strip() if value == "Other" else str(value)

    def validatePage(self) -> bool:
        name_ok = self.show_message(
            self.name_error,
            "" if self.name_edit.text().strip() else self.tr("Enter the name of your organisation."),
            self.name_edit,
        )
        other_ok = self.show_message(
            self.other_error,
            "" if self.agency_type() else self.tr("Say what kind of organisation you are."),
            self.other_edit if name_ok else None,
        )
        return name_ok and other_ok


class PartnershipPage(SetupPage):
    def __init__(
        self, packs: Mapping[str, PolicyPack], parent: QWidget | None = None, *, clock: Clock | None = None
    ) -> None:
        super().__init__(parent)
        self.packs = packs
        self.clock = clock
        self.setTitle(self.tr("Your local safeguarding partnership"))
        self.setSubTitle(
            self.tr(
                "Choose the partnership whose escalation policy you follow. Its stages are shown on the right."
            )
        )
        layout = QHBoxLayout(self)
        layout.setSpacing(16)
        layout.addLayout(self._build_list(), 2)
        layout.addLayout(self._build_details(), 3)
        # Selection, not the current item: a list view makes its first row current just by taking focus,
        # which would quietly choose a partnership the user never picked.
        self.pack_list.itemSelectionChanged.connect(self._show_pack)
        if len(packs) == 1:
            self.pack_list.setCurrentRow(0)

    def _build_list(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.pack_list = QListWidget()
        self.pack_list.setAccessibleName(self.tr("Safeguarding partnership (required)"))
        self.pack_list.setWordWrap(True)
        self.pack_list.setSpacing(2)
        for pack in sorted(self.packs.values(), key=lambda p: p.name):
            item = QListWidgetItem(pack.name)
            item.setData(Qt.ItemDataRole.UserRole, pack.id)
            self.pack_list.addItem(item)
        column.addWidget(buddy_label(self.tr("&Partnership *"), self.pack_list))
        column.addWidget(self.pack_list, 1)
        self.error = error_label(self.tr("Partnership problem"))
        column.addWidget(self.error)
        column.addWidget(
            hint_label(
                self.tr(
                    "Not listed? Choose the nearest for now and ask your partnership for their policy file; "
                    "it can be added later."
                )
            )
        )
        return column

    def _build_details(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.document_label = QLabel(wordWrap=True)
        self.document_label.setTextFormat(Qt.TextFormat.PlainText)
        self.document_label.setAccessibleName(self.tr("Policy document"))
        self.document_label.setStyleSheet("font-weight: 600;")
        column.addWidget(self.document_label)
        self.dates_label = hint_label("")
        column.addWidget(self.dates_label)
        self.review_label = QLabel(wordWrap=True)
        self.review_label.setAccessibleName(self.tr("Policy review date"))
        self.review_label.setObjectName("error")
        column.addWidget(self.review_label)
        self.flow = PolicyFlow()
        column.addWidget(self.flow, 1)
        return column

    def selected_pack_id(self) -> str:
        items = self.pack_list.selectedItems()
        return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else ""

    def select_pack(self, pack_id: str) -> None:
        for row in range(self.pack_list.count()):
            if self.pack_list.item(row).data(Qt.ItemDataRole.UserRole) == pack_id:
                self.pack_list.setCurrentRow(row)
                return

    def _show_pack(self) -> None:
        pack = self.packs.get(self.selected_pack_id())
        self.flow.set_pack(pack)
        if pack is None:
            self.document_label.clear()
            self.dates_label.clear()
            self.review_label.clear()
            return
        self.show_message(self.error, "")
        document = pack.document
        self.document_label.setText(f"{document.title}\n{document.adopted_by}")
        dates = self.tr("Dates: %s") % document.dates
        if document.review:
            dates += " · " + self.tr("Review: %s") % document.review
        self.dates_label.setText(dates)
        warning = review_warning(pack, london(self.clock.now()).date()) if self.clock else ""
        self.review_label.setText(warning)
        self.review_label.setVisible(bool(warning))

    def validatePage(self) -> bool:
        return self.show_message(
            self.error,
            "" if self.selected_pack_id() else self.tr("Choose your partnership from the list."),
            self.pack_list,
        )


def time_edit(accessible_name: str, value: QTime) -> QTimeEdit:
    edit = QTimeEdit(value)
    edit.setDisplayFormat("HH:mm")
    edit.setAccessibleName(accessible_name)
    edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("00:00") * 3)
    return edit


class WorkingDayPage(SetupPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Bank holidays and your working day"))
        self.setSubTitle(
            self.tr("Deadlines count working days only, so weekends, bank holidays and closures are skipped.")
        )
        form = new_form()
        self.nation_combo = QComboBox()
        self.nation_combo.setAccessibleName(self.tr("Nation for bank holidays"))
        for value, text in NATIONS:
            self.nation_combo.addItem(translated(text), value)
        form.addRow(
            buddy_label(self.tr("Bank &holidays of"), self.nation_combo),
            self._with_hint(self.nation_combo, self.tr("The UK nation whose bank holidays you follow.")),
        )
        self.start_edit = time_edit(self.tr("Working day starts"), QTime(8, 0))
        form.addRow(buddy_label(self.tr("Working day &starts"), self.start_edit), self._left(self.start_edit))
        self.end_edit = time_edit(self.tr("Working day ends"), QTime(17, 0))
        form.addRow(buddy_label(self.tr("Working day &ends"), self.end_edit), self._left(self.end_edit))
        self.cutoff_edit = time_edit(self.tr("Daily cut-off for deadlines"), QTime(17, 0))
        self.cutoff_error = error_label(self.tr("Cut-off problem"))
        form.addRow(
            buddy_label(self.tr("Daily &cut-off"), self.cutoff_edit),
            self._cutoff_box(),
        )
        self.idle_spin = QSpinBox()
        self.idle_spin.setRange(1, 120)
        self.idle_spin.setValue(10)
        self.idle_spin.setSuffix(self.tr(" minutes"))
        self.idle_spin.setAccessibleName(self.tr("Lock after minutes without use"))
        form.addRow(
            buddy_label(self.tr("&Lock after"), self.idle_spin),
            self._with_hint(
                self.idle_spin, self.tr("DSL Desk locks itself when nobody has used it for this long.")
            ),
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)

    def _left(self, field: QWidget) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field)
        row.addStretch(1)
        return box

    def _with_hint(self, field: QWidget, text: str) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self._left(field))
        column.addWidget(hint_label(text))
        return box

    def _cutoff_box(self) -> QWidget:
        box = self._with_hint(
            self.cutoff_edit,
            self.tr(
                "Something that happens after the cut-off counts from the next working day. "
                "It must fall within the working day."
            ),
        )
        cast("QVBoxLayout", box.layout()).addWidget(self.cutoff_error)
        return box

    def nation(self) -> str:
        return str(self.nation_combo.currentData())

    def validatePage(self) -> bool:
        start, cutoff, end = (e.time() for e in (self.start_edit, self.cutoff_edit, self.end_edit))
        message = ""
        if not start < end:
            message = self.tr("The working day must end after it starts.")
        elif not start < cutoff <= end:
            message = self.tr(
                "The cut-off must fall within the working day (after it starts, no later than it ends)."
            )
        return self.show_message(self.cutoff_error, message, self.cutoff_edit)


class YouPage(SetupPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("About you"))
        self.setSubTitle(
            self.tr("You will be the first account. Deputy DSLs can be added later in Settings.")
        )
        self._username_edited = False
        form = new_form()
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(self.tr("Full name (required)"))
        self.name_edit.setPlaceholderText(self.tr("For example, Jane Smith"))
        self.name_error = error_label(self.tr("Full name problem"))
        form.addRow(
            buddy_label(self.tr("&Full name *"), self.name_edit),
            self._field(self.name_edit, self.name_error, self.tr("As it should appear on signed forms.")),
        )
        self.role_edit = QLineEdit(self.tr("Designated Safeguarding Lead"))
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
            self._field(
                self.username_edit,
                self.username_error,
                self.tr("What you choose when you unlock DSL Desk: lower-case letters, digits and dots."),
            ),
        )
        self.name_edit.textChanged.connect(self._suggest_username)
        self.username_edit.textEdited.connect(self._username_typed)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)

    @staticmethod
    def _field(field: QWidget, message: QLabel, hint_text: str) -> QWidget:
        box = with_message(field, message)
        cast("QVBoxLayout", box.layout()).insertWidget(1, hint_label(hint_text))
        return box

    def _suggest_username(self, name: str) -> None:
        # Follow the name until the user types a user name of their own.
        if not self._username_edited:
            self.username_edit.setText(suggest_username(name))

    def _username_typed(self, text: str) -> None:
        self._username_edited = bool(text)

    def validatePage(self) -> bool:
        name_ok = self.show_message(
            self.name_error,
            ""
            if self.name_edit.text().strip()
            else self.tr("Enter your full name as it should appear on forms."),
            self.name_edit,
        )
        role_ok = self.show_message(
            self.role_error,
            ""
            if self.role_edit.text().strip()
            else self.tr("Enter your role, for example Designated Safeguarding Lead."),
            self.role_edit if name_ok else None,
        )
        username_ok = self.show_message(
            self.username_error,
            ""
            if USERNAME_PATTERN.match(self.username_edit.text())
            else self.tr(
                "Use 2–60 lower-case letters, digits, dots, dashes or underscores, for example jane.smith."
            ),
            self.username_edit if name_ok and role_ok else None,
        )
        return name_ok and role_ok and username_ok


class PassphrasePage(SetupPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Choose a passphrase"))
        self.setSubTitle(
            self.tr(
                "It unlocks your records. Three or four unrelated words are easy to remember and hard to guess."
            )
        )
        form = new_form()
        self.fields = add_new_passphrase_rows(
            form,
            first_label=self.tr("&Passphrase *"),
            first_name=self.tr("Passphrase"),
            second_label=self.tr("Type it &again *"),
            second_name=self.tr("Passphrase again"),
            first_error_name=self.tr("Passphrase problem"),
            second_error_name=self.tr("Repeated passphrase problem"),
        )
        self.first_edit, self.second_edit = self.fields.first, self.fields.second
        self.first_error, self.second_error = self.fields.first_error, self.fields.second_error
        self.strength = self.fields.strength
        self.show_toggle = QCheckBox(self.tr("&Show what I type"))
        self.show_toggle.toggled.connect(self.fields.show_typed)
        form.addRow("", self.show_toggle)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            hint_label(
                self.tr(
                    "Nobody can reset a forgotten passphrase — not even IT. The recovery key you will print at "
                    "the end is the only other way in."
                )
            )
        )
        layout.addStretch(1)

    def passphrase(self) -> str:
        return self.first_edit.text()

    def validatePage(self) -> bool:
        first_ok = self.show_message(self.first_error, passphrase_problem(self.passphrase()), self.first_edit)
        mismatch = (
            ""
            if self.second_edit.text() == self.passphrase()
            else self.tr("The two passphrases are different. Type the same passphrase in both boxes.")
        )
        second_ok = self.show_message(self.second_error, mismatch, self.second_edit if first_ok else None)
        return first_ok and second_ok


class SignaturePage(SetupPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Your signature (optional)"))
        self.setSubTitle(
            self.tr(
                "Drawn once, it is added to the forms you sign. You can skip this and add it later in Settings."
            )
        )
        self.setCommitPage(True)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        self.pad = SignaturePad()
        layout.addWidget(self.pad)
        layout.addWidget(
            hint_label(
                self.tr(
                    "When you press “Create my database”, DSL Desk creates your encrypted records on this "
                    "laptop. You cannot come back to these pages afterwards, but everything except the "
                    "organisation’s partnership and nation can be changed in Settings."
                )
            )
        )
        self.error = error_label(self.tr("Set-up problem"))
        layout.addWidget(self.error)
        layout.addStretch(1)

    def validatePage(self) -> bool:
        return self.show_message(self.error, self.setup_wizard().create_database())
