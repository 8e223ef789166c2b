"""What every job shares: frames, a cancellation token, and small helpers.

A job is a plain generator function in ``core/``: it takes its parameters as keyword arguments and
a :class:`CancelToken`, and yields frames, frozen dataclasses of numpy arrays and numbers that are
ready to draw. The window runs it in a worker thread, the CLI and the tests just iterate it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Iterator, TypeVar

import numpy as np
import torch

F = TypeVar("F", bound="Frame")


@dataclass(frozen=True)
class Frame:
    """Base of all frames: where the job is and what it wants to say."""

    step: int
    total: int
    message: str = ""
    done: bool = False


class Cancelled(Exception):
    """Raised inside a job by :meth:`CancelToken.raise_if_cancelled`."""


class CancelToken:
    """Thread-safe stop and pause flags that a job polls between steps."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()

    def cancel(self) -> None:
        self._stop.set()
        self._running.set()  # a paused job must wake up to notice the stop

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    def pause(self) -> None:
        if not self._stop.is_set():
            self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait_if_paused(self, timeout: float | None = None) -> None:
        """Block while paused (returns at once when running or cancelled)."""
        self._running.wait(timeout)

    def checkpoint(self) -> bool:
        """Wait out a pause, then tell whether the job should stop."""
        self.wait_if_paused()
        return self._stop.is_set()

    def raise_if_cancelled(self) -> None:
        if self.checkpoint():
            raise Cancelled


def never_cancelled() -> CancelToken:
    return CancelToken()


def run_to_end(job: Iterator[F]) -> F | None:
    """Exhaust a job and return its last frame (None if it yielded nothing)."""
    last = None
    for last in job:
        pass
    return last


class RateMeter:
    """Steps (or items, ``tick(n)``) per second over a short sliding window, for the live read-outs."""

    def __init__(self, window: int = 10) -> None:
        self._times: list[float] = []
        self._counts: list[int] = []
        self._window = window

    def tick(self, count: int = 1) -> float:
        """Mark that ``count`` more steps are done; returns the rate over the last ``window`` marks."""
        now = time.perf_counter()
        self._times.append(now)
        self._counts.append(count)
        del self._times[: -self._window - 1]
        del self._counts[: -self._window - 1]
        if len(self._times) < 2:
            return 0.0
        return sum(self._counts[1:]) / max(now - self._times[0], 1e-9)


def to_uint8_image(x: torch.Tensor) -> np.ndarray:
    """A CHW or 1CHW float tensor in [0, 1] → HWC uint8 (grey stays 2-D), rounded to the 8-bit grid."""
    if x.dim() == 4:
        x = x[0]
    arr = (x.detach().float().clamp(0, 1) * 255).round().to(torch.uint8).cpu()
    if arr.shape[0] == 1:
        return arr[0].numpy()
    return arr.permute(1, 2, 0).contiguous().numpy()


def from_uint8_image(img: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """HWC (or HW) uint8 → 1CHW float tensor in [0, 1]."""
    arr = np.ascontiguousarray(img)
    t = torch.from_numpy(arr.copy()).to(device)
    if t.dim() == 2:
        t = t[None]
    else:
        t = t.permute(2, 0, 1)
    return t[None].float().div_(255)
