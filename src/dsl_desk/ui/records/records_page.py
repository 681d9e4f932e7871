"""Transfers & requests: a child's file leaving or arriving, subject access requests, and retention review.

Each tab is its own module; this page only holds them and passes on what changed.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from dsl_desk.services.context import AppContext
from dsl_desk.ui.records.access_tab import SubjectAccessTab
from dsl_desk.ui.records.retention_tab import RetentionTab
from dsl_desk.ui.records.transfers_tab import TransfersTab
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.widgets.common import page_title


class RecordsPage(QWidget):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(page_title(self.tr("Transfers & requests")))
        self.tabs = QTabWidget()
        self.transfers = TransfersTab(ctx, signals)
        self.access = SubjectAccessTab(ctx, signals)
        self.retention = RetentionTab(ctx, signals)
        self.tabs.addTab(self.transfers, self.tr("Case transfers"))
        self.tabs.addTab(self.access, self.tr("Subject access requests"))
        self.tabs.addTab(self.retention, self.tr("Retention review"))
        layout.addWidget(self.tabs, 1)

    def show_tab(self, key: str) -> QWidget:
        tab = {"transfers": self.transfers, "access": self.access, "retention": self.retention}[key]
        self.tabs.setCurrentWidget(tab)
        return tab

    def on_changed(self, changed: Changed) -> None:
        for tab in (self.transfers, self.access, self.retention):
            tab.on_changed(changed)
