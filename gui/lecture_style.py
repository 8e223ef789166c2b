"""The application's style: the platform's own, plus one lecture rule.

A combo box too narrow for its current choice shows the name shortened with "…" (its list still
shows every name whole) instead of cutting letters off at the edge. Names may shorten; a choice
whose number would be lost (e.g. "(10,000)") is still reported by ``tests/gui/fit.py``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOptionComboBox


class LectureStyle(QProxyStyle):
    #: Read by the fit checker: combo boxes elide their current text on purpose.
    elides_combo_text = True

    def drawControl(self, element, option, painter, widget=None) -> None:  # noqa: N802 - Qt API
        if element == QStyle.ControlElement.CE_ComboBoxLabel and isinstance(option, QStyleOptionComboBox):
            room = self.subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                       QStyle.SubControl.SC_ComboBoxEditField, widget)
            width = room.width() - (option.iconSize.width() + 4 if not option.currentIcon.isNull() else 0)
            text = option.currentText
            if text and option.fontMetrics.horizontalAdvance(text) > width:
                option = QStyleOptionComboBox(option)
                option.currentText = option.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
        super().drawControl(element, option, painter, widget)


def combo_shows(combo) -> str:
    """The text a combo box shows now (elided as :class:`LectureStyle` draws it)."""
    from PySide6.QtWidgets import QStyleOptionComboBox as Opt

    from PySide6.QtWidgets import QApplication

    text = combo.currentText()
    style = combo.style()
    if not (getattr(style, "elides_combo_text", False) or getattr(QApplication.style(), "elides_combo_text", False)):
        return text
    opt = Opt()
    combo.initStyleOption(opt)
    room = style.subControlRect(QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField,
                                combo)
    width = room.width() - (combo.iconSize().width() + 4 if not opt.currentIcon.isNull() else 0)
    fm = combo.fontMetrics()
    return text if fm.horizontalAdvance(text) <= width else fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
