"""What a neuron wants: synthesise the picture that excites one channel (or one class) the most.

The picture is not optimised pixel by pixel unless every regulariser is off. Each regulariser can
be switched on alone, so a lecture can show what each one does:

- **Fourier parameterisation**: the optimiser moves the picture's spectrum, each frequency scaled
  by 1/frequency, so coarse patterns grow as fast as fine ones (plain pixels grow noise first);
- **colour decorrelation**: the three numbers per pixel are mixed into RGB by the square root of
  natural photos' colour covariance, so steps follow colours photos really have;
- **transformation robustness**: every step sees the picture randomly shifted, scaled and rotated,
  so only patterns that survive small moves pay off;
- **blur / total variation** and **L2** penalties: neighbouring pixels alike, values near grey.

The jobs are generators of frozen frames, like every job in ``core``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from .anatomy import Probe, Stage, check_channel
from .errors import UserError
from .jobs import CancelToken, Frame, RateMeter, to_uint8_image
from .models import Classifier, frozen
from .params import Params, param

#: Square root of the RGB covariance of ImageNet photos (the values published with Lucid by Olah
#: et al., 2017), each column scaled so that the largest column norm is 1.
_COLOUR_SQRT = torch.tensor([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
_COLOUR_SQRT = _COLOUR_SQRT / _COLOUR_SQRT.norm(dim=0).max()

PRESETS = {
    "none": dict(fourier=False, decorrelate=False, transforms=False, smooth=False, l2=False),
    "fourier": dict(fourier=True, decorrelate=True, transforms=False, smooth=False, l2=False),
    "transforms": dict(fourier=False, decorrelate=False, transforms=True, smooth=False, l2=False),
    "standard": dict(fourier=True, decorrelate=True, transforms=True, smooth=False, l2=False),
    "all": dict(fourier=True, decorrelate=True, transforms=True, smooth=True, l2=True),
}
PRESET_TITLES = {
    "none": "none (plain pixels)", "fourier": "Fourier + colour decorrelation",
    "transforms": "transformation robustness only", "standard": "standard (Fourier, colours, transforms)",
    "all": "all (standard + blur + L2)",
}


@dataclass(frozen=True)
class VisParams(Params):
    """How a picture is synthesised: steps, size, and each regulariser on its own."""

    SCHEMA = "featurevis"

    steps: int = param(256, "Steps", minimum=1, maximum=5000, help="optimisation steps")
    size: int = param(224, "Picture size", unit="px", minimum=32, maximum=512, step=16,
                      help="side of the square picture that is synthesised")
    learning_rate: float = param(0.05, "Learning rate", minimum=0, exclusive_minimum=True, maximum=1,
                                 step=0.01, decimals=3, help="Adam's step size")
    fourier: bool = param(True, "Fourier parameterisation",
                          help="optimise the spectrum, scaled by 1/frequency, instead of the pixels")
    decorrelate: bool = param(True, "Colour decorrelation",
                              help="mix colours as natural photos do (square root of their covariance)")
    transforms: bool = param(True, "Transformation robustness",
                             help="shift, scale and rotate the picture at random before every step")
    jitter: int = param(8, "Jitter", unit="px", minimum=0, maximum=64, help="largest random shift",
                        applies=lambda p: p.transforms)
    scale: float = param(0.1, "Scale ±", unit="%", scale=100, minimum=0, maximum=0.5, step=0.05,
                         decimals=0, help="largest random zoom in or out", applies=lambda p: p.transforms)
    rotate: float = param(10.0, "Rotation ±", unit="°", minimum=0, maximum=45, step=1, decimals=0,
                          help="largest random rotation", applies=lambda p: p.transforms)
    smooth: bool = param(False, "Blur / total variation", help="penalise differences between neighbours")
    smooth_weight: float = param(0.5, "Blur strength", minimum=0, exclusive_minimum=True, maximum=100,
                                 step=0.1, decimals=2, help="weight of the total-variation penalty",
                                 applies=lambda p: p.smooth)
    l2: bool = param(False, "L2 penalty", help="penalise values far from grey")
    l2_weight: float = param(1.0, "L2 strength", minimum=0, exclusive_minimum=True, maximum=100, step=0.1,
                             decimals=2, help="weight of the L2 penalty", applies=lambda p: p.l2)
    seed: int = param(0, "Seed", minimum=0, maximum=2**31 - 1, help="random start and transforms")

    def with_preset(self, name: str) -> "VisParams":
        if name not in PRESETS:
            raise UserError(f"“{name}” is not a regulariser setting; choose one of {', '.join(PRESETS)}.")
        return self.replace(**PRESETS[name])

    def regularised(self) -> bool:
        return any((self.fourier, self.decorrelate, self.transforms, self.smooth, self.l2))

    def describe(self) -> str:
        names = [n for n, on in (("Fourier", self.fourier), ("colours", self.decorrelate),
                                 ("transforms", self.transforms), ("blur", self.smooth), ("L2", self.l2)) if on]
        return " + ".join(names) if names else "no regulariser"


# ------------------------------------------------------------------------------- the picture
class Picture:
    """A batch of pictures in [0, 1], parameterised as the settings say; differentiable."""

    def __init__(self, p: VisParams, batch: int, device: torch.device, generator: torch.Generator) -> None:
        self.p = p
        self.size = p.size
        h = w = p.size
        if p.fourier:
            fy = torch.fft.fftfreq(h)[:, None]
            fx = torch.fft.rfftfreq(w)[None, :]
            freq = torch.sqrt(fx * fx + fy * fy)
            self.weights = (1.0 / freq.clamp(min=1.0 / max(h, w))).to(device)
            shape = (batch, 3, h, w // 2 + 1, 2)
            self.raw = (torch.randn(shape, generator=generator) * 0.01).to(device)
        else:
            self.raw = (torch.randn((batch, 3, h, w), generator=generator) * 0.01).to(device)
        self.raw.requires_grad_(True)
        self.colour = _COLOUR_SQRT.to(device)

    def image(self) -> torch.Tensor:
        p = self.p
        if p.fourier:
            spectrum = torch.view_as_complex(self.raw) * self.weights
            x = torch.fft.irfft2(spectrum, s=(self.size, self.size), norm="ortho") / 4
        else:
            x = self.raw
        if p.decorrelate:
            x = torch.einsum("bchw,dc->bdhw", x, self.colour)
        return torch.sigmoid(x * 4 if not p.fourier and not p.decorrelate else x)


def random_transform(x: torch.Tensor, p: VisParams, generator: torch.Generator) -> torch.Tensor:
    """Shift, zoom and rotate each picture of the batch at random (edges reflected); same size."""
    b, _, h, w = x.shape
    u = torch.rand((b, 4), generator=generator) * 2 - 1
    angle = u[:, 0] * math.radians(p.rotate)
    zoom = 1 + u[:, 1] * p.scale
    shift = u[:, 2:] * (2 * p.jitter / max(h, w))
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta.to(x.device, x.dtype), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)


def penalties(x: torch.Tensor, p: VisParams) -> torch.Tensor:
    """The switched-on penalties per picture (a batch-sized tensor)."""
    out = torch.zeros(x.shape[0], device=x.device)
    if p.smooth:
        tv = (x[:, :, 1:, :] - x[:, :, :-1, :]).abs().mean((1, 2, 3)) + \
             (x[:, :, :, 1:] - x[:, :, :, :-1]).abs().mean((1, 2, 3))
        out = out + p.smooth_weight * tv * 10
    if p.l2:
        out = out + p.l2_weight * ((x - 0.5) ** 2).mean((1, 2, 3)) * 10
    return out


def unit_values(out: torch.Tensor, units: Sequence[int]) -> torch.Tensor:
    """Per picture i: the mean of channel ``units[i]`` (or the unit itself for a vector)."""
    idx = torch.as_tensor(list(units), device=out.device)
    rows = torch.arange(out.shape[0], device=out.device)
    picked = out[rows, idx]
    return picked.flatten(1).mean(1) if picked.dim() > 1 else picked


def high_frequency_energy(image: np.ndarray) -> float:
    """Share of a picture's (non-constant) energy above a quarter of the sampling frequency."""
    g = image.astype(np.float32).mean(2) if image.ndim == 3 else image.astype(np.float32)
    spec = np.abs(np.fft.fft2(g - g.mean())) ** 2
    fy = np.fft.fftfreq(g.shape[0])[:, None]
    fx = np.fft.fftfreq(g.shape[1])[None, :]
    high = np.sqrt(fx * fx + fy * fy) > 0.25
    return float(spec[high].sum() / max(spec.sum(), 1e-12))


# ----------------------------------------------------------------------------------- frames
@dataclass(frozen=True)
class VisFrame(Frame):
    """Pictures being synthesised, one per channel asked for, and how strongly each excites it."""

    images: tuple[np.ndarray, ...] = field(default=(), repr=False)  # HxWx3 uint8 each
    units: tuple[int, ...] = ()
    values: tuple[float, ...] = ()  # objective on the plain (untransformed) picture
    history: np.ndarray = field(default=None, repr=False)  # steps × pictures
    stage: str = ""
    steps_per_second: float = 0.0
    seconds: float = 0.0

    @property
    def image(self) -> np.ndarray:
        return self.images[0]


def _check(model: Classifier, stage: Stage, units: Sequence[int]) -> None:
    if model.channels != 3:
        raise UserError(f"{model.name} sees grey digits; pictures are synthesised for the colour classifiers.")
    if not units:
        raise UserError("choose at least one channel.")
    for u in units:
        check_channel(stage, int(u))


def visualize_job(model: Classifier, stage: Stage, units: Sequence[int], params: VisParams = VisParams(),
                  *, cancel: CancelToken | None = None, every: int = 1) -> Iterator[VisFrame]:
    """Synthesise one picture per unit of ``stage`` (all in one batch), yielding every ``every`` steps.

    Live frames report the response to the view each step optimised; the last frame has
    ``done=True`` (also after a stop) and its values measured on the pictures as shown: plain,
    untransformed, rounded to 8 bits.
    """
    params = params.validated()
    units = tuple(int(u) for u in units)
    _check(model, stage, units)
    cancel = cancel or CancelToken()
    gen = torch.Generator().manual_seed(params.seed)
    meter, t0 = RateMeter(), time.perf_counter()
    history: list[list[float]] = []
    with torch.enable_grad(), frozen(model), Probe(model, [stage]) as probe:
        pic = Picture(params, len(units), model.device, gen)
        opt = torch.optim.Adam([pic.raw], lr=params.learning_rate)
        for step in range(1, params.steps + 1):
            if cancel.checkpoint():
                break
            x = pic.image()
            seen = random_transform(x, params, gen) if params.transforms else x
            values = unit_values(probe.run(seen)[stage.name], units)
            loss = (penalties(x, params) - values).sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            # The live read-out is the response to what this step saw (a transformed view when
            # transforms are on: one forward pass per step, not two); the last frame measures the
            # plain picture.
            history.append([float(v) for v in values.detach()])
            if step % every == 0 or step == params.steps:
                yield _frame(step, params.steps, x, units, history, stage, meter.tick(), t0, False)
    with torch.inference_mode():
        x = pic.image()
        x = torch.round(x * 255) / 255
        with Probe(model, [stage]) as probe:
            final = unit_values(probe.run(x)[stage.name], units)
    if history:
        history[-1] = [float(v) for v in final]
    yield _frame(len(history), params.steps, x, units, history, stage, meter.tick(), t0, True,
                 values=[float(v) for v in final])


def _frame(step, total, x, units, history, stage, rate, t0, done, values=None) -> VisFrame:
    images = tuple(to_uint8_image(x[i]) for i in range(x.shape[0]))
    vals = tuple(values if values is not None else (history[-1] if history else [0.0] * len(units)))
    hist = np.asarray(history, dtype=np.float32).reshape(len(history), len(units))
    text = ", ".join(f"{v:.2f}" for v in vals[:4])
    return VisFrame(step=step, total=total, done=done, images=images, units=tuple(units), values=vals,
                    history=hist, stage=stage.name, steps_per_second=rate, seconds=time.perf_counter() - t0,
                    message=f"step {step}/{total}: mean activation {text}")


def most_active_channels(model: Classifier, image: np.ndarray, stage: Stage, k: int = 1) -> list[int]:
    """The ``k`` channels of ``stage`` with the highest mean activation for ``image``."""
    from .anatomy import activations

    a = activations(model, image, stage)
    means = a.mean((1, 2)) if a.dim() == 3 else a
    return [int(i) for i in means.topk(min(k, means.numel())).indices]


def spread_channels(stage: Stage, count: int, offset: int = 0) -> list[int]:
    """``count`` channels spread evenly over the stage (a gallery's default pick)."""
    n = stage.channels
    count = max(1, min(count, n))
    return [int((offset + i * n / count)) % n for i in range(count)]
