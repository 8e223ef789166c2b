"""Rows of small grey images (e.g. inputs above reconstructions) drawn as one mosaic image.

One ``ImageItem`` for the whole mosaic (not one item per digit), a name left of each row and an
optional number under each column (e.g. each digit's loss).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetricsF

from . import style
from .image_panel import TitledImageView

GAP = 3  # pixels between tiles, in image pixels


def mosaic(rows: Sequence[np.ndarray], gap: int = GAP, fill: int = 128) -> np.ndarray:
    """Tile rows of (n, h, w) uint8 images into one (r·h + gaps, n·w + gaps) uint8 image."""
    rows = [np.asarray(r) for r in rows if r is not None and len(r)]
    if not rows:
        return np.zeros((1, 1), np.uint8)
    n = max(len(r) for r in rows)
    h, w = rows[0].shape[1:3]
    out = np.full((len(rows) * h + (len(rows) - 1) * gap, n * w + (n - 1) * gap), fill, np.uint8)
    for i, r in enumerate(rows):
        for j, img in enumerate(r):
            out[i * (h + gap):i * (h + gap) + h, j * (w + gap):j * (w + gap) + w] = img
    return out


class DigitStrip(TitledImageView):
    """A titled mosaic: ``set_rows([inputs, recons], names=[...], values=[...])``."""

    def __init__(self, title: str = "", parent=None) -> None:
        super().__init__(title, parent)
        self._row_labels: list[pg.TextItem] = []
        self._col_labels: list[pg.TextItem] = []
        self._layout_key: tuple | None = None
        self.tiles: np.ndarray | None = None  # the last rows shown, (r, n, h, w)
        self._tile_w = 28
        self.set_title(title)
        self.setMinimumHeight(140)
        self.view.sigResized.connect(self._fit_texts)
        self.view.sigRangeChanged.connect(self._fit_texts)

    def set_title(self, text: str) -> None:
        self._title_text = text
        self._title.setText(text, size=f"{self._title_pt()}pt", bold=True)

    def _title_pt(self) -> int:
        """The title's size, smaller (down to 8 pt) when the widget is too narrow for it."""
        pt = style.title_pt(self._presentation)
        width = self.width() - 12
        if self._title_text and width > 0:
            f = QFont()
            f.setBold(True)
            while pt > 8:
                f.setPointSize(pt)
                if QFontMetricsF(f).horizontalAdvance(self._title_text) <= width:
                    break
                pt -= 1
        return pt

    def resizeEvent(self, ev) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(ev)
        if not hasattr(self, "_tile_w"):  # during construction
            return
        self._title.setText(self._title_text, size=f"{self._title_pt()}pt", bold=True)
        self._fit_texts()

    def _fit_texts(self, *_args) -> None:
        """Numbers under the tiles are never cut or run into each other: their font shrinks to the
        width of a tile on screen (down to 7 pt)."""
        visible = [t for t in self._col_labels if t.isVisible()]
        if not visible:
            return
        px_per_unit = self.view.width() / max(self.view.viewRect().width(), 1e-9)
        room = self._tile_w * px_per_unit + GAP * px_per_unit * 0.8
        widest = max(visible, key=lambda t: len(t.toPlainText())).toPlainText()
        f = self._font(1)
        while f.pointSize() > 7 and QFontMetricsF(f).horizontalAdvance(widest + " ") > room:
            f.setPointSize(f.pointSize() - 1)
        for t in visible:
            t.setFont(f)

    def _font(self, extra: int = 0) -> QFont:
        f = QFont()
        f.setPointSize(style.axis_pt(self._presentation) + extra)
        return f

    def _texts(self, store: list[pg.TextItem], n: int, anchor) -> list[pg.TextItem]:
        while len(store) < n:
            t = pg.TextItem("", color=style.BLACK, anchor=anchor)
            self.view.addItem(t)
            store.append(t)
        for i, t in enumerate(store):
            t.setVisible(i < n)
        return store[:n]

    def set_rows(self, rows: Sequence[np.ndarray], names: Sequence[str] = (),
                 values: Sequence[str] | None = None, value_colors: Sequence[str] | None = None) -> None:
        rows = [np.asarray(r) for r in rows]
        img = mosaic(rows)
        self.tiles = np.stack(rows) if rows and all(r.shape == rows[0].shape for r in rows) else None
        self.item.setImage(img, autoLevels=False, levels=(0, 255))
        h, w = rows[0].shape[1:3] if rows else (28, 28)
        self._tile_w = w
        label_w = 4.2 * w if names else 0
        bottom = 0.75 * h if values is not None else 0
        key = (img.shape, bool(names), values is not None)
        if key != self._layout_key:
            self._layout_key = key
            self.view.setRange(xRange=(-label_w, img.shape[1]), yRange=(0, img.shape[0] + bottom), padding=0.02)
        for i, t in enumerate(self._texts(self._row_labels, len(names), (1, 0.5))):
            t.setText(names[i])
            t.setFont(self._font())
            t.setPos(-GAP, i * (h + GAP) + h / 2)
        vals = list(values or [])
        colors = list(value_colors or [])
        for j, t in enumerate(self._texts(self._col_labels, len(vals) if values is not None else 0, (0.5, 0))):
            t.setText(vals[j])
            t.setColor(colors[j] if j < len(colors) else style.BLACK)
            t.setFont(self._font(1))
            t.setPos(j * (w + GAP) + w / 2, img.shape[0] + 1)
        self._fit_texts()

    def row_names(self) -> list[str]:
        """The names shown left of the rows, top to bottom."""
        return [t.toPlainText() for t in self._row_labels if t.isVisible()]

    def values(self) -> list[str]:
        """The numbers shown under the columns, left to right."""
        return [t.toPlainText() for t in self._col_labels if t.isVisible()]

    def set_presentation(self, on: bool) -> None:
        super().set_presentation(on)
        for t in self._row_labels:
            t.setFont(self._font())
        for t in self._col_labels:
            t.setFont(self._font(1))
        self._fit_texts()
