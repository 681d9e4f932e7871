"""The small steps of a request: identity confirmed, extended, answered."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QSpinBox, QWidget

from dsl_desk.services.context import AppContext
from dsl_desk.services.records.subject_access import RequestRow, confirm_identity, extend, mark_responded
from dsl_desk.ui.records.subject_access_common import ServiceDialog, date_edit, date_of
from dsl_desk.ui.widgets.common import hint


class IdentityDialog(ServiceDialog):
    saved: RequestRow | None

    def __init__(self, ctx: AppContext, request_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent, self.tr("Identity confirmed"), self.tr("Confirm"))
        self.request_id = request_id
        self.identity_confirmed_on = date_edit(ctx, self.tr("Date identity was confirmed"))
        self.form.addRow(self.tr("Confirmed on"), self.identity_confirmed_on)
        self.layout_.addWidget(
            hint(self.tr("The month to respond runs from this day if it is after receipt."))
        )
        self.finish_layout()

    def save(self) -> None:
        self.attempt(
            lambda: confirm_identity(
                self.ctx, self.request_id, date_of(self.identity_confirmed_on, "identity_confirmed_on")
            )
        )


class ExtendDialog(ServiceDialog):
    saved: RequestRow | None

    def __init__(self, ctx: AppContext, request_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent, self.tr("Extend the deadline"), self.tr("Extend"))
        self.request_id = request_id
        self.further_months = QSpinBox(minimum=1, maximum=2, accessibleName=self.tr("Further months"))
        self.further_months.setValue(2)
        self.reason = QPlainTextEdit(accessibleName=self.tr("Why more time is needed, required"))
        self.reason.setFixedHeight(80)
        self.form.addRow(self.tr("Further months"), self.further_months)
        self.form.addRow(self.tr("Reason *"), self.reason)
        self.layout_.addWidget(
            hint(
                self.tr(
                    "Only for a complex request. Tell the requester, with the reason, within the first month."
                )
            )
        )
        self.finish_layout()

    def save(self) -> None:
        self.attempt(
            lambda: extend(self.ctx, self.request_id, self.further_months.value(), self.reason.toPlainText())
        )


class RespondedDialog(ServiceDialog):
    saved: RequestRow | None

    def __init__(self, ctx: AppContext, request_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent, self.tr("Response sent"), self.tr("Mark answered"))
        self.request_id = request_id
        self.method = QComboBox(editable=True, accessibleName=self.tr("How it was sent, required"))
        self.method.addItems(["Secure email", "Handed over in person", "Recorded delivery"])
        self.method.setCurrentText("")
        self.form.addRow(self.tr("How it was sent *"), self.method)
        self.layout_.addWidget(hint(self.tr("After this, nothing about the request can be changed.")))
        self.finish_layout()

    def save(self) -> None:
        self.attempt(lambda: mark_responded(self.ctx, self.request_id, self.method.currentText()))
