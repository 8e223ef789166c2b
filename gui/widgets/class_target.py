"""A class-name field: completion over the model's labels, and "did you mean" below it."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QLabel, QLineEdit, QVBoxLayout, QWidget

from core import models
from core.errors import UserError

from . import style


class ClassTargetField(QWidget):
    """A line edit for a class name or index with its verdict underneath.

    ``target_changed(index or None)`` fires on every edit; :meth:`target_index` resolves the text;
    :meth:`info_text` is what the line below says ("→ class 3: tiger shark", "did you mean: …",
    "no such class").
    """

    target_changed = Signal(object)

    def __init__(self, labels: Sequence[str], text: str = "", parent: QWidget | None = None,
                 *, placeholder: str = "type a class name, e.g. tiger") -> None:
        super().__init__(parent)
        self._labels: tuple[str, ...] = tuple(labels)
        self.edit = QLineEdit(text)
        self.edit.setPlaceholderText(placeholder)
        self._model = QStringListModel(list(self._labels))
        completer = QCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        self.edit.setCompleter(completer)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.info)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._changed)
        self._changed()

    # -- public
    @property
    def labels(self) -> tuple[str, ...]:
        return self._labels

    def set_labels(self, labels: Sequence[str]) -> None:
        self._labels = tuple(labels)
        self._model.setStringList(list(self._labels))
        self._changed()

    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming, like QLineEdit
        self.edit.setText(text)

    def target_index(self) -> int | None:
        try:
            return models.resolve_class(self._labels, self.edit.text())
        except UserError:
            return None

    def target_name(self) -> str | None:
        idx = self.target_index()
        return None if idx is None else self._labels[idx]

    def info_text(self) -> str:
        return self.info.text()

    # -- internals
    def _changed(self, *_args) -> None:
        text = self.edit.text().strip()
        idx = self.target_index()
        if idx is not None:
            self.info.setText(f"→ class {idx}: <b>{self._labels[idx]}</b>")
        elif text:
            hits = models.find_classes(self._labels, text, limit=4)
            self.info.setText("did you mean: " + ", ".join(self._labels[i] for i in hits) if hits
                              else f"<span style='color:{style.ALARM_COLOR}'>no such class</span>")
        else:
            self.info.setText("")
        self.target_changed.emit(idx)
