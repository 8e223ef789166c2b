"""A grid of thumbnails with a caption under each, drawn from one tiled mosaic image.

The job tiles its thumbnails into one uint8 image (``core.evolution.tile``: cells of equal size,
2-pixel gaps, row-major); this view cuts the cells out of it while painting, scales them to fit
(never below ``min_cell`` pixels: beyond that it scrolls, e.g. 1000 ImageNet classes) and writes
each cell's caption under it. Clicking a cell emits ``cell_clicked(index)``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import numpy as np
from PySide6.QtCore import QRect, QSaveFile, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen
from PySide6.QtWidgets import QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from core.errors import ImageError

from . import style

GAP = 2  # must match core.evolution.tile's default


def to_qimage(img: np.ndarray) -> QImage:
    """A uint8 HxW or HxWx3 array as a QImage that owns its pixels."""
    arr = np.ascontiguousarray(img)
    h, w = arr.shape[:2]
    if arr.ndim == 2:
        q = QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_Grayscale8)
    else:
        q = QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_RGB888)
    return q.copy()


def fit_caption(fm: QFontMetrics, line: str, width: int) -> str:
    """A caption line that fits ``width``. "name<TAB>number": the number stays whole and the name
    is elided to the room left (or dropped); other lines are elided at the end."""
    if "\t" not in line:
        return fm.elidedText(line, Qt.TextElideMode.ElideRight, width)
    name, number = line.split("\t", 1)
    if not name:
        return number
    room = width - fm.horizontalAdvance(" " + number)
    if fm.horizontalAdvance(name) <= room:
        return f"{name} {number}"
    if room < fm.horizontalAdvance("W…"):
        return number
    return f"{fm.elidedText(name, Qt.TextElideMode.ElideRight, room)} {number}"


def fit_numbers_font(font: QFont, captions: list[str], width: int, smallest: int = 7) -> QFont:
    """``font``, made smaller where needed so that the widest number of any caption ("name<TAB>number"
    lines) fits ``width`` whole: a narrow cell shrinks its captions rather than cut a confidence."""
    numbers = [line.split("\t", 1)[1] for c in captions for line in c.split("\n") if "\t" in line]
    if not numbers:
        return font
    font = QFont(font)
    while font.pointSize() > smallest and max(QFontMetrics(font).horizontalAdvance(n) for n in numbers) > width:
        font.setPointSize(font.pointSize() - 1)
    return font


class _Canvas(QWidget):
    cell_clicked = Signal(int)

    def __init__(self, owner: "MosaicView") -> None:
        super().__init__()
        self._owner = owner
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        o = self._owner
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#FFFFFF"))
        if o._image is None or o._count == 0:
            p.setPen(QColor(style.GREY))
            p.setFont(o._caption_font())
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, o._placeholder)
            p.end()
            return
        disp_w, disp_h, cap_h, cols = o._geo
        smooth = disp_w < o._cell[1]
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        font = fit_numbers_font(o._caption_font(), o._captions[: o._count], disp_w + o.SPACING - 2)
        p.setFont(font)
        fm = QFontMetrics(font)
        for i in range(o._count):
            target = o.cell_rect(i)
            x, y = target.x(), target.y()
            sr, sc = divmod(i, o._cols)
            src = QRect(GAP + sc * (o._cell[1] + GAP), GAP + sr * (o._cell[0] + GAP), o._cell[1], o._cell[0])
            p.drawImage(target, o._qimage, src)
            hl = o._highlights[i] if i < len(o._highlights) else False
            if i == o._selected:
                p.setPen(QPen(QColor(style.ORANGE), 4))
                p.drawRect(target.adjusted(-2, -2, 2, 2))
            elif hl:
                p.setPen(QPen(QColor(style.TARGET_COLOR), 3))
                p.drawRect(target.adjusted(-1, -1, 1, 1))
            text = o._captions[i] if i < len(o._captions) else ""
            lines = text.split("\n")[: o._lines]
            p.setPen(QColor(style.TARGET_COLOR if hl else style.BLACK))
            for k, line in enumerate(lines):
                line = fit_caption(fm, line, disp_w + o.SPACING - 2)
                p.drawText(QRect(x - o.SPACING // 2, y + disp_h + 1 + k * fm.height(), disp_w + o.SPACING,
                                 fm.height()), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, line)
        p.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        index = self._owner.index_at(event.position().toPoint())
        if index is not None:
            self.cell_clicked.emit(index)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt API
        index = self._owner.index_at(event.position().toPoint())
        o = self._owner
        if index is not None and index < len(o._tooltips) and o._tooltips[index]:
            self.setToolTip(o._tooltips[index])
        else:
            self.setToolTip("")


class MosaicView(QWidget):
    """Title + scrollable grid of captioned thumbnails."""

    cell_clicked = Signal(int)
    PAD = 6
    SPACING = 8

    def __init__(self, title: str = "", *, lines: int = 1, min_cell: int = 56, max_cell: int = 320,
                 placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._presentation = False
        self._lines = lines
        self._min_cell = min_cell
        self._max_cell = max_cell
        self._placeholder = placeholder
        self._image: np.ndarray | None = None
        self._qimage: QImage | None = None
        self._cols = 1
        self._count = 0
        self._cell = (1, 1)
        self._captions: list[str] = []
        self._tooltips: list[str] = []
        self._highlights: list[bool] = []
        self._selected: int | None = None
        self._geo = (1, 1, 1, 1)
        self._title = QLabel(title)
        self._title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._title.setWordWrap(True)  # a long title wraps instead of widening the window
        self.canvas = _Canvas(self)
        self.canvas.cell_clicked.connect(self._clicked)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.canvas)
        self.scroll.setWidgetResizable(False)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setStyleSheet("QScrollArea { background: white; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self._title)
        layout.addWidget(self.scroll, 1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._apply_fonts()

    # -- public
    def set_title(self, text: str) -> None:
        self._title.setText(text)

    def set_mosaic(self, mosaic: np.ndarray, cols: int, count: int, captions: Sequence[str] = (),
                   highlights: Sequence[bool] = (), tooltips: Sequence[str] = ()) -> None:
        rows = max(1, math.ceil(count / cols))
        h, w = mosaic.shape[:2]
        self._cell = ((h - GAP) // rows - GAP, (w - GAP) // cols - GAP)
        self._image = mosaic
        self._qimage = to_qimage(mosaic)
        self._cols, self._count = cols, count
        self._captions, self._highlights, self._tooltips = list(captions), list(highlights), list(tooltips)
        if self._selected is not None and self._selected >= count:
            self._selected = None
        self._relayout()
        self.canvas.update()

    def clear(self) -> None:
        self._image = self._qimage = None
        self._count = 0
        self._selected = None
        self._relayout()
        self.canvas.update()

    def set_selected(self, index: int | None) -> None:
        self._selected = index
        self.canvas.update()

    @property
    def count(self) -> int:
        return self._count

    def cell_rect(self, index: int) -> QRect:
        """Where cell ``index``'s thumbnail is drawn, in canvas coordinates."""
        disp_w, disp_h, cap_h, cols = self._geo
        r, c = divmod(index, cols)
        return QRect(self.PAD + c * (disp_w + self.SPACING), self.PAD + r * (disp_h + cap_h + self.SPACING),
                     disp_w, disp_h)

    def index_at(self, pos) -> int | None:
        if self._count == 0:
            return None
        disp_w, disp_h, cap_h, cols = self._geo
        c = (pos.x() - self.PAD) // (disp_w + self.SPACING)
        r = (pos.y() - self.PAD) // (disp_h + cap_h + self.SPACING)
        if c < 0 or r < 0 or c >= cols:
            return None
        i = int(r * cols + c)
        return i if i < self._count and self.cell_rect(i).adjusted(0, 0, 0, cap_h).contains(pos) else None

    def grab_png(self, path: str | Path) -> Path:
        """Write the whole grid with its captions (also the part scrolled out of view) as one PNG."""
        p = Path(path)
        if p.suffix.lower() != ".png":
            p = p.with_suffix(".png")
        if not p.parent.is_dir():
            raise ImageError(f"the folder “{p.parent}” does not exist.")
        image = self.canvas.grab().toImage()
        f = QSaveFile(str(p))
        if not f.open(QSaveFile.OpenModeFlag.WriteOnly) or not image.save(f, "PNG") or not f.commit():
            raise ImageError(f"could not write “{p.name}”.")
        return p

    def set_presentation(self, on: bool) -> None:
        self._presentation = on
        self._apply_fonts()
        self._relayout()

    # -- internals
    def _caption_font(self) -> QFont:
        f = QFont()
        f.setPointSize(style.axis_pt(self._presentation))
        return f

    def _apply_fonts(self) -> None:
        f = QFont()
        f.setPointSize(style.title_pt(self._presentation))
        f.setBold(True)
        self._title.setFont(f)

    def _geometry(self) -> tuple[int, int, int, int]:
        """Displayed cell width and height, caption height, and the number of columns shown.

        The view re-flows the cells into as many columns as make them largest while all fit; when
        even then they would be smaller than ``min_cell``, they stay at ``min_cell`` and scroll.
        """
        cap_h = QFontMetrics(self._caption_font()).height() * self._lines + 2
        n = max(self._count, 1)
        vw = max(50, self.scroll.viewport().width())
        vh = max(50, self.scroll.viewport().height())
        ch, cw = self._cell
        aspect = ch / max(cw, 1)
        best_w, best_cols = 0.0, 1
        for cols in range(1, n + 1):
            rows = math.ceil(n / cols)
            by_w = (vw - 2 * self.PAD - (cols - 1) * self.SPACING) / cols
            by_h = ((vh - 2 * self.PAD - (rows - 1) * self.SPACING) / rows - cap_h) / max(aspect, 1e-6)
            size = min(by_w, by_h, self._max_cell)
            if size > best_w:
                best_w, best_cols = size, cols
        if best_w < self._min_cell:
            best_w = self._min_cell
            best_cols = max(1, min(n, int((vw - 2 * self.PAD + self.SPACING) // (self._min_cell + self.SPACING))))
        disp_w = int(best_w)
        return disp_w, max(1, int(round(disp_w * aspect))), cap_h, best_cols

    def _relayout(self) -> None:
        if self._count == 0:
            self.canvas.resize(self.scroll.viewport().size())
            return
        self._geo = disp_w, disp_h, cap_h, cols = self._geometry()
        rows = math.ceil(self._count / cols)
        w = 2 * self.PAD + cols * disp_w + (cols - 1) * self.SPACING
        h = 2 * self.PAD + rows * (disp_h + cap_h) + (rows - 1) * self.SPACING
        self.canvas.resize(QSize(w, h))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._relayout()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._relayout()

    def _clicked(self, index: int) -> None:
        self._selected = index
        self.canvas.update()
        self.cell_clicked.emit(index)

    def sizeHint(self) -> QSize:  # noqa: D102 - Qt API
        return QSize(400, 300)


__all__ = ["MosaicView", "fit_caption", "to_qimage"]
