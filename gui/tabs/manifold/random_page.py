"""Page 3, "Random images": noise drawn at random, and what real classifiers call it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core import random_images

from ...widgets import ImagePanel
from ...worker import JobRunner
from .fonts import ScaledFonts

CAPTION = ("An image drawn at random is noise: photos are a vanishingly thin part of all possible images, "
           "as the curve is of the plane. The networks never saw noise, yet they still name a class — "
           "compare how sure each is with a blind guess, written under it.")
TOY_LINE = ("In the toy, the photos are the dotted curve and the noise is everywhere else on the map — "
            "and the network still paints all of it yellow or blue.")


class RandomPage(QWidget):
    """Up to three images (noise for each classifier, then a real photo), each with its verdict."""

    def __init__(self, runner: JobRunner, caption: QLabel, device, parent=None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._device = device  # () -> torch.device
        self._seed = 0
        self._frame: random_images.NullSetFrame | None = None
        self.fonts = ScaledFonts()
        outer = QVBoxLayout(self)
        outer.addWidget(caption)
        row = QHBoxLayout()
        self.panels: list[ImagePanel] = []
        self.labels: list[QLabel] = []
        for _ in range(3):
            col = QVBoxLayout()
            panel = ImagePanel("")
            label = QLabel("")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            self.fonts.add(label, 1.5, bold=True)
            col.addWidget(panel, 1)
            col.addWidget(label)
            row.addLayout(col, 1)
            self.panels.append(panel)
            self.labels.append(label)
        outer.addLayout(row, 1)
        bottom = QHBoxLayout()
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.fonts.add(self.note, 1.1)
        self.draw_button = QPushButton("New random images  (Space)")
        self.draw_button.clicked.connect(self.draw)
        self.fonts.add(self.draw_button, 1.0)
        bottom.addWidget(self.note, 1)
        bottom.addWidget(self.draw_button)
        outer.addLayout(bottom)
        runner.frame_ready.connect(self._show)
        runner.running_changed.connect(lambda running: self.draw_button.setEnabled(not running))

    @property
    def frame(self) -> random_images.NullSetFrame | None:
        """The newest frame (``None`` before the first draw)."""
        return self._frame

    def draw(self) -> None:
        """New random images, through the classifiers (loaded in the worker thread)."""
        seed, device = self._seed, self._device()
        self._seed += 1
        self.runner.start(lambda cancel: random_images.null_set_job(seed, device=device, cancel=cancel),
                          kind="classify")

    def showEvent(self, event):  # noqa: N802 - Qt API
        """The page fills itself the first time it is shown."""
        super().showEvent(event)
        if self._frame is None and not self.runner.is_running:
            self.draw()

    def _show(self, frame: random_images.NullSetFrame) -> None:
        self._frame = frame
        if not frame.done:
            self.note.setText(frame.message)
            return
        for i, (panel, label) in enumerate(zip(self.panels, self.labels)):
            visible = i < len(frame.images)
            panel.setVisible(visible)
            label.setVisible(visible)
            if visible:
                panel.set_image(frame.images[i])
                panel.set_title(frame.titles[i])
                label.setText(f"“{frame.labels[i]}”<br>{frame.confidences[i]:.0%} sure"
                              f"<br><span style='font-size:small; font-weight:normal'>a blind guess: "
                              f"{frame.chance[i]:.1%}</span>")
        self.note.setText(f"{TOY_LINE} {frame.note}".strip())

    def set_presentation(self, on: bool) -> None:
        self.fonts.apply(on)
