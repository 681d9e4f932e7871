"""Placeholder until this tab is built."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from dsl_desk.services.context import AppContext
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.widgets.common import hint


class RetentionTab(QWidget):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        layout = QVBoxLayout(self)
        layout.addWidget(hint(self.tr("Not built yet.")))

    def on_changed(self, changed: Changed) -> None:
        pass
