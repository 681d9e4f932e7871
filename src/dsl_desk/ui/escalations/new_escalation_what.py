"""The New escalation wizard's pages about what: immediate risk and what to do now, the kind of disagreement, the problem and the outcome sought, and the whole escalation checked before it starts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QLabel,
    QRadioButton,
    QVBoxLayout,
)

from dsl_desk.core.categories import (
    SEPARATOR,
    category_keys,
    category_words,
    join_categories,
    valid_categories,
)
from dsl_desk.core.dates_in_words import describe_deadline
from dsl_desk.core.escalation_rules import immediate_risk_rule
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services.errors import ServiceError
from dsl_desk.services.escalations.deadlines import first_stage_deadline
from dsl_desk.services.escalations.workflow import open_escalation
from dsl_desk.ui.escalations.drafts import (
    WizardPage,
    field_label,
    line_edit,
    text_box,
    wrapped,
)
from dsl_desk.ui.escalations.new_escalation_who import (
    AGENCY_PAGE,
    CHILD_PAGE,
    RISK_ACTION_PAGE,
    _short,
    contact_text,
)
from dsl_desk.ui.widgets.date_entry import DateTimeEntry


class CategoryPage(WizardPage):
    """One of the policy's categories, or several (tick boxes) where the policy joins its list with "and/or"."""

    def __init__(self, wizard: Any) -> None:
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
    def __init__(self, wizard: Any) -> None:
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
    def __init__(self, wizard: Any) -> None:
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

    def __init__(self, wizard: Any) -> None:
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
    def __init__(self, wizard: Any) -> None:
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
