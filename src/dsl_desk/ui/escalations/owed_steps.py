"""The steps a policy says must be done before moving on or closing, each with a box for why it was not
done; and the ones it says should be done, as a reminder. The service refuses while a "must" has neither."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from dsl_desk.services.escalations.views import ChecklistView


class OwedSteps(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[int, QLineEdit] = {}

    def show_items(self, items: tuple[ChecklistView, ...]) -> None:
        while self.layout_.count():
            widget = self.layout_.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.boxes = {}
        musts = [i for i in items if i.done_at is None and i.obligation == "must"]
        shoulds = [i for i in items if i.done_at is None and i.obligation != "must"]
        if musts:
            title = QLabel(
                self.tr(
                    "The policy says these must be done first. Tick them off on the escalation "
                    "page once done, or say here why each was not done:"
                )
            )
            title.setWordWrap(True)
            title.setObjectName("sectionTitle")
            self.layout_.addWidget(title)
        for item in musts:
            label = QLabel(f"• {item.text}" + (f" — {item.due_words}" if item.due_words else ""))
            label.setWordWrap(True)
            box = QLineEdit()
            box.setPlaceholderText(self.tr("Why it was not done (required to go on)"))
            box.setAccessibleName(self.tr("Why not done: %s") % item.text[:60])
            self.layout_.addWidget(label)
            self.layout_.addWidget(box)
            self.boxes[item.id] = box
        if shoulds:
            reminder = QLabel(
                self.tr("The policy says these should be done (a reminder; they do not hold you up):")
                + "\n"
                + "\n".join(f"• {i.text}" for i in shoulds)
            )
            reminder.setWordWrap(True)
            reminder.setObjectName("hint")
            self.layout_.addWidget(reminder)
        self.setVisible(bool(musts or shoulds))

    def reasons(self) -> dict[int, str]:
        return {item_id: box.text() for item_id, box in self.boxes.items() if box.text().strip()}
