"""The LIAR! detector: reconstruction loss as an anomaly score, one image's verdict, and the ROC
of digits against off-manifold images.

An autoencoder trained on digits reconstructs digits well and everything else badly, so its
reconstruction loss is an anomaly score: an image whose loss lies more than ``k`` standard
deviations above the validation digits' mean is called a liar. The detector fails closed: with a
model that learned no digits, or a loss that is not a finite number, it cannot judge — it never
says "OK!" on garbage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import torch

from ..data import DigitSet
from ..errors import UserError
from ..jobs import CancelToken, Frame
from ..models import frozen
from .config import DEFAULT_K, OFF_MANIFOLD_KINDS
from .models import AutoEncoder, add_noise, noisy_images, per_image_loss, to_tensor, to_u8
from .weights import TrainedAE


def losses(model: AutoEncoder, images: np.ndarray | torch.Tensor, loss: str | None = None, *,
           targets: np.ndarray | torch.Tensor | None = None, batch_size: int = 1000,
           cancel: CancelToken | None = None) -> np.ndarray:
    """Per-image reconstruction loss of (N, 28, 28) uint8 images (or an N×1×28×28 tensor)."""
    loss = loss or model.config.loss
    dev = model.device
    x = images if isinstance(images, torch.Tensor) else to_tensor(images, dev)
    t = x if targets is None else (targets if isinstance(targets, torch.Tensor) else to_tensor(targets, dev))
    out = []
    with frozen(model), torch.inference_mode():
        for i in range(0, len(x), batch_size):
            if cancel is not None and cancel.checkpoint():
                break
            xb, tb = x[i:i + batch_size].to(dev), t[i:i + batch_size].to(dev)
            out.append(per_image_loss(model(xb), tb, loss).float().cpu())
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


def as_model_sees(model: AutoEncoder, images: np.ndarray, seed: int = 0) -> np.ndarray:
    """The images as :func:`detector_losses` feeds them to ``model`` (noisy for a denoising one)."""
    cfg = model.config
    return noisy_images(images, cfg.noise, cfg.noise_kind, seed) if cfg.denoising else images


def reconstruct(model: AutoEncoder, images: np.ndarray) -> np.ndarray:
    """Reconstructions of (N, 28, 28) uint8 images as uint8."""
    with frozen(model), torch.inference_mode():
        return to_u8(model.reconstruct(to_tensor(images, model.device)))


@dataclass(frozen=True)
class Verdict:
    """The detector's judgement of one image: liar, OK, or cannot judge (``liar is None``)."""

    loss: float
    z: float  # (loss − mean) / std
    threshold: float
    k: float
    liar: bool | None
    image: np.ndarray = field(repr=False)  # the 28×28 digit that was scored
    reconstruction: np.ndarray = field(repr=False)
    reason: str = ""  # why it cannot judge

    @property
    def judged(self) -> bool:
        return self.liar is not None

    @property
    def word(self) -> str:
        return "CANNOT JUDGE" if self.liar is None else ("LIAR" if self.liar else "OK")

    @property
    def shout(self) -> str:
        return "cannot judge" if self.liar is None else ("LIAR!" if self.liar else "OK!")

    @property
    def text(self) -> str:
        loss = f"{self.loss:.3f}" if math.isfinite(self.loss) else "not a number"
        return f"loss = {loss} — {self.shout}"


def judge(ae: TrainedAE, digit: np.ndarray, k: float = DEFAULT_K) -> Verdict:
    """Score one 28×28 uint8 digit (already MNIST-style) against the validation digits.

    Fails closed: a model that learned no digits, or a loss that is not finite, gives a verdict
    that cannot judge (``liar is None``) with the reason.
    """
    digit = np.asarray(digit)
    if digit.shape != (28, 28):
        raise UserError("the detector needs a 28×28 image; prepare it with mnist_style first.")
    if not (isinstance(k, (int, float)) and math.isfinite(k)):
        raise UserError("the threshold k must be a finite number.")
    digit = np.ascontiguousarray(digit, dtype=np.uint8)
    loss = float(detector_losses(ae.model, digit[None])[0])
    recon = reconstruct(ae.model, as_model_sees(ae.model, digit[None]))[0]
    std = max(ae.std, 1e-12) if math.isfinite(ae.std) else float("nan")
    thr = ae.threshold(k)
    reason = ae.unfit
    if not reason and not math.isfinite(loss):
        reason = "this image's reconstruction loss is not a finite number"
    if not reason and not math.isfinite(thr):
        reason = "the threshold is not a finite number"
    z = (loss - ae.mean) / std if math.isfinite(loss) and math.isfinite(std) else float("nan")
    liar = None if reason else bool(loss > thr)
    return Verdict(loss=loss, z=z, threshold=thr, k=float(k), liar=liar, image=digit,
                   reconstruction=recon, reason=reason)


def roc_curve(negatives: np.ndarray, positives: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False- and true-positive rates of "score > threshold" over every threshold (from (0,0) to (1,1)).

    ``negatives`` are the scores of real digits, ``positives`` those of off-manifold images.
    """
    neg = np.asarray(negatives, dtype=np.float64)
    pos = np.asarray(positives, dtype=np.float64)
    if len(neg) == 0 or len(pos) == 0:
        raise UserError("the ROC curve needs both real digits and off-manifold images.")
    if not (np.isfinite(neg).all() and np.isfinite(pos).all()):
        raise UserError("some reconstruction losses are not finite numbers; the detector cannot judge with this model.")
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
    if ae.unfit:
        raise UserError(f"this autoencoder cannot judge: {ae.unfit}.")
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


@dataclass(frozen=True)
class DetectorFrame(Frame):
    kind: str = ""
    examples: dict = field(default_factory=dict, repr=False)  # kind → (m, 28, 28) uint8, a few each
    report: DetectorReport | None = field(default=None, repr=False)  # only on the final frame


def detector_job(ae_: TrainedAE, digits: DigitSet, *, kinds: tuple[str, ...] = OFF_MANIFOLD_KINDS,
                 n: int = 200, k: float = DEFAULT_K, seed: int = 0,
                 cancel: CancelToken | None = None) -> Iterator[DetectorFrame]:
    """Make ``n`` off-manifold images of each kind, score them, and report the ROC and AUROCs."""
    from .off_manifold import off_manifold_set

    cancel = cancel or CancelToken()
    if ae_.unfit:
        raise UserError(f"this autoencoder cannot judge: {ae_.unfit}.")
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
