"""Page 2, "Many dimensions": the toy's curve hidden in D dimensions, one trained network per D,
each adding a dot to three plots; the sentence under them reads out what was measured."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core import manifold
from core.errors import UserError

from ...widgets import CurvePlot, style
from ...widgets.param_form import ParamForm
from ...worker import JobRunner
from .fonts import ScaledFonts
from .toy_map import STEP_COLOR, WALK_COLOR

SWEEP_FIELDS = ("curve", "dims", "extra_noise", "eps")
CAPTION = ("The same curve, hidden in D dimensions: each dot is a network trained in that many dimensions. "
           "Solid lines measure straight length; dashed ones the largest change of any one coordinate, like "
           "a pixel budget. The sentence under the plots reads out what this run measured — “now imagine a "
           "space with thousands of dimensions”.")
READY = "Press Run: each dot appears as its network finishes training."


class SweepPage(QWidget):
    """Three plots over D, the sweep's own settings (the network's come from the toy page) and Run."""

    def __init__(self, runner: JobRunner, caption: QLabel, toy_params, report, parent=None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._toy_params = toy_params  # () -> ToyParams: the networks are the toy's
        self._report = report
        self._frame: manifold.SweepFrame | None = None
        self.fonts = ScaledFonts()
        outer = QVBoxLayout(self)
        outer.addWidget(caption)
        grid = QGridLayout()
        outer.addLayout(grid, 1)
        self.dist_plot = CurvePlot("Mean length (log scale)", "dimensions D", "length")
        self.ratio_plot = CurvePlot("Walk ÷ step: how many times longer", "dimensions D", "times longer")
        self.share_plot = CurvePlot("Fooled, and share off the curve", "dimensions D", "fraction")
        for p in (self.dist_plot, self.ratio_plot, self.share_plot):
            p.setLogMode(x=True, y=p is self.dist_plot)
        self.dist_plot.add_curve("walk", "walk along the curve", WALK_COLOR, symbol="o")
        self.dist_plot.add_curve("walk_inf", "walk, per coordinate", WALK_COLOR, dashed=True, symbol="t")
        self.dist_plot.add_curve("adv", "smallest step", STEP_COLOR, symbol="o")
        self.dist_plot.add_curve("adv_inf", "smallest step, per coordinate", STEP_COLOR, dashed=True, symbol="t")
        self.ratio_plot.add_curve("ratio", "straight length", style.BLUE, symbol="o")
        self.ratio_plot.add_curve("ratio_inf", "per coordinate", style.ORANGE, dashed=True, symbol="t")
        self.share_plot.add_curve("flip", "fooled by ε per coordinate", STEP_COLOR, symbol="o")
        self.share_plot.add_curve("normal", "share of the step off the curve", style.GREEN, symbol="s")
        self.dist_plot.legend.setOffset((10, -10))  # bottom left: the curves run along the top
        self.share_plot.legend.setOffset((-10, -10))
        grid.addWidget(self.dist_plot, 0, 0)
        grid.addWidget(self.ratio_plot, 0, 1)
        grid.addWidget(self.share_plot, 1, 0)

        controls = QVBoxLayout()
        self.form = ParamForm(manifold.SweepParams, SWEEP_FIELDS)
        self.fonts.add(self.form, 1.0)
        controls.addWidget(self.form)
        self.run_button = QPushButton("Run  (Space)")
        self.run_button.clicked.connect(self.toggle)
        controls.addWidget(self.run_button)
        self.result_label = QLabel(READY)
        self.result_label.setWordWrap(True)
        self.fonts.add(self.result_label, 1.15, bold=True)
        controls.addWidget(self.result_label, 1)
        holder = QWidget()
        holder.setLayout(controls)
        grid.addWidget(holder, 1, 1)
        grid.setRowStretch(0, 1)
        grid.setRowStretch(1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        runner.frame_ready.connect(self._show)
        runner.running_changed.connect(
            lambda running: self.run_button.setText("Stop  (Esc)" if running else "Run  (Space)"))
        self.form.params_changed.connect(lambda _p: self._frame is None and self._empty_axes())
        self._empty_axes()

    # ------------------------------------------------------------------ read-outs
    @property
    def frame(self) -> manifold.SweepFrame | None:
        """The newest frame of the sweep (``None`` before the first run)."""
        return self._frame

    # ------------------------------------------------------------------ running
    def params(self) -> manifold.SweepParams:
        """The sweep's settings with the toy page's network (raises ``UserError``)."""
        toy = self._toy_params()
        mine = self.form.params()
        shared = {k: v for k, v in toy.to_dict().items() if k not in ("version", "curve")}
        return mine.replace(**shared)

    def toggle(self) -> None:
        if self.runner.is_running:
            self.runner.stop()
        else:
            self.run()

    def run(self) -> None:
        try:
            params = self.params()
        except UserError as exc:
            self._report(str(exc), error=True)
            return
        self._frame = None
        for p in (self.dist_plot, self.ratio_plot, self.share_plot):
            p.clear_data()
        self._empty_axes(params.dims)
        self.result_label.setText(READY)
        self.runner.start(lambda cancel: manifold.dimension_sweep_job(params, cancel=cancel), kind="sweep")

    # ------------------------------------------------------------------ drawing
    def _empty_axes(self, dims=None) -> None:
        """Axes that fit the run to come: D over the chosen dimensions, lengths, ratios, shares."""
        if dims is None:
            try:
                dims = self.form.params().dims
            except UserError:  # an edit in progress: the default dimensions
                dims = manifold.SweepParams().dims
        lo, hi = math.log10(min(dims)), math.log10(max(dims))
        pad = max(0.05 * (hi - lo), 0.1)
        for p in (self.dist_plot, self.ratio_plot, self.share_plot):
            p.setXRange(lo - pad, hi + pad, padding=0)
        self.dist_plot.setYRange(-2.3, 0.5, padding=0)  # 0.005 … 3 in the curve's units
        self.ratio_plot.setYRange(0, 10, padding=0)
        self.share_plot.setYRange(0, 1.02, padding=0)

    def _show(self, frame: manifold.SweepFrame) -> None:
        self._frame = frame
        self.result_label.setText(frame.summary if frame.done else frame.message)
        if not frame.results:
            return
        r = frame.results
        d = [x.dim for x in r]
        self.dist_plot.set_data("walk", d, [x.mean_on_manifold for x in r])
        self.dist_plot.set_data("walk_inf", d, [x.mean_on_manifold_linf for x in r])
        self.dist_plot.set_data("adv", d, [x.mean_adv for x in r])
        self.dist_plot.set_data("adv_inf", d, [x.mean_adv_linf for x in r])
        lengths = [v for x in r for v in (x.mean_on_manifold, x.mean_on_manifold_linf, x.mean_adv, x.mean_adv_linf)]
        self.dist_plot.setYRange(math.log10(min(lengths)) - 0.15, math.log10(max(lengths)) + 0.15, padding=0)
        self.ratio_plot.set_data("ratio", d, [x.ratio for x in r])
        self.ratio_plot.set_data("ratio_inf", d, [x.ratio_linf for x in r])
        self.ratio_plot.setYRange(0, 1.1 * max(max(x.ratio, x.ratio_linf) for x in r), padding=0)
        self.share_plot.set_data("flip", d, [x.flipped_at_eps for x in r])
        self.share_plot.set_data("normal", d, [x.normal_fraction for x in r])
        if frame.done:
            self._report(f"dimension sweep finished: {len(r)} dimensions")

    def set_presentation(self, on: bool) -> None:
        self.fonts.apply(on)
