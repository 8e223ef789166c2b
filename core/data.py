"""MNIST: the bundled 10,000-digit sample (always there), more sources added by the data tabs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .resources import resource_path


@dataclass(frozen=True)
class DigitSet:
    """28×28 uint8 digits (white on black) with their labels, split into train and validation."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    source: str


@lru_cache(maxsize=1)
def mnist_sample() -> DigitSet:
    """The bundled sample of real MNIST digits (8,000 train / 2,000 validation, fixed split)."""
    path = resource_path("data", "mnist_sample.npz")
    with np.load(path) as z:
        arrays = {k: z[k] for k in ("x_train", "y_train", "x_val", "y_val")}
    for a in arrays.values():
        a.setflags(write=False)
    return DigitSet(**arrays, source="bundled MNIST sample (10,000 digits)")
