"""Images that lie off the digit manifold: noise, blobs, moved and turned digits, and fooling
images that a digit classifier is ≥ 99 % sure about although they are no digits at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from ..data import DigitSet
from ..errors import UserError
from ..jobs import CancelToken, Frame
from ..models import frozen
from .config import OFF_MANIFOLD_KINDS
from .models import to_tensor, to_u8


def _shift(img: np.ndarray, dy: int, dx: int) -> np.ndarray:
    out = np.zeros_like(img)
    h, w = img.shape
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[yd, xd] = img[ys, xs]
    return out


def _blobs(rng: np.random.Generator) -> np.ndarray:
    yy, xx = np.mgrid[0:28, 0:28].astype(np.float64)
    img = np.zeros((28, 28))
    for _ in range(int(rng.integers(1, 5))):
        cy, cx = rng.uniform(4, 24, size=2)
        sy, sx = rng.uniform(1.5, 6, size=2)
        img += rng.uniform(0.5, 1) * np.exp(-((yy - cy) ** 2 / (2 * sy ** 2) + (xx - cx) ** 2 / (2 * sx ** 2)))
    return np.round(np.clip(img / max(img.max(), 1e-9), 0, 1) * 255).astype(np.uint8)


class _QuickDigitNet(nn.Module):
    """A small MLP digit classifier, trained in a second when the bundled MNIST CNN is missing."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def _train_quick_classifier(digits: DigitSet, seed: int = 0) -> nn.Module:
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    net = _QuickDigitNet()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    x = to_tensor(digits.x_train)
    y = torch.from_numpy(digits.y_train.astype(np.int64))
    with torch.enable_grad():
        for _ in range(3):
            order = torch.randperm(len(x), generator=g)
            for i in range(0, len(x), 128):
                idx = order[i:i + 128]
                opt.zero_grad()
                F.cross_entropy(net(x[idx]), y[idx]).backward()
                opt.step()
    return net.eval()


@lru_cache(maxsize=2)
def digit_classifier(source: str = "auto") -> nn.Module:
    """A digit classifier (N×1×28×28 in [0, 1] → 10 logits) to make fooling images for.

    The bundled MNIST CNN when its weights are present, otherwise a small MLP trained on the
    bundled digits in about a second.
    """
    if source in ("auto", "mnist_cnn"):
        try:
            from .. import models as zoo

            ok, _ = zoo.availability("mnist_cnn")
            if ok:
                return zoo.load_classifier("mnist_cnn", "cpu")
        except UserError:
            pass
    from ..data import mnist_sample

    return _train_quick_classifier(mnist_sample())


def fooling_images(n: int, *, seed: int = 0, classifier: nn.Module | None = None,
                   confidence: float = 0.99, steps: int = 60,
                   cancel: CancelToken | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` fooling images: random noise pushed by gradient ascent until a digit classifier is
    ``confidence`` sure it sees a chosen digit (targets cycle through 0–9).

    Returns the (n, 28, 28) uint8 images, their target digits and the classifier's confidence in
    them (measured on the 8-bit images).
    """
    net = classifier or digit_classifier()
    g = torch.Generator().manual_seed(seed)
    targets = torch.arange(n) % 10
    # parametrise pixels through a sigmoid so they stay in [0, 1]
    w = (torch.rand((n, 1, 28, 28), generator=g) * 4 - 2).requires_grad_(True)
    opt = torch.optim.Adam([w], lr=0.1)
    with frozen(net):
        with torch.enable_grad():
            for _ in range(steps):
                if cancel is not None and cancel.checkpoint():
                    break
                logp = F.log_softmax(net(torch.sigmoid(w)), -1)
                picked = logp.gather(1, targets[:, None])[:, 0]
                if float(picked.detach().exp().min()) >= confidence:
                    break
                opt.zero_grad()
                (-picked.sum()).backward()
                opt.step()
        images = to_u8(torch.sigmoid(w.detach()))
        with torch.inference_mode():
            probs = F.softmax(net(to_tensor(images)), -1).gather(1, targets[:, None])[:, 0]
    return images, targets.numpy().astype(np.uint8), probs.numpy()


@dataclass(frozen=True)
class FoolingFrame(Frame):
    """One fooling image made off the UI thread (the classifier may need loading or training)."""

    image: np.ndarray = field(default=None, repr=False)  # (28, 28) uint8
    target: int = 0
    confidence: float = 0.0


def fooling_image_job(*, seed: int = 0, cancel: CancelToken | None = None) -> Iterator[FoolingFrame]:
    """Load (or quickly train) the digit classifier, then make one fooling image for it."""
    cancel = cancel or CancelToken()
    yield FoolingFrame(step=0, total=2, message="getting a digit classifier ready…")
    net = digit_classifier()
    if cancel.checkpoint():
        return
    yield FoolingFrame(step=1, total=2, message="making a fooling image…")
    imgs, targets, conf = fooling_images(1, seed=seed, classifier=net, cancel=cancel)
    if cancel.cancelled:
        return
    yield FoolingFrame(step=2, total=2, done=True, image=imgs[0], target=int(targets[0]),
                       confidence=float(conf[0]),
                       message=f"fooling image: {conf[0]:.0%} a “{int(targets[0])}”")


def off_manifold_set(digits: DigitSet, kinds: tuple[str, ...] = OFF_MANIFOLD_KINDS, n: int = 200, *,
                     seed: int = 0, classifier: nn.Module | None = None,
                     cancel: CancelToken | None = None) -> dict[str, np.ndarray]:
    """``n`` images of each kind that lie off the digit manifold, as (n, 28, 28) uint8 arrays.

    noise: uniform random pixels; blobs: 1–4 soft Gaussian blobs; shifted: validation digits moved
    7–10 pixels; rotated: validation digits turned by 90–270°; fooling: images a digit classifier
    is ≥ 99 % sure about that are no digits at all.
    """
    rng = np.random.default_rng(seed)
    out: dict[str, np.ndarray] = {}
    for kind in kinds:
        if kind not in OFF_MANIFOLD_KINDS:
            raise UserError(f"unknown kind “{kind}”; choose from {', '.join(OFF_MANIFOLD_KINDS)}.")
        if cancel is not None and cancel.checkpoint():
            break
        if kind == "noise":
            out[kind] = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        elif kind == "blobs":
            out[kind] = np.stack([_blobs(rng) for _ in range(n)])
        elif kind == "shifted":
            src = digits.x_val[rng.integers(0, len(digits.x_val), n)]
            imgs = []
            for img in src:
                mag = int(rng.integers(7, 11))
                angle = rng.uniform(0, 2 * np.pi)
                imgs.append(_shift(img, int(round(mag * np.sin(angle))), int(round(mag * np.cos(angle)))))
            out[kind] = np.stack(imgs)
        elif kind == "rotated":
            src = digits.x_val[rng.integers(0, len(digits.x_val), n)]
            out[kind] = np.stack([
                np.asarray(Image.fromarray(img).rotate(float(rng.uniform(90, 270)), Image.BILINEAR))
                for img in src
            ])
        else:
            out[kind] = fooling_images(n, seed=seed, classifier=classifier, cancel=cancel)[0]
    return out
