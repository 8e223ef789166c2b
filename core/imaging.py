"""Safe image loading and saving, and fitting an image to a model's input size.

Everything a user can drop on the window goes through :func:`load_image`, which either returns an
HxWx3 uint8 RGB array or raises :class:`~core.errors.ImageError` with one plain sentence.
"""

from __future__ import annotations

import os
import struct
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from . import paths
from .errors import ImageError, UserError
from .params import Params, param

#: The one pixel limit: a 100-megapixel camera's photo (11,648×8,736) opens; anything larger is
#: refused from its header, before a byte is decoded. Pillow's decompression-bomb guard is set to
#: the same figure, so the two never disagree.
MAX_PIXELS = 105_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
#: Files above this size are refused before being read at all.
MAX_FILE_BYTES = 512 * 1024 * 1024
#: Images are decoded no larger than this on their longer side (JPEGs at reduced size straight
#: from the file): the models need at most 299 pixels, the screen a little more.
MAX_SIDE = 2048
#: Deflate (PNG's compression) never shrinks data more than about 1032 to 1.
_DEFLATE_MAX_RATIO = 1032

SUPPORTED_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".gif")
OPEN_FILTER = "Images (" + " ".join(f"*{s}" for s in SUPPORTED_SUFFIXES) + ")"


_PREFETCHED: dict[tuple, np.ndarray] = {}
_PREFETCH_LOCK = threading.Lock()


def _file_key(path: str | os.PathLike, max_side: int | None) -> tuple | None:
    try:
        st = os.stat(path)
        return (os.path.realpath(path), st.st_mtime_ns, st.st_size, max_side)
    except (OSError, ValueError):
        return None


def prefetch(path: str | os.PathLike, max_side: int | None = MAX_SIDE) -> np.ndarray:
    """Decode an image now (in a worker thread) so the next :func:`load_image` of the same,
    unchanged file returns at once; only the latest prefetched image is kept."""
    image = load_image(path, max_side)
    key = _file_key(path, max_side)
    with _PREFETCH_LOCK:
        _PREFETCHED.clear()
        if key is not None:
            _PREFETCHED[key] = image
    return image


def load_image(path: str | os.PathLike, max_side: int | None = MAX_SIDE) -> np.ndarray:
    """Read any common image file as an HxWx3 uint8 RGB array, at most ``max_side`` on its longer side.

    EXIF orientation is applied; grey, palette, transparent, CMYK and 16-bit images become RGB
    (transparency is flattened onto white); an animated GIF gives its first frame. The size the
    file claims is checked before decoding; a file too short to hold what it claims is refused as
    truncated. ``max_side=None`` keeps every pixel (for reading back what the app wrote).
    """
    if _PREFETCHED:
        key = _file_key(path, max_side)
        with _PREFETCH_LOCK:
            ready = _PREFETCHED.pop(key, None)
        if ready is not None:
            return ready
    try:
        p = paths.check_input_file(path, "image file")
    except ImageError:
        raise
    except UserError as exc:
        raise ImageError(str(exc)) from None
    name = p.name or str(p)
    size = p.stat().st_size
    if size == 0:
        raise ImageError(f"“{name}” is empty (0 bytes).")
    if size > MAX_FILE_BYTES:
        raise ImageError(f"“{name}” is too large to open ({size / 2**20:.0f} MB).")
    try:
        with warnings.catch_warnings():
            # Pillow warns between one and two times MAX_PIXELS and refuses above; the check below
            # refuses the whole range with the picture's size in the sentence.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(p) as im:
                w, h = im.size
                if w * h > MAX_PIXELS:
                    raise ImageError(_too_large(name, w, h))
                if im.format == "WEBP" and w * h > MAX_PIXELS // 2:  # libwebp's buffer, then Pillow's copy
                    raise ImageError(_too_large(name, w, h, MAX_PIXELS // 2, " for WebP"))
                _check_plausible(im, name, size)
                im.seek(0)
                return _to_rgb(ImageOps.exif_transpose(_decode(im, max_side)))
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageError(f"“{name}” claims more than {2 * MAX_PIXELS // 1_000_000} megapixels, too large to "
                         f"open safely (limit {MAX_PIXELS // 1_000_000} megapixels).") from exc
    except UnidentifiedImageError as exc:
        raise ImageError(f"“{name}” is not an image file Fooling Lab can read.") from exc
    except PermissionError as exc:
        raise ImageError(f"“{name}” cannot be read: permission denied.") from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, KeyError, TypeError) as exc:
        raise ImageError(f"“{name}” is damaged or truncated and cannot be read.") from exc
    except MemoryError as exc:
        raise ImageError(f"“{name}” needs more memory than this computer has free.") from exc


#: Modes whose pixels must not be averaged (palette indices, bits) or that Pillow cannot reduce.
_NEAREST_MODES = ("1", "P", "PA", "I;16", "I;16B", "I;16L", "I;16N")


def _decode(im: Image.Image, max_side: int | None) -> Image.Image:
    """Decode at most ``max_side`` on the longer side, with no full-size copy beyond the decode itself.

    A JPEG decodes at 1/2, 1/4 or 1/8 scale straight from the file (draft mode). Other formats decode
    once at full size and are shrunk by a whole factor at once (box average; nearest for palettes),
    then resized smoothly: conversions and EXIF rotation happen on the small picture.
    """
    w, h = im.size
    if max_side is None or max(w, h) <= max_side:
        im.load()
        return im
    scale = max_side / max(w, h)
    if im.format == "JPEG":
        im.draft(im.mode, (max(1, int(w * scale)), max(1, int(h * scale))))
    im.load()
    w, h = im.size
    factor = max(w, h) // max_side
    if factor >= 2:
        if im.mode in _NEAREST_MODES:
            im = im.resize((max(1, w // factor), max(1, h // factor)), Image.Resampling.NEAREST)
        elif im.mode in ("RGBA", "LA") and hasattr(im.im, "reduce"):
            # Pillow's public reduce() premultiplies alpha through a full-size copy (+4 bytes a pixel);
            # averaging straight is indistinguishable once flattened onto white at this scale.
            im = im._new(im.im.reduce((factor, factor), (0, 0, w, h)))
        else:
            im = im.reduce(factor)
    if max(im.size) > max_side:
        resample = Image.Resampling.NEAREST if im.mode in _NEAREST_MODES else Image.Resampling.BILINEAR
        im.thumbnail((max_side, max_side), resample)
    return im


def _too_large(name: str, w: int, h: int, limit: int = MAX_PIXELS, kind: str = "") -> str:
    return (f"“{name}” is {w}×{h} pixels ({w * h / 1e6:.0f} megapixels), too large to open safely "
            f"(limit {limit // 1_000_000} megapixels{kind}).")


def _check_plausible(im: Image.Image, name: str, file_bytes: int) -> None:
    """Refuse a PNG too short to hold the pixels it claims (a truncated file, or a trap)."""
    if im.format != "PNG":
        return
    w, h = im.size
    bits = {"1": 1, "L": 8, "P": 8, "LA": 16, "RGB": 24, "RGBA": 32, "I;16": 16, "I;16B": 16, "I": 32}.get(im.mode, 8)
    if "bit depth" in im.info:
        bits = int(im.info["bit depth"])
    raw = h * (1 + (w * bits + 7) // 8)
    if file_bytes * _DEFLATE_MAX_RATIO < raw * 0.9:
        raise ImageError(f"“{name}” is truncated or damaged: it claims {w}×{h} pixels but holds only "
                         f"{file_bytes:,} bytes.")


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
