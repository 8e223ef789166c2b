"""The left panel: which autoencoder, which digits, how long to train, and the model in use."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout,
    QWidget,
)

from core import autoencoders as ae

from ...widgets import style
from ...widgets.param_form import ParamForm

DATA_CHOICES = (("sample", "MNIST sample"), ("full", "Full MNIST"), ("idx", "IDX folder…"))


class ControlPanel(QWidget):
    """The settings column: the run button always on top, the settings below it scroll rather than
    overlap when the window is short (a projector at 1280×720 in presentation mode)."""

    def __init__(self, run_button: QPushButton, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("side_panel")  # folds into a drawer where room is short (gui/drawer.py)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(run_button)
        row = QHBoxLayout()
        row.addWidget(QLabel("Weights:"))
        self.load_button = QPushButton("Load…")
        self.load_button.setToolTip("Load autoencoder weights (.pt or .safetensors)")
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Save the autoencoder in use (.pt or .safetensors)")
        row.addWidget(self.load_button)
        row.addWidget(self.save_button)
        outer.addLayout(row)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer.addWidget(self.scroll, 1)
        panel = QWidget()
        # the settings take the viewport's width (names may elide) rather than slide under the scroll bar
        panel.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        col = QVBoxLayout(panel)
        col.setContentsMargins(0, 0, 6, 0)

        box = QGroupBox("Autoencoder")
        lay = QVBoxLayout(box)
        self.model_form = ParamForm(ae.AEConfig, labels={"noise": "Denoising", "noise_kind": "Noise"})
        lay.addWidget(self.model_form)
        col.addWidget(box)

        box = QGroupBox("Training")
        lay = QVBoxLayout(box)
        data_row = QFormLayout()
        self.data_combo = QComboBox()
        for value, title in DATA_CHOICES:
            self.data_combo.addItem(title, value)
        data_row.addRow("Digits", self.data_combo)
        lay.addLayout(data_row)
        self.download_button = QPushButton("Download full MNIST (11 MB)")
        lay.addWidget(self.download_button)
        self.train_form = ParamForm(ae.TrainParams, names=("epochs", "batch_size", "lr"))
        lay.addWidget(self.train_form)
        col.addWidget(box)

        self.model_info = QLabel()
        self.model_info.setWordWrap(True)
        self.model_info.setTextFormat(Qt.TextFormat.RichText)
        col.addWidget(self.model_info)
        col.addStretch(1)
        self.data_info = QLabel()
        self.data_info.setWordWrap(True)
        col.addWidget(self.data_info)
        self.scroll.setWidget(panel)
        self.set_presentation(False)

    def set_presentation(self, on: bool) -> None:
        """Sized for screens up to full HD; wider for 4K presentation text (the tab calls this)."""
        scale = style.screen_scale(on)
        if scale > 1:  # 4K text: the form's labels grow faster than the column would
            scale *= 1.2
        self.setMinimumWidth(round(290 * scale))
        self.setMaximumWidth(round(340 * scale))

    def editors(self) -> list[QWidget]:
        """What is locked while training runs."""
        return [self.model_form, self.train_form, self.data_combo, self.load_button, self.download_button]
