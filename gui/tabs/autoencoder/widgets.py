"""Small pieces the autoencoder pages share: big read-out labels, fonts, digit colours."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel

from ...widgets import style

#: Ten colours for the ten digits: Okabe–Ito's eight plus two of Paul Tol's.
DIGIT_COLORS = (style.BLUE, style.VERMILLION, style.GREEN, style.ORANGE, style.PURPLE, style.SKY_BLUE,
                "#999933", style.BLACK, "#882255", style.GREY)


def readout(text: str = "", scale: float = style.READOUT_SCALE, bold: bool = True) -> QLabel:
    """A label whose font follows presentation mode (see :func:`style_readouts`)."""
    label = QLabel(text)
    label.setProperty("scale", scale)
    label.setProperty("bold", bold)
    label.setWordWrap(True)
    return label


def style_readouts(labels, presentation: bool) -> None:
    base = style.PRESENTATION_FONT_PT if presentation else style.BASE_FONT_PT
    for label in labels:
        f = QFont(label.font())
        f.setPointSizeF(base * float(label.property("scale") or 1.0))
        f.setBold(bool(label.property("bold")))
        label.setFont(f)


def plot_font(presentation: bool, extra: int = 0, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSize(style.axis_pt(presentation) + extra)
    f.setBold(bold)
    return f

