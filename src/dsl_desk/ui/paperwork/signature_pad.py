"""A pad to draw a signature with a mouse, a finger or a pen. The ink is kept as strokes (not pixels) so the
saved PNG is cropped to the ink and drawn smoothly at print resolution, whatever size the pad was on screen."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from dsl_desk.ui import theme

INK = QColor("#102a43")
PEN_WIDTH = 2.6  # on-screen pixels: reads like a ballpoint at 100-150% scaling
# The PNG is drawn at this many pixels per on-screen pixel so it stays crisp on a printed form.
EXPORT_SCALE = 2.0
EXPORT_MAX_WIDTH = 1200
EXPORT_MARGIN = 8.0

Stroke = list[QPointF]


class SignatureCanvas(QWidget):
    """The drawing surface. `strokes` holds every line drawn since the last clear."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strokes: list[Stroke] = []
        self._drawing = False
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumSize(320, 150)
        self.setAccessibleName(self.tr("Signature drawing area"))
        self.setAccessibleDescription(
            self.tr("Draw your signature with the mouse, a finger or a pen. It is optional.")
        )

    def sizeHint(self) -> QSize:
        return QSize(560, 200)

    def fit_height_to_font(self) -> None:
        """About six lines of text tall: room for a signature at any display scaling."""
        self.setFixedHeight(max(150, self.fontMetrics().height() * 9))

    def is_empty(self) -> bool:
        return not self.strokes

    def clear(self) -> None:
        if not self.strokes:
            return
        self.strokes.clear()
        self.update()
        self.changed.emit()

    # -- input: mouse, pen and touch all end up in _begin/_extend/_end --------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drawing and event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._end()
        event.accept()

    def tabletEvent(self, event: QTabletEvent) -> None:
        # Accepting stops Qt from also sending the same movement as synthesised mouse events.
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QTabletEvent.Type.TabletMove and self._drawing:
            self._extend(event.position())
        elif kind == QTabletEvent.Type.TabletRelease:
            self._end()
        event.accept()

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QTouchEvent):
            self._touch(event)
            return True
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        # One finger draws; a second finger is ignored so a resting palm does not scribble.
        points = event.points()
        if not points:
            return
        position = points[0].position()
        if event.type() == QTouchEvent.Type.TouchBegin:
            self._begin(position)
        elif event.type() == QTouchEvent.Type.TouchUpdate and self._drawing:
            self._extend(position)
        elif event.type() in (QTouchEvent.Type.TouchEnd, QTouchEvent.Type.TouchCancel):
            self._end()
        event.accept()

    def _begin(self, point: QPointF) -> None:
        self._drawing = True
        self.strokes.append([QPointF(point)])
        self.update()

    def _extend(self, point: QPointF) -> None:
        stroke = self.strokes[-1]
        if stroke and (stroke[-1] - point).manhattanLength() < 0.5:
            return  # high-rate pens repeat the same point; skipping keeps strokes small
        stroke.append(QPointF(point))
        self.update()

    def _end(self) -> None:
        if not self._drawing:
            return
        self._drawing = False
        self.update()
        self.changed.emit()

    # -- drawing --------------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(theme.PANEL))
        self._paint_guide(painter)
        paint_strokes(painter, self.strokes, PEN_WIDTH)
        painter.end()

    def _paint_guide(self, painter: QPainter) -> None:
        """A signing line and a faint cross, as on paper, so people know where to sign."""
        baseline = self.height() * 0.72
        painter.setPen(QPen(QColor("#9aa5b1"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(24, baseline), QPointF(self.width() - 24, baseline))
        if not self.strokes:
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(
                QRectF(24, baseline + 4, self.width() - 48, self.height() - baseline - 4),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                self.tr("Sign above the line"),
            )
        painter.setPen(QPen(QColor("#c5ccd5"), 1))
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))


def paint_strokes(painter: QPainter, strokes: list[Stroke], width: float) -> None:
    pen = QPen(INK, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for stroke in strokes:
        if len(stroke) == 1:
            painter.drawPoint(stroke[0])  # a dot (the i in a name) is a stroke with one point
            continue
        path = QPainterPath(stroke[0])
        for point in stroke[1:]:
            path.lineTo(point)
        painter.drawPath(path)


def ink_bounds(strokes: list[Stroke]) -> QRectF:
    xs = [p.x() for stroke in strokes for p in stroke]
    ys = [p.y() for stroke in strokes for p in stroke]
    return QRectF(QPointF(min(xs), min(ys)), QPointF(max(xs), max(ys)))


def strokes_to_png(strokes: list[Stroke]) -> bytes | None:
    """The ink cropped to its bounds plus a small margin, on a transparent background, as PNG bytes."""
    if not strokes:
        return None
    bounds = ink_bounds(strokes).adjusted(-EXPORT_MARGIN, -EXPORT_MARGIN, EXPORT_MARGIN, EXPORT_MARGIN)
    scale = min(EXPORT_SCALE, EXPORT_MAX_WIDTH / max(bounds.width(), 1.0))
    size = QSize(max(1, round(bounds.width() * scale)), max(1, round(bounds.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(scale, scale)
    painter.translate(-bounds.topLeft())
    paint_strokes(painter, strokes, PEN_WIDTH)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


class SignaturePad(QWidget):
    """The canvas with a Clear button and a line of help. `changed` fires after each stroke and on clear."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.canvas = SignatureCanvas(self)
        self.canvas.fit_height_to_font()
        self.canvas.changed.connect(self._on_canvas_changed)
        layout.addWidget(self.canvas)
        row = QHBoxLayout()
        self.help = QLabel(
            self.tr("Use the mouse, a finger or a pen. Press Clear to start again."), objectName="hint"
        )
        self.help.setWordWrap(True)
        row.addWidget(self.help, 1)
        self.clear_button = QPushButton(self.tr("C&lear"))
        self.clear_button.setAccessibleName(self.tr("Clear the signature"))
        self.clear_button.clicked.connect(self.clear)
        self.clear_button.setEnabled(False)
        row.addWidget(self.clear_button)
        layout.addLayout(row)

    def is_empty(self) -> bool:
        return self.canvas.is_empty()

    def clear(self) -> None:
        self.canvas.clear()

    def png_bytes(self) -> bytes | None:
        return strokes_to_png(self.canvas.strokes)

    def _on_canvas_changed(self) -> None:
        self.clear_button.setEnabled(not self.canvas.is_empty())
        self.changed.emit()
