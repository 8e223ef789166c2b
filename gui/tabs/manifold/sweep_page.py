"""Page 2, "Many dimensions": the toy's curve hidden in D dimensions, one trained network per D,
each adding a dot to three plots; the sentence under them reads out what was measured."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core import manifold
from core.errors import UserError

from ...widgets import CurvePlot, style
from ...widgets.param_form import ParamForm
from ...worker import JobRunner
from .fonts import ScaledFonts
from .toy_map import STEP_COLOR, WALK_COLOR

SWEEP_FIELDS = ("curve", "dims", "extra_noise", "eps")
CAPTION = ("The same curve, hidden in D dimensions: each dot is a network trained in that many. Solid "
           "lines measure straight length, dashed ones the largest change of any one coordinate, like a "
           "pixel budget; the sentence below reads out what this run measured.")
READY = "Press Run: each dot appears as its network finishes training."


def _d_ticks(dims) -> list[list[tuple[float, str]]]:
    """Ticks on the log D axis: every chosen D marked, few enough labelled to stay readable
    (the powers of ten and the ends, at least a seventh of the axis apart)."""
    dims = sorted(set(dims))
    gap = (math.log10(dims[-1]) - math.log10(dims[0])) / 7
    labelled: list[int] = []
    for d in dims:
        wanted = d in (dims[0], dims[-1]) or math.log10(d).is_integer()
        if wanted and (not labelled or math.log10(d) - math.log10(labelled[-1]) >= gap):
            labelled.append(d)
    if dims[-1] not in labelled:
        labelled[-1] = dims[-1]
    major = [(math.log10(d), str(d)) for d in labelled]
    minor = [(math.log10(d), "") for d in dims if d not in labelled]
    return [major, minor]


def _length_ticks(y0: float, y1: float) -> list[list[tuple[float, str]]]:
    """Ticks on the log length axis: labelled at 1, 2 and 5 times the powers of ten (only the powers
    when the axis spans more than two decades), unlabelled marks at the other whole multiples."""
    major, minor = [], []
    for e in range(math.floor(y0), math.ceil(y1) + 1):
        for m in range(1, 10):
            y = e + math.log10(m)
            if not y0 <= y <= y1:
                continue
            labelled = m == 1 or (y1 - y0 <= 2 and m in (2, 5))
            (major if labelled else minor).append((y, f"{m * 10.0 ** e:g}" if labelled else ""))
    return [major, minor]


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
        row = QHBoxLayout()
        outer.addLayout(row, 1)
        self.dist_plot = CurvePlot("Mean length", "dimensions D", "length (log scale)")
        self.ratio_plot = CurvePlot("Walk ÷ step", "dimensions D", "times longer")
        self.share_plot = CurvePlot("Shares", "dimensions D", "fraction")
        for p in (self.dist_plot, self.ratio_plot, self.share_plot):
            p.setLogMode(x=True, y=p is self.dist_plot)
            row.addWidget(p, 1)
        # colour tells what is measured, a dashed line that it is measured per coordinate
        self.dist_plot.add_curve("walk", "walk", WALK_COLOR, symbol="o")
        self.dist_plot.add_curve("walk_inf", None, WALK_COLOR, dashed=True, symbol="t")
        self.dist_plot.add_curve("adv", "step", STEP_COLOR, symbol="o")
        self.dist_plot.add_curve("adv_inf", None, STEP_COLOR, dashed=True, symbol="t")
        self.ratio_plot.add_curve("ratio", "straight", style.BLUE, symbol="o")
        self.ratio_plot.add_curve("ratio_inf", "per coordinate", style.ORANGE, dashed=True, symbol="t")
        self.share_plot.add_curve("flip", "fooled by ε", STEP_COLOR, dashed=True, symbol="t")
        self.share_plot.add_curve("normal", "off the curve", style.GREEN, symbol="s")
        # legends where the measured curves leave room: small D, low lengths; small D, high ratios
        self.dist_plot.legend.setOffset((10, -10))
        self.ratio_plot.legend.setOffset((10, 10))
        self.share_plot.legend.setOffset((10, 10))

        controls = QVBoxLayout()
        self.form = ParamForm(manifold.SweepParams, SWEEP_FIELDS)
        self.form.layout_.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # a narrow column
        self.fonts.add(self.form, 1.0, tree=True)
        controls.addWidget(self.form)
        self.run_button = QPushButton("Run  (Space)")
        self.run_button.clicked.connect(self.toggle)
        self.fonts.add(self.run_button, 1.0)
        controls.addWidget(self.run_button)
        controls.addStretch(1)
        row.addLayout(controls, 0)
        self.result_label = QLabel(READY)
        self.result_label.setWordWrap(True)
        self.fonts.add(self.result_label, 1.1, bold=True)
        outer.addWidget(self.result_label)

        runner.frame_ready.connect(self._show)
        runner.running_changed.connect(
            lambda running: self.run_button.setText("Stop  (Esc)" if running else "Run  (Space)"))
        self.form.params_changed.connect(lambda _p: self._frame is None and self._empty_axes())
        self._empty_axes()
        self._fit_dims_editor()

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
        pad = max(0.15 * (hi - lo), 0.2)  # room for the end labels
        ticks = _d_ticks(dims)
        for p in (self.dist_plot, self.ratio_plot, self.share_plot):
            p.setXRange(lo - pad, hi + pad, padding=0)
            p.getAxis("bottom").setTicks(ticks)
        self.dist_plot.setYRange(-2.3, 0.5, padding=0)  # 0.005 … 3 in the curve's units
        self.dist_plot.getAxis("left").setTicks(_length_ticks(-2.3, 0.5))
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
        y0, y1 = math.log10(min(lengths)) - 0.15, math.log10(max(lengths)) + 0.15
        self.dist_plot.setYRange(y0, y1, padding=0)
        self.dist_plot.getAxis("left").setTicks(_length_ticks(y0, y1))
        self.ratio_plot.set_data("ratio", d, [x.ratio for x in r])
        self.ratio_plot.set_data("ratio_inf", d, [x.ratio_linf for x in r])
        self.ratio_plot.setYRange(0, 1.1 * max(max(x.ratio, x.ratio_linf) for x in r), padding=0)
        self.share_plot.set_data("flip", d, [x.flipped_at_eps for x in r])
        self.share_plot.set_data("normal", d, [x.normal_fraction for x in r])
        if frame.done:
            self._report(f"dimension sweep finished: {len(r)} dimensions")

    def _fit_dims_editor(self) -> None:
        """The list of dimensions is read whole: its field is as wide as the default list."""
        edit = self.form.editor("dims")
        text = ",".join(str(d) for d in manifold.SweepParams().dims)
        edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance(text) + 16)

    def set_presentation(self, on: bool) -> None:
        self.fonts.apply(on)
        self._fit_dims_editor()
