"""Training an autoencoder live: the job yields the learning curves and a strip of validation
digits with their reconstructions, and watches itself — a loss that stops being a number or
explodes ends the run with a sentence, keeping the last good weights."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import torch

from ..data import DigitSet
from ..errors import UserError
from ..jobs import CancelToken, Frame
from ..models import frozen
from .config import AEConfig, TrainParams
from .detector import detector_losses, losses
from .models import AutoEncoder, add_noise, per_image_loss, to_tensor, to_u8
from .weights import TrainedAE

#: A training batch whose loss is this many times the untrained model's validation loss has
#: exploded; an epoch whose validation loss is this many times it has diverged.
EXPLODED_BATCH = 10.0
DIVERGED_EPOCH = 1.5
#: Seconds between redraws of the strip of reconstructions within an epoch.
STRIP_INTERVAL = 1.0


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
    #: only on the final frame: the trained model (None when a diverged run kept nothing good)
    result: TrainedAE | None = field(default=None, repr=False)
    #: on the final frame of a run that went wrong: what happened, in one sentence
    failure: str = ""


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
    chosen = set(picks)
    rest = [i for i in range(len(y)) if i not in chosen][: max(0, n - len(picks))]
    return np.asarray((picks + rest)[:n], dtype=np.int64)


def _num(x: float) -> str:
    return f"{x:.4g}" if math.isfinite(x) else "not a number"


def train_job(
    digits: DigitSet,
    config: AEConfig = AEConfig(),
    params: TrainParams = TrainParams(),
    *,
    seed: int | None = None,
    device: torch.device | str = "cpu",
    cancel: CancelToken | None = None,
    strip: int = 10,
    frame_interval: float = 0.15,
) -> Iterator[TrainFrame]:
    """Train an autoencoder from scratch on ``digits``, yielding live frames.

    A frame comes every ``frame_interval`` seconds and at the end of every epoch (with the
    validation loss); the cancel token is checked after every batch. The last frame (``done=True``)
    carries the trained model in ``result``, also after a stop (then trained for fewer epochs).
    A batch loss that is not finite or explodes, or an epoch whose validation loss diverges, ends
    the run: the last frame then names the problem in ``failure`` and ``result`` holds the weights
    of the last good epoch (None if no epoch was good).
    """
    config = config.validated()
    params = params.validated()
    seed = params.seed if seed is None else seed
    batch_size, lr = params.resolved(config.arch)
    cancel = cancel or CancelToken()
    device = torch.device(device)
    if len(digits.x_train) == 0 or len(digits.x_val) == 0:
        raise UserError("training needs both training and validation digits.")
    torch.manual_seed(seed)  # weight init; the data order and noise use their own generator
    g = torch.Generator().manual_seed(seed)
    model = AutoEncoder(config).to(device)
    x_train = to_tensor(digits.x_train, device)
    x_val = to_tensor(digits.x_val, device)
    # the validation inputs are corrupted once, with a fixed seed, so the curve is comparable
    x_val_in = add_noise(x_val.cpu(), config.noise, config.noise_kind,
                         torch.Generator().manual_seed(seed + 1)).to(device)
    # what "exploded" and "diverged" are measured against: the fresh network's grey output
    untrained = float(np.mean(losses(model, x_val_in, config.loss, targets=x_val)))
    untrained = untrained if math.isfinite(untrained) and untrained > 0 else 1.0
    model.start_at_mean(x_train.mean(0))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    strip_idx = torch.from_numpy(strip_indices(digits.y_val, strip)).to(device)
    strip_labels = tuple(int(digits.y_val[i]) for i in strip_idx.tolist())
    n = len(x_train)
    batches = math.ceil(n / batch_size)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=params.epochs * batches, eta_min=lr * 0.05)

    train_x: list[float] = []
    train_y: list[float] = []
    val_x: list[float] = [0.0]
    val_y: list[float] = [float(np.mean(losses(model, x_val_in, config.loss, targets=x_val)))]
    good = {"epoch": 0, "state": None, "curves": (0, 0, 1)}  # the last epoch that ended well
    t_start = time.perf_counter()
    seen = 0
    last_emit = 0.0
    running = float("nan")
    train_loss = float("nan")
    failure = ""

    strip_clean = to_u8(x_val[strip_idx])
    strip_in = to_u8(x_val_in[strip_idx])
    strip_cache: dict = {"t": -1.0}

    def strip_now(force: bool) -> tuple[np.ndarray, np.ndarray]:
        """The strip's reconstructions and losses: redrawn at every epoch's end and at most once a
        second in between (cheap frames keep the job within a few per cent of a bare loop)."""
        now = time.perf_counter()
        if force or now - strip_cache["t"] >= STRIP_INTERVAL:
            with frozen(model), torch.inference_mode():
                logits = model(x_val_in[strip_idx])
                strip_cache["recon"] = to_u8(torch.sigmoid(logits))
                strip_cache["loss"] = per_image_loss(logits, x_val[strip_idx], config.loss).float().cpu().numpy()
            strip_cache["t"] = now
        return strip_cache["recon"], strip_cache["loss"]

    def frame(epoch: int, batch: int, done: bool = False, result: TrainedAE | None = None) -> TrainFrame:
        recon, sl = strip_now(force=done or batch == 0)
        elapsed = time.perf_counter() - t_start
        return TrainFrame(
            step=epoch * batches + batch, total=params.epochs * batches, done=done,
            message=failure or f"epoch {epoch}/{params.epochs}, validation loss {_num(val_y[-1])}",
            epoch=epoch, epochs=params.epochs, batch=batch, batches=batches,
            train_x=np.asarray(train_x, np.float32), train_y=np.asarray(train_y, np.float32),
            val_x=np.asarray(val_x, np.float32), val_y=np.asarray(val_y, np.float32),
            strip_inputs=strip_in, strip_recons=recon, strip_clean=strip_clean,
            strip_labels=strip_labels, strip_losses=sl,
            train_loss=train_loss, val_loss=val_y[-1],
            samples_per_s=seen / elapsed if elapsed > 0 else 0.0, seconds=elapsed, result=result,
            failure=failure,
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
                idx = order[b * batch_size:(b + 1) * batch_size]
                target = x_train[idx]
                xin = add_noise(target.cpu(), config.noise, config.noise_kind, g).to(device) \
                    if config.denoising else target
                loss = per_image_loss(model(xin), target, config.loss).mean()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
                value = loss.item()
                if not math.isfinite(value) or value > EXPLODED_BATCH * untrained:
                    failure = (f"training diverged in epoch {epoch}: the loss became {_num(value)} "
                               f"(an untrained network's is {untrained:.3f}); try a smaller learning rate")
                    break
                epoch_loss_sum += value * len(idx)
                epoch_count += len(idx)
                running = value if running != running else 0.9 * running + 0.1 * value
                seen += len(idx)
                now = time.perf_counter()
                if now - last_emit >= frame_interval and b + 1 < batches:
                    last_emit = now
                    train_x.append(epoch - 1 + (b + 1) / batches)
                    train_y.append(running)
                    yield frame(epoch - 1, b + 1)
                if cancel.checkpoint():
                    stopped = True
                    break
            if epoch_count:
                train_loss = epoch_loss_sum / epoch_count
            if stopped or failure:
                epoch -= 1
                break
            val = float(np.mean(losses(model, x_val_in, config.loss, targets=x_val)))
            if not math.isfinite(val) or val > DIVERGED_EPOCH * untrained:
                failure = (f"training diverged in epoch {epoch}: the validation loss became {_num(val)} "
                           f"(an untrained network's is {untrained:.3f}); try a smaller learning rate")
                epoch -= 1
                break
            train_x.append(float(epoch))
            train_y.append(running)  # the smoothed curve (the epoch mean lags behind it)
            val_x.append(float(epoch))
            val_y.append(val)
            good.update(epoch=epoch, state={k: v.detach().clone() for k, v in model.state_dict().items()},
                        curves=(len(train_x), len(train_y), len(val_y)), train_loss=train_loss)
            last_emit = time.perf_counter()
            if epoch < params.epochs:
                yield frame(epoch, 0)
    model.eval()
    result = None
    if failure:
        epoch = good["epoch"]
        del train_x[good["curves"][0]:], train_y[good["curves"][1]:], val_x[good["curves"][2]:], val_y[good["curves"][2]:]
        if good["state"] is not None:
            model.load_state_dict(good["state"])
            train_loss = good["train_loss"]
            failure += f"; kept the weights of epoch {epoch}, the last good one"
        else:
            failure += "; no epoch finished well, so there are no weights to keep"
    if not failure or good["state"] is not None:
        result = TrainedAE(model=model, config=config, val_losses=detector_losses(model, digits.x_val),
                           train_loss=train_loss, val_loss=val_y[-1], epochs=epoch,
                           seconds=time.perf_counter() - t_start, data=digits.source,
                           history=_epoch_history(train_x, train_y, val_x, val_y))
    yield frame(epoch, 0, done=True, result=result)
