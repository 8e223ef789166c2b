"""The target field: class names with completion, "all", or several separated by commas."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QLabel, QLineEdit, QVBoxLayout, QWidget

from core import evolution, models
from core.errors import UserError


class TargetField(QWidget):
    """A line edit with completion and a line under it that says what it resolves to."""

    text_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: tuple[str, ...] = models.MNIST_LABELS
        self.single_only = False
        self.edit = QLineEdit("all")
        self._completions = QStringListModel([])
        completer = QCompleter(self._completions, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.edit.setCompleter(completer)
        self.info = QLabel()
        self.info.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.info)
        self.edit.textChanged.connect(self._changed)

    def set_labels(self, labels: tuple[str, ...]) -> None:
        self.labels = labels
        self._completions.setStringList(list(labels))
        self._changed()

    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def targets(self) -> list[int] | None:
        try:
            return evolution.parse_targets(self.labels, self.edit.text())
        except UserError:
            return None

    def set_single_only(self, on: bool) -> None:
        self.single_only = on
        self._changed()

    def _changed(self, *_args) -> None:
        targets = self.targets()
        text = self.edit.text().strip()
        labels = self.labels
        if targets is None:
            last = text.split(",")[-1].strip()
            hits = models.find_classes(labels, last, limit=4) if last else []
            self.info.setText("did you mean: " + ", ".join(labels[i] for i in hits) if hits else
                              "<span style='color:#D55E00'>no such class</span>")
        elif self.single_only and len(targets) != 1:
            self.info.setText("<span style='color:#D55E00'>the genetic algorithm takes one class; "
                              "choose MAP-Elites for several</span>")
        elif len(targets) == len(labels):
            self.info.setText(f"all {len(targets)} classes")
        elif len(targets) == 1:
            # Measured on ImageNet (docs/benchmarks.md): alone, four classes over four seeds reached
            # 99 % within 2,000 images in 13 of 16 GA runs and in 10 of 16 MAP-Elites runs.
            hint = "" if self.single_only else "<br>one class: the genetic algorithm climbs it faster"
            self.info.setText(f"→ class {targets[0]}: <b>{labels[targets[0]]}</b>{hint}")
        else:
            self.info.setText(f"{len(targets)} classes (names separated by commas, or “all”)")
        self.text_changed.emit(self.edit.text())
