"""The detector's histogram: the validation digits' losses, the threshold, and the tested image."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from core import autoencoders as ae

from ...widgets import style
from .widgets import plot_font

TITLE = "Loss of the validation digits, and of the tested image"


class LossHistogram(pg.PlotWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="w")
        self._presentation = False
        self.setMenuEnabled(False)
        self.setLabel("bottom", "reconstruction loss")
        self.setLabel("left", "validation digits")
        self.showGrid(x=True, y=True, alpha=0.2)
        self.getAxis("bottom").enableAutoSIPrefix(False)
        self.bars = pg.PlotDataItem([], [], stepMode="center", fillLevel=0,
                                    brush=pg.mkBrush(86, 180, 233, 170), pen=pg.mkPen(style.BLUE, width=2))
        self.addItem(self.bars)
        self.threshold_line = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(style.ORANGE, width=3, style=Qt.PenStyle.DashLine), label="",
            labelOpts={"position": 0.62, "color": style.BLACK, "fill": (255, 255, 255, 200)})
        self.test_line = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(style.BLACK, width=4), label="",
            labelOpts={"position": 0.42, "color": style.BLACK, "fill": (255, 255, 255, 220)})
        self.addItem(self.threshold_line)
        self.addItem(self.test_line)
        self.stats = pg.TextItem("", color=style.BLACK, anchor=(1, 0), fill=pg.mkBrush(255, 255, 255, 220))
        self.addItem(self.stats, ignoreBounds=True)
        self.getViewBox().sigRangeChanged.connect(self._place_stats)
        self.set_presentation(False)
        self.show_empty()

    def set_presentation(self, on: bool) -> None:
        self._presentation = on
        style.apply_plot_fonts(self, TITLE, on)
        f = plot_font(on, extra=3, bold=True)
        self.stats.setFont(f)
        for line in (self.threshold_line, self.test_line):
            line.label.setFont(f)

    def show_empty(self) -> None:
        """No model: empty axes over the range a trained model's losses take."""
        self.bars.setData([], [])
        self.threshold_line.setVisible(False)
        self.test_line.setVisible(False)
        self.stats.setText("")
        self.setXRange(0, 0.3, padding=0)
        self.setYRange(0, 100, padding=0)

    def show_losses(self, t: ae.TrainedAE, k: float, verdict: ae.Verdict | None) -> None:
        vals = t.val_losses
        if not len(vals) or not np.isfinite(vals).all():
            self.show_empty()
            return
        thr = t.threshold(k)
        hi = max(float(vals.max()), thr if math.isfinite(thr) else 0.0) * 1.08 or 1.0
        # a liar far to the right would squash the digits into one bar: the axis stops at 1.6× the
        # digits' range and the marker waits at the edge, its label giving the true loss
        cap = hi * 1.6
        loss = verdict.loss if verdict is not None and math.isfinite(verdict.loss) else None
        if loss is not None:
            hi = min(max(hi, loss * 1.08), cap)
        counts, edges = np.histogram(vals, bins=60, range=(0, float(vals.max()) * 1.001 or 1.0))
        self.bars.setData(edges, counts)
        unit = "BCE per pixel" if t.config.loss == "bce" else "MSE per pixel"
        self.setLabel("bottom", f"reconstruction loss ({unit})")
        self.threshold_line.setVisible(math.isfinite(thr))
        if math.isfinite(thr):
            self.threshold_line.setValue(thr)
            self.threshold_line.label.setFormat(f"threshold {thr:.3f}")
        if loss is not None:
            self.test_line.setVisible(True)
            far = loss > hi
            color = style.GREY if verdict.liar is None else (style.ALARM_COLOR if verdict.liar else style.OK_COLOR)
            self.test_line.setValue(hi * 0.985 if far else loss)
            self.test_line.setPen(pg.mkPen(color, width=4,
                                           style=Qt.PenStyle.DotLine if far else Qt.PenStyle.SolidLine))
            self.test_line.label.setFormat(f"tested: {loss:.3f} (far off →)" if far else f"tested: {loss:.3f}")
        else:
            self.test_line.setVisible(False)
        self.stats.setText(f"{len(vals):,} validation digits\nmean {t.mean:.3f}\nstd {t.std:.3f}")
        self.setXRange(0, hi, padding=0)
        self.setYRange(0, max(float(counts.max()), 1.0) * 1.1, padding=0)
        self._place_stats()

    @property
    def test_value(self) -> float | None:
        """Where the tested image's marker stands (None when hidden)."""
        return self.test_line.value() if self.test_line.isVisible() else None

    @property
    def threshold_value(self) -> float | None:
        return self.threshold_line.value() if self.threshold_line.isVisible() else None

    def _place_stats(self, *_args) -> None:
        (_x0, x1), (_y0, y1) = self.getViewBox().viewRange()
        self.stats.setPos(x1, y1)
