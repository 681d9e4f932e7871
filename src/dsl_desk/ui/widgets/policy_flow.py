"""A partnership's escalation stages drawn as a top-to-bottom flow: one box per stage, arrows between.

Built from ordinary labels rather than painted text, so it wraps at any width, follows the user's font size
and screen readers can read every box."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from dsl_desk.core.policy import PolicyPack, Stage
from dsl_desk.ui import theme

FLOW_STYLE = f"""
QFrame#flowStage {{
    background: {theme.PANEL}; border: 1px solid #c5ccd5; border-left: 5px solid {theme.ACCENT};
    border-radius: 6px;
}}
QFrame#flowStagePartnership {{
    background: {theme.ACCENT_SOFT}; border: 2px solid {theme.ACCENT}; border-radius: 6px;
}}
QFrame#flowStage QLabel, QFrame#flowStagePartnership QLabel {{ background: transparent; border: none; }}
/* As specific as the rule above and after it, or the badge is transparent: white on pale blue. */
QLabel#flowLabel {{ color: {theme.ACCENT}; font-weight: 700; }}
QLabel#flowTitle {{ color: {theme.INK}; font-weight: 600; font-size: 11pt; }}
QFrame#flowStagePartnership QLabel#flowBadge {{
    background: {theme.ACCENT}; color: white; font-weight: 600; border-radius: 4px; padding: 2px 8px;
}}
QLabel#flowDetail {{ color: {theme.INK}; }}
QLabel#flowTimescale {{ color: {theme.MUTED}; }}
"""


class FlowArrow(QWidget):
    """A short downward arrow between two boxes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(max(22, self.fontMetrics().height() + 6))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(40, self.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor(theme.ACCENT)
        x = 36.0  # under the boxes' left edge, where the eye reads down the labels
        head = 6.0
        painter.setPen(QPen(colour, 2))
        painter.drawLine(QPointF(x, 2), QPointF(x, self.height() - head - 1))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        bottom = float(self.height() - 1)
        painter.drawPolygon(
            QPolygonF(
                [QPointF(x - head, bottom - head), QPointF(x + head, bottom - head), QPointF(x, bottom)]
            )
        )
        painter.end()


class StageBox(QFrame):
    """One stage: its label, title, who is involved on each side, and its timescale."""

    def __init__(self, stage: Stage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stage = stage
        self.setObjectName("flowStagePartnership" if stage.partnership_level else "flowStage")
        self.setAccessibleName(stage.display_name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(3)
        if stage.partnership_level:
            badge = QLabel(self.tr("Final step — partnership level"), objectName="flowBadge")
            badge.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            layout.addWidget(badge)
        layout.addWidget(_label(stage.label, "flowLabel"))
        layout.addWidget(_label(stage.title, "flowTitle"))
        layout.addWidget(_label(self.tr("Our side: %s") % stage.our_side, "flowDetail"))
        layout.addWidget(_label(self.tr("Their side: %s") % stage.their_side, "flowDetail"))
        if stage.timescale.text:
            layout.addWidget(_label(self.tr("Timescale: %s") % stage.timescale.text, "flowTimescale"))


def _label(text: str, name: str) -> QLabel:
    label = QLabel(text, objectName=name, wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # policy text is data: never interpret it as HTML
    return label


class PolicyFlow(QScrollArea):
    """Shows `set_pack(pack)`'s stages; `set_pack(None)` shows a prompt to choose a partnership."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setStyleSheet(FLOW_STYLE)
        self.setAccessibleName(self.tr("Escalation stages"))
        self.pack: PolicyPack | None = None
        self.boxes: list[StageBox] = []
        self.set_pack(None)

    def set_pack(self, pack: PolicyPack | None) -> None:
        self.pack = pack
        self.boxes = []
        body = QWidget()
        body.setObjectName("flowBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 12, 4)
        layout.setSpacing(0)
        if pack is None:
            layout.addWidget(
                _label(self.tr("Choose a partnership to see its escalation stages."), "flowTimescale")
            )
        else:
            self._add_stages(layout, pack)
        layout.addStretch(1)
        self.setWidget(body)  # replaces (and deletes) the previous body

    def _add_stages(self, layout: QVBoxLayout, pack: PolicyPack) -> None:
        if pack.overall_timescale and pack.overall_timescale.text:
            intro = _label(self.tr("Overall: %s") % pack.overall_timescale.text, "flowTimescale")
            intro.setContentsMargins(0, 0, 0, 6)
            layout.addWidget(intro)
        for index, stage in enumerate(pack.stages):
            if index:
                layout.addWidget(FlowArrow())
            box = StageBox(stage)
            self.boxes.append(box)
            layout.addWidget(box)
