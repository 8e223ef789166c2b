"""Helpers shared by the CLI commands."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

from core.errors import UserError
from core.params import FieldInfo, Params, check_value, coerce


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports bad arguments as one ``error:`` line and exit status 2."""

    def error(self, message: str) -> None:  # noqa: D102 - argparse API
        raise UserError(message)


def progress(text: str, *, end: str = "\n") -> None:
    """A progress line on stderr (silently skipped when there is no console)."""
    if sys.stderr is not None:
        print(text, file=sys.stderr, end=end, flush=True)


def emit_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def add_model_options(p: argparse.ArgumentParser, default: str, what: str = "classifier") -> None:
    """``--model`` (a registered name or a model file) and ``--trust-model-code``."""
    p.add_argument("--model", default=default,
                   help=f"{what}: a name (see “models”) or your own .safetensors / state dict file")
    p.add_argument("--trust-model-code", action="store_true",
                   help="allow a TorchScript model file: it is a program, run in a separate process "
                        "with time and memory limits; use only for files you trust")


def resolve_model(args) -> str:
    """The registry name for ``args.model``, registering a model file first when it names one."""
    from pathlib import Path

    from core import model_files, models

    name = args.model
    if name in models.model_names():
        return name
    if model_files.looks_like_model_file(name) or Path(name).exists() or "/" in name or "\\" in name:
        from core.paths import check_input_file

        check_input_file(name, "model file")
        return model_files.register_model_file(name, trust_code=getattr(args, "trust_model_code", False))
    return models.get_spec(name).name  # an unknown name: one sentence listing the known ones


def add_device_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", default=None, choices=["auto", "cuda", "mps", "cpu"],
                   help="where to compute (default: CUDA, then Apple MPS, then CPU)")


def finite(text: str) -> float:
    """A finite number (argparse's ``float`` takes "nan" and "inf")."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError("must be a finite number")
    return value


def fraction(text: str) -> float:
    """A number from 0 to 1."""
    value = finite(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def probability(text: str) -> float:
    value = finite(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError("must be a probability in (0, 1]")
    return value


def seed(text: str) -> int:
    """A random seed: a whole number from 0 to 2**32 - 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a whole number") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError("must be a whole number from 0 to 4294967295")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


# --------------------------------------------------------------------- options from Params
def _option_type(info: FieldInfo):
    """argparse ``type=``: text → the field's value, checked against the field's own rules."""
    def parse(text: str) -> Any:
        try:
            return check_value(info, coerce(info, text))
        except UserError as exc:
            raise argparse.ArgumentTypeError(str(exc).rstrip(".")) from None
    parse.__name__ = info.spec.label  # argparse names the type in "invalid … value" messages
    return parse


def option_help(info: FieldInfo, default: Any) -> str:
    """The help line: the field's help text, its limits or choices, and the default."""
    s = info.spec
    parts = [s.help or s.label]
    if s.choices:
        parts.append("one of " + ", ".join(str(v) for v, _ in s.choices))
    elif info.kind in (int, float) and (s.minimum is not None or s.maximum is not None):
        lo = "" if s.minimum is None else s.minimum
        hi = "" if s.maximum is None else s.maximum
        parts.append(f"{'(' if s.exclusive_minimum else '['}{lo}, {hi}]")
    if s.optional:
        parts.append(f"“{s.none_text}” for none")
    shown = s.none_text if default is None else (",".join(map(str, default)) if isinstance(default, tuple) else default)
    parts.append(f"default {shown}")
    return "; ".join(str(p) for p in parts).replace("%", "%%")


def add_params(parser: argparse.ArgumentParser, cls: type[Params], *, skip: tuple[str, ...] = (),
               **default_overrides: Any) -> None:
    """One ``--field-name`` option per field of ``cls``: type, limits, choices, default and help."""
    base = cls()
    for info in cls.fields_info():
        if info.name in skip:
            continue
        default = default_overrides.get(info.name, getattr(base, info.name))
        kwargs: dict[str, Any] = {"dest": info.name, "default": default, "help": option_help(info, default)}
        if info.kind is bool and not info.spec.choices:
            kwargs["action"] = argparse.BooleanOptionalAction
        else:
            kwargs["type"] = _option_type(info)
            kwargs["metavar"] = ("{" + ",".join(str(v) for v, _ in info.spec.choices) + "}"
                                 if info.spec.choices else info.name.upper())
        parser.add_argument(info.option, **kwargs)


def params_from_args(cls: type[Params], args: argparse.Namespace, **extra: Any) -> Params:
    """The validated parameters from parsed options (``extra`` overrides or adds fields)."""
    values = {i.name: getattr(args, i.name) for i in cls.fields_info() if hasattr(args, i.name)}
    values.update(extra)
    return cls(**values).validated()


