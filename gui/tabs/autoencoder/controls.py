"""The left panel: which autoencoder, which digits, how long to train, and the model in use."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from core import autoencoders as ae

from ...widgets.param_form import ParamForm

DATA_CHOICES = (("sample", "Bundled MNIST sample (10,000)"), ("full", "Full MNIST (70,000)"),
                ("idx", "IDX folder…"))


class ControlPanel(QScrollArea):
    """The settings column; scrolls rather than overlapping when the window is short."""

    def __init__(self, run_button: QPushButton, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        panel = QWidget()
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

        col.addWidget(run_button)
        row = QHBoxLayout()
        self.load_button = QPushButton("Load weights…")
        self.save_button = QPushButton("Save weights…")
        row.addWidget(self.load_button)
        row.addWidget(self.save_button)
        col.addLayout(row)
        self.model_info = QLabel()
        self.model_info.setWordWrap(True)
        self.model_info.setTextFormat(Qt.TextFormat.RichText)
        col.addWidget(self.model_info)
        col.addStretch(1)
        self.data_info = QLabel()
        self.data_info.setWordWrap(True)
        col.addWidget(self.data_info)
        self.setWidget(panel)
        self.setMinimumWidth(300)
        self.setMaximumWidth(360)

    def editors(self) -> list[QWidget]:
        """What is locked while training runs."""
        return [self.model_form, self.train_form, self.data_combo, self.load_button, self.download_button]
