"""Page 1, "The curve (2-D)": drag a point, see the smallest fooling step next to the walk along
the curve; any change of the settings retrains the network."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout,
    QWidget,
)

from core import manifold
from core.errors import UserError
from core.readable import times

from ...widgets.param_form import ParamForm
from ...worker import JobRunner
from .fonts import ScaledFonts
from .session import ToySession
from .toy_map import STEP_COLOR, WALK_COLOR, ToyMap

CLASS_NAMES = ("yellow", "blue")
#: The toy's settings shown on the page (the sweep reuses them for its networks).
TOY_FIELDS = ("curve", "noise", "segments", "hidden", "activation", "weight_decay", "epochs", "seed")
CAPTION = ("Real data lie on a thin curve (dotted); off it, the network's border between <b>yellow</b> and "
           "<b>blue</b> (black line) goes wherever it likes. Drag the white dot: the "
           "<b style='color:#D55E00'>red arrow</b> is the smallest step that changes the answer, the "
           "<b style='color:#CC79A7'>pink path</b> the walk along the curve to the other class.")


class ToyPage(QWidget):
    """The map, the read-out of the chosen point, the settings and the retrain buttons."""

    def __init__(self, session: ToySession, runner: JobRunner, caption: QLabel, report, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner
        self._report = report  # report(text): a message for the status bar (the tab decides when)
        self.fonts = ScaledFonts()
        self._pending = False
        self._presentation = False
        outer = QVBoxLayout(self)
        outer.addWidget(caption)
        row = QHBoxLayout()
        outer.addLayout(row, 1)
        self.map = ToyMap()
        row.addWidget(self.map, 1)

        side = QVBoxLayout()
        row.addLayout(side, 1)
        self.readout = readout = QGroupBox("The point")
        rl = QVBoxLayout(readout)
        self.prob_label = QLabel("Click anywhere on the map.")
        self.step_label = QLabel("")
        self.walk_label = QLabel("")
        self.share_label = QLabel("")
        for label, color, scale in ((self.prob_label, "#222", 1.3), (self.step_label, STEP_COLOR, 1.6),
                                    (self.walk_label, WALK_COLOR, 1.6), (self.share_label, "#222", 1.2)):
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
            self.fonts.add(label, scale, bold=label is not self.prob_label)
            label.setStyleSheet(f"color: {color};")
            rl.addWidget(label)
        self.fonts.add(readout, 1.0)
        side.addWidget(readout)
        side.setStretchFactor(readout, 0)

        self.form = ParamForm(manifold.ToyParams, TOY_FIELDS)
        box = QGroupBox("Data and network (any change retrains)")
        QVBoxLayout(box).addWidget(self.form)
        self.fonts.add(box, 1.0, tree=True)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(box)
        holder_layout.addStretch(1)
        self.settings_area = QScrollArea()  # the settings give way to the read-out when fonts grow (F11)
        self.settings_area.setWidget(holder)
        self.settings_area.setWidgetResizable(True)
        self.settings_area.setFrameShape(QFrame.Shape.NoFrame)
        side.addWidget(self.settings_area, 1)

        buttons = QGridLayout()
        self.retrain_button = QPushButton("Retrain  (Space)")
        self.retrain_button.clicked.connect(self.toggle)
        self.vulnerable_button = QPushButton("Most vulnerable point")
        self.vulnerable_button.setToolTip("the training point that the shortest step fools")
        self.gap_button = QPushButton("Biggest gap")
        self.gap_button.setToolTip("the training point whose walk along the curve is the most times longer "
                                   "than its fooling step")
        self.vulnerable_button.clicked.connect(session.pick_most_vulnerable)
        self.gap_button.clicked.connect(session.pick_biggest_gap)
        self.settings_button = QPushButton("Settings")
        self.settings_button.setCheckable(True)
        self.settings_button.setChecked(True)
        self.settings_button.setToolTip("show or hide the data and network settings (hidden at first in "
                                        "presentation mode, so the read-out has the room)")
        self.settings_button.toggled.connect(self._show_settings)
        for i, b in enumerate((self.retrain_button, self.settings_button, self.vulnerable_button, self.gap_button)):
            buttons.addWidget(b, i // 2, i % 2)
            self.fonts.add(b, 1.0)
        self.vulnerable_button.setEnabled(False)
        self.gap_button.setEnabled(False)
        side.addLayout(buttons)
        self.train_label = QLabel("")
        self.train_label.setWordWrap(True)
        self.fonts.add(self.train_label, 1.0)
        side.addWidget(self.train_label)
        side.addStretch(0)

        self._retrain_timer = QTimer(self)  # a burst of edits retrains once
        self._retrain_timer.setSingleShot(True)
        self._retrain_timer.setInterval(150)
        self._retrain_timer.timeout.connect(self.retrain)
        self.form.params_changed.connect(lambda _p: self._retrain_timer.start())
        self.map.view.point_moved.connect(session.set_point)
        runner.frame_ready.connect(session.set_frame)
        runner.running_changed.connect(self._running_changed)
        session.frame_changed.connect(self._show_frame)
        session.point_changed.connect(self.map.show_point)
        session.analysis_changed.connect(self._show_analysis)

    # ------------------------------------------------------------------ running
    def params(self) -> manifold.ToyParams:
        return self.form.params()

    def retrain(self) -> None:
        """Train on the settings as shown; while the page is hidden, wait until it is shown."""
        self._retrain_timer.stop()
        if not self.isVisible():
            self._pending = True
            return
        self._pending = False
        try:
            params = self.form.params()
        except UserError as exc:
            self._report(str(exc), error=True)
            return
        self.runner.start(lambda cancel: manifold.train_job(params, cancel=cancel), kind="train")

    def retrain_soon(self) -> None:
        self._retrain_timer.start()

    def toggle(self) -> None:
        if self.runner.is_running:
            self.runner.stop()
        else:
            self.retrain()

    def showEvent(self, event):  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._pending or (self.session.frame is None and not self.runner.is_running):
            self._retrain_timer.start()

    def _running_changed(self, running: bool) -> None:
        self.retrain_button.setText("Stop  (Esc)" if running else "Retrain  (Space)")

    # ------------------------------------------------------------------ drawing
    def _show_frame(self, frame: manifold.ToyFrame) -> None:
        self.map.show_frame(frame)
        verb = "trained" if frame.done else "training:"
        self.train_label.setText(f"Network {verb} epoch {frame.epoch} of {frame.params.epochs}, "
                                 f"{frame.accuracy:.0%} of the points right, {frame.seconds:.1f} s.")
        self.vulnerable_button.setEnabled(frame.done and frame.most_vulnerable >= 0)
        self.gap_button.setEnabled(frame.done and frame.biggest_gap >= 0)
        if frame.done:
            self._report(frame.message)

    def _show_analysis(self, a: manifold.PointAnalysis) -> None:
        self.map.show_step(a)
        mine, other = CLASS_NAMES[a.predicted], CLASS_NAMES[1 - a.predicted]
        p_mine = a.prob_blue if a.predicted else 1 - a.prob_blue
        self.prob_label.setText(f"The network says <b>{mine}</b> ({p_mine:.0%} sure).")
        if not a.found:
            self.step_label.setText("No step found that changes the answer.")
            self.walk_label.setText("")
            self.share_label.setText("")
            return
        # two decimals, as the map's own labels: one number reads the same in both places
        self.step_label.setText(f"Step to {other}: {a.adv_distance:.2f}")
        if not math.isfinite(a.on_manifold_distance):
            self.walk_label.setText(f"No {other} point on the curve.")
        elif a.ratio >= 1:
            self.walk_label.setText(f"Walk along the curve: {a.on_manifold_distance:.2f}, "
                                    f"{times(a.ratio)} longer")
        else:
            self.walk_label.setText(f"Walk along the curve: {a.on_manifold_distance:.2f}, "
                                    f"shorter than the step")
        along = float(np.linalg.norm(a.tangent_part))
        off = float(np.linalg.norm(a.normal_part))
        self.share_label.setText(f"{a.normal_fraction:.0%} of the step leaves the curve<br>"
                                 f"<span style='font-weight:normal'>along it {along:.2f} (dashed green), "
                                 f"off it {off:.2f} (dashed black)</span>")

    def _show_settings(self, on: bool) -> None:
        """Show or hide the settings; with presentation fonts they take the read-out's place."""
        self.settings_area.setVisible(on)
        self.readout.setVisible(not (on and self._presentation))

    def set_presentation(self, on: bool) -> None:
        """Larger fonts; the settings step aside so the read-out keeps its room (Settings shows them)."""
        self._presentation = on
        self.fonts.apply(on)
        self.settings_button.setChecked(not on)
        self._show_settings(not on)

    def shutdown(self) -> None:
        self._retrain_timer.stop()
