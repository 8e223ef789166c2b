"""A pyqtgraph view box whose left button points at the data instead of panning the view."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal


class DragViewBox(pg.ViewBox):
    """Reports left-button clicks and drags in data coordinates; other buttons behave as usual.

    ``clicked(x, y)`` on a click; ``dragged(x0, y0, x, y, finished)`` for every move of a drag, from
    where the button went down to where the pointer is; ``point_moved(x, y)`` on both, with the
    pointer's position (for views where the lecturer places or drags one point).
    """

    clicked = Signal(float, float)
    dragged = Signal(float, float, float, float, bool)
    point_moved = Signal(float, float)

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph API
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseClickEvent(ev)
            return
        ev.accept()
        p = self.mapSceneToView(ev.scenePos())
        self.clicked.emit(p.x(), p.y())
        self.point_moved.emit(p.x(), p.y())

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 - pyqtgraph API
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        a = self.mapSceneToView(ev.buttonDownScenePos())
        b = self.mapSceneToView(ev.scenePos())
        self.dragged.emit(a.x(), a.y(), b.x(), b.y(), ev.isFinish())
        self.point_moved.emit(b.x(), b.y())
