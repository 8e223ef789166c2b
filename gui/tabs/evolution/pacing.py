"""Redraw pacing for a fast job: draw the newest frame, never so often that drawing slows the job.

Redraws come at most every DRAW_INTERVAL_MS, and further apart when drawing is slow: the window
spends at most DRAW_SHARE of its time drawing a running job. On 2 cores, drawing competes with the
job for the processors and the interpreter; MNIST lost 20–30 % of its speed at 8 redraws a second
(``bench/evolution.py --only window``). The last frame of a run is drawn at once.
"""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, QTimer

from core.jobs import Frame

DRAW_INTERVAL_MS, MAX_DRAW_INTERVAL_MS = 120, 1000
DRAW_SHARE = 0.1


class RedrawPacer(QObject):
    """Hands ``draw`` the newest offered frame, paced by the UI thread's processor time."""

    def __init__(self, draw: Callable[[Frame], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._draw = draw
        self.pending: Frame | None = None
        self._ui_time: float | None = None  # the UI thread's processor time at the last redraw
        self.timer = QTimer(self)
        self.timer.setInterval(DRAW_INTERVAL_MS)
        self.timer.timeout.connect(self.draw_pending)

    def reset(self) -> None:
        """A new run: nothing measured yet, and no frame of the old run left to draw."""
        self._ui_time = None
        self.pending = None
        self.timer.stop()

    def offer(self, frame: Frame) -> None:
        self.pending = frame
        if frame.done or not self.timer.isActive():
            self.draw_pending()
            if not frame.done:
                self.timer.start()

    def draw_pending(self) -> None:
        f, self.pending = self.pending, None
        if f is None:
            self.timer.stop()
            self._ui_time = None  # paused or between frames: what the UI does now is not drawing
            return
        self._draw(f)
        # The UI thread's processor time since the last redraw: this drawing's cost plus the
        # painting, layout and events that the last one caused (most of it is painted later).
        now = time.thread_time()
        busy_ms = (now - self._ui_time) * 1000 if self._ui_time is not None else 0.0
        self._ui_time = None if f.done else now
        self.timer.setInterval(int(min(MAX_DRAW_INTERVAL_MS, max(DRAW_INTERVAL_MS, busy_ms / DRAW_SHARE))))
