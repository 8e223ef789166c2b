"""Horizontal probability bars with class names, for top-5 read-outs."""

from __future__ import annotations

from typing import Callable, Sequence

import pyqtgraph as pg

from core.readable import percent

from . import style


class BarChart(pg.PlotWidget):
    def __init__(self, title: str = "", x_label: str = "probability", parent=None) -> None:
        super().__init__(parent, background="w")
        self._presentation = False
        self._title_text = title
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.getPlotItem().invertY(True)
        self.setXRange(0, 1, padding=0)
        self.setLabel("bottom", x_label)
        self._bars = pg.BarGraphItem(x0=[], y=[], height=0.7, width=[], brush=style.BAR_COLOR)
        self.addItem(self._bars)
        self._texts: list[pg.TextItem] = []
        self._names: list[str] = []
        self.getAxis("left").setTicks([[]])  # no numbers on the class axis before there are classes
        self.setYRange(-0.5, 4.5, padding=0.05)
        self._apply_fonts()

    def _apply_fonts(self) -> None:
        font = style.apply_plot_fonts(self, self._title_text, self._presentation)
        for t in self._texts:
            t.setFont(font)

    def set_bars(self, names: Sequence[str], values: Sequence[float], highlight: int | None = None,
                 highlight_color: str = style.TARGET_COLOR, label: Callable[[float], str] = percent) -> None:
        """``highlight`` is the row to draw in the highlight colour (e.g. the target class);
        ``label`` writes each bar's value (a probability by default)."""
        n = len(values)
        brushes = [pg.mkBrush(highlight_color if i == highlight else style.BAR_COLOR) for i in range(n)]
        self._bars.setOpts(x0=[0] * n, y=list(range(n)), width=list(values), height=0.7, brushes=brushes)
        short = [name if len(name) <= 22 else name[:21] + "…" for name in names]
        self._names = list(names)
        self.getAxis("left").setTicks([list(enumerate(short))])
        self.setYRange(-0.5, max(n, 1) - 0.5, padding=0.05)
        while len(self._texts) < n:
            t = pg.TextItem("", color=style.BLACK, anchor=(0, 0.5))
            self.addItem(t)
            self._texts.append(t)
        for i, t in enumerate(self._texts):
            if i < n:
                v = float(values[i])
                t.setText(label(v))
                inside = v > 0.65  # from here on a label outside would run past the plot's edge
                t.setAnchor((1, 0.5) if inside else (0, 0.5))
                t.setPos(v - 0.01 if inside else v + 0.025, i)
                t.setVisible(True)
            else:
                t.setVisible(False)
        self._apply_fonts()

    def set_title(self, title: str, x_label: str) -> None:
        """A new title and axis label, e.g. when the same chart shows probabilities, then other values."""
        self._title_text = title
        self.setLabel("bottom", x_label)
        self._apply_fonts()

    def axis_label(self) -> str:
        return self.getAxis("bottom").labelText

    def rows(self) -> list[tuple[str, str]]:
        """(name, number as printed) of each bar, top to bottom: what the audience reads."""
        return [(name, t.toPlainText()) for name, t in zip(self._names, self._texts)]

    def set_presentation(self, on: bool) -> None:
        self._presentation = on
        self._apply_fonts()
