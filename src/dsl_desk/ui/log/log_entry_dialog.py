"""“Log a discussion”: the keyboard-first quick entry (Ctrl+L from anywhere), and corrections.

Prefilled with the current child and escalation, the time defaulting to now. Tab moves through the
boxes in reading order; Ctrl+Enter saves. Gentle prompts beside the form nudge toward a good record but
never block saving. A problem shows above the buttons and nothing typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import numeric_date_time
from dsl_desk.core.record_prompts import record_prompts
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import DeskError, ValidationError
from dsl_desk.services.escalations.reading import list_escalations
from dsl_desk.services.log.attachments import MAX_ATTACHMENT_MB, check_file
from dsl_desk.services.log.discussion_log import NewAction, NewEntry, amend_entry, log_discussion
from dsl_desk.services.log.reading import get_entry, latest_version
from dsl_desk.services.log.views import KINDS, MEETING_METHODS, METHODS, EntryView
from dsl_desk.services.people.agencies import list_professionals
from dsl_desk.services.people.children import list_children
from dsl_desk.ui.paperwork.form_fields import child_choice_text
from dsl_desk.ui.widgets.common import compact_combo, fit_to_screen
from dsl_desk.ui.widgets.date_entry import DateEntry, DateTimeEntry
from dsl_desk.ui.widgets.folders import in_documents


@dataclass(frozen=True)
class LogEntryResult:
    entry: EntryView
    start_escalation: bool  # a dissent the user wants to escalate (Wigan 2.5)


class _ActionRow:
    """One agreed action: what, who, by when."""

    def __init__(self, parent: QWidget, default_due: date) -> None:
        self.description = QLineEdit(parent, placeholderText=parent.tr("What will be done"))
        self.description.setAccessibleName(parent.tr("Action"))
        self.owner = QLineEdit(parent, placeholderText=parent.tr("Full name and role of who will do it"))
        self.owner.setAccessibleName(parent.tr("Action owner"))
        self.due = DateEntry(
            parent, accessible_name=parent.tr("Action due date"), value=default_due, today=default_due
        )

    def value(self) -> NewAction:
        """The action; a ValidationError (the due date focused) when its due date is not a date."""
        if not self.due.is_valid():
            self.due.setFocus()
            what = self.description.text().strip() or self.due.tr("an action")
            raise ValidationError(self.due.tr("The due date of “%s”: %s") % (what, self.due.problem()))
        return NewAction(self.description.text(), self.owner.text(), self.due.date())  # empty: no due date


class LogEntryDialog(QDialog):
    """`saved` holds the EntryView after a successful save; `entry_saved` emits a LogEntryResult."""

    entry_saved = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        child_id: int | None = None,
        escalation_id: int | None = None,
        amends: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.saved: EntryView | None = None
        self.start_escalation = False
        self.original: EntryView | None = None
        if amends is not None:
            # Corrections form one line: always correct the latest version of the entry.
            self.original = get_entry(ctx, latest_version(ctx, amends))
            child_id = self.original.child_id
            escalation_id = self.original.escalation_id
        self.action_rows: list[_ActionRow] = []
        self.setWindowTitle(self.tr("Correct a log entry") if self.original else self.tr("Log a discussion"))
        fit_to_screen(self, 880, 760)
        self._build()
        self._fill_children(child_id)
        self._fill_escalations(escalation_id)
        self.escalation.currentIndexChanged.connect(self._kind_changed)
        if self.original:
            self._fill_from(self.original)
        self._update_prompts()
        # The keyboard starts where the typing is: the reason for a correction, what was discussed when the
        # child is known, or the child (it started on the scrolling area, one wasted Tab away).
        first = self.amend_reason if self.original else self.summary if child_id is not None else self.child
        first.setFocus()

    # -- building -----------------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        if self.original:
            layout.addWidget(self._amend_box(self.original))
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, not the area around them
        body = QWidget()
        columns = QHBoxLayout(body)
        columns.addLayout(self._form(), 3)
        columns.addWidget(self._prompt_panel(), 1)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.setAccessibleName(self.tr("Problem"))
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText(self.tr("Save correction") if self.original else self.tr("Save to the log"))
        save.setToolTip(self.tr("Save (Ctrl+Enter)"))
        save.setProperty("primary", True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.save)

    def _amend_box(self, original: EntryView) -> QFrame:
        box = QFrame(objectName="card")
        box_layout = QFormLayout(box)
        written = london(original.recorded_at)
        note = QLabel(
            self.tr("You are correcting entry %s, written %s by %s. It stays on the record, struck through, "
                    "with your correction beside it.")
            % (original.id, numeric_date_time(written), original.author),
            wordWrap=True,
        )  # fmt: skip
        box_layout.addRow(note)
        self.amend_reason = QLineEdit(accessibleName=self.tr("Reason for the correction, required"))
        self.amend_reason.setPlaceholderText(self.tr("e.g. The wrong date was given for the home visit"))
        box_layout.addRow(self.tr("Why is it being corrected? *"), self.amend_reason)
        return box

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.child = QComboBox(accessibleName=self.tr("Child, required"))
        self.child.currentIndexChanged.connect(lambda _i: self._fill_escalations(None))
        self.escalation = QComboBox(accessibleName=self.tr("Escalation this is about"))
        self.kind = QComboBox(accessibleName=self.tr("Kind of entry"))
        for key, label in KINDS.items():
            self.kind.addItem(self.tr(label), key)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.method = QComboBox(accessibleName=self.tr("How it took place, required"))
        for key, label in METHODS.items():
            self.method.addItem(self.tr(label), key)
        now = self.ctx.clock.now()
        self.occurred = DateTimeEntry(
            accessible_name=self.tr("When it took place, required"),
            value=now,
            required=True,
            now=now,
            past_only=True,
        )
        # Drop-downs as wide as their longest item (an escalation's reference, agency and problem; a contact's
        # name, role and agency) made the form wider than the dialog, and the dialog scroll sideways.
        for combo in (self.child, self.escalation):
            compact_combo(combo, 24)
        form.addRow(self.tr("Child *"), self.child)
        form.addRow(self.tr("Escalation"), self.escalation)
        form.addRow(self.tr("Kind"), self.kind)
        self.escalate_box = QCheckBox(
            self.tr("Start an escalation about this dissent when I save (Wigan 2.5)")
        )
        self.escalate_box.setChecked(True)
        self.escalate_box.hide()
        form.addRow("", self.escalate_box)
        form.addRow(self.tr("How *"), self.method)
        form.addRow(self.tr("When it happened *"), self.occurred)
        self._text_rows(form)
        form.addRow(self.tr("Actions agreed"), self._actions_box())
        self._sharing_rows(form)
        form.addRow(self.tr("Attachments"), self._attachments_box())
        return form

    def _text_rows(self, form: QFormLayout) -> None:
        self.participants = self._text_box(
            self.tr("Participants"), self.tr("Full names, roles and agencies, one per line"), 64
        )
        self.contact_picker = QComboBox(accessibleName=self.tr("Add a participant from contacts"))
        self.contact_picker.addItem(self.tr("Add from contacts…"), None)
        for person in list_professionals(self.ctx):
            line = ", ".join(p for p in (person.name, person.role, person.agency) if p)
            self.contact_picker.addItem(line, line)
        self.contact_picker.activated.connect(self._add_contact)
        compact_combo(self.contact_picker, 24)
        participants = QVBoxLayout()
        participants.addWidget(self.participants)
        participants.addWidget(self.contact_picker)
        self.summary = self._text_box(
            self.tr("What was discussed, required"),
            self.tr("The facts: what was said and seen, by whom. Keep your opinion for the box below."),
            140,
        )
        self.child_views = self._text_box(
            self.tr("The child's views"),
            self.tr("The child's own words, in quotation marks, and their wishes"),
            56,
        )
        self.opinion = self._text_box(
            self.tr("Professional opinion"), self.tr("Your professional view, and what it rests on"), 56
        )
        self.decisions = self._text_box(
            self.tr("Decisions and reasons"), self.tr("Each decision, who made it, and the reason for it"), 70
        )
        form.addRow(self.tr("Participants"), participants)
        form.addRow(self.tr("What was discussed (facts) *"), self.summary)
        form.addRow(self.tr("The child's views and words"), self.child_views)
        form.addRow(self.tr("Professional opinion"), self.opinion)
        form.addRow(self.tr("Decisions, and why"), self.decisions)

    def _text_box(self, name: str, placeholder: str, height: int) -> QPlainTextEdit:
        box = QPlainTextEdit(accessibleName=name, placeholderText=placeholder)
        # Fixed heights keep the whole form on one screen; a long note scrolls inside its own box.
        box.setFixedHeight(height)
        box.setTabChangesFocus(True)  # keyboard-first: Tab moves on, it does not type a tab
        box.textChanged.connect(self._update_prompts)
        box.installEventFilter(self)
        return box

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A text box takes Ctrl+Enter before any shortcut sees it, so the boxes pass it on as "save".
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.save()
            return True
        return super().eventFilter(watched, event)

    def _actions_box(self) -> QWidget:
        box = QWidget()
        outer = QVBoxLayout(box)
        outer.setContentsMargins(0, 0, 0, 0)
        self.actions_grid = QGridLayout()
        outer.addLayout(self.actions_grid)
        self.add_action_button = QPushButton(self.tr("Add an &action"))
        self.add_action_button.clicked.connect(self.add_action_row)
        outer.addWidget(self.add_action_button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    def add_action_row(self) -> _ActionRow:
        today = london(self.ctx.clock.now()).date()
        row = _ActionRow(self, today)
        number = len(self.action_rows)
        self.actions_grid.addWidget(row.description, number, 0)
        self.actions_grid.addWidget(row.owner, number, 1)
        self.actions_grid.addWidget(row.due, number, 2)
        self.action_rows.append(row)
        row.description.setFocus()
        return row

    def _sharing_rows(self, form: QFormLayout) -> None:
        self.shared_with = QLineEdit(accessibleName=self.tr("Shared with"))
        self.shared_with.setPlaceholderText(self.tr("Who the record was shared with (full names and roles)"))
        now = self.ctx.clock.now()
        self.shared_at = DateTimeEntry(
            accessible_name=self.tr("When it was shared"), value=now, required=True, now=now, past_only=True
        )
        self.shared_at.setEnabled(False)
        self.shared_with.textChanged.connect(lambda text: self.shared_at.setEnabled(bool(text.strip())))
        form.addRow(self.tr("Shared with"), self.shared_with)
        form.addRow(self.tr("Shared on"), self.shared_at)

    def _attachments_box(self) -> QWidget:
        box = QWidget()
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.attachments = QListWidget(accessibleName=self.tr("Files to attach"))
        self.attachments.setMaximumHeight(64)
        buttons = QVBoxLayout()
        attach = QPushButton(self.tr("Attach &file…"))
        attach.setToolTip(
            self.tr("Emails (.eml, .msg), PDFs and images, up to %s MB each") % MAX_ATTACHMENT_MB
        )
        attach.clicked.connect(self._choose_files)
        remove = QPushButton(self.tr("Remove"))
        remove.clicked.connect(lambda: self.attachments.takeItem(self.attachments.currentRow()))
        buttons.addWidget(attach)
        buttons.addWidget(remove)
        layout.addWidget(self.attachments, 1)
        layout.addLayout(buttons)
        return box

    def _prompt_panel(self) -> QFrame:
        panel = QFrame(objectName="card")
        layout = QVBoxLayout(panel)
        title = QLabel(self.tr("<b>A good record</b>"))
        self.prompts = QLabel(objectName="hint", wordWrap=True)
        self.prompts.setAccessibleName(self.tr("Suggestions for a good record"))
        self.prompts.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(title)
        layout.addWidget(self.prompts)
        layout.addStretch(1)
        return panel

    # -- filling --------------------------------------------------------------------------------------------

    def _fill_children(self, child_id: int | None) -> None:
        self.child.blockSignals(True)
        self.child.addItem(self.tr("Choose a child…"), None)
        for row in list_children(self.ctx):
            self.child.addItem(child_choice_text(row.name, row.date_of_birth), row.id)
        if child_id is not None:
            self.child.setCurrentIndex(max(0, self.child.findData(child_id)))
        self.child.setEnabled(self.original is None)
        self.child.blockSignals(False)

    def _fill_escalations(self, escalation_id: int | None) -> None:
        self.escalation.clear()
        self.escalation.addItem(self.tr("Not about an escalation"), None)
        child_id = self.child.currentData()
        if child_id is None:
            return
        for case in list_escalations(self.ctx, child_id=child_id):
            label = f"{case.reference} · {case.other_agency} · {case.stage_label}"
            if case.status != "open":
                label += f" ({case.status})"
            self.escalation.addItem(label, case.escalation_id)
        if escalation_id is not None:
            self.escalation.setCurrentIndex(max(0, self.escalation.findData(escalation_id)))

    def _fill_from(self, original: EntryView) -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(original.kind)))
        self.method.setCurrentIndex(max(0, self.method.findData(original.method)))
        self.occurred.set_instant(original.occurred_at)
        self.participants.setPlainText(original.participants)
        self.summary.setPlainText(original.summary)
        self.child_views.setPlainText(original.child_views)
        self.opinion.setPlainText(original.opinion)
        self.decisions.setPlainText(original.decisions)
        # Actions and sharing are not copied: they stay with the original, tracked on their own.

    def _add_contact(self, index: int) -> None:
        line = self.contact_picker.itemData(index)
        if line:
            existing = self.participants.toPlainText().rstrip()
            self.participants.setPlainText(f"{existing}\n{line}" if existing else line)
        self.contact_picker.setCurrentIndex(0)

    def _choose_files(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(
            self, self.tr("Attach files"), in_documents(), self.tr("Emails, PDFs and images (*.eml *.msg *.pdf *.png *.jpg *.jpeg *.gif *.webp *.tif *.tiff *.heic)")
        )  # fmt: skip
        for name in names:
            self.add_attachment(Path(name))

    def add_attachment(self, path: Path) -> bool:
        """Check the file now (type, size) so a problem shows before Save; it is read only on Save."""
        try:
            checked = check_file(path)
        except ValidationError as error:
            self._show_error(str(error))
            return False
        item = QListWidgetItem(f"{checked.file_name} ({max(1, round(checked.size / 1024))} KB)")
        item.setData(Qt.ItemDataRole.UserRole, str(path))
        self.attachments.addItem(item)
        self.error.hide()
        return True

    def _kind_changed(self, _index: int = 0) -> None:
        dissent = self.kind.currentData() == "dissent"
        self.escalate_box.setVisible(dissent and self.escalation.currentData() is None and not self.original)
        if dissent and self.method.currentData() not in MEETING_METHODS:
            self.method.setCurrentIndex(self.method.findData("professionals_meeting"))

    def _update_prompts(self) -> None:
        prompts = record_prompts(
            summary=self.summary.toPlainText(),
            participants=self.participants.toPlainText(),
            child_views=self.child_views.toPlainText(),
            decisions=self.decisions.toPlainText(),
            opinion=self.opinion.toPlainText(),
        )
        lines = [f"• {p.text}" for p in prompts]
        self.prompts.setText("\n\n".join(lines) if lines else self.tr("This record looks complete."))

    # -- saving ---------------------------------------------------------------------------------------------

    def entry(self) -> NewEntry:
        child_id = self.child.currentData()
        if child_id is None:
            raise ValidationError(self.tr("Choose the child this discussion was about."), field="child")
        shared_with = self.shared_with.text()
        _catch_up(self.ctx, self.occurred, self.shared_at)
        occurred_at = self.occurred.checked_instant("occurred_at")
        assert occurred_at is not None  # required
        return NewEntry(
            child_id=child_id,
            occurred_at=occurred_at,
            method=self.method.currentData(),
            summary=self.summary.toPlainText(),
            participants=self.participants.toPlainText(),
            child_views=self.child_views.toPlainText(),
            opinion=self.opinion.toPlainText(),
            decisions=self.decisions.toPlainText(),
            kind=self.kind.currentData(),
            escalation_id=self.escalation.currentData(),
            actions=tuple(row.value() for row in self.action_rows),
            shared_with=shared_with,
            shared_at=self.shared_at.checked_instant("shared_at") if shared_with.strip() else None,
            attachments=tuple(
                Path(self.attachments.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.attachments.count())
            ),
        )

    def save(self) -> None:
        try:
            entry = self.entry()
            if self.original:
                saved = amend_entry(self.ctx, self.original.id, entry, self.amend_reason.text())
            else:
                saved = log_discussion(self.ctx, entry)
        except ValidationError as error:
            self._show_error(str(error), error.field)
            return
        except DeskError as error:
            self._show_error(str(error))
            return
        self.saved = saved
        self.start_escalation = not self.escalate_box.isHidden() and self.escalate_box.isChecked()
        self.entry_saved.emit(LogEntryResult(saved, self.start_escalation))
        self.accept()

    def _show_error(self, message: str, field: str = "") -> None:
        self.error.setText(message)
        self.error.show()
        target = {
            "summary": self.summary,
            "occurred_at": self.occurred,
            "method": self.method,
            "child": self.child,
            "amend_reason": getattr(self, "amend_reason", None),
            "shared_with": self.shared_with,
            "shared_at": self.shared_at,
        }.get(field)
        if target is not None:
            target.setFocus()


def log_a_discussion(
    ctx: AppContext,
    parent: QWidget | None = None,
    *,
    child_id: int | None = None,
    escalation_id: int | None = None,
    amends: int | None = None,
) -> LogEntryResult | None:
    """Show the dialog; the saved entry (and whether to start an escalation), or None if cancelled."""
    dialog = LogEntryDialog(ctx, parent, child_id=child_id, escalation_id=escalation_id, amends=amends)
    if dialog.exec() and dialog.saved is not None:
        return LogEntryResult(dialog.saved, dialog.start_escalation)
    return None


class ShareDialog(QDialog):
    """Record that an entry was shared after it was written (who with, and when)."""

    def __init__(self, ctx: AppContext, entry_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.entry_id = entry_id
        self.saved: EntryView | None = None
        self.setWindowTitle(self.tr("Record sharing of entry %s") % entry_id)
        layout = QFormLayout(self)
        self.shared_with = QLineEdit(accessibleName=self.tr("Shared with, required"))
        self.shared_with.setPlaceholderText(self.tr("Full names and roles"))
        now = ctx.clock.now()
        self.shared_at = DateTimeEntry(
            accessible_name=self.tr("When it was shared"), value=now, required=True, now=now, past_only=True
        )
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addRow(self.tr("Shared with *"), self.shared_with)
        layout.addRow(self.tr("Shared on"), self.shared_at)
        layout.addRow(self.error)
        layout.addRow(buttons)

    def save(self) -> None:
        from dsl_desk.services.log.discussion_log import record_sharing

        try:
            _catch_up(self.ctx, self.shared_at)
            shared_at = self.shared_at.checked_instant("shared_at")
            assert shared_at is not None  # required
            self.saved = record_sharing(self.ctx, self.entry_id, self.shared_with.text(), shared_at)
        except DeskError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self.accept()


def _catch_up(ctx: AppContext, *fields: DateTimeEntry) -> None:
    """A dialog left open keeps its "now" moving: a time typed after it opened is not "in the future"."""
    now = ctx.clock.now()
    for field in fields:
        field.now = now
        field.recheck()
