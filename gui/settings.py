"""Parameters in QSettings, field by field: one bad stored value falls back alone.

Each field is stored as JSON text under ``<key>/<field>``, so types survive every QSettings
backend (INI files return everything as strings). Reading goes through
``Params.from_dict(strict=False)``: a value that is unreadable, out of range or of another type
keeps its default and is reported, and the other fields are kept.
"""

from __future__ import annotations

import json
import logging
from typing import TypeVar

from PySide6.QtCore import QSettings

from core.params import Params

P = TypeVar("P", bound=Params)
log = logging.getLogger("fooling_lab.settings")


def save_params(settings: QSettings, key: str, params: Params) -> None:
    """Store every persistent field of ``params`` under group ``key``."""
    settings.beginGroup(key)
    try:
        settings.setValue("version", params.VERSION)
        for info in params.fields_info():
            if info.spec.persist:
                value = getattr(params, info.name)
                settings.setValue(info.name, json.dumps(list(value) if isinstance(value, tuple) else value))
    finally:
        settings.endGroup()


def load_params(settings: QSettings, key: str, cls: type[P], base: P | None = None) -> tuple[P, list[str]]:
    """The parameters stored under ``key`` (defaults, or ``base``, where nothing usable is stored)."""
    data: dict = {}
    problems: list[str] = []
    settings.beginGroup(key)
    try:
        for name in settings.childKeys():
            raw = settings.value(name)
            try:
                data[name] = json.loads(raw) if isinstance(raw, str) else raw
            except ValueError:
                problems.append(f"stored value of “{name}” is unreadable (kept the default)")
    finally:
        settings.endGroup()
    persistent = {i.name for i in cls.fields_info() if i.spec.persist}
    data = {k: v for k, v in data.items() if k in persistent or k == "version"}
    params, more = cls.from_dict(data, strict=False, base=base)
    problems += more
    for p in problems:
        log.info("settings %s: %s", key, p)
    return params, problems
