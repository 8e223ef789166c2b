"""Record ▸ a run of any tab as an animated GIF for slides (Ctrl+R toggles it).

While recording is on, every run of the visible tab is filmed: ten times a second the tab's view
(``tab.record_widget()`` if the tab offers one, else the whole tab) is grabbed; when the run ends,
or the tab changes, or recording is switched off, the movie is written in a background thread to
the Videos folder (``Fooling Lab/<tab>-<time>.gif``) with the scene, i.e. every tab's exact
settings, as JSON beside it.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtWidgets import QLabel

from core import movie
from core.errors import UserError

log = logging.getLogger("fooling_lab.recorder")
FPS = 10


def grab_rgb(widget) -> np.ndarray:
    """What the widget shows now, as uint8 H×W×3 (in device pixels)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    arr = np.frombuffer(image.constBits(), dtype=np.uint8, count=h * stride).reshape(h, stride)
    return arr[:, : w * 3].reshape(h, w, 3).copy()


class Recorder(QObject):
    movie_written = Signal(str)  # the path, once the file is complete
    movie_failed = Signal(str)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        default = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MoviesLocation)
        self.folder = Path(default or Path.home()) / "Fooling Lab"
        self.suffix = ".gif"
        self.action = window._action("&Record runs", self.set_recording, QKeySequence("Ctrl+R"),
                                     "Film every run of the visible tab as an animated GIF for slides",
                                     checkable=True)
        self.badge = QLabel("● REC")
        self.badge.setStyleSheet("QLabel { color: #D55E00; font-weight: bold; padding: 0 8px; }")
        self.badge.setToolTip("Recording: every run of the visible tab becomes a movie (Ctrl+R stops)")
        self.badge.hide()
        window.statusBar().addPermanentWidget(self.badge)
        self._timer = QTimer(self)
        self._timer.setInterval(1000 // FPS)
        self._timer.timeout.connect(self._tick)
        self._movie: movie.MovieRecorder | None = None
        self._tab = None
        self._scene: dict | None = None
        self._writers: list[threading.Thread] = []
        self.movie_written.connect(lambda p: window.show_status(f"Saved the movie {p} (its settings beside it)."))
        self.movie_failed.connect(window.show_error)

    @property
    def recording(self) -> bool:
        return self._timer.isActive()

    def set_recording(self, on: bool) -> None:
        on = bool(on)
        if self.action.isChecked() != on:
            self.action.setChecked(on)
        self.badge.setVisible(on)
        if on:
            self._timer.start()
            self.window.show_status(f"Recording: the next run becomes a movie in {self.folder}.")
        else:
            self._timer.stop()
            self._finish()

    def _tick(self) -> None:
        tab = self.window.current_tab()
        if self._movie is not None and (tab is not self._tab or not tab.is_running):
            self._finish()
            return
        if not tab.is_running:
            return
        if self._movie is None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                name = f"{tab.key}-{time.strftime('%Y%m%d-%H%M%S')}{self.suffix}"
                self._movie = movie.MovieRecorder(self.folder / name, fps=FPS)
            except (OSError, UserError) as exc:
                self.set_recording(False)
                self.window.show_error(f"Cannot record: {exc}")
                return
            self._tab = tab
            self._scene = self.window.scenes.capture(f"{tab.title} run", "").to_dict()
        widget = tab.record_widget() if hasattr(tab, "record_widget") else tab
        self._movie.add(grab_rgb(widget))

    def _finish(self) -> None:
        rec, scene, tab = self._movie, self._scene, self._tab
        self._movie, self._scene, self._tab = None, None, None
        if rec is None or not rec.frames:
            return
        meta = {"tab": tab.key if tab is not None else "", "scene": scene}

        def write() -> None:
            try:
                self.movie_written.emit(str(rec.write(meta)))
            except UserError as exc:
                self.movie_failed.emit(str(exc))
            except Exception as exc:  # noqa: BLE001 - a bug: logged, one sentence for the user
                log.exception("writing the movie failed")
                self.movie_failed.emit(f"The movie could not be written ({type(exc).__name__}); see the log.")

        thread = threading.Thread(target=write, name="movie-writer", daemon=True)
        self._writers = [t for t in self._writers if t.is_alive()] + [thread]
        thread.start()

    def shutdown(self, timeout_s: float = 20.0) -> None:
        """Write what is being recorded and wait for the writers (bounded)."""
        self._timer.stop()
        self._finish()
        deadline = time.monotonic() + timeout_s
        for t in self._writers:
            t.join(max(0.0, deadline - time.monotonic()))
