"""The toy's map: the probability of each class over the plane, the data, the chosen point, its
smallest fooling step (red arrow, split into its parts along and off the curve) and the walk
along the curve to the other class."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont

from core import manifold

from ...widgets import DragViewBox, style

YELLOW_CLASS = "#F5C400"  # the lecture's yellow, a touch deeper than Okabe–Ito's so it shows on white
BLUE_CLASS = style.BLUE
STEP_COLOR = style.VERMILLION
WALK_COLOR = style.PURPLE


def class_lut() -> np.ndarray:
    """256 RGB colours from yellow (P(blue) = 0) through light grey to blue (P(blue) = 1):
    the colour-blind-safe CET-CBD1 map, reversed, lightened so the points stand out."""
    lut = pg.colormap.get("CET-CBD1").getLookupTable(0.0, 1.0, 256, alpha=False).astype(np.float32)
    lut = lut[::-1]
    return (0.55 * lut + 0.45 * 255).clip(0, 255).astype(np.uint8)


class ToyMap(pg.PlotWidget):
    """Draws what the session holds; a click or a left-button drag moves the point (``view.point_moved``)."""

    def __init__(self, parent=None) -> None:
        self.view = DragViewBox(lockAspect=True, enableMenu=False)
        super().__init__(parent, viewBox=self.view, background="w")
        self.view.setMouseEnabled(False, False)
        self._presentation = False
        self._params: manifold.ToyParams | None = None
        self._lut = class_lut()
        plot = self.getPlotItem()
        plot.setLabel("bottom", "feature 1")
        plot.setLabel("left", "feature 2")
        plot.hideButtons()
        ext = manifold.EXTENT
        self.view.setRange(xRange=(-ext, ext), yRange=(-ext, ext), padding=0.03)  # whole end labels

        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setZValue(-20)
        self.boundary = pg.IsocurveItem(level=0.5, pen=pg.mkPen("k", width=3), axisOrder="row-major")
        self.boundary.setParentItem(self.heat)
        self.curve_item = pg.PlotDataItem(pen=pg.mkPen("#333333", width=3, style=Qt.PenStyle.DotLine))
        self.curve_item.setZValue(-5)
        self.scatter = pg.ScatterPlotItem(size=9, pxMode=True)
        self.walk_item = pg.PlotDataItem(pen=pg.mkPen(WALK_COLOR, width=7))
        self.walk_item.setZValue(5)
        self.part_items = [pg.PlotDataItem(pen=pg.mkPen(c, width=2.5, style=Qt.PenStyle.DashLine))
                           for c in (style.GREEN, style.BLACK)]
        self.halo = pg.PlotDataItem(pen=pg.mkPen("w", width=10))  # keeps a short arrow visible on any colour
        self.halo.setZValue(12.5)
        self.shaft = pg.PlotDataItem(pen=pg.mkPen(STEP_COLOR, width=5))
        self.shaft.setZValue(13)
        self.head = pg.ArrowItem(headLen=16, tipAngle=36, pen=pg.mkPen("k", width=1), brush=pg.mkBrush(STEP_COLOR))
        self.head.setZValue(14)
        self.marker = pg.ScatterPlotItem(size=15, pen=pg.mkPen("k", width=2.5), brush=pg.mkBrush("w"))
        self.marker.setZValue(12)
        self.step_text = pg.TextItem("", color=STEP_COLOR, fill=pg.mkBrush(255, 255, 255, 220), anchor=(0, 1))
        self.walk_text = pg.TextItem("", color=WALK_COLOR, fill=pg.mkBrush(255, 255, 255, 220), anchor=(0.5, 0))
        for item in self.part_items:
            item.setZValue(8)
        for t in (self.step_text, self.walk_text):
            t.setZValue(11)
        for item in (self.heat, self.curve_item, self.scatter, self.walk_item, *self.part_items, self.halo,
                     self.shaft, self.head, self.marker, self.step_text, self.walk_text):
            self.view.addItem(item)
        self._step_items = (self.halo, self.shaft, self.head, self.step_text, self.walk_item, self.walk_text,
                            *self.part_items)
        self._apply_fonts()
        self.show_step(None)

    # ------------------------------------------------------------------ read-outs
    def shown_step(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Start and tip of the red arrow as drawn, or ``None`` while no step is shown."""
        if not self.shaft.isVisible():
            return None
        xs, ys = self.shaft.getData()
        return np.array([xs[0], ys[0]]), np.array([xs[1], ys[1]])

    def shown_point(self) -> tuple[float, float] | None:
        xs, ys = self.marker.getData()
        return (float(xs[0]), float(ys[0])) if len(xs) else None

    # ------------------------------------------------------------------ drawing
    def show_frame(self, frame: manifold.ToyFrame) -> None:
        rgb = self._lut[np.clip((frame.prob_grid * 255).round().astype(np.int32), 0, 255)]
        self.heat.setImage(rgb, autoLevels=False, levels=(0, 255))
        g = frame.prob_grid.shape[0]
        ext = frame.extent
        cell = 2 * ext / (g - 1)
        self.heat.setRect(QRectF(-ext - cell / 2, -ext - cell / 2, 2 * ext + cell, 2 * ext + cell))
        self.boundary.setData(frame.prob_grid)
        self.curve_item.setData(frame.curve_points[:, 0], frame.curve_points[:, 1])
        if frame.params != self._params:  # the data change only with the settings
            self._params = frame.params
            brushes = [pg.mkBrush(BLUE_CLASS if y else YELLOW_CLASS) for y in frame.data_y]
            pens = [pg.mkPen("w" if y else "k", width=1.2) for y in frame.data_y]
            self.scatter.setData(frame.data_x[:, 0], frame.data_x[:, 1], brush=brushes, pen=pens)

    def show_point(self, point: tuple[float, float] | None) -> None:
        if point is None:
            self.marker.setData([], [])
            self.show_step(None)
        else:
            self.marker.setData([point[0]], [point[1]])

    def show_step(self, a: manifold.PointAnalysis | None) -> None:
        """The arrow, its two parts, the walk and their labels for ``a`` (hidden for None or no step)."""
        on = a is not None and a.found
        for item in self._step_items:
            item.setVisible(on)
        if not on:
            return
        x0, x1 = a.x, a.x + a.delta
        self.shaft.setData([x0[0], x1[0]], [x0[1], x1[1]])
        self.halo.setData([x0[0], x1[0]], [x0[1], x1[1]])
        angle = math.degrees(math.atan2(a.delta[1], a.delta[0]))
        self.head.setPos(x1[0], x1[1])
        self.head.setStyle(angle=180 - angle)
        mid_t = x0 + a.tangent_part
        self.part_items[0].setData([x0[0], mid_t[0]], [x0[1], mid_t[1]])
        self.part_items[1].setData([mid_t[0], x1[0]], [mid_t[1], x1[1]])
        self.step_text.setText(f"step {a.adv_distance:.2f}")
        # the label sits beyond the tip, on the side the arrow points to, so it never hides the arrow
        self.step_text.setAnchor((0.0 if a.delta[0] >= 0 else 1.0, 0.0 if a.delta[1] < 0 else 1.0))
        self.step_text.setPos(x1[0] + 0.02 * np.sign(a.delta[0]), x1[1] + 0.02 * np.sign(a.delta[1]))
        self.walk_item.setData(a.walk[:, 0], a.walk[:, 1])
        end = a.walk[-1]
        self.walk_text.setText(f"walk {a.on_manifold_distance:.2f}" if math.isfinite(a.on_manifold_distance) else "")
        self.walk_text.setPos(end[0], end[1])

    # ------------------------------------------------------------------ presentation
    def _apply_fonts(self) -> None:
        axis_font = QFont()
        axis_font.setPointSize(style.axis_pt(self._presentation))
        plot = self.getPlotItem()
        for side in ("left", "bottom"):
            plot.getAxis(side).setTickFont(axis_font)
            plot.getAxis(side).label.setFont(axis_font)
        for t in (self.step_text, self.walk_text):
            f = QFont()
            f.setPointSize(style.axis_pt(self._presentation) + 4)
            f.setBold(True)
            t.setFont(f)

    def set_presentation(self, on: bool) -> None:
        self._presentation = on
        self._apply_fonts()
