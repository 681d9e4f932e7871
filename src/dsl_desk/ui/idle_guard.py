"""Locks the desk after a period without keyboard or mouse input. Time comes from the injected clock."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from dsl_desk.core.clock import Clock

INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TabletPress,
}


class IdleGuard(QObject):
    idle = Signal()

    def __init__(self, clock: Clock, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.limit = timedelta(minutes=minutes)
        self.last_input = clock.now()
        self.timer = QTimer(self)
        self.timer.setInterval(15_000)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self.last_input = self.clock.now()
        return False

    def reset(self) -> None:
        self.last_input = self.clock.now()

    def check(self) -> None:
        if self.limit > timedelta(0) and self.clock.now() - self.last_input >= self.limit:
            self.idle.emit()
