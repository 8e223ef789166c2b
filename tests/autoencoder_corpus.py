"""A generated corpus of broken and crafted autoencoder weights files and IDX folders.

Each maker writes one file (or folder) into a directory and returns its path; the tests feed every
one through the core loader, the CLI and the tab and expect one sentence, never a traceback.
"""

from __future__ import annotations

import gzip
import json
import struct
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from core import autoencoders as ae


def good_blob() -> dict:
    """The fields of a real weights file (a tiny untrained dense-2 model with sane statistics)."""
    torch.manual_seed(0)
    model = ae.AutoEncoder(ae.AEConfig("dense", 2))
    return {
        "format": ae.FORMAT, "version": 1, "config": ae.AEConfig("dense", 2).to_dict(),
        "state_dict": {k: v.clone() for k, v in model.state_dict().items()},
        "val_losses": torch.full((50,), 0.1) + torch.linspace(0, 0.05, 50),
        "train_loss": 0.1, "val_loss": 0.1, "epochs": 3, "seconds": 1.0, "data": "test",
        "history": {"train_x": torch.tensor([1.0, 2.0]), "train_y": torch.tensor([0.2, 0.1]),
                    "val_x": torch.tensor([0.0, 1.0]), "val_y": torch.tensor([0.7, 0.1])},
    }


def _changed(**fields) -> Callable[[], dict]:
    def make() -> dict:
        blob = good_blob()
        for key, value in fields.items():
            if value is _DROP:
                blob.pop(key)
            else:
                blob[key] = value(blob) if callable(value) else value
        return blob
    return make


_DROP = object()


def _state(fn) -> Callable[[dict], dict]:
    def change(blob: dict) -> dict:
        state = dict(blob["state_dict"])
        fn(state)
        return state
    return change


def _nan_weights(state: dict) -> None:
    state["encoder.1.weight"] = torch.full_like(state["encoder.1.weight"], float("nan"))


#: name → a function giving the object torch.save writes
TORCH_BLOBS: dict[str, Callable[[], object]] = {
    "a_list": lambda: [1, 2, 3],
    "no_format": _changed(format=_DROP),
    "wrong_format": _changed(format="something-else"),
    "version_text": _changed(version="1"),
    "version_future": _changed(version=99),
    "no_config": _changed(config=_DROP),
    "config_text": _changed(config="dense"),
    "latent_many": _changed(config=lambda b: {**b["config"], "latent": "many"}),
    "arch_lstm": _changed(config=lambda b: {**b["config"], "arch": "lstm"}),
    "config_unknown_key": _changed(config=lambda b: {**b["config"], "layers": 9}),
    "latent_huge": _changed(config=lambda b: {**b["config"], "latent": 10**9}),
    "no_state": _changed(state_dict=_DROP),
    "state_text": _changed(state_dict="weights"),
    "state_missing_layer": _changed(state_dict=_state(lambda s: s.pop("decoder.0.bias"))),
    "state_extra_layer": _changed(state_dict=_state(lambda s: s.update({"evil": torch.zeros(1)}))),
    "state_wrong_shape": _changed(state_dict=_state(lambda s: s.update({"encoder.1.weight": torch.zeros(3, 4)}))),
    "state_nan": _changed(state_dict=_state(_nan_weights)),
    "state_int": _changed(state_dict=_state(lambda s: s.update({"encoder.1.bias": torch.zeros(2, dtype=torch.int64)}))),
    "state_not_tensor": _changed(state_dict=_state(lambda s: s.update({"encoder.1.bias": "zero"}))),
    "no_val_losses": _changed(val_losses=_DROP),
    "val_losses_nan": _changed(val_losses=torch.full((50,), float("nan"))),
    "val_losses_2d": _changed(val_losses=torch.zeros(5, 5)),
    "val_losses_one": _changed(val_losses=torch.zeros(1)),
    "val_losses_list": _changed(val_losses=[0.1, 0.2]),
    "val_loss_text": _changed(val_loss="nan"),
    "val_loss_nan": _changed(val_loss=float("nan")),
    "epochs_many": _changed(epochs="many"),
    "epochs_negative": _changed(epochs=-3),
    "seconds_inf": _changed(seconds=float("inf")),
    "data_number": _changed(data=42),
    "history_text": _changed(history="curves"),
    "history_nan": _changed(history=lambda b: {**b["history"], "val_y": torch.tensor([float("nan"), 0.1])}),
    "history_lengths": _changed(history=lambda b: {**b["history"], "val_y": torch.tensor([0.1])}),
    "history_unknown": _changed(history=lambda b: {**b["history"], "steps": torch.tensor([0.1])}),
}


def _raw(data: bytes) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(data)


def _truncated_torch(p: Path) -> None:
    tmp = p.with_suffix(".tmp")
    torch.save(good_blob(), tmp)
    p.write_bytes(tmp.read_bytes()[:300])
    tmp.unlink()


def _safetensors(tensors: dict, meta: dict) -> Callable[[Path], None]:
    def write(p: Path) -> None:
        from safetensors.torch import save_file

        save_file(tensors, str(p), metadata=meta)
    return write


def _good_safetensors_parts() -> tuple[dict, dict]:
    b = good_blob()
    tensors = {f"state_dict.{k}": v for k, v in b["state_dict"].items()}
    tensors["val_losses"] = b["val_losses"]
    meta = {k: json.dumps(b[k]) for k in ("format", "version", "config", "train_loss", "val_loss", "epochs",
                                           "seconds", "data")}
    return tensors, meta


def _st_variant(change) -> Callable[[Path], None]:
    def write(p: Path) -> None:
        tensors, meta = _good_safetensors_parts()
        change(tensors, meta)
        _safetensors(tensors, meta)(p)
    return write


#: name → (suffix, writer) for files that are not a torch.save of a dict
RAW_FILES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "text_file": (".pt", _raw(b"these are not weights\n")),
    "empty_file": (".pt", _raw(b"")),
    "truncated_torch": (".pt", _truncated_torch),
    "huge_file": (".pt", lambda p: _sparse(p, 65 * 2**20)),
    "st_garbage": (".safetensors", _raw(b"\x08\x00\x00\x00\x00\x00\x00\x00{}garbage")),
    "st_random": (".safetensors", _raw(bytes(range(256)) * 4)),
    "st_bad_json": (".safetensors", _st_variant(lambda t, m: m.update(config="{not json"))),
    "st_nan": (".safetensors", _st_variant(lambda t, m: t.update({"state_dict.decoder.0.bias": torch.full((784,), float("inf"))}))),
    "st_no_format": (".safetensors", _st_variant(lambda t, m: m.pop("format"))),
    "st_latent_many": (".safetensors", _st_variant(lambda t, m: m.update(config=json.dumps({"latent": "many"})))),
    "st_int_epochs": (".safetensors", _st_variant(lambda t, m: m.update(epochs='"many"'))),
}


def _sparse(p: Path, size: int) -> None:
    with open(p, "wb") as fh:
        fh.truncate(size)


def write_weights_corpus(folder: Path) -> dict[str, Path]:
    """Every crafted weights file of the corpus, written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for name, make in TORCH_BLOBS.items():
        p = folder / f"{name}.pt"
        torch.save(make(), p)
        out[name] = p
    for name, (suffix, write) in RAW_FILES.items():
        p = folder / f"{name}{suffix}"
        write(p)
        out[name] = p
    (folder / "a_folder.pt").mkdir(exist_ok=True)
    out["a_folder"] = folder / "a_folder.pt"
    return out


def diverged_blob() -> dict:
    """A well-formed file of a model that learned nothing (validation BCE 3.7 million)."""
    b = good_blob()
    b["val_loss"] = 3.7e6
    b["val_losses"] = torch.full((50,), 3.0e6) + torch.linspace(0, 1e6, 50)
    return b


# --------------------------------------------------------------------------- IDX folders
def _idx(type_code: int, shape: tuple[int, ...], body: bytes | None = None, count: int | None = None) -> bytes:
    head = bytes([0, 0, type_code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)
    if body is None:
        n = int(np.prod(shape)) if count is None else count
        body = bytes(n * {0x08: 1, 0x0C: 4, 0x0D: 4}.get(type_code, 1))
    return head + body


def _good_pair(n: int = 30) -> dict[str, bytes]:
    return {"train-images-idx3-ubyte": _idx(0x08, (n, 28, 28)),
            "train-labels-idx1-ubyte": _idx(0x08, (n,), bytes(i % 10 for i in range(n)))}


IDX_FOLDERS: dict[str, dict[str, bytes]] = {
    "empty_folder": {},
    "bad_magic": {**_good_pair(), "train-images-idx3-ubyte": b"\x01\x02\x03\x04" + bytes(100)},
    "short_header": {**_good_pair(), "train-images-idx3-ubyte": bytes([0, 0, 8, 3, 0, 0])},
    "overflowing_dims": {**_good_pair(), "train-images-idx3-ubyte": _idx(0x08, (2**32 - 1, 2**32 - 1, 2**32 - 1), body=b"")},
    "huge_claim": {**_good_pair(), "train-images-idx3-ubyte": _idx(0x08, (10**6, 28, 28), body=bytes(784))},
    "truncated_body": {**_good_pair(), "train-images-idx3-ubyte": _idx(0x08, (30, 28, 28), body=bytes(1000))},
    "too_long_body": {**_good_pair(), "train-images-idx3-ubyte": _idx(0x08, (30, 28, 28), body=bytes(30 * 784 + 9))},
    "wrong_dtype": {**_good_pair(), "train-images-idx3-ubyte": _idx(0x0D, (30, 28, 28))},
    "not_28x28": {**_good_pair(), "train-images-idx3-ubyte": _idx(0x08, (30, 32, 32))},
    "label_count": {**_good_pair(), "train-labels-idx1-ubyte": _idx(0x08, (29,))},
    "labels_above_9": {**_good_pair(), "train-labels-idx1-ubyte": _idx(0x08, (30,), bytes([200] * 30))},
    "zero_images": {"train-images-idx3-ubyte": _idx(0x08, (0, 28, 28)), "train-labels-idx1-ubyte": _idx(0x08, (0,))},
    "many_dims": {**_good_pair(), "train-images-idx3-ubyte": bytes([0, 0, 8, 200]) + bytes(800)},
}


def write_idx_corpus(folder: Path) -> dict[str, Path]:
    """Every bad IDX folder of the corpus (plus gzip-damaged ones), written under ``folder``."""
    out: dict[str, Path] = {}
    for name, files in IDX_FOLDERS.items():
        d = folder / name
        d.mkdir(parents=True, exist_ok=True)
        for fname, data in files.items():
            (d / fname).write_bytes(data)
        out[name] = d
    d = folder / "corrupt_gzip"
    d.mkdir(parents=True, exist_ok=True)
    good = _good_pair()
    (d / "train-labels-idx1-ubyte").write_bytes(good["train-labels-idx1-ubyte"])
    zipped = gzip.compress(good["train-images-idx3-ubyte"])
    (d / "train-images-idx3-ubyte.gz").write_bytes(zipped[:20] + b"\xff" * 40 + zipped[60:])
    out["corrupt_gzip"] = d
    d = folder / "truncated_gzip"
    d.mkdir(parents=True, exist_ok=True)
    (d / "train-labels-idx1-ubyte").write_bytes(good["train-labels-idx1-ubyte"])
    (d / "train-images-idx3-ubyte.gz").write_bytes(zipped[: len(zipped) // 2])
    out["truncated_gzip"] = d
    d = folder / "not_gzip"
    d.mkdir(parents=True, exist_ok=True)
    (d / "train-labels-idx1-ubyte").write_bytes(good["train-labels-idx1-ubyte"])
    (d / "train-images-idx3-ubyte.gz").write_bytes(b"plain text, not gzip" * 10)
    out["not_gzip"] = d
    return out
