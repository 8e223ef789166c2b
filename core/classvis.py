"""“We cannot draw a cat”: gradient ascent on a class score from noise, without and with regularisers.

Two pictures are synthesised side by side in one run, both climbing the same class's score: one
on plain pixels (no regulariser: it ends as noise the network calls the class with certainty), one
with the regularisers chosen (textures and parts of the class, still not a picture of it). Both
report the class's probability on the picture as shown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import torch

from .errors import UserError
from .featurevis import Picture, VisParams, penalties, random_transform
from .jobs import CancelToken, Frame, RateMeter, to_uint8_image
from .models import Classifier, frozen
from .readable import percent


@dataclass(frozen=True)
class ClassFrame(Frame):
    plain: np.ndarray = field(default=None, repr=False)  # HxWx3 uint8, no regulariser
    regularised: np.ndarray = field(default=None, repr=False)
    target: int = 0
    probs: tuple[float, float] = (0.0, 0.0)  # the target's probability: plain, regularised
    top: tuple[tuple[int, float], tuple[int, float]] = ((0, 0.0), (0, 0.0))  # top-1 of each
    history: np.ndarray = field(default=None, repr=False)  # steps × 2 probabilities
    steps_per_second: float = 0.0
    seconds: float = 0.0


def class_job(model: Classifier, target: int, regularised: VisParams = VisParams(),
              *, plain: VisParams | None = None, cancel: CancelToken | None = None) -> Iterator[ClassFrame]:
    """Both pictures climb the logit of ``target``; ``plain`` defaults to every regulariser off.

    The last frame has ``done=True`` (after a stop too), measured on the 8-bit pictures.
    """
    regularised = regularised.validated()
    plain = (plain or regularised.with_preset("none")).validated()
    if model.channels != 3:
        raise UserError(f"{model.name} sees grey digits; pictures are synthesised for the colour classifiers.")
    if not 0 <= target < model.num_classes:
        raise UserError(f"class {target} is out of range for {model.name}.")
    if plain.size != regularised.size:
        plain = plain.replace(size=regularised.size)
    cancel = cancel or CancelToken()
    total = max(plain.steps, regularised.steps)
    meter, t0 = RateMeter(), time.perf_counter()
    history: list[tuple[float, float]] = []
    gen = torch.Generator().manual_seed(regularised.seed)
    with torch.enable_grad(), frozen(model):
        pics = [Picture(p, 1, model.device, gen) for p in (plain, regularised)]
        opts = [torch.optim.Adam([pic.raw], lr=p.learning_rate) for pic, p in zip(pics, (plain, regularised))]
        probs = torch.zeros(2, model.num_classes)
        for step in range(1, total + 1):
            if cancel.checkpoint():
                break
            xs = [pic.image() for pic in pics]
            seen = [random_transform(x, p, gen) if p.transforms else x for x, p in zip(xs, (plain, regularised))]
            logits = model(torch.cat(seen))
            loss = (penalties(xs[0], plain) + penalties(xs[1], regularised) - logits[:, target]).sum()
            for o in opts:
                o.zero_grad(set_to_none=True)
            loss.backward()
            for o in opts:
                o.step()
            with torch.no_grad():
                shown = torch.cat([x.detach() for x in xs])
                probs = (logits.detach() if not (plain.transforms or regularised.transforms)
                         else model(shown)).softmax(-1).float().cpu()
            history.append((float(probs[0, target]), float(probs[1, target])))
            yield _frame(step, total, xs, target, probs, history, meter.tick(), t0, False)
        with torch.inference_mode():
            xs = [torch.round(pic.image() * 255) / 255 for pic in pics]
            probs = model(torch.cat(xs)).softmax(-1).float().cpu()
    if history:
        history[-1] = (float(probs[0, target]), float(probs[1, target]))
    yield _frame(len(history), total, xs, target, probs, history, meter.tick(), t0, True)


def _frame(step, total, xs, target, probs, history, rate, t0, done) -> ClassFrame:
    tops = tuple((int(p.argmax()), float(p.max())) for p in probs)
    return ClassFrame(
        step=step, total=total, done=done, plain=to_uint8_image(xs[0]), regularised=to_uint8_image(xs[1]),
        target=target, probs=(float(probs[0, target]), float(probs[1, target])), top=tops,
        history=np.asarray(history, dtype=np.float32).reshape(len(history), 2),
        steps_per_second=rate, seconds=time.perf_counter() - t0,
        message=f"step {step}/{total}: {percent(float(probs[0, target]))} without, "
                f"{percent(float(probs[1, target]))} with regularisers")
