"""Plots and read-outs that show one frame are painted in one go."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget


def paint_views_with_text(widget: QWidget) -> None:
    """Mark every pyqtgraph view under ``widget`` for the window's next paint.

    A label's new text is painted in the window's next paint, but a change to a pyqtgraph item
    only marks its view a pass later (the scene handles its changed items in a queued call). The
    window then shows the new text over the old plots in between, and on a busy machine for long
    enough to read: a headline said “African elephant” 37.1 % over the previous step's top 5
    (plow 16.7 %, no elephant). Call this after updating the views and the text of one frame.
    """
    for view in widget.findChildren(pg.GraphicsView):
        view.viewport().update()
