"""Parameters declared once: a frozen dataclass whose fields carry their own metadata.

Every job's settings are one frozen dataclass deriving from :class:`Params`; each field is made by
:func:`param`, which records the label, unit, range, step, choices, help text and when the field
applies. Everything else is derived from that one declaration:

- :meth:`Params.validated` checks every field against its metadata, then the class's cross-field
  rules (:meth:`Params.check`), and raises one :class:`~core.errors.UserError` sentence;
- :meth:`Params.to_dict` / :meth:`Params.from_dict` give a plain, versioned JSON form (unknown keys
  and bad values are reported, a bad value either fails or falls back alone);
- the CLI's options (``cli/common.add_params``), the tab's form (``gui/widgets/param_form``) and the
  window's persistence (``gui/settings``) read the same metadata, so a default or a limit is
  written once.

``core`` stays free of Qt: this module only describes; the GUI and the CLI build from it.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterator, Mapping, TypeVar

from .errors import UserError

P = TypeVar("P", bound="Params")
SPEC_KEY = "fooling_lab.param"


@dataclass(frozen=True)
class Spec:
    """What a field means to a person: label, unit, limits, choices, help, when it applies.

    ``scale`` converts the stored value to the displayed one (a probability of 0.99 stored, 99 %
    displayed: ``scale=100, unit="%"``); limits are in stored units. ``none_text`` (e.g. "auto")
    means the field may be ``None`` and names what ``None`` does. ``choices`` are ``(value, title)``
    pairs; ``applies(params)`` tells whether the field matters for the other settings (a form greys
    it out or hides it, validation still checks it).
    """

    label: str
    help: str = ""
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    step: float | None = None
    decimals: int | None = None
    scale: float = 1.0
    choices: tuple[tuple[Any, str], ...] = ()
    none_text: str = ""
    applies: Callable[[Any], bool] | None = None
    min_items: int = 1
    max_items: int = 8
    cli: str = ""
    gui: bool = True
    persist: bool = True

    @property
    def optional(self) -> bool:
        return bool(self.none_text)

    def title_of(self, value: Any) -> str:
        for v, title in self.choices:
            if v == value:
                return title
        return str(value)


def param(default: Any, label: str, **spec: Any) -> Any:
    """A dataclass field with its metadata: ``eps: float = param(2.0, "ε", unit="/ 255", ...)``.

    ``choices`` may be given as a plain sequence of values (titles are then the values) or as
    ``(value, title)`` pairs.
    """
    choices = spec.pop("choices", ())
    pairs = tuple(c if isinstance(c, tuple) and len(c) == 2 else (c, str(c)) for c in choices)
    meta = {SPEC_KEY: Spec(label=label, choices=pairs, **spec)}
    if isinstance(default, (list, dict, set)):
        raise TypeError("parameter defaults must be immutable; use a tuple")
    return dataclasses.field(default=default, metadata=meta)


@dataclass(frozen=True)
class FieldInfo:
    """One parameter as the generic code sees it."""

    name: str
    spec: Spec
    kind: type  # bool, int, float, str or tuple (of ``item``)
    item: type | None
    default: Any

    @property
    def option(self) -> str:
        return self.spec.cli or "--" + self.name.replace("_", "-")


def _base_type(annotation: Any) -> tuple[type, type | None, bool]:
    """(kind, tuple item type, may be None) from a field annotation."""
    optional = False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        annotation = args[0]
        origin = typing.get_origin(annotation)
    if origin is tuple:
        args = typing.get_args(annotation)
        return tuple, (args[0] if args else str), optional
    if annotation in (bool, int, float, str):
        return annotation, None, optional
    raise TypeError(f"unsupported parameter type {annotation!r}")


class Params:
    """Base of every job's parameter dataclass (subclasses are ``@dataclass(frozen=True)``).

    ``SCHEMA`` names the form in JSON files and ``VERSION`` is raised when a field changes meaning;
    :meth:`check` holds the cross-field rules.
    """

    SCHEMA = ""
    VERSION = 1

    # ------------------------------------------------------------------ description
    @classmethod
    def fields_info(cls) -> tuple[FieldInfo, ...]:
        return _fields_info(cls)

    @classmethod
    def field_info(cls, name: str) -> FieldInfo:
        for info in cls.fields_info():
            if info.name == name:
                return info
        raise KeyError(name)

    @classmethod
    def defaults(cls: type[P]) -> P:
        return cls()

    def applies(self, name: str) -> bool:
        """Whether field ``name`` matters with the other settings as they are."""
        rule = self.field_info(name).spec.applies
        return True if rule is None else bool(rule(self))

    # ------------------------------------------------------------------ validation
    def validated(self: P) -> P:
        """Every field against its metadata, then :meth:`check`; returns self or raises."""
        for info in self.fields_info():
            check_value(info, getattr(self, info.name))
        self.check()
        return self

    def check(self) -> None:
        """Cross-field rules of a subclass: raise :class:`UserError` with one sentence."""

    def replace(self: P, **changes: Any) -> P:
        """A validated copy with some fields changed (values coerced as from JSON)."""
        coerced = {k: coerce(self.field_info(k), v) for k, v in changes.items()}
        return dataclasses.replace(self, **coerced).validated()

    # ------------------------------------------------------------------ JSON form
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values, with the schema's version under ``"version"``."""
        out: dict[str, Any] = {"version": self.VERSION}
        for info in self.fields_info():
            value = getattr(self, info.name)
            out[info.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls: type[P], data: Mapping[str, Any], *, strict: bool = True,
                  base: P | None = None) -> tuple[P, list[str]]:
        """Parameters from :meth:`to_dict`'s form, and the problems met on the way.

        Missing keys keep the default (or ``base``'s value). Unknown keys are reported. A bad value
        raises :class:`UserError` when ``strict``; otherwise it falls back alone and is reported,
        and a combination that breaks a cross-field rule falls back to ``base`` (or the defaults).
        """
        if not isinstance(data, Mapping):
            raise UserError(f"the {cls._what()} must be a JSON object.")
        problems: list[str] = []
        version = data.get("version", cls.VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version > cls.VERSION:
            msg = f"the {cls._what()} are version {version!r}; this Fooling Lab reads up to {cls.VERSION}."
            if strict:
                raise UserError(msg)
            problems.append(msg)
        start = base if base is not None else cls()
        values = {info.name: getattr(start, info.name) for info in cls.fields_info()}
        known = set(values)
        for key in data:
            if key != "version" and key not in known:
                problems.append(f"unknown setting “{key}” ignored")
        for info in cls.fields_info():
            if info.name not in data:
                continue
            try:
                values[info.name] = check_value(info, coerce(info, data[info.name]))
            except UserError as exc:
                if strict:
                    raise
                problems.append(f"{exc} (kept {_show(info, values[info.name])})")
        try:
            result = cls(**values).validated()
        except UserError as exc:
            if strict:
                raise
            problems.append(f"{exc} (kept the previous settings)")
            result = start.validated()
        return result, problems

    @classmethod
    def _what(cls) -> str:
        return f"{cls.SCHEMA or cls.__name__} settings"


@lru_cache(maxsize=None)
def _fields_info(cls: type) -> tuple[FieldInfo, ...]:
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        spec = f.metadata.get(SPEC_KEY)
        if spec is None:
            raise TypeError(f"{cls.__name__}.{f.name} is not declared with param()")
        kind, item, optional = _base_type(hints[f.name])
        if optional and not spec.optional:
            raise TypeError(f"{cls.__name__}.{f.name} may be None but has no none_text")
        out.append(FieldInfo(f.name, spec, kind, item, f.default))
    return tuple(out)


def iter_params_classes(root: type = Params) -> Iterator[type[Params]]:
    """Every concrete parameter class defined so far (for tests that check GUI/CLI agreement)."""
    for sub in root.__subclasses__():
        if dataclasses.is_dataclass(sub):
            yield sub
        yield from iter_params_classes(sub)


# --------------------------------------------------------------------------- values
def _fmt(x: float) -> str:
    return f"{x:,.10g}".replace(",", " ") if abs(x) >= 10_000 else f"{x:.10g}"


def _show(info: FieldInfo, value: Any) -> str:
    s = info.spec
    if value is None:
        return s.none_text
    if s.choices:
        return s.title_of(value)
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{_fmt(value * s.scale)}{' ' + s.unit if s.unit else ''}"
    return str(value)


def limits_text(info: FieldInfo) -> str:
    """"between 1 and 5000", "at least 1", … in displayed units."""
    s = info.spec
    lo = None if s.minimum is None else _fmt(s.minimum * s.scale)
    hi = None if s.maximum is None else _fmt(s.maximum * s.scale)
    unit = f" {s.unit}" if s.unit and not s.unit.startswith("/") else ""
    if lo is not None and hi is not None:
        return (f"more than {lo} and at most {hi}{unit}" if s.exclusive_minimum
                else f"between {lo} and {hi}{unit}")
    if lo is not None:
        return f"more than {lo}{unit}" if s.exclusive_minimum else f"at least {lo}{unit}"
    if hi is not None:
        return f"at most {hi}{unit}"
    return "a number"


def _number(info: FieldInfo, value: Any, kind: type) -> int | float:
    label = info.spec.label
    if isinstance(value, bool):
        raise UserError(f"{label} must be a number, not {value}.")
    if isinstance(value, str):
        text = value.strip().replace(" ", "").replace("_", "")
        try:
            value = int(text) if kind is int else float(text)
        except ValueError:
            raise UserError(f"{label}: “{value}” is not {'a whole number' if kind is int else 'a number'}.") from None
    if kind is int:
        if isinstance(value, float):
            if not (math.isfinite(value) and value == int(value)):
                raise UserError(f"{label} must be a whole number.")
            value = int(value)
        if not isinstance(value, int):
            raise UserError(f"{label} must be a whole number.")
        return value
    if not isinstance(value, (int, float)):
        raise UserError(f"{label} must be a number.")
    return float(value)


def coerce(info: FieldInfo, value: Any) -> Any:
    """A raw value (JSON, text from a CLI or settings file) → the field's type; raises UserError."""
    s = info.spec
    if value is None or (isinstance(value, str) and s.optional and value.strip().lower() in
                         ("", "none", "null", s.none_text.lower())):
        if s.optional:
            return None
        raise UserError(f"{s.label} needs a value.")
    if s.choices:
        for v, title in s.choices:
            if value == v or (isinstance(value, str) and value.strip().lower() in (str(v).lower(), title.lower())):
                return v
        names = ", ".join(str(v) for v, _ in s.choices)
        raise UserError(f"{s.label}: “{value}” is not one of {names}.")
    if info.kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1", "false", "no", "off", "0"):
            return value.strip().lower() in ("true", "yes", "on", "1")
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise UserError(f"{s.label} must be on or off.")
    if info.kind in (int, float):
        return _number(info, value, info.kind)
    if info.kind is tuple:
        items = value.replace(";", ",").split(",") if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)):
            raise UserError(f"{s.label} must be a list, e.g. 32,32.")
        item_info = dataclasses.replace(info, kind=info.item or str, item=None)
        if item_info.kind in (int, float):
            return tuple(_number(item_info, v, item_info.kind) for v in items if str(v).strip() != "")
        return tuple(str(v).strip() for v in items if str(v).strip())
    if not isinstance(value, str):
        raise UserError(f"{s.label} must be text.")
    return value


def check_value(info: FieldInfo, value: Any) -> Any:
    """One field's own rules (type, finite, range, choices, list length); returns the value."""
    s = info.spec
    if value is None:
        if s.optional:
            return value
        raise UserError(f"{s.label} needs a value.")
    if s.choices:
        if value not in [v for v, _ in s.choices]:
            raise UserError(f"{s.label}: “{value}” is not one of {', '.join(str(v) for v, _ in s.choices)}.")
        return value
    if info.kind is bool:
        if not isinstance(value, bool):
            raise UserError(f"{s.label} must be on or off.")
        return value
    if info.kind is tuple:
        if not isinstance(value, tuple) or not s.min_items <= len(value) <= s.max_items:
            raise UserError(f"{s.label} must list {s.min_items} to {s.max_items} values.")
        for v in value:
            _check_number(info, v)
        return value
    if info.kind is str:
        if not isinstance(value, str):
            raise UserError(f"{s.label} must be text.")
        return value
    _check_number(info, value)
    return value


def _check_number(info: FieldInfo, value: Any) -> None:
    s = info.spec
    if isinstance(value, str):
        return
    kind = info.item if info.kind is tuple else info.kind
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UserError(f"{s.label} must be a number.")
    if kind is int and not isinstance(value, int):
        raise UserError(f"{s.label} must be a whole number.")
    if not math.isfinite(value):
        raise UserError(f"{s.label} must be a finite number.")
    too_low = s.minimum is not None and (value <= s.minimum if s.exclusive_minimum else value < s.minimum)
    too_high = s.maximum is not None and value > s.maximum
    if too_low or too_high:
        raise UserError(f"{s.label} must be {limits_text(info)}.")
