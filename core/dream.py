"""DeepDream: a photo changed so that what one stage (or several) already sees in it grows.

Gradient ascent on the energy (mean square) of the chosen stages' outputs, on the photo itself.
Octaves: the photo is dreamed small first, then larger; only the *detail* the dream added is carried
up from one octave to the next and laid over the photo at the new size, so the photo stays sharp.
Each step is normalised by the mean absolute gradient (the step size says how many 8-bit levels a
pixel moves on average), and the photo is shifted at random (jitter) before every step so the
patterns do not lock onto the pixel grid. With the regularisers on, the gradient is blurred (so the
dream grows smooth shapes rather than pixel noise) and the change is pulled back toward the photo.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from .anatomy import Probe, Stage
from .errors import UserError
from .jobs import CancelToken, Frame, RateMeter, from_uint8_image, to_uint8_image
from .models import Classifier, frozen
from .params import Params, param


@dataclass(frozen=True)
class DreamParams(Params):
    SCHEMA = "dream"

    octaves: int = param(3, "Octaves", minimum=1, maximum=8, help="how many sizes, smallest first")
    octave_scale: float = param(1.4, "Octave scale", minimum=1, exclusive_minimum=True, maximum=3,
                                step=0.1, decimals=2, help="each octave is this much larger than the one before")
    steps: int = param(10, "Steps per octave", minimum=1, maximum=500, help="gradient steps at each size")
    step_size: float = param(3.0, "Step size", unit="/ 255", minimum=0, exclusive_minimum=True, maximum=64,
                             step=0.5, decimals=1, help="mean change per pixel and step, in 8-bit levels")
    jitter: int = param(16, "Jitter", unit="px", minimum=0, maximum=128, help="largest random shift per step")
    regularise: bool = param(True, "Regularisers", help="blur the gradient and pull the change back toward the photo")
    max_size: int = param(512, "Largest side", unit="px", minimum=64, maximum=2048, step=32,
                          help="bigger photos are dreamed at this size (the result keeps the photo's size)")
    seed: int = param(0, "Seed", minimum=0, maximum=2**31 - 1, help="random shifts")


@dataclass(frozen=True)
class DreamFrame(Frame):
    image: np.ndarray = field(default=None, repr=False)  # HxWx3 uint8, the photo's size
    original: np.ndarray = field(default=None, repr=False)
    octave: int = 0
    octaves: int = 0
    octave_size: tuple[int, int] = (0, 0)
    energy: float = 0.0  # the objective on the last step
    stages: tuple[str, ...] = ()
    steps_per_second: float = 0.0
    seconds: float = 0.0


def _blur(g: torch.Tensor, sigma: float) -> torch.Tensor:
    radius = max(1, int(round(2 * sigma)))
    k = torch.arange(-radius, radius + 1, dtype=g.dtype, device=g.device)
    k = torch.exp(-(k * k) / (2 * sigma * sigma))
    k = k / k.sum()
    c = g.shape[1]
    g = F.conv2d(F.pad(g, (radius, radius, 0, 0), mode="reflect"), k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    return F.conv2d(F.pad(g, (0, 0, radius, radius), mode="reflect"), k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


def octave_sizes(h: int, w: int, octaves: int, scale: float, smallest: int = 32) -> list[tuple[int, int]]:
    """Sizes from the smallest octave to the photo's own (none below ``smallest`` pixels)."""
    sizes = []
    for k in range(octaves - 1, -1, -1):
        f = scale ** k
        sizes.append((max(smallest, round(h / f)), max(smallest, round(w / f))))
    return sizes


def dream_job(model: Classifier, image: np.ndarray, stages: Sequence[Stage], params: DreamParams = DreamParams(),
              *, cancel: CancelToken | None = None) -> Iterator[DreamFrame]:
    """Dream ``image`` (HxWx3 uint8, any size) at ``stages``; frames keep the photo's size.

    The last frame has ``done=True`` (after a stop too) and holds the dream so far.
    """
    params = params.validated()
    if model.channels != 3:
        raise UserError(f"{model.name} sees grey digits; DeepDream works on the colour classifiers.")
    if not stages:
        raise UserError("choose at least one stage to dream at.")
    if any(len(s.shape) != 3 for s in stages):
        raise UserError("dream at a stage that still has feature maps (the convolutional part).")
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise UserError("DeepDream needs an RGB 8-bit picture.")
    cancel = cancel or CancelToken()
    gen = torch.Generator().manual_seed(params.seed)
    device = model.device
    full = from_uint8_image(image, device)
    h0, w0 = image.shape[:2]
    f = min(1.0, params.max_size / max(h0, w0))
    h, w = max(1, round(h0 * f)), max(1, round(w0 * f))
    base = full if f == 1.0 else F.interpolate(full, size=(h, w), mode="bilinear", align_corners=False,
                                               antialias=True)
    sizes = octave_sizes(h, w, params.octaves, params.octave_scale)
    total = len(sizes) * params.steps
    names = tuple(s.name for s in stages)
    meter, t0 = RateMeter(), time.perf_counter()
    detail = torch.zeros(1, 3, *sizes[0], device=device)
    step, energy, octave, size, current = 0, 0.0, 0, sizes[0], full
    with torch.enable_grad(), frozen(model), Probe(model, list(stages)) as probe:
        for octave, size in enumerate(sizes, 1):
            photo = F.interpolate(base, size=size, mode="bilinear", align_corners=False, antialias=True)
            detail = F.interpolate(detail, size=size, mode="bilinear", align_corners=False)
            x = (photo + detail).clamp(0, 1)
            for _ in range(params.steps):
                if cancel.checkpoint():
                    break
                step += 1
                jy, jx = (torch.randint(-params.jitter, params.jitter + 1, (2,), generator=gen).tolist()
                          if params.jitter else (0, 0))
                xv = x.detach().requires_grad_(True)
                outs = probe.run(torch.roll(xv, (jy, jx), (2, 3)))
                loss = sum(outs[s.name].float().pow(2).mean() for s in stages)
                (grad,) = torch.autograd.grad(loss, xv)
                with torch.no_grad():
                    if params.regularise:
                        grad = _blur(grad, 0.5 + 1.5 * octave / len(sizes))
                    x = x + (params.step_size / 255) * grad / (grad.abs().mean() + 1e-12)
                    if params.regularise:
                        x = x - 0.02 * (x - photo)
                    x = x.clamp(0, 1)
                energy = float(loss.detach())
                # What the dream added, laid over the photo at its own size (sharp where nothing changed).
                added = x - photo
                if size != (h0, w0):
                    added = F.interpolate(added, size=(h0, w0), mode="bilinear", align_corners=False)
                current = (full + added).clamp(0, 1)
                yield _frame(step, total, current, image, octave, len(sizes), size, energy, names, meter, t0, False)
            detail = x - photo
            if cancel.cancelled:
                break
    yield _frame(step, total, current, image, octave, len(sizes), size, energy, names, meter, t0, True)


def _frame(step, total, x, original, octave, octaves, size, energy, names, meter, t0, done) -> DreamFrame:
    return DreamFrame(step=step, total=total, done=done, image=to_uint8_image(x), original=original,
                      octave=octave, octaves=octaves, octave_size=tuple(size), energy=energy, stages=names,
                      steps_per_second=meter.tick(), seconds=time.perf_counter() - t0,
                      message=f"octave {octave}/{octaves} ({size[1]}×{size[0]}), step {step}/{total}")
