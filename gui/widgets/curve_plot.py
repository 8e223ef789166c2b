"""Line plots with a legend and labelled axes (loss curves, probability versus step)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from . import style


#: A curve longer than this is thinned before drawing (a plot is at most ~2,000 pixels wide).
MAX_POINTS = 2000


def thin(x: np.ndarray, y: np.ndarray, limit: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """At most ``limit`` points of a long curve, drawn the same: of each run of consecutive points
    the lowest and the highest are kept, in order, and the last points always. A live run's curve
    grows by thousands of points; a wide or dashed pen over every one of them cost the window more
    time than the job it shows."""
    n = len(y)
    if n <= limit:
        return x, y
    k = -(-2 * n // limit)  # points per run, so that two per run stay within the limit
    m = (n - 1) // k * k  # whole runs; the rest (never the last point alone) is kept as it is
    runs = y[:m].reshape(-1, k)
    with np.errstate(invalid="ignore"):
        lo, hi = np.argmin(runs, 1), np.argmax(runs, 1)
    start = np.arange(len(runs)) * k
    keep = np.unique(np.concatenate([start + lo, start + hi, np.arange(m, n)]))
    return x[keep], y[keep]


class CurvePlot(pg.PlotWidget):
    def __init__(self, title: str = "", x_label: str = "", y_label: str = "", parent=None) -> None:
        super().__init__(parent, background="w")
        self._presentation = False
        self._title_text = title
        self.setMenuEnabled(False)
        self.showGrid(x=True, y=True, alpha=0.25)
        self.setLabel("bottom", x_label)
        self.setLabel("left", y_label)
        self.legend = self.addLegend(offset=(-10, 10))
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._apply_fonts()

    def _apply_fonts(self) -> None:
        style.apply_plot_fonts(self, self._title_text, self._presentation)
        self.legend.setLabelTextSize(f"{style.axis_pt(self._presentation)}pt")
        for item in self._curves.values():  # re-render legend labels with the new size
            label = self.legend.getLabel(item)
            if label is not None:
                label.setText(label.text, size=f"{style.axis_pt(self._presentation)}pt")

    def add_curve(self, key: str, name: str | None, color: str, width: float = 3.0, dashed: bool = False,
                  symbol: str | None = None) -> pg.PlotDataItem:
        pen = pg.mkPen(color, width=width, style=pg.QtCore.Qt.PenStyle.DashLine if dashed else
                       pg.QtCore.Qt.PenStyle.SolidLine)
        item = self.plot([], [], pen=pen, name=name, symbol=symbol, symbolBrush=color,
                         symbolPen=color, symbolSize=8)
        self._curves[key] = item
        self._apply_fonts()
        return item

    def set_data(self, key: str, x, y) -> None:
        self._curves[key].setData(*thin(np.asarray(x, dtype=float), np.asarray(y, dtype=float)))

    def set_title(self, text: str) -> None:
        """Change the title (kept through presentation mode)."""
        self._title_text = text
        self._apply_fonts()

    @property
    def title_text(self) -> str:
        return self._title_text

    def curve_data(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """The x and y values given to the curve ``key`` (before any log scale; empty before data)."""
        item = self._curves[key]
        x, y = item.xData, item.yData
        return (np.asarray([] if x is None else x, dtype=float), np.asarray([] if y is None else y, dtype=float))

    def clear_data(self) -> None:
        for item in self._curves.values():
            item.setData([], [])

    def set_presentation(self, on: bool) -> None:
        self._presentation = on
        self._apply_fonts()
