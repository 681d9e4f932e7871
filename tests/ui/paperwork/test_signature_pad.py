"""The signature pad: mouse, pen and touch all draw; the PNG is cropped to the ink; Clear empties it."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from dsl_desk.ui.paperwork.signature_pad import SignaturePad


@pytest.fixture
def pad(qtbot) -> SignaturePad:
    widget = SignaturePad()
    qtbot.addWidget(widget)
    widget.resize(600, 260)
    widget.show()
    return widget


def draw_wave(canvas, start: QPoint | None = None, steps: int = 40) -> None:
    """A wavy stroke like a signature, made of real press/move/release events."""
    start = start or QPoint(60, 90)
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    for i in range(1, steps + 1):
        QTest.mouseMove(canvas, QPoint(start.x() + i * 5, start.y() + round(20 * math.sin(i / 3))))
    end = QPoint(start.x() + steps * 5, start.y())
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)


def decode(png: bytes) -> QImage:
    image = QImage()
    assert image.loadFromData(png, "PNG")
    return image


def test_a_new_pad_is_empty(pad):
    assert pad.is_empty()
    assert pad.png_bytes() is None
    assert not pad.clear_button.isEnabled()


def test_drawing_with_the_mouse_gives_a_png_cropped_to_the_ink(qtbot, pad):
    with qtbot.waitSignal(pad.changed, timeout=1000):
        draw_wave(pad.canvas)
    assert not pad.is_empty()
    png = pad.png_bytes()
    assert png is not None
    assert png.startswith(b"\x89PNG")
    image = decode(png)
    # The wave spans 200 x ~40 screen pixels; the PNG is that at twice the resolution plus a small margin,
    # not the whole 600-pixel-wide pad.
    assert 380 <= image.width() <= 460
    assert 60 <= image.height() <= 130
    assert image.hasAlphaChannel()
    assert image.pixelColor(0, 0).alpha() == 0  # the background is transparent, so it sits on any form
    assert pad.clear_button.isEnabled()


def test_clear_empties_the_pad_and_says_so(qtbot, pad):
    draw_wave(pad.canvas)
    with qtbot.waitSignal(pad.changed, timeout=1000):
        qtbot.mouseClick(pad.clear_button, Qt.MouseButton.LeftButton)
    assert pad.is_empty()
    assert pad.png_bytes() is None
    assert not pad.clear_button.isEnabled()


def test_a_dot_counts_as_ink(pad):
    QTest.mouseClick(pad.canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    png = pad.png_bytes()
    assert png is not None
    assert decode(png).width() > 0


def test_a_pen_draws_through_tablet_events(qtbot, pad):
    pen = QPointingDevice(
        "test pen",
        1001,
        QInputDevice.DeviceType.Stylus,
        QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
        1,
        3,
    )

    def send(kind: QTabletEvent.Type, x: float, y: float) -> None:
        local = QPointF(x, y)
        buttons = (
            Qt.MouseButton.NoButton if kind == QTabletEvent.Type.TabletRelease else Qt.MouseButton.LeftButton
        )
        event = QTabletEvent(
            kind,
            pen,
            local,
            QPointF(pad.canvas.mapToGlobal(local)),
            0.5,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            Qt.KeyboardModifier.NoModifier,
            Qt.MouseButton.LeftButton,
            buttons,
        )
        QApplication.sendEvent(pad.canvas, event)

    with qtbot.waitSignal(pad.changed, timeout=1000):
        send(QTabletEvent.Type.TabletPress, 50, 50)
        for i in range(1, 30):
            send(QTabletEvent.Type.TabletMove, 50 + i * 4, 50 + i)
        send(QTabletEvent.Type.TabletRelease, 170, 80)
    assert len(pad.canvas.strokes) == 1
    assert len(pad.canvas.strokes[0]) >= 20
    assert pad.png_bytes() is not None


def test_a_finger_draws_through_touch_events(qtbot, pad):
    screen = QTest.createTouchDevice()
    with qtbot.waitSignal(pad.changed, timeout=1000):
        QTest.touchEvent(pad.canvas, screen).press(0, QPoint(40, 60)).commit()
        for i in range(1, 20):
            QTest.touchEvent(pad.canvas, screen).move(0, QPoint(40 + i * 6, 60 + i * 2)).commit()
        QTest.touchEvent(pad.canvas, screen).release(0, QPoint(160, 100)).commit()
    assert len(pad.canvas.strokes) == 1
    assert len(pad.canvas.strokes[0]) >= 10
    assert pad.png_bytes() is not None


def test_several_strokes_are_all_kept(pad):
    draw_wave(pad.canvas, QPoint(40, 80), 10)
    draw_wave(pad.canvas, QPoint(200, 120), 10)
    assert len(pad.canvas.strokes) == 2
    image = decode(pad.png_bytes() or b"")
    # Both strokes are inside the crop: from x=40 to x=250 on screen.
    assert image.width() >= 2 * (250 - 40)
