"""Rows of small grey images (e.g. inputs above reconstructions) drawn as one mosaic image.

One ``ImageItem`` for the whole mosaic (not one item per digit), a name left of each row and an
optional number under each column (e.g. each digit's loss).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont

from . import style

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


class DigitStrip(pg.GraphicsLayoutWidget):
    """A titled mosaic: ``set_rows([inputs, recons], names=[...], values=[...])``."""

    def __init__(self, title: str = "", parent=None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self._presentation = False
        self._title_text = title
        self._title = self.addLabel(title, row=0, col=0)
        self.view = self.addViewBox(row=1, col=0, lockAspect=True, invertY=True, enableMouse=False)
        self.view.setMenuEnabled(False)
        self.item = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.item)
        self._row_labels: list[pg.TextItem] = []
        self._col_labels: list[pg.TextItem] = []
        self._layout_key: tuple | None = None
        self.tiles: np.ndarray | None = None  # the last rows shown, (r, n, h, w)
        self.set_title(title)
        self.setMinimumHeight(140)

    def set_title(self, text: str) -> None:
        self._title_text = text
        self._title.setText(text, size=f"{style.title_pt(self._presentation)}pt", bold=True)

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

    def row_names(self) -> list[str]:
        """The names shown left of the rows, top to bottom."""
        return [t.toPlainText() for t in self._row_labels if t.isVisible()]

    def values(self) -> list[str]:
        """The numbers shown under the columns, left to right."""
        return [t.toPlainText() for t in self._col_labels if t.isVisible()]

    def set_presentation(self, on: bool) -> None:
        self._presentation = on
        self.set_title(self._title_text)
        for t in self._row_labels:
            t.setFont(self._font())
        for t in self._col_labels:
            t.setFont(self._font(1))
