"""Reusable views and controls: images, bar charts, curves, model and class choosers, read-outs."""

from .bar_chart import BarChart
from .class_target import ClassTargetField
from .curve_plot import CurvePlot
from .drag_view_box import DragViewBox
from .image_panel import ImagePanel
from .model_chooser import ModelChooser
from .readout import ReadoutLabel
from .save_png import save_png_as

__all__ = ["BarChart", "ClassTargetField", "CurvePlot", "DragViewBox", "ImagePanel", "ModelChooser",
           "ReadoutLabel", "save_png_as"]
