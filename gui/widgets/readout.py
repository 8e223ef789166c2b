"""A big read-out line (the number the hall must read) that follows presentation mode."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QWidget

from . import style


class ReadoutLabel(QLabel):
    """Centred, word-wrapped rich text at ``scale`` × the base font (bold if asked).

    The tab's ``set_presentation`` reaches it like every child with that method, so its size follows
    presentation mode without the tab restyling it. Word wrap keeps a long class name from widening
    the window past the screen; numbers are written by the caller and never elided.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, *, scale: float = style.READOUT_SCALE,
                 bold: bool = True) -> None:
        super().__init__(text, parent)
        self._scale = scale
        self._bold = bold
        self._presentation = False
        self._lines = 0
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self._apply_font()

    def set_presentation(self, on: bool) -> None:
        self._presentation = on
        self._apply_font()

    def reserve_lines(self, lines: int) -> None:
        """Keep room for ``lines`` lines, so the views below stay put as the text changes."""
        self._lines = lines
        self._apply_font()

    def point_size(self) -> float:
        return self.font().pointSizeF()

    def _apply_font(self) -> None:
        font = QFont(self.font())
        pt = style.PRESENTATION_FONT_PT if self._presentation else style.BASE_FONT_PT
        font.setPointSizeF(pt * self._scale)
        font.setBold(self._bold)
        self.setFont(font)
        if self._lines:
            margins = self.contentsMargins()
            self.setMinimumHeight(self._lines * self.fontMetrics().lineSpacing() + margins.top() + margins.bottom())
