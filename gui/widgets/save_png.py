"""The "Save PNG…" flow: a save dialog with a suggested name, then an atomic PNG write."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QFileDialog, QWidget

from core import imaging


def save_png_as(parent: QWidget | None, image: np.ndarray, suggested_name: str, *,
                title: str = "Save the image as PNG", path: str | None = None) -> Path | None:
    """Ask where to save ``image`` (or use ``path``), write it as PNG; the saved path or None.

    None means the user cancelled. A file that cannot be written raises ``ImageError`` (a
    ``UserError``) with one sentence for the status bar; the suffix ``.png`` is added if missing.
    """
    if path is None:
        path, _ = QFileDialog.getSaveFileName(parent, title, suggested_name, "PNG image (*.png)")
        if not path:
            return None
    return imaging.save_png(path, image)
