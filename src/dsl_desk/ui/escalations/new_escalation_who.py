"""The New escalation wizard's pages about who: the child (or a new one), and the other agency and its professional, with the pack's agencies offered as you type. The pages take the wizard untyped (new_escalation.py imports them, not the other way)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import describe_date
from dsl_desk.core.policy import AGENCY_KINDS, Contact, PolicyPack
from dsl_desk.services.errors import ServiceError
from dsl_desk.services.people.agencies import list_agencies, list_professionals
from dsl_desk.services.people.children import ChildDetails, add_child, list_children
from dsl_desk.services.people.children import validate as validate_child
from dsl_desk.ui.escalations.drafts import (
    WizardPage,
    field_label,
    line_edit,
    resume_banner,
    wrapped,
)
from dsl_desk.ui.widgets.date_entry import DateEntry

# Immediate risk is the first question: a child at risk never waits behind the free-text pages.
RISK_PAGE, RISK_ACTION_PAGE, CHILD_PAGE, AGENCY_PAGE, CATEGORY_PAGE, PROBLEM_PAGE, SUMMARY_PAGE = range(7)


def contact_text(contact: Contact) -> str:
    """“Business coordinator, St Helens Safeguarding Children Board, 01744 …”, skipping what is blank."""
    return ", ".join(
        p for p in (contact.name, contact.role, contact.agency, contact.phone, contact.email) if p
    )


def pack_agencies(pack: PolicyPack) -> list[str]:
    """The agencies the partnership's pack names in its contacts (not the bare area name, e.g. "St Helens")."""
    names = [c.agency.strip() for c in (*pack.contacts, *pack.urgent_contacts)]
    return list(dict.fromkeys(n for n in names if n and n.casefold() != pack.short_name.casefold()))


def guess_kind(name: str) -> str:
    """The kind an agency's own name gives away ("… Children's Social Care" is social care); "" if unsure."""
    words = name.casefold()
    for needle, kind in (
        ("social care", "social_care"),
        ("social work", "social_care"),
        ("police", "police"),
        ("nhs", "health"),
        ("health", "health"),
        ("hospital", "health"),
        ("housing", "housing"),
        ("youth offending", "probation"),
        ("probation", "probation"),
        ("early help", "early_help"),
    ):
        if needle in words:
            return kind
    return ""


def offer_as_you_type(combo: QComboBox) -> None:
    """Suggest every entry containing what is typed, not only those starting with it."""
    completer = combo.completer()
    if completer is not None:
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def born_words(born: date) -> str:
    """“Sat 14 Mar 2015”: a date of birth always with its year."""
    return describe_date(born, date(1, 1, 1)).split(" ", 1)[1]  # no weekday for a birthday


class ChildPage(WizardPage):
    def __init__(self, wizard: Any, child_id: int | None) -> None:
        super().__init__(
            wizard.tr("Which child is this about?"),
            wizard.tr("Find the child, or add them if they are not on the desk yet."),
        )
        self.wiz = wizard
        self._wanted_id = child_id
        banner = resume_banner(wizard)
        if banner is not None:
            self.body.addWidget(banner)
        self._build_search()
        self.new_child = NewChildBox(wizard, self._child_added)
        self.new_child.hide()
        self.body.addWidget(self.new_child)
        wizard.bind("child_search", self.search, content=False)
        wizard.bind_custom(
            "child_id", self.selected_child_id, self._select_id, self.children.currentRowChanged
        )
        self.refresh()

    def _build_search(self) -> None:
        self.search = line_edit(self.wiz.tr("Search children"), self.wiz.tr("Type part of a name"))
        self.search.textChanged.connect(self.refresh)
        self.children = QListWidget()
        self.children.setAccessibleName(self.wiz.tr("Children"))
        self.children.setMinimumHeight(160)
        self.children.currentRowChanged.connect(lambda _row: self.clear_error())
        self.add_button = QPushButton(self.wiz.tr("&Add a new child…"))
        self.add_button.clicked.connect(self._toggle_new_child)
        row = QHBoxLayout()
        row.addWidget(field_label(self.wiz.tr("&Search:"), self.search))
        row.addWidget(self.search, 1)
        row.addWidget(self.add_button)
        self.body.addLayout(row)
        self.body.addWidget(field_label(self.wiz.tr("&Child:"), self.children, required=True))
        self.body.addWidget(self.children, 1)
        self.empty = wrapped(self.wiz.tr("No child matches. Check the spelling, or add a new child."), "hint")
        self.body.addWidget(self.empty)

    def refresh(self) -> None:
        keep = self.selected_child_id() or self._wanted_id
        self.children.clear()
        for row in list_children(self.wiz.ctx, self.search.text()):
            flags = f" · {', '.join(row.flags)}" if row.flags else ""
            born = self.wiz.tr("born %s") % born_words(row.date_of_birth)
            item = QListWidgetItem(f"{row.name} — {born}{flags}")
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.children.addItem(item)
        self.empty.setVisible(self.children.count() == 0)
        if keep is not None:
            self._select_id(keep)

    def selected_child_id(self) -> int | None:
        item = self.children.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def selected_child_name(self) -> str:
        """“Zephyrine Quillborough — born 14 Mar 2015 · Looked after”, as the list shows it."""
        item = self.children.currentItem()
        return "" if item is None else item.text()

    def _select_id(self, child_id: object) -> None:
        self._wanted_id = int(child_id)  # type: ignore[call-overload]
        for row in range(self.children.count()):
            if self.children.item(row).data(Qt.ItemDataRole.UserRole) == self._wanted_id:
                self.children.setCurrentRow(row)
                return

    def _toggle_new_child(self) -> None:
        self.new_child.setVisible(not self.new_child.isVisible())
        if self.new_child.isVisible():
            self.new_child.given.setFocus()

    def _child_added(self, child_id: int) -> None:
        self.new_child.hide()
        self.search.clear()
        self._wanted_id = child_id
        self.refresh()
        self._select_id(child_id)

    def validatePage(self) -> bool:
        if self.selected_child_id() is None:
            return self.show_error(
                self.wiz.tr("Choose the child this disagreement is about, or add a new child."), self.children
            )
        self.clear_error()
        return True


class NewChildBox(QGroupBox):
    """Add a child without leaving the wizard. Date of birth cannot be in the future."""

    def __init__(self, wizard: Any, added: object) -> None:
        super().__init__(wizard.tr("New child"))
        self.wiz = wizard
        self._added = added
        form = QFormLayout(self)
        self.given = line_edit(wizard.tr("Child's first names"))
        self.family = line_edit(wizard.tr("Child's family name"))
        today = london(wizard.ctx.clock.now()).date()
        # Typed as a UK user types it and read back in words; empty, since no date is the honest start.
        self.born = DateEntry(
            accessible_name=wizard.tr("Child's date of birth"), required=True, today=today, past_only=True
        )
        form.addRow(field_label(wizard.tr("&First names:"), self.given, required=True), self.given)
        form.addRow(field_label(wizard.tr("Famil&y name:"), self.family, required=True), self.family)
        form.addRow(field_label(wizard.tr("&Date of birth:"), self.born.edit, required=True), self.born)
        form.addRow(self._flags_row())
        self.message = QLabel(objectName="error", wordWrap=True)
        self.message.hide()
        form.addRow(self.message)
        self.save = QPushButton(wizard.tr("Add &this child"))
        self.save.clicked.connect(self.add)
        form.addRow("", self.save)
        for name, widget in (("new_given", self.given), ("new_family", self.family), ("new_born", self.born)):
            wizard.bind(name, widget)

    def _flags_row(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.flags: dict[str, QCheckBox] = {}
        for key, text in (
            ("child_protection_plan", self.wiz.tr("Child protection plan")),
            ("looked_after", self.wiz.tr("Looked after")),
            ("child_in_need", self.wiz.tr("Child in need")),
            ("ehcp", self.wiz.tr("EHCP")),
        ):
            check = QCheckBox(text)
            check.setAccessibleName(text)
            self.flags[key] = check
            row.addWidget(check)
            self.wiz.bind(f"new_{key}", check)
        row.addStretch(1)
        return box

    def add(self) -> None:
        try:
            today = london(self.wiz.ctx.clock.now()).date()
            # The names first, as the box reads, by the service's own rule (it writes nothing), then the date.
            validate_child(self._details(today), today)
            born = self.born.checked_date("date_of_birth")
            assert born is not None  # required
            child = add_child(self.wiz.ctx, self._details(born))
        except ServiceError as error:
            self.message.setText(str(error))
            self.message.show()
            return
        self.message.hide()
        for edit in (self.given, self.family):
            edit.clear()
        self._added(child.id)  # type: ignore[operator]

    def _details(self, born: date) -> ChildDetails:
        return ChildDetails(
            given_names=self.given.text(),
            family_name=self.family.text(),
            date_of_birth=born,
            **{key: check.isChecked() for key, check in self.flags.items()},
        )


# -- the other agency -------------------------------------------------------------------------------------------


class AgencyPage(WizardPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__(
            wizard.tr("Who do you disagree with?"),
            wizard.tr("The other agency, and the professional there if you know them."),
        )
        self.wiz = wizard
        form = QFormLayout()
        self.agency = QComboBox(editable=True)
        self.agency.setAccessibleName(wizard.tr("Other agency"))
        self.agency.lineEdit().setPlaceholderText(wizard.tr("Choose or type, e.g. Children's Social Care"))
        known = list_agencies(wizard.ctx)
        self.agencies = {row.name: row.id for row in known}
        self.kinds = {row.name: row.kind for row in known if row.kind}
        home = wizard.ctx.pack(wizard.home_pack_id)
        named = [name for name in pack_agencies(home) if name not in self.agencies]
        self.agency.addItems(sorted([*self.agencies, *named], key=str.casefold))
        self.agency.setCurrentIndex(-1)
        offer_as_you_type(self.agency)
        self.agency.currentTextChanged.connect(self._agency_changed)
        self.person = QComboBox(editable=True)
        self.person.setAccessibleName(wizard.tr("Other professional"))
        self.person.lineEdit().setPlaceholderText(wizard.tr("Choose or type their full name (optional)"))
        offer_as_you_type(self.person)
        self.kind = QComboBox()
        self.kind.setAccessibleName(wizard.tr("Kind of agency"))
        self.kind.addItem(wizard.tr("Choose the kind of agency…"), "")
        for key, label in AGENCY_KINDS.items():
            self.kind.addItem(label, key)
        form.addRow(field_label(wizard.tr("Other &agency:"), self.agency, required=True), self.agency)
        form.addRow(field_label(wizard.tr("&Kind of agency:"), self.kind, required=True), self.kind)
        form.addRow(field_label(wizard.tr("&Professional:"), self.person), self.person)
        self.body.addLayout(form)
        self.body.addWidget(
            wrapped(
                wizard.tr("A new agency or name you type is added to your contacts when you finish."), "hint"
            )
        )
        self.body.addWidget(self._build_pack_choice())
        self.body.addStretch(1)
        wizard.bind("other_agency", self.agency)
        wizard.bind("agency_kind", self.kind)
        wizard.bind("other_professional", self.person)
        wizard.bind("use_other_policy", self.use_other)
        wizard.bind("policy_id", self.packs)
        self._agency_changed("")

    def _build_pack_choice(self) -> QGroupBox:
        box = QGroupBox(self.wiz.tr("Advanced"))
        layout = QVBoxLayout(box)
        home = self.wiz.ctx.pack(self.wiz.home_pack_id)
        self.use_other = QCheckBox(
            self.wiz.tr("&Use another area's policy (the other agency is outside %s)") % home.short_name
        )
        self.use_other.setAccessibleName(self.wiz.tr("Use another area's policy"))
        self.packs = QComboBox()
        self.packs.setAccessibleName(self.wiz.tr("Policy to use"))
        for pack in sorted(self.wiz.ctx.packs.values(), key=lambda p: p.name):
            if pack.id != home.id:
                self.packs.addItem(pack.name, pack.id)
        self.packs.setVisible(False)
        self.use_other.toggled.connect(self.packs.setVisible)
        self.use_other.setEnabled(self.packs.count() > 0)
        layout.addWidget(
            wrapped(
                self.wiz.tr("Normally the escalation follows your own partnership's policy: %s.") % home.name,
                "hint",
            )
        )
        layout.addWidget(self.use_other)
        layout.addWidget(self.packs)
        return box

    def policy_id(self) -> str:
        return str(self.packs.currentData() or "") if self.use_other.isChecked() else ""

    def agency_kind(self) -> str:
        return str(self.kind.currentData() or "")

    def _agency_changed(self, name: str) -> None:
        typed = self.person.currentText()
        kind = self.kinds.get(name.strip()) or guess_kind(name)
        if kind and not self.agency_kind():
            self.kind.setCurrentIndex(self.kind.findData(kind))
        agency_id = self.agencies.get(name.strip())
        self.person.blockSignals(True)
        self.person.clear()
        for row in list_professionals(self.wiz.ctx, agency_id) if agency_id is not None else []:
            self.person.addItem(f"{row.name} ({row.role})" if row.role else row.name, row.id)
        self.person.setCurrentIndex(-1)
        self.person.setCurrentText(typed)
        self.person.blockSignals(False)

    def professional(self) -> tuple[int | None, str]:
        """An existing professional's id when one was picked, else the name typed (may be blank)."""
        text = self.person.currentText().strip()
        index = self.person.findText(text)
        if index >= 0 and self.person.itemData(index) is not None:
            return int(self.person.itemData(index)), ""
        return None, text

    def validatePage(self) -> bool:
        if not self.agency.currentText().strip():
            return self.show_error(self.wiz.tr("Enter the other agency you disagree with."), self.agency)
        if not self.agency_kind():
            return self.show_error(
                self.wiz.tr(
                    "Say what kind of agency it is: some steps of the policy apply only to one kind "
                    "(for example Children's Social Care)."
                ),
                self.kind,
            )
        self.clear_error()
        return True


# -- the category -------------------------------------------------------------------------------------------------
