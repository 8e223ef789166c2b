"""A trained autoencoder and its weights file: saved as a torch state or as safetensors, and every
field checked before use when loaded, so a damaged or crafted file gives one sentence.

A file holds the network's description (:class:`AEConfig`), its weights, each validation digit's
detector score (what the LIAR! threshold is made of), the final losses and the learning curves.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import torch

from .. import paths
from ..errors import UserError
from ..resources import resource_path
from .config import FORMAT, AEConfig
from .models import AutoEncoder

VERSION = 1
SUFFIXES = (".pt", ".pth", ".safetensors")
OPEN_FILTER = "Autoencoder weights (*.pt *.pth *.safetensors)"
#: The biggest autoencoder here (deep, code of 256) weighs under 2 MB; anything far larger is no
#: weights file of ours and is refused before it is read.
MAX_FILE_BYTES = 64 * 2**20
#: A model whose validation loss is above this learned no digits: the detector cannot judge with
#: it. Training starts from the average digit, which scores about 0.266 BCE or 0.069 MSE on MNIST,
#: so a model must beat that by a tenth (trained ones: 0.08–0.13 BCE with a code of 32, 0.19–0.23
#: with a code of 2).
SANE_VAL_LOSS = {"bce": 0.24, "mse": 0.062}
HISTORY_KEYS = ("train_x", "train_y", "val_x", "val_y")
_REQUIRED = ("config", "state_dict", "val_losses")


@dataclass
class TrainedAE:
    """A trained autoencoder with what the detector needs: the validation digits' losses."""

    model: AutoEncoder
    config: AEConfig
    val_losses: np.ndarray  # each validation digit's detector score (see detector.detector_losses)
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
        return float(np.mean(self.val_losses)) if len(self.val_losses) else float("nan")

    @property
    def std(self) -> float:
        return float(np.std(self.val_losses)) if len(self.val_losses) else float("nan")

    def threshold(self, k: float = 3.0) -> float:
        return self.mean + k * self.std

    @property
    def unfit(self) -> str:
        """Why this model cannot judge images (a sentence), or "" when it can."""
        sane = SANE_VAL_LOSS.get(self.config.loss, SANE_VAL_LOSS["bce"])
        if not math.isfinite(self.val_loss):
            return "its validation loss is not a number, so it never learned digits"
        if self.val_loss > sane:
            return (f"its validation loss {self.val_loss:.4g} is far above a working autoencoder's "
                    f"(below {sane:g}): it did not learn digits")
        if not (math.isfinite(self.mean) and math.isfinite(self.std)) or self.mean > sane:
            return "its validation digits' losses are not usable numbers"
        return ""

    # ------------------------------------------------------------------------ saving
    def save(self, path: str | Path) -> Path:
        """Write the weights (``.safetensors`` by suffix, else a torch file) atomically."""
        p = check_out_path(path, default_name=f"autoencoder_{self.config.name}.pt")
        state = {k: v.detach().cpu().contiguous().clone() for k, v in self.model.state_dict().items()}
        meta = {"format": FORMAT, "version": VERSION, "config": self.config.to_dict(),
                "train_loss": float(self.train_loss), "val_loss": float(self.val_loss),
                "epochs": int(self.epochs), "seconds": float(self.seconds), "data": str(self.data)}
        val = torch.from_numpy(np.asarray(self.val_losses, dtype=np.float32).copy())
        history = {k: torch.from_numpy(np.asarray(v, dtype=np.float32).copy()) for k, v in self.history.items()}
        tmp = p.with_name(p.name[:200] + ".part")
        try:
            if p.suffix.lower() == ".safetensors":
                from safetensors.torch import save_file

                tensors = {f"state_dict.{k}": v for k, v in state.items()}
                tensors["val_losses"] = val
                tensors.update({f"history.{k}": v for k, v in history.items()})
                save_file(tensors, str(tmp), metadata={k: json.dumps(v) for k, v in meta.items()})
            else:
                torch.save({**meta, "state_dict": state, "val_losses": val, "history": history}, tmp)
            tmp.replace(p)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise UserError(f"could not write “{p.name}” ({exc.strerror or exc}).") from exc
        return p

    # ------------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path, device: torch.device | str = "cpu") -> "TrainedAE":
        """Read a weights file, checking every field; a bad one raises one UserError sentence."""
        p = Path(path)
        name = _short(p.name)
        try:
            st = p.stat()
        except FileNotFoundError:
            raise UserError(f"“{name}” does not exist.") from None
        except OSError as exc:
            raise UserError(f"“{name}” cannot be opened ({exc.strerror or exc}).") from None
        if not p.is_file():
            raise UserError(f"“{name}” is not a file.")
        if st.st_size > MAX_FILE_BYTES:
            raise UserError(f"“{name}” is {st.st_size / 2**20:,.0f} MB, far too big to be autoencoder weights.")
        blob = _read_safetensors(p, name) if p.suffix.lower() == ".safetensors" else _read_torch(p, name)
        trained = from_blob(blob, name)
        trained.path = str(p)
        trained.model.to(device).eval()
        return trained


def _short(name: str, limit: int = 60) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _read_torch(p: Path, name: str) -> Any:
    try:
        return torch.load(p, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's, not a bug
        raise UserError(f"“{name}” is not an autoencoder weights file Fooling Lab can read.") from exc


def _read_safetensors(p: Path, name: str) -> dict:
    from safetensors import safe_open

    try:
        with safe_open(str(p), framework="pt") as f:
            meta = dict(f.metadata() or {})
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as exc:  # noqa: BLE001 - a damaged file
        raise UserError(f"“{name}” is not a safetensors file Fooling Lab can read.") from exc
    blob: dict[str, Any] = {}
    for key, text in meta.items():
        try:
            blob[key] = json.loads(text)
        except (TypeError, ValueError):
            raise UserError(f"“{name}” has a damaged “{_short(key, 30)}” entry in its description.") from None
    blob["state_dict"] = {k[len("state_dict."):]: v for k, v in tensors.items() if k.startswith("state_dict.")}
    if "val_losses" in tensors:
        blob["val_losses"] = tensors["val_losses"]
    history = {k[len("history."):]: v for k, v in tensors.items() if k.startswith("history.")}
    if history:
        blob["history"] = history
    return blob


def is_autoencoder_file(path: str | Path) -> bool:
    """Whether a dropped file is meant as autoencoder weights (rather than a classifier): any
    ``.pt``/``.pth`` (the loader checks it), a ``.safetensors`` whose header names our format."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".pt", ".pth"):
        return True
    if suffix != ".safetensors":
        return False
    try:
        with open(p, "rb") as fh:
            n = int.from_bytes(fh.read(8), "little")
            if not 2 <= n <= 1_000_000:
                return False
            header = json.loads(fh.read(n))
        return isinstance(header, dict) and (header.get("__metadata__") or {}).get("format") == json.dumps(FORMAT)
    except (OSError, ValueError, AttributeError):
        return False


# ------------------------------------------------------------------------ field checks
def _shape(t: torch.Tensor) -> str:
    return "×".join(str(s) for s in t.shape) or "a single number"


def _tensor(name: str, value: Any, what: str, *, ndim: int | None = None) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise UserError(f"“{name}” holds {what} that is not a table of numbers.")
    if not value.is_floating_point():
        raise UserError(f"“{name}” holds {what} as {str(value.dtype).replace('torch.', '')} values, not real numbers.")
    if ndim is not None and value.dim() != ndim:
        raise UserError(f"“{name}” holds {what} of shape {_shape(value)}, not a list of numbers.")
    if value.numel() and not bool(torch.isfinite(value).all()):
        raise UserError(f"“{name}” holds {what} with values that are not finite numbers (NaN or infinity).")
    return value


def _real(name: str, blob: Mapping, key: str, default: float, *, finite: bool, what: str) -> float:
    value = blob.get(key, default)
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.is_floating_point():
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UserError(f"“{name}” gives its {what} as {type(value).__name__}, not a number.")
    value = float(value)
    if finite and not math.isfinite(value):
        raise UserError(f"“{name}” gives its {what} as {value}, not a finite number.")
    if value < 0:
        raise UserError(f"“{name}” gives its {what} as {value:g}, below zero.")
    return value


def from_blob(blob: Any, name: str) -> TrainedAE:
    """A :class:`TrainedAE` from a loaded file's fields, each checked first."""
    if not isinstance(blob, Mapping) or blob.get("format") != FORMAT:
        raise UserError(f"“{name}” is not a Fooling Lab autoencoder weights file.")
    version = blob.get("version", VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise UserError(f"“{name}” has no valid format version.")
    if version > VERSION:
        raise UserError(f"“{name}” was written by a newer Fooling Lab (format {version}); this one reads up to {VERSION}.")
    for key in _REQUIRED:
        if key not in blob:
            raise UserError(f"“{name}” lacks its {key.replace('_', ' ')}.")
    cfg = blob["config"]
    if not isinstance(cfg, Mapping) or not all(isinstance(k, str) for k in cfg):
        raise UserError(f"“{name}” does not describe its network.")
    unknown = [k for k in cfg if k not in {f.name for f in AEConfig.fields_info()} | {"version"}]
    if unknown:
        raise UserError(f"“{name}” describes its network with an unknown setting “{_short(unknown[0], 30)}”.")
    try:
        config, _ = AEConfig.from_dict(cfg, strict=True)
    except UserError as exc:
        raise UserError(f"“{name}” describes its network wrongly: {exc}") from None
    model = AutoEncoder(config)
    _load_state(name, model, blob["state_dict"])
    val = _tensor(name, blob["val_losses"], "the validation digits' losses", ndim=1)
    if len(val) < 2:
        raise UserError(f"“{name}” holds {len(val)} validation losses; the detector needs at least 2.")
    if bool((val < 0).any()):
        raise UserError(f"“{name}” holds negative validation losses.")
    epochs = blob.get("epochs", 0)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 0 <= epochs <= 10_000_000:
        raise UserError(f"“{name}” gives its number of epochs as {_short(repr(epochs), 30)}, not a whole number.")
    data = blob.get("data", "")
    if not isinstance(data, str):
        raise UserError(f"“{name}” names its training data with something that is not text.")
    return TrainedAE(
        model=model, config=config, val_losses=val.detach().numpy().astype(np.float32),
        train_loss=_real(name, blob, "train_loss", float("nan"), finite=False, what="training loss"),
        val_loss=_real(name, blob, "val_loss", float("nan"), finite=True, what="validation loss"),
        epochs=epochs, seconds=_real(name, blob, "seconds", 0.0, finite=True, what="training time"),
        data=data[:500], history=_history(name, blob.get("history", {})),
    )


def _load_state(name: str, model: AutoEncoder, state: Any) -> None:
    if not isinstance(state, Mapping) or not all(isinstance(k, str) for k in state):
        raise UserError(f"“{name}” holds no table of weights.")
    expected = model.state_dict()
    title = model.config.title
    for key in expected:
        if key not in state:
            raise UserError(f"“{name}” lacks the weights “{key}” that a {title} needs.")
    for key in state:
        if key not in expected:
            raise UserError(f"“{name}” holds weights “{_short(key, 40)}” that a {title} does not have.")
    for key, want in expected.items():
        got = _tensor(name, state[key], f"weights “{key}”")
        if got.shape != want.shape:
            raise UserError(f"“{name}”: the weights “{key}” are {_shape(got)} where a {title} needs {_shape(want)}.")
    model.load_state_dict({k: state[k].to(expected[k].dtype) for k in expected})


def _history(name: str, history: Any) -> dict:
    if not isinstance(history, Mapping):
        raise UserError(f"“{name}” holds a loss history that is not a table of curves.")
    out = {}
    for key, value in history.items():
        if key not in HISTORY_KEYS:
            raise UserError(f"“{name}” holds an unknown curve “{_short(str(key), 30)}” in its loss history.")
        out[key] = _tensor(name, value, f"a loss history “{key}”", ndim=1).detach().numpy().astype(np.float32)
    for x, y in (("train_x", "train_y"), ("val_x", "val_y")):
        if len(out.get(x, ())) != len(out.get(y, ())):
            raise UserError(f"“{name}” holds a loss history whose “{x}” and “{y}” differ in length.")
    return out


# ------------------------------------------------------------------------ paths
def check_out_path(path: str | Path, default_name: str = "autoencoder.pt") -> Path:
    """Where weights may be written, checked before any long work (``core.paths``: a name that is
    not too long, in a folder that exists and can be written, not a folder or a special file; an
    existing folder means ``default_name`` inside it), ending in .pt, .pth or .safetensors."""
    p = paths.check_output_file(path, default_name=default_name, what="weights")
    if p.suffix.lower() not in SUFFIXES:
        raise UserError(f"“{_short(p.name)}” should end in .pt or .safetensors.")
    return p


# ------------------------------------------------------------------------ shipped weights
def shipped_weights(config: AEConfig) -> Path:
    """Where the trained weights for ``config`` ship (the file may not exist for every config)."""
    return resource_path("models", f"autoencoder_{config.name}.pt")


def load_default(config: AEConfig = AEConfig(), device: torch.device | str = "cpu") -> TrainedAE:
    """The shipped trained autoencoder for ``config``, or a UserError saying to train one."""
    p = shipped_weights(config.validated())
    if not p.is_file():
        raise UserError(f"no trained weights ship for “{config.title}”; press Train from scratch.")
    return TrainedAE.load(p, device)
