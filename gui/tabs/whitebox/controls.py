"""The gradient-ascent tab's side panel: picture, classifier and target, attack settings, buttons."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from core import imaging, whitebox

from ...widgets import ClassTargetField, ModelChooser
from ...widgets.param_form import ParamForm
from .session import NOISE, SAMPLE_TITLES, WhiteboxSession

SIDE_WIDTH = 360


class WhiteboxControls(QScrollArea):
    """Editors only: every change goes to the session or out through a signal."""

    input_chosen = Signal(str)  # a key of the input combo
    open_requested = Signal()

    def __init__(self, session: WhiteboxSession, run_button: QPushButton, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("side_panel")  # the window folds it away where room is short (gui/drawer)
        self.session = session
        body = QWidget()
        controls = QVBoxLayout(body)
        controls.setSpacing(8)

        box = QGroupBox("Picture")
        form = QFormLayout(box)
        self.input_combo = QComboBox()
        self.input_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.input_combo.setMinimumContentsLength(12)
        self.input_combo.setProperty("elides", True)  # a picture's name (a long file name elides)
        self.refresh_inputs()
        self.input_combo.currentIndexChanged.connect(lambda _i: self.input_chosen.emit(self.input_combo.currentData()))
        open_btn = QPushButton("Open image…")
        open_btn.setToolTip("Or drag a photo onto the window")
        open_btn.clicked.connect(self.open_requested)
        self.fit_form = ParamForm(imaging.FitParams)
        form.addRow("Input", self.input_combo)
        form.addRow("", open_btn)
        form.addRow(self.fit_form)
        controls.addWidget(box)

        box = QGroupBox("Classifier and target")
        form = QFormLayout(box)
        self.model_chooser = ModelChooser(("imagenet",))
        self.target_field = ClassTargetField(session.labels, "tiger shark")
        form.addRow("Model", self.model_chooser)
        form.addRow("Target", self.target_field)
        controls.addWidget(box)

        box = QGroupBox("Attack")
        lay = QVBoxLayout(box)
        self.attack_form = ParamForm(whitebox.AttackParams)
        self._compact(self.attack_form)
        self._compact(self.fit_form)
        lay.addWidget(self.attack_form)
        controls.addWidget(box)

        self.run_button = run_button
        self.save_button = QPushButton("Save PNG…")
        self.save_button.setEnabled(False)
        self.send_button = QPushButton("Send to autoencoder")
        self.send_button.setEnabled(False)
        self.send_button.setToolTip("Ask the autoencoder whether this image lies off the data manifold")
        controls.addWidget(self.run_button)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.send_button)
        controls.addLayout(row)
        controls.addStretch(1)

        self.setWidget(body)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.set_width(SIDE_WIDTH)

    @staticmethod
    def _compact(form: ParamForm) -> None:
        """One row per setting: long choice titles elide in their combo instead of taking a row."""
        form.layout_.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        for name in form.names:
            w = form.editor(name)
            if isinstance(w, QComboBox):
                w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                w.setMinimumContentsLength(8)
                w.setProperty("elides", True)  # a method's or norm's name, never a number

    def set_width(self, width: int) -> None:
        self.setFixedWidth(width)

    def refresh_inputs(self, current: str | None = None) -> None:
        """Samples, noise, then the session's kept pictures; ``current`` (or the old choice) stays."""
        current = current or self.input_combo.currentData()
        with QSignalBlocker(self.input_combo):
            self.input_combo.clear()
            for name in self.session.sample_keys():
                self.input_combo.addItem(SAMPLE_TITLES.get(name, name.title()), name)
            self.input_combo.addItem("Random noise", NOISE)
            for key, title in self.session.kept():
                self.input_combo.addItem(title, key)
                self.input_combo.setItemData(self.input_combo.count() - 1, key, 3)  # tooltip: the path
            self.input_combo.setCurrentIndex(max(self.input_combo.findData(current), 0))

    def select_input(self, key: str) -> bool:
        i = self.input_combo.findData(key)
        if i < 0:
            return False
        with QSignalBlocker(self.input_combo):
            self.input_combo.setCurrentIndex(i)
        return True

    def set_result_available(self, on: bool) -> None:
        self.save_button.setEnabled(on)
        self.send_button.setEnabled(on)
