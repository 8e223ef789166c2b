"""Presentation mode and the window's fit to the screen (mixed into ``MainWindow``).

* The tabs never claim more than the screen (:class:`ScreenBoundTabs`), so the window never grows
  past it; a tab that needs more is squeezed, its settings panel folds into a drawer
  (``gui/drawer.py``), and ``tests/gui/fit.py`` names whatever is still cut.
* Presentation mode (F11): full screen, no menu bar, fonts scaled to the screen's height
  (``style.fit_presentation_font``), settings panels hidden on request (Ctrl+H, remembered).
* The scene list (F9) lies over the tabs at the window's right edge.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QTabWidget

from .widgets import style

#: Room the window frame, menu bar and status bar take beside the tabs, within the screen.
CHROME = QSize(40, 120)


class ScreenBoundTabs(QTabWidget):
    """Tabs whose minimum size never exceeds the screen: the window must not outgrow it.

    A tab that needs more room than the screen has is squeezed (and the fit checker in
    ``tests/gui/fit.py`` says which of its widgets are cut), rather than pushing the window's edges
    off the screen.
    """

    #: The room the tabs may claim; None: the screen's free area less the window's chrome.
    room: QSize | None = None

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = super().minimumSizeHint()
        room = self.room
        if room is None:
            screen = self.screen()
            if screen is None:
                return hint
            room = screen.availableGeometry().size() - CHROME
        return hint.boundedTo(room.expandedTo(QSize(320, 240)))


class WindowView:
    """Needs ``settings``, ``tabs``, ``tab_widgets``, ``drawer``, ``scenes``, ``presentation_action``,
    ``panel_action`` and ``_presentation`` from the window."""

    def is_presentation(self) -> bool:
        return self._presentation

    def set_presentation(self, on: bool) -> None:
        """Full screen, no menu bar, fonts scaled to the screen's height (F11 toggles it)."""
        on = bool(on)
        self._presentation = on
        if self.presentation_action.isChecked() != on:
            self.presentation_action.setChecked(on)
        style.fit_presentation_font(self.screen().geometry().height() if self.screen() else 1080)
        app = QApplication.instance()
        font = QFont(app.font())
        font.setPointSize(style.PRESENTATION_FONT_PT if on else style.BASE_FONT_PT)
        app.setFont(font)
        self.menuBar().setVisible(not on)
        if on and str(self.settings.value("presentation_hides_panels", "false")).lower() == "true":
            self.set_side_panels_visible(False)
        elif not on and self.drawer.hidden_by_user:  # the panels hidden for the slides come back
            self.panel_action.setChecked(True)
            self.drawer.set_all_visible(True)
        for tab in self.tab_widgets.values():
            tab.set_presentation(on)
        if on:
            self.showFullScreen()
        else:
            self.showNormal()
            self.fit_to_screen()

    toggle_presentation = set_presentation  # the name tabs and tests have used

    def fit_to_screen(self, wanted: QSize | None = None) -> None:
        """Resize to ``wanted`` (or the current size), never beyond the screen's free area."""
        screen = self.screen()
        if screen is None:
            return
        avail = screen.availableGeometry()
        frame_extra = self.frameGeometry().size() - self.geometry().size()
        size = (wanted or self.size()).boundedTo(avail.size() - frame_extra)
        self.resize(size)
        geo = self.frameGeometry()
        if not avail.contains(geo):
            self.move(max(avail.left(), min(geo.left(), avail.right() - geo.width())),
                      max(avail.top(), min(geo.top(), avail.bottom() - geo.height())))

    def set_side_panels_visible(self, visible: bool) -> None:
        """Every tab's settings panel (see gui/drawer.py); hiding it gives the demo the whole width."""
        visible = bool(visible)
        if self.panel_action.isChecked() != visible:
            self.panel_action.setChecked(visible)
        self.drawer.set_all_visible(visible)
        self.settings.setValue("presentation_hides_panels", not visible and self._presentation)

    def set_scene_list_visible(self, visible: bool) -> None:
        """The lecture's scenes in a list at the window's right edge (F9), above the tabs."""
        lst = self.scenes.list
        if lst.parentWidget() is not self:
            lst.setParent(self)
        if self.scenes.list_action.isChecked() != bool(visible):
            self.scenes.list_action.setChecked(bool(visible))
        font = QFont(lst.font())
        font.setPointSize(style.title_pt(self._presentation))  # read from the back row, like a title
        lst.setFont(font)
        lst.setVisible(bool(visible))
        self._place_scene_list()
        if visible:
            lst.raise_()
            lst.setFocus()

    def _place_scene_list(self) -> None:
        lst = self.scenes.list
        if not lst.isVisible():
            return
        top = self.tabs.geometry().top() + self.tabs.tabBar().height()
        width = min(max(self.width() // 4, 260), self.width() // 2)
        lst.setGeometry(self.width() - width, top, width, self.statusBar().geometry().top() - top)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._place_scene_list()
        if hasattr(self, "drawer"):
            self.drawer.schedule()

