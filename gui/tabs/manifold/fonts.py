"""Fonts that follow presentation mode: each widget keeps its own scale of the base size."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

from ...widgets import style


def font_for(widget: QWidget, scale: float, bold: bool, presentation: bool) -> QFont:
    f = QFont(widget.font())
    f.setPointSizeF((style.PRESENTATION_FONT_PT if presentation else style.BASE_FONT_PT) * scale)
    f.setBold(bold)
    return f


class ScaledFonts:
    """Widgets registered with a scale (1.0: the base size) and boldness, resized by :meth:`apply`."""

    def __init__(self) -> None:
        self._items: list[tuple[QWidget, float, bool]] = []
        self._presentation = False

    def add(self, widget: QWidget, scale: float, bold: bool = False) -> QWidget:
        self._items.append((widget, scale, bold))
        widget.setFont(font_for(widget, scale, bold, self._presentation))
        return widget

    def apply(self, presentation: bool) -> None:
        self._presentation = presentation
        for widget, scale, bold in self._items:
            widget.setFont(font_for(widget, scale, bold, presentation))
