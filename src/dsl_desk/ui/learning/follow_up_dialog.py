"""What a lesson led to: the questions of Wigan's Appendix 4, asked as tick boxes with a box for "which"."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.learning import FollowUp, LessonLine


class FollowUpDialog(QDialog):
    def __init__(self, line: LessonLine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Follow-up to a lesson"))
        current = line.follow_up or FollowUp()
        layout = QVBoxLayout(self)
        lesson = QLabel(line.lessons or self.tr("(no lesson recorded)"), wordWrap=True)
        layout.addWidget(lesson)
        form = QFormLayout()
        self.staff_training = self._tick(self.tr("A requirement for staff training"), current.staff_training)
        self.new_protocol = self._tick(self.tr("Development of a new protocol"), current.new_protocol)
        self.inform_commissioner = self._tick(
            self.tr("Inform the commissioner of the service"), current.inform_commissioner
        )
        self.commissioner_service = QLineEdit(
            current.commissioner_service, placeholderText=self.tr("Which service?")
        )
        self.sub_group = self._tick(
            self.tr("Further discussion at a partnership sub group"), current.sub_group
        )
        self.sub_group_name = QLineEdit(current.sub_group_name, placeholderText=self.tr("Which sub group?"))
        self.board_discussion = self._tick(
            self.tr("Further discussion at the board / executive"), current.board_discussion
        )
        self.board_forum = QLineEdit(current.board_forum, placeholderText=self.tr("Which one?"))
        self.notes = QPlainTextEdit(current.notes)
        self.notes.setPlaceholderText(self.tr("What was done, by whom, and when"))
        self.notes.setMaximumHeight(90)
        form.addRow(self.staff_training)
        form.addRow(self.new_protocol)
        form.addRow(self.inform_commissioner, self.commissioner_service)
        form.addRow(self.sub_group, self.sub_group_name)
        form.addRow(self.board_discussion, self.board_forum)
        form.addRow(self.tr("Notes"), self.notes)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _tick(self, text: str, checked: bool) -> QCheckBox:
        box = QCheckBox(text)
        box.setChecked(checked)
        return box

    def answer(self) -> FollowUp:
        return FollowUp(
            staff_training=self.staff_training.isChecked(),
            new_protocol=self.new_protocol.isChecked(),
            inform_commissioner=self.inform_commissioner.isChecked(),
            commissioner_service=self.commissioner_service.text(),
            sub_group=self.sub_group.isChecked(),
            sub_group_name=self.sub_group_name.text(),
            board_discussion=self.board_discussion.isChecked(),
            board_forum=self.board_forum.text(),
            notes=self.notes.toPlainText(),
        )


def ask_follow_up(parent: QWidget, line: LessonLine) -> FollowUp | None:
    """The dialog as a function: the follow-up the DSL saved, or None if they cancelled."""
    dialog = FollowUpDialog(line, parent)
    return dialog.answer() if dialog.exec() == QDialog.DialogCode.Accepted else None
