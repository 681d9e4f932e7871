"""The Resolve wizard: everything the St Helens Escalation Resolution Template asks (stage resolved, timescales at
each stage, main reason, action, practitioners informed, lessons learnt), the written outcome agreed between the
agencies, whether the child's situation improved, and what the policy asks when an escalation ran too long.
Finish calls services.escalations.resolve."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QFrame,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.dates_in_words import describe_deadline
from dsl_desk.core.escalation_rules import ClosingChecklist, ClosingField
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError
from dsl_desk.services.escalations.closing import ResolutionInput, closing_checklist, resolve
from dsl_desk.services.escalations.deadlines import stage_was_met
from dsl_desk.services.escalations.drafts import DraftView
from dsl_desk.services.escalations.reading import get_escalation
from dsl_desk.ui.escalations.drafts import (
    RESOLVE,
    DraftingWizard,
    WizardPage,
    field_label,
    line_edit,
    resume_banner,
    text_box,
    wrapped,
)
from dsl_desk.ui.escalations.escalate import MISSED_STYLE, OK_STYLE, current_record
from dsl_desk.ui.escalations.owed_steps import OwedSteps

# The Escalation Resolution Template's "Main reason for escalation" boxes.
MAIN_REASONS = ("Threshold Conflict", "Communication", "Need for Action", "Roles & Responsibilities")
IMPROVED = (("yes", "&Yes"), ("no", "N&o"), ("not yet known", "No&t yet known"))


class ChoiceGroup(QButtonGroup):
    """Radio buttons whose value is a string; used for the questions with a fixed set of answers."""

    def __init__(self, parent: QWidget, choices: tuple[tuple[str, str], ...], accessible: str) -> None:
        super().__init__(parent)
        self.buttons_by_value: dict[str, QRadioButton] = {}
        for value, text in choices:
            button = QRadioButton(text)
            button.setAccessibleName(f"{accessible}: {value}")
            self.addButton(button)
            self.buttons_by_value[value] = button

    def value(self) -> str:
        return next((v for v, b in self.buttons_by_value.items() if b.isChecked()), "")

    def set_value(self, value: object) -> None:
        button = self.buttons_by_value.get(str(value))
        if button is not None:
            button.setChecked(True)


class ResolveWizard(DraftingWizard):
    def __init__(
        self,
        ctx: AppContext,
        escalation_id: int,
        parent: QWidget | None = None,
        *,
        draft: DraftView | None = None,
    ) -> None:
        super().__init__(ctx, RESOLVE, escalation_id, parent, draft=draft)
        self.escalation_id = escalation_id
        self.detail = get_escalation(ctx, escalation_id)
        self.pack = ctx.pack(self.detail.policy_id)
        self.blocked = ""
        self.closing: ClosingChecklist | None = None
        try:
            self.closing = closing_checklist(ctx, escalation_id)
        except ServiceError as error:
            self.blocked = str(error)
        self.setWindowTitle(self.tr("Resolve %s") % self.detail.reference)
        self.stages_page = StagesPage(self)
        self.outcome_page = OutcomePage(self)
        self.closing_page = ClosingPage(self)
        for page in (self.stages_page, self.outcome_page, self.closing_page):
            self.addPage(page)
        self.restore_given_draft()

    def requires(self, field: ClosingField) -> bool:
        return self.closing is not None and self.closing.requires(field)

    def resolution(self) -> ResolutionInput:
        stages, outcome, closing = self.stages_page, self.outcome_page, self.closing_page
        return ResolutionInput(
            written_outcome=outcome.written.toPlainText(),
            outcome_agreed_in_writing=outcome.agreed.isChecked(),
            main_reason=stages.reasons.value(),
            actions=outcome.action.toPlainText(),
            practitioners_informed=outcome.practitioners.text(),
            lessons_learnt=closing.lessons.toPlainText(),
            learning_referred_to_board=closing.learning.isChecked(),
            debrief_held=closing.debrief.isChecked(),
            parents_informed=closing.parents.value() == "yes",
            parents_not_informed_reason=closing.parents_reason.toPlainText(),
            child_situation_improved=outcome.improved.value(),
            missed_reason=stages.missed_reason.toPlainText() if stages.missed else "",
            overrun_reason=closing.overrun_reason.toPlainText(),
            manager_confirmed_child_safe=closing.manager_confirmed.isChecked(),
            manager_name=closing.manager_name.text(),
            gaps_found=closing.gaps.value() if closing.gaps_must else "",
            not_done_reasons=closing.owed.reasons(),
        )


# -- stage and timescales -------------------------------------------------------------------------------------


class StagesPage(WizardPage):
    def __init__(self, wizard: ResolveWizard) -> None:
        super().__init__(
            wizard.tr("Resolving %s") % wizard.detail.reference,
            wizard.tr(
                "The questions of the Escalation Resolution Template, with what DSL Desk already knows filled in."
            ),
        )
        self.wiz = wizard
        self.missed = False
        banner = resume_banner(wizard)
        if banner is not None:
            self.body.addWidget(banner)
        self.resolved_at = QLabel(objectName="sectionTitle", wordWrap=True)
        self.body.addWidget(self.resolved_at)
        self.body.addWidget(wrapped(wizard.tr("Timescales adhered to at each stage:"), "sectionTitle"))
        self.history = QVBoxLayout()
        self.body.addLayout(self.history)
        self.missed_reason = text_box(
            wizard.tr("Why this stage's timescale was missed"), wizard.tr("Say why it took longer"), height=60
        )
        self.missed_label = field_label(
            wizard.tr("&Why did this stage take longer than its timescale?"),
            self.missed_reason,
            required=True,
        )
        self.body.addWidget(self.missed_label)
        self.body.addWidget(self.missed_reason)
        self._build_reasons()
        self.body.addStretch(1)
        wizard.bind("missed_reason", self.missed_reason)
        wizard.bind_custom(
            "main_reason", self.reasons.value, self.reasons.set_value, self.reasons.buttonToggled
        )

    def _build_reasons(self) -> None:
        self.body.addWidget(wrapped(self.wiz.tr("Main reason for escalation (required):"), "sectionTitle"))
        self.reasons = ChoiceGroup(
            self, tuple((r, r.replace("&", "&&")) for r in MAIN_REASONS), self.wiz.tr("Main reason")
        )
        frame = QFrame()
        row = QFormLayout(frame)
        row.setContentsMargins(0, 0, 0, 0)
        for button in self.reasons.buttons_by_value.values():
            row.addRow(button)
        self.body.addWidget(frame)

    def initializePage(self) -> None:
        if self.wiz.blocked:
            self.show_error(self.wiz.blocked)
        detail, now = self.wiz.detail, self.wiz.ctx.clock.now()
        current = self.wiz.pack.stage(detail.current_stage_key)
        self.resolved_at.setText(self.wiz.tr("Stage escalation resolved: %s") % current.display_name)
        record = current_record(detail)
        self.missed = not stage_was_met(record.deadline, None, now)  # the rule resolve() applies
        while self.history.count():
            widget = self.history.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        for stage in detail.stages:
            if stage.state == "done":
                met = stage.timescale_met is not False
                text = (
                    self.wiz.tr("Yes")
                    if met
                    else self.wiz.tr("No — %s") % (stage.missed_reason or "no reason given")
                )
                self._history_line(f"{stage.label} – {stage.title}: {text}", met)
        words = describe_deadline(record.deadline, now)
        current_text = self.wiz.tr("No — %s") % words if self.missed else self.wiz.tr("Yes (due %s)") % words
        self._history_line(f"{current.display_name} ({self.wiz.tr('now')}): {current_text}", not self.missed)
        self.missed_label.setVisible(self.missed)
        self.missed_reason.setVisible(self.missed)

    def _history_line(self, text: str, met: bool) -> None:
        label = wrapped(("✓ " if met else "✗ ") + text)
        label.setStyleSheet(OK_STYLE if met else MISSED_STYLE)
        self.history.addWidget(label)

    def validatePage(self) -> bool:
        if self.wiz.blocked:
            return self.show_error(self.wiz.blocked)
        if self.missed and not self.missed_reason.toPlainText().strip():
            return self.show_error(
                self.wiz.tr(
                    "This stage's timescale was missed. The policy wants the reason recorded: say why it took longer."
                ),
                self.missed_reason,
            )
        if not self.reasons.value():
            return self.show_error(self.wiz.tr("Choose the main reason for the escalation."))
        self.clear_error()
        return True


# -- the outcome ------------------------------------------------------------------------------------------------


class OutcomePage(WizardPage):
    def __init__(self, wizard: ResolveWizard) -> None:
        super().__init__(
            wizard.tr("The outcome"),
            wizard.tr(
                "When the disagreement is resolved the agencies must agree a written statement of the outcome."
            ),
        )
        self.wiz = wizard
        self.written = text_box(
            wizard.tr("The written outcome"),
            wizard.tr("What the agencies agreed, including any action to be taken"),
            height=90,
            grow=True,
        )
        self.agreed = QCheckBox(wizard.tr("The outcome has been &agreed in writing between the agencies"))
        self.agreed.setAccessibleName(wizard.tr("Outcome agreed in writing between the agencies"))
        self.action = text_box(wizard.tr("Action"), wizard.tr("Who does what, by when"), height=60)
        self.practitioners = line_edit(wizard.tr("Practitioners informed"), wizard.tr("Names and agencies"))
        self.improved = ChoiceGroup(self, IMPROVED, wizard.tr("Has the child's situation improved"))
        self.body.addWidget(field_label(wizard.tr("The &written outcome:"), self.written, required=True))
        self.body.addWidget(self.written, 2)
        self.body.addWidget(self.agreed)
        self.body.addWidget(
            wrapped(
                wizard.tr(
                    "Required: the escalation cannot be closed until the outcome is agreed in writing (an email will do)."
                ),
                "hint",
            )
        )
        form = QFormLayout()
        form.addRow(field_label(wizard.tr("A&ction:"), self.action), self.action)
        form.addRow(
            field_label(wizard.tr("&Practitioners informed:"), self.practitioners), self.practitioners
        )
        self.body.addLayout(form)
        self._build_improved()
        self.body.addStretch(1)
        wizard.bind("written_outcome", self.written)
        wizard.bind("outcome_agreed_in_writing", self.agreed)
        wizard.bind("actions", self.action)
        wizard.bind("practitioners_informed", self.practitioners)
        wizard.bind_custom(
            "child_situation_improved",
            self.improved.value,
            self.improved.set_value,
            self.improved.buttonToggled,
        )

    def _build_improved(self) -> None:
        question = QLabel(
            self.wiz.tr("Has the child's situation improved? (required)"), objectName="sectionTitle"
        )
        self.body.addWidget(question)
        row = QFormLayout()
        for button in self.improved.buttons_by_value.values():
            row.addRow(button)
        self.body.addLayout(row)

    def validatePage(self) -> bool:
        if not self.written.toPlainText().strip():
            return self.show_error(self.wiz.tr("Write down the outcome the agencies agreed."), self.written)
        if self.wiz.requires(ClosingField.WRITTEN_OUTCOME) and not self.agreed.isChecked():
            return self.show_error(
                self.wiz.tr(
                    "An escalation cannot be closed until the outcome is agreed in writing between the agencies. "
                    "Get written confirmation (an email will do), then tick that it was agreed in writing."
                ),
                self.agreed,
            )
        if not self.improved.value():
            return self.show_error(
                self.wiz.tr("Say whether the child's situation has improved (yes, no, or not yet known).")
            )
        self.clear_error()
        return True


# -- closing --------------------------------------------------------------------------------------------------


class ClosingPage(WizardPage):
    def __init__(self, wizard: ResolveWizard) -> None:
        super().__init__(
            wizard.tr("Learning and closing"),
            wizard.tr("What was learnt, who was told, and anything the policy asks when it took too long."),
        )
        self.wiz = wizard
        self.setFinalPage(True)
        closing = wizard.closing
        self.lessons = text_box(
            wizard.tr("Lessons learnt"), wizard.tr("What would help next time?"), height=60
        )
        self.body.addWidget(field_label(wizard.tr("&Lessons learnt:"), self.lessons))
        self.body.addWidget(self.lessons, 1)
        referred_to = closing.learning_referred_to if closing else ""
        self.learning = QCheckBox(wizard.tr("The learning has been &referred on, as the policy asks"))
        self.learning.setAccessibleName(wizard.tr("Learning referred to the board"))
        self.learning_to = wrapped(wizard.tr("To: %s") % referred_to, "hint")
        self.learning_to.setContentsMargins(24, 0, 0, 0)
        pack = wizard.ctx.pack(wizard.detail.policy_id)
        # St Helens: gaps "must be brought to the attention of the chair of the Board": an answer, not a tick.
        self.gaps_must = bool(referred_to) and pack.closing.learning_obligation == "must"
        for widget in (self.learning, self.learning_to):
            widget.setVisible(bool(referred_to) and not self.gaps_must)
        self.gaps_question = wrapped(
            wizard.tr(
                "Did this disclose gaps or weaknesses in the partnership's policies and procedures? The policy "
                "says they must be brought to the attention of %s."
            )
            % referred_to,
            "sectionTitle",
        )
        self.gaps = ChoiceGroup(
            self,
            (("yes", wizard.tr("Yes — a step to tell them is added")), ("no", wizard.tr("No"))),
            "Gaps found",
        )
        self.body.addWidget(self.gaps_question)
        for button in self.gaps.buttons_by_value.values():
            self.body.addWidget(button)
        for widget in (self.gaps_question, *self.gaps.buttons_by_value.values()):
            widget.setVisible(self.gaps_must)
        self.owed = OwedSteps(self)
        self.owed.show_items(wizard.detail.checklist)
        self.body.addWidget(self.owed)
        self.debrief = QCheckBox(wizard.tr("A &debrief was held"))
        self.debrief.setAccessibleName(wizard.tr("Debrief held"))
        self.body.addWidget(self.learning)
        self.body.addWidget(self.learning_to)
        self.body.addWidget(self.debrief)
        if closing and closing.debrief_suggested:
            self.body.addWidget(
                wrapped(wizard.tr("The policy suggests a debrief after some disputes."), "hint")
            )
        self._build_parents()
        self._build_overrun()
        self.after = wrapped(object_name="hint")
        self.body.addWidget(self.after)
        self.learning.toggled.connect(self._show_reminders)
        self.gaps.buttonToggled.connect(lambda *_: self._show_reminders())
        self.body.addStretch(1)
        for name, widget in (
            ("lessons_learnt", self.lessons),
            ("learning_referred_to_board", self.learning),
            ("debrief_held", self.debrief),
            ("parents_not_informed_reason", self.parents_reason),
            ("overrun_reason", self.overrun_reason),
            ("manager_confirmed_child_safe", self.manager_confirmed),
            ("manager_name", self.manager_name),
        ):
            wizard.bind(name, widget)
        wizard.bind_custom(
            "parents_informed", self.parents.value, self.parents.set_value, self.parents.buttonToggled
        )

    def _build_parents(self) -> None:
        self.body.addWidget(
            wrapped(
                self.wiz.tr("Were the parents/carers told of the disagreement and its resolution?"),
                "sectionTitle",
            )
        )
        self.parents = ChoiceGroup(
            self, (("yes", self.wiz.tr("Y&es")), ("no", self.wiz.tr("No, &because…"))), "Parents informed"
        )
        row = QFormLayout()
        for button in self.parents.buttons_by_value.values():
            row.addRow(button)
        self.body.addLayout(row)
        self.parents_reason = text_box(
            self.wiz.tr("Why the parents or carers were not told"),
            self.wiz.tr("e.g. To keep the child safe"),
            height=50,
        )
        self.body.addWidget(self.parents_reason)
        self.parents.buttonToggled.connect(
            lambda *_: self.parents_reason.setEnabled(self.parents.value() != "yes")
        )

    def _build_overrun(self) -> None:
        self.overrun = QFrame(objectName="riskBanner")
        box = QVBoxLayout(self.overrun)
        closing = self.wiz.closing
        box.addWidget(wrapped(closing.overrun_message if closing else ""))
        self.overrun_reason = text_box(self.wiz.tr("Why it took longer"), height=50)
        self.manager_confirmed = QCheckBox(
            self.wiz.tr("My &manager confirms the child's safety was not compromised by the delay")
        )
        self.manager_confirmed.setAccessibleName(
            self.wiz.tr("Manager confirms the child's safety was not compromised")
        )
        self.manager_name = line_edit(self.wiz.tr("Manager's name"))
        box.addWidget(
            field_label(self.wiz.tr("Why did it take &longer?"), self.overrun_reason, required=True)
        )
        box.addWidget(self.overrun_reason)
        box.addWidget(self.manager_confirmed)
        form = QFormLayout()
        form.addRow(
            field_label(self.wiz.tr("Ma&nager's name:"), self.manager_name, required=True), self.manager_name
        )
        box.addLayout(form)
        self.overrun.setVisible(bool(closing and closing.overran))
        self.body.addWidget(self.overrun)

    def initializePage(self) -> None:
        self._show_reminders()

    def _show_reminders(self) -> None:
        """What the checklist will hold after Finish: the learning line only when the box says it is referred."""
        closing = self.wiz.closing
        if closing is None:
            return
        lines = [
            f"• {form.title}" + (f" → {form.recipient}" if form.recipient else "") for form in closing.forms
        ]
        if self.gaps_must and self.gaps.value() == "yes":
            lines.append(
                self.wiz.tr("• Bring the gaps or weaknesses found to the attention of %s")
                % closing.learning_referred_to
            )
        elif not self.gaps_must and closing.learning_referred_to and self.learning.isChecked():
            lines.append(self.wiz.tr("• Refer the learning to %s") % closing.learning_referred_to)
        if closing.action_log:
            lines.append(self.wiz.tr("• Record in the %s") % closing.action_log)
        self.after.setText(
            self.wiz.tr("After you finish, the checklist reminds you to:") + "\n" + "\n".join(lines)
            if lines
            else ""
        )

    def validatePage(self) -> bool:
        message = self._missing()
        if message:
            return self.show_error(message)
        if self.gaps_must and not self.gaps.value():
            return self.show_error(
                self.wiz.tr("Answer whether this disclosed gaps or weaknesses: the policy requires it.")
            )
        try:
            detail = resolve(self.wiz.ctx, self.wiz.escalation_id, self.wiz.resolution())
        except ServiceError as error:
            return self.show_error(str(error))
        self.clear_error()
        self.wiz.finish_with(detail)
        return True

    def _missing(self) -> str:
        closing = self.wiz.closing
        if self.parents.value() == "no" and not self.parents_reason.toPlainText().strip():
            return self.wiz.tr(
                "Say why the parents/carers were not told (for example, to keep the child safe)."
            )
        if self.wiz.requires(ClosingField.PARENTS_INFORMED) and not self.parents.value():
            return self.wiz.tr(
                "Say whether the parents/carers were told of the disagreement and its resolution."
            )
        if self.wiz.requires(ClosingField.REASON) and not self.overrun_reason.toPlainText().strip():
            return closing.overrun_message if closing else ""
        if self.wiz.requires(ClosingField.MANAGER_CONFIRMATION) and not (
            self.manager_confirmed.isChecked() and self.manager_name.text().strip()
        ):
            return self.wiz.tr(
                "Tick your manager's confirmation that the child's safety was not compromised, and give their name."
            )
        return ""
