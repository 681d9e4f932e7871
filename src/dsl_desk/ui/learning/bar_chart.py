"""Horizontal bar charts drawn with QPainter: plain, or stacked (timescale met / missed).

QtCharts is not in PySide6-Essentials, and a governor's chart needs nothing it offers: a label, a bar,
and the number at its end. The numbers are also the widget's accessible description, for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from dsl_desk.ui import theme

_ROW = 26
_TOP = 30
_LEGEND = 22
_BAR = 16


@dataclass(frozen=True)
class Series:
    name: str
    colour: str


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[int, ...]  # one per series

    @property
    def total(self) -> int:
        return sum(self.values)


class BarChart(QWidget):
    def __init__(self, title: str, series: Sequence[Series], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.series = tuple(series)
        self.bars: tuple[Bar, ...] = ()
        self.empty_text = "None in this period."
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(title)

    def set_bars(self, bars: Sequence[Bar]) -> None:
        self.bars = tuple(bars)
        self.setAccessibleDescription(
            "; ".join(f"{bar.label}: {', '.join(str(v) for v in bar.values)}" for bar in self.bars)
            or self.empty_text
        )
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def sizeHint(self) -> QSize:
        legend = _LEGEND if len(self.series) > 1 else 0
        return QSize(480, _TOP + legend + _ROW * max(1, len(self.bars)) + 8)

    def event(self, event: QEvent) -> bool:
        # Long labels are elided on screen; the tooltip gives the whole label and its numbers.
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            bar = self.bar_at(event.pos().y())
            if bar is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(
                    event.globalPos(), f"{bar.label}: {', '.join(str(v) for v in bar.values)}", self
                )
            return True
        return super().event(event)

    def bar_at(self, y: float) -> Bar | None:
        top = _TOP + (_LEGEND if len(self.series) > 1 else 0)
        index = int((y - top) // _ROW)
        return self.bars[index] if y >= top and 0 <= index < len(self.bars) else None

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        title_font = QFont(self.font())
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(QColor(theme.INK))
        painter.drawText(
            QRectF(0, 0, self.width(), _TOP - 6),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self.title,
        )
        painter.setFont(self.font())
        top = _TOP
        if len(self.series) > 1:
            self._legend(painter, top)
            top += _LEGEND
        if not self.bars:
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(
                QRectF(0, top, self.width(), _ROW), Qt.AlignmentFlag.AlignVCenter, self.empty_text
            )
            return
        self._bars(painter, top)

    def _legend(self, painter: QPainter, top: float) -> None:
        x = 0.0
        metrics = QFontMetrics(self.font())
        for series in self.series:
            painter.fillRect(QRectF(x, top + 4, 12, 12), QColor(series.colour))
            painter.setPen(QColor(theme.INK))
            painter.drawText(QRectF(x + 16, top, 400, 20), Qt.AlignmentFlag.AlignVCenter, series.name)
            x += 16 + metrics.horizontalAdvance(series.name) + 18

    def _bars(self, painter: QPainter, top: float) -> None:
        metrics = QFontMetrics(self.font())
        label_width = min(
            self.width() * 0.42, max(metrics.horizontalAdvance(b.label) for b in self.bars) + 10
        )
        plot_width = max(40.0, self.width() - label_width - 36)
        largest = max((bar.total for bar in self.bars), default=0) or 1
        for index, bar in enumerate(self.bars):
            y = top + index * _ROW
            painter.setPen(QColor(theme.INK))
            label = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, int(label_width - 10))
            painter.drawText(
                QRectF(0, y, label_width - 10, _ROW),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            x = label_width
            for value, series in zip(bar.values, self.series, strict=True):
                width = plot_width * value / largest
                segment = QRectF(x, y + (_ROW - _BAR) / 2, width, _BAR)
                painter.fillRect(segment, QColor(series.colour))
                if value and len(self.series) > 1 and width > metrics.horizontalAdvance(str(value)) + 6:
                    painter.setPen(QColor("white"))
                    painter.drawText(segment, Qt.AlignmentFlag.AlignCenter, str(value))
                x += width
            painter.setPen(QColor(theme.INK))
            painter.drawText(QRectF(x + 6, y, 40, _ROW), Qt.AlignmentFlag.AlignVCenter, str(bar.total))
