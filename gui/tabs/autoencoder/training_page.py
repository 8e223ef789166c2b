"""Page 1 · Training: the learning curves, live read-outs and ten validation digits rebuilt."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from core import autoencoders as ae

from ...widgets import CurvePlot, style
from ...widgets.digit_strip import DigitStrip
from .session import AutoencoderSession
from .widgets import readout, style_readouts

#: The empty plot's loss axis: above any start (an untrained autoencoder rebuilds the average digit,
#: about 0.27 BCE per pixel; a fresh network's grey output scores 0.69).
EMPTY_LOSS_TOP = 0.75


class TrainingPage(QWidget):
    def __init__(self, session: AutoencoderSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.last_frame: ae.TrainFrame | None = None
        col = QVBoxLayout(self)
        col.setContentsMargins(4, 4, 4, 4)
        # one line of big read-outs above the curves (a side column squeezed them at 1280×720)
        read = QHBoxLayout()
        self.epoch_label = readout("Epoch —", scale=1.4)
        self.val_label = readout("validation loss —", scale=1.4)
        self.rate_label = readout("— digits/s", scale=1.1, bold=False)
        for w in (self.epoch_label, self.val_label, self.rate_label):
            w.setWordWrap(False)
            read.addWidget(w)
            read.addSpacing(18)
        read.addStretch(1)
        col.addLayout(read)
        self.loss_plot = CurvePlot("Loss while learning", "epoch", "loss per pixel")
        self.loss_plot.getAxis("left").enableAutoSIPrefix(False)
        self.loss_plot.add_curve("train", "training digits", style.BLUE)
        self.loss_plot.add_curve("val", "validation digits (never trained on)", style.VERMILLION, symbol="o")
        self.loss_plot.setMinimumHeight(150)
        col.addWidget(self.loss_plot, 1)
        self.strip = DigitStrip("Validation digits: input, reconstruction, loss of each")
        self.strip.setMinimumHeight(170)
        col.addWidget(self.strip, 1)
        self.compress_label = readout("", scale=1.0, bold=False)
        col.addWidget(self.compress_label)
        self.show_empty(20)
        session.model_changed.connect(self.show_model)

    def readouts(self):
        return (self.epoch_label, self.val_label, self.rate_label, self.compress_label)

    def set_presentation(self, on: bool) -> None:
        style_readouts(self.readouts(), on)

    # ------------------------------------------------------------------ drawing
    def show_empty(self, epochs: int) -> None:
        """Empty axes that already span the run: epochs 0…N, loss 0…0.75."""
        self.loss_plot.clear_data()
        self.loss_plot.setXRange(0, max(epochs, 1), padding=0.02)
        self.loss_plot.setYRange(0, EMPTY_LOSS_TOP, padding=0)

    def show_frame(self, f: ae.TrainFrame) -> None:
        self.last_frame = f
        self.loss_plot.set_data("train", f.train_x, f.train_y)
        self.loss_plot.set_data("val", f.val_x, f.val_y)
        self._zoom(f.train_y, f.val_y, f.epochs)
        shown = f.epoch if f.done else min(f.epoch + 1, f.epochs)  # while running: the epoch under way
        self.epoch_label.setText(f"Epoch {shown} / {f.epochs}")
        self.val_label.setText(f"validation loss {f.val_loss:.4f}")
        self.rate_label.setText(f"{f.samples_per_s:,.0f} digits/s · {f.seconds:.0f} s")
        self._show_strip(f.strip_inputs, f.strip_recons, f.strip_clean, f.strip_losses,
                         noisy=not np.array_equal(f.strip_inputs, f.strip_clean))

    def _zoom(self, train_y, val_y, epochs: int) -> None:
        """Keep the interesting part in view: the untrained start leaves once the loss is low."""
        ys = np.concatenate([np.asarray(train_y, float), np.asarray(val_y, float)])
        ys = ys[np.isfinite(ys)]
        self.loss_plot.setXRange(0, max(epochs, 1), padding=0.02)
        if not len(ys):
            self.loss_plot.setYRange(0, EMPTY_LOSS_TOP, padding=0)
            return
        latest = float(val_y[-1]) if len(val_y) and np.isfinite(val_y[-1]) else float(ys[-1])
        top = min(float(ys.max()), max(0.25, 2.5 * latest))
        self.loss_plot.setYRange(0.9 * float(ys.min()), max(top, 0.9 * float(ys.min()) + 1e-3) * 1.02, padding=0)

    def _show_strip(self, inputs, recons, clean, losses_, noisy: bool) -> None:
        loss_txt = [f"{v:.3f}" for v in losses_]
        if noisy:
            self.strip.set_rows([inputs, recons, clean], ["noisy input", "reconstruction", "original"], loss_txt)
        else:
            self.strip.set_rows([inputs, recons], ["input", "reconstruction"], loss_txt)

    def show_model(self, t: ae.TrainedAE) -> None:
        """Without a run: the model's saved curves, and its reconstructions on the strip."""
        if self.last_frame is None or self.last_frame.result is not t:
            d = self.session.digits
            idx = ae.strip_indices(d.y_val)
            clean = d.x_val[idx]
            inputs = ae.noisy_images(clean, t.config.noise, t.config.noise_kind, seed=1) if t.config.denoising else clean
            self._show_strip(inputs, ae.reconstruct(t.model, inputs), clean,
                             ae.losses(t.model, inputs, targets=clean), noisy=t.config.denoising)
            self.val_label.setText(f"validation loss {t.val_loss:.4f}")
            self.epoch_label.setText(f"Epoch {t.epochs} (loaded)")
            h = t.history
            if h and len(h.get("val_y", ())):
                self.loss_plot.set_data("train", h.get("train_x", []), h.get("train_y", []))
                self.loss_plot.set_data("val", h.get("val_x", []), h.get("val_y", []))
                self._zoom(h.get("train_y", []), h.get("val_y", []), t.epochs)
            else:
                self.show_empty(max(t.epochs, 1))
            self.rate_label.setText("")
        ratio = 784 / t.config.latent
        self.compress_label.setText(f"784 pixels → {t.config.latent} numbers → 784 pixels: "
                                    f"the code is {ratio:.3g}× smaller than the image.")
