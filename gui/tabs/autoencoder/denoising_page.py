"""Page 2 · Denoising: noisy digits, what the model rebuilds, and what a denoising model rebuilds."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSlider, QVBoxLayout, QWidget

from core import autoencoders as ae

from ...widgets.digit_strip import DigitStrip
from ...widgets.param_form import ParamForm
from .session import AutoencoderSession
from .widgets import readout, style_readouts


class DenoisingPage(QWidget):
    def __init__(self, session: AutoencoderSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.seed = 2  # of the noise; Space draws new noise
        col = QVBoxLayout(self)
        row = QHBoxLayout()
        self.form = ParamForm(ae.DenoiseParams)
        self.noise_slider = QSlider(Qt.Orientation.Horizontal)
        self.noise_slider.setRange(0, 100)
        self.noise_slider.setMinimumWidth(200)
        self.noise_slider.setToolTip("Drag to change the noise factor")
        self.noise_value = readout("0.50", scale=1.4)
        row.addWidget(self.form)
        row.addWidget(self.noise_slider, 1)
        row.addWidget(self.noise_value)
        self.new_button = QPushButton("New noisy digits  (Space)")
        self.new_button.setToolTip("The same digits with fresh noise, cleaned again by both models")
        self.new_button.clicked.connect(self.new_noise)
        row.addWidget(self.new_button)
        col.addLayout(row)
        self.strip = DigitStrip("Noisy digits, what the autoencoders rebuild, the originals")
        col.addWidget(self.strip, 1)
        self.info = readout("", scale=1.0, bold=False)
        col.addWidget(self.info)
        self.noise_slider.valueChanged.connect(lambda v: self.form.set_value("noise", v / 100))
        self.form.params_changed.connect(self.params_applied)
        self.params_applied(self.form.params())
        session.model_changed.connect(lambda _t: self.update_rows())
        session.digits_changed.connect(lambda _d: self.update_rows())

    @property
    def noise_kind(self):
        return self.form.editor("noise_kind")

    def set_presentation(self, on: bool) -> None:
        style_readouts((self.noise_value, self.info), on)

    def params_applied(self, p: ae.DenoiseParams) -> None:
        with QSignalBlocker(self.noise_slider):
            self.noise_slider.setValue(round(p.noise * 100))
        self.update_rows()

    def new_noise(self) -> None:
        """Fresh noise on the same digits, and what the models rebuild from it."""
        self.seed += 1
        self.update_rows()

    def update_rows(self) -> None:
        try:
            p = self.form.params()
        except Exception:  # noqa: BLE001 - an edit in progress; the form reports it
            return
        self.noise_value.setText(f"{p.noise:.2f}")
        t = self.session.trained
        if t is None:
            return
        d = self.session.digits
        clean = d.x_val[ae.strip_indices(d.y_val)]
        noisy = ae.noisy_images(clean, p.noise, p.noise_kind, seed=self.seed)
        vals = ae.losses(t.model, noisy, targets=clean)
        rows, names = [noisy, ae.reconstruct(t.model, noisy)], ["noisy input", "this model rebuilds"]
        text = f"Loss against the clean originals: this model {float(np.mean(vals)):.3f}"
        denoiser = t if t.config.denoising else self.session.shipped_denoiser()
        if denoiser is not None and denoiser is not t:
            d_vals = ae.losses(denoiser.model, noisy, targets=clean)
            rows.append(ae.reconstruct(denoiser.model, noisy))
            names.append("denoising model")
            text += f", the denoising model {float(np.mean(d_vals)):.3f}"
        rows.append(clean)
        names.append("clean original")
        self.strip.set_rows(rows, names, [f"{v:.3f}" for v in vals])
        trained_on = (f"this model was trained on {t.config.noise_kind} noise {t.config.noise:g}"
                      if t.config.denoising else
                      "this model saw only clean digits; the denoising model (dense, 32 numbers) was trained "
                      "on Gaussian noise 0.5")
        self.info.setText(f"{text} (numbers under the digits: this model). {trained_on[0].upper()}"
                          f"{trained_on[1:]}.")
