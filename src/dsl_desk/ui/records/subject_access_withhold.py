"""Withhold one item from a subject access response: the exemption, why it applies, and whether to say so."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QPlainTextEdit, QWidget

from dsl_desk.core.subject_access import EXEMPTIONS
from dsl_desk.services.context import AppContext
from dsl_desk.services.records.subject_access import Decision
from dsl_desk.services.records.subject_access_items import DisclosableItem, withhold
from dsl_desk.ui.records.subject_access_common import ServiceDialog
from dsl_desk.ui.widgets.common import hint


class WithholdDialog(ServiceDialog):
    """`saved` holds the Decision after a successful save."""

    saved: Decision | None

    def __init__(
        self, ctx: AppContext, request_id: int, item: DisclosableItem, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent, self.tr("Withhold from the response"), self.tr("Withhold"))
        self.request_id = request_id
        self.item = item
        what = QLabel(item.label, wordWrap=True)
        self.exemption = QComboBox(accessibleName=self.tr("Exemption, required"))
        for choice in EXEMPTIONS:
            self.exemption.addItem(f"{choice.label} — {choice.reference}", choice.key)
        self.explanation = hint("")
        self.exemption.currentIndexChanged.connect(self._explain)
        self.reason = QPlainTextEdit(accessibleName=self.tr("Why the exemption applies, required"))
        self.reason.setPlaceholderText(
            self.tr("What makes the exemption apply here. Kept in the redaction log.")
        )
        self.reason.setFixedHeight(90)
        self.silent = QCheckBox(self.tr("Do not reveal that information was withheld here"))
        self.silent.setToolTip(
            self.tr(
                "Neither confirm nor deny: use only where saying that something was withheld would itself "
                "cause harm. The redaction log still records it."
            )
        )
        self.form.addRow(self.tr("Item"), what)
        self.form.addRow(self.tr("Exemption *"), self.exemption)
        self.form.addRow("", self.explanation)
        self.form.addRow(self.tr("Reason *"), self.reason)
        self.form.addRow("", self.silent)
        self._explain()
        self.finish_layout()
        self.resize(560, 360)

    def _explain(self) -> None:
        self.explanation.setText(EXEMPTIONS[max(0, self.exemption.currentIndex())].explanation)

    def save(self) -> None:
        exemption_key = str(self.exemption.currentData())
        reason, silent = self.reason.toPlainText(), self.silent.isChecked()
        item_type, item_id = self.item.item_type, self.item.item_id
        self.attempt(
            lambda: withhold(
                self.ctx, self.request_id, item_type, item_id, exemption_key, reason, silent=silent
            )
        )
