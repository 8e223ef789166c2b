"""One evolved image, enlarged, with the network's top-5 and what to do with it."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QLabel, QPushButton

from core.errors import UserError

from ...widgets import BarChart, ImagePanel
from ...widgets.save_png import save_png_as


class InspectDialog(QDialog):
    """Shows one image; "Send to …" hands it to another tab and closes, so that tab is in view."""

    def __init__(self, tab) -> None:
        super().__init__(tab)
        self.setWindowTitle("Inspect an evolved image")
        self._tab = tab
        self.image: np.ndarray | None = None
        self.label = ""
        self.view = ImagePanel("")
        self.view.setMinimumSize(300, 300)
        self.top5 = BarChart("What the network sees (top 5)")
        self.top5.setMinimumWidth(380)
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.save_button = QPushButton("Save PNG…")
        self.save_button.clicked.connect(lambda: self.save())
        self.to_whitebox = QPushButton("Send to gradient ascent")
        self.to_whitebox.clicked.connect(lambda: self._send("whitebox"))
        self.to_autoencoder = QPushButton("Send to autoencoder")
        self.to_autoencoder.clicked.connect(lambda: self._send("autoencoder"))
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for b in (self.save_button, self.to_whitebox, self.to_autoencoder):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        grid = QGridLayout(self)
        grid.addWidget(self.view, 0, 0, 2, 1)
        grid.addWidget(self.top5, 0, 1)
        grid.addWidget(self.info, 1, 1)
        grid.addLayout(buttons, 2, 0, 1, 2)
        self.resize(860, 480)

    def show_image(self, image: np.ndarray, title: str, names: list[str], probs: list[float],
                   highlight: int | None, info: str, label: str) -> None:
        self.image = image
        self.label = label
        self.view.set_title(title)
        self.view.set_image(image)
        self.top5.set_bars(names, probs, highlight=highlight)
        self.info.setText(info)
        self.show()
        self.raise_()

    def save(self, path: str | None = None) -> bool:
        if self.image is None:
            return False
        try:
            saved = save_png_as(self, self.image, f"{self.label}.png", title="Save the evolved image", path=path)
        except UserError as exc:
            self._tab.ctx.error(str(exc))
            return False
        if saved is None:
            return False
        self._tab.ctx.status(f"Saved {saved} ({self.image.shape[1]}×{self.image.shape[0]}, as the network saw it).")
        return True

    def _send(self, key: str) -> None:
        if self.image is not None:
            self.close()  # out of the way: the other tab is what the audience should see now
            self._tab.ctx.send_image(key, self.image, f"evolution ({self.label})")
