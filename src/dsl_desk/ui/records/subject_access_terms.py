"""Choose third parties' names to redact: tick the names found in the record, or type others."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QWidget

from dsl_desk.services.context import AppContext
from dsl_desk.services.records.subject_access import Decision
from dsl_desk.services.records.subject_access_items import add_term, suggest_terms
from dsl_desk.ui.records.subject_access_common import ServiceDialog
from dsl_desk.ui.widgets.common import hint


class RedactNamesDialog(ServiceDialog):
    """`saved` holds the list of Decisions added."""

    saved: list[Decision] | None

    def __init__(self, ctx: AppContext, request_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent, self.tr("Names to redact"), self.tr("Redact ticked names"))
        self.request_id = request_id
        self.layout_.insertWidget(
            0,
            hint(
                self.tr(
                    "Each ticked name is replaced by “[redacted: third party]” everywhere in the response, "
                    "in any case and as a whole word. Names found in the record are listed; add any others "
                    "(one per line, or separated by commas)."
                )
            ),
        )
        self.suggestions = QListWidget(accessibleName=self.tr("Names found in the record"))
        for name in suggest_terms(ctx, request_id):
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.suggestions.addItem(item)
        self.term = QLineEdit(accessibleName=self.tr("Other names to redact"))
        self.term.setPlaceholderText(self.tr("e.g. Ravi Example, Mrs Example"))
        self.form.addRow(self.tr("Found in the record"), self.suggestions)
        self.form.addRow(self.tr("Other names"), self.term)
        self.finish_layout()
        self.resize(480, 420)

    def chosen(self) -> list[str]:
        ticked = [
            self.suggestions.item(i).text()
            for i in range(self.suggestions.count())
            if self.suggestions.item(i).checkState() == Qt.CheckState.Checked
        ]
        typed = [part.strip() for part in self.term.text().replace(";", ",").split(",") if part.strip()]
        return ticked + typed

    def save(self) -> None:
        names = self.chosen()
        if not names:
            self.show_error(self.tr("Tick a name, or type one, to redact."))
            return
        added: list[Decision] = []

        def add_each() -> list[Decision]:
            for name in names:
                added.append(add_term(self.ctx, self.request_id, name))
            return added

        self.attempt(add_each)
        if added and self.saved is None:  # some were added before one was refused: keep them, say so
            self.saved = added
            self.show_error(self.error.text() + " " + self.tr("The names before it were added."))
