"""The network drawn as what it is: a long convolutional body, a pooling step, a short dense head."""

from __future__ import annotations

import math
from typing import Sequence

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from core.anatomy import CONV, DENSE, POOL, Stage

from ...widgets import style

COLOURS = {CONV: style.BLUE, POOL: style.GREY, DENSE: style.ORANGE}


class StageDiagram(QWidget):
    """One box per stage, left to right; box height shows the feature maps' size. Click to choose."""

    stage_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._stages: list[Stage] = []
        self._input = ""
        self._selected: int | None = None
        self._presentation = False
        self._boxes: list[QRectF] = []
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._update_height()

    def set_stages(self, stages: Sequence[Stage], input_text: str) -> None:
        self._stages = list(stages)
        self._input = input_text
        self._selected = None if self._selected is None or self._selected >= len(stages) else self._selected
        self.update()

    def set_selected(self, index: int | None) -> None:
        self._selected = index
        self.update()

    def set_presentation(self, on: bool) -> None:
        self._presentation = on
        self._update_height()
        self.update()

    def _font(self, scale: float = 1.0, bold: bool = False) -> QFont:
        f = QFont(self.font())
        f.setPointSizeF(style.axis_pt(self._presentation) * scale)
        f.setBold(bold)
        return f

    def _update_height(self) -> None:
        line = QFontMetrics(self._font()).height()
        self.setFixedHeight(int(line * 6.2 + 50))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(900, self.height())

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        if not self._stages:
            p.setFont(self._font(1.2))
            p.setPen(QColor(style.GREY))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "reading the network's stages…")
            p.end()
            return
        fm = QFontMetrics(self._font())
        line = fm.height()
        top_band = line * 1.6  # the brackets' labels
        label_h = line * 3.2  # name, channels, size under each box
        w, h = self.width(), self.height()
        box_area = h - top_band - label_h - 16
        n = len(self._stages) + 2  # input and class scores at the ends
        gap = 6
        slot = (w - 8) / n
        bw = max(8.0, slot - gap)
        sizes = [s.shape[1] if s.spatial else 1 for s in self._stages]
        biggest = max(max(sizes), 1)
        self._boxes = []
        x = 4 + slot
        for s, size in zip(self._stages, sizes):
            frac = 0.22 + 0.78 * math.sqrt(size / biggest) if s.spatial else 0.22
            bh = box_area * frac
            y = top_band + 8 + (box_area - bh) / 2
            self._boxes.append(QRectF(x, y, bw, bh))
            x += slot
        # input and output nodes
        p.setFont(self._font(0.85))
        pixels = "pixels\n" + self._input.replace("×", "×\u200b")  # may wrap after a ×
        for rect, text, colour in ((QRectF(4, top_band + 8, bw, box_area), pixels, "#EEEEEE"),
                                   (QRectF(4 + slot * (n - 1), top_band + 8 + box_area * 0.3, bw, box_area * 0.4),
                                    "class\nscores", "#FCE9C8")):
            p.setPen(QPen(QColor(style.GREY), 1.5))
            p.setBrush(QColor(colour))
            p.drawRoundedRect(rect, 6, 6)
            p.setPen(QColor(style.BLACK))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
        # boxes and their labels
        for i, (s, rect) in enumerate(zip(self._stages, self._boxes)):
            colour = QColor(COLOURS[s.kind])
            fill = QColor(colour)
            fill.setAlpha(235 if i == self._selected else 150)
            p.setPen(QPen(QColor(style.BLACK) if i == self._selected else colour, 4 if i == self._selected else 1.5))
            p.setBrush(fill)
            p.drawRoundedRect(rect, 5, 5)
            p.setPen(QColor(style.BLACK))
            p.setFont(self._font(0.9, bold=(i == self._selected)))
            y = top_band + 8 + box_area + 4
            name = QFontMetrics(p.font()).elidedText(s.name, Qt.TextElideMode.ElideRight, int(slot - 2))
            p.drawText(QRectF(rect.x() - gap / 2, y, slot, line), Qt.AlignmentFlag.AlignHCenter, name)
            p.setFont(self._font(0.9))
            chans = f"{s.channels}"
            where = f"{s.shape[1]}×{s.shape[2]}" if len(s.shape) == 3 else "vector"
            p.drawText(QRectF(rect.x() - gap / 2, y + line, slot, line), Qt.AlignmentFlag.AlignHCenter, chans)
            p.setPen(QColor("#444444"))
            p.drawText(QRectF(rect.x() - gap / 2, y + 2 * line, slot, line), Qt.AlignmentFlag.AlignHCenter, where)
        # brackets over the two parts
        p.setFont(self._font(1.05, bold=True))
        for kind, text in ((CONV, "convolutional part: extracts features"), (DENSE, "dense part: uses them")):
            rects = [r for s, r in zip(self._stages, self._boxes) if s.kind == kind]
            if not rects:
                continue
            x0, x1 = rects[0].left(), rects[-1].right()
            colour = QColor(COLOURS[kind])
            p.setPen(QPen(colour, 3))
            yb = top_band - 2
            p.drawLine(int(x0), int(yb), int(x1), int(yb))
            p.drawLine(int(x0), int(yb), int(x0), int(yb + 6))
            p.drawLine(int(x1), int(yb), int(x1), int(yb + 6))
            p.setPen(QColor(style.BLACK))
            tw = QFontMetrics(p.font()).horizontalAdvance(text) + 8
            if x1 - x0 >= tw:
                p.drawText(QRectF(x0, 2, x1 - x0, line * 1.3), Qt.AlignmentFlag.AlignHCenter, text)
            else:  # a short dense part: its label ends at the right edge
                right = min(float(w - 4), x1 + 2 * slot)
                p.drawText(QRectF(right - tw, 2, tw, line * 1.3), Qt.AlignmentFlag.AlignRight, text)
        p.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        pos = event.position()
        for i, rect in enumerate(self._boxes):
            if rect.adjusted(-3, -3, 3, 40).contains(pos):
                self._selected = i
                self.update()
                self.stage_clicked.emit(i)
                return

    def box(self, index: int) -> QRectF:
        return self._boxes[index]
