"""The Autoencoder tab's state: the trained autoencoder in use and the digits it works on.

The pages draw from it and listen to its signals; nothing else keeps a copy. Loading weights or
digits goes through here, so every page sees the same model and the same digits.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from core import autoencoders as ae
from core import data
from core.errors import UserError


class AutoencoderSession(QObject):
    """Owns the trained autoencoder, where it came from, and the digits; signals their changes."""

    #: the model in use changed (the new :class:`ae.TrainedAE`)
    model_changed = Signal(object)
    #: the digits changed (the new :class:`data.DigitSet`)
    digits_changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.trained: ae.TrainedAE | None = None
        self.origin = ""
        self.digits: data.DigitSet = data.mnist_sample()
        #: "sample", "full", or the IDX folder's path
        self.data_source = "sample"
        self._denoiser: ae.TrainedAE | None | bool = False  # False: not looked for yet

    # ------------------------------------------------------------------ the model
    def set_model(self, trained: ae.TrainedAE, origin: str) -> None:
        trained.model.to("cpu").eval()
        self.trained = trained
        self.origin = origin
        self.model_changed.emit(trained)

    def use_shipped(self, config: ae.AEConfig) -> bool:
        """Use the shipped weights for ``config`` if there are any; True if the model is now
        ``config``'s (already, or freshly loaded)."""
        if self.trained is not None and self.trained.config == config:
            return True
        path = ae.shipped_weights(config)
        if not path.is_file():
            return False
        self.set_model(ae.TrainedAE.load(path, "cpu"), f"shipped weights ({path.name})")
        return True

    def load_weights(self, path: str) -> ae.TrainedAE:
        """Load a weights file (every field checked; raises one UserError sentence)."""
        trained = ae.TrainedAE.load(path, "cpu")
        self.set_model(trained, f"loaded from {Path(path).name}")
        return trained

    def shipped_denoiser(self) -> ae.TrainedAE | None:
        """The shipped denoising autoencoder (dense, 32 numbers, Gaussian 0.5), if it ships."""
        if self._denoiser is False:
            path = ae.shipped_weights(ae.AEConfig("dense", 32, noise=0.5))
            try:
                self._denoiser = ae.TrainedAE.load(path) if path.is_file() else None
            except UserError:
                self._denoiser = None
        return self._denoiser or None

    # ------------------------------------------------------------------ the digits
    def set_data_source(self, source: str) -> data.DigitSet:
        """``sample``, ``full`` or an IDX folder; raises one UserError sentence and keeps the
        current digits when they cannot be loaded."""
        digits = data.load_digits(source)
        self.digits = digits
        self.data_source = source
        self.digits_changed.emit(digits)
        return digits
