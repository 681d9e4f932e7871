"""Record a subject access request: whose record, who asked, when it arrived, whether identity is confirmed."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from dsl_desk.services.context import AppContext
from dsl_desk.services.people.children import list_children
from dsl_desk.services.records.subject_access import NewRequest, RequestRow, record_request
from dsl_desk.ui.paperwork.form_fields import child_choice_text
from dsl_desk.ui.records.subject_access_common import ServiceDialog, date_edit, date_of
from dsl_desk.ui.widgets.common import hint

RELATIONSHIPS = (
    "The child",
    "Mother",
    "Father",
    "Carer",
    "Someone with parental responsibility",
    "Solicitor",
)


class NewRequestDialog(ServiceDialog):
    """`saved` holds the RequestRow after a successful save."""

    saved: RequestRow | None

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, child_id: int | None = None
    ) -> None:
        super().__init__(ctx, parent, self.tr("New subject access request"), self.tr("Record request"))
        self.child_id = QComboBox(accessibleName=self.tr("Child the request is about, required"))
        for row in list_children(ctx):
            self.child_id.addItem(child_choice_text(row.name, row.date_of_birth), row.id)
        if child_id is not None:
            self.child_id.setCurrentIndex(max(0, self.child_id.findData(child_id)))
            self.child_id.setEnabled(False)
        self.requester_name = QLineEdit(accessibleName=self.tr("Who made the request, required"))
        self.relationship = QComboBox(
            editable=True, accessibleName=self.tr("Who they are to the child, required")
        )
        self.relationship.addItems(RELATIONSHIPS)
        self.relationship.setCurrentText("")
        self.received_on = date_edit(ctx, self.tr("Date the request was received, required"))
        self.identity = QCheckBox(
            self.tr("Their identity (and, for a parent, their right to ask) is confirmed")
        )
        self.form.addRow(self.tr("Child *"), self.child_id)
        self.form.addRow(self.tr("Requester *"), self.requester_name)
        self.form.addRow(self.tr("Who they are to the child *"), self.relationship)
        self.form.addRow(self.tr("Received on *"), self.received_on)
        self.form.addRow("", self.identity)
        self.layout_.addWidget(
            hint(
                self.tr(
                    "The response is due one calendar month after the day it was received (or after identity "
                    "is confirmed, if you had to ask for proof), moved to the next working day if that is a "
                    "weekend or bank holiday."
                )
            )
        )
        self.finish_layout()
        self.resize(520, 320)

    def request(self) -> NewRequest:
        return NewRequest(
            child_id=int(self.child_id.currentData() or 0),
            requester_name=self.requester_name.text(),
            relationship=self.relationship.currentText(),
            received_on=date_of(self.received_on, "received_on"),
            identity_confirmed=self.identity.isChecked(),
        )

    def save(self) -> None:
        self.attempt(lambda: record_request(self.ctx, self.request()))
