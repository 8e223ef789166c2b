"""Colours and sizes for a lecture hall.

Colours are the Okabe–Ito palette, distinguishable with the common colour-vision deficiencies.
"""

from __future__ import annotations

from PySide6.QtGui import QFont

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#7F7F7F"

PALETTE = (BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY_BLUE, YELLOW, BLACK)
TARGET_COLOR = VERMILLION
ORIGINAL_COLOR = BLUE
BAR_COLOR = SKY_BLUE
OK_COLOR = GREEN
ALARM_COLOR = VERMILLION

#: Point sizes: normal use and presentation mode (F11).
BASE_FONT_PT = 11
PRESENTATION_FONT_PT = 15
#: Presentation text grows with the screen: PRESENTATION_FONT_PT on a 1080-pixel-high screen.
PRESENTATION_REFERENCE_HEIGHT = 1080
_PRESENTATION_PT_AT_REFERENCE = PRESENTATION_FONT_PT
TITLE_SCALE = 1.35
CAPTION_SCALE = 1.25
READOUT_SCALE = 1.9


def fit_presentation_font(screen_height: int) -> int:
    """Scale the presentation point size to the screen (never below the normal size); returns it.

    Text keeps the same share of the screen's height, so a slide looks alike on a 720-line projector
    and a 4K screen. Tabs read ``PRESENTATION_FONT_PT`` when they restyle, so they follow.
    """
    global PRESENTATION_FONT_PT
    pt = round(_PRESENTATION_PT_AT_REFERENCE * screen_height / PRESENTATION_REFERENCE_HEIGHT)
    PRESENTATION_FONT_PT = max(BASE_FONT_PT, min(pt, 48))
    return PRESENTATION_FONT_PT


def screen_scale(presentation: bool) -> float:
    """How much larger than on a full-HD screen presentation text is (1 up to 1080 lines, 2 on 4K):
    a panel sized in pixels for 1080 lines grows by this much to keep its text whole."""
    return max(1.0, PRESENTATION_FONT_PT / _PRESENTATION_PT_AT_REFERENCE) if presentation else 1.0


def title_pt(presentation: bool) -> int:
    return round((PRESENTATION_FONT_PT if presentation else BASE_FONT_PT) * TITLE_SCALE)


def axis_pt(presentation: bool) -> int:
    return PRESENTATION_FONT_PT if presentation else BASE_FONT_PT


def apply_plot_fonts(plot, title: str, presentation: bool) -> QFont:
    """Tick, axis-label and title sizes of a pyqtgraph ``PlotWidget``; returns the axis font."""
    font = QFont()
    font.setPointSize(axis_pt(presentation))
    for side in ("left", "bottom"):
        plot.getAxis(side).setTickFont(font)
        plot.getAxis(side).label.setFont(font)
    plot.setTitle(title, size=f"{title_pt(presentation)}pt", bold=True)
    return font
