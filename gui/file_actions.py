"""Files in the window: open (dialog, recent list, drag-and-drop), open a model, save a result."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog

from core import imaging, models
from core.errors import UserError

from .tabs import TAB_CLASSES

log = logging.getLogger("fooling_lab.window")
MAX_RECENT = 8


class FileActions:
    """Mixed into ``MainWindow``: needs ``settings``, ``tab_widgets``, ``tabs``, ``recent_menu``."""

    def open_path(self, path: str) -> None:
        tab = self.current_tab()
        if not tab.open_file(path):
            tab = self.tab_widgets[TAB_CLASSES[0].key]
            self.tabs.setCurrentWidget(tab)
            tab.open_file(path)
        self._add_recent(path)

    def open_dialog(self) -> None:
        start = str(self.settings.value("last_dir", ""))
        path, _ = QFileDialog.getOpenFileName(self, "Open an image", start, imaging.OPEN_FILTER + ";;All files (*)")
        if path:
            self.settings.setValue("last_dir", str(Path(path).parent))
            self.open_path(path)

    def open_model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a model file", "",
                                              "PyTorch models (*.pt *.pth *.ts);;All files (*)")
        if not path:
            return
        try:
            name = models.register_model_file(path)
        except UserError as exc:
            self.show_error(str(exc))
            return
        except Exception:  # noqa: BLE001 - a loader bug must not take the window down
            log.exception("loading model file %s failed", path)
            self.show_error(f"“{Path(path).name}” cannot be used as a model.")
            return
        for tab in self.tab_widgets.values():
            if hasattr(tab, "refresh_models"):
                tab.refresh_models()
        self.show_status(f"Added model {name}; choose it in the model list.")

    def save_result(self) -> None:
        if not self.current_tab().save_result():
            self.show_status("This tab has nothing to save yet.")

    def _add_recent(self, path: str) -> None:
        recent = [p for p in self._recent() if p != path]
        recent.insert(0, path)
        self.settings.setValue("recent_files", recent[:MAX_RECENT])
        self._rebuild_recent()

    def _recent(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _rebuild_recent(self) -> None:
        self.recent_menu.clear()
        recent = self._recent()
        for p in recent:
            act = self.recent_menu.addAction(Path(p).name)
            act.setStatusTip(p)
            act.triggered.connect(lambda _=False, p=p: self.open_path(p))
        self.recent_menu.setEnabled(bool(recent))

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        if any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    dragMoveEvent = dragEnterEvent

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        # Let the drop finish before loading, so the drag source is never kept waiting.
        QTimer.singleShot(0, lambda: self.open_path(paths[0]))

