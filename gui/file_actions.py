"""Files in the window: open (dialog, recent list, drag-and-drop), open a model, save a result.

Images are decoded off the UI thread; model files that are programs open only with consent.

Mixed into :class:`gui.main_window.MainWindow`, which owns ``self.loader`` (a
:class:`~gui.worker.JobRunner` for this work), the tabs and the status bar.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox

from core import imaging, model_files, models
from core.autoencoders import weights as ae_weights

from .tabs import TAB_CLASSES

MAX_RECENT = 8


class FileActions:
    """Drag-and-drop, File ▸ Open, Open recent, Open model file and Save."""

    def open_path(self, path: str) -> None:
        """Open a dropped or chosen file: images are decoded off the UI thread first."""
        p = Path(path)
        tab = self.current_tab()
        try:
            is_dir = p.is_dir()
        except OSError:
            is_dir = False
        # the autoencoder tab loads its own weights (.pt, or .safetensors written as autoencoder weights)
        own_weights = tab.key == "autoencoder" and ae_weights.is_autoencoder_file(p)
        if not is_dir and model_files.looks_like_model_file(p) and not own_weights:
            self.open_model_file(path)
            return
        if is_dir or model_files.looks_like_model_file(p):
            self._hand_to_tab(path)  # folders and weights: the tab's own quick loaders
            return
        self.show_status(f"Opening {p.name}…")
        self.loader.start(lambda cancel: self._decode_job(path), kind="image")

    @staticmethod
    def _decode_job(path: str):
        imaging.prefetch(path)  # a bad file raises its one sentence, shown by _loader_failed
        yield ("image", path)

    def _loaded(self, result) -> None:
        what, value = result
        if what == "image":
            self._hand_to_tab(value)
        elif what == "model":
            for tab in self.tab_widgets.values():
                if hasattr(tab, "refresh_models"):
                    tab.refresh_models()
            self.show_status(f"Added model {value}; choose it in the model list.")

    def _hand_to_tab(self, path: str) -> None:
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

    def open_model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a model file", "",
                                              model_files.OPEN_FILTER + ";;All files (*)")
        if path:
            self.open_model_file(path)

    def confirm_trust(self, name: str) -> bool:
        """Ask before running a TorchScript file's code (tests replace this)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Run this model's code?",
                          f"“{name}” is TorchScript: a program, not just weights.", parent=self)
        box.setInformativeText(
            "Opening it runs the code inside it, which could read or change your files. Fooling Lab runs it "
            "in a separate process with time and memory limits, but cannot stop what it does to your files.\n\n"
            "Open it only if you trust where it came from. (Weights saved as .safetensors or a state dict "
            "are safe to open without this question.)")
        run = box.addButton("Run its code", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is run

    def open_model_file(self, path: str) -> None:
        """Add a user's classifier; weights load in the background, TorchScript only with consent."""
        p = Path(path)
        trust = False
        try:
            if model_files.is_torchscript(p):
                if not self.confirm_trust(p.name):
                    self.show_status(f"Did not open “{p.name}”: TorchScript files run their own code.")
                    return
                trust = True
        except OSError:
            pass
        self.show_status(f"Opening the model {p.name}…")
        self.loader.start(lambda cancel: self._model_job(path, trust), kind="model")

    @staticmethod
    def _model_job(path: str, trust: bool):
        name = models.register_model_file(path, trust_code=trust, refusal_hint="File ▸ Open model file")
        yield ("model", name)

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

