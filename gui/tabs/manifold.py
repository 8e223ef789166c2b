"""The Manifold tab: a 2-D toy that shows why a tiny step fools a classifier, and how that grows
with dimension.

Three pages: the toy (drag a point, see the smallest fooling step next to the walk along the
curve), the dimension experiment (the same curve in D dimensions, one point per D), and random
images (what real classifiers call noise). All maths is in ``core.manifold``; this module draws.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QFormLayout, QFrame, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QScrollArea, QSizePolicy, QSlider, QSpinBox, QTabWidget, QVBoxLayout, QWidget,
)

from core import manifold, random_images
from core.errors import UserError

from ..widgets import CurvePlot, ImagePanel, style
from ..worker import JobRunner
from .base import AppContext, LabTab

YELLOW_CLASS = "#F5C400"  # the lecture's yellow, a touch deeper than Okabe–Ito's so it shows on white
BLUE_CLASS = style.BLUE
STEP_COLOR = style.VERMILLION
WALK_COLOR = style.PURPLE
CLASS_NAMES = ("yellow", "blue")
NULL_TOY_LINE = ("In the toy, the photos are the dotted curve and the noise is everywhere else on the map — "
                 "and the network still paints all of it yellow or blue.")

TOY_CAPTION = ("Real data lie on a thin curve (dotted). The network only ever saw the curve, so off it "
               "the border between <b>yellow</b> and <b>blue</b> (black line) goes wherever it likes. "
               "Drag the white dot: the <b style='color:#D55E00'>red arrow</b> is the smallest step that "
               "changes the network's answer; the <b style='color:#CC79A7'>pink path</b> is the walk along "
               "the curve to a real point of the other class. Leaving the curve is short; walking along it "
               "is long.")
SWEEP_CAPTION = ("The same curve, hidden in D dimensions. Each dot is a network trained in that many "
                 "dimensions. In straight length the fooling step stays far shorter than the walk along the "
                 "curve, and more and more of it points off the curve. Counted per coordinate, like a pixel "
                 "budget, the step shrinks fast as D grows, so a fixed tiny change per coordinate fools "
                 "almost every point — “now imagine a space with thousands of dimensions”.")
NULL_CAPTION = ("Draw an image at random and it looks like noise: natural photos are a vanishingly thin "
                "part of all possible images, just as the curve is a thin part of the plane. The networks "
                "never saw noise, yet they still name a class, far surer than a blind guess — the same freedom "
                "off the manifold that the red arrow exploits in the toy.")


def _font(widget: QWidget, scale: float, bold: bool = False, presentation: bool = False) -> QFont:
    f = QFont(widget.font())
    f.setPointSizeF((style.PRESENTATION_FONT_PT if presentation else style.BASE_FONT_PT) * scale)
    f.setBold(bold)
    return f


def _class_lut() -> np.ndarray:
    """256 RGB colours from yellow (P(blue) = 0) through light grey to blue (P(blue) = 1):
    the colour-blind-safe CET-CBD1 map, reversed, lightened so the points stand out."""
    lut = pg.colormap.get("CET-CBD1").getLookupTable(0.0, 1.0, 256, alpha=False).astype(np.float32)
    lut = lut[::-1]
    return (0.55 * lut + 0.45 * 255).clip(0, 255).astype(np.uint8)


class _ToyViewBox(pg.ViewBox):
    """A view box where the left button places and drags the point instead of panning."""

    point_moved = Signal(float, float)

    def mouseClickEvent(self, ev):  # noqa: N802 - Qt API
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            p = self.mapSceneToView(ev.scenePos())
            self.point_moved.emit(p.x(), p.y())
        else:
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None):  # noqa: N802 - Qt API
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            p = self.mapSceneToView(ev.scenePos())
            self.point_moved.emit(p.x(), p.y())
        else:
            ev.ignore()


class ManifoldTab(LabTab):
    key = "manifold"
    title = "Manifold"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.sweep_runner = JobRunner(self)
        self.null_runner = JobRunner(self)
        self.sweep_runner.job_failed.connect(self.ctx.error)
        self.null_runner.job_failed.connect(self.ctx.error)
        self._frame: manifold.ToyFrame | None = None
        self._curve: manifold.Curve | None = None
        self._point: tuple[float, float] | None = None
        self._analysis: manifold.PointAnalysis | None = None
        self._sweep: manifold.SweepFrame | None = None
        self._null: random_images.NullSetFrame | None = None
        self._lut = _class_lut()
        self._scaled: list[tuple[QWidget, float, bool]] = []  # (widget, font scale, bold) for F11
        self._retrain_timer = QTimer(self)
        self._retrain_timer.setSingleShot(True)
        self._retrain_timer.setInterval(150)
        self._retrain_timer.timeout.connect(self.retrain)
        self._point_timer = QTimer(self)
        self._point_timer.setSingleShot(True)
        self._point_timer.setInterval(0)
        self._point_timer.timeout.connect(self._analyse_point)

        self.pages = QTabWidget()
        self.pages.addTab(self._build_toy(), "The curve (2-D)")
        self.pages.addTab(self._build_sweep(), "Many dimensions")
        self.pages.addTab(self._build_null(), "Random images")
        font = QFont(self.pages.font())
        font.setPointSizeF(style.BASE_FONT_PT * 1.15)
        self.pages.tabBar().setFont(font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.pages)

        self.pages.currentChanged.connect(self._page_changed)
        self.runner.frame_ready.connect(self._show_toy)
        self.runner.running_changed.connect(self._toy_running_changed)
        self.sweep_runner.frame_ready.connect(self._show_sweep)
        self.sweep_runner.running_changed.connect(self._sweep_running_changed)
        self.null_runner.frame_ready.connect(self._show_null)
        self.null_runner.running_changed.connect(self._null_running_changed)
        # the toy trains in well under a second: show a trained one straight away
        QTimer.singleShot(0, self.retrain)

    # ============================================================== the toy
    def _build_toy(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.addWidget(self.make_caption(TOY_CAPTION))
        row = QHBoxLayout()
        outer.addLayout(row, 1)

        self.toy_view = _ToyViewBox(lockAspect=True, enableMenu=False)
        self.toy_view.setMouseEnabled(False, False)
        self.toy_widget = pg.PlotWidget(viewBox=self.toy_view, background="w")
        self.toy_plot = self.toy_widget.getPlotItem()
        self.toy_plot.setLabel("bottom", "feature 1")
        self.toy_plot.setLabel("left", "feature 2")
        self.toy_plot.hideButtons()
        ext = manifold.EXTENT
        self.toy_view.setRange(xRange=(-ext, ext), yRange=(-ext, ext), padding=0.0)

        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setZValue(-20)
        self.toy_view.addItem(self.heat)
        self.boundary = pg.IsocurveItem(level=0.5, pen=pg.mkPen("k", width=3), axisOrder="row-major")
        self.boundary.setParentItem(self.heat)
        self.curve_item = pg.PlotDataItem(pen=pg.mkPen("#333333", width=3, style=Qt.PenStyle.DotLine))
        self.curve_item.setZValue(-5)
        self.toy_view.addItem(self.curve_item)
        self.scatter = pg.ScatterPlotItem(size=9, pxMode=True)
        self.toy_view.addItem(self.scatter)
        self.walk_item = pg.PlotDataItem(pen=pg.mkPen(WALK_COLOR, width=7))
        self.walk_item.setZValue(5)
        self.toy_view.addItem(self.walk_item)
        self.part_items = [pg.PlotDataItem(pen=pg.mkPen(c, width=2.5, style=Qt.PenStyle.DashLine))
                           for c in (style.GREEN, style.BLACK)]
        for item in self.part_items:
            item.setZValue(8)
            self.toy_view.addItem(item)
        self.halo = pg.PlotDataItem(pen=pg.mkPen("w", width=10))  # keeps a short arrow visible on any colour
        self.halo.setZValue(12.5)
        self.toy_view.addItem(self.halo)
        self.shaft = pg.PlotDataItem(pen=pg.mkPen(STEP_COLOR, width=5))
        self.shaft.setZValue(13)
        self.toy_view.addItem(self.shaft)
        self.head = pg.ArrowItem(headLen=16, tipAngle=36, pen=pg.mkPen("k", width=1), brush=pg.mkBrush(STEP_COLOR))
        self.head.setZValue(14)
        self.toy_view.addItem(self.head)
        self.marker = pg.ScatterPlotItem(size=15, pen=pg.mkPen("k", width=2.5), brush=pg.mkBrush("w"))
        self.marker.setZValue(12)
        self.toy_view.addItem(self.marker)
        self.step_text = pg.TextItem("", color=STEP_COLOR, fill=pg.mkBrush(255, 255, 255, 220), anchor=(0, 1))
        self.walk_text = pg.TextItem("", color=WALK_COLOR, fill=pg.mkBrush(255, 255, 255, 220), anchor=(0.5, 0))
        for t in (self.step_text, self.walk_text):
            t.setZValue(11)
            self.toy_view.addItem(t)
        self._toy_fonts()
        self.toy_view.point_moved.connect(self.set_point)
        self._set_step_visible(False)
        row.addWidget(self.toy_widget, 3)

        side = QVBoxLayout()
        row.addLayout(side, 2)
        readout = QGroupBox("The point")
        rl = QVBoxLayout(readout)
        self.prob_label = QLabel("Click anywhere on the map.")
        self.step_label = QLabel("")
        self.walk_label = QLabel("")
        self.share_label = QLabel("")
        for label, color, scale in ((self.prob_label, "#222", 1.6), (self.step_label, STEP_COLOR, 1.9),
                                    (self.walk_label, WALK_COLOR, 1.9), (self.share_label, "#222", 1.45)):
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
            self._scale(label, scale, bold=label is not self.prob_label)
            label.setStyleSheet(f"color: {color};")
            rl.addWidget(label)
        side.addWidget(readout)

        box = QGroupBox("Data and network (any change retrains)")
        form = QFormLayout(box)
        self.curve_combo = QComboBox()
        for kind in manifold.CURVES:
            self.curve_combo.addItem(manifold.CURVE_TITLES[kind], kind)
        self.noise_slider = QSlider(Qt.Orientation.Horizontal)
        self.noise_slider.setRange(0, 40)  # × 0.005
        self.noise_slider.setValue(6)
        self.noise_label = QLabel()
        noise_row = QHBoxLayout()
        noise_row.addWidget(self.noise_slider, 1)
        noise_row.addWidget(self.noise_label)
        self.segments_spin = QSpinBox()
        self.segments_spin.setRange(2, 8)
        self.segments_spin.setValue(2)
        self.hidden_edit = QLineEdit("32,32")
        self.hidden_edit.setToolTip("units per hidden layer, comma-separated, e.g. 16 or 64,64,64")
        self.act_combo = QComboBox()
        self.act_combo.addItems(manifold.ACTIVATIONS)
        self.decay_spin = QDoubleSpinBox()
        self.decay_spin.setDecimals(4)
        self.decay_spin.setRange(0.0, 0.1)
        self.decay_spin.setSingleStep(0.001)
        self.decay_spin.setValue(1e-4)
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(10, 5000)
        self.epochs_spin.setSingleStep(50)
        self.epochs_spin.setValue(300)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 9999)
        form.addRow("Curve", self.curve_combo)
        form.addRow("Width off the curve", noise_row)
        form.addRow("Pieces along the curve", self.segments_spin)
        form.addRow("Hidden layers", self.hidden_edit)
        form.addRow("Activation", self.act_combo)
        form.addRow("Weight decay", self.decay_spin)
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Seed", self.seed_spin)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(box)
        holder_layout.addStretch(1)
        scroll = QScrollArea()  # the settings give way to the read-out when fonts grow (F11)
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        side.addWidget(scroll, 1)
        for w in (self.curve_combo, self.act_combo):
            w.currentIndexChanged.connect(self._params_changed)
        for w in (self.segments_spin, self.epochs_spin, self.seed_spin, self.noise_slider):
            w.valueChanged.connect(self._params_changed)
        self.decay_spin.valueChanged.connect(self._params_changed)
        self.hidden_edit.editingFinished.connect(self._params_changed)
        self._update_noise_label()

        buttons = QHBoxLayout()
        self.retrain_button = QPushButton("Retrain  (Space)")
        self.retrain_button.clicked.connect(self.retrain)
        self.vulnerable_button = QPushButton("Most vulnerable point")
        self.vulnerable_button.setToolTip("the training point that the shortest step fools")
        self.vulnerable_button.clicked.connect(self.pick_most_vulnerable)
        self.vulnerable_button.setEnabled(False)
        self.gap_button = QPushButton("Biggest gap")
        self.gap_button.setToolTip("the training point whose walk along the curve is the most times longer "
                                   "than its fooling step")
        self.gap_button.clicked.connect(self.pick_biggest_gap)
        self.gap_button.setEnabled(False)
        buttons.addWidget(self.retrain_button)
        buttons.addWidget(self.vulnerable_button)
        buttons.addWidget(self.gap_button)
        side.addLayout(buttons)
        self.train_label = QLabel("")
        self.train_label.setWordWrap(True)
        self._scale(self.train_label, 1.1)
        side.addWidget(self.train_label)
        return page

    def _update_noise_label(self) -> None:
        self.noise_label.setText(f"{self.noise_slider.value() * 0.005:.3f}")

    def toy_params(self) -> manifold.ToyParams:
        text = self.hidden_edit.text().replace(" ", "")
        try:
            hidden = tuple(int(t) for t in text.split(",") if t)
        except ValueError:
            raise UserError("hidden layers must be whole numbers separated by commas, e.g. 32,32.") from None
        return manifold.ToyParams(
            curve=self.curve_combo.currentData(), noise=self.noise_slider.value() * 0.005,
            segments=self.segments_spin.value(), hidden=hidden, activation=self.act_combo.currentText(),
            weight_decay=self.decay_spin.value(), epochs=self.epochs_spin.value(), seed=self.seed_spin.value(),
        ).validated()

    def _params_changed(self, *_args) -> None:
        self._update_noise_label()
        self._retrain_timer.start()

    def retrain(self) -> None:
        try:
            params = self.toy_params()
        except UserError as exc:
            self.ctx.error(str(exc))
            return
        self.runner.start(lambda cancel: manifold.train_job(params, cancel=cancel))

    def _toy_running_changed(self, running: bool) -> None:
        self.retrain_button.setText("Stop  (Esc)" if running else "Retrain  (Space)")

    def _show_toy(self, frame: manifold.ToyFrame) -> None:
        first = self._frame is None or self._frame.params != frame.params
        self._frame = frame
        if first or self._curve is None or self._curve.kind != frame.params.curve:
            if self._curve is not None and self._curve.kind != frame.params.curve:
                self._point = None  # a new curve: show its biggest gap again
                self.marker.setData([], [])
                self._set_step_visible(False)
            self._curve = manifold.Curve(frame.params.curve)
        rgb = self._lut[np.clip((frame.prob_grid * 255).round().astype(np.int32), 0, 255)]
        self.heat.setImage(rgb, autoLevels=False, levels=(0, 255))
        g = frame.prob_grid.shape[0]
        ext = frame.extent
        cell = 2 * ext / (g - 1)
        self.heat.setRect(QRectF(-ext - cell / 2, -ext - cell / 2, 2 * ext + cell, 2 * ext + cell))
        self.boundary.setData(frame.prob_grid)
        self.curve_item.setData(frame.curve_points[:, 0], frame.curve_points[:, 1])
        if first:
            brushes = [pg.mkBrush(BLUE_CLASS if y else YELLOW_CLASS) for y in frame.data_y]
            pens = [pg.mkPen("w" if y else "k", width=1.2) for y in frame.data_y]
            self.scatter.setData(frame.data_x[:, 0], frame.data_x[:, 1], brush=brushes, pen=pens)
        verb = "trained" if frame.done else "training:"
        self.train_label.setText(f"Network {verb} epoch {frame.epoch} of {frame.params.epochs}, "
                                 f"{frame.accuracy:.0%} of the points right, {frame.seconds:.2f} s.")
        self.vulnerable_button.setEnabled(frame.done and frame.most_vulnerable >= 0)
        self.gap_button.setEnabled(frame.done and frame.biggest_gap >= 0)
        if self._point is None and frame.done and frame.biggest_gap >= 0:
            self.pick_biggest_gap()
        elif self._point is not None:
            self._point_timer.start()
        if frame.done:
            self.ctx.status(frame.message)

    def set_point(self, x: float, y: float) -> None:
        """Select the point the lecturer clicked or dragged to (in feature coordinates)."""
        ext = manifold.EXTENT
        self._point = (float(np.clip(x, -ext, ext)), float(np.clip(y, -ext, ext)))
        self.marker.setData([self._point[0]], [self._point[1]])
        self._point_timer.start()  # coalesces a burst of drag events into one analysis

    def pick_most_vulnerable(self) -> None:
        f = self._frame
        if f is None or f.most_vulnerable < 0:
            return
        x, y = f.data_x[f.most_vulnerable]
        self.set_point(x, y)

    def pick_biggest_gap(self) -> None:
        f = self._frame
        if f is None or f.biggest_gap < 0:
            return
        x, y = f.data_x[f.biggest_gap]
        self.set_point(x, y)

    def _set_step_visible(self, on: bool) -> None:
        for item in (self.halo, self.shaft, self.head, self.step_text, self.walk_item, self.walk_text, *self.part_items):
            item.setVisible(on)

    def _analyse_point(self) -> None:
        f = self._frame
        if f is None or self._point is None or f.net is None or self._curve is None:
            return
        data = manifold.ToyData(x=f.data_x, y=f.data_y, u=f.data_u)
        a = manifold.analyse_point(f.net, self._curve, data, self._point)
        self._analysis = a
        mine, other = CLASS_NAMES[a.predicted], CLASS_NAMES[1 - a.predicted]
        p_mine = a.prob_blue if a.predicted else 1 - a.prob_blue
        self.prob_label.setText(f"The network says <b>{mine}</b> here ({p_mine:.0%} sure).")
        if not a.found:
            self._set_step_visible(False)
            self.step_label.setText("No step found that changes the answer.")
            self.walk_label.setText("")
            self.share_label.setText("")
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
        self._set_step_visible(True)
        self.step_label.setText(f"Step to {other}: {a.adv_distance:.3f}")
        if math.isfinite(a.on_manifold_distance):
            self.walk_label.setText(f"Walk along the curve: {a.on_manifold_distance:.3f}<br>"
                                    f"{a.ratio:.1f}× longer than the step")
        else:
            self.walk_label.setText(f"No {other} point on the curve.")
        along = float(np.linalg.norm(a.tangent_part))
        off = float(np.linalg.norm(a.normal_part))
        self.share_label.setText(f"{a.normal_fraction:.0%} of the step leaves the curve<br>"
                                 f"<span style='font-weight:normal'>along it {along:.3f}, off it {off:.3f} "
                                 f"(dashed green and black)</span>")

    # ============================================================== the sweep
    def _build_sweep(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.addWidget(self.make_caption(SWEEP_CAPTION))
        controls = QHBoxLayout()
        self.sweep_curve = QComboBox()
        for kind in manifold.CURVES:
            self.sweep_curve.addItem(manifold.CURVE_TITLES[kind], kind)
        self.dims_edit = QLineEdit("2,5,10,20,50,100,200,500,1000")
        self.dims_edit.setToolTip("dimensions to try, 2 to 1000, comma-separated")
        self.extra_spin = QDoubleSpinBox()
        self.extra_spin.setDecimals(3)
        self.extra_spin.setRange(0.0, 0.5)
        self.extra_spin.setSingleStep(0.01)
        self.eps_spin = QDoubleSpinBox()
        self.eps_spin.setDecimals(3)
        self.eps_spin.setRange(0.001, 1.0)
        self.eps_spin.setSingleStep(0.01)
        self.eps_spin.setValue(manifold.SweepParams.eps)
        self.sweep_button = QPushButton("Run  (Space)")
        self.sweep_button.clicked.connect(self._sweep_clicked)
        for text, w in (("Curve", self.sweep_curve), ("Dimensions D", self.dims_edit),
                        ("Noise in the extra dimensions", self.extra_spin), ("ε per coordinate", self.eps_spin)):
            controls.addWidget(QLabel(text))
            controls.addWidget(w, 2 if w is self.dims_edit else 0)
        controls.addWidget(self.sweep_button)
        outer.addLayout(controls)

        plots = QHBoxLayout()
        self.dist_plot = CurvePlot("Mean length (log scale)", "dimensions D", "length")
        self.ratio_plot = CurvePlot("Walk ÷ step: how many times longer", "dimensions D", "times longer")
        self.share_plot = CurvePlot("Fooled, and share off the curve", "dimensions D", "fraction")
        for p in (self.dist_plot, self.ratio_plot, self.share_plot):
            p.setLogMode(x=True, y=p is self.dist_plot)
            plots.addWidget(p)
        self.dist_plot.add_curve("walk", "walk along the curve", WALK_COLOR, symbol="o")
        self.dist_plot.add_curve("walk_inf", "walk, per coordinate", WALK_COLOR, dashed=True, symbol="t")
        self.dist_plot.add_curve("adv", "smallest step", STEP_COLOR, symbol="o")
        self.dist_plot.add_curve("adv_inf", "smallest step, per coordinate", STEP_COLOR, dashed=True, symbol="t")
        self.ratio_plot.add_curve("ratio", "straight length", style.BLUE, symbol="o")
        self.ratio_plot.add_curve("ratio_inf", "per coordinate", style.ORANGE, dashed=True, symbol="t")
        self.share_plot.add_curve("flip", "fooled by ε per coordinate", STEP_COLOR, symbol="o")
        self.share_plot.add_curve("normal", "share of the step off the curve", style.GREEN, symbol="s")
        self.share_plot.setYRange(0, 1.02)
        self.dist_plot.legend.setOffset((10, -10))  # bottom left: the curves run along the top
        self.share_plot.legend.setOffset((-10, -10))
        outer.addLayout(plots, 1)
        self.sweep_label = QLabel("Press Run: each dot appears as its network finishes training.")
        self.sweep_label.setWordWrap(True)
        self._scale(self.sweep_label, 1.5, bold=True)
        outer.addWidget(self.sweep_label)
        return page

    def sweep_params(self) -> manifold.SweepParams:
        toy = self.toy_params()
        try:
            dims = tuple(int(t) for t in self.dims_edit.text().replace(" ", "").split(",") if t)
        except ValueError:
            raise UserError("dimensions must be whole numbers separated by commas, e.g. 2,10,100.") from None
        return manifold.SweepParams(
            curve=self.sweep_curve.currentData(), dims=dims, extra_noise=self.extra_spin.value(),
            eps=self.eps_spin.value(), noise=toy.noise, segments=toy.segments, hidden=toy.hidden,
            activation=toy.activation, weight_decay=toy.weight_decay, epochs=toy.epochs, seed=toy.seed,
        ).validated()

    def _sweep_clicked(self) -> None:
        if self.sweep_runner.is_running:
            self.sweep_runner.stop()
        else:
            self.run_sweep()

    def run_sweep(self) -> None:
        try:
            params = self.sweep_params()
        except UserError as exc:
            self.ctx.error(str(exc))
            return
        self.dist_plot.clear_data()
        self.ratio_plot.clear_data()
        self.share_plot.clear_data()
        self.sweep_runner.start(lambda cancel: manifold.dimension_sweep_job(params, cancel=cancel))

    def _sweep_running_changed(self, running: bool) -> None:
        self.sweep_button.setText("Stop  (Esc)" if running else "Run  (Space)")

    def _show_sweep(self, frame: manifold.SweepFrame) -> None:
        self._sweep = frame
        self.sweep_label.setText(frame.message)
        if not frame.results:
            return
        r = frame.results
        d = [x.dim for x in r]
        self.dist_plot.set_data("walk", d, [x.mean_on_manifold for x in r])
        self.dist_plot.set_data("walk_inf", d, [x.mean_on_manifold_linf for x in r])
        self.dist_plot.set_data("adv", d, [x.mean_adv for x in r])
        self.dist_plot.set_data("adv_inf", d, [x.mean_adv_linf for x in r])
        self.ratio_plot.set_data("ratio", d, [x.ratio for x in r])
        self.ratio_plot.set_data("ratio_inf", d, [x.ratio_linf for x in r])
        self.ratio_plot.setYRange(0, 1.1 * max(max(x.ratio, x.ratio_linf) for x in r))
        self.share_plot.set_data("flip", d, [x.flipped_at_eps for x in r])
        self.share_plot.set_data("normal", d, [x.normal_fraction for x in r])

    # ============================================================== random images
    def _build_null(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.addWidget(self.make_caption(NULL_CAPTION))
        row = QHBoxLayout()
        self.null_panels: list[ImagePanel] = []
        self.null_labels: list[QLabel] = []
        for _ in range(3):
            col = QVBoxLayout()
            panel = ImagePanel("")
            label = QLabel("")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            self._scale(label, 1.8, bold=True)
            col.addWidget(panel, 1)
            col.addWidget(label)
            row.addLayout(col, 1)
            self.null_panels.append(panel)
            self.null_labels.append(label)
        outer.addLayout(row, 1)
        self.null_note = QLabel("")
        self.null_note.setWordWrap(True)
        self._scale(self.null_note, 1.2)
        outer.addWidget(self.null_note)
        buttons = QHBoxLayout()
        self.null_button = QPushButton("Draw new random images  (Space)")
        self.null_button.clicked.connect(self.draw_random)
        buttons.addWidget(self.null_button)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        self._null_seed = 0
        return page

    def draw_random(self) -> None:
        seed = self._null_seed
        self._null_seed += 1
        device = self.ctx.device
        self.null_runner.start(lambda cancel: random_images.null_set_job(seed, device=device, cancel=cancel))

    def _null_running_changed(self, running: bool) -> None:
        self.null_button.setEnabled(not running)

    def _show_null(self, frame: random_images.NullSetFrame) -> None:
        self._null = frame
        if not frame.done:
            self.null_note.setText(frame.message)
            return
        for i, (panel, label) in enumerate(zip(self.null_panels, self.null_labels)):
            visible = i < len(frame.images)
            panel.setVisible(visible)
            label.setVisible(visible)
            if visible:
                panel.set_image(frame.images[i])
                panel.set_title(frame.titles[i])
                label.setText(f"“{frame.labels[i]}”<br>{frame.confidences[i]:.0%} sure"
                              f"<br><span style='font-size:small; font-weight:normal'>a blind guess: "
                              f"{frame.chance[i]:.1%}</span>")
        self.null_note.setText(f"{NULL_TOY_LINE} {frame.note}".strip())

    # ============================================================== tab contract
    def _scale(self, widget: QWidget, scale: float, bold: bool = False) -> None:
        self._scaled.append((widget, scale, bold))
        widget.setFont(_font(widget, scale, bold, self._presentation))

    def _toy_fonts(self) -> None:
        axis_font = QFont()
        axis_font.setPointSize(style.axis_pt(self._presentation))
        for side in ("left", "bottom"):
            self.toy_plot.getAxis(side).setTickFont(axis_font)
            self.toy_plot.getAxis(side).label.setFont(axis_font)
        for t in (self.step_text, self.walk_text):
            f = QFont()
            f.setPointSize(style.axis_pt(self._presentation) + 4)
            f.setBold(True)
            t.setFont(f)

    def set_presentation(self, on: bool) -> None:
        super().set_presentation(on)
        for widget, scale, bold in self._scaled:
            widget.setFont(_font(widget, scale, bold, on))
        self._toy_fonts()
        for widget in (self.pages.tabBar(), *self.findChildren(QGroupBox)):
            widget.setFont(_font(widget, 1.15 if widget is self.pages.tabBar() else 1.0, False, on))

    @property
    def is_running(self) -> bool:
        return self.runner.is_running or self.sweep_runner.is_running or self.null_runner.is_running

    def start(self) -> None:
        page = self.pages.currentIndex()
        if page == 0:
            self.retrain()
        elif page == 1:
            self.run_sweep()
        else:
            self.draw_random()

    def stop(self) -> None:
        self.runner.stop()
        self.sweep_runner.stop()
        self.null_runner.stop()

    def showEvent(self, event):  # noqa: N802 - Qt API
        super().showEvent(event)
        self._page_changed(self.pages.currentIndex())

    def _page_changed(self, page: int) -> None:
        """The random images page fills itself the first time it is shown."""
        if page == 2 and self.isVisible() and self._null is None and not self.null_runner.is_running:
            self.draw_random()

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("curve", self.curve_combo.currentData())
        settings.setValue("noise_steps", self.noise_slider.value())
        settings.setValue("segments", self.segments_spin.value())
        settings.setValue("hidden", self.hidden_edit.text())
        settings.setValue("activation", self.act_combo.currentText())
        settings.setValue("weight_decay", self.decay_spin.value())
        settings.setValue("epochs", self.epochs_spin.value())
        settings.setValue("seed", self.seed_spin.value())
        settings.setValue("sweep_curve", self.sweep_curve.currentData())
        settings.setValue("dims", self.dims_edit.text())
        settings.setValue("extra_noise", self.extra_spin.value())
        settings.setValue("eps", self.eps_spin.value())
        settings.setValue("page", self.pages.currentIndex())

    def restore_settings(self, settings: QSettings) -> None:
        def get(key, default, kind):
            try:
                return kind(settings.value(key, default))
            except (TypeError, ValueError):
                return default

        widgets = (self.curve_combo, self.noise_slider, self.segments_spin, self.hidden_edit, self.act_combo,
                   self.decay_spin, self.epochs_spin, self.seed_spin)
        for w in widgets:
            w.blockSignals(True)
        try:
            i = self.curve_combo.findData(get("curve", "sine", str))
            self.curve_combo.setCurrentIndex(max(i, 0))
            self.noise_slider.setValue(get("noise_steps", 6, int))
            self.segments_spin.setValue(get("segments", 2, int))
            self.hidden_edit.setText(get("hidden", "32,32", str))
            i = self.act_combo.findText(get("activation", "relu", str))
            self.act_combo.setCurrentIndex(max(i, 0))
            self.decay_spin.setValue(get("weight_decay", 1e-4, float))
            self.epochs_spin.setValue(get("epochs", 300, int))
            self.seed_spin.setValue(get("seed", 0, int))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._update_noise_label()
        i = self.sweep_curve.findData(get("sweep_curve", "sine", str))
        self.sweep_curve.setCurrentIndex(max(i, 0))
        self.dims_edit.setText(get("dims", self.dims_edit.text(), str))
        self.extra_spin.setValue(get("extra_noise", 0.0, float))
        self.eps_spin.setValue(get("eps", manifold.SweepParams.eps, float))
        self.pages.setCurrentIndex(min(max(get("page", 0, int), 0), 2))
        self._point = None
        self._retrain_timer.start()

    def shutdown(self) -> None:
        self._retrain_timer.stop()
        self._point_timer.stop()
        self.sweep_runner.shutdown()
        self.null_runner.shutdown()
        super().shutdown()
