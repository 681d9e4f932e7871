"""The Escalate wizard: the outcome of the stage being left (and, if its deadline passed, why), then who is
contacted at the next stage, what the policy requires there and the new deadline. Finish calls
services.escalations.escalate; a refusal quoting the policy is shown on the page."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.dates_in_words import describe_deadline
from dsl_desk.core.policy import PolicyPack, Requirement, Stage
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError
from dsl_desk.services.escalations.checklist_items import complete_checklist_item
from dsl_desk.services.escalations.deadlines import next_stage_deadline, stage_was_met
from dsl_desk.services.escalations.drafts import DraftView
from dsl_desk.services.escalations.reading import get_escalation
from dsl_desk.services.escalations.requirements import next_stage_requirements
from dsl_desk.services.escalations.stages import StageOutcome, escalate
from dsl_desk.services.escalations.views import ChecklistView, EscalationDetail, StageView
from dsl_desk.ui.escalations.drafts import (
    ESCALATE,
    DraftingWizard,
    WizardPage,
    field_label,
    moment_words,
    resume_banner,
    text_box,
    wrapped,
)
from dsl_desk.ui.escalations.new_escalation_who import contact_text
from dsl_desk.ui.widgets.date_entry import DateTimeEntry

OK_STYLE = "color: #2e7d32; font-weight: 600;"
MISSED_STYLE = "color: #b42318; font-weight: 600;"


def current_record(detail: EscalationDetail) -> StageView:
    return next(s for s in detail.stages if s.key == detail.current_stage_key)


def requirement_text(requirement: Requirement) -> str:
    recipient = requirement.recipient
    # Packs write recipients as sentences ("Your manager/supervisor"); mid-sentence they read lower case.
    if recipient[:2].istitle() and recipient.split()[0] in {"Your", "Their", "The"}:
        recipient = recipient[0].lower() + recipient[1:]
    to = f" — to {recipient}" if recipient else ""
    return f"☐ {requirement.text}{to}"


class EscalateWizard(DraftingWizard):
    def __init__(
        self,
        ctx: AppContext,
        escalation_id: int,
        parent: QWidget | None = None,
        *,
        draft: DraftView | None = None,
    ) -> None:
        super().__init__(ctx, ESCALATE, escalation_id, parent, draft=draft)
        self.escalation_id = escalation_id
        self.detail = get_escalation(ctx, escalation_id)
        self.pack = ctx.pack(self.detail.policy_id)
        self.setWindowTitle(self.tr("Escalate %s") % self.detail.reference)
        self.outcome_page = StageOutcomePage(self)
        self.next_page = NextStagePage(self)
        self.addPage(self.outcome_page)
        self.addPage(self.next_page)
        self.restore_given_draft()

    @property
    def current_stage(self) -> Stage:
        return self.pack.stage(self.detail.current_stage_key)

    @property
    def target_stage(self) -> Stage | None:
        key = self.outcome_page.target.currentData()
        return self.pack.stage(str(key)) if key else None

    def refresh_detail(self, detail: EscalationDetail) -> None:
        self.detail = detail

    def stage_outcome(self) -> StageOutcome:
        target = self.target_stage
        return StageOutcome(
            outcome=self.outcome_page.outcome.toPlainText(),
            contacted_next=self.next_page.contacted.currentText(),
            missed_reason=self.outcome_page.missed_reason.toPlainText() if self.outcome_page.missed else "",
            target_stage_key=target.key if target else "",
            not_done_reasons={
                item_id: box.text()
                for item_id, box in self.outcome_page.reasons.items()
                if box.text().strip()
            },
            response_received_at=None
            if self.current_stage.within_own_agency
            else self.outcome_page.response_at.instant(),
            next_started_at=self.next_page.started.instant(),
        )


class StageOutcomePage(WizardPage):
    def __init__(self, wizard: EscalateWizard) -> None:
        super().__init__(
            wizard.tr("How did %s end?") % wizard.current_stage.label,
            wizard.current_stage.display_name,
        )
        self.wiz = wizard
        self.missed = False
        banner = resume_banner(wizard)
        if banner is not None:
            self.body.addWidget(banner)
        self.where = wrapped()
        self.body.addWidget(self.where)
        self.outcome = text_box(
            wizard.tr("Outcome of the current stage"),
            wizard.tr(
                "e.g. Discussed with the social worker on Tuesday; they would not reconsider because …"
            ),
            height=110,
            grow=True,
        )
        self.body.addWidget(field_label(wizard.tr("&Outcome of this stage:"), self.outcome, required=True))
        self.body.addWidget(self.outcome, 2)
        self._build_timescale()
        self._build_target()
        self.prerequisites = QVBoxLayout()
        self.reasons: dict[int, QLineEdit] = {}
        self.body.addLayout(self.prerequisites)
        self.body.addStretch(1)
        wizard.bind("outcome", self.outcome)
        wizard.bind("missed_reason", self.missed_reason)
        wizard.bind("target_stage", self.target)

    def _build_timescale(self) -> None:
        now = self.wiz.ctx.clock.now()
        self.response_at = DateTimeEntry(
            accessible_name=self.wiz.tr("When the other agency's response came"), now=now, past_only=True
        )
        self.response_label = field_label(
            self.wiz.tr("When did their &response come? (leave empty if none came)"), self.response_at.edit
        )
        self.body.addWidget(self.response_label)
        self.body.addWidget(self.response_at)
        self.response_at.changed.connect(lambda _value: self._show_timescale())
        self.timescale = QLabel(wordWrap=True)
        self.timescale.setAccessibleName(self.wiz.tr("Was the timescale met"))
        self.missed_reason = text_box(
            self.wiz.tr("Why the timescale was missed"),
            self.wiz.tr("e.g. The social worker was on leave until Thursday"),
            height=70,
        )
        self.missed_label = field_label(
            self.wiz.tr("&Why did it take longer? The policy wants the reason recorded."),
            self.missed_reason,
            required=True,
        )
        self.body.addWidget(self.timescale)
        self.body.addWidget(self.missed_label)
        self.body.addWidget(self.missed_reason, 1)

    def _build_target(self) -> None:
        self.target = QComboBox()
        self.target.setAccessibleName(self.wiz.tr("Stage to escalate to"))
        pack, current = self.wiz.pack, self.wiz.current_stage
        following = pack.next_stage(current.key)
        later = pack.stages[pack.stage_index(current.key) + 1 :] if pack.allow_skipping_stages else ()
        for stage in later or ((following,) if following else ()):
            self.target.addItem(stage.display_name, stage.key)
        row = QFormLayout()
        if self.target.count() > 1:
            row.addRow(field_label(self.wiz.tr("&Escalate to:"), self.target), self.target)
        else:
            # The policy fixes the next stage: say it plainly rather than show a choice that is not one.
            self.target.setVisible(False)
            self.fixed_target = QLabel(
                f"<b>{escape(self.target.currentText())}</b>" if self.target.count() else "–",
                objectName="fixedTarget",
            )
            self.fixed_target.setAccessibleName(self.wiz.tr("Stage to escalate to"))
            row.addRow(QLabel(self.wiz.tr("Escalate to:")), self.fixed_target)
        self.body.addLayout(row)
        self.last_stage = wrapped(
            self.wiz.tr(
                "%s is the last stage of the %s policy: there is no stage to escalate to. "
                "Close this window and use Resolve… to record the outcome."
            )
            % (current.display_name, pack.short_name),
            "error",
        )
        self.last_stage.setVisible(following is None)
        self.body.addWidget(self.last_stage)

    def initializePage(self) -> None:
        detail = self.wiz.detail
        record = current_record(detail)
        now = self.wiz.ctx.clock.now()
        entered = moment_words(record.entered_at, now)
        self.where.setText(
            self.wiz.tr("%s is at %s, entered %s. Other agency: %s.")
            % (detail.reference, self.wiz.current_stage.display_name, entered, detail.other_agency)
        )
        own = self.wiz.current_stage.within_own_agency
        self.response_label.setVisible(not own)
        self.response_at.setVisible(not own)
        self._show_timescale()
        self._show_prerequisites()

    def _show_timescale(self) -> None:
        """Met or missed, measured to the response when one is typed (the agency's time, not the DSL's)."""
        record = current_record(self.wiz.detail)
        now = self.wiz.ctx.clock.now()
        response = None if self.wiz.current_stage.within_own_agency else self.response_at.instant()
        self.missed = not stage_was_met(record.deadline, response, now)
        if record.deadline is None:
            self.timescale.setText(
                self.wiz.tr("This stage has no deadline of its own, so its timescale is met.")
            )
        elif self.missed:
            self.timescale.setText(
                self.wiz.tr("Timescale missed: this stage is %s.") % describe_deadline(record.deadline, now)
            )
        elif response is not None:
            self.timescale.setText(
                self.wiz.tr("Timescale met: the response came before the deadline (%s).")
                % describe_deadline(record.deadline, now)
            )
        else:
            self.timescale.setText(
                self.wiz.tr("Timescale met: this stage is due %s and you are moving on in time.")
                % describe_deadline(record.deadline, now)
            )
        self.timescale.setStyleSheet(MISSED_STYLE if self.missed else OK_STYLE)
        self.missed_label.setVisible(self.missed)
        self.missed_reason.setVisible(self.missed)

    def _open_prerequisites(self) -> list[ChecklistView]:
        """Steps the policy says must be done (any stage's), not yet done: moving on waits for each to be
        done or to have a reason recorded."""
        return [item for item in self.wiz.detail.open_checklist if item.obligation == "must"]

    def _reminders(self) -> list[ChecklistView]:
        """This stage's "should" steps the policy wants before the next stage: a reminder only."""
        before = {r.key for r in self.wiz.current_stage.requirements if r.before_next_stage}
        return [
            item
            for item in self.wiz.detail.open_checklist
            if item.stage_key == self.wiz.current_stage.key
            and item.requirement_key in before
            and item.obligation != "must"
        ]

    def _show_prerequisites(self) -> None:
        while self.prerequisites.count():
            widget = self.prerequisites.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.reasons: dict[int, QLineEdit] = {}
        for item in self._reminders():
            self.prerequisites.addWidget(
                wrapped(
                    self.wiz.tr("The policy says this should be done before the next stage: %s") % item.text,
                    "hint",
                )
            )
        items = self._open_prerequisites()
        if not items:
            return
        self.prerequisites.addWidget(
            wrapped(
                self.wiz.tr(
                    "The policy says these must be done before the next stage can start. Mark each done, or say "
                    "why it was not done:"
                ),
                "sectionTitle",
            )
        )
        for item in items:
            self.prerequisites.addWidget(self._prerequisite_row(item))
            box = QLineEdit(placeholderText=self.wiz.tr("Why it was not done"))
            box.setAccessibleName(self.wiz.tr("Why not done: %s") % item.text[:60])
            self.reasons[item.id] = box
            self.prerequisites.addWidget(box)

    def _prerequisite_row(self, item: ChecklistView) -> QFrame:
        frame = QFrame(objectName="card")
        row = QHBoxLayout(frame)
        row.addWidget(wrapped(f"☐ {item.text}"), 1)
        button = QPushButton(self.wiz.tr("Mark done"))
        button.setAccessibleName(self.wiz.tr("Mark done: %s") % item.text)
        button.clicked.connect(lambda: self._mark_done(item.id))
        row.addWidget(button)
        return frame

    def _mark_done(self, item_id: int) -> None:
        try:
            self.wiz.refresh_detail(complete_checklist_item(self.wiz.ctx, item_id))
        except ServiceError as error:
            self.show_error(str(error))
            return
        self.clear_error()
        self._show_prerequisites()

    def validatePage(self) -> bool:
        if self.target.count() == 0:
            return self.show_error(self.last_stage.text())
        if not self.wiz.current_stage.within_own_agency and self.response_at.problem():
            return self.show_error(self.response_at.problem(), self.response_at)
        if not self.outcome.toPlainText().strip():
            return self.show_error(
                self.wiz.tr("Record the outcome of %s before escalating.") % self.wiz.current_stage.label,
                self.outcome,
            )
        if self.missed and not self.missed_reason.toPlainText().strip():
            return self.show_error(
                self.wiz.tr(
                    "The timescale for this stage was missed. The policy wants the reason recorded: say why it took longer."
                ),
                self.missed_reason,
            )
        if any(
            not self.reasons[i.id].text().strip() for i in self._open_prerequisites() if i.id in self.reasons
        ):
            return self.show_error(
                self.wiz.tr(
                    "Mark each item above done, or say why it was not done: the policy says it must be done "
                    "before the next stage."
                )
            )
        self.clear_error()
        return True


class NextStagePage(WizardPage):
    def __init__(self, wizard: EscalateWizard) -> None:
        super().__init__(
            wizard.tr("The next stage"),
            wizard.tr("Who you contact now, what the policy requires, and the new deadline."),
        )
        self.wiz = wizard
        self.setFinalPage(True)
        self.stage = QLabel(objectName="sectionTitle", wordWrap=True)
        self.what = wrapped()
        self.who = wrapped()
        self.deadline = QLabel(wordWrap=True)
        self.deadline.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.deadline.setAccessibleName(self.wiz.tr("New deadline"))
        for label in (self.stage, self.what, self.who, self.deadline):
            self.body.addWidget(label)
        self.contacted = QComboBox(editable=True)
        self.contacted.setAccessibleName(wizard.tr("Who is contacted at the next stage"))
        now = wizard.ctx.clock.now()
        self.started = DateTimeEntry(
            accessible_name=wizard.tr("When the next stage started"),
            value=now,
            now=now,
            past_only=True,
            required=True,
        )
        self.started.changed.connect(lambda _value: self._show_deadline())
        form = QFormLayout()
        form.addRow(field_label(wizard.tr("&Who are you contacting?"), self.contacted), self.contacted)
        form.addRow(
            field_label(wizard.tr("When did this stage &start?"), self.started.edit, required=True),
            self.started,
        )
        self.body.addLayout(form)
        self.requirements_title = wrapped(
            wizard.tr("What the policy requires at this stage (added to the checklist):"), "sectionTitle"
        )
        self.requirements = wrapped()
        self.body.addWidget(self.requirements_title)
        self.body.addWidget(self.requirements)
        self.body.addStretch(1)
        wizard.bind("contacted_next", self.contacted)

    def initializePage(self) -> None:
        stage = self.wiz.target_stage
        if stage is None:
            return
        self.stage.setText(stage.display_name)
        self.what.setText(stage.what_happens)
        sides = [s for s in (stage.our_side, stage.their_side) if s]
        self.who.setText(self.wiz.tr("Who is involved: %s") % " · ".join(sides) if sides else "")
        self._fill_contacts(self.wiz.pack, stage)
        self._show_deadline()
        needed = next_stage_requirements(self.wiz.ctx, self.wiz.escalation_id, stage.key)
        self.requirements.setText("\n".join(requirement_text(r) for r in needed))
        self.requirements_title.setVisible(bool(needed))
        self.requirements.setVisible(bool(needed))

    def _fill_contacts(self, pack: PolicyPack, stage: Stage) -> None:
        typed = self.contacted.currentText()
        for_stage = [contact_text(c) for c in pack.contacts_for(stage.key)]
        choices = [*for_stage]
        if self.wiz.detail.other_professional:
            choices.append(f"{self.wiz.detail.other_professional}, {self.wiz.detail.other_agency}")
        choices += [contact_text(c) for c in pack.contacts]
        self.contacted.clear()
        self.contacted.addItems(list(dict.fromkeys(c for c in choices if c)))
        # Only the policy's contact for this very stage is a safe default; anyone else is the user's choice.
        self.contacted.setCurrentText(typed or (for_stage[0] if for_stage else ""))
        self.contacted.lineEdit().setPlaceholderText(stage.their_side or self.wiz.tr("Name and role"))

    def _show_deadline(self) -> None:
        stage = self.wiz.target_stage
        if stage is not None:
            self.deadline.setText(self._deadline_text(stage))

    def _deadline_text(self, stage: Stage) -> str:
        now = self.wiz.ctx.clock.now()
        due = next_stage_deadline(
            self.wiz.ctx, self.wiz.escalation_id, stage.key, started_at=self.started.instant() or now
        )
        if due is None:
            return self.wiz.tr("No deadline: %s") % (stage.timescale.text or self.wiz.tr("none set"))
        text = self.wiz.tr("New deadline: %s") % describe_deadline(due.due_at, now)
        return f"{text} ({stage.timescale.text})" if stage.timescale.text else text

    def validatePage(self) -> bool:
        if self.started.problem():
            return self.show_error(self.started.problem(), self.started)
        try:
            detail = escalate(self.wiz.ctx, self.wiz.escalation_id, self.wiz.stage_outcome())
        except ServiceError as error:
            return self.show_error(str(error))
        self.clear_error()
        self.wiz.finish_with(detail)
        return True
