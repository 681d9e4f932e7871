"""The visual stepper: a policy's stages left to right — done ✓, the current one with its deadline in words
(coloured by how due it is), and those to come."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import describe_date
from dsl_desk.core.escalation_rules import DueStatus
from dsl_desk.services.escalations.views import StageView
from dsl_desk.ui import theme

# (strong colour, soft background) for the current stage, by how due it is.
DUE_COLOURS = {
    DueStatus.OVERDUE: (theme.OVERDUE, theme.OVERDUE_SOFT),
    DueStatus.DUE_TODAY: (theme.DUE_TODAY, theme.DUE_TODAY_SOFT),
    DueStatus.DUE_NEXT_WORKING_DAY: (theme.SOON, theme.SOON_SOFT),
    DueStatus.ON_TRACK: (theme.ACCENT, theme.ACCENT_SOFT),
    DueStatus.NO_DEADLINE: (theme.ACCENT, theme.ACCENT_SOFT),
}
DONE_COLOURS = (theme.OK, theme.OK_SOFT)
TO_COME_COLOURS = (theme.MUTED, theme.PANEL)


class StepBox(QFrame):
    """One stage: a numbered (or ticked) badge, the stage's label and title, and where it stands."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("step")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(2)
        self.badge = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.badge.setFixedSize(28, 28)
        self.label = QLabel()
        self.title = QLabel(wordWrap=True)
        self.state = QLabel(wordWrap=True)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.badge)
        top.addWidget(self.label, 1)
        layout.addLayout(top)
        layout.addWidget(self.title)
        layout.addWidget(self.state)
        layout.addStretch(1)

    def show_stage(self, number: int, stage: StageView, state_text: str, colours: tuple[str, str]) -> None:
        strong, soft = colours
        current = stage.state == "current"
        self.badge.setText("✓" if stage.state == "done" else str(number))
        badge_fill = strong if stage.state != "to_come" else theme.PANEL
        badge_ink = "white" if stage.state != "to_come" else theme.MUTED
        self.badge.setStyleSheet(
            f"background: {badge_fill}; color: {badge_ink}; border: 2px solid {strong}; border-radius: 14px;"
            "font-weight: 700;"
        )
        self.label.setText(stage.label)
        self.label.setStyleSheet(f"font-weight: 700; color: {strong if current else theme.INK};")
        self.title.setText(stage.title)
        self.title.setStyleSheet(f"color: {theme.INK if stage.state != 'to_come' else theme.MUTED};")
        self.state.setText(state_text)
        self.state.setStyleSheet(f"color: {strong}; font-weight: {700 if current else 400};")
        width = 2 if current else 1
        self.setStyleSheet(
            f"QFrame#step {{ background: {soft}; border: {width}px solid {strong}; border-radius: 8px; }}"
        )
        where = {"done": "done", "current": "current stage", "to_come": "to come"}[stage.state]
        self.setAccessibleName(f"{stage.label}, {stage.title}: {where}. {state_text}")


class Stepper(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Stages of the policy"))
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(6)
        self.boxes: list[StepBox] = []

    def set_stages(
        self,
        stages: Sequence[StageView],
        *,
        now: datetime,
        deadline_words: str,
        due_status: DueStatus,
        status: str = "open",
    ) -> None:
        self._clear()
        for number, stage in enumerate(stages, start=1):
            if number > 1:
                arrow = QLabel("›", alignment=Qt.AlignmentFlag.AlignCenter)
                arrow.setStyleSheet(f"color: {theme.MUTED}; font-size: 16pt;")
                self.row.addWidget(arrow)
            box = StepBox(self)
            text, colours = self._state(stage, now, deadline_words, due_status, status)
            box.show_stage(number, stage, text, colours)
            self.row.addWidget(box, 1)
            self.boxes.append(box)

    def _state(
        self, stage: StageView, now: datetime, deadline_words: str, due_status: DueStatus, status: str
    ) -> tuple[str, tuple[str, str]]:
        if stage.state == "done":
            return self._done_state(stage, london(now).date(), status)
        if stage.state == "current":
            if due_status is DueStatus.OVERDUE or due_status is DueStatus.NO_DEADLINE:
                return self.tr("Now — %s") % deadline_words, DUE_COLOURS[due_status]
            return self.tr("Now — due %s") % deadline_words, DUE_COLOURS[due_status]
        if status != "open":
            return self.tr("Not needed"), TO_COME_COLOURS  # the escalation ended before this stage
        return self.tr("To come"), TO_COME_COLOURS

    def _done_state(self, stage: StageView, today: date, status: str) -> tuple[str, tuple[str, str]]:
        left = describe_date(london(stage.left_at).date(), today) if stage.left_at else ""
        if status == "withdrawn" and stage.outcome.startswith("Withdrawn:"):
            return self.tr("Withdrawn %s") % left, TO_COME_COLOURS
        if stage.timescale_met is False:  # done, but late: it must not look like a clean green step
            return self.tr("Done %s — timescale missed") % left, DUE_COLOURS[DueStatus.DUE_TODAY]
        return self.tr("Done %s") % left, DONE_COLOURS

    def _clear(self) -> None:
        while self.row.count():
            widget = self.row.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.boxes.clear()
