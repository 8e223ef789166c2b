"""Keys a lecturer can trust, whatever has focus: one application-wide event filter.

* **Space** runs or stops the current tab's demo, from a button, a combo box, a spin box or a text
  field alike. Two exceptions keep typing possible: in a text field whose completer knows a longer
  name (``tiger`` → ``tiger shark``) Space types the space, and **Shift+Space** always types one.
  A field that takes free text (a path, a caption) sets the property ``accepts_spaces = True``.
* **Esc** stops the demo from anywhere (a completer's open list closes first).
* **Enter** in a field starts the demo (after the field has taken its value); it never stops one.
* **PageUp/PageDown** (what a presentation clicker sends) step to the previous/next scene from
  anywhere, spin boxes included (they lose their ×10 step, on purpose). **Left/Right** step scenes
  too, unless the focus is on something that needs the arrows (text, numbers, sliders, lists,
  combo boxes, tab bars, radio buttons).

Only key presses meant for the main window are touched: dialogs and menus keep their keys.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QApplication, QComboBox,
    QLineEdit, QPlainTextEdit, QRadioButton, QTabBar, QTextEdit, QWidget,
)

TEXT_FIELDS = (QLineEdit, QTextEdit, QPlainTextEdit)
NEEDS_ARROWS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QAbstractSlider, QAbstractItemView,
                QComboBox, QTabBar, QRadioButton)
ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
SCENE_LIST = "scene_list"  # the object name of the window's scene list (F9)
OURS = (Qt.Key.Key_Space, Qt.Key.Key_Escape, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown, Qt.Key.Key_Left,
        Qt.Key.Key_Right, *ENTER)


def space_types_text(field: QWidget) -> bool:
    """Should Space type a space into this text field (rather than run)?"""
    if not isinstance(field, TEXT_FIELDS):
        return False
    if field.property("accepts_spaces"):
        return True
    if not isinstance(field, QLineEdit) or field.isReadOnly():
        return False
    completer = field.completer()
    if completer is None:
        return False
    before = field.text()[: field.cursorPosition()]
    if not before.strip():
        return False
    wanted = (before + " ").casefold()
    model = completer.model()
    column = completer.completionColumn()
    role = completer.completionRole()
    for row in range(model.rowCount()):
        entry = str(model.data(model.index(row, column), role) or "").casefold()
        if entry.startswith(wanted) or (completer.filterMode() == Qt.MatchFlag.MatchContains and wanted in entry):
            return True
    return False


class LectureKeys(QObject):
    """Install on the QApplication; calls back into the window for what the keys mean."""

    def __init__(self, window: QWidget, *, toggle: Callable[[], None], start: Callable[[], None],
                 stop: Callable[[], None], step_scene: Callable[[int], None],
                 close_list: Callable[[], None] | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._close_list = close_list
        self._toggle = toggle
        self._start = start
        self._stop = stop
        self._step_scene = step_scene
        self._start_pending = False

    # ------------------------------------------------------------------ which events are ours
    def _focus_in_window(self, receiver: QObject) -> tuple[bool, QWidget | None, bool]:
        """(is this key for the main window, the widget with focus, is a popup list open)."""
        if not isinstance(receiver, QWidget):
            return False, None, False
        focus = QApplication.focusWidget()
        popup = receiver.window() is not self._window and bool(receiver.window().windowFlags()
                                                                  & Qt.WindowType.Popup)
        if popup:
            # A completer's list: keys reach it first, but the field still has focus.
            if focus is not None and focus.window() is self._window and isinstance(focus, QLineEdit):
                return True, focus, True
            return False, None, False
        if receiver.window() is not self._window or QApplication.activePopupWidget() is not None:
            return False, None, False
        if QApplication.activeModalWidget() is not None:
            return False, None, False
        return True, focus, False

    def eventFilter(self, receiver: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return False
        key_event: QKeyEvent = event  # type: ignore[assignment]
        if key_event.key() not in OURS:
            return False
        ours, focus, popup = self._focus_in_window(receiver)
        if not ours:
            return False
        action = self._decide(key_event, focus, popup)
        if action is None:
            return False
        if action == "start":
            # Enter: the field takes its value first (the key goes on to it), then the demo starts.
            if kind == QEvent.Type.KeyPress and not key_event.isAutoRepeat() and not self._start_pending:
                self._start_pending = True
                QTimer.singleShot(0, self._start_after_enter)
            return False
        if kind == QEvent.Type.ShortcutOverride:
            # Claim the key, so no widget or shortcut takes it; the key press then comes here.
            event.accept()
            return True
        if key_event.isAutoRepeat():
            return True  # a held key must not run, stop, run, stop…
        if popup and isinstance(focus, QLineEdit) and focus.completer() is not None:
            focus.completer().popup().hide()
        self._act(action)
        return True

    def _start_after_enter(self) -> None:
        self._start_pending = False
        self._start()

    def _decide(self, event: QKeyEvent, focus: QWidget | None, popup: bool) -> str | None:
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if focus is not None and focus.objectName() == SCENE_LIST and key in (Qt.Key.Key_Space, Qt.Key.Key_Escape):
            # The scene list covers the Run button: Space there must not start a run nobody sees,
            # and Esc closes the list (as it would a menu) instead of stopping the demo.
            return "close_list" if key == Qt.Key.Key_Escape and self._close_list is not None else None
        if key == Qt.Key.Key_Space:
            if mods == Qt.KeyboardModifier.ShiftModifier and isinstance(focus, TEXT_FIELDS):
                return None  # Shift+Space types a space
            if mods != Qt.KeyboardModifier.NoModifier:
                return None
            if focus is not None and space_types_text(focus):
                return None
            return "toggle"
        if mods not in (Qt.KeyboardModifier.NoModifier,):
            return None
        if key == Qt.Key.Key_Escape:
            return None if popup else "stop"  # Esc first closes a completer's list
        if key in ENTER:
            if popup:
                return None  # Enter picks the completion
            if isinstance(focus, (QLineEdit, QAbstractSpinBox)):
                return "start"
            return None  # a focused button or list keeps Enter to itself
        if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            return "previous" if key == Qt.Key.Key_PageUp else "next"
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            if popup or isinstance(focus, NEEDS_ARROWS):
                return None
            if isinstance(focus, QAbstractButton) and focus.autoExclusive():
                return None
            return "previous" if key == Qt.Key.Key_Left else "next"
        return None

    def _act(self, action: str) -> None:
        if action == "toggle":
            self._toggle()
        elif action == "stop":
            self._stop()
        elif action == "close_list" and self._close_list is not None:
            self._close_list()
        elif action == "previous":
            self._step_scene(-1)
        elif action == "next":
            self._step_scene(+1)


class FocusRing(QWidget):
    """A thick orange frame around whatever has the keyboard, drawn above it, seen from the back row.

    It is an overlay (a child of the window, transparent to the mouse), so no widget changes its
    size or style; it follows the focus, and the focused widget's moves, ten times a second.
    """

    WIDTH = 3

    def __init__(self, window: QWidget, color: str) -> None:
        super().__init__(window)
        from PySide6.QtGui import QColor

        self._window = window
        self._color = QColor(color)
        self._target: QWidget | None = None
        self.setObjectName("focus_ring")
        self.setProperty("fit_ignore", True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide()
        QApplication.instance().focusChanged.connect(self._focus_changed)
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self.follow)

    @staticmethod
    def wants_ring(widget: QWidget | None) -> bool:
        from PySide6.QtWidgets import QAbstractScrollArea

        if widget is None or widget.focusPolicy() == Qt.FocusPolicy.NoFocus or isinstance(widget, QTabBar):
            return False  # a tab bar marks its own current tab (and has the focus at start-up)
        if isinstance(widget, QAbstractScrollArea) and not isinstance(widget, (QAbstractItemView, QTextEdit,
                                                                               QPlainTextEdit)):
            return False  # plots and views: a frame around a whole plot says nothing
        return True

    def _focus_changed(self, _old, new) -> None:
        if new is not None and isinstance(new.parentWidget(), QAbstractSpinBox):
            new = new.parentWidget()  # the spin box, not its inner line edit
        if new is not None and new.window() is self._window and self.wants_ring(new):
            self._target = new
            self._timer.start()
            self.follow()
        else:
            self._target = None
            self._timer.stop()
            self.hide()

    def follow(self) -> None:
        from PySide6.QtCore import QPoint, QRect

        t = self._target
        if t is None or not t.isVisible() or not t.hasFocus() and not (
                isinstance(t, QAbstractSpinBox) and t.lineEdit() is not None and t.lineEdit().hasFocus()):
            self.hide()
            return
        w = self.WIDTH
        rect = QRect(t.mapTo(self._window, QPoint(0, 0)), t.size()).adjusted(-w, -w, w, w)
        if rect != self.geometry():
            self.setGeometry(rect)
        if not self.isVisible():
            self.show()
        self.raise_()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        from PySide6.QtGui import QPainter, QPen

        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self._color, self.WIDTH)
        p.setPen(pen)
        half = self.WIDTH / 2
        p.drawRoundedRect(self.rect().toRectF().adjusted(half, half, -half, -half), 4, 4)
        p.end()
