"""The New escalation wizard: which child, which agency, what the disagreement is about, what the problem is and
what outcome is sought, whether the child is at immediate risk — then the first stage and its deadline, before
anything is saved. Finish opens the escalation through services.escalations.open_escalation."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.categories import (
    SEPARATOR,
    category_keys,
    category_words,
    join_categories,
    valid_categories,
)
from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import describe_date, describe_deadline
from dsl_desk.core.escalation_rules import immediate_risk_rule
from dsl_desk.core.policy import AGENCY_KINDS, Contact, PolicyPack
from dsl_desk.services.context import AppContext
from dsl_desk.services.desk.profile import get_profile
from dsl_desk.services.errors import ServiceError
from dsl_desk.services.escalations.deadlines import first_stage_deadline
from dsl_desk.services.escalations.drafts import DraftView
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
from dsl_desk.services.people.agencies import list_agencies, list_professionals
from dsl_desk.services.people.children import ChildDetails, add_child, list_children
from dsl_desk.services.people.children import validate as validate_child
from dsl_desk.ui.escalations.drafts import (
    NEW_ESCALATION,
    DraftingWizard,
    WizardPage,
    field_label,
    line_edit,
    resume_banner,
    text_box,
    wrapped,
)
from dsl_desk.ui.widgets.date_entry import DateEntry, DateTimeEntry

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


class NewEscalationWizard(DraftingWizard):
    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        child_id: int | None = None,
        draft: DraftView | None = None,
    ) -> None:
        super().__init__(ctx, NEW_ESCALATION, 0, parent, draft=draft)
        self.setWindowTitle(self.tr("New escalation"))
        self.home_pack_id = get_profile(ctx).partnership_id
        self.child_page = ChildPage(self, child_id)
        # Opened from a child's page: the child is known, so the wizard does not ask again (Back still can).
        self.child_fixed = child_id is not None and self.child_page.selected_child_id() == child_id
        if self.child_fixed:
            self.setWindowTitle(self.tr("New escalation for %s") % self.child_page.selected_child_name())
        self.agency_page = AgencyPage(self)
        self.category_page = CategoryPage(self)
        self.problem_page = ProblemPage(self)
        self.risk_page = RiskPage(self)
        self.risk_action_page = RiskActionPage(self)
        self.summary_page = SummaryPage(self)
        for page_id, page in enumerate(
            (
                self.risk_page,
                self.risk_action_page,
                self.child_page,
                self.agency_page,
                self.category_page,
                self.problem_page,
                self.summary_page,
            )
        ):
            self.setPage(page_id, page)
        self.restore_given_draft()

    @property
    def pack(self) -> PolicyPack:
        return self.ctx.pack(self.agency_page.policy_id() or self.home_pack_id)

    @property
    def immediate_risk(self) -> bool:
        return self.risk_page.yes.isChecked()

    def new_escalation(self) -> NewEscalation:
        professional_id, professional_name = self.agency_page.professional()
        return NewEscalation(
            child_id=self.child_page.selected_child_id() or 0,
            other_agency=self.agency_page.agency.currentText(),
            category=self.category_page.selected_key(),
            problem=self.problem_page.problem.toPlainText(),
            outcome_sought=self.problem_page.outcome.toPlainText(),
            immediate_risk=self.immediate_risk,
            other_professional_id=professional_id,
            other_professional_name=professional_name,
            contacted=self.summary_page.contacted.text(),
            policy_id=self.pack.id,
            arose_at=self.problem_page.arose_at(),
            other_agency_kind=self.agency_page.agency_kind(),
        )


# -- the child --------------------------------------------------------------------------------------------------


class ChildPage(WizardPage):
    def __init__(self, wizard: NewEscalationWizard, child_id: int | None) -> None:
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

    def __init__(self, wizard: NewEscalationWizard, added: object) -> None:
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
    def __init__(self, wizard: NewEscalationWizard) -> None:
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


class CategoryPage(WizardPage):
    """One of the policy's categories, or several (tick boxes) where the policy joins its list with "and/or"."""

    def __init__(self, wizard: NewEscalationWizard) -> None:
        super().__init__(
            wizard.tr("What is the disagreement about?"),
            wizard.tr("The policy's own words for what professionals disagree about."),
        )
        self.wiz = wizard
        self.intro = wrapped()
        self.body.addWidget(self.intro)
        self.choices = QVBoxLayout()
        self.body.addLayout(self.choices)
        self.body.addStretch(1)
        self.group = QButtonGroup(self)
        self._keys: list[str] = []
        self._built_for = ""
        self.group.buttonToggled.connect(self._toggled)
        wizard.bind_custom("category", self.selected_key, self._select_key, self.group.buttonToggled)

    def initializePage(self) -> None:
        pack = self.wiz.pack
        if pack.id == self._built_for:
            return
        self._built_for = pack.id
        several = pack.several_categories
        self.intro.setText(
            self.wiz.tr(
                "Tick each that applies: the %s policy says a disagreement may be about one and/or another."
            )
            % pack.short_name
            if several
            else self.wiz.tr("Choose the closest from the %s policy's list.") % pack.short_name
        )
        for button in self.group.buttons():
            self.group.removeButton(button)
            button.hide()
            button.deleteLater()
        self.group.setExclusive(not several)
        for number, category in enumerate(pack.categories, start=1):
            button = (QCheckBox if several else QRadioButton)(f"&{number}  {category.label}")
            button.setAccessibleName(category.label)
            button.setProperty("key", category.key)
            self.group.addButton(button)
            self.choices.addWidget(button)
        self._select_key(self.selected_key())

    def _toggled(self, button: QAbstractButton, checked: bool) -> None:
        key = str(button.property("key"))
        if checked and key not in self._keys:
            self._keys = [key] if self.group.exclusive() else [*self._keys, key]
            self.clear_error()
        elif not checked and key in self._keys:
            self._keys.remove(key)

    def selected_key(self) -> str:
        """The chosen category's key, or several joined by "+" in the policy's order."""
        pack = self.wiz.ctx.packs.get(self._built_for) if self._built_for else None
        return join_categories(pack, self._keys) if pack is not None else SEPARATOR.join(self._keys)

    def _select_key(self, key: object) -> None:
        self._keys = list(category_keys(str(key or "")))
        for button in self.group.buttons():
            button.setChecked(button.property("key") in self._keys)

    def validatePage(self) -> bool:
        if not valid_categories(self.wiz.pack, self.selected_key()):
            return self.show_error(self.wiz.tr("Choose what the disagreement is about."))
        self.clear_error()
        return True


# -- the problem and the outcome --------------------------------------------------------------------------------


class ProblemPage(WizardPage):
    def __init__(self, wizard: NewEscalationWizard) -> None:
        super().__init__(
            wizard.tr("What is the problem, and what outcome do you want?"),
            wizard.tr(
                "Be clear what the problem is and what outcome you seek for the child: the other agency, and "
                "anyone the disagreement goes to later, will read this first."
            ),
        )
        self.wiz = wizard
        self.problem = text_box(
            wizard.tr("The problem"),
            wizard.tr("e.g. The referral on 2 January was closed with no assessment, although …"),
            height=120,
            grow=True,
        )
        self.outcome = text_box(
            wizard.tr("The outcome sought"),
            wizard.tr("e.g. A strategy discussion this week, and a child and family assessment"),
            height=90,
            grow=True,
        )
        self.body.addWidget(field_label(wizard.tr("The &problem:"), self.problem, required=True))
        self.body.addWidget(self.problem, 3)
        self.body.addWidget(
            field_label(wizard.tr("The &outcome you are seeking:"), self.outcome, required=True)
        )
        self.body.addWidget(self.outcome, 2)
        self.body.addWidget(
            wrapped(
                wizard.tr(
                    "Write facts and what you want to happen, not opinions about people. "
                    "Use the child's initials if you will share this by ordinary email."
                ),
                "hint",
            )
        )
        now = wizard.ctx.clock.now()
        self.arose = DateTimeEntry(
            accessible_name=wizard.tr("When the disagreement arose"),
            value=now.replace(second=0, microsecond=0),
            now=now,
            past_only=True,
            required=True,
        )
        self.body.addWidget(field_label(wizard.tr("&When did the disagreement arise?"), self.arose.edit))
        self.body.addWidget(self.arose)
        self.body.addWidget(
            wrapped(
                wizard.tr(
                    "Deadlines run from when it arose, not from when you record it. A record made more than a "
                    "day later is marked as late."
                ),
                "hint",
            )
        )
        wizard.bind("problem", self.problem)
        wizard.bind("outcome_sought", self.outcome)

    def arose_at(self) -> datetime | None:
        return self.arose.instant()

    def validatePage(self) -> bool:
        self.arose.now = self.wiz.ctx.clock.now()
        self.arose.recheck()
        if self.arose.problem():
            return self.show_error(self.arose.problem(), self.arose)
        if not self.problem.toPlainText().strip():
            return self.show_error(
                self.wiz.tr("Say what the problem is — the policy asks you to be clear about it."),
                self.problem,
            )
        if not self.outcome.toPlainText().strip():
            return self.show_error(
                self.wiz.tr("Say what outcome you are seeking for the child."), self.outcome
            )
        self.clear_error()
        return True


# -- immediate risk --------------------------------------------------------------------------------------------


class RiskPage(WizardPage):
    def __init__(self, wizard: NewEscalationWizard) -> None:
        super().__init__(
            wizard.tr("Immediate risk"),
            wizard.tr("A child at immediate risk never waits for the escalation process."),
        )
        self.wiz = wizard
        question = QLabel(wizard.tr("Is the child thought to be at immediate risk of significant harm?"))
        question.setObjectName("sectionTitle")
        question.setWordWrap(True)
        self.yes = QRadioButton(wizard.tr("&Yes — the child may be at immediate risk of significant harm"))
        self.no = QRadioButton(wizard.tr("N&o — not at immediate risk"))
        self.yes.setAccessibleName(wizard.tr("Yes, immediate risk of significant harm"))
        self.no.setAccessibleName(wizard.tr("No, not at immediate risk"))
        group = QButtonGroup(self)
        group.addButton(self.yes)
        group.addButton(self.no)
        group.buttonToggled.connect(lambda *_: self.clear_error())
        self.body.addWidget(question)
        self.body.addWidget(self.yes)
        self.body.addWidget(self.no)
        self.body.addWidget(
            wrapped(
                wizard.tr(
                    "If you answer yes, DSL Desk shows what the policy says to do straight away, and the "
                    "deadlines become the same working day."
                ),
                "hint",
            )
        )
        self.body.addStretch(1)
        wizard.bind("immediate_risk_yes", self.yes)
        wizard.bind("immediate_risk_no", self.no)

    def validatePage(self) -> bool:
        if not (self.yes.isChecked() or self.no.isChecked()):
            return self.show_error(
                self.wiz.tr("Answer the question: is the child at immediate risk of significant harm?")
            )
        self.clear_error()
        return True

    def nextId(self) -> int:
        if self.yes.isChecked():
            return RISK_ACTION_PAGE
        return AGENCY_PAGE if self.wiz.child_fixed else CHILD_PAGE


class RiskActionPage(WizardPage):
    """Shown first when the child may be at immediate risk: what the policy says to do now, and who to call."""

    def __init__(self, wizard: NewEscalationWizard) -> None:
        super().__init__(
            wizard.tr("Act now: the child may be at immediate risk"),
            wizard.tr("What the policy says to do straight away, before anything else."),
        )
        self.wiz = wizard
        frame = QFrame(objectName="riskBanner")
        layout = QVBoxLayout(frame)
        self.instruction = wrapped()
        self.instruction.setStyleSheet("font-weight: 600;")
        self.inform = wrapped()
        self.contacts = wrapped()
        self.out_of_hours = wrapped()
        for label in (self.instruction, self.inform, self.contacts, self.out_of_hours):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(label)
        self.body.addWidget(frame)
        self.body.addWidget(
            wrapped(
                wizard.tr(
                    "Do this first. Then carry on to record the escalation: what the policy says to do now (the "
                    "people to inform, if it names any, and out of hours whom to call) goes on its checklist with "
                    "its deadline, so you can tick it off; it shows overdue until done."
                ),
                "hint",
            )
        )
        self.body.addStretch(1)

    def nextId(self) -> int:
        return AGENCY_PAGE if self.wiz.child_fixed else CHILD_PAGE

    def initializePage(self) -> None:
        pack = self.wiz.pack
        rule = immediate_risk_rule(pack)
        where = f" ({pack.short_name}: {rule.citation})" if rule.citation else ""
        self.instruction.setText(f"{rule.instruction}{where}")
        self.inform.setText(self.wiz.tr("Inform now: %s") % "; ".join(rule.inform) if rule.inform else "")
        self.inform.setVisible(bool(rule.inform))
        contacts = [
            f"• {c.level}: {contact_text(c)}" if c.level else f"• {contact_text(c)}"
            for c in (pack.urgent_contacts or pack.contacts)
        ]
        self.contacts.setText(
            self.wiz.tr("Contacts in the policy:") + "\n" + "\n".join(contacts) if contacts else ""
        )
        self.contacts.setVisible(bool(contacts))
        self.out_of_hours.setText(
            self.wiz.tr(
                "Out of hours (evenings, weekends, bank holidays, school closures): call the emergency duty "
                "team, or the police on 999 if the child is in danger now. Do not wait for the next working day."
            )
        )


# -- summary ----------------------------------------------------------------------------------------------------


class SummaryPage(WizardPage):
    def __init__(self, wizard: NewEscalationWizard) -> None:
        super().__init__(
            wizard.tr("Check and start"),
            wizard.tr(
                "The escalation is opened when you press Finish; until then what you typed is kept as a draft."
            ),
        )
        self.wiz = wizard
        self.setFinalPage(True)
        self.escalation = wrapped()
        self.escalation.setTextFormat(Qt.TextFormat.PlainText)
        self.escalation.setAccessibleName(wizard.tr("The escalation you are starting"))
        self.escalation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.escalation)
        self.policy = wrapped()
        self.stage = QLabel(objectName="sectionTitle", wordWrap=True)
        self.what = wrapped()
        self.who = wrapped()
        self.deadline = QLabel(wordWrap=True)
        self.deadline.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.deadline.setAccessibleName(wizard.tr("Deadline for the first stage"))
        self.checklist = wrapped(object_name="hint")
        for label in (self.policy, self.stage, self.what, self.who, self.deadline, self.checklist):
            self.body.addWidget(label)
        self.contacted = line_edit(
            wizard.tr("Who you are contacting at this stage"), wizard.tr("Name and role (optional)")
        )
        self.body.addWidget(field_label(wizard.tr("&Who are you contacting at this stage?"), self.contacted))
        self.body.addWidget(self.contacted)
        self.body.addStretch(1)
        wizard.bind("contacted", self.contacted)

    def initializePage(self) -> None:
        pack = self.wiz.pack
        stage = pack.first_stage
        self.escalation.setText(self._escalation_text(pack))
        self.policy.setText(self.wiz.tr("Policy: %s (version %s)") % (pack.name, pack.version))
        self.stage.setText(self.wiz.tr("First stage: %s") % stage.display_name)
        self.what.setText(stage.what_happens)
        sides = [s for s in (stage.our_side, stage.their_side) if s]
        self.who.setText(self.wiz.tr("Who is involved: %s") % " · ".join(sides) if sides else "")
        self.deadline.setText(self._deadline_text(pack))
        self.checklist.setText(self._checklist_text(pack))
        self.checklist.setVisible(bool(self.checklist.text()))

    def _escalation_text(self, pack: PolicyPack) -> str:
        """Child, agency, what it is about, the problem and the outcome sought: the whole escalation at a glance."""
        wiz = self.wiz
        agency = wiz.agency_page
        kind = agency.kind.currentText() if agency.agency_kind() else ""
        person = agency.person.currentText().strip()
        lines = [
            wiz.tr("Child: %s") % wiz.child_page.selected_child_name(),
            wiz.tr("Other agency: %s") % agency.agency.currentText().strip()
            + (f" ({kind})" if kind else "")
            + (f" — {person}" if person else ""),
            wiz.tr("About: %s") % category_words(pack, wiz.category_page.selected_key(), unknown=""),
            wiz.tr("The problem: %s") % _short(wiz.problem_page.problem.toPlainText()),
            wiz.tr("Outcome sought: %s") % _short(wiz.problem_page.outcome.toPlainText()),
        ]
        if wiz.immediate_risk:
            lines.insert(0, wiz.tr("IMMEDIATE RISK: the child may be at immediate risk of significant harm."))
        return "\n".join(lines)

    def _deadline_text(self, pack: PolicyPack) -> str:
        now = self.wiz.ctx.clock.now()
        due = first_stage_deadline(
            self.wiz.ctx,
            pack.id,
            arose_at=self.wiz.problem_page.arose_at() or now,
            immediate_risk=self.wiz.immediate_risk,
        )
        if due is None:
            return self.wiz.tr("No deadline: %s") % (
                pack.first_stage.timescale.text or self.wiz.tr("none set")
            )
        text = self.wiz.tr("Due %s") % describe_deadline(due.due_at, now)
        reason = pack.first_stage.timescale.text
        if self.wiz.immediate_risk:
            reason = immediate_risk_rule(pack).timescale.text or self.wiz.tr("immediate risk")
        if due.out_of_hours:
            text += self.wiz.tr(" — it is out of hours now, so the clock starts on the next working day")
        return f"{text} ({reason})" if reason else text

    def _checklist_text(self, pack: PolicyPack) -> str:
        kind = self.wiz.agency_page.agency_kind()
        lines = [
            f"• {step.title}" for step in pack.pre_steps if not step.agency_kinds or kind in step.agency_kinds
        ]
        if self.wiz.immediate_risk:
            rule = immediate_risk_rule(pack)
            urgent = [f"• {self.wiz.tr('Inform')} {who}" for who in rule.inform] or [
                f"• {self.wiz.tr('Immediate risk')}: {rule.instruction}"
            ]
            lines = urgent + lines
        return self.wiz.tr("Added to the checklist:") + "\n" + "\n".join(lines) if lines else ""

    def validatePage(self) -> bool:
        try:
            detail = open_escalation(self.wiz.ctx, self.wiz.new_escalation())
        except ServiceError as error:
            return self.show_error(str(error))
        self.clear_error()
        self.wiz.finish_with(detail)
        return True
