"""Autoencoders on MNIST: compression, denoising, and a "LIAR!" detector for off-manifold inputs.

Following F. Chollet's "Building Autoencoders in Keras": a dense 784-32-784 autoencoder, a deep one
(128-64-32 and its mirror) and a convolutional one, each optionally trained as a *denoising*
autoencoder (noisy input, clean target). The loss is binary cross-entropy per pixel (the blog's
unit, the one the lecture quotes) or the mean squared error.

An autoencoder trained on digits reconstructs digits well and everything else badly, so its
reconstruction loss is an anomaly score: an image whose loss lies more than ``k`` standard
deviations above the validation digits' mean is called a liar.

Images here are 28×28 uint8 arrays, white digit on black, like MNIST; tensors are N×1×28×28 floats
in [0, 1]. The model returns logits; :meth:`AutoEncoder.reconstruct` applies the sigmoid.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from .data import DigitSet
from .errors import UserError
from .jobs import CancelToken, Frame, RateMeter
from .resources import resource_path

ARCHS = ("dense", "deep", "conv")
ARCH_TITLES = {
    "dense": "Dense 784-32-784",
    "deep": "Deep dense 784-128-64-32 and mirror",
    "conv": "Convolutional",
}
LOSSES = ("bce", "mse")
LOSS_TITLES = {"bce": "binary cross-entropy per pixel", "mse": "mean squared error per pixel"}
NOISE_KINDS = ("gaussian", "saltpepper")
OFF_MANIFOLD_KINDS = ("noise", "blobs", "shifted", "rotated", "fooling")
MAX_LATENT = 256
DEFAULT_K = 3.0
FORMAT = "fooling-lab-autoencoder"


# ------------------------------------------------------------------------------------ config
@dataclass(frozen=True)
class AEConfig:
    """Which autoencoder: architecture, code size, denoising noise (0 = plain) and loss."""

    arch: str = "dense"
    latent: int = 32
    noise: float = 0.0
    noise_kind: str = "gaussian"
    loss: str = "bce"

    def validated(self) -> "AEConfig":
        if self.arch not in ARCHS:
            raise UserError(f"unknown architecture “{self.arch}”; choose one of {', '.join(ARCHS)}.")
        if not 1 <= int(self.latent) <= MAX_LATENT:
            raise UserError(f"the latent size must be between 1 and {MAX_LATENT}.")
        if not (math.isfinite(self.noise) and 0 <= self.noise <= 1):
            raise UserError("the noise factor must be between 0 and 1.")
        if self.noise_kind not in NOISE_KINDS:
            raise UserError(f"unknown noise “{self.noise_kind}”; choose gaussian or saltpepper.")
        if self.loss not in LOSSES:
            raise UserError(f"unknown loss “{self.loss}”; choose bce or mse.")
        return self

    @property
    def denoising(self) -> bool:
        return self.noise > 0

    @property
    def name(self) -> str:
        """A short file-friendly name, e.g. ``dense32`` or ``conv32-denoise``."""
        base = f"{self.arch}{self.latent}"
        if self.denoising:
            base += "-denoise"
        if self.loss != "bce":
            base += f"-{self.loss}"
        return base

    @property
    def title(self) -> str:
        if self.arch == "dense":
            t = f"Dense 784-{self.latent}-784"
        elif self.arch == "deep":
            t = f"Deep dense 784-128-64-{self.latent}-64-128-784"
        else:
            t = f"Convolutional, code of {self.latent}"
        if self.denoising:
            t += f", denoising ({self.noise_kind} noise {self.noise:g})"
        return t


# ------------------------------------------------------------------------------------ models
class AutoEncoder(nn.Module):
    """Encoder → code of ``latent`` numbers → decoder, returning per-pixel logits.

    The code layer is linear. The blog puts a ReLU there, but on the bundled 8,000 digits some code
    units then die for good: dense-32 reaches a validation BCE of 0.099 with a ReLU code and 0.095
    with a linear one (50 epochs, same settings), and a 2-D code can use the whole plane.
    """

    def __init__(self, config: AEConfig = AEConfig()) -> None:
        super().__init__()
        self.config = config = config.validated()
        z = config.latent
        if config.arch == "dense":
            self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, z))
            self.decoder = nn.Sequential(nn.Linear(z, 784), nn.Unflatten(1, (1, 28, 28)))
        elif config.arch == "deep":
            self.encoder = nn.Sequential(
                nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                nn.Linear(64, z),
            )
            self.decoder = nn.Sequential(
                nn.Linear(z, 64), nn.ReLU(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 784),
                nn.Unflatten(1, (1, 28, 28)),
            )
        else:
            self.encoder = nn.Sequential(
                nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # 16×14×14
                nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # 32×7×7
                nn.Flatten(), nn.Linear(32 * 7 * 7, z),
            )
            self.decoder = nn.Sequential(
                nn.Linear(z, 32 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (32, 7, 7)),
                nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.ReLU(),  # 16×14×14
                nn.ConvTranspose2d(16, 16, 4, stride=2, padding=1), nn.ReLU(),  # 16×28×28
                nn.Conv2d(16, 1, 3, padding=1),
            )

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self(x))


def per_image_loss(logits: torch.Tensor, target: torch.Tensor, loss: str = "bce") -> torch.Tensor:
    """Reconstruction loss of each image, averaged over its pixels (Keras' convention)."""
    if loss == "bce":
        per_pixel = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    elif loss == "mse":
        per_pixel = (torch.sigmoid(logits) - target) ** 2
    else:
        raise UserError(f"unknown loss “{loss}”; choose bce or mse.")
    return per_pixel.flatten(1).mean(1)


# ---------------------------------------------------------------------------- image helpers
def to_tensor(images: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """(N, 28, 28) or (28, 28) uint8 → N×1×28×28 float in [0, 1]."""
    arr = np.asarray(images)
    if arr.ndim == 2:
        arr = arr[None]
    return torch.from_numpy(np.array(arr, dtype=np.uint8, copy=True)).to(device).float().div_(255)[:, None]


def to_u8(x: torch.Tensor) -> np.ndarray:
    """N×1×28×28 float in [0, 1] → (N, 28, 28) uint8."""
    return (x.detach().float().clamp(0, 1)[:, 0] * 255).round().to(torch.uint8).cpu().numpy()


def add_noise(x: torch.Tensor, factor: float, kind: str = "gaussian",
              generator: torch.Generator | None = None) -> torch.Tensor:
    """The blog's corruption: ``x + factor·N(0, 1)`` clipped to [0, 1], or salt-and-pepper where a
    fraction ``factor`` of the pixels turns black or white."""
    if factor <= 0:
        return x
    if kind == "gaussian":
        noise = torch.randn(x.shape, generator=generator, device=x.device)
        return (x + factor * noise).clamp_(0, 1)
    if kind == "saltpepper":
        u = torch.rand(x.shape, generator=generator, device=x.device)
        salt = torch.rand(x.shape, generator=generator, device=x.device) < 0.5
        out = x.clone()
        hit = u < factor
        out[hit & salt] = 1.0
        out[hit & ~salt] = 0.0
        return out
    raise UserError(f"unknown noise “{kind}”; choose gaussian or saltpepper.")


def noisy_images(images: np.ndarray, factor: float, kind: str = "gaussian", seed: int = 0) -> np.ndarray:
    """Noisy copies of (N, 28, 28) uint8 digits, for the denoising rows."""
    g = torch.Generator().manual_seed(seed)
    return to_u8(add_noise(to_tensor(images), factor, kind, g))


def _grey01(image: np.ndarray) -> np.ndarray:
    arr = np.asarray(image)
    if arr.ndim == 3:
        if arr.shape[2] == 4:
            arr = arr[:, :, :3]
        rgb = arr.astype(np.float64)
        arr = rgb[:, :, 0] * 0.299 + rgb[:, :, 1] * 0.587 + rgb[:, :, 2] * 0.114
    elif arr.ndim != 2:
        raise UserError("an image must be a grey or colour picture.")
    arr = arr.astype(np.float64)
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


# ------------------------------------------------------------------------- a trained model
@dataclass
class TrainedAE:
    """A trained autoencoder with what the detector needs: the validation digits' losses."""

    model: AutoEncoder
    config: AEConfig
    val_losses: np.ndarray  # each validation digit's detector score (see detector_losses)
    train_loss: float = float("nan")
    val_loss: float = float("nan")  # the training objective on validation (noisy input if denoising)
    epochs: int = 0
    seconds: float = 0.0
    data: str = ""
    path: str = ""
    #: learning curves: "train_x", "train_y" (per epoch), "val_x", "val_y" (epoch 0 = untrained)
    history: dict = field(default_factory=dict)

    @property
    def mean(self) -> float:
        return float(np.mean(self.val_losses))

    @property
    def std(self) -> float:
        return float(np.std(self.val_losses))

    def threshold(self, k: float = DEFAULT_K) -> float:
        return self.mean + k * self.std

    def save(self, path: str | Path) -> Path:
        p = Path(path)
        if not p.parent.is_dir():
            raise UserError(f"the folder “{p.parent}” does not exist.")
        state = {k: v.detach().cpu().clone() for k, v in self.model.state_dict().items()}
        blob = {
            "format": FORMAT, "version": 1, "config": asdict(self.config), "state_dict": state,
            "val_losses": torch.from_numpy(np.asarray(self.val_losses, dtype=np.float32)),
            "train_loss": float(self.train_loss), "val_loss": float(self.val_loss),
            "epochs": int(self.epochs), "seconds": float(self.seconds), "data": str(self.data),
            "history": {k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in self.history.items()},
        }
        tmp = p.with_name(p.name + ".part")
        try:
            torch.save(blob, tmp)
            tmp.replace(p)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise UserError(f"could not write “{p.name}” ({exc.strerror or exc}).") from exc
        return p

    @classmethod
    def load(cls, path: str | Path, device: torch.device | str = "cpu") -> "TrainedAE":
        p = Path(path)
        if not p.is_file():
            raise UserError(f"“{p.name}” does not exist.")
        try:
            blob = torch.load(p, map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's, not a bug
            raise UserError(f"“{p.name}” is not an autoencoder weights file Fooling Lab can read.") from exc
        if not isinstance(blob, dict) or blob.get("format") != FORMAT:
            raise UserError(f"“{p.name}” is not a Fooling Lab autoencoder weights file.")
        try:
            config = AEConfig(**blob["config"]).validated()
            model = AutoEncoder(config)
            model.load_state_dict(blob["state_dict"])
        except (TypeError, KeyError, RuntimeError) as exc:
            raise UserError(f"“{p.name}” holds weights that do not fit its own description.") from exc
        model.to(device).eval()
        return cls(model=model, config=config, val_losses=blob["val_losses"].numpy().astype(np.float32),
                   train_loss=float(blob.get("train_loss", "nan")), val_loss=float(blob.get("val_loss", "nan")),
                   epochs=int(blob.get("epochs", 0)), seconds=float(blob.get("seconds", 0.0)),
                   data=str(blob.get("data", "")), path=str(p),
                   history={k: v.numpy() for k, v in dict(blob.get("history", {})).items()
                            if isinstance(v, torch.Tensor)})


def shipped_weights(config: AEConfig) -> Path:
    """Where the trained weights for ``config`` ship (the file may not exist for every config)."""
    return resource_path("models", f"autoencoder_{config.name}.pt")


def load_default(config: AEConfig = AEConfig(), device: torch.device | str = "cpu") -> TrainedAE:
    """The shipped trained autoencoder for ``config``, or a UserError saying to train one."""
    p = shipped_weights(config.validated())
    if not p.is_file():
        raise UserError(f"no trained weights ship for “{config.title}”; press Train from scratch.")
    return TrainedAE.load(p, device)


# ------------------------------------------------------------------------------ evaluation
def losses(model: AutoEncoder, images: np.ndarray | torch.Tensor, loss: str | None = None, *,
           targets: np.ndarray | torch.Tensor | None = None, batch_size: int = 1000,
           cancel: CancelToken | None = None) -> np.ndarray:
    """Per-image reconstruction loss of (N, 28, 28) uint8 images (or an N×1×28×28 tensor)."""
    loss = loss or model.config.loss
    dev = model.device
    x = images if isinstance(images, torch.Tensor) else to_tensor(images, dev)
    t = x if targets is None else (targets if isinstance(targets, torch.Tensor) else to_tensor(targets, dev))
    out = []
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for i in range(0, len(x), batch_size):
                if cancel is not None and cancel.checkpoint():
                    break
                xb, tb = x[i:i + batch_size].to(dev), t[i:i + batch_size].to(dev)
                out.append(per_image_loss(model(xb), tb, loss).float().cpu())
    finally:
        model.train(was_training)
    return torch.cat(out).numpy() if out else np.zeros(0, np.float32)


def detector_losses(model: AutoEncoder, images: np.ndarray, seed: int = 0) -> np.ndarray:
    """The anomaly score of each (N, 28, 28) uint8 image: how badly the model rebuilds it.

    A denoising model never saw a clean image while training (it rebuilds clean digits from
    noisy ones, and rebuilds clean inputs poorly), so it scores an image the way it was trained:
    the image is corrupted with the model's own noise (fixed seed), the loss is taken against the
    image itself. A plain model scores the image as it is.
    """
    cfg = model.config
    if not cfg.denoising:
        return losses(model, images, cfg.loss)
    x = to_tensor(images)
    noisy = add_noise(x, cfg.noise, cfg.noise_kind, torch.Generator().manual_seed(seed))
    return losses(model, noisy.to(model.device), cfg.loss, targets=x.to(model.device))


def _as_model_sees(model: AutoEncoder, images: np.ndarray, seed: int = 0) -> np.ndarray:
    """The images as :func:`detector_losses` feeds them to ``model`` (noisy for a denoising one)."""
    cfg = model.config
    return noisy_images(images, cfg.noise, cfg.noise_kind, seed) if cfg.denoising else images


def reconstruct(model: AutoEncoder, images: np.ndarray) -> np.ndarray:
    """Reconstructions of (N, 28, 28) uint8 images as uint8."""
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            return to_u8(model.reconstruct(to_tensor(images, model.device)))
    finally:
        model.train(was_training)


@dataclass(frozen=True)
class Verdict:
    """The detector's judgement of one image."""

    loss: float
    z: float  # (loss − mean) / std
    threshold: float
    k: float
    liar: bool
    image: np.ndarray = field(repr=False)  # the 28×28 digit that was scored
    reconstruction: np.ndarray = field(repr=False)

    @property
    def word(self) -> str:
        return "LIAR" if self.liar else "OK"

    @property
    def text(self) -> str:
        return f"loss = {self.loss:.3f} — {'LIAR!' if self.liar else 'OK!'}"


def judge(ae: TrainedAE, digit: np.ndarray, k: float = DEFAULT_K) -> Verdict:
    """Score one 28×28 uint8 digit (already MNIST-style) against the validation digits."""
    if digit.shape != (28, 28):
        raise UserError("the detector needs a 28×28 image; prepare it with mnist_style first.")
    loss = float(detector_losses(ae.model, digit[None])[0])
    std = max(ae.std, 1e-12)
    thr = ae.threshold(k)
    return Verdict(loss=loss, z=(loss - ae.mean) / std, threshold=thr, k=float(k), liar=loss > thr,
                   image=digit, reconstruction=reconstruct(ae.model, _as_model_sees(ae.model, digit[None]))[0])


def roc_curve(negatives: np.ndarray, positives: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False- and true-positive rates of "score > threshold" over every threshold (from (0,0) to (1,1)).

    ``negatives`` are the scores of real digits, ``positives`` those of off-manifold images.
    """
    neg = np.asarray(negatives, dtype=np.float64)
    pos = np.asarray(positives, dtype=np.float64)
    if len(neg) == 0 or len(pos) == 0:
        raise UserError("the ROC curve needs both real digits and off-manifold images.")
    scores = np.concatenate([neg, pos])
    labels = np.concatenate([np.zeros(len(neg)), np.ones(len(pos))])
    order = np.argsort(-scores, kind="mergesort")
    scores, labels = scores[order], labels[order]
    # one point per distinct threshold: the last index of each run of equal scores
    last = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
    tp = np.cumsum(labels)[last]
    fp = np.cumsum(1 - labels)[last]
    tpr = np.r_[0.0, tp / len(pos)]
    fpr = np.r_[0.0, fp / len(neg)]
    return fpr, tpr


def auroc(negatives: np.ndarray, positives: np.ndarray) -> float:
    """Area under the ROC curve: the chance that an off-manifold image scores above a real digit
    (ties count half)."""
    fpr, tpr = roc_curve(negatives, positives)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


# ----------------------------------------------------------------------- off-manifold images
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
            from . import models

            ok, _ = models.availability("mnist_cnn")
            if ok:
                return models.load_classifier("mnist_cnn", "cpu")
        except UserError:
            pass
    from .data import mnist_sample

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
    frozen_flags = [p.requires_grad for p in net.parameters()]
    for p in net.parameters():
        p.requires_grad_(False)
    was_training = net.training
    net.eval()
    try:
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
    finally:
        for p, flag in zip(net.parameters(), frozen_flags):
            p.requires_grad_(flag)
        net.train(was_training)
    return images, targets.numpy().astype(np.uint8), probs.numpy()


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


@dataclass(frozen=True)
class DetectorReport:
    """How well the detector separates validation digits from each off-manifold kind."""

    digit_losses: np.ndarray
    kind_losses: dict[str, np.ndarray]
    aurocs: dict[str, float]
    auroc_all: float
    fpr: np.ndarray  # ROC of digits versus all kinds together
    tpr: np.ndarray
    flagged: dict[str, float]  # fraction of each kind above mean + k·std
    false_alarms: float  # fraction of validation digits above mean + k·std
    k: float


def evaluate_detector(ae: TrainedAE, off: dict[str, np.ndarray], k: float = DEFAULT_K,
                      digit_losses: np.ndarray | None = None) -> DetectorReport:
    neg = ae.val_losses if digit_losses is None else np.asarray(digit_losses)
    kind_losses = {kind: detector_losses(ae.model, imgs) for kind, imgs in off.items()}
    if not kind_losses:
        raise UserError("no off-manifold images to test the detector on.")
    pos = np.concatenate(list(kind_losses.values()))
    fpr, tpr = roc_curve(neg, pos)
    thr = ae.threshold(k)
    return DetectorReport(
        digit_losses=neg, kind_losses=kind_losses,
        aurocs={kind: auroc(neg, v) for kind, v in kind_losses.items()},
        auroc_all=auroc(neg, pos), fpr=fpr, tpr=tpr,
        flagged={kind: float(np.mean(v > thr)) for kind, v in kind_losses.items()},
        false_alarms=float(np.mean(neg > thr)), k=float(k),
    )


# --------------------------------------------------------------------------------- latent
def encode(model: AutoEncoder, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Codes of (N, 28, 28) uint8 images, (N, latent) float32."""
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            x = to_tensor(images, model.device)
            return torch.cat([model.encode(x[i:i + batch_size]).float().cpu()
                              for i in range(0, len(x), batch_size)]).numpy()
    finally:
        model.train(was_training)


def decode(model: AutoEncoder, codes: np.ndarray) -> np.ndarray:
    """(N, latent) codes → (N, 28, 28) uint8 decoded digits."""
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            z = torch.as_tensor(np.asarray(codes, dtype=np.float32), device=model.device)
            return to_u8(torch.sigmoid(model.decode_logits(z)))
    finally:
        model.train(was_training)


@dataclass(frozen=True)
class LatentMap:
    """A 2-D picture of the codes: the codes themselves when there are two, else their PCA."""

    points: np.ndarray  # (N, 2)
    codes: np.ndarray  # (N, latent)
    mean: np.ndarray  # (latent,)
    components: np.ndarray  # (2, latent); rows orthonormal
    explained: float  # fraction of the codes' variance the two axes show
    exact: bool  # True when the latent space itself is 2-D (or smaller)

    def to_code(self, point: tuple[float, float] | np.ndarray) -> np.ndarray:
        """A code for a point of the plane (exact for a 2-D latent, the PCA plane otherwise)."""
        p = np.asarray(point, dtype=np.float64).reshape(-1, 2)
        return (self.mean + p @ self.components[:, : len(self.mean)]).astype(np.float32)

    def nearest(self, point: tuple[float, float]) -> int:
        d = ((self.points - np.asarray(point)) ** 2).sum(1)
        return int(np.argmin(d))


def latent_map(codes: np.ndarray) -> LatentMap:
    c = np.asarray(codes, dtype=np.float64)
    d = c.shape[1]
    if d <= 2:
        pts = np.zeros((len(c), 2))
        pts[:, :d] = c
        return LatentMap(pts.astype(np.float32), c.astype(np.float32), np.zeros(d), np.eye(2, d), 1.0, True)
    mean = c.mean(0)
    centred = c - mean
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    comps = vt[:2]
    var = s ** 2
    explained = float(var[:2].sum() / max(var.sum(), 1e-12))
    return LatentMap((centred @ comps.T).astype(np.float32), c.astype(np.float32), mean, comps, explained, False)


def interpolate(model: AutoEncoder, code_a: np.ndarray, code_b: np.ndarray, steps: int = 10) -> np.ndarray:
    """Decoded digits along the straight line from code ``a`` to code ``b`` (both ends included)."""
    t = np.linspace(0, 1, max(2, steps))[:, None]
    return decode(model, (1 - t) * np.asarray(code_a)[None] + t * np.asarray(code_b)[None])


# -------------------------------------------------------------------------------- training
@dataclass(frozen=True)
class TrainParams:
    epochs: int = 50
    batch_size: int = 32
    lr: float = 1e-3
    strip: int = 10  # validation digits shown, one of each class
    frame_interval: float = 0.15  # seconds between live frames

    def validated(self) -> "TrainParams":
        if not 1 <= self.epochs <= 10_000:
            raise UserError("the number of epochs must be between 1 and 10000.")
        if not 1 <= self.batch_size <= 65_536:
            raise UserError("the batch size must be between 1 and 65536.")
        if not (math.isfinite(self.lr) and 0 < self.lr < 1):
            raise UserError("the learning rate must be between 0 and 1.")
        return self


#: Adam (batch size, learning rate) that reached the lowest validation loss after 50 epochs on the
#: bundled 8,000 digits (bench/autoencoder.py). Deep: batch 32 at 2e-3 gave 0.1016, 16 at 1e-3
#: 0.1029, 64 at 3e-3 0.1037, 32 at 1e-3 0.1077, 16 at 5e-4 0.1070.
DEFAULT_TRAINING = {"dense": (16, 5e-4), "deep": (32, 2e-3), "conv": (32, 1e-3)}


def default_params(arch: str, epochs: int = 50, **overrides) -> TrainParams:
    """The training settings the tab and the shipped weights use for ``arch``."""
    batch, lr = DEFAULT_TRAINING.get(arch, (TrainParams.batch_size, TrainParams.lr))
    return TrainParams(**{"epochs": epochs, "batch_size": batch, "lr": lr, **overrides}).validated()


@dataclass(frozen=True)
class TrainFrame(Frame):
    epoch: int = 0  # epochs completed
    epochs: int = 0
    batch: int = 0
    batches: int = 0
    train_x: np.ndarray = field(default=None, repr=False)  # position in epochs (fractional)
    train_y: np.ndarray = field(default=None, repr=False)  # smoothed training loss
    val_x: np.ndarray = field(default=None, repr=False)  # whole epochs (0 = before training)
    val_y: np.ndarray = field(default=None, repr=False)
    strip_inputs: np.ndarray = field(default=None, repr=False)  # (n, 28, 28): what the net sees
    strip_recons: np.ndarray = field(default=None, repr=False)
    strip_clean: np.ndarray = field(default=None, repr=False)
    strip_labels: tuple[int, ...] = ()
    strip_losses: np.ndarray = field(default=None, repr=False)
    train_loss: float = float("nan")
    val_loss: float = float("nan")
    samples_per_s: float = 0.0
    seconds: float = 0.0
    result: TrainedAE | None = field(default=None, repr=False)  # only on the final frame


def _epoch_history(train_x, train_y, val_x, val_y) -> dict:
    """The per-epoch points of the learning curves (what a saved model keeps of its training)."""
    tx = np.asarray(train_x, np.float32)
    keep = np.isclose(tx, np.round(tx))
    return {"train_x": tx[keep], "train_y": np.asarray(train_y, np.float32)[keep],
            "val_x": np.asarray(val_x, np.float32), "val_y": np.asarray(val_y, np.float32)}


def strip_indices(y: np.ndarray, n: int = 10) -> np.ndarray:
    """The first validation digit of each class 0, 1, 2, … (then more, if n > 10)."""
    picks: list[int] = []
    for d in range(10):
        hits = np.flatnonzero(y == d)
        if len(hits):
            picks.append(int(hits[0]))
    rest = [i for i in range(len(y)) if i not in set(picks)]
    return np.asarray((picks + rest)[:n], dtype=np.int64)


def train_job(
    digits: DigitSet,
    config: AEConfig = AEConfig(),
    params: TrainParams = TrainParams(),
    *,
    seed: int = 0,
    device: torch.device | str = "cpu",
    cancel: CancelToken | None = None,
) -> Iterator[TrainFrame]:
    """Train an autoencoder from scratch on ``digits``, yielding live frames.

    A frame comes every ``params.frame_interval`` seconds and at the end of every epoch (with the
    validation loss); the cancel token is checked after every batch. The last frame (``done=True``)
    carries the trained model in ``result``, also after a stop (then trained for fewer epochs).
    """
    config = config.validated()
    params = params.validated()
    cancel = cancel or CancelToken()
    device = torch.device(device)
    torch.manual_seed(seed)  # weight init; the data order and noise use their own generator
    g = torch.Generator().manual_seed(seed)
    model = AutoEncoder(config).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=params.lr)
    x_train = to_tensor(digits.x_train, device)
    x_val = to_tensor(digits.x_val, device)
    if len(x_train) == 0 or len(x_val) == 0:
        raise UserError("training needs both training and validation digits.")
    # the validation inputs are corrupted once, with a fixed seed, so the curve is comparable
    x_val_in = add_noise(x_val.cpu(), config.noise, config.noise_kind,
                         torch.Generator().manual_seed(seed + 1)).to(device)
    strip = strip_indices(digits.y_val, params.strip)
    strip_labels = tuple(int(digits.y_val[i]) for i in strip)
    n = len(x_train)
    batches = math.ceil(n / params.batch_size)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=params.epochs * batches, eta_min=params.lr * 0.05)

    train_x: list[float] = []
    train_y: list[float] = []
    val_x: list[float] = [0.0]
    val_y: list[float] = [float(np.mean(losses(model, x_val_in, config.loss, targets=x_val)))]
    meter_t0 = time.perf_counter()
    t_start = meter_t0
    seen = 0
    rate = RateMeter(window=20)
    last_emit = 0.0
    running = float("nan")
    epoch_loss_sum, epoch_count = 0.0, 0
    train_loss = float("nan")

    def frame(epoch: int, batch: int, done: bool = False, result: TrainedAE | None = None) -> TrainFrame:
        was_training = model.training
        model.eval()
        with torch.inference_mode():
            xin = x_val_in[strip]
            logits = model(xin)
            recon = to_u8(torch.sigmoid(logits))
            sl = per_image_loss(logits, x_val[strip], config.loss).float().cpu().numpy()
        model.train(was_training)
        elapsed = time.perf_counter() - t_start
        return TrainFrame(
            step=epoch * batches + batch, total=params.epochs * batches, done=done,
            message=f"epoch {epoch}/{params.epochs}, validation loss {val_y[-1]:.4f}",
            epoch=epoch, epochs=params.epochs, batch=batch, batches=batches,
            train_x=np.asarray(train_x, np.float32), train_y=np.asarray(train_y, np.float32),
            val_x=np.asarray(val_x, np.float32), val_y=np.asarray(val_y, np.float32),
            strip_inputs=to_u8(xin), strip_recons=recon, strip_clean=to_u8(x_val[strip]),
            strip_labels=strip_labels, strip_losses=sl,
            train_loss=train_loss, val_loss=val_y[-1],
            samples_per_s=seen / elapsed if elapsed > 0 else 0.0, seconds=elapsed, result=result,
        )

    yield frame(0, 0)
    epoch = 0
    stopped = False
    with torch.enable_grad():
        model.train()
        for epoch in range(1, params.epochs + 1):
            order = torch.randperm(n, generator=g).to(device)
            epoch_loss_sum, epoch_count = 0.0, 0
            for b in range(batches):
                idx = order[b * params.batch_size:(b + 1) * params.batch_size]
                target = x_train[idx]
                xin = add_noise(target.cpu(), config.noise, config.noise_kind, g).to(device) \
                    if config.denoising else target
                loss = per_image_loss(model(xin), target, config.loss).mean()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
                value = float(loss.detach())
                epoch_loss_sum += value * len(idx)
                epoch_count += len(idx)
                running = value if math.isnan(running) else 0.9 * running + 0.1 * value
                seen += len(idx)
                rate.tick()
                now = time.perf_counter()
                if now - last_emit >= params.frame_interval and b + 1 < batches:
                    last_emit = now
                    train_x.append(epoch - 1 + (b + 1) / batches)
                    train_y.append(running)
                    yield frame(epoch - 1, b + 1)
                if cancel.checkpoint():
                    stopped = True
                    break
            if epoch_count:
                train_loss = epoch_loss_sum / epoch_count
            if stopped:
                epoch -= 1
                break
            train_x.append(float(epoch))
            train_y.append(running)  # the smoothed curve (the epoch mean lags behind it)
            val_x.append(float(epoch))
            val_y.append(float(np.mean(losses(model, x_val_in, config.loss, targets=x_val))))
            last_emit = time.perf_counter()
            if epoch < params.epochs:
                yield frame(epoch, 0)
    model.eval()
    result = TrainedAE(model=model, config=config, val_losses=detector_losses(model, digits.x_val), train_loss=train_loss,
                       val_loss=val_y[-1], epochs=epoch, seconds=time.perf_counter() - t_start,
                       data=digits.source, history=_epoch_history(train_x, train_y, val_x, val_y))
    final = frame(epoch, 0, done=True, result=result)
    yield final


# ------------------------------------------------------------------------- detector job
@dataclass(frozen=True)
class DetectorFrame(Frame):
    kind: str = ""
    examples: dict = field(default_factory=dict, repr=False)  # kind → (m, 28, 28) uint8, a few each
    report: DetectorReport | None = field(default=None, repr=False)  # only on the final frame


def detector_job(ae_: TrainedAE, digits: DigitSet, *, kinds: tuple[str, ...] = OFF_MANIFOLD_KINDS,
                 n: int = 200, k: float = DEFAULT_K, seed: int = 0,
                 cancel: CancelToken | None = None) -> Iterator[DetectorFrame]:
    """Make ``n`` off-manifold images of each kind, score them, and report the ROC and AUROCs."""
    cancel = cancel or CancelToken()
    off: dict[str, np.ndarray] = {}
    for i, kind in enumerate(kinds):
        yield DetectorFrame(step=i, total=len(kinds), kind=kind, message=f"making {n} “{kind}” images",
                            examples={kk: v[:8] for kk, v in off.items()})
        if cancel.checkpoint():
            return
        off.update(off_manifold_set(digits, (kind,), n, seed=seed + i, cancel=cancel))
    if cancel.checkpoint() or not off:
        return
    report = evaluate_detector(ae_, off, k=k)
    yield DetectorFrame(step=len(kinds), total=len(kinds), done=True, report=report,
                        examples={kk: v[:8] for kk, v in off.items()},
                        message=f"AUROC {report.auroc_all:.3f} over {sum(len(v) for v in off.values())} images")
