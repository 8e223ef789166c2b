"""Page 3 · LIAR! detector: judge one image (drawn, picked, dropped) and measure the ROC."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget,
)

from core import autoencoders as ae
from core.errors import UserError

from ...widgets import CurvePlot, ImagePanel, style
from ...widgets.draw_canvas import DrawCanvas
from ...widgets.param_form import ParamForm
from .histogram import LossHistogram
from .session import AutoencoderSession
from .widgets import plot_font

NO_MEASURE = "Press Measure for the AUROC."
CANVAS_PX = 170  # the drawing area on screen (it is drawn at 224×224 and made MNIST-style)


class DetectorPage(QWidget):
    """Judges one 28×28 digit at a time with the session's model; fails closed (cannot judge)."""

    #: the user asked for a fooling image (made by a job: the classifier may need training)
    fooling_requested = Signal()
    #: the user asked to measure the ROC (a job)
    measure_requested = Signal()
    #: the user asked to open an image file
    open_requested = Signal()
    #: a message for the status bar
    status = Signal(str)

    def __init__(self, session: AutoencoderSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.verdict: ae.Verdict | None = None
        self.report: ae.DetectorReport | None = None
        self.test_image: np.ndarray | None = None
        self.test_name = ""
        self._presentation = False
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 4)

        # row 0: what to test (draw, pick, drop), the tested image and its reconstruction, the verdict
        pick = QWidget()
        pick.setToolTip("Draw a digit, pick an image, or drop one on the window")
        pcol = QVBoxLayout(pick)
        pcol.setContentsMargins(0, 0, 0, 0)
        prow = QHBoxLayout()
        pcol.addLayout(prow)
        self.canvas = DrawCanvas()
        self.canvas.setFixedSize(CANVAS_PX, CANVAS_PX)
        self.canvas.drawn.connect(self._judge_drawing)
        prow.addWidget(self.canvas, 0, Qt.AlignmentFlag.AlignTop)
        bcol = QVBoxLayout()
        bcol.setSpacing(4)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (
                ("digit", "Validation digit", self.pick_validation_digit), ("noise", "Random noise", self.pick_noise),
                ("fooling", "Fooling image  (Space)", self.fooling_requested.emit), ("open", "Open image…", self.open_requested.emit),
                ("clear", "Clear drawing", self.canvas.clear)):
            b = QPushButton(text)
            b.clicked.connect(slot)
            bcol.addWidget(b)
            self.buttons[key] = b
        bcol.addStretch(1)
        prow.addLayout(bcol)
        self.form = ParamForm(ae.DetectorParams, names=("k",), labels={"k": "Threshold k"})
        self.form.params_changed.connect(lambda _p: self.rejudge())
        pcol.addWidget(self.form)
        grid.addWidget(pick, 0, 0)

        self.test_panel = ImagePanel("Tested")
        self.recon_panel = ImagePanel("Rebuilt")
        for p in (self.test_panel, self.recon_panel):
            p.setMinimumSize(120, 140)
            p.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            p.set_note("")
        grid.addWidget(self.test_panel, 0, 1)
        grid.addWidget(self.recon_panel, 0, 2)
        self.verdict_label = QLabel("—")
        self.verdict_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setMinimumWidth(180)
        self.verdict_detail = QLabel("")
        self.verdict_detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.verdict_detail.setWordWrap(True)
        vbox = QVBoxLayout()
        vbox.setContentsMargins(0, 0, 0, 0)
        vbox.addWidget(self.verdict_label, 3)
        vbox.addWidget(self.verdict_detail, 2)
        self.roc_button = QPushButton("Measure: digits vs. the rest")
        self.roc_button.setToolTip("Make off-manifold images of five kinds, score them, draw the ROC curve")
        self.roc_button.clicked.connect(self.measure_requested.emit)
        vbox.addWidget(self.roc_button)
        holder = QWidget()
        holder.setLayout(vbox)
        grid.addWidget(holder, 0, 3)

        # row 1: the validation digits' losses with the threshold and the tested image; the ROC
        self.histogram = LossHistogram()
        self.histogram.setMinimumSize(260, 160)
        # its title's width must not set the column widths (the title shrinks to fit instead)
        self.histogram.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.hist_title = QLabel("")
        self.hist_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hist_title.setWordWrap(True)
        hbox = QVBoxLayout()
        hbox.setContentsMargins(0, 0, 0, 0)
        hbox.setSpacing(0)
        hbox.addWidget(self.hist_title)
        hbox.addWidget(self.histogram, 1)
        grid.addLayout(hbox, 1, 0, 1, 2)
        roc_box = QWidget()
        rrow = QHBoxLayout(roc_box)
        rrow.setContentsMargins(0, 0, 0, 0)
        self.roc_plot = CurvePlot("", "false alarms", "caught")
        self.roc_plot.add_curve("chance", "chance", style.GREY, width=1.5, dashed=True)
        self.roc_plot.add_curve("roc", "detector", style.VERMILLION)
        self.roc_plot.set_data("chance", [0, 1], [0, 1])
        self.roc_plot.setXRange(0, 1, padding=0.02)
        self.roc_plot.setYRange(0, 1, padding=0.02)
        self.roc_plot.setMinimumSize(170, 150)
        self.roc_plot.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.roc_plot.legend.anchor((1, 1), (1, 1), offset=(-4, -4))  # the curve keeps to the top left
        rrow.addWidget(self.roc_plot, 3)
        rcol = QVBoxLayout()
        rcol.setSpacing(2)
        self.auroc_label = QLabel(NO_MEASURE)
        self.auroc_label.setWordWrap(True)
        self.auroc_label.setTextFormat(Qt.TextFormat.RichText)
        self.auroc_label.setMinimumWidth(140)
        rcol.addWidget(self.auroc_label)
        rcol.addStretch(1)
        rrow.addLayout(rcol, 2)
        grid.addWidget(roc_box, 1, 2, 1, 2)
        grid.setRowStretch(0, 2)
        grid.setRowStretch(1, 3)
        for c in range(4):
            grid.setColumnStretch(c, 1)
        self._pick = 0  # counter for "another validation digit / noise / fooling image"
        self._style()
        session.model_changed.connect(lambda _t: self.model_changed())

    @property
    def k(self) -> float:
        try:
            return self.form.params().k
        except UserError:
            return ae.DEFAULT_K

    @property
    def k_spin(self):
        return self.form.editor("k")

    # ------------------------------------------------------------------ presentation
    def set_presentation(self, on: bool) -> None:
        self._presentation = on
        self._style()

    def _style(self) -> None:
        base = style.PRESENTATION_FONT_PT if self._presentation else style.BASE_FONT_PT
        f = plot_font(self._presentation)
        f.setPointSizeF(base * 2.0)
        f.setBold(True)
        self.verdict_label.setFont(f)
        f = plot_font(self._presentation)
        f.setPointSizeF(base * 1.0)
        self.verdict_detail.setFont(f)
        self.hist_title.setFont(plot_font(self._presentation, extra=2, bold=True))
        self.rejudge()

    # ------------------------------------------------------------------ judging
    def model_changed(self) -> None:
        self.report = None
        self.roc_plot.set_data("roc", [], [])
        self.auroc_label.setText(NO_MEASURE)
        if self.test_image is None:
            self.pick_validation_digit()
        else:
            self.rejudge()

    def judge_picture(self, image: np.ndarray, name: str) -> ae.Verdict | None:
        """Make ``image`` MNIST-style and judge it; raises UserError for a picture it cannot use."""
        prepared = ae.mnist_style(image)
        note = " (inverted: it was dark on light)" if prepared.inverted else ""
        return self.judge_digit(prepared.image, name + note)

    def judge_digit(self, digit: np.ndarray, name: str) -> ae.Verdict | None:
        self.test_image = np.ascontiguousarray(digit, dtype=np.uint8)
        self.test_name = name
        self.rejudge()
        return self.verdict

    def rejudge(self) -> None:
        t = self.session.trained
        if t is None or self.test_image is None:
            self.verdict = None
            if t is None:
                self.histogram.show_empty()
                self.hist_title.setText(self.histogram.stats_text)
            return
        v = ae.judge(t, self.test_image, self.k)
        self.verdict = v
        self.test_panel.set_image(v.image)
        self.recon_panel.set_image(v.reconstruction)
        color = style.GREY if v.liar is None else (style.ALARM_COLOR if v.liar else style.OK_COLOR)
        loss = f"{v.loss:.3f}" if np.isfinite(v.loss) else "not a number"
        self.verdict_label.setText(f"loss {loss}<br>{v.shout}")
        self.verdict_label.setStyleSheet(f"QLabel {{ color: white; background: {color}; border-radius: 12px;"
                                         " padding: 10px; }")
        if v.liar is None:
            detail = f"<b>{self.test_name}</b><br>This autoencoder cannot judge: {v.reason}."
        else:
            z = f"{v.z:+.0f}" if abs(v.z) >= 10 else f"{v.z:+.1f}"  # "+159 std", not "+158.9 std"
            detail = (f"<b>{self.test_name}</b><br>{z} std from the digits' mean; "
                      f"threshold {v.threshold:.3f}")
        self.verdict_detail.setText(detail)
        self.histogram.show_losses(t, self.k, v)
        self.hist_title.setText(self.histogram.stats_text)

    def pick_validation_digit(self) -> None:
        d = self.session.digits
        if not len(d.x_val):
            return
        i = int(np.random.default_rng(self._pick).integers(len(d.x_val)))
        self._pick += 1
        self.judge_digit(d.x_val[i], f"validation digit #{i} (a\u00a0{int(d.y_val[i])})")  # "(a 3)" never splits

    def pick_noise(self) -> None:
        img = np.random.default_rng(1000 + self._pick).integers(0, 256, (28, 28), dtype=np.uint8)
        self._pick += 1
        self.judge_digit(img, "random noise")

    def next_seed(self) -> int:
        self._pick += 1
        return self._pick - 1

    def _judge_drawing(self) -> None:
        if self.canvas.is_empty:
            return
        self.judge_picture(self.canvas.pixels(), "your drawing")

    # ------------------------------------------------------------------ the ROC
    def show_detector_frame(self, f: ae.DetectorFrame) -> None:
        """Progress, then the ROC curve and the AUROC over all kinds and of each kind."""
        r = f.report
        if r is None:
            self.auroc_label.setText(f.message)
            return
        self.report = r
        self.roc_plot.set_data("roc", r.fpr, r.tpr)
        kinds = "<br>".join(f"{k} {a:.3f}" for k, a in r.aurocs.items())
        self.auroc_label.setText(f"<b>AUROC {r.auroc_all:.3f}</b> (all)<br>{kinds}<br>"
                                 f"k = {r.k:g} flags {r.false_alarms:.1%} of digits")
        self.status.emit(f"Detector: AUROC {r.auroc_all:.3f} over "
                         f"{sum(len(v) for v in r.kind_losses.values())} off-manifold images.")
