"""What the Evolution tab shows of a run: the live population, the best image and its top 5, one
cell per class, the fitness curve, and the big read-outs (classes at the goal, images queried
against the paper's 2 million). Each frame redraws only what changed."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core import evolution
from core import readable
from core.readable import goal_percent, percent

from ...widgets import BarChart, CurvePlot, ImagePanel, style
from ...widgets.mosaic import MosaicView

SHOW = 24  # 4 × 6 thumbnails of the population


def caption(name: str, prob: float) -> str:
    """A cell caption in two lines: the name (the mosaic may elide it) over the number, which is
    never elided (the tab marks it as a number)."""
    return f"{name}\n\t{percent(prob)}"


class EvolutionViews(QWidget):
    """The right-hand side of the tab. ``population_clicked`` / ``cell_clicked`` carry the index
    into the frame's population and into its targets (not the mosaic position)."""

    population_clicked = Signal(int)
    cell_clicked = Signal(int)

    def __init__(self, caption_label: QLabel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._presentation = False
        self._ga = False
        self._shown_cells: tuple[int, ...] = ()
        self._drawn: dict[str, object] = {}
        self.population_view = MosaicView("Population (live)", lines=2, min_cell=56,
                                          placeholder="Press Space: a random population appears here")
        self.population_view.cell_clicked.connect(self.population_clicked)
        self.best_view = ImagePanel("Best so far")
        self.best_top5 = BarChart("Best image: top 5")
        self.cells_view = MosaicView("The best image of each class", lines=2, min_cell=56,
                                     placeholder="MAP-Elites keeps the best image of every class here")
        self.cells_view.cell_clicked.connect(self._cell_clicked)
        # The title names the curves in their colours: in a plot this short a legend sits on them.
        self.curve = CurvePlot(f"Fitness: <span style='color:{style.TARGET_COLOR}'>best</span> and "
                               f"<span style='color:{style.ORIGINAL_COLOR}'>mean</span>",
                               x_label="generation", y_label="probability")
        self.curve.add_curve("best", None, style.TARGET_COLOR)
        self.curve.add_curve("mean", None, style.ORIGINAL_COLOR, dashed=True)
        self.curve.setYRange(0, 1, padding=0.02)

        self.counter = QLabel("")  # "N classes at ≥ 99 %"
        self.counter.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.counter.setTextFormat(Qt.TextFormat.RichText)
        self.headline = QLabel("")
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.readout = QLabel("")
        self.readout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for label in (self.counter, self.headline, self.readout):
            label.setWordWrap(True)
            label.setMinimumWidth(100)
            label.setVisible(False)  # an empty read-out takes no room from the grids
        self._style_readouts()

        # Two columns whose rows do not share heights: on a 720-pixel projector the right
        # column's five bars must not squeeze the class cells on the left to one row.
        self.curve.getAxis("left").setTicks([[(0.0, "0"), (0.5, "0.5"), (1.0, "1")]])
        self.best_top5.getPlotItem().hideAxis("bottom")  # every bar prints its own percentage
        self.best_top5.setMinimumHeight(150)  # five readable bars, even in a small window
        left = QVBoxLayout()
        left.addWidget(self.population_view, 4)
        left.addWidget(self.cells_view, 5)
        right = QVBoxLayout()
        right.addWidget(self.best_view, 2)
        right.addWidget(self.best_top5, 2)
        right.addWidget(self.curve, 2)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(caption_label)
        layout.addWidget(self.counter)
        layout.addWidget(self.headline)
        layout.addLayout(columns, 1)
        layout.addWidget(self.readout)

    # ---------------------------------------------------------------- layout
    def set_algorithm(self, algorithm: str) -> None:
        ga = algorithm == "ga"
        self._ga = ga
        # the GA has no class cells: its population grid takes the whole left column
        self.cells_view.setVisible(not ga)
        self.counter.setVisible(not ga and bool(self.counter.text()))

    def set_text(self, label: QLabel, text: str) -> None:
        """A read-out shows only when it has something to say (the class counter never for the GA)."""
        label.setText(text)
        label.setVisible(bool(text) and not (label is self.counter and self._ga))

    def _style_readouts(self) -> None:
        pt = style.PRESENTATION_FONT_PT if self._presentation else style.BASE_FONT_PT
        big = QFont()
        big.setPointSizeF(pt * style.READOUT_SCALE * 1.2)
        big.setBold(True)
        self.counter.setFont(big)
        f = QFont()
        f.setPointSizeF(pt * 1.35)
        self.headline.setFont(f)
        g = QFont()
        g.setPointSizeF(pt * 1.15)
        self.readout.setFont(g)

    def set_presentation(self, on: bool) -> None:
        self._presentation = on
        self._style_readouts()

    def clear(self) -> None:
        self._drawn.clear()
        self._shown_cells = ()
        self.curve.clear_data()
        self.population_view.clear()
        self.cells_view.clear()
        self.best_view.set_image(None)
        self.best_view.set_title("Best so far")
        self.best_top5.set_bars([], [])
        for label in (self.counter, self.headline, self.readout):
            self.set_text(label, "")

    # ---------------------------------------------------------------- drawing
    def _changed(self, key: str, value: object) -> bool:
        """True (and remembered) when ``value`` is not the very object drawn last time."""
        if self._drawn.get(key) is value:
            return False
        self._drawn[key] = value
        return True

    def show_frame(self, f: evolution.EvolutionFrame, goal: float, note: str = "") -> None:
        labels = f.class_names
        targets = set(f.targets)
        n = len(f.population_images)
        if self._changed("population", f.population_mosaic):
            top, topp = f.population_top5, f.population_top5_probs
            caps = [caption(labels[int(top[i, 0])], float(topp[i, 0])) for i in range(n)]
            hits = [int(top[i, 0]) in targets and float(topp[i, 0]) >= goal for i in range(n)]
            tips = [f"{labels[int(top[i, 0])]}: {topp[i, 0]:.4%}\n{f.population_notes[i]}\nclick to inspect"
                    for i in range(n)]
            self.population_view.set_mosaic(f.population_mosaic, f.population_cols, n, caps, hits, tips)
            self.population_view.set_title(f"Population, best first (generation {f.generation:,})"
                                           if f.algorithm == "ga" else
                                           f"This generation's children (generation {f.generation:,})")
        if f.algorithm == "map-elites":
            self._draw_cells(f, goal)
        if self._changed("best", f.best_image) and f.best_image is not None:
            self.best_view.set_image(f.best_image)
            c = f.targets.index(f.best_target)
            self.best_top5.set_bars([labels[int(i)] for i in f.cell_top5[c]], [float(p) for p in f.cell_top5_probs[c]],
                                    highlight=0 if int(f.cell_top5[c, 0]) == f.best_target else None)
        if f.best_image is not None:
            # the number first: a long class name is elided, the confidence never is
            self.best_view.set_title(f"Best so far: {percent(f.best_prob)} “{labels[f.best_target]}”")
        gens = np.arange(len(f.history_best))
        self.curve.set_data("best", gens, f.history_best)
        self.curve.set_data("mean", gens, f.history_mean)
        share = f.queries / f.paper_queries
        goal_text = goal_percent(goal)
        self.set_text(self.counter,
            f"<span style='color:{style.TARGET_COLOR}'>{f.at_goal:,}</span> "
            f"class{'es' if f.at_goal != 1 else ''} at ≥ {goal_text}")
        self.set_text(self.headline,
            f"<b>{f.queries:,}</b> images queried — the paper used 2,000,000 "
            f"(this is {readable.share(share)} of that)" if f.algorithm == "map-elites" else
            f"<b>{f.queries:,}</b> images queried, generation <b>{f.generation:,}</b>")
        # One line on a projector: the best image has its own title, the stop reason the status bar.
        self.set_text(self.readout,
            f"generation {f.generation:,}    {f.images_per_second:,.0f} images/s    "
            f"{f.seconds:.1f} s    black box: no gradient is ever computed{note}")

    def _draw_cells(self, f: evolution.EvolutionFrame, goal: float) -> None:
        labels = f.class_names
        k = len(f.targets)
        if self._changed("cells", f.cell_mosaic):
            shown = f.cell_shown
            self._shown_cells = shown
            ccaps, chits, ctips = [], [], []
            for c in shown:
                t = f.targets[c]
                has = f.cell_images[c] is not None
                ccaps.append(caption(labels[t], float(f.cell_probs[c])) if has else f"{labels[t]}\n\t—")
                chits.append(bool(f.cell_probs[c] >= goal))
                ctips.append(f"{labels[t]}: {f.cell_probs[c]:.4%}, found in generation {f.cell_generation[c]:,} "
                             f"after {f.cell_queries[c]:,} images queried" if has else labels[t])
            self.cells_view.set_mosaic(f.cell_mosaic, f.cell_cols, len(shown), ccaps, chits, ctips)
        # One line on a projector, every pixel of height to the cells: the big counter above
        # already says how many classes reached the goal.
        self.cells_view.set_title(f"The {len(f.cell_shown)} best of {k:,} classes" if f.cell_sorted
                                  else "The best image of each class")

    def _cell_clicked(self, index: int) -> None:
        if 0 <= index < len(self._shown_cells):
            self.cell_clicked.emit(int(self._shown_cells[index]))
