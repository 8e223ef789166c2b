"""The detector's histogram: the validation digits' losses, the threshold, and the tested image."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from core import autoencoders as ae

from ...widgets import style
from .widgets import plot_font

TITLE = "Validation digits' losses and the tested image"


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
            labelOpts={"position": 0.88, "color": style.BLACK, "fill": (255, 255, 255, 255)})
        self.test_line = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(style.BLACK, width=4), label="",
            labelOpts={"position": 0.62, "color": style.BLACK, "fill": (255, 255, 255, 220)})
        self.addItem(self.threshold_line)
        self.addItem(self.test_line)
        # the word "threshold" (on an opaque box) stays readable where the tested line meets it
        self.threshold_line.setZValue(self.test_line.zValue() + 1)
        self._title = TITLE
        self.set_presentation(False)
        self.show_empty()

    def set_presentation(self, on: bool) -> None:
        self._presentation = on
        style.apply_plot_fonts(self, "", on)
        self.setTitle(None)
        f = plot_font(on, bold=True)
        for line in (self.threshold_line, self.test_line):
            line.label.setFont(f)

    def show_empty(self) -> None:
        """No model: empty axes over the range a trained model's losses take."""
        self.bars.setData([], [])
        self.threshold_line.setVisible(False)
        self.test_line.setVisible(False)
        self._set_title(TITLE)
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
        self.setLabel("bottom", f"loss ({unit})")
        self.threshold_line.setVisible(math.isfinite(thr))
        if math.isfinite(thr):
            _side(self.threshold_line, thr, hi)
            self.threshold_line.setValue(thr)
            self.threshold_line.label.setFormat("threshold")
        if loss is not None:
            self.test_line.setVisible(True)
            far = loss > hi
            color = style.GREY if verdict.liar is None else (style.ALARM_COLOR if verdict.liar else style.OK_COLOR)
            _side(self.test_line, hi * 0.985 if far else loss, hi)
            self.test_line.setValue(hi * 0.985 if far else loss)
            self.test_line.setPen(pg.mkPen(color, width=4,
                                           style=Qt.PenStyle.DotLine if far else Qt.PenStyle.SolidLine))
            self.test_line.label.setFormat("tested (far off →)" if far else "tested")
        else:
            self.test_line.setVisible(False)
        self._set_title(f"{len(vals):,} digits: mean {t.mean:.3f}, std {t.std:.3f}")
        self.setXRange(0, hi, padding=0)
        self.setYRange(0, max(float(counts.max()), 1.0) * 1.1, padding=0)

    @property
    def test_value(self) -> float | None:
        """Where the tested image's marker stands (None when hidden)."""
        return self.test_line.value() if self.test_line.isVisible() else None

    @property
    def threshold_value(self) -> float | None:
        return self.threshold_line.value() if self.threshold_line.isVisible() else None

    def _set_title(self, text: str) -> None:
        """The title is drawn by the page as a QLabel (it wraps; pyqtgraph's title would widen the
        plot beyond a narrow window); this keeps its text."""
        self._title = text

    @property
    def stats_text(self) -> str:
        """The validation digits' count, mean and std as the title shows them."""
        return self._title


def _side(line: pg.InfiniteLine, x: float, right_edge: float) -> None:
    """Put a line's label on the side with room: left of the line in the right part of the plot."""
    a = (1, 0.5) if x > 0.55 * right_edge else (0, 0.5)
    line.label.anchors = [a, a]
