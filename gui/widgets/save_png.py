"""The "Save PNG…" flow: a save dialog with a suggested name, then an atomic PNG write."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
from PySide6.QtWidgets import QFileDialog, QWidget

from core import imaging


def save_as(parent: QWidget | None, write: Callable[[str], Path], suggested_name: str, *, title: str,
            file_filter: str, path: str | None = None) -> Path | None:
    """Ask where to save (or use ``path``), then ``write(path)``; the saved path, or None if the user
    cancelled. ``write`` raises a ``UserError`` sentence when the file cannot be written."""
    if path is None:
        path, _ = QFileDialog.getSaveFileName(parent, title, suggested_name, file_filter)
        if not path:
            return None
    return write(path)


def save_png_as(parent: QWidget | None, image: np.ndarray, suggested_name: str, *,
                title: str = "Save the image as PNG", path: str | None = None) -> Path | None:
    """Ask where to save ``image`` (or use ``path``), write it as PNG; the saved path or None.

    None means the user cancelled. A file that cannot be written raises ``ImageError`` (a
    ``UserError``) with one sentence for the status bar; the suffix ``.png`` is added if missing.
    """
    return save_as(parent, lambda p: imaging.save_png(p, image), suggested_name, title=title,
                   file_filter="PNG image (*.png)", path=path)
