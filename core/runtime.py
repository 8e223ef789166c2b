"""Device choice, seeding and thread settings."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

from .errors import UserError

DEVICE_CHOICES = ("auto", "cuda", "mps", "cpu")


class DeviceError(UserError, ValueError):
    """An unknown device name (most often in ``FOOLING_LAB_DEVICE``)."""


def mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def available_devices() -> list[str]:
    """Devices this machine can run on, best first."""
    devices = []
    if torch.cuda.is_available():
        devices.append("cuda")
    if mps_available():
        devices.append("mps")
    devices.append("cpu")
    return devices


def pick_device(preference: str | None = None) -> torch.device:
    """CUDA, then Apple MPS, then CPU; ``preference`` (or ``FOOLING_LAB_DEVICE``) overrides.

    Asking for a device this machine lacks falls back to the best one it has, so a settings file
    written on a GPU laptop still opens on a CPU-only lecture-hall PC.
    """
    source = "the device" if preference else "FOOLING_LAB_DEVICE"
    preference = (preference or os.environ.get("FOOLING_LAB_DEVICE") or "auto").strip().lower()
    if preference not in DEVICE_CHOICES:
        raise DeviceError(f"{source} is “{preference[:40]}”, which is not a device; "
                          f"choose one of {', '.join(DEVICE_CHOICES)}.")
    have = available_devices()
    device = torch.device(preference if preference != "auto" and preference in have else have[0])
    if device.type == "cuda":
        full_float32()
    return device


def full_float32() -> None:
    """Keep float32 convolutions and products in float32 on NVIDIA GPUs. PyTorch lets cuDNN use
    TF32 (10-bit mantissa) by default: EfficientNet-Lite0's probabilities then move by up to 3e-3
    against the CPU (2e-6 without), so the network the lecture fools would not be the one on the
    slide. The speed given up was 13 % on an H100 (docs/benchmarks.md)."""
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch's global generators (jobs prefer their own generators)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


#: What ``configure_threads`` last put in force: {"torch": n, "blas": m}, or None before the first call.
_THREADS: dict[str, int] | None = None


def configure_threads(n: int | None = None, *, blas: int = 1) -> int:
    """The one place that sizes the process's thread pools; returns torch's intra-op threads.

    torch computes with ``n`` intra-op threads (default: every core). numpy's BLAS gets ``blas``
    threads (default 1): the heavy maths runs in torch, and a BLAS pool woken by a stray float64
    call (``np.linalg.norm``, ``@``) keeps spinning after it returns, competing with torch's OpenMP
    threads during the next forward and backward pass; on a 2-core machine that made a
    gradient-ascent step 2.5× slower. Both settings are process-wide, so the GUI's worker threads
    inherit them. Call it once at start-up (CLI, window, tests, benches); calling again re-applies.

    OpenMP's idle threads sleep instead of spinning (``OMP_WAIT_POLICY=PASSIVE``, set by
    ``core/__init__`` before torch loads; an explicit setting in the environment wins). Spinning
    threads of one pool starve the other threads on a busy 2-core machine: with the window
    drawing, a second job thread, or other programs running, a step took 1–6 s instead of 0.15 s.
    """
    global _THREADS
    if n is None:
        n = os.cpu_count() or 1
    torch.set_num_threads(max(1, int(n)))
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=max(1, int(blas)), user_api="blas")
    except Exception:  # noqa: BLE001 - an exotic BLAS threadpoolctl cannot drive: keep its default
        pass
    _THREADS = {"torch": torch.get_num_threads(), "blas": max(1, int(blas))}
    return _THREADS["torch"]


def ensure_threads() -> int:
    """``configure_threads()`` with the defaults unless it already ran in this process."""
    if _THREADS is None:
        return configure_threads()
    return _THREADS["torch"]


def thread_settings() -> dict[str, int | str]:
    """The thread pools as they are now: torch's intra-op threads and every BLAS pool's size."""
    out: dict[str, int | str] = {"torch": torch.get_num_threads(),
                                 "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default")}
    try:
        from threadpoolctl import threadpool_info

        blas = [d["num_threads"] for d in threadpool_info() if d.get("user_api") == "blas"]
        if blas:
            out["blas"] = max(blas)
    except Exception:  # noqa: BLE001
        pass
    return out


def describe_device(device: torch.device) -> str:
    if device.type == "cuda":
        return f"CUDA ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "Apple GPU (MPS)"
    n = torch.get_num_threads()
    return f"CPU ({n} thread{'s' if n != 1 else ''})"
