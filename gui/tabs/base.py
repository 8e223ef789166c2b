"""What every tab shares: a job runner, a context to talk to the window, lecture captions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from ..widgets import style
from ..worker import JobRunner


@dataclass
class AppContext:
    """What a tab may ask of the window. The window fills it in; tests may pass their own."""

    device: torch.device
    status: Callable[[str], None]
    error: Callable[[str], None]
    send_image: Callable[[str, np.ndarray, str], None]


class LabTab(QWidget):
    """Base of every tab. Subclasses set ``key`` and ``title`` and override what they support."""

    key = ""
    title = ""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = JobRunner(self)
        self.runner.job_failed.connect(self.ctx.error)
        self._captions: list[QLabel] = []
        self._captions_visible = True
        self._presentation = False

    # -- running
    @property
    def is_running(self) -> bool:
        return self.runner.is_running

    def start(self) -> None:
        """Start the tab's main job (Space)."""

    def stop(self) -> None:
        """Stop the tab's job after its current step (Esc)."""
        self.runner.stop()

    def toggle(self) -> None:
        if self.is_running:
            self.stop()
        else:
            self.start()

    def make_run_button(self, text: str = "Run  (Space)") -> QPushButton:
        """The tab's big button, the one Space presses: large bold text, starts and stops the job."""
        button = QPushButton(text)
        button.setMinimumHeight(46)
        font = button.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        button.setFont(font)
        button.clicked.connect(self.toggle)
        return button

    # -- input from outside
    def open_file(self, path: str) -> bool:
        """Open a dropped or chosen file; False if this tab takes no files."""
        return False

    def receive_image(self, image: np.ndarray, label: str) -> None:
        """An image handed over by another tab."""

    def save_result(self) -> bool:
        """File ▸ Save: save what the tab shows; False if there is nothing to save."""
        return False

    # -- settings
    def save_settings(self, settings: QSettings) -> None:
        """Store the tab's parameters (the window has already called beginGroup(key))."""

    def restore_settings(self, settings: QSettings) -> None:
        """Restore the parameters stored by :meth:`save_settings`."""

    def shutdown(self) -> None:
        """Stop every job this tab runs and wait for it (called when the window closes)."""
        self.runner.shutdown()

    # -- lecture text and presentation mode
    def make_caption(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setObjectName("caption")
        label.setVisible(self._captions_visible)
        self._captions.append(label)
        self._style_caption(label)
        return label

    def _style_caption(self, label: QLabel) -> None:
        font = QFont(label.font())
        pt = style.PRESENTATION_FONT_PT if self._presentation else style.BASE_FONT_PT
        font.setPointSizeF(pt * style.CAPTION_SCALE)
        label.setFont(font)
        label.setStyleSheet("QLabel#caption { color: #222; background: #FFF8E1; padding: 6px 10px;"
                            " border-left: 5px solid #E69F00; }")

    def set_captions_visible(self, visible: bool) -> None:
        self._captions_visible = visible
        for label in self._captions:
            label.setVisible(visible)

    def set_presentation(self, on: bool) -> None:
        """Larger fonts for a lecture hall; subclasses also resize their plots."""
        self._presentation = on
        for label in self._captions:
            self._style_caption(label)
        for child in self.findChildren(QWidget):
            if child is not self and hasattr(child, "set_presentation"):
                child.set_presentation(on)
