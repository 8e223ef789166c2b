"""The feature maps a picture produces at one stage: its most active channels as one mosaic image."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import torch
from PIL import Image

from .anatomy import Stage, activations
from .evolution import tile
from .jobs import CancelToken, Frame
from .models import Classifier

#: A dark-to-bright colour scale (black → purple → orange → pale yellow), readable on a projector.
_ANCHORS = np.array([[0, 0, 4], [60, 15, 110], [150, 40, 120], [230, 90, 60], [252, 190, 40], [252, 255, 164]],
                    dtype=np.float32)
LUT = np.stack([np.interp(np.linspace(0, len(_ANCHORS) - 1, 256), np.arange(len(_ANCHORS)), _ANCHORS[:, c])
                for c in range(3)], 1).round().astype(np.uint8)


@dataclass(frozen=True)
class MapsFrame(Frame):
    stage: str = ""
    spatial: bool = True
    mosaic: np.ndarray = field(default=None, repr=False)  # tiled colour maps (spatial stages)
    cols: int = 1
    channels: tuple[int, ...] = ()  # the channels shown, most active first
    means: tuple[float, ...] = ()  # their mean activation
    peak: float = 0.0  # the largest value in the maps shown (the top of the colour scale)
    active_share: float = 0.0  # share of the stage's channels with a positive mean
    probabilities: bool = False  # a class-score stage: ``means`` are softmax probabilities
    compared: bool = False  # the maps show |this picture − the other| (``means``: mean change)
    relative_change: float = 0.0  # mean |difference| over the stage / mean |activation| of the other


def colour_map(a: np.ndarray, top: float) -> np.ndarray:
    """Activations → colours: 0 and below black, ``top`` pale yellow."""
    idx = np.clip(a / max(top, 1e-6) * 255, 0, 255).astype(np.uint8)
    return LUT[idx]


def maps_job(model: Classifier, image: np.ndarray, stage: Stage, *, count: int = 16, cell: int = 96,
             compare: np.ndarray | None = None, cancel: CancelToken | None = None) -> Iterator[MapsFrame]:
    """One frame: the ``count`` most active channels of ``stage`` for ``image``, one colour scale for all.

    With ``compare`` (another picture), the maps show where the two pictures' maps differ: the
    channels that changed most, each map the absolute difference.
    """
    a = activations(model, image, stage)
    if compare is not None and a.dim() == 3:
        yield _difference(a, activations(model, compare, stage), stage, count, cell)
        return
    if a.dim() == 1:
        is_output = a.numel() == model.num_classes and stage.kind == "dense"
        vals, idx = (a.softmax(0) if is_output else a).topk(min(count, a.numel()))
        yield MapsFrame(step=1, total=1, done=True, stage=stage.name, spatial=False,
                        channels=tuple(int(i) for i in idx), means=tuple(float(v) for v in vals),
                        peak=float(vals[0]) if len(vals) else 0.0,
                        active_share=float((a > 0).float().mean()), probabilities=is_output)
        return
    means = a.mean((1, 2))
    vals, idx = means.topk(min(count, means.numel()))
    picked = a[idx].numpy()
    top = float(np.percentile(picked, 99.5)) if picked.size else 1.0
    thumbs = []
    for m in picked:
        rgb = colour_map(m, top)
        thumbs.append(np.asarray(Image.fromarray(rgb).resize((cell, cell), Image.NEAREST)))
    cols = int(np.ceil(np.sqrt(len(thumbs) * 1.6)))
    yield MapsFrame(step=1, total=1, done=True, stage=stage.name, spatial=True,
                    mosaic=tile(thumbs, cols, (cell, cell)), cols=cols,
                    channels=tuple(int(i) for i in idx), means=tuple(float(v) for v in vals),
                    peak=top, active_share=float((means > 0).float().mean()),
                    message=f"{stage.name}: {len(thumbs)} most active of {stage.channels} channels")


def _difference(a: torch.Tensor, b: torch.Tensor, stage: Stage, count: int, cell: int) -> MapsFrame:
    diff = (a - b).abs()
    change = diff.mean((1, 2))
    vals, idx = change.topk(min(count, change.numel()))
    picked = diff[idx].numpy()
    top = float(np.percentile(picked, 99.5)) if picked.size else 1.0
    thumbs = [np.asarray(Image.fromarray(colour_map(m, top)).resize((cell, cell), Image.NEAREST)) for m in picked]
    cols = int(np.ceil(np.sqrt(len(thumbs) * 1.6)))
    rel = float(diff.mean() / b.abs().mean().clamp(min=1e-9))
    return MapsFrame(step=1, total=1, done=True, stage=stage.name, spatial=True,
                     mosaic=tile(thumbs, cols, (cell, cell)), cols=cols, channels=tuple(int(i) for i in idx),
                     means=tuple(float(v) for v in vals), peak=top, compared=True, relative_change=rel,
                     message=f"{stage.name}: the {len(thumbs)} channels that changed most")


def thumbnail_grid(images: list[np.ndarray], cell: int) -> tuple[np.ndarray, int]:
    """Pictures (uint8, any size) side by side in a mosaic of ``cell``-pixel squares."""
    thumbs = [np.asarray(Image.fromarray(im).resize((cell, cell), Image.BILINEAR)) for im in images]
    cols = int(np.ceil(np.sqrt(len(thumbs) * 1.6))) if thumbs else 1
    return tile(thumbs, cols, (cell, cell)), cols


__all__ = ["MapsFrame", "maps_job", "colour_map", "thumbnail_grid", "torch"]
