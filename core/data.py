"""MNIST: the bundled 10,000-digit sample (always there), the full set (downloaded), IDX folders."""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import struct
import sys
import urllib.parse
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import numpy as np

from . import download
from .errors import UserError
from .jobs import CancelToken, Frame
from .resources import resource_path


@dataclass(frozen=True)
class DigitSet:
    """28×28 uint8 digits (white on black) with their labels, split into train and validation."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    source: str


@lru_cache(maxsize=1)
def mnist_sample() -> DigitSet:
    """The bundled sample of real MNIST digits (8,000 train / 2,000 validation, fixed split)."""
    path = resource_path("data", "mnist_sample.npz")
    with np.load(path) as z:
        arrays = {k: z[k] for k in ("x_train", "y_train", "x_val", "y_val")}
    for a in arrays.values():
        a.setflags(write=False)
    return DigitSet(**arrays, source="bundled MNIST sample (10,000 digits)")


# ------------------------------------------------------------------------------ IDX files
#: The data types an IDX header may announce (third byte of the magic number).
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
#: The four files of MNIST, as LeCun named them (torchvision keeps the same names).
IDX_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_val": "t10k-images-idx3-ubyte",
    "y_val": "t10k-labels-idx1-ubyte",
}


#: No digit data set comes near this (the full MNIST's images are 47 MB): an IDX header that
#: claims more is refused before anything is allocated.
MAX_IDX_BYTES = 256 * 2**20
MAX_IDX_DIMS = 4


def read_idx(path: str | os.PathLike, *, max_bytes: int = MAX_IDX_BYTES) -> np.ndarray:
    """Read one IDX file (the classic MNIST format), gzipped or not, as a numpy array.

    The header is checked before the body is read: the magic number, the number of dimensions, and
    the size the dimensions promise (computed without overflow, limited to ``max_bytes``); a damaged
    gzip stream or a body of the wrong length is one sentence.
    """
    p = Path(path)
    name = p.name
    try:
        opener = gzip.open if p.suffix == ".gz" else open
        with opener(p, "rb") as fh:
            head = fh.read(4)
            if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in _IDX_TYPES:
                raise UserError(f"“{name}” is not an IDX file (wrong magic number).")
            ndim = head[3]
            if not 1 <= ndim <= MAX_IDX_DIMS:
                raise UserError(f"“{name}” has a damaged IDX header ({ndim} dimensions).")
            dims = fh.read(4 * ndim)
            if len(dims) < 4 * ndim:
                raise UserError(f"“{name}” has a damaged IDX header.")
            shape = struct.unpack(f">{ndim}I", dims)
            dtype = np.dtype(_IDX_TYPES[head[2]])
            count = math.prod(shape)  # a Python int: a product of huge dimensions cannot overflow
            nbytes = count * dtype.itemsize
            if nbytes > max_bytes:
                raise UserError(f"“{name}” claims {' × '.join(f'{d:,}' for d in shape)} values "
                                f"({nbytes / 2**20:,.0f} MB), far more than a digit data set holds.")
            body = fh.read(nbytes + 1)
    except UserError:
        raise
    except FileNotFoundError as exc:
        raise UserError(f"“{name}” does not exist.") from exc
    except (OSError, EOFError, zlib.error) as exc:
        why = "its compressed data is damaged" if isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile)) \
            else (getattr(exc, "strerror", None) or str(exc))
        raise UserError(f"“{name}” cannot be read as an IDX file ({why}).") from exc
    if len(body) != nbytes:
        got = len(body) // dtype.itemsize
        raise UserError(f"“{name}” is {'truncated' if got < count else 'longer than its header says'}: "
                        f"its header promises {count:,} values, it holds {got:,}.")
    return np.frombuffer(body, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def _find_idx(folder: Path, stem: str) -> Path | None:
    """``stem`` or its variants (``.gz``, a dot instead of the last dash) inside ``folder``."""
    variants = {stem, stem.replace("-idx", ".idx")}
    for v in variants:
        for candidate in (folder / v, folder / f"{v}.gz"):
            if candidate.is_file():
                return candidate
    return None


def load_idx_folder(folder: str | os.PathLike) -> DigitSet:
    """MNIST-format digits from a folder of IDX files (train-… and t10k-…, gzipped or not).

    The ``train`` files become the training set and the ``t10k`` files the validation set; a
    folder that only has the training files is split 6:1 with a fixed seed.
    """
    root = Path(folder)
    try:
        is_dir = root.is_dir()
    except OSError:
        is_dir = False
    if not is_dir:
        raise UserError(f"“{root.name or root}” is not a folder.")
    if (root / "MNIST" / "raw").is_dir():  # torchvision's layout
        root = root / "MNIST" / "raw"
    found = {k: _find_idx(root, stem) for k, stem in IDX_NAMES.items()}
    if found["x_train"] is None or found["y_train"] is None:
        raise UserError(f"“{root.name}” has no MNIST IDX files (train-images-idx3-ubyte and "
                        "train-labels-idx1-ubyte).")
    arrays = {k: read_idx(p) for k, p in found.items() if p is not None}
    for xk, yk in (("x_train", "y_train"), ("x_val", "y_val")):
        if xk not in arrays or yk not in arrays:
            continue
        x, y = arrays[xk], arrays[yk]
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise UserError(f"the images in “{found[xk].name}” are not 28×28 digits.")
        for arr, key, what in ((x, xk, "images"), (y, yk, "labels")):
            if arr.dtype != np.uint8:
                raise UserError(f"“{found[key].name}” holds {arr.dtype} values; MNIST {what} are bytes (0–255).")
        if len(x) == 0:
            raise UserError(f"“{found[xk].name}” holds no images.")
        if y.ndim != 1 or len(y) != len(x):
            raise UserError(f"“{found[yk].name}” has {len(y):,} labels for {len(x):,} images.")
        if int(y.max()) > 9:
            raise UserError(f"“{found[yk].name}” holds labels above 9; MNIST labels are the digits 0–9.")
        arrays[xk] = x.astype(np.uint8)
        arrays[yk] = y.astype(np.uint8)
    if "x_val" not in arrays or "y_val" not in arrays:
        order = np.random.default_rng(0).permutation(len(arrays["x_train"]))
        n_val = len(order) // 7
        val, train = order[:n_val], order[n_val:]
        x, y = arrays["x_train"], arrays["y_train"]
        arrays = {"x_train": x[train], "y_train": y[train], "x_val": x[val], "y_val": y[val]}
    arrays = {k: arrays[k] for k in ("x_train", "y_train", "x_val", "y_val")}
    for a in arrays.values():
        a.setflags(write=False)
    return DigitSet(**arrays, source=f"IDX files in {root} ({len(arrays['x_train']) + len(arrays['x_val']):,} digits)")


# ------------------------------------------------------------------------ full MNIST download
def cache_dir() -> Path:
    """Where Fooling Lab keeps data it downloaded (``FOOLING_LAB_CACHE`` overrides)."""
    env = os.environ.get("FOOLING_LAB_CACHE")
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "fooling-lab"


def mnist_root() -> Path:
    """The folder torchvision's ``MNIST(root)`` reads; the raw files sit in ``MNIST/raw``."""
    return cache_dir() / "datasets"


def full_mnist_available() -> bool:
    raw = mnist_root() / "MNIST" / "raw"
    return all(_find_idx(raw, stem) is not None for stem in IDX_NAMES.values())


def mnist_full() -> DigitSet:
    """The full 70,000 MNIST digits (60,000 train / 10,000 validation), from the download cache."""
    if not full_mnist_available():
        raise UserError("the full MNIST is not downloaded yet; run “python main.py download mnist” "
                        "once while online.")
    digits = load_idx_folder(mnist_root())
    return DigitSet(digits.x_train, digits.y_train, digits.x_val, digits.y_val,
                    source="full MNIST (70,000 digits)")


def load_digits(source: str = "sample") -> DigitSet:
    """``sample`` (bundled), ``full`` (downloaded MNIST) or a folder of IDX files."""
    if source == "sample":
        return mnist_sample()
    if source == "full":
        return mnist_full()
    return load_idx_folder(source)


@dataclass(frozen=True)
class MnistDownloadFrame(Frame):
    name: str = "mnist"
    received: int = 0
    size: int = 0


def _mnist_files() -> list[tuple[str, str]]:
    """(file name, md5) of MNIST's four gzipped IDX files, as torchvision lists them."""
    from torchvision.datasets import MNIST

    return [(name, md5) for name, md5 in MNIST.resources]


def _mnist_mirrors() -> list[str]:
    from torchvision.datasets import MNIST

    return list(MNIST.mirrors)


def download_mnist_job(*, cancel: CancelToken | None = None, mirrors: list[str] | None = None,
                       timeout: float = 10.0) -> Iterator[MnistDownloadFrame]:
    """Fetch the full MNIST (4 files, ~11 MB) from torchvision's mirrors into the cache.

    Files land where ``torchvision.datasets.MNIST(mnist_root())`` looks for them; each is checked
    against torchvision's MD5 and only then moved into place, so a broken download never stays.
    """
    cancel = cancel or CancelToken()
    raw = mnist_root() / "MNIST" / "raw"
    if full_mnist_available():
        yield MnistDownloadFrame(step=1, total=1, done=True, message=f"MNIST is already cached in {raw}.")
        return
    files = _mnist_files()
    mirrors = list(mirrors) if mirrors is not None else _mnist_mirrors()
    raw.mkdir(parents=True, exist_ok=True)
    received_total = 0
    for index, (fname, md5) in enumerate(files):
        target = raw / fname
        if target.is_file() and hashlib.md5(target.read_bytes()).hexdigest() == md5:
            continue
        errors = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + fname
            tmp = target.with_suffix(".part")
            digest = hashlib.md5()
            try:
                got = yield from download.relay(
                    download.stream(url, tmp, digest, cancel=cancel, timeout=timeout),
                    lambda got, size: MnistDownloadFrame(
                        step=index, total=len(files), received=got, size=size,
                        message=f"downloading {fname} ({index + 1}/{len(files)})"))
            except UserError:
                raise
            except download.NETWORK_ERRORS as exc:
                errors.append(f"{urllib.parse.urlparse(url).netloc}: {exc}")
                continue
            if digest.hexdigest() != md5:
                tmp.unlink(missing_ok=True)
                errors.append(f"{urllib.parse.urlparse(url).netloc}: checksum mismatch")
                continue
            os.replace(tmp, target)
            received_total += got
            break
        else:
            raise UserError(f"could not download MNIST ({fname}): no mirror answered "
                            "(is this computer online?).")
    digits = mnist_full()
    yield MnistDownloadFrame(step=len(files), total=len(files), done=True, received=received_total,
                             size=received_total,
                             message=f"MNIST saved to {raw}: {len(digits.x_train):,} training and "
                                     f"{len(digits.x_val):,} validation digits.")
