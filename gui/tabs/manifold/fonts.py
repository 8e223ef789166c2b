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
    """Widgets registered with a scale (1.0: the base size) and boldness, resized by :meth:`apply`.

    A widget added as a ``tree`` passes its size to every widget inside it (a form's labels and
    editors): under a window style sheet Qt does not let children inherit their parent's font.
    """

    def __init__(self) -> None:
        self._items: list[tuple[QWidget, float, bool, bool]] = []
        self._presentation = False

    def add(self, widget: QWidget, scale: float, bold: bool = False, tree: bool = False) -> QWidget:
        self._items.append((widget, scale, bold, tree))
        self._set(widget, scale, bold, tree)
        return widget

    def _set(self, widget: QWidget, scale: float, bold: bool, tree: bool) -> None:
        for w in (widget, *(widget.findChildren(QWidget) if tree else ())):
            w.setFont(font_for(w, scale, bold, self._presentation))

    def apply(self, presentation: bool) -> None:
        self._presentation = presentation
        for widget, scale, bold, tree in self._items:
            self._set(widget, scale, bold, tree)
