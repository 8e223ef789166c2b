"""Safe image loading and saving, and fitting an image to a model's input size.

Everything a user can drop on the window goes through :func:`load_image`, which either returns an
HxWx3 uint8 RGB array or raises :class:`~core.errors.ImageError` with one plain sentence.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ImageError
from .params import Params, param

#: Larger than any photo a lecturer drops (a 100-megapixel camera), far smaller than a bomb.
MAX_PIXELS = 120_000_000
#: Files above this size are refused before being read at all.
MAX_FILE_BYTES = 512 * 1024 * 1024

SUPPORTED_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".gif")
OPEN_FILTER = "Images (" + " ".join(f"*{s}" for s in SUPPORTED_SUFFIXES) + ")"


def load_image(path: str | os.PathLike) -> np.ndarray:
    """Read any common image file as an HxWx3 uint8 RGB array.

    EXIF orientation is applied; grey, palette, transparent, CMYK and 16-bit images become RGB
    (transparency is flattened onto white); an animated GIF gives its first frame.
    """
    p = Path(path)
    name = p.name or str(p)
    if not p.exists():
        raise ImageError(f"“{p}” does not exist.")
    if p.is_dir():
        raise ImageError(f"“{name}” is a folder, not an image file.")
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ImageError(f"“{name}” cannot be read ({exc.strerror or 'access denied'}).") from exc
    if size == 0:
        raise ImageError(f"“{name}” is empty (0 bytes).")
    if size > MAX_FILE_BYTES:
        raise ImageError(f"“{name}” is too large to open ({size / 2**20:.0f} MB).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(p) as im:
                w, h = im.size
                if w * h > MAX_PIXELS:
                    raise ImageError(
                        f"“{name}” is {w}×{h} pixels, too large to open safely "
                        f"(limit {MAX_PIXELS // 1_000_000} megapixels)."
                    )
                im.seek(0)
                im.load()
                return _to_rgb(ImageOps.exif_transpose(im))
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"“{name}” claims an enormous size: too large to open safely.") from exc
    except UnidentifiedImageError as exc:
        raise ImageError(f"“{name}” is not an image file Fooling Lab can read.") from exc
    except PermissionError as exc:
        raise ImageError(f"“{name}” cannot be read: permission denied.") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(f"“{name}” is damaged or truncated and cannot be read.") from exc
    except MemoryError as exc:
        raise ImageError(f"“{name}” needs more memory than this computer has free.") from exc


def _to_rgb(im: Image.Image) -> np.ndarray:
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(im, dtype=np.float64)
        lo, hi = (0.0, 65535.0) if im.mode.startswith("I;16") or arr.max() > 255 else (0.0, 255.0)
        if im.mode == "F":
            lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
        span = hi - lo if hi > lo else 1.0
        grey = np.clip(np.nan_to_num((arr - lo) / span), 0, 1)
        grey = (grey * 255 + 0.5).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("LA", "PA", "La"):
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "RGBa"):
        white = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, im.convert("RGBA"))
    if im.mode != "RGB":
        im = im.convert("RGB")
    return np.array(im, dtype=np.uint8)


def fit_to_size(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize an HxWx3 (or HxW) uint8 image to ``size`` = (height, width), whole picture kept.

    The classifiers were measured this way (the picture is stretched, nothing is cropped), and a
    lecturer sees exactly what the network sees.
    """
    h, w = size
    if img.shape[:2] == (h, w):
        return np.ascontiguousarray(img)
    im = Image.fromarray(img)
    return np.asarray(im.resize((w, h), Image.BILINEAR, reducing_gap=3.0), dtype=np.uint8).copy()


FITS = (("crop", "Centre crop (fills the square)"), ("letterbox", "Letterbox (whole picture, grey bars)"))
LETTERBOX_GREY = 128


@dataclass(frozen=True)
class FitParams(Params):
    """How a photo that is not square becomes the model's square input (its aspect is kept)."""

    SCHEMA = "fit"

    fit: str = param("crop", "Fit", choices=FITS,
                     help="a photo that is not square: crop its centre, or show it whole with grey bars")


def fit_image(img: np.ndarray, size: tuple[int, int], fit: str = "crop") -> np.ndarray:
    """Resize an HxWx3 uint8 photo to ``size`` = (height, width) keeping its aspect ratio.

    ``crop``: the largest centred box with the model's aspect, resized (a circle stays a circle,
    the edges of a wide photo are cut). ``letterbox``: the whole photo, resized to fit, on
    mid-grey bars. The result is exactly what the network sees, so the window shows it as is.
    """
    if fit not in dict(FITS):
        raise ValueError(f"unknown fit {fit!r}")
    h, w = size
    ih, iw = img.shape[:2]
    if (ih, iw) == (h, w):
        return np.ascontiguousarray(img)
    im = Image.fromarray(img)
    if fit == "crop":
        scale = max(h / ih, w / iw)
        ch, cw = min(ih, round(h / scale)), min(iw, round(w / scale))
        top, left = (ih - ch) // 2, (iw - cw) // 2
        out = im.resize((w, h), Image.BILINEAR, box=(left, top, left + cw, top + ch), reducing_gap=3.0)
        return np.asarray(out, dtype=np.uint8).copy()
    scale = min(h / ih, w / iw)
    nh, nw = max(1, round(ih * scale)), max(1, round(iw * scale))
    inner = np.asarray(im.resize((nw, nh), Image.BILINEAR, reducing_gap=3.0), dtype=np.uint8)
    out = np.full((h, w) + img.shape[2:], LETTERBOX_GREY, dtype=np.uint8)
    top, left = (h - nh) // 2, (w - nw) // 2
    out[top:top + nh, left:left + nw] = inner
    return out


def save_png(path: str | os.PathLike, img: np.ndarray) -> Path:
    """Write a uint8 image as PNG atomically: the file appears complete or not at all."""
    p = Path(path)
    if p.suffix.lower() != ".png":
        p = p.with_suffix(p.suffix + ".png") if p.suffix else p.with_suffix(".png")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise ImageError(f"the folder “{folder}” does not exist.")
    # A plain open (not mkstemp) so that the file gets the user's usual permissions, not 0600.
    tmp = folder / f".{p.name}.{os.getpid()}.part"
    try:
        with open(tmp, "wb") as fh:
            Image.fromarray(np.ascontiguousarray(img)).save(fh, format="PNG")
        os.replace(tmp, p)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ImageError(f"could not write “{p.name}” ({exc.strerror or exc}).") from exc
    return p


def noise_image(size: tuple[int, int], seed: int = 0) -> np.ndarray:
    """Uniform random RGB noise, the lecture's "an image drawn at random"."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(size[0], size[1], 3), dtype=np.uint8)


def amplify(delta: np.ndarray) -> tuple[np.ndarray, float]:
    """Map a signed perturbation (in 0..255 units) to a visible uint8 image around mid-grey.

    Returns the image and the gain used, so the view can write "×40" on it.
    """
    m = float(np.abs(delta).max()) if delta.size else 0.0
    gain = 127.0 / m if m > 0 else 1.0
    vis = np.clip(127.5 + delta * gain, 0, 255).astype(np.uint8)
    return vis, gain
