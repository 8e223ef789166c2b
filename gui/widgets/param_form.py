"""A form built from a ``core.params.Params`` dataclass: one editor per field, nothing hand-written.

The dataclass's metadata decides everything: a field with choices gets a combo box, a number a
spin box with its unit as suffix, its range and step, a switch a check box, a list a line edit
("32,32"). A field whose ``none_text`` is set (e.g. "auto") shows that text as the spin box's
lowest value. Rows whose field does not apply to the current settings are hidden.

``params()`` returns the validated dataclass (or raises the ``UserError`` sentence the user should
read), ``set_params()`` shows one; ``params_changed`` fires on every edit with the new, valid
parameters (an invalid combination is reported through ``problem_changed`` and not emitted).
"""

from __future__ import annotations

from typing import Any, Generic, Sequence, TypeVar

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLineEdit, QSpinBox, QWidget,
)

from core.errors import UserError
from core.params import FieldInfo, Params, check_value, coerce

P = TypeVar("P", bound=Params)
_BIG = 2**31 - 1


def _decimals(info: FieldInfo) -> int:
    s = info.spec
    if s.decimals is not None:
        return s.decimals
    step = (s.step or 1) * s.scale
    text = f"{step:.10g}"
    return len(text.split(".")[1]) if "." in text else 0


class _Editor:
    """Reads and writes one field's value on its widget (stored units, ``None`` included)."""

    def __init__(self, info: FieldInfo) -> None:
        self.info = info
        s = info.spec
        self.widget: QWidget
        if s.choices:
            combo = QComboBox()
            for value, title in s.choices:
                combo.addItem(title, value)
            self.widget = combo
        elif info.kind is bool:
            self.widget = QCheckBox()
        elif info.kind in (int, float):
            self.widget = self._spin(info)
        else:
            edit = QLineEdit()
            if info.kind is tuple:
                edit.setPlaceholderText("e.g. " + ",".join(str(v) for v in (info.default or ())))
            self.widget = edit
        tip = s.help[:1].upper() + s.help[1:] if s.help else ""
        self.widget.setToolTip(tip)
        self.widget.setStatusTip(tip)
        self.widget.setObjectName(f"param_{info.name}")
        self.widget.setAccessibleName(s.label)

    @staticmethod
    def _spin(info: FieldInfo) -> QAbstractSpinBox:
        s = info.spec
        if info.kind is int and s.scale == 1:
            spin: QAbstractSpinBox = QSpinBox()
            lo = int(s.minimum) + (1 if s.exclusive_minimum else 0) if s.minimum is not None else -_BIG
            hi = int(s.maximum) if s.maximum is not None else _BIG
            step = int(s.step or 1)
        else:
            spin = QDoubleSpinBox()
            spin.setDecimals(_decimals(info))
            tick = 10 ** -_decimals(info)
            lo = s.minimum * s.scale + (tick if s.exclusive_minimum else 0) if s.minimum is not None else -1e12
            hi = s.maximum * s.scale if s.maximum is not None else 1e12
            step = (s.step or 1) * s.scale
        if s.optional:
            # The lowest value stands for None ("auto", "never"), one step below the real range.
            lo = lo - step
            spin.setSpecialValueText(s.none_text)
        spin.setRange(lo, hi)
        spin.setSingleStep(step)
        if s.unit:
            spin.setSuffix(f" {s.unit}")
        spin.setKeyboardTracking(False)
        spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        return spin

    def value(self) -> Any:
        w, s = self.widget, self.info.spec
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, (QSpinBox, QDoubleSpinBox)):
            if s.optional and w.value() == w.minimum():
                return None
            v = w.value() / s.scale
            return int(round(v)) if self.info.kind is int else v
        return coerce(self.info, w.text())

    def set_value(self, value: Any) -> None:
        w, s = self.widget, self.info.spec
        if isinstance(w, QComboBox):
            i = w.findData(value)
            w.setCurrentIndex(max(i, 0))
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
            w.setValue(w.minimum() if value is None else value * s.scale)
        else:
            w.setText(",".join(str(v) for v in value) if isinstance(value, tuple) else str(value or ""))

    def connect(self, slot) -> None:
        w = self.widget
        if isinstance(w, QComboBox):
            w.currentIndexChanged.connect(slot)
        elif isinstance(w, QCheckBox):
            w.toggled.connect(slot)
        elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
            w.valueChanged.connect(slot)
        else:
            w.editingFinished.connect(slot)


class ParamForm(QWidget, Generic[P]):
    """Editors for the fields of ``cls`` (all, or ``names`` in that order)."""

    params_changed = Signal(object)
    #: One sentence when the settings as edited are not valid, "" when they are again.
    problem_changed = Signal(str)

    def __init__(self, cls: type[P], names: Sequence[str] | None = None, parent: QWidget | None = None,
                 *, labels: dict[str, str] | None = None) -> None:
        super().__init__(parent)
        self.cls = cls
        infos = {i.name: i for i in cls.fields_info()}
        chosen = list(names) if names is not None else [i.name for i in infos.values() if i.spec.gui]
        unknown = [n for n in chosen if n not in infos]
        if unknown:
            raise KeyError(f"{cls.__name__} has no fields {unknown}")
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._editors: dict[str, _Editor] = {}
        self._base: P = cls()
        self._problem = ""
        for name in chosen:
            editor = _Editor(infos[name])
            editor.set_value(getattr(self._base, name))
            editor.connect(self._edited)
            text = (labels or {}).get(name, infos[name].spec.label)
            self.layout_.addRow(text, editor.widget)
            self._editors[name] = editor
        self._update_rows(self._base)

    # ------------------------------------------------------------------ public
    @property
    def names(self) -> list[str]:
        return list(self._editors)

    def editor(self, name: str) -> QWidget:
        return self._editors[name].widget

    def params(self) -> P:
        """The parameters as edited, validated (raises ``UserError`` with one sentence)."""
        values = {}
        for name, editor in self._editors.items():
            values[name] = check_value(editor.info, editor.value())
        return self._base.replace(**values) if values else self._base.validated()

    def set_params(self, params: P) -> None:
        """Show ``params``; fields without an editor keep their value for :meth:`params`."""
        self._base = params
        for name, editor in self._editors.items():
            with QSignalBlocker(editor.widget):
                editor.set_value(getattr(params, name))
        self._update_rows(params)
        self._set_problem("")

    def set_value(self, name: str, value: Any) -> None:
        """Change one field as if the user had edited it (signals fire)."""
        self._editors[name].set_value(value)
        self._edited()

    @property
    def problem(self) -> str:
        return self._problem

    # ------------------------------------------------------------------ internals
    def _edited(self, *_args) -> None:
        try:
            params = self.params()
        except UserError as exc:
            self._set_problem(str(exc))
            return
        self._set_problem("")
        self._update_rows(params)
        self.params_changed.emit(params)

    def _set_problem(self, text: str) -> None:
        if text != self._problem:
            self._problem = text
            self.problem_changed.emit(text)

    def _update_rows(self, params: P) -> None:
        for name, editor in self._editors.items():
            self.layout_.setRowVisible(editor.widget, params.applies(name))
