"""The gradient-ascent tab's state: the picture, how it is fitted, the model, the target, the result.

One small QObject owns it and signals each change, so the pages only draw and the controls only
edit. Pictures the user drops or another tab sends are kept *bounded*: at most ``MAX_KEPT`` of
them, each stored at no more than ``KEEP_SIDE`` pixels on its longer side (the models need at most
299), so a lecture's worth of 100-megapixel photos never piles up in memory.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QObject, Signal

from core import imaging, models
from core.resources import sample_images
from core.whitebox import WhiteboxFrame

NOISE = "__noise__"
DEFAULT_INPUT = "elephant"
SAMPLE_TITLES = {"elephant": "Elephants (photo)", "chelsea": "Chelsea the cat", "coffee": "Coffee cup",
                 "astronaut": "Astronaut", "rocket": "Rocket launch"}
#: Pictures from files or other tabs kept at once (the oldest is forgotten first).
MAX_KEPT = 8
#: Longer side of a kept picture, in pixels: enough for any model and any crop of it.
KEEP_SIDE = 1024


@dataclass(frozen=True)
class Picture:
    """The chosen input: its key (sample name, NOISE, a file path, "sent:…"), title and pixels."""

    key: str
    name: str  # short name for files and captions ("elephant", "éléphant.png", "random noise")
    kind: str  # "photo", "noise" or "sent"
    image: np.ndarray  # HxWx3 uint8, before fitting to the model


def shrink(image: np.ndarray, side: int = KEEP_SIDE) -> np.ndarray:
    """``image`` with its longer side at most ``side`` pixels (aspect kept), as a compact copy."""
    h, w = image.shape[:2]
    if max(h, w) <= side:
        return np.ascontiguousarray(image, dtype=np.uint8).copy()
    scale = side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(image).resize(size, Image.BILINEAR, reducing_gap=3.0), dtype=np.uint8)


class WhiteboxSession(QObject):
    picture_changed = Signal(object)  # Picture
    kept_changed = Signal()  # the list of kept pictures changed (the input combo follows)
    fit_changed = Signal(str)
    model_changed = Signal(str)
    target_changed = Signal(object)  # int or None
    frame_changed = Signal(object)  # WhiteboxFrame or None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.labels: tuple[str, ...] = models.imagenet_labels()
        self._kept: OrderedDict[str, Picture] = OrderedDict()
        self.picture: Picture | None = None
        self.fit = imaging.FitParams().fit
        self.model_name = models.DEFAULT_MODEL
        self.target: int | None = None
        self.frame: WhiteboxFrame | None = None

    # ------------------------------------------------------------------ pictures
    @staticmethod
    def sample_keys() -> list[str]:
        names = list(sample_images())
        return sorted(names, key=lambda n: (n != DEFAULT_INPUT, names.index(n)))

    def kept(self) -> list[tuple[str, str]]:
        """(key, title) of the kept pictures, oldest first."""
        return [(k, (f"From {p.name}" if p.kind == "sent" else f"File: {p.name}")) for k, p in self._kept.items()]

    def kept_pixels(self) -> int:
        return sum(p.image.size for p in self._kept.values())

    def input_size(self) -> tuple[int, int]:
        return models.get_spec(self.model_name).input_size

    def choose(self, key: str) -> Picture:
        """Show the sample, the noise or a kept picture named ``key`` (raises ``UserError``)."""
        if key == NOISE:
            pic = Picture(NOISE, "random noise", "noise", imaging.noise_image(self.input_size(), seed=0))
        elif key in self._kept:
            pic = self._kept[key]
        else:
            path = sample_images().get(key)
            if path is None:
                raise KeyError(key)
            pic = Picture(key, key, "photo", shrink(imaging.load_image(path)))
        self._set_picture(pic)
        return pic

    def add_file(self, path: str, image: np.ndarray) -> Picture:
        return self._keep(Picture(str(Path(path)), Path(path).name, "photo", shrink(image)))

    def add_sent(self, image: np.ndarray, label: str) -> Picture:
        if image.ndim == 2:
            image = np.repeat(image[:, :, None], 3, axis=2)
        return self._keep(Picture(f"sent:{label}", label, "sent", shrink(image)))

    def _keep(self, pic: Picture) -> Picture:
        self._kept.pop(pic.key, None)
        self._kept[pic.key] = pic
        while len(self._kept) > MAX_KEPT:
            self._kept.popitem(last=False)
        self.kept_changed.emit()
        self._set_picture(pic)
        return pic

    def _set_picture(self, pic: Picture) -> None:
        self.picture = pic
        self.set_frame(None)
        self.picture_changed.emit(pic)

    def fitted_input(self) -> np.ndarray | None:
        """What the network sees: the picture cropped or letterboxed to the model's square."""
        if self.picture is None:
            return None
        size = self.input_size()
        if self.picture.kind == "noise" and self.picture.image.shape[:2] != tuple(size):
            self.picture = Picture(NOISE, "random noise", "noise", imaging.noise_image(size, seed=0))
        return imaging.fit_image(self.picture.image, size, self.fit)

    # ------------------------------------------------------------------ settings
    def set_fit(self, fit: str) -> None:
        if fit != self.fit:
            self.fit = fit
            self.set_frame(None)
            self.fit_changed.emit(fit)

    def set_model(self, name: str) -> None:
        if name != self.model_name:
            self.model_name = name
            self.set_frame(None)
            self.model_changed.emit(name)

    def set_target(self, index: int | None) -> None:
        if index != self.target:
            self.target = index
            self.target_changed.emit(index)

    def set_frame(self, frame: WhiteboxFrame | None) -> None:
        self.frame = frame
        self.frame_changed.emit(frame)

    # ------------------------------------------------------------------ read-outs
    @property
    def has_result(self) -> bool:
        return self.frame is not None and self.frame.step > 0

    def target_probability(self) -> float | None:
        """The chosen target's probability for the image on screen (None when unknown)."""
        f = self.frame
        if f is None or self.target is None or f.probs is None:
            return None
        return float(f.probs[self.target])

    def default_save_name(self) -> str:
        f = self.frame
        stem = Path(self.picture.name).stem.replace(" ", "_") if self.picture else "image"
        target = self.labels[f.target].replace(" ", "_") if f else "adversarial"
        return f"{stem}-{target}.png"
