"""The model combo box every tab shows: the registry's classifiers, unavailable ones greyed out."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QWidget

from core import models


class ModelChooser(QComboBox):
    """Classifiers of the given data sets (None: all), by title; ``model_changed(name)`` on a pick.

    A model whose weights are missing stays in the list, disabled, with the reason as its tooltip,
    so the lecturer sees what could be there. :meth:`refresh` re-reads the registry (after a
    download or File ▸ Open model) and keeps the current choice when it is still there.
    """

    model_changed = Signal(str)

    def __init__(self, datasets: tuple[str, ...] | None = ("imagenet",), parent: QWidget | None = None,
                 *, default: str = models.DEFAULT_MODEL) -> None:
        super().__init__(parent)
        self._datasets = datasets
        self._default = default
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)  # a long title elides here rather than widening the panel
        self.setProperty("elides", True)
        self.refresh()
        self.currentIndexChanged.connect(lambda _i: self.model_changed.emit(self.model_name))

    @property
    def model_name(self) -> str:
        return self.currentData() or self._default

    def refresh(self) -> None:
        current = self.currentData()
        with QSignalBlocker(self):
            self.clear()
            for row in models.describe_models():
                if self._datasets is not None and row["dataset"] not in self._datasets:
                    continue
                title = row["title"] if row["available"] else f"{row['title']} — not downloaded"
                self.addItem(title, row["name"])
                idx = self.count() - 1
                self.setItemData(idx, row["reason"], Qt.ItemDataRole.ToolTipRole)
                if not row["available"]:
                    self.model().item(idx).setEnabled(False)
            pos = self.findData(current or self._default)
            self.setCurrentIndex(max(pos, 0))
        if self.currentData() != current and current is not None:
            self.model_changed.emit(self.model_name)

    def set_model(self, name: str) -> bool:
        """Choose ``name`` if it is listed and available; False (choice unchanged) otherwise."""
        i = self.findData(name)
        if i < 0 or not self.model().item(i).isEnabled():
            return False
        self.setCurrentIndex(i)
        return True
