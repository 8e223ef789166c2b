"""Reusable views: images, bar charts, curves, captions."""

from .bar_chart import BarChart
from .curve_plot import CurvePlot
from .drag_view_box import DragViewBox
from .image_panel import ImagePanel

__all__ = ["BarChart", "CurvePlot", "DragViewBox", "ImagePanel"]
