"""Settings panels that step aside where room is short, and come back as a drawer on request.

A tab's settings panel is the widget it names ``side_panel`` (or its ``side`` attribute, or what
``side_panel()`` returns). When the visible tab needs more width than the window has, its panel is
folded away and a "⚙ Settings" button appears in the status bar: pressing it slides the panel back
in (the demo gives up the room while it is open), pressing it again folds it. When the window grows
enough, the panel returns by itself. Ctrl+H (View ▸ Settings panel) hides or shows every panel.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QToolButton, QWidget


def side_panel(tab) -> QWidget | None:
    if hasattr(tab, "side_panel") and callable(tab.side_panel):
        panel = tab.side_panel()
    else:
        panel = tab.findChild(QWidget, "side_panel") or getattr(tab, "side", None)
    return panel if isinstance(panel, QWidget) else None


class PanelDrawer(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.hidden_by_user = False
        self._folded: dict[str, int] = {}  # tab key -> the width the tab needed with its panel
        self._opened: set[str] = set()  # folded panels the lecturer opened as a drawer
        self.button = QToolButton()
        self.button.setText("⚙ Settings")
        self.button.setCheckable(True)
        self.button.setToolTip("The settings panel was folded away for room: show it (again: fold it)")
        self.button.toggled.connect(self._drawer_toggled)
        self.button.hide()
        window.statusBar().addWidget(self.button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.update)
        window.tabs.currentChanged.connect(lambda _i: self.schedule())

    def schedule(self) -> None:
        self._timer.start()

    def set_all_visible(self, visible: bool) -> None:
        self.hidden_by_user = not visible
        self._folded.clear()
        self._opened.clear()
        for tab in self.window.tab_widgets.values():
            if hasattr(tab, "set_side_panel_visible"):
                tab.set_side_panel_visible(visible)
                continue
            panel = side_panel(tab)
            if panel is not None:
                panel.setVisible(visible)
        self.schedule()

    def update(self) -> None:
        """Fold the visible tab's panel if the tab is squeezed; unfold it when there is room again."""
        tab = self.window.current_tab()
        panel = side_panel(tab)
        key = tab.key
        if panel is None or self.hidden_by_user:
            self._show_button(False)
            return
        if key in self._folded:
            if key not in self._opened and tab.width() >= self._folded[key]:
                del self._folded[key]
                panel.show()
            self._show_button(key in self._folded)
            return
        need = tab.minimumSizeHint().width()
        if panel.isVisible() and need > tab.width() + 2:
            self._folded[key] = need
            panel.hide()
        self._show_button(key in self._folded)

    def _show_button(self, on: bool) -> None:
        key = self.window.current_tab().key
        self.button.blockSignals(True)
        self.button.setChecked(key in self._opened)
        self.button.blockSignals(False)
        self.button.setVisible(on)

    def _drawer_toggled(self, open_: bool) -> None:
        tab = self.window.current_tab()
        panel = side_panel(tab)
        if panel is None:
            return
        if open_:
            self._opened.add(tab.key)
        else:
            self._opened.discard(tab.key)
        panel.setVisible(open_)
