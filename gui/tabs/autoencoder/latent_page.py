"""Page 4 · Latent space: the validation digits' codes as a map; click to decode, drag for a path."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from core import autoencoders as ae
from core.errors import UserError

from ...widgets import DragViewBox, ImagePanel, style
from ...widgets.digit_strip import DigitStrip
from .session import AutoencoderSession
from .widgets import DIGIT_COLORS, plot_font

MAP_DIGITS = 2000


class LatentPage(QWidget):
    status = Signal(str)

    def __init__(self, session: AutoencoderSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.map: ae.LatentMap | None = None
        self.labels: np.ndarray | None = None
        self._presentation = False
        grid = QGridLayout(self)
        self.view_box = DragViewBox()
        self.plot = pg.PlotWidget(viewBox=self.view_box, background="w")
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self._scatter: list[pg.ScatterPlotItem] = []
        self._centroids: list[pg.TextItem] = []
        for d in range(10):
            item = pg.ScatterPlotItem([], [], size=6, pen=None, brush=pg.mkBrush(DIGIT_COLORS[d]), name=f"digit {d}")
            self.plot.addItem(item)
            self._scatter.append(item)
        for d in range(10):
            t = pg.TextItem(str(d), color=DIGIT_COLORS[d], anchor=(0.5, 0.5), fill=pg.mkBrush(255, 255, 255, 200))
            t.setZValue(20)
            t.setVisible(False)
            self.plot.addItem(t)
            self._centroids.append(t)
        self._drag_line = pg.PlotDataItem([], [], pen=pg.mkPen(style.BLACK, width=3), symbol="o", symbolSize=12,
                                          symbolBrush=style.YELLOW)
        self.plot.addItem(self._drag_line)
        self.view_box.clicked.connect(self.decode_at)
        self.view_box.dragged.connect(self.path_between)
        grid.addWidget(self.plot, 0, 0)
        self.decoded_panel = ImagePanel("Click the map")
        self.decoded_panel.setMinimumSize(180, 200)
        self.decoded_panel.set_note("")
        grid.addWidget(self.decoded_panel, 0, 1)
        self.info = QLabel("")
        self.info.setWordWrap(True)
        grid.addWidget(self.info, 1, 0, 1, 2)
        self.interp_strip = DigitStrip("Drag from one digit to another: the path between their codes")
        self.interp_strip.setMinimumHeight(110)
        grid.addWidget(self.interp_strip, 2, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(0, 4)
        grid.setRowStretch(2, 1)
        self.set_presentation(False)
        self._empty_axes()
        session.model_changed.connect(lambda _t: self.refresh())
        session.digits_changed.connect(lambda _d: self.refresh())

    def set_presentation(self, on: bool) -> None:
        self._presentation = on
        font = plot_font(on)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setTickFont(font)
            self.plot.getAxis(side).label.setFont(font)
        big = plot_font(on, extra=7, bold=True)
        for t in self._centroids:
            t.setFont(big)

    def _empty_axes(self) -> None:
        self.plot.setLabel("bottom", "code axis 1")
        self.plot.setLabel("left", "code axis 2")
        self.plot.setXRange(-1, 1, padding=0.05)
        self.plot.setYRange(-1, 1, padding=0.05)

    def _clear(self, why: str = "") -> None:
        self.map = None
        for item in self._scatter:
            item.setData([], [])
        for t in self._centroids:
            t.setVisible(False)
        self._drag_line.setData([], [])
        self._empty_axes()
        self.info.setText(why)

    def refresh(self) -> None:
        t = self.session.trained
        if t is None:
            self._clear()
            return
        d = self.session.digits
        n = min(len(d.x_val), MAP_DIGITS)
        try:
            self.map = ae.latent_map(ae.encode(t.model, d.x_val[:n]))
        except UserError as exc:
            self._clear(str(exc)[:1].upper() + str(exc)[1:])
            self.status.emit(str(exc))
            return
        self.labels = d.y_val[:n]
        pts = self.map.points
        for digit in range(10):
            sel = self.labels == digit
            self._scatter[digit].setData(pts[sel, 0], pts[sel, 1])
            self._centroids[digit].setVisible(bool(sel.any()))
            if sel.any():
                cx, cy = np.median(pts[sel], axis=0)
                self._centroids[digit].setPos(float(cx), float(cy))
        self._drag_line.setData([], [])
        if self.map.exact:
            self.plot.setLabel("bottom", "code number 1")
            self.plot.setLabel("left", "code number 2")
            how = "The code has 2 numbers: this is the code itself."
        else:
            self.plot.setLabel("bottom", "main direction 1 of the codes")
            self.plot.setLabel("left", "main direction 2")
            how = (f"The code has {t.config.latent} numbers: the map shows its two main directions (PCA, "
                   f"{self.map.explained:.0%} of the spread); a code of 2 shows the code itself.")
        self.info.setText(f"{n:,} validation digits, coloured by their true label (the big digit marks the "
                          f"middle of each class). {how}")
        self.view_box.autoRange(padding=0.05)
        self.decode_at(*map(float, pts[0]))
        fours, nines = np.flatnonzero(self.labels == 4), np.flatnonzero(self.labels == 9)
        if len(fours) and len(nines):  # a first path to look at: from a 4 to a 9
            a, b = pts[fours[0]], pts[nines[0]]
            self.path_between(float(a[0]), float(a[1]), float(b[0]), float(b[1]), True)

    def decode_at(self, x: float, y: float) -> None:
        t = self.session.trained
        if self.map is None or t is None:
            return
        self.decoded_panel.set_image(ae.decode(t.model, self.map.to_code((x, y)))[0])
        self.decoded_panel.set_title(f"at ({x:.1f}, {y:.1f})")

    def path_between(self, ax: float, ay: float, bx: float, by: float, _finished: bool = True) -> None:
        t = self.session.trained
        if self.map is None or t is None or self.labels is None:
            return
        self._drag_line.setData([ax, bx], [ay, by])
        i, j = self.map.nearest((ax, ay)), self.map.nearest((bx, by))
        path = ae.interpolate(t.model, self.map.codes[i], self.map.codes[j], steps=10)
        la, lb = int(self.labels[i]), int(self.labels[j])
        self.interp_strip.set_rows([path], [f"{la} → {lb}"])
        self.interp_strip.set_title(f"From a {la} to a {lb}: the straight line between their codes")
        self.decoded_panel.set_image(path[-1])
        self.decoded_panel.set_title(f"Decoded: a {lb}")
