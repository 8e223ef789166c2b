"""What the inside-the-network pages share: a page base with a controls column and big read-outs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from ...widgets import style
from ...widgets.param_form import ParamForm

if TYPE_CHECKING:
    from .tab import InsideTab

SIDE_WIDTH = 330


class Page(QWidget):
    """A page: a scrollable column of controls on the left, views on the right, a caption on top."""

    title = ""
    #: Job kinds this page starts (the tab routes their frames here).
    kinds: tuple[str, ...] = ()

    def __init__(self, tab: "InsideTab", caption: str) -> None:
        super().__init__()
        self.tab = tab
        self.session = tab.session
        self._readouts: list[tuple[QLabel, float, bool]] = []
        self.controls = QVBoxLayout()
        self.controls.setSpacing(6)
        side = QWidget()
        side.setLayout(self.controls)
        self.scroll = QScrollArea()
        self.scroll.setWidget(side)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        #: Buttons under the scrolling controls, always in sight (Run, Gallery).
        self.buttons = QVBoxLayout()
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.scroll, 1)
        column.addLayout(self.buttons)
        self.side = QWidget()
        self.side.setLayout(column)
        self.side.setFixedWidth(SIDE_WIDTH)
        self.views = QVBoxLayout()
        right = QVBoxLayout()
        right.addWidget(tab.make_caption(caption))
        right.addLayout(self.views, 1)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addWidget(self.side)
        outer.addLayout(right, 1)

    def add_form_box(self, title: str, name: str, form: ParamForm) -> ParamForm:
        """A group box of settings in the controls column, its form registered with the tab."""
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(self.tab.add_form(name, form))
        self.controls.addWidget(box)
        return form

    def finish_controls(self, *extra_buttons: QPushButton) -> QPushButton:
        """The page's run button (and any others) under the controls, always in sight."""
        self.run_button = self.tab.make_run_button()
        for button in (self.run_button, *extra_buttons):
            self.buttons.addWidget(button)
        self.controls.addStretch(1)
        return self.run_button

    def readout(self, scale: float = 1.3, bold: bool = False) -> QLabel:
        """A centred label for numbers the back row must read (never elided: it wraps)."""
        label = QLabel("")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        self._readouts.append((label, scale, bold))
        self._style(label, scale, bold)
        return label

    def _style(self, label: QLabel, scale: float, bold: bool) -> None:
        f = QFont()
        f.setPointSizeF(style.axis_pt(self.tab.presentation) * scale)
        f.setBold(bold)
        label.setFont(f)

    def set_presentation(self, on: bool) -> None:
        for label, scale, bold in self._readouts:
            self._style(label, scale, bold)
        self.side.setStyleSheet(f"font-size: {style.axis_pt(on)}pt;")
        self.side.setFixedWidth(round(SIDE_WIDTH * style.PRESENTATION_FONT_PT / style.BASE_FONT_PT) if on
                                  else SIDE_WIDTH)

    # -- what the tab asks of a page
    def start(self) -> None:
        """Space: start the page's main job."""

    def on_frame(self, frame) -> None:
        """A frame of one of this page's jobs."""

    def on_finished(self) -> None:
        """The page's job ended (finished, stopped or failed)."""

    def on_running(self, running: bool) -> None:
        """A job of this page started or ended."""

    def picture_changed(self) -> None:
        """The shared picture changed."""

    def stages_changed(self) -> None:
        """The model (so its stages) changed."""

    def activated(self) -> None:
        """The page became visible."""

    def result(self) -> tuple[np.ndarray, str] | None:
        """(image, file name) that File ▸ Save writes, or None."""
        return None

    def extra_state(self) -> dict:
        return {}

    def apply_extra_state(self, extra: dict) -> list[str]:
        return []


def stage_title(stage) -> str:
    part = {"conv": "", "pool": ", pooled", "dense": ", dense"}[stage.kind]
    return f"{stage.name} ({stage.channels} ch{part})"


def run_text(running: bool) -> str:
    return "Stop  (Space)" if running else "Run  (Space)"


Callback = Callable[..., None]
