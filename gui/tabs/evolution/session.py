"""The Evolution tab's state: the chosen network's class names, the run's parameters and targets,
and the newest frame. Pages and views read it; it signals its changes."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from core import evolution, models


class EvolutionSession(QObject):
    labels_changed = Signal(object)  # tuple of class names
    frame_changed = Signal(object)  # EvolutionFrame

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model_name = "mnist_cnn"
        self.labels: tuple[str, ...] = models.MNIST_LABELS
        self.params: evolution.EvolutionParams | None = None  # of the run on screen
        self.targets: tuple[int, ...] = ()
        self.last: evolution.EvolutionFrame | None = None

    @property
    def dataset(self) -> str:
        return models.get_spec(self.model_name).dataset

    def set_model(self, name: str) -> None:
        self.model_name = name
        labels = models.get_spec(name).labels
        if labels != self.labels:
            self.labels = labels
            self.labels_changed.emit(labels)

    def begin(self, params: evolution.EvolutionParams, targets: list[int]) -> None:
        self.params, self.targets, self.last = params, tuple(targets), None

    def set_frame(self, frame: evolution.EvolutionFrame) -> None:
        self.last = frame
        self.frame_changed.emit(frame)

    @property
    def goal(self) -> float:
        return self.params.stop_at if self.params is not None and self.params.stop_at else 0.99
