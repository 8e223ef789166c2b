"""Any picture → an MNIST-style 28×28 digit, the way MNIST's own digits were made."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..errors import UserError


def _grey01(image: np.ndarray) -> np.ndarray:
    arr = np.asarray(image)
    if arr.ndim == 3:
        if arr.shape[2] == 4:
            arr = arr[:, :, :3]
        rgb = arr.astype(np.float64)
        arr = rgb[:, :, 0] * 0.299 + rgb[:, :, 1] * 0.587 + rgb[:, :, 2] * 0.114
    elif arr.ndim != 2:
        raise UserError("an image must be a grey or colour picture.")
    arr = np.nan_to_num(arr.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    scale = 255.0 if np.asarray(image).dtype == np.uint8 or arr.max() > 1 else 1.0
    return np.clip(arr / scale, 0, 1)


@dataclass(frozen=True)
class Prepared:
    """A picture turned into an MNIST-style digit, and what was done to it."""

    image: np.ndarray  # (28, 28) uint8, white on black
    inverted: bool
    reshaped: bool  # False when the picture was already a 28×28 digit and kept pixel for pixel


def mnist_style(image: np.ndarray) -> Prepared:
    """Turn any picture into a 28×28 grey digit the way MNIST's digits were made.

    Grey; inverted if it is dark on light (its border evenly light); the background level removed; the
    ink's bounding box scaled so its longer side is 20 pixels (aspect kept, anti-aliased); placed in
    a 28×28 frame with its centre of mass in the middle; contrast stretched to full white.
    A picture that is already 28×28 is taken pixel for pixel (only inverted if dark on light), so a
    fooling image made for a 28×28 classifier is judged exactly as that classifier saw it.
    """
    grey = _grey01(image)
    h, w = grey.shape
    if h < 2 or w < 2:
        raise UserError("the picture is too small to make a digit of.")
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    # dark on light: a light border, and evenly light (noise has a mid-grey median but dark pixels too)
    inverted = bool(np.median(border) > 0.5 and np.percentile(border, 25) > 0.4)
    if inverted:
        grey = 1.0 - grey
        border = 1.0 - border
    if (h, w) == (28, 28):
        return Prepared(np.round(grey * 255).astype(np.uint8), inverted, False)
    bg = float(np.median(border))
    ink = np.clip((grey - bg) / max(1.0 - bg, 1e-6), 0, 1)
    if ink.max() <= 0.05:
        return Prepared(np.zeros((28, 28), np.uint8), inverted, True)
    rows = np.flatnonzero(ink.max(1) > 0.1 * ink.max())
    cols = np.flatnonzero(ink.max(0) > 0.1 * ink.max())
    box = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    bh, bw = box.shape
    s = 20.0 / max(bh, bw)
    nh, nw = max(1, int(round(bh * s))), max(1, int(round(bw * s)))
    im = Image.fromarray((box * 255).astype(np.float32), mode="F")
    small = np.asarray(im.resize((nw, nh), Image.LANCZOS if s < 1 else Image.BILINEAR), dtype=np.float64)
    small = np.clip(small / 255.0, 0, 1)
    big = np.zeros((56, 56))
    top, left = (56 - nh) // 2, (56 - nw) // 2
    big[top:top + nh, left:left + nw] = small
    mass = big.sum()
    yy, xx = np.mgrid[0:56, 0:56]
    cy = int(round(float((yy * big).sum() / mass))) if mass > 0 else 28
    cx = int(round(float((xx * big).sum() / mass))) if mass > 0 else 28
    cy, cx = min(max(cy, 14), 42), min(max(cx, 14), 42)
    out = big[cy - 14:cy + 14, cx - 14:cx + 14]
    if out.max() > 0:
        out = out / out.max()
    return Prepared(np.round(out * 255).astype(np.uint8), inverted, True)

