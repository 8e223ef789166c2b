"""A small canvas to draw a digit with the mouse: white ink on black, like MNIST."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

CANVAS = 224  # drawing resolution (8× MNIST); the detector makes it MNIST-style itself


class DrawCanvas(QWidget):
    """Draw with the left button; ``drawn`` is emitted when a stroke ends."""

    drawn = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._image = QImage(CANVAS, CANVAS, QImage.Format.Format_Grayscale8)
        self._image.fill(QColor("black"))
        self._last: QPointF | None = None
        self._empty = True
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFixedSize(CANVAS, CANVAS)
        self.setToolTip("Draw a digit with the mouse; it is judged when you let go.")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(CANVAS, CANVAS)

    def clear(self) -> None:
        self._image.fill(QColor("black"))
        self._empty = True
        self.update()

    @property
    def is_empty(self) -> bool:
        return self._empty

    def pixels(self) -> np.ndarray:
        """The drawing as a CANVAS×CANVAS uint8 array (white ink on black)."""
        ptr = self._image.constBits()
        arr = np.frombuffer(ptr, dtype=np.uint8).reshape(CANVAS, self._image.bytesPerLine())
        return arr[:, :CANVAS].copy()

    def _scale(self) -> float:
        return CANVAS / max(1, min(self.width(), self.height()))

    def stroke(self, a: QPointF, b: QPointF) -> None:
        """Draw a line in canvas coordinates (also used by tests)."""
        p = QPainter(self._image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor("white"), CANVAS / 11, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        p.drawLine(a, b)
        p.end()
        self._empty = False
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = event.position() * self._scale()
            self.stroke(self._last, self._last)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._last is not None:
            pos = event.position() * self._scale()
            self.stroke(self._last, pos)
            self._last = pos

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._last is not None and event.button() == Qt.MouseButton.LeftButton:
            self._last = None
            self.drawn.emit()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.drawImage(self.rect(), self._image)
        p.setPen(QPen(QColor("#888"), 1))
        p.drawRect(self.rect().adjusted(0, 0, -1, -1))
        p.end()
