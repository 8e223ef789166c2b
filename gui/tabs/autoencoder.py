"""The Autoencoder tab: compress digits, train live, denoise, and call off-manifold images liars."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication, QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout,
    QGroupBox, QHBoxLayout, QLabel, QPushButton, QSlider, QSpinBox, QTabWidget, QVBoxLayout, QWidget,
)

from core import autoencoders as ae
from core import data, imaging
from core.errors import UserError

from ..widgets import CurvePlot, ImagePanel, style
from ..widgets.digit_strip import DigitStrip
from ..widgets.draw_canvas import DrawCanvas
from .base import AppContext, LabTab

#: Ten colours for the ten digits: Okabe–Ito's eight plus two of Paul Tol's.
DIGIT_COLORS = (style.BLUE, style.VERMILLION, style.GREEN, style.ORANGE, style.PURPLE, style.SKY_BLUE,
                "#999933", style.BLACK, "#882255", style.GREY)
PAGES = ("training", "denoising", "detector", "latent")
KIND_NAMES = {"noise": "noise", "blobs": "blobs", "shifted": "shifted", "rotated": "rotated",
              "fooling": "fooling"}


class _LatentViewBox(pg.ViewBox):
    """A view box that reports clicks and left-button drags in data coordinates."""

    clicked = Signal(float, float)
    dragged = Signal(float, float, float, float, bool)

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph API
        if ev.button() == Qt.MouseButton.LeftButton:
            p = self.mapSceneToView(ev.scenePos())
            self.clicked.emit(p.x(), p.y())
            ev.accept()
        else:
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 - pyqtgraph API
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        a = self.mapSceneToView(ev.buttonDownScenePos())
        b = self.mapSceneToView(ev.scenePos())
        self.dragged.emit(a.x(), a.y(), b.x(), b.y(), ev.isFinish())


def _big_label(text: str = "", scale: float = style.READOUT_SCALE) -> QLabel:
    label = QLabel(text)
    label.setProperty("scale", scale)
    label.setWordWrap(True)
    return label


class AutoencoderTab(LabTab):
    key = "autoencoder"
    title = "Autoencoder"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.trained: ae.TrainedAE | None = None
        self._digits: data.DigitSet = data.mnist_sample()
        self._idx_folder = ""
        self._job = ""  # what the runner runs: "train", "detector" or "download"
        self._last_train: ae.TrainFrame | None = None
        self._test_image: np.ndarray | None = None  # the 28×28 digit being judged
        self._test_name = ""
        self._verdict: ae.Verdict | None = None
        self._report: ae.DetectorReport | None = None
        self._latent: ae.LatentMap | None = None
        self._latent_labels: np.ndarray | None = None
        self._pick = 0  # counter for "another validation digit / noise / fooling image"
        self._building = True
        self._build()
        self.runner.frame_ready.connect(self._show_frame)
        self.runner.running_changed.connect(self._running_changed)
        self.runner.job_finished.connect(self._job_finished)
        self.runner.job_failed.connect(lambda _msg: self._set_job(""))
        self._building = False
        self._config_changed()
        if self.trained is not None:
            self.pick_validation_digit()

    # ------------------------------------------------------------------------ layout
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.addWidget(self.make_caption(
            "An <b>autoencoder</b> squeezes each 28×28 digit (784 numbers) through a <b>code</b> of a few "
            "numbers and rebuilds it. Digits come back well; anything that is not a digit comes back "
            "badly — so a high <b>reconstruction loss</b> exposes a fooling image: <b>LIAR!</b>"))
        body = QHBoxLayout()
        root.addLayout(body, 1)
        body.addWidget(self._build_controls())
        self.pages = QTabWidget()
        self.pages.addTab(self._build_training_page(), "1 · Training")
        self.pages.addTab(self._build_denoising_page(), "2 · Denoising")
        self.pages.addTab(self._build_detector_page(), "3 · LIAR! detector")
        self.pages.addTab(self._build_latent_page(), "4 · Latent space")
        font = self.pages.tabBar().font()
        font.setPointSize(font.pointSize() + 2)
        font.setBold(True)
        self.pages.tabBar().setFont(font)
        body.addWidget(self.pages, 1)
        self._style_readouts()

    def _build_controls(self) -> QWidget:
        panel = QWidget()
        panel.setFixedWidth(340)
        col = QVBoxLayout(panel)
        col.setContentsMargins(0, 0, 0, 0)

        box = QGroupBox("Autoencoder")
        form = QFormLayout(box)
        self.arch_combo = QComboBox()
        for a in ae.ARCHS:
            self.arch_combo.addItem(ae.ARCH_TITLES[a], a)
        self.latent_spin = QSpinBox()
        self.latent_spin.setRange(1, ae.MAX_LATENT)
        self.latent_spin.setValue(32)
        self.latent_spin.setSuffix(" numbers")
        self.latent_spin.setToolTip("Size of the code in the middle (the blog's 32; 2 gives a map you can see).")
        self.loss_combo = QComboBox()
        self.loss_combo.addItem("Binary cross-entropy", "bce")
        self.loss_combo.addItem("Mean squared error", "mse")
        self.denoise_check = QCheckBox("Denoising: train on noisy digits")
        self.train_noise_spin = QDoubleSpinBox()
        self.train_noise_spin.setRange(0.05, 1.0)
        self.train_noise_spin.setSingleStep(0.05)
        self.train_noise_spin.setValue(0.5)
        self.train_noise_kind = QComboBox()
        self.train_noise_kind.addItem("Gaussian", "gaussian")
        self.train_noise_kind.addItem("Salt and pepper", "saltpepper")
        noise_row = QHBoxLayout()
        noise_row.addWidget(self.train_noise_spin)
        noise_row.addWidget(self.train_noise_kind, 1)
        form.addRow("Network", self.arch_combo)
        form.addRow("Code size", self.latent_spin)
        form.addRow("Loss", self.loss_combo)
        form.addRow(self.denoise_check)
        form.addRow("Noise", noise_row)
        for w in (self.arch_combo, self.loss_combo, self.train_noise_kind):
            w.currentIndexChanged.connect(self._config_changed)
        self.latent_spin.valueChanged.connect(self._config_changed)
        self.denoise_check.toggled.connect(self._config_changed)
        self.train_noise_spin.valueChanged.connect(self._config_changed)
        col.addWidget(box)

        box = QGroupBox("Training data")
        form = QFormLayout(box)
        self.data_combo = QComboBox()
        self.data_combo.addItem("Bundled MNIST sample (10,000)", "sample")
        self.data_combo.addItem("Full MNIST (70,000)", "full")
        self.data_combo.addItem("IDX folder…", "idx")
        self.data_combo.currentIndexChanged.connect(self._data_changed)
        self.download_button = QPushButton("Download full MNIST (11 MB)")
        self.download_button.clicked.connect(self.download_mnist)
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 1000)
        self.epochs_spin.setValue(20)
        form.addRow("Digits", self.data_combo)
        form.addRow("", self.download_button)
        form.addRow("Epochs", self.epochs_spin)
        col.addWidget(box)

        self.run_button = self.make_run_button("Train from scratch  (Space)")
        col.addWidget(self.run_button)
        row = QHBoxLayout()
        self.load_button = QPushButton("Load weights…")
        self.load_button.clicked.connect(self._load_dialog)
        self.save_button = QPushButton("Save weights…")
        self.save_button.clicked.connect(lambda: self.save_result())
        row.addWidget(self.load_button)
        row.addWidget(self.save_button)
        col.addLayout(row)
        self.model_info = QLabel()
        self.model_info.setWordWrap(True)
        self.model_info.setTextFormat(Qt.TextFormat.RichText)
        col.addWidget(self.model_info)
        col.addStretch(1)
        self.data_info = QLabel()
        self.data_info.setWordWrap(True)
        col.addWidget(self.data_info)
        self._update_data_info()
        return panel

    def _build_training_page(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        self.loss_plot = CurvePlot("Loss while learning", "epoch", "loss per pixel")
        self.loss_plot.getAxis("left").enableAutoSIPrefix(False)
        self.loss_plot.add_curve("train", "training digits", style.BLUE)
        self.loss_plot.add_curve("val", "validation digits (never trained on)", style.VERMILLION,
                                 symbol="o")
        grid.addWidget(self.loss_plot, 0, 0)
        read = QVBoxLayout()
        self.epoch_label = _big_label("Epoch —")
        self.rate_label = _big_label("— digits/s", scale=1.3)
        self.val_label = _big_label("validation loss —")
        for w in (self.epoch_label, self.val_label, self.rate_label):
            read.addWidget(w)
        read.addStretch(1)
        self.compress_label = _big_label("", scale=1.2)
        read.addWidget(self.compress_label)
        holder = QWidget()
        holder.setLayout(read)
        holder.setFixedWidth(300)
        grid.addWidget(holder, 0, 1)
        self.train_strip = DigitStrip("Ten validation digits: input above, reconstruction below, loss of each")
        grid.addWidget(self.train_strip, 1, 0, 1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        return page

    def _build_denoising_page(self) -> QWidget:
        page = QWidget()
        col = QVBoxLayout(page)
        row = QHBoxLayout()
        row.addWidget(QLabel("Noise factor"))
        self.noise_slider = QSlider(Qt.Orientation.Horizontal)
        self.noise_slider.setRange(0, 100)
        self.noise_slider.setValue(50)
        self.noise_slider.setMinimumWidth(300)
        self.noise_value = _big_label("0.50", scale=1.4)
        self.noise_kind = QComboBox()
        self.noise_kind.addItem("Gaussian noise (clipped to 0–1)", "gaussian")
        self.noise_kind.addItem("Salt and pepper", "saltpepper")
        row.addWidget(self.noise_slider, 1)
        row.addWidget(self.noise_value)
        row.addWidget(self.noise_kind)
        col.addLayout(row)
        self.noise_slider.valueChanged.connect(self._update_denoising)
        self.noise_kind.currentIndexChanged.connect(self._update_denoising)
        self.denoise_strip = DigitStrip("Noisy input, what the autoencoders rebuild from it, and the clean original")
        col.addWidget(self.denoise_strip, 1)
        self.denoise_info = _big_label("", scale=1.2)
        col.addWidget(self.denoise_info)
        return page

    def _build_detector_page(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)

        pick = QGroupBox("Image to test (or drop one on the window)")
        pcol = QGridLayout(pick)
        self.canvas = DrawCanvas()
        self.canvas.drawn.connect(self._judge_drawing)
        pcol.addWidget(self.canvas, 0, 0, 5, 1)
        buttons = [("Validation digit", self.pick_validation_digit), ("Random noise", self.pick_noise),
                   ("Fooling image", self.pick_fooling), ("Open image…", self._open_dialog),
                   ("Clear drawing", self.canvas.clear)]
        for i, (text, slot) in enumerate(buttons):
            b = QPushButton(text)
            b.clicked.connect(slot)
            pcol.addWidget(b, i, 1)
        k_row = QHBoxLayout()
        k_row.addWidget(QLabel("Threshold = mean + k·std,  k ="))
        self.k_spin = QDoubleSpinBox()
        self.k_spin.setRange(0.0, 20.0)
        self.k_spin.setSingleStep(0.25)
        self.k_spin.setValue(ae.DEFAULT_K)
        self.k_spin.valueChanged.connect(self._k_changed)
        k_row.addWidget(self.k_spin)
        k_row.addStretch(1)
        pcol.addLayout(k_row, 5, 0, 1, 2)
        grid.addWidget(pick, 0, 0)

        self.test_panel = ImagePanel("Tested (28×28)")
        self.recon_panel = ImagePanel("Reconstruction")
        for p in (self.test_panel, self.recon_panel):
            p.setFixedSize(200, 235)
            p.set_note("")
        grid.addWidget(self.test_panel, 0, 1)
        grid.addWidget(self.recon_panel, 0, 2)
        self.verdict_label = QLabel("—")
        self.verdict_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setMinimumWidth(280)
        self.verdict_detail = QLabel("")
        self.verdict_detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.verdict_detail.setWordWrap(True)
        vbox = QVBoxLayout()
        vbox.addWidget(self.verdict_label, 3)
        vbox.addWidget(self.verdict_detail, 1)
        holder = QWidget()
        holder.setLayout(vbox)
        grid.addWidget(holder, 0, 3)

        self.hist_plot = pg.PlotWidget(background="w")
        self.hist_plot.setMenuEnabled(False)
        self.hist_plot.setLabel("bottom", "reconstruction loss")
        self.hist_plot.setLabel("left", "validation digits")
        self.hist_plot.showGrid(x=True, y=True, alpha=0.2)
        self.hist_plot.getAxis("bottom").enableAutoSIPrefix(False)
        self._hist_item = pg.PlotDataItem([], [], stepMode="center", fillLevel=0,
                                          brush=pg.mkBrush(86, 180, 233, 170), pen=pg.mkPen(style.BLUE, width=2))
        self.hist_plot.addItem(self._hist_item)
        self._thr_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(style.ORANGE, width=3, style=Qt.PenStyle.DashLine),
                                         label="", labelOpts={"position": 0.62, "color": style.BLACK,
                                                              "fill": (255, 255, 255, 200)})
        self._test_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(style.BLACK, width=4),
                                          label="", labelOpts={"position": 0.42, "color": style.BLACK,
                                                               "fill": (255, 255, 255, 220)})
        self.hist_plot.addItem(self._thr_line)
        self.hist_plot.addItem(self._test_line)
        self._stats_text = pg.TextItem("", color=style.BLACK, anchor=(1, 0), fill=pg.mkBrush(255, 255, 255, 220))
        self.hist_plot.addItem(self._stats_text, ignoreBounds=True)
        self.hist_plot.getViewBox().sigRangeChanged.connect(self._place_stats_text)
        grid.addWidget(self.hist_plot, 1, 0, 1, 3)

        roc_box = QWidget()
        rcol = QVBoxLayout(roc_box)
        rcol.setContentsMargins(0, 0, 0, 0)
        self.roc_button = QPushButton("Measure: digits vs. off-manifold images")
        self.roc_button.clicked.connect(self.run_detector_test)
        rcol.addWidget(self.roc_button)
        self.roc_plot = CurvePlot("ROC curve", "digits flagged (false alarms)", "off-manifold caught")
        self.roc_plot.add_curve("chance", "chance", style.GREY, width=1.5, dashed=True)
        self.roc_plot.add_curve("roc", "detector", style.VERMILLION)
        self.roc_plot.set_data("chance", [0, 1], [0, 1])
        self.roc_plot.setXRange(0, 1, padding=0.02)
        self.roc_plot.setYRange(0, 1, padding=0.02)
        self.roc_plot.setMinimumHeight(230)
        rcol.addWidget(self.roc_plot, 1)
        self.auroc_label = QLabel("Press the button to measure the AUROC.")
        self.auroc_label.setWordWrap(True)
        rcol.addWidget(self.auroc_label)
        self.off_strip = DigitStrip("")
        self.off_strip.setFixedHeight(150)
        self.off_strip.setVisible(False)
        rcol.addWidget(self.off_strip)
        grid.addWidget(roc_box, 1, 3)
        grid.setRowStretch(0, 2)
        grid.setRowStretch(1, 3)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(3, 1)
        return page

    def _build_latent_page(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        self._latent_vb = _LatentViewBox()
        self.latent_plot = pg.PlotWidget(viewBox=self._latent_vb, background="w")
        self.latent_plot.setMenuEnabled(False)
        self.latent_plot.showGrid(x=True, y=True, alpha=0.15)
        self.latent_plot.setLabel("bottom", "code axis 1")
        self.latent_plot.setLabel("left", "code axis 2")
        self.latent_plot.addLegend(offset=(-10, 10))
        self._scatter_items: list[pg.ScatterPlotItem] = []
        for d in range(10):
            item = pg.ScatterPlotItem([], [], size=6, pen=None, brush=pg.mkBrush(DIGIT_COLORS[d]), name=f"digit {d}")
            self.latent_plot.addItem(item)
            self._scatter_items.append(item)
        self._centroid_texts: list[pg.TextItem] = []
        for d in range(10):
            t = pg.TextItem(str(d), color=DIGIT_COLORS[d], anchor=(0.5, 0.5), fill=pg.mkBrush(255, 255, 255, 200))
            f = QFont()
            f.setPointSize(18)
            f.setBold(True)
            t.setFont(f)
            t.setZValue(20)
            self.latent_plot.addItem(t)
            self._centroid_texts.append(t)
        self._drag_line = pg.PlotDataItem([], [], pen=pg.mkPen(style.BLACK, width=3), symbol="o", symbolSize=12,
                                          symbolBrush=style.YELLOW)
        self.latent_plot.addItem(self._drag_line)
        self._latent_vb.clicked.connect(self._latent_clicked)
        self._latent_vb.dragged.connect(self._latent_dragged)
        grid.addWidget(self.latent_plot, 0, 0, 2, 1)
        self.decoded_panel = ImagePanel("Click the map: decoded")
        self.decoded_panel.setMinimumSize(260, 260)
        self.decoded_panel.set_note("")
        grid.addWidget(self.decoded_panel, 0, 1)
        self.latent_info = QLabel("")
        self.latent_info.setWordWrap(True)
        grid.addWidget(self.latent_info, 1, 1)
        self.interp_strip = DigitStrip("Drag from one digit to another: the decoded path between their codes")
        grid.addWidget(self.interp_strip, 2, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 1)
        grid.setRowStretch(2, 1)
        return page

    def _style_readouts(self) -> None:
        base = style.PRESENTATION_FONT_PT if self._presentation else style.BASE_FONT_PT
        for label in (self.epoch_label, self.rate_label, self.val_label, self.compress_label,
                      self.noise_value, self.denoise_info):
            f = QFont(label.font())
            f.setPointSizeF(base * float(label.property("scale") or 1.0))
            f.setBold(label is not self.compress_label and label is not self.denoise_info)
            label.setFont(f)
        f = QFont(self.verdict_label.font())
        f.setPointSizeF(base * 3.0)
        f.setBold(True)
        self.verdict_label.setFont(f)
        f = QFont(self.verdict_detail.font())
        f.setPointSizeF(base * 1.2)
        self.verdict_detail.setFont(f)
        for plot in (self.hist_plot,):
            font = QFont()
            font.setPointSize(style.axis_pt(self._presentation))
            for side in ("left", "bottom"):
                plot.getAxis(side).setTickFont(font)
                plot.getAxis(side).label.setFont(font)
            plot.setTitle("Loss of the validation digits, and of the tested image",
                          size=f"{style.title_pt(self._presentation)}pt", bold=True)
        font = QFont()
        font.setPointSize(style.axis_pt(self._presentation))
        for side in ("left", "bottom"):
            self.latent_plot.getAxis(side).setTickFont(font)
            self.latent_plot.getAxis(side).label.setFont(font)

    def set_presentation(self, on: bool) -> None:
        super().set_presentation(on)
        self._style_readouts()
        self._refresh_histogram()

    # ------------------------------------------------------------------ model choice
    def config(self) -> ae.AEConfig:
        return ae.AEConfig(
            arch=self.arch_combo.currentData(), latent=self.latent_spin.value(),
            noise=self.train_noise_spin.value() if self.denoise_check.isChecked() else 0.0,
            noise_kind=self.train_noise_kind.currentData(), loss=self.loss_combo.currentData(),
        )

    def _config_changed(self) -> None:
        if self._building:
            return
        on = self.denoise_check.isChecked()
        self.train_noise_spin.setEnabled(on)
        self.train_noise_kind.setEnabled(on)
        if self.is_running and self._job == "train":
            return
        cfg = self.config()
        if self.trained is not None and self.trained.config == cfg:
            self._update_model_info()
            return
        path = ae.shipped_weights(cfg)
        if path.is_file():
            try:
                self.set_model(ae.TrainedAE.load(path, "cpu"), f"shipped weights ({path.name})")
            except UserError as exc:
                self.ctx.error(str(exc))
            return
        self._update_model_info(pending=cfg)

    def set_model(self, trained: ae.TrainedAE, origin: str) -> None:
        """Make ``trained`` the tab's model and redraw everything that depends on it."""
        trained.model.to("cpu").eval()
        self.trained = trained
        self._origin = origin
        self._update_model_info()
        self._refresh_training_view()
        self._update_denoising()
        self._refresh_detector()
        self._refresh_latent()

    def _update_model_info(self, pending: ae.AEConfig | None = None) -> None:
        t = self.trained
        if t is None:
            text = "<b>No model yet.</b> Press <i>Train from scratch</i>."
        else:
            unit = "BCE" if t.config.loss == "bce" else "MSE"
            text = (f"<b>Using:</b> {t.config.title}<br>{t.epochs} epochs, {getattr(self, '_origin', '')}<br>"
                    f"validation {unit} <b>{t.val_loss:.4f}</b>")
        if pending is not None:
            text += (f"<br><span style='color:{style.VERMILLION}'><b>No trained weights for</b> "
                     f"{pending.title}: press <i>Train from scratch</i>.</span>")
        self.model_info.setText(text)

    def _data_changed(self) -> None:
        if self._building:
            return
        choice = self.data_combo.currentData()
        try:
            if choice == "sample":
                self._digits = data.mnist_sample()
            elif choice == "full":
                self._digits = data.mnist_full()
            else:
                folder = QFileDialog.getExistingDirectory(self, "Folder with MNIST IDX files", self._idx_folder)
                if not folder:
                    raise UserError("no folder chosen; keeping the bundled sample.")
                self.open_idx_folder(folder)
                return
        except UserError as exc:
            self.ctx.error(str(exc))
            self.data_combo.blockSignals(True)
            self.data_combo.setCurrentIndex(0)
            self.data_combo.blockSignals(False)
            self._digits = data.mnist_sample()
        self._update_data_info()

    def open_idx_folder(self, folder: str) -> None:
        self._digits = data.load_idx_folder(folder)
        self._idx_folder = folder
        self.data_combo.blockSignals(True)
        self.data_combo.setCurrentIndex(self.data_combo.findData("idx"))
        self.data_combo.blockSignals(False)
        self._update_data_info()
        self.ctx.status(f"Training data: {self._digits.source}.")

    def _update_data_info(self) -> None:
        d = self._digits
        have_full = data.full_mnist_available()
        self.download_button.setVisible(not have_full)
        self.data_info.setText(f"{len(d.x_train):,} training and {len(d.x_val):,} validation digits "
                               f"({d.source}).")

    # ---------------------------------------------------------------------- training
    def start(self) -> None:
        if self.is_running:
            return
        try:
            cfg = self.config().validated()
            params = ae.default_params(cfg.arch, self.epochs_spin.value())
        except UserError as exc:
            self.ctx.error(str(exc))
            return
        digits, device = self._digits, self.ctx.device

        def job(cancel):
            return ae.train_job(digits, cfg, params, seed=0, device=device, cancel=cancel)

        self._set_job("train")
        self.loss_plot.clear_data()
        self.pages.setCurrentIndex(PAGES.index("training"))
        self.runner.start(job)
        self.ctx.status(f"Training {cfg.title} on {len(digits.x_train):,} digits…")

    def download_mnist(self) -> None:
        if self.is_running:
            self.ctx.error("Wait for the running job to finish first.")
            return
        self._set_job("download")
        self.runner.start(lambda cancel: data.download_mnist_job(cancel=cancel))
        self.ctx.status("Downloading the full MNIST…")

    def _set_job(self, job: str) -> None:
        self._job = job
        self.run_button.setText("Stop  (Esc)" if job else "Train from scratch  (Space)")
        for w in (self.arch_combo, self.latent_spin, self.loss_combo, self.denoise_check, self.data_combo,
                  self.epochs_spin, self.load_button, self.roc_button, self.download_button):
            w.setEnabled(not job)
        if not job:
            self._config_changed()

    def toggle(self) -> None:
        if self.is_running:
            self.stop()
        else:
            self.start()

    def _running_changed(self, running: bool) -> None:
        if not running:
            self._set_job("")

    def _job_finished(self) -> None:
        self._set_job("")

    def _show_frame(self, f) -> None:
        if isinstance(f, ae.TrainFrame):
            self._show_train_frame(f)
        elif isinstance(f, ae.DetectorFrame):
            self._show_detector_frame(f)
        elif isinstance(f, data.MnistDownloadFrame):
            if f.done:
                self.ctx.status(f.message)
                self._update_data_info()
            elif f.size:
                self.ctx.status(f"{f.message}: {f.received / 2**20:.1f} / {f.size / 2**20:.1f} MB")

    def _show_train_frame(self, f: ae.TrainFrame) -> None:
        self._last_train = f
        self.loss_plot.set_data("train", f.train_x, f.train_y)
        self.loss_plot.set_data("val", f.val_x, f.val_y)
        self._zoom_loss(f.train_y, f.val_y, f.epochs)
        frac = f.epoch + (f.batch / f.batches if f.batches else 0)
        self.epoch_label.setText(f"Epoch {frac:.1f} / {f.epochs}" if not f.done else f"Epoch {f.epoch} / {f.epochs}")
        self.val_label.setText(f"validation loss {f.val_loss:.4f}")
        self.rate_label.setText(f"{f.samples_per_s:,.0f} digits/s · {f.seconds:.0f} s")
        self._show_strip(f.strip_inputs, f.strip_recons, f.strip_clean, f.strip_losses,
                         noisy=not np.array_equal(f.strip_inputs, f.strip_clean))
        if f.done and f.result is not None:
            state = "stopped" if f.epoch < f.epochs else "trained live"
            self.set_model(f.result, f"{state} on {self._digits.source}")
            self.ctx.status(f"Done: validation loss {f.result.val_loss:.4f} after {f.epoch} epochs "
                            f"({f.seconds:.0f} s).")

    def _zoom_loss(self, train_y, val_y, epochs: int) -> None:
        """Keep the interesting part in view: the untrained start (~0.7) leaves once the loss is low."""
        ys = np.concatenate([np.asarray(train_y, float), np.asarray(val_y, float)])
        ys = ys[np.isfinite(ys)]
        if not len(ys):
            return
        latest = float(val_y[-1]) if len(val_y) else float(ys[-1])
        top = min(float(ys.max()), max(0.25, 2.5 * latest))
        self.loss_plot.setYRange(0.9 * float(ys.min()), top * 1.02, padding=0)
        self.loss_plot.setXRange(0, max(epochs, 1), padding=0.02)

    def _show_strip(self, inputs, recons, clean, losses_, noisy: bool) -> None:
        loss_txt = [f"{v:.3f}" for v in losses_]
        if noisy:
            self.train_strip.set_rows([inputs, recons, clean], ["noisy input", "reconstruction", "original"],
                                      loss_txt)
        else:
            self.train_strip.set_rows([inputs, recons], ["input", "reconstruction"], loss_txt)

    def _refresh_training_view(self) -> None:
        """Without a run: show the current model on the strip, and what it compresses."""
        t = self.trained
        if t is None:
            return
        if self._last_train is None or self._last_train.result is not t:
            idx = ae.strip_indices(self._digits.y_val)
            clean = self._digits.x_val[idx]
            inputs = ae.noisy_images(clean, t.config.noise, t.config.noise_kind, seed=1) if t.config.denoising else clean
            recons = ae.reconstruct(t.model, inputs)
            vals = ae.losses(t.model, inputs, targets=clean)
            self._show_strip(inputs, recons, clean, vals, noisy=t.config.denoising)
            self.val_label.setText(f"validation loss {t.val_loss:.4f}")
            self.epoch_label.setText(f"Epoch {t.epochs} (loaded)")
            h = t.history
            if h:
                self.loss_plot.set_data("train", h.get("train_x", []), h.get("train_y", []))
                self.loss_plot.set_data("val", h.get("val_x", []), h.get("val_y", []))
                self._zoom_loss(h.get("train_y", []), h.get("val_y", []), t.epochs)
            else:
                self.loss_plot.clear_data()
            self.rate_label.setText("press Train to watch it learn")
        ratio = 784 / t.config.latent
        self.compress_label.setText(f"784 pixels → {t.config.latent} numbers → 784 pixels: "
                                    f"the code is {ratio:.1f}× smaller than the image.")

    # -------------------------------------------------------------------- denoising
    def _update_denoising(self) -> None:
        factor = self.noise_slider.value() / 100
        self.noise_value.setText(f"{factor:.2f}")
        t = self.trained
        if t is None:
            return
        idx = ae.strip_indices(self._digits.y_val)
        clean = self._digits.x_val[idx]
        noisy = ae.noisy_images(clean, factor, self.noise_kind.currentData(), seed=2)
        recons = ae.reconstruct(t.model, noisy)
        vals = ae.losses(t.model, noisy, targets=clean)
        rows, names = [noisy, recons], ["noisy input", "this model rebuilds"]
        text = f"Loss against the clean originals: this model {float(np.mean(vals)):.3f}"
        denoiser = t if t.config.denoising else self._shipped_denoiser()
        if denoiser is not None and denoiser is not t:
            d_vals = ae.losses(denoiser.model, noisy, targets=clean)
            rows.append(ae.reconstruct(denoiser.model, noisy))
            names.append("denoising model")
            text += f", the denoising model {float(np.mean(d_vals)):.3f}"
        rows.append(clean)
        names.append("clean original")
        self.denoise_strip.set_rows(rows, names, [f"{v:.3f}" for v in vals])
        trained_on = (f"this model was trained on {t.config.noise_kind} noise {t.config.noise:g}"
                      if t.config.denoising else
                      "this model saw only clean digits; the denoising model (dense, 32 numbers) was trained "
                      "on Gaussian noise 0.5")
        self.denoise_info.setText(f"{text} (numbers under the digits: this model). {trained_on[0].upper()}"
                                  f"{trained_on[1:]}.")

    def _shipped_denoiser(self) -> ae.TrainedAE | None:
        if not hasattr(self, "_denoiser"):
            path = ae.shipped_weights(ae.AEConfig("dense", 32, noise=0.5))
            try:
                self._denoiser = ae.TrainedAE.load(path) if path.is_file() else None
            except UserError:
                self._denoiser = None
        return self._denoiser

    # --------------------------------------------------------------------- detector
    def _k_changed(self) -> None:
        self._rejudge()
        self._refresh_histogram()

    def _refresh_detector(self) -> None:
        self._report = None
        self.roc_plot.set_data("roc", [], [])
        self.auroc_label.setText("Press the button to measure the AUROC.")
        self.off_strip.setVisible(False)
        self._rejudge()
        self._refresh_histogram()

    def judge_picture(self, image: np.ndarray, name: str) -> ae.Verdict | None:
        """Make ``image`` MNIST-style, judge it, and show the verdict page."""
        try:
            prepared = ae.mnist_style(image)
        except UserError as exc:
            self.ctx.error(str(exc))
            return None
        note = " (inverted: it was dark on light)" if prepared.inverted else ""
        return self.judge_digit(prepared.image, name + note)

    def judge_digit(self, digit: np.ndarray, name: str) -> ae.Verdict | None:
        self._test_image = np.ascontiguousarray(digit, dtype=np.uint8)
        self._test_name = name
        self.pages.setCurrentIndex(PAGES.index("detector"))
        self._rejudge()
        self._refresh_histogram()
        return self._verdict

    def _rejudge(self) -> None:
        t = self.trained
        if t is None or self._test_image is None:
            self._verdict = None
            return
        v = ae.judge(t, self._test_image, self.k_spin.value())
        self._verdict = v
        self.test_panel.set_image(v.image)
        self.test_panel.set_title("Tested (28×28)")
        self.recon_panel.set_image(v.reconstruction)
        color = style.ALARM_COLOR if v.liar else style.OK_COLOR
        self.verdict_label.setText(f"loss = {v.loss:.3f}<br>— {'LIAR!' if v.liar else 'OK!'}")
        self.verdict_label.setStyleSheet(f"QLabel {{ color: white; background: {color}; border-radius: 12px;"
                                         " padding: 10px; }")
        self.verdict_detail.setText(
            f"<b>{self._test_name}</b><br>{v.z:+.1f} standard deviations from the digits' mean; threshold {v.threshold:.3f} "
            f"(k = {v.k:g})")

    def _refresh_histogram(self) -> None:
        t = self.trained
        if t is None:
            return
        vals = t.val_losses
        v = self._verdict
        hi = max(float(vals.max()), t.threshold(self.k_spin.value())) * 1.08
        # a liar far to the right would squash the digits into one bar: the axis stops at 1.6× the
        # digits' range and the marker waits at the edge, its label giving the true loss
        cap = hi * 1.6
        if v is not None:
            hi = min(max(hi, v.loss * 1.08), cap)
        counts, edges = np.histogram(vals, bins=60, range=(0, float(vals.max()) * 1.001))
        self._hist_item.setData(edges, counts)
        unit = "BCE per pixel" if t.config.loss == "bce" else "MSE per pixel"
        self.hist_plot.setLabel("bottom", f"reconstruction loss ({unit})")
        thr = t.threshold(self.k_spin.value())
        self._thr_line.setValue(thr)
        self._thr_line.label.setFormat(f"threshold {thr:.3f}")
        if v is not None:
            self._test_line.setVisible(True)
            far = v.loss > hi
            self._test_line.setValue(hi * 0.985 if far else v.loss)
            self._test_line.setPen(pg.mkPen(style.ALARM_COLOR if v.liar else style.OK_COLOR, width=4,
                                            style=Qt.PenStyle.DotLine if far else Qt.PenStyle.SolidLine))
            self._test_line.label.setFormat(f"tested: {v.loss:.3f} (far off →)" if far else f"tested: {v.loss:.3f}")
        else:
            self._test_line.setVisible(False)
        self._stats_text.setText(f"{len(vals):,} validation digits\nmean {t.mean:.3f}\nstd {t.std:.3f}")
        f = QFont()
        f.setPointSize(style.axis_pt(self._presentation) + 3)
        f.setBold(True)
        self._stats_text.setFont(f)
        for line in (self._thr_line, self._test_line):
            line.label.setFont(f)
        self.hist_plot.setXRange(0, hi, padding=0)
        self.hist_plot.setYRange(0, counts.max() * 1.1, padding=0)
        self._place_stats_text()

    def _place_stats_text(self, *_args) -> None:
        (x0, x1), (y0, y1) = self.hist_plot.getViewBox().viewRange()
        self._stats_text.setPos(x1, y1)

    def pick_validation_digit(self) -> None:
        d = self._digits
        i = int(np.random.default_rng(self._pick).integers(len(d.x_val)))
        self._pick += 1
        self.judge_digit(d.x_val[i], f"validation digit #{i} (a {int(d.y_val[i])})")

    def pick_noise(self) -> None:
        img = np.random.default_rng(1000 + self._pick).integers(0, 256, (28, 28), dtype=np.uint8)
        self._pick += 1
        self.judge_digit(img, "random noise")

    def pick_fooling(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            imgs, targets, conf = ae.fooling_images(1, seed=self._pick)
        finally:
            QApplication.restoreOverrideCursor()
        self._pick += 1
        self.judge_digit(imgs[0], f"fooling image: {conf[0]:.0%} a “{int(targets[0])}”")

    def _judge_drawing(self) -> None:
        if self.canvas.is_empty:
            return
        self.judge_picture(self.canvas.pixels(), "your drawing")

    def run_detector_test(self) -> None:
        if self.is_running:
            self.ctx.error("Wait for the training to finish (or stop it) first.")
            return
        t, digits, k = self.trained, self._digits, self.k_spin.value()
        if t is None:
            self.ctx.error("Train or load an autoencoder first.")
            return

        def job(cancel):
            return ae.detector_job(t, digits, n=200, k=k, seed=0, cancel=cancel)

        self._set_job("detector")
        self.runner.start(job)
        self.ctx.status("Making off-manifold images and scoring them…")

    def _show_detector_frame(self, f: ae.DetectorFrame) -> None:
        self.auroc_label.setText(f.message)
        if f.examples:
            kinds = list(f.examples)
            self.off_strip.setVisible(True)
            self.off_strip.set_rows([f.examples[k][:6] for k in kinds], [KIND_NAMES.get(k, k) for k in kinds])
        if f.report is None:
            return
        r = f.report
        self._report = r
        self.roc_plot.set_data("roc", r.fpr, r.tpr)
        parts = " · ".join(f"{KIND_NAMES.get(k, k)} {a:.3f}" for k, a in r.aurocs.items())
        self.auroc_label.setText(f"<b>AUROC {r.auroc_all:.3f}</b> (all)<br>{parts}<br>"
                                 f"at k = {r.k:g}: {r.false_alarms:.1%} of digits flagged")
        self.auroc_label.setTextFormat(Qt.TextFormat.RichText)
        self.ctx.status(f"Detector: AUROC {r.auroc_all:.3f} over {sum(len(v) for v in r.kind_losses.values())} "
                        "off-manifold images.")

    # ----------------------------------------------------------------------- latent
    def _refresh_latent(self) -> None:
        t = self.trained
        if t is None:
            return
        d = self._digits
        n = min(len(d.x_val), 2000)
        codes = ae.encode(t.model, d.x_val[:n])
        self._latent = ae.latent_map(codes)
        self._latent_labels = d.y_val[:n]
        pts = self._latent.points
        for digit in range(10):
            sel = self._latent_labels == digit
            self._scatter_items[digit].setData(pts[sel, 0], pts[sel, 1])
            if sel.any():
                cx, cy = np.median(pts[sel], axis=0)
                self._centroid_texts[digit].setPos(float(cx), float(cy))
        self._drag_line.setData([], [])
        if self._latent.exact:
            self.latent_plot.setLabel("bottom", "code number 1")
            self.latent_plot.setLabel("left", "code number 2")
            how = "The code has 2 numbers: this is the code itself."
        else:
            self.latent_plot.setLabel("bottom", "principal component 1 of the code")
            self.latent_plot.setLabel("left", "principal component 2 of the code")
            how = (f"The code has {t.config.latent} numbers; the map shows its two main directions (PCA, "
                   f"{self._latent.explained:.0%} of the spread). Set the code size to 2 and train to see the "
                   "code itself.")
        self.latent_info.setText(f"{n:,} validation digits, coloured by their true label. {how}")
        self.latent_plot.getViewBox().autoRange(padding=0.05)
        self._latent_clicked(*map(float, pts[0]))
        fours, nines = np.flatnonzero(self._latent_labels == 4), np.flatnonzero(self._latent_labels == 9)
        if len(fours) and len(nines):  # a first path to look at: from a 4 to a 9
            a, b = pts[fours[0]], pts[nines[0]]
            self._latent_dragged(float(a[0]), float(a[1]), float(b[0]), float(b[1]), True)

    def _latent_clicked(self, x: float, y: float) -> None:
        if self._latent is None or self.trained is None:
            return
        img = ae.decode(self.trained.model, self._latent.to_code((x, y)))[0]
        self.decoded_panel.set_image(img)
        self.decoded_panel.set_title(f"Decoded at ({x:.1f}, {y:.1f})")

    def _latent_dragged(self, ax: float, ay: float, bx: float, by: float, finished: bool) -> None:
        if self._latent is None or self.trained is None:
            return
        self._drag_line.setData([ax, bx], [ay, by])
        i, j = self._latent.nearest((ax, ay)), self._latent.nearest((bx, by))
        path = ae.interpolate(self.trained.model, self._latent.codes[i], self._latent.codes[j], steps=10)
        la, lb = int(self._latent_labels[i]), int(self._latent_labels[j])
        self.interp_strip.set_rows([path], [f"{la} → {lb}"])
        self.interp_strip.set_title(f"From a {la} to a {lb}: decoding the straight line between their codes")
        self.decoded_panel.set_image(path[-1])
        self.decoded_panel.set_title(f"Decoded: the {lb} at the end")

    # ------------------------------------------------------------------ files / other tabs
    def open_file(self, path: str) -> bool:
        p = Path(path)
        try:
            if p.is_dir():
                self.open_idx_folder(str(p))
                return True
            if p.suffix.lower() in (".pt", ".pth"):
                self.load_weights(str(p))
                return True
            image = imaging.load_image(p)
        except UserError as exc:
            self.ctx.error(str(exc))
            return True
        self.judge_picture(image, p.name)
        return True

    def receive_image(self, image: np.ndarray, label: str) -> None:
        v = self.judge_picture(image, label)
        if v is not None:
            self.ctx.status(f"{label}: {v.text}")

    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Image to test", "", imaging.OPEN_FILTER)
        if path:
            self.open_file(path)

    def _load_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Autoencoder weights", "", "Weights (*.pt *.pth)")
        if path:
            self.load_weights(path)

    def load_weights(self, path: str) -> None:
        trained = ae.TrainedAE.load(path, "cpu")
        self._building = True
        try:
            c = trained.config
            self.arch_combo.setCurrentIndex(self.arch_combo.findData(c.arch))
            self.latent_spin.setValue(c.latent)
            self.loss_combo.setCurrentIndex(self.loss_combo.findData(c.loss))
            self.denoise_check.setChecked(c.denoising)
            if c.denoising:
                self.train_noise_spin.setValue(c.noise)
                self.train_noise_kind.setCurrentIndex(self.train_noise_kind.findData(c.noise_kind))
        finally:
            self._building = False
        self.set_model(trained, f"loaded from {Path(path).name}")
        self.ctx.status(f"Loaded {trained.config.title} from {Path(path).name}.")

    def save_result(self, path: str | None = None) -> bool:
        if self.trained is None:
            self.ctx.status("Nothing to save yet: train a model first.")
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save autoencoder weights",
                                                  f"autoencoder_{self.trained.config.name}.pt", "Weights (*.pt)")
            if not path:
                return False
        try:
            saved = self.trained.save(path)
        except UserError as exc:
            self.ctx.error(str(exc))
            return False
        self.ctx.status(f"Saved the weights to {saved}.")
        return True

    # -------------------------------------------------------------------- settings
    def save_settings(self, s: QSettings) -> None:
        s.setValue("arch", self.arch_combo.currentData())
        s.setValue("latent", self.latent_spin.value())
        s.setValue("loss", self.loss_combo.currentData())
        s.setValue("denoise", self.denoise_check.isChecked())
        s.setValue("train_noise", self.train_noise_spin.value())
        s.setValue("epochs", self.epochs_spin.value())
        s.setValue("k", self.k_spin.value())
        s.setValue("noise", self.noise_slider.value())
        s.setValue("page", self.pages.currentIndex())

    def restore_settings(self, s: QSettings) -> None:
        try:
            self._building = True
            for box, key in ((self.arch_combo, "arch"), (self.loss_combo, "loss")):
                i = box.findData(s.value(key, box.currentData()))
                if i >= 0:
                    box.setCurrentIndex(i)
            self.latent_spin.setValue(int(s.value("latent", 32)))
            self.denoise_check.setChecked(str(s.value("denoise", "false")).lower() == "true")
            self.train_noise_spin.setValue(float(s.value("train_noise", 0.5)))
            self.epochs_spin.setValue(int(s.value("epochs", 20)))
            self.k_spin.setValue(float(s.value("k", ae.DEFAULT_K)))
            self.noise_slider.setValue(int(s.value("noise", 50)))
            self.pages.setCurrentIndex(int(s.value("page", 0)))
        except (TypeError, ValueError):
            pass
        finally:
            self._building = False
        self._config_changed()
