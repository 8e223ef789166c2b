"""What the GUI tests do as a user would, shared by the tab tests."""

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
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
