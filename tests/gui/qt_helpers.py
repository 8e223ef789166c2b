"""What the GUI tests do as a user would, shared by the tab tests."""

import re

from PySide6.QtCore import QEvent, QMimeData, QObject, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication


def drop_file(widget, path) -> None:
    """What a drag from a file manager delivers: drag-enter, drag-move, drop, at the widget's centre."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPointF(widget.rect().center())
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    for cls in (QDragEnterEvent, QDragMoveEvent, QDropEvent):
        event = cls(pos.toPoint(), *args) if cls is not QDropEvent else cls(pos, *args)
        QApplication.sendEvent(widget, event)


class PaintPasses(QObject):
    """For each frame a tab shows, the window's paint pass in which each watched widget was first
    painted: plots and text that disagree in between are what the audience sees.

    ``watch`` maps names to widgets (for a pyqtgraph view, its viewport). Call :meth:`frame_shown`
    after the tab has drawn a frame; :meth:`first_passes` lists, per frame, name → pass number.
    """

    def __init__(self, window, watch: dict) -> None:
        super().__init__()
        self._window = window
        self._watch = watch
        self._pass = 0
        self._frames: list[dict[str, int]] = []
        QApplication.instance().installEventFilter(self)

    def frame_shown(self, *_args) -> None:
        self._frames.append({})

    def first_passes(self) -> list[dict[str, int]]:
        return [f for f in self._frames if len(f) == len(self._watch)]

    def remove(self) -> None:
        QApplication.instance().removeEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.UpdateRequest and obj is self._window:
            self._pass += 1
        elif event.type() == QEvent.Type.Paint and self._frames:
            for name, widget in self._watch.items():
                if obj is widget:
                    self._frames[-1].setdefault(name, self._pass)
        return False


def long_numbers(text: str) -> list[str]:
    """The numbers in a (rich) text with more digits than a lecture needs: more than two
    significant digits after the point; whole numbers are fine."""
    plain = re.sub(r"<[^>]+>", "", text)
    return [n for n in re.findall(r"\d+(?:\.\d+)?", plain)
            if "." in n and len(n.replace(".", "").lstrip("0")) > 2]
