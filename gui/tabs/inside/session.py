"""The inside-the-network tab's shared state: the model, its stages and the current picture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from core import anatomy, imaging, models
from core.resources import sample_images

SAMPLE_TITLES = {"chelsea": "Chelsea the cat", "coffee": "Coffee cup", "astronaut": "Astronaut",
                 "rocket": "Rocket launch"}


class InsideSession(QObject):
    """Owns what every page of the tab shares and says when it changes."""

    #: The picture changed (new photo, a drop, an image from another tab).
    picture_changed = Signal()
    #: The model changed: its stages are new.
    stages_changed = Signal()

    def __init__(self, device, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.device = device
        self.model_name = models.DEFAULT_MODEL
        self.pictures: dict[str, tuple[str, np.ndarray | None]] = {
            key: (SAMPLE_TITLES.get(key, key.title()), None) for key in sample_images()}
        self.picture_key = "chelsea" if "chelsea" in self.pictures else next(iter(self.pictures), "")
        self._stages: list[anatomy.Stage] | None = None

    # -- model and stages
    def classifier(self) -> models.Classifier:
        return models.load_classifier(self.model_name, self.device)

    def set_model(self, name: str) -> None:
        if name != self.model_name:
            self.model_name = name
            self._stages = None
            self.stages_changed.emit()

    def stages(self) -> list[anatomy.Stage]:
        """The model's stages (one traced forward pass the first time)."""
        if self._stages is None:
            self._stages = anatomy.stages(self.classifier())
        return self._stages

    def stage(self, name: str) -> anatomy.Stage | None:
        for s in self.stages():
            if s.name == name:
                return s
        return None

    @property
    def input_size(self) -> tuple[int, int]:
        return models.get_spec(self.model_name).input_size

    # -- the picture
    def picture(self, key: str | None = None) -> np.ndarray:
        """A picture (the current one by default) at full resolution; samples are read on first use."""
        key = key or self.picture_key
        title, img = self.pictures[key]
        if img is None:
            img = imaging.load_image(sample_images()[key])
            self.pictures[key] = (title, img)
        return img

    def fitted_picture(self, key: str | None = None) -> np.ndarray:
        return imaging.fit_image(self.picture(key), self.input_size, "crop")  # as the gradient-ascent tab does

    @property
    def picture_title(self) -> str:
        return self.pictures[self.picture_key][0]

    def choose_picture(self, key: str) -> None:
        if key in self.pictures and key != self.picture_key:
            self.picture_key = key
            self.picture_changed.emit()

    def add_picture(self, key: str, title: str, image: np.ndarray) -> None:
        if image.ndim == 2:
            image = np.repeat(image[:, :, None], 3, axis=2)
        self.pictures[key] = (title, np.ascontiguousarray(image, dtype=np.uint8))
        self.picture_key = key
        self.picture_changed.emit()

    def open_file(self, path: str) -> None:
        """Raises ``UserError`` for a file that is not a picture."""
        image = imaging.load_image(path)
        self.add_picture(str(Path(path)), f"File: {Path(path).name}", image)
