"""Delete a record at the end of its retention period: what goes, that it cannot be undone, what the backups
still hold — and the child's full name typed before the Delete button wakes.

The deletion (and the rewrite of the database file after it) runs off the GUI thread; the window says so.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import DeskError, ServiceError, ValidationError
from dsl_desk.services.records.retention import MAX_REASON
from dsl_desk.services.records.retention_deletion import (
    DeletionPreview,
    DeletionResult,
    delete_record,
    deletion_preview,
    names_match,
)
from dsl_desk.ui import theme
from dsl_desk.ui.operations import run_operation
from dsl_desk.ui.paperwork.form_fields import buddy_label, error_label
from dsl_desk.ui.widgets.common import section_title

WARNING_STYLE = (
    f"QFrame#retentionWarning {{ background: {theme.OVERDUE_SOFT}; border: 1px solid {theme.OVERDUE}; "
    "border-radius: 6px; }"
)


def _plain(text: str, *, name: str = "") -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setAccessibleName(name)
    return label


class RetentionDeleteDialog(QDialog):
    """`result` holds the DeletionResult once the record is deleted; the dialog then closes."""

    def __init__(self, ctx: AppContext, child_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.child_id = child_id
        self.result: DeletionResult | None = None
        self.preview = deletion_preview(ctx, child_id)
        self.setWindowTitle(self.tr("Delete a record at the end of retention"))
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)
        layout = QVBoxLayout(self)
        layout.addWidget(section_title(self.tr("Delete %s's record") % self.preview.name))
        born = self.tr("Born %s.") % day_month_year(self.preview.date_of_birth)
        layout.addWidget(_plain(f"{born} {self.preview.due_because}"))
        layout.addWidget(self._what_goes(self.preview))
        layout.addWidget(self._warning(self.preview))
        layout.addLayout(self._confirm_form())
        self.message = error_label(self.tr("Deletion problem"))
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = QPushButton(self.tr("&Delete the record"))
        self.delete_button.setProperty("primary", True)
        self.delete_button.setAutoDefault(False)  # Enter in a field must never delete
        self.buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.delete_button.clicked.connect(self.delete)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._blocked(self.preview)
        self._enable()

    def _what_goes(self, preview: DeletionPreview) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(_plain(self.tr("Deleting it removes, for good:")))
        self.what_goes = _plain(
            "\n".join(f"• {line}" for line in preview.lines), name=self.tr("What is deleted")
        )
        column.addWidget(self.what_goes)
        return box

    def _warning(self, preview: DeletionPreview) -> QFrame:
        frame = QFrame(objectName="retentionWarning")
        frame.setStyleSheet(WARNING_STYLE)
        column = QVBoxLayout(frame)
        self.warning = _plain(
            self.tr(
                "This cannot be undone. Only a note of the deletion is kept: when, by whom, why and how many "
                "rows went, with no name and nothing of what the record said."
            )
            + "\n\n"
            + preview.backup_note,
            name=self.tr("Warning"),
        )
        column.addWidget(self.warning)
        return frame

    def _confirm_form(self) -> QFormLayout:
        form = QFormLayout()
        self.reason_edit = QLineEdit()
        self.reason_edit.setMaxLength(MAX_REASON)
        self.reason_edit.setPlaceholderText(
            self.tr("For example: Retention period ended; reviewed by the DSL")
        )
        self.reason_edit.setAccessibleName(self.tr("Why the record is deleted, without the child's name"))
        form.addRow(buddy_label(self.tr("&Why (no names):"), self.reason_edit), self.reason_edit)
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(self.tr("Type the child's full name to confirm"))
        self.name_edit.setPlaceholderText(self.preview.name)
        form.addRow(buddy_label(self.tr("Type the child's &full name:"), self.name_edit), self.name_edit)
        self.reason_edit.textChanged.connect(self._enable)
        self.name_edit.textChanged.connect(self._enable)
        return form

    def _blocked(self, preview: DeletionPreview) -> None:
        if preview.can_delete:
            return
        reasons = list(preview.blockers) or [self.tr("It is not past its retention date yet.")]
        self.message.setText(self.tr("This record cannot be deleted now.") + " " + " ".join(reasons))
        self.message.show()
        self.adjustSize()  # grow to show the wrapped message
        self.reason_edit.setEnabled(False)
        self.name_edit.setEnabled(False)

    def _enable(self) -> None:
        ready = (
            self.preview.can_delete
            and bool(self.reason_edit.text().strip())
            and names_match(self.name_edit.text(), self.preview.name)
        )
        self.delete_button.setEnabled(ready)

    # -- deleting -----------------------------------------------------------------------------------------

    def delete(self) -> None:
        reason, typed = self.reason_edit.text(), self.name_edit.text()
        self._busy(True)
        run_operation(
            self,
            lambda: delete_record(self.ctx, self.child_id, reason, typed),
            label=self.tr("Deleting the record…"),
            on_done=self._deleted,
            on_error=self._refused,
            progress=False,  # the dialog says so itself
        )

    def _busy(self, busy: bool) -> None:
        for widget in (self.reason_edit, self.name_edit, self.buttons):
            widget.setEnabled(not busy)
        if busy:
            self.message.setObjectName("hint")
            self.message.setText(
                self.tr(
                    "Deleting the record and overwriting the space it used. On a large database this can take a minute…"
                )
            )
            self.message.show()
            self.adjustSize()  # grow to show the wrapped message
        else:
            self.message.setObjectName("error")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def _deleted(self, result: DeletionResult) -> None:
        self.result = result
        self.accept()

    def _refused(self, error: Exception) -> None:
        self._busy(False)
        self._enable()
        text = str(error)
        if not isinstance(error, ServiceError | DeskError):  # a fault, not a refusal
            text = (
                self.tr(
                    "DSL Desk could not finish the deletion (%s). A deletion is all or nothing: if the record is "
                    "still on the review list, nothing was deleted."
                )
                % error
            )
        self.message.setText(text)
        self.message.show()
        self.adjustSize()  # grow to show the wrapped message
        if isinstance(error, ValidationError) and error.field == "reason":
            self.reason_edit.setFocus()
        elif isinstance(error, ValidationError):
            self.name_edit.setFocus()
