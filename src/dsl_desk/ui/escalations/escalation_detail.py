"""One escalation in detail on the Escalations page: who and what, the stepper of the policy's stages, the history, the checklist to tick off, how long we have been waiting, and the actions: Escalate…, Resolve…, Withdraw…."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core import i18n
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError
from dsl_desk.services.escalations.changes import set_immediate_risk
from dsl_desk.services.escalations.checklist_items import complete_checklist_item
from dsl_desk.services.escalations.drafts import load_draft
from dsl_desk.services.escalations.history import STAGE_KINDS, escalation_history
from dsl_desk.services.escalations.reading import chase_message, get_escalation
from dsl_desk.services.escalations.views import (
    DUE_STATUS_WORDS,
    ChecklistView,
    EscalationDetail,
    ResolutionView,
    StageView,
)
from dsl_desk.ui import theme
from dsl_desk.ui.escalations.drafts import ESCALATE, RESOLVE, moment_words
from dsl_desk.ui.escalations.escalation_dialogs import (
    ChaseDialog,
    MarkDoneDialog,
    ShortenDialog,
    WithdrawDialog,
    wrapped,
)
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.widgets.common import hint, page_title, section_title
from dsl_desk.ui.widgets.stepper import DUE_COLOURS, Stepper

KIND_WORDS = {"notification": "Tell", "form": "Form", "copy": "Send copy", "action": "Do"}


def clear_layout(layout: QVBoxLayout | QGridLayout | QHBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())  # type: ignore[arg-type]


class EscalationDetailView(QWidget):
    def __init__(self, ctx: AppContext, signals: AppSignals, back: Callable[[], None]) -> None:
        super().__init__()
        self.ctx = ctx
        self.signals = signals
        self.detail: EscalationDetail | None = None
        self.dialog: QDialog | None = None  # the dialog or wizard open from here (tests drive it)
        self._fresh = False  # the detail on screen came from the action just taken
        self.history_lines: list[str] = []  # the forms and discussions shown under the stages
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 12, 20, 12)
        outer.addLayout(self._build_top_bar(back))
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        outer.addWidget(scroll, 1)
        body = QWidget()
        scroll.setWidget(body)
        self.body = QVBoxLayout(body)
        self.body.setContentsMargins(0, 0, 4, 0)
        self._build_header()
        self.stepper = Stepper()
        self.body.addWidget(self.stepper)
        self._build_waiting()
        self._build_columns()
        self.body.addStretch(1)

    def _build_top_bar(self, back: Callable[[], None]) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.back_button = QPushButton(self.tr("‹ All escalations"))
        self.back_button.setShortcut(QKeySequence("Alt+Left"))
        self.back_button.setToolTip(self.tr("Back to the list (Alt+Left)"))
        self.back_button.clicked.connect(back)
        self.title = page_title("")
        self.status_badge = QLabel()
        bar.addWidget(self.back_button)
        bar.addSpacing(8)
        bar.addWidget(self.title)
        bar.addWidget(self.status_badge)
        bar.addStretch(1)
        self.escalate_button = self._action(bar, self.tr("E&scalate…"), "Ctrl+E", self.open_escalate)
        self.resolve_button = self._action(bar, self.tr("&Resolve…"), "Ctrl+R", self.open_resolve)
        self.withdraw_button = self._action(bar, self.tr("&Withdraw…"), "", self.open_withdraw)
        self.forms_button = self._action(bar, self.tr("F&orms…"), "", self.open_forms)
        self.escalate_button.setProperty("primary", True)
        return bar

    def _action(self, bar: QHBoxLayout, text: str, shortcut: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        if shortcut:
            button.setShortcut(QKeySequence(shortcut))
            button.setToolTip(f"{text.replace('&', '')} ({shortcut})")
        button.clicked.connect(slot)
        bar.addWidget(button)
        return button

    def _build_header(self) -> None:
        frame = QFrame(objectName="card")
        self.header = QGridLayout(frame)
        self.header.setColumnStretch(1, 1)
        self.header.setColumnStretch(3, 1)
        self.header.setHorizontalSpacing(14)
        self.child_button = QPushButton()
        self.child_button.setFlat(True)
        self.child_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.child_button.setStyleSheet(
            f"QPushButton {{ color: {theme.ACCENT}; text-decoration: underline; text-align: left; padding: 0; "
            "font-weight: 600; }"
        )
        self.child_button.clicked.connect(self._open_child)
        self.risk_badge = QLabel(self.tr("IMMEDIATE RISK"))
        self.risk_badge.setStyleSheet(
            f"background: {theme.OVERDUE}; color: white; font-weight: 700; padding: 3px 8px; border-radius: 4px;"
        )
        self.fields: dict[str, QLabel] = {}
        cells = (
            ("policy", self.tr("Policy"), 1, 0),
            ("agency", self.tr("Other agency"), 1, 2),
            ("category", self.tr("About"), 2, 0),
            ("opened", self.tr("Opened"), 2, 2),
            ("problem", self.tr("Problem"), 3, 0),
            ("outcome", self.tr("Outcome sought"), 4, 0),
        )
        self.header.addWidget(self._key(self.tr("Child")), 0, 0)
        child_row = QHBoxLayout()
        child_row.addWidget(self.child_button)
        child_row.addWidget(self.risk_badge)
        child_row.addStretch(1)
        self.header.addLayout(child_row, 0, 1, 1, 3)
        for key, name, row, column in cells:
            self.header.addWidget(self._key(name), row, column, Qt.AlignmentFlag.AlignTop)
            value = wrapped("")
            value.setAccessibleName(name)
            self.fields[key] = value
            span = 3 if key in ("problem", "outcome") else 1
            self.header.addWidget(value, row, column + 1, 1, span)
        self.body.addWidget(frame)

    def _key(self, text: str) -> QLabel:
        label = QLabel(text, objectName="hint")
        label.setStyleSheet("font-weight: 600;")
        return label

    def _build_waiting(self) -> None:
        row = QHBoxLayout()
        self.waiting = QLabel()
        self.waiting.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.chase_button = QPushButton(self.tr("&Chase…"))
        self.chase_button.setToolTip(self.tr("A short message to chase the other agency, ready to copy"))
        self.chase_button.clicked.connect(self.open_chase)
        row.addWidget(self.waiting)
        row.addWidget(self.chase_button)
        # Beside the deadline they change, not in the top bar: at 1366 pixels wide that squeezed the reference.
        self.risk_button = self._action(row, self.tr("&Immediate risk…"), "", self.open_risk)
        self.shorten_button = self._action(row, self.tr("S&horter timescale…"), "", self.open_shorten)
        row.addStretch(1)
        self.drafts_note = wrapped("", "hint")
        self.deadline_note = wrapped("")
        self.deadline_note.setAccessibleName(self.tr("About the deadlines"))
        self.deadline_note.setStyleSheet(f"color: {theme.INK};")
        self.body.addLayout(row)
        self.body.addWidget(self.deadline_note)
        self.body.addWidget(self.drafts_note)

    def _build_columns(self) -> None:
        columns = QHBoxLayout()
        columns.setSpacing(16)
        left, right = QVBoxLayout(), QVBoxLayout()
        self.outcome_box = QVBoxLayout()  # the resolution, first when there is one
        left.addLayout(self.outcome_box)
        left.addWidget(section_title(self.tr("History")))
        self.history = QVBoxLayout()
        left.addLayout(self.history)
        left.addStretch(1)
        right.addWidget(section_title(self.tr("Checklist")))
        self.checklist = QVBoxLayout()
        right.addLayout(self.checklist)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self.body.addLayout(columns)

    # -- showing -----------------------------------------------------------------------------------------------

    def show_escalation(self, escalation_id: int) -> None:
        self.render(get_escalation(self.ctx, escalation_id))

    def reload_if_stale(self) -> None:
        if self._fresh:
            self._fresh = False
        elif self.detail is not None:
            self.show_escalation(self.detail.id)

    def render(self, detail: EscalationDetail) -> None:
        self.detail = detail
        now = self.ctx.clock.now()
        is_open = detail.status == "open"
        self.title.setText(f"{detail.reference}")
        self._render_status(detail)
        self._render_header(detail, now)
        self.stepper.set_stages(
            detail.stages,
            now=now,
            deadline_words=detail.deadline_words,
            due_status=detail.due_status,
            status=detail.status,
        )
        self.waiting.setText(self._waiting_words(detail))
        for widget in (
            self.waiting,
            self.chase_button,
            self.escalate_button,
            self.resolve_button,
            self.withdraw_button,
            self.risk_button,
        ):
            widget.setVisible(is_open)
        final = self._at_final_stage(detail)
        self.escalate_button.setEnabled(not final)
        self.escalate_button.setToolTip(
            self.tr(
                "This is the policy's last stage: there is no stage to escalate to. Resolve it when agreed."
            )
            if final
            else self.tr("Escalate… (Ctrl+E)")
        )
        # Shorter than a deadline already past is no deadline at all: offered only while the current one is ahead.
        ahead = detail.current_deadline is None or detail.current_deadline > now
        self.shorten_button.setVisible(is_open and detail.may_shorten and ahead)
        self.risk_button.setText(
            self.tr("Lower &immediate risk…") if detail.immediate_risk else self.tr("&Immediate risk…")
        )
        self._render_notes(detail)
        self._render_drafts(detail)
        self._render_history(detail, now)
        self._render_outcome(detail)
        self._render_checklist(detail, now)

    def _waiting_words(self, detail: EscalationDetail) -> str:
        days = detail.waiting_working_days
        pack = self.ctx.packs.get(detail.policy_id)
        if (
            pack
            and pack.has_stage(detail.current_stage_key)
            and pack.stage(detail.current_stage_key).within_own_agency
        ):
            # e.g. St Helens Stage One: you are consulting your own manager; the other agency owes nothing yet.
            return self.tr("At this stage you consult within your own agency: no response is awaited yet")
        if days == 0:
            return self.tr("Waiting less than a working day for a response")
        if days == 1:
            return self.tr("Waiting 1 working day for a response")
        return self.tr("Waiting %d working days for a response") % days

    def _render_notes(self, detail: EscalationDetail) -> None:
        """Why the deadline is what it is, a late record, a policy past its review date, whom to call now."""
        notes = []
        if detail.deadline_note:
            notes.append(detail.deadline_note)
        if detail.recorded_late and detail.arose_at is not None:
            notes.append(
                self.tr("Recorded late: the disagreement arose %s; deadlines run from then.")
                % moment_words(detail.arose_at, self.ctx.clock.now())
            )
        if detail.immediate_risk and detail.urgent_contacts:
            notes.append(
                self.tr("Whom to call now:") + "".join(f"\n  • {line}" for line in detail.urgent_contacts)
            )
        if detail.review_warning:
            notes.append(detail.review_warning)
        self.deadline_note.setText("\n".join(notes))
        self.deadline_note.setVisible(bool(notes))

    def _render_status(self, detail: EscalationDetail) -> None:
        if detail.status == "open":
            text = i18n._(DUE_STATUS_WORDS[detail.due_status])
            strong, soft = DUE_COLOURS[detail.due_status]
        else:
            text, strong, soft = detail.status.capitalize(), theme.MUTED, "#eef1f5"
        self.status_badge.setText(f" {text} ")
        self.status_badge.setStyleSheet(
            f"background: {soft}; color: {strong}; border: 1px solid {strong}; border-radius: 4px; "
            "padding: 2px 8px; font-weight: 600;"
        )

    def _render_header(self, detail: EscalationDetail, now: object) -> None:
        self.child_button.setText(detail.child)
        self.child_button.setAccessibleName(self.tr("Open the child's record: %s") % detail.child)
        self.risk_badge.setVisible(detail.immediate_risk)
        professional = f" — {detail.other_professional}" if detail.other_professional else ""
        self.fields["policy"].setText(
            self.tr("%s (version %s)") % (detail.policy_name, detail.policy_version)
        )
        self.fields["agency"].setText(detail.other_agency + professional)
        self.fields["category"].setText(detail.category)
        self.fields["opened"].setText(
            moment_words(detail.opened_at, now) + self.tr(" by %s") % detail.our_professional
        )  # type: ignore[arg-type]
        self.fields["problem"].setText(detail.problem)
        self.fields["outcome"].setText(detail.outcome_sought)

    def _render_drafts(self, detail: EscalationDetail) -> None:
        notes = []
        if detail.status == "open":
            if load_draft(self.ctx, ESCALATE, detail.id):
                notes.append(self.tr("You have an unfinished Escalate draft: Escalate… resumes it."))
            if load_draft(self.ctx, RESOLVE, detail.id):
                notes.append(self.tr("You have an unfinished Resolve draft: Resolve… resumes it."))
        self.drafts_note.setText(" ".join(notes))
        self.drafts_note.setVisible(bool(notes))

    def _render_history(self, detail: EscalationDetail, now: object) -> None:
        clear_layout(self.history)
        for stage in detail.stages:
            if stage.entered_at is not None:
                self.history.addWidget(self._history_card(stage, now))
        if detail.withdrawn_reason:
            self.history.addWidget(wrapped(self.tr("Withdrawn: %s") % detail.withdrawn_reason, "error"))
        self._render_records(detail)

    def _render_records(self, detail: EscalationDetail) -> None:
        """Beside the stages: every form exported, printed or emailed and every linked discussion, in order."""
        events = [e for e in escalation_history(self.ctx, detail.id) if e.kind not in STAGE_KINDS]
        self.history_lines = [event.line for event in events]
        if not events:
            return
        frame = QFrame(objectName="card")
        box = QVBoxLayout(frame)
        box.addWidget(wrapped(self.tr("Forms sent and discussions"), "sectionTitle"))
        for line in self.history_lines:
            box.addWidget(wrapped(line))
        self.history.addWidget(frame)

    def _history_card(self, stage: StageView, now: object) -> QFrame:
        frame = QFrame(objectName="card")
        box = QVBoxLayout(frame)
        box.addWidget(wrapped(f"{stage.label} – {stage.title}", "sectionTitle"))
        lines = [self.tr("Entered: %s") % moment_words(stage.entered_at, now)]  # type: ignore[arg-type]
        if stage.contacted:
            lines.append(self.tr("Contacted: %s") % stage.contacted)
        deadline = moment_words(stage.deadline, now) if stage.deadline else self.tr("none of its own")  # type: ignore[arg-type]
        lines.append(self.tr("Deadline: %s") % deadline)
        if stage.left_at is not None:
            lines.append(self.tr("Left: %s") % moment_words(stage.left_at, now))  # type: ignore[arg-type]
        if stage.outcome:
            lines.append(self.tr("Outcome: %s") % stage.outcome)
        box.addWidget(wrapped("\n".join(lines)))
        if stage.timescale_met is not None:
            met = stage.timescale_met
            text = (
                self.tr("✓ Timescale met")
                if met
                else self.tr("✗ Timescale missed — %s") % stage.missed_reason
            )
            label = wrapped(text)
            label.setStyleSheet(f"color: {theme.OK if met else theme.OVERDUE}; font-weight: 600;")
            box.addWidget(label)
        return frame

    def _render_outcome(self, detail: EscalationDetail) -> None:
        clear_layout(self.outcome_box)
        if detail.resolution is not None:
            self.outcome_box.addWidget(section_title(self.tr("Resolution")))
            self.outcome_box.addWidget(self._resolution_card(detail.resolution))

    def _resolution_card(self, resolution: ResolutionView) -> QFrame:
        frame = QFrame(objectName="card")
        box = QVBoxLayout(frame)
        yes = {True: self.tr("yes"), False: self.tr("no")}
        parents = (
            yes[True]
            if resolution.parents_informed
            else self.tr("no — %s") % resolution.parents_not_informed_reason
        )
        lines = [
            (self.tr("Resolved"), moment_words(resolution.resolved_at, self.ctx.clock.now())),
            (self.tr("Written outcome"), resolution.written_outcome),
            (self.tr("Has the child's situation improved?"), resolution.child_situation_improved),
            (self.tr("Main reason for escalation"), resolution.main_reason),
            (self.tr("Action"), resolution.actions),
            (self.tr("Practitioners informed"), resolution.practitioners_informed),
            (self.tr("Lessons learnt"), resolution.lessons_learnt),
            (self.tr("Learning referred to the board"), yes[resolution.learning_referred_to_board]),
            (self.tr("Debrief held"), yes[resolution.debrief_held]),
            (self.tr("Parents/carers informed"), parents),
            (self.tr("Why it took longer"), resolution.overrun_reason),
            (
                self.tr("Manager confirmed the child's safety was not compromised"),
                resolution.manager_name if resolution.manager_confirmed_child_safe else "",
            ),
        ]
        for name, value in lines:
            if value:
                separator = " " if name.endswith("?") else ": "  # not "improved?: yes"
                box.addWidget(wrapped(f"{name}{separator}{value}"))
        return frame

    def _render_checklist(self, detail: EscalationDetail, now: object) -> None:
        clear_layout(self.checklist)
        if not detail.checklist:
            self.checklist.addWidget(hint(self.tr("Nothing the policy requires yet.")))
        pack = self.ctx.packs.get(detail.policy_id)
        titles = {"before_stages": self.tr("Before the stages"), "closing": self.tr("After closing")}
        last_group = None
        for item in sorted(detail.checklist, key=lambda i: i.done_at is not None):
            group = titles.get(item.stage_key) or (
                pack.stage(item.stage_key).display_name
                if pack and pack.has_stage(item.stage_key)
                else item.stage_key
            )
            if group != last_group and item.done_at is None:
                self.checklist.addWidget(wrapped(group, "hint"))
                last_group = group
            if item.done_at is not None and last_group != "done":
                self.checklist.addWidget(wrapped(self.tr("Done"), "hint"))
                last_group = "done"
            self.checklist.addWidget(self._checklist_row(item, now))

    def _checklist_row(self, item: ChecklistView, now: object) -> QFrame:
        frame = QFrame(objectName="card")
        row = QHBoxLayout(frame)
        kind = KIND_WORDS.get(item.kind, item.kind.capitalize())
        to = f" → {item.recipient}" if item.recipient and item.recipient not in item.text else ""
        if item.done_at is None:
            must = self.tr("Must") if item.obligation == "must" else self.tr("Should")
            due = f" — {item.due_words}" if item.due_words else ""
            row.addWidget(wrapped(f"☐ {must} · {kind}: {item.text}{to}{due}"), 1)
            button = QPushButton(self.tr("Mark done…"))
            button.setAccessibleName(self.tr("Mark done: %s") % item.text)
            button.clicked.connect(lambda: self.open_mark_done(item))
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        elif item.not_done:
            note = wrapped(
                f"✗ {kind}: {item.text}{to}\n"
                + self.tr("Not done, recorded %s") % moment_words(item.done_at, now)  # type: ignore[arg-type]
                + f" — {item.done_note}"
            )
            note.setStyleSheet(f"color: {theme.MUTED};")
            row.addWidget(note, 1)
        else:
            note = f" — {item.done_note}" if item.done_note else ""
            done = wrapped(
                f"✓ {kind}: {item.text}{to}\n" + self.tr("Done %s") % moment_words(item.done_at, now) + note
            )  # type: ignore[arg-type]
            done.setStyleSheet(f"color: {theme.MUTED};")
            row.addWidget(done, 1)
        return frame

    # -- actions ------------------------------------------------------------------------------------------------

    def _open_child(self) -> None:
        if self.detail is not None:
            self.signals.open_child.emit(self.detail.child_id)

    def _changed(self, detail: EscalationDetail | None) -> None:
        """After an action: show what the service returned, then tell the rest of the app."""
        if detail is not None:
            self.render(detail)
            self._fresh = True
        self.signals.changed.emit(Changed(escalations=True))

    def _at_final_stage(self, detail: EscalationDetail) -> bool:
        pack = self.ctx.packs.get(detail.policy_id)
        return pack is not None and pack.next_stage(detail.current_stage_key) is None

    def open_escalate(self) -> None:
        from dsl_desk.ui.escalations.escalate import EscalateWizard

        if self.detail is not None and self._at_final_stage(self.detail):
            return  # the shortcut too: there is no later stage

        self._open_wizard(EscalateWizard, ESCALATE)

    def open_resolve(self) -> None:
        from dsl_desk.ui.escalations.resolve import ResolveWizard

        self._open_wizard(ResolveWizard, RESOLVE)

    def _open_wizard(self, wizard_class: type, kind: str) -> None:
        if self.detail is None or self.detail.status != "open":
            return
        draft = load_draft(self.ctx, kind, self.detail.id)
        wizard = wizard_class(self.ctx, self.detail.id, self, draft=draft)
        wizard.finished.connect(lambda result: self._wizard_finished(wizard, result))
        self.dialog = wizard
        wizard.open()  # window-modal, without blocking the event loop

    def _wizard_finished(self, wizard: QDialog, result: int) -> None:
        self.dialog = None
        detail = getattr(wizard, "result_detail", None)
        if result == QDialog.DialogCode.Accepted and detail is not None:
            self._changed(detail)
        elif self.detail is not None:
            self._render_drafts(self.detail)  # a kept draft is now mentioned here

    def open_mark_done(self, item: ChecklistView) -> None:
        dialog = MarkDoneDialog(item, self)
        dialog.accepted.connect(lambda: self._mark_done(item, dialog.note.toPlainText()))
        self._show_dialog(dialog)

    def _mark_done(self, item: ChecklistView, note: str) -> None:
        try:
            detail = complete_checklist_item(self.ctx, item.id, note)
        except ServiceError as error:
            self._changed(None)
            self.drafts_note.setText(str(error))
            self.drafts_note.show()
            return
        self._changed(detail)

    def open_chase(self) -> None:
        if self.detail is not None:
            self._show_dialog(ChaseDialog(chase_message(self.ctx, self.detail.id), self))

    def open_forms(self) -> None:
        """The forms this escalation's policy asks for, filled from its record, on the Forms page."""
        if self.detail is not None:
            self.signals.open_forms.emit(self.detail.id)

    def open_withdraw(self) -> None:
        if self.detail is None or self.detail.status != "open":
            return
        dialog = WithdrawDialog(self.ctx, self.detail, self)
        dialog.accepted.connect(lambda: self._changed(dialog.result_detail))
        self._show_dialog(dialog)

    def open_risk(self) -> None:
        """Raise immediate risk (the child's situation worsened) or lower it, always with why."""
        if self.detail is None or self.detail.status != "open":
            return
        raising = not self.detail.immediate_risk
        question = (
            self.tr(
                "What has changed? Why is the child now thought to be at immediate risk of significant harm?"
            )
            if raising
            else self.tr("Why is the child no longer at immediate risk (what was done, who decided)?")
        )
        reason, ok = QInputDialog.getMultiLineText(
            self, self.tr("Raise immediate risk") if raising else self.tr("Lower immediate risk"), question
        )
        if not ok:
            return
        try:
            detail = set_immediate_risk(self.ctx, self.detail.id, raised=raising, reason=reason)
        except ServiceError as error:
            QMessageBox.warning(self, self.tr("Immediate risk"), str(error))
            return
        self._changed(detail)

    def open_shorten(self) -> None:
        if self.detail is None or self.detail.status != "open" or not self.detail.may_shorten:
            return
        dialog = ShortenDialog(self.ctx, self.detail, self)
        dialog.accepted.connect(lambda: self._changed(dialog.result_detail))
        self._show_dialog(dialog)

    def _show_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        dialog.open()
