"""A page whose feature is not built yet says so plainly, rather than pretending."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from dsl_desk.ui.widgets.common import hint, page_title


class NotYetPage(QWidget):
    def __init__(self, title: str, explanation: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(page_title(title))
        layout.addWidget(hint(explanation))
        layout.addStretch(1)
