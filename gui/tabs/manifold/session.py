"""The trained toy, owned in one place: the newest training frame, the chosen point, what it shows."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from core import manifold


class ToySession(QObject):
    """The toy's state. Pages draw from its signals; nothing else keeps a copy.

    ``frame_changed(ToyFrame)`` for every training frame, ``point_changed(object)`` with the chosen
    point ``(x, y)`` (or ``None``), ``analysis_changed(PointAnalysis)`` once that point has been
    analysed on the newest network (analysis waits for the event loop, so a burst of drag events
    costs one analysis).
    """

    frame_changed = Signal(object)
    point_changed = Signal(object)
    analysis_changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._frame: manifold.ToyFrame | None = None
        self._curve: manifold.Curve | None = None
        self._point: tuple[float, float] | None = None
        self._analysis: manifold.PointAnalysis | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._analyse)

    # ------------------------------------------------------------------ read-outs
    @property
    def frame(self) -> manifold.ToyFrame | None:
        """The newest training frame (``done`` once training and the point analysis finished)."""
        return self._frame

    @property
    def trained(self) -> bool:
        return self._frame is not None and self._frame.done

    @property
    def point(self) -> tuple[float, float] | None:
        return self._point

    @property
    def analysis(self) -> manifold.PointAnalysis | None:
        """What the chosen point shows on the newest network (``None`` before the first analysis)."""
        return self._analysis

    # ------------------------------------------------------------------ changes
    def set_frame(self, frame: manifold.ToyFrame) -> None:
        """A new training frame: a new curve forgets the point; a finished run picks the biggest gap."""
        if self._curve is None or self._curve.kind != frame.params.curve:
            if self._curve is not None:
                self.clear_point()
            self._curve = manifold.Curve(frame.params.curve)
        self._frame = frame
        self.frame_changed.emit(frame)
        if self._point is None and frame.done and frame.biggest_gap >= 0:
            self.pick_biggest_gap()
        elif self._point is not None:
            self._timer.start()

    def set_point(self, x: float, y: float) -> None:
        """Choose the point the lecturer clicked or dragged to (feature coordinates, kept on the map)."""
        ext = manifold.EXTENT
        self._point = (float(np.clip(x, -ext, ext)), float(np.clip(y, -ext, ext)))
        self.point_changed.emit(self._point)
        self._timer.start()

    def clear_point(self) -> None:
        self._point = None
        self._analysis = None
        self._timer.stop()
        self.point_changed.emit(None)

    def pick_most_vulnerable(self) -> None:
        """The correctly classified training point that the shortest step fools."""
        self._pick(-1 if self._frame is None else self._frame.most_vulnerable)

    def pick_biggest_gap(self) -> None:
        """The training point whose walk along the curve is the most times longer than its step."""
        self._pick(-1 if self._frame is None else self._frame.biggest_gap)

    def _pick(self, index: int) -> None:
        if self._frame is not None and index >= 0:
            x, y = self._frame.data_x[index]
            self.set_point(x, y)

    def _analyse(self) -> None:
        f = self._frame
        if f is None or self._point is None or f.net is None or self._curve is None:
            return
        data = manifold.ToyData(x=f.data_x, y=f.data_y, u=f.data_u)
        self._analysis = manifold.analyse_point(f.net, self._curve, data, self._point)
        self.analysis_changed.emit(self._analysis)

    def stop(self) -> None:
        self._timer.stop()
