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
    if preference != "auto" and preference in have:
        return torch.device(preference)
    return torch.device(have[0])


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch's global generators (jobs prefer their own generators)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def configure_threads(n: int | None = None) -> int:
    """Use ``n`` intra-op threads (default: all cores); returns the number in force."""
    if n is None:
        n = os.cpu_count() or 1
    torch.set_num_threads(max(1, n))
    return torch.get_num_threads()


def describe_device(device: torch.device) -> str:
    if device.type == "cuda":
        return f"CUDA ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "Apple GPU (MPS)"
    n = torch.get_num_threads()
    return f"CPU ({n} thread{'s' if n != 1 else ''})"
