"""White-box fooling: gradient ascent, FGSM and targeted PGD on an image's pixels.

All three stay on the 8-bit grid. The job keeps a continuous perturbation ``delta`` but every
forward pass sees the *rounded* image ``x0 + round(255·delta)/255`` (a straight-through estimator
passes the gradient through the rounding). So the probability shown at each step is exactly the
probability of the PNG that Save writes, and the saved file, read back, still fools the model.

PGD uses MI-FGSM momentum and a cosine step schedule: at ε = 2 levels it takes EfficientNet-Lite0
from "Egyptian cat" to 99 % "tiger shark" in about 20 steps, where plain sign-PGD needs 40. The
momentum is 0.5, not MI-FGSM's usual 0.9: at ε = 1 level (every pixel may move by one step of the
8-bit grid, or not at all) 0.9 keeps pushing past the rounding and stalls at 85 %, while 0.5
reaches 99 % in about 130 steps (bench/whitebox.py).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F

from .errors import UserError
from .imaging import amplify
from .jobs import CancelToken, Frame, RateMeter, from_uint8_image, to_uint8_image
from .models import Classifier, frozen
from .params import Params, param
from .readable import percent

METHODS = ("ascent", "fgsm", "pgd")
NORMS = ("linf", "l2")
METHOD_TITLES = {
    "ascent": "Gradient ascent on the target's score",
    "fgsm": "FGSM (one signed step)",
    "pgd": "Targeted PGD (iterative, with momentum)",
}


@dataclass(frozen=True)
class AttackParams(Params):
    """What the lecturer chooses. ε and step are in 8-bit levels (units of 1/255)."""

    SCHEMA = "attack"

    method: str = param("pgd", "Method", choices=tuple((m, METHOD_TITLES[m]) for m in METHODS),
                        help="how the pixels are moved")
    norm: str = param("linf", "Norm", choices=(("linf", "L∞ (every pixel value by at most ε)"),
                                               ("l2", "L2 (root-mean-square change ε)")),
                      help="how the size of the change is measured")
    eps: float = param(2.0, "ε", unit="/ 255", minimum=0, exclusive_minimum=True, maximum=255, step=0.5,
                       decimals=1, help="budget in 8-bit levels: 1 is the smallest change a PNG can carry")
    step: float | None = param(None, "Step size", unit="/ 255", minimum=0, exclusive_minimum=True,
                               maximum=64, step=0.25, decimals=2, none_text="auto",
                               help="step in levels; auto: ε/2 but at least 1 level for PGD (then decayed), "
                                    "1 level for ascent",
                               applies=lambda p: p.method != "fgsm")
    steps: int = param(60, "Steps", minimum=1, maximum=5000, help="most steps",
                       applies=lambda p: p.method != "fgsm")
    stop_at: float | None = param(0.99, "Stop at probability", unit="%", scale=100, minimum=0, exclusive_minimum=True,
                                  maximum=1, step=0.01, decimals=2, none_text="never",
                                  help="stop once the target reaches this probability")
    momentum: float = param(0.5, "Momentum", minimum=0, maximum=0.99, step=0.05, decimals=2,
                            help="PGD's momentum (MI-FGSM)", applies=lambda p: p.method == "pgd")


@dataclass(frozen=True)
class WhiteboxFrame(Frame):
    image: np.ndarray = field(default=None, repr=False)  # HxWx3 uint8, what Save writes
    original: np.ndarray = field(default=None, repr=False)
    perturbation: np.ndarray = field(default=None, repr=False)  # amplified, uint8 around grey
    gain: float = 1.0
    top_indices: tuple[int, ...] = ()
    top_probs: tuple[float, ...] = ()
    probs: np.ndarray = field(default=None, repr=False)  # every class's probability for ``image``
    target: int = 0
    target_prob: float = 0.0
    original_class: int = 0
    original_prob: float = 0.0  # probability of the original class *now*
    original_start_prob: float = 0.0
    history_target: np.ndarray = field(default=None, repr=False)
    history_original: np.ndarray = field(default=None, repr=False)
    linf_255: float = 0.0
    l2: float = 0.0  # in [0, 1] pixel units over the whole image
    steps_per_second: float = 0.0
    seconds: float = 0.0
    reached: bool = False
    #: The step whose image this frame holds: ``step`` while running; for the final frame, the step
    #: of the best image found, which may be earlier than the last step taken.
    image_step: int = 0


def _quantised(x0: torch.Tensor, delta: torch.Tensor) -> torch.Tensor:
    """x0 + delta rounded to the 8-bit grid and clipped, with a straight-through gradient."""
    rounded = torch.round(delta * 255) / 255
    return (x0 + delta + (rounded - delta).detach()).clamp(0, 1)


def _project(delta: torch.Tensor, x0: torch.Tensor, norm: str, radius: float) -> None:
    """In place: into the ε-ball of the chosen norm, then into the valid pixel range."""
    if norm == "linf":
        delta.clamp_(-radius, radius)
    else:
        n = delta.norm()
        if n > radius:
            delta.mul_(radius / n)
    delta.copy_((x0 + delta).clamp(0, 1) - x0)


def auto_step(method: str, eps: float) -> float:
    """The first step in levels when Step size is "auto".

    PGD: half the budget, but never less than one level (or ε, if smaller). A first step of the whole
    budget ε throws every pixel from one side of the ε-ball to the other, and the target's
    probability jumped up and down (rocket → tiger shark at ε = 2: 0.85, 0.09, 0.89, 0.11, 0.96, 0.48
    …); half of it climbs (0.85 → 0.96 without the falls) and is as fast (bench/whitebox.py). A
    step below one level would be rounded away on the 8-bit grid, so at ε = 1 the step stays 1.
    Ascent: one level. FGSM: its single step is ε.
    """
    if method == "ascent":
        return 1.0
    if method == "fgsm":
        return eps
    return max(eps / 2, min(eps, 1.0))


def l2_radius(eps_levels: float, numel: int) -> float:
    """For L2, ε is the root-mean-square change per value in levels: radius = ε·√n / 255."""
    return eps_levels * math.sqrt(numel) / 255


def attack_job(
    model: Classifier,
    image: np.ndarray,
    target: int,
    params: AttackParams = AttackParams(),
    *,
    cancel: CancelToken | None = None,
    top_k: int = 5,
) -> Iterator[WhiteboxFrame]:
    """Morph ``image`` (HxWx3 uint8 at the model's input size) until ``model`` sees ``target``.

    Yields a frame after every step (step 0 is the untouched image); the last frame has
    ``done=True`` and holds the best image found (highest target probability).
    """
    params = params.validated()
    cancel = cancel or CancelToken()
    if model.channels != 3:
        raise UserError(f"{model.name} sees grey digits; the gradient-ascent attack works on the colour "
                        "ImageNet classifiers (fool MNIST digits in the evolution tab).")
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise UserError("the attack needs an RGB 8-bit image.")
    if tuple(image.shape[:2]) != tuple(model.input_size):
        raise UserError(f"the image must be {model.input_size[1]}×{model.input_size[0]} for {model.name}.")
    if not 0 <= target < model.num_classes:
        raise UserError(f"target class {target} is out of range for {model.name}.")

    device = model.device
    x0 = from_uint8_image(image, device)
    total = 1 if params.method == "fgsm" else params.steps
    radius = params.eps / 255 if params.norm == "linf" else l2_radius(params.eps, x0.numel())
    base_step = (params.step if params.step is not None else auto_step(params.method, params.eps)) / 255
    target_t = torch.tensor([target], device=device)

    hist_t: list[float] = []
    hist_o: list[float] = []
    meter = RateMeter()
    t_start = time.perf_counter()
    best: tuple[float, torch.Tensor, torch.Tensor, int] | None = None  # (p_target, image, probs, step)
    original_class = -1
    original_start = 0.0

    with torch.enable_grad(), frozen(model):
        delta = torch.zeros_like(x0, requires_grad=True)
        velocity = torch.zeros_like(x0)
        for step in range(total + 1):
            xq = _quantised(x0, delta)
            logits = model(xq)
            probs = logits.detach().softmax(-1)[0].float()
            if step == 0:
                original_class = int(probs.argmax())
                original_start = float(probs[original_class])
            p_target = float(probs[target])
            hist_t.append(p_target)
            hist_o.append(float(probs[original_class]))
            if best is None or p_target > best[0]:
                best = (p_target, xq.detach().clone(), probs, step)
            reached = params.stop_at is not None and p_target >= params.stop_at
            finished = reached or step == total or cancel.cancelled
            yield _frame(step, total, image, xq.detach(), x0, probs, top_k, target, original_class,
                         original_start, hist_t, hist_o, meter.tick(), time.perf_counter() - t_start,
                         reached, done=False, image_step=step)
            if finished or cancel.checkpoint():
                break

            # −log p(target): ascent climbs the target's log-probability, FGSM and PGD descend this loss.
            loss = F.cross_entropy(logits, target_t)
            (grad,) = torch.autograd.grad(loss, delta)
            with torch.no_grad():
                if params.method == "fgsm":
                    update = radius * (grad.sign() if params.norm == "linf" else grad / (grad.norm() + 1e-12))
                elif params.method == "ascent":
                    scale = grad.abs().max() if params.norm == "linf" else grad.norm() / math.sqrt(grad.numel())
                    update = base_step * grad / (scale + 1e-12)
                else:
                    velocity.mul_(params.momentum).add_(grad / (grad.abs().mean() + 1e-12))
                    frac = step / max(total - 1, 1)
                    alpha = base_step * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
                    if params.norm == "linf":
                        update = alpha * velocity.sign()
                    else:
                        update = alpha * math.sqrt(velocity.numel()) * velocity / (velocity.norm() + 1e-12)
                delta.sub_(update)
                _project(delta, x0, params.norm, radius)

    # The final frame shows the best image found, with the probabilities measured on it (the model
    # is deterministic in eval mode, so measuring it again would only cost a forward pass).
    assert best is not None
    probs = best[2]
    p_best = float(probs[target])
    yield _frame(len(hist_t) - 1, total, image, best[1], x0, probs, top_k, target, original_class,
                 original_start, hist_t, hist_o, meter.tick(), time.perf_counter() - t_start,
                 params.stop_at is not None and p_best >= params.stop_at, done=True, image_step=best[3])


def _frame(step, total, image, xq, x0, probs, top_k, target, original_class, original_start,
           hist_t, hist_o, rate, seconds, reached, done, image_step) -> WhiteboxFrame:
    adv = to_uint8_image(xq)
    delta = adv.astype(np.int16) - image.astype(np.int16)
    vis, gain = amplify(delta.astype(np.float32))
    # Integer sums only: a float64 BLAS call here (np.linalg.norm) would wake numpy's thread pool.
    sq = int(np.square(delta, dtype=np.int32).sum(dtype=np.int64))
    vals, idx = probs.topk(min(top_k, probs.numel()))
    return WhiteboxFrame(
        step=step, total=total, done=done,
        message=f"step {step}/{total}: target {percent(float(probs[target]))}",
        image=adv, original=image, perturbation=vis, gain=gain,
        top_indices=tuple(int(i) for i in idx), top_probs=tuple(float(v) for v in vals),
        probs=probs.detach().cpu().numpy().astype(np.float32, copy=True),
        target=target, target_prob=float(probs[target]), original_class=original_class,
        original_prob=float(probs[original_class]), original_start_prob=original_start,
        history_target=np.asarray(hist_t, dtype=np.float32),
        history_original=np.asarray(hist_o, dtype=np.float32),
        linf_255=float(np.abs(delta).max()) if delta.size else 0.0,
        l2=math.sqrt(sq) / 255,
        steps_per_second=rate, seconds=seconds, reached=reached, image_step=image_step,
    )


def classify(model: Classifier, image: np.ndarray, k: int = 5) -> list[tuple[int, str, float]]:
    """Top-k (index, name, probability) of an RGB uint8 image already at the model's size."""
    x = from_uint8_image(image, model.device)
    if model.channels == 1:
        x = x.mean(1, keepdim=True)
    probs = model.probabilities(x)[0]
    vals, idx = probs.topk(min(k, probs.numel()))
    return [(int(i), model.labels[int(i)], float(v)) for v, i in zip(vals, idx)]
