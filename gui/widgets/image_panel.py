"""An image with a title, drawn by a pyqtgraph ImageItem (never ImageView: it aborts at exit)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from . import style


class TitledImageView(pg.GraphicsLayoutWidget):
    """A bold title above one row-major ``ImageItem`` in a fixed, aspect-locked view (no mouse)."""

    def __init__(self, title: str = "", parent=None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self._presentation = False
        self._title_text = title
        self._title = self.addLabel(title, row=0, col=0)
        self.view = self.addViewBox(row=1, col=0, lockAspect=True, invertY=True, enableMouse=False)
        self.view.setMenuEnabled(False)
        self.item = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.item)
        self.set_title(title)

    def set_title(self, text: str) -> None:
        self._title_text = text
        self._title.setText(text, size=f"{style.title_pt(self._presentation)}pt", bold=True)

    def set_presentation(self, on: bool) -> None:
        self._presentation = on
        self.set_title(self._title_text)


class ImagePanel(TitledImageView):
    """Shows an HxW or HxWx3 uint8 image, aspect kept, with a title above and a note on it."""

    def __init__(self, title: str = "", parent=None) -> None:
        super().__init__(title, parent)
        self.ci.setContentsMargins(2, 2, 2, 2)
        self._note = pg.TextItem("", color=style.BLACK, fill=pg.mkBrush(255, 255, 255, 210), anchor=(0, 0))
        self._note.setZValue(10)
        self._note.setVisible(False)
        self.view.addItem(self._note)
        self._shape: tuple[int, ...] | None = None
        self.setMinimumSize(160, 160)

    def set_note(self, text: str) -> None:
        """A short label drawn on the image's top-left corner (e.g. "×40")."""
        self._note.setText(text)
        font = self._note.textItem.font()
        font.setPointSize(style.axis_pt(self._presentation) + 2)
        font.setBold(True)
        self._note.setFont(font)
        self._note.setVisible(bool(text))

    def set_image(self, image: np.ndarray | None) -> None:
        if image is None:
            self.item.clear()
            self._shape = None
            return
        self.item.setImage(np.ascontiguousarray(image), autoLevels=False, levels=(0, 255))
        if image.shape[:2] != self._shape:
            self._shape = image.shape[:2]
            self.view.setRange(xRange=(0, image.shape[1]), yRange=(0, image.shape[0]), padding=0.0)
        self._note.setPos(0, 0)

    def image(self) -> np.ndarray | None:
        return self.item.image

    def set_presentation(self, on: bool) -> None:
        super().set_presentation(on)
        self.set_note(self._note.toPlainText())

    def sizeHint(self):  # noqa: N802 - Qt API
        from PySide6.QtCore import QSize

        return QSize(300, 320)


__all__ = ["ImagePanel", "Qt"]
