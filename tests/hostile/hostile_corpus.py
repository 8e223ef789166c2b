"""Builders for the hostile corpus: model files, images and paths a prankster might hand the app.

Everything is generated into a temporary folder by the tests; nothing hostile is checked in.
Each TorchScript "payload" tries to leave a trace (a file it creates) so a test can tell whether
any of its code ran.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path
from typing import Tuple

import torch
from torch import nn


class _Writer(nn.Module):
    """Writes a file the moment it is loaded (``__setstate__``) and again on every forward pass."""

    def __init__(self, trace: str) -> None:
        super().__init__()
        self.trace = trace

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t = torch.from_file(self.trace, shared=True, size=16, dtype=torch.uint8)
        t.fill_(70)
        return torch.zeros(x.shape[0], 10)

    @torch.jit.export
    def __getstate__(self) -> Tuple[str, bool]:
        return (self.trace, self.training)

    @torch.jit.export
    def __setstate__(self, state: Tuple[str, bool]) -> None:
        self.trace = state[0]
        self.training = state[1]
        t = torch.from_file(self.trace, shared=True, size=16, dtype=torch.uint8)
        t.fill_(83)


class _Reader(nn.Module):
    """Reads another file's bytes into its "probabilities"."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t = torch.from_file(self.secret, shared=False, size=10, dtype=torch.uint8)
        return t.float().unsqueeze(0).expand(x.shape[0], 10)


class _Looper(nn.Module):
    """Never returns from its forward pass."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x.sum()
        while bool(y > -1.0):
            y = y + 1.0
        return torch.zeros(x.shape[0], 10)


class _LoadLooper(nn.Module):
    """Never finishes loading: its ``__setstate__`` loops."""

    def __init__(self) -> None:
        super().__init__()
        self.n = 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros(x.shape[0], 10)

    @torch.jit.export
    def __getstate__(self) -> Tuple[int, bool]:
        return (self.n, self.training)

    @torch.jit.export
    def __setstate__(self, state: Tuple[int, bool]) -> None:
        self.training = state[1]
        n = state[0]
        while n > 0:
            n = n + 1
        self.n = n


class _Hog(nn.Module):
    """Asks for gigabytes on its forward pass."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        big = torch.ones(6442450944, dtype=torch.uint8)
        return big[:10].float().unsqueeze(0).expand(x.shape[0], 10)


def _script(module: nn.Module, path: Path) -> Path:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.script(module).save(str(path))
    return path


def torchscript_payloads(folder: Path, trace: Path, secret: Path) -> dict[str, Path]:
    """Hostile TorchScript files; ``trace`` appears on disk if any of their code runs."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "writer": _script(_Writer(str(trace)), folder / "writer.pt"),
        "reader": _script(_Reader(str(secret)), folder / "reader.pt"),
        "looper": _script(_Looper(), folder / "looper.pt"),
        "load_looper": _script(_LoadLooper(), folder / "load_looper.pth"),
        "hog": _script(_Hog(), folder / "hog.ts"),
    }


def crafted_state_dicts(folder: Path) -> dict[str, tuple[Path, str]]:
    """Weights files that must be refused, each with a phrase the refusal must contain."""
    from core.models import MnistCNN

    folder.mkdir(parents=True, exist_ok=True)
    good = MnistCNN().state_dict()
    out: dict[str, tuple[Path, str]] = {}

    def save(name: str, obj, phrase: str) -> None:
        torch.save(obj, folder / name)
        out[name] = (folder / name, phrase)

    wrong = dict(good)
    wrong["head.3.weight"] = torch.zeros(7, 128)
    save("wrong_shape.pth", wrong, "head.3.weight")
    nan = dict(good)
    nan["features.0.weight"] = torch.full_like(good["features.0.weight"], float("nan"))
    save("nan.pth", nan, "NaN")
    ints = dict(good)
    ints["head.1.weight"] = torch.zeros(128, 64 * 7 * 7, dtype=torch.int64)
    save("int_weights.pth", ints, "head.1.weight")
    save("strings.pth", {"a": "not a tensor"}, "state dict of tensors")
    save("empty_dict.pth", {}, "state dict of tensors")
    save("a_list.pth", [torch.zeros(3)], "state dict of tensors")
    save("unknown_keys.pth", {"w": torch.zeros(3)}, "match none")
    (folder / "garbage.pth").write_bytes(os.urandom(4096))
    out["garbage.pth"] = (folder / "garbage.pth", "loaded safely")
    (folder / "empty.pth").write_bytes(b"")
    out["empty.pth"] = (folder / "empty.pth", "empty")
    (folder / "bad.safetensors").write_bytes(struct.pack("<Q", 40) + b'{"x": {"dtype": "F32", "shape": [99999999')
    out["bad.safetensors"] = (folder / "bad.safetensors", "safetensors")
    return out


def png_claiming(path: Path, width: int, height: int, payload: bytes = b"") -> Path:
    """A tiny PNG whose header claims ``width``×``height`` pixels, truncated after its first chunk."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64 + payload)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat))
    return path
