"""Animations for slides: a run's frames as an animated GIF (or MP4), with its settings beside it.

GIF is written by imageio through Pillow, which every install has. MP4 needs the optional
``imageio-ffmpeg`` package (``pip install fooling-lab[movie]``): it brings a ~30 MB ffmpeg binary
per platform, which most lecturers do not need, since every slide program plays GIFs. Beside
``run.gif`` goes ``run.json``: the exact scene or parameters the run used, so the slide can be
made again.

A long run is thinned rather than cut: when more than ``max_frames`` frames come, every other frame
is dropped and only every second new one kept, so the movie still covers the whole run.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .errors import UserError

FORMATS = {".gif": "GIF", ".mp4": "MP4"}


def mp4_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("imageio_ffmpeg") is not None


def check_path(path: str | os.PathLike) -> Path:
    """A movie path we can write, or one sentence saying why not."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UserError(f"“{path.name}”: a movie must end in .gif or .mp4.")
    if suffix == ".mp4" and not mp4_available():
        raise UserError("MP4 needs the imageio-ffmpeg package (pip install imageio-ffmpeg); "
                        "or give a .gif name.")
    if not path.parent.is_dir():
        raise UserError(f"the folder “{path.parent}” does not exist.")
    return path


def as_rgb(image: np.ndarray) -> np.ndarray:
    """uint8 H×W×3 from a grey, RGB or RGBA uint8 (or [0, 1] float) image."""
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        arr = (np.clip(arr, 0, 1) * 255 + 0.5).astype(np.uint8)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ValueError(f"not an image: shape {arr.shape}")
    return np.ascontiguousarray(arr[:, :, :3])


def compose(images: Sequence[np.ndarray], caption: str = "", scale: int | None = None, gap: int = 6) -> np.ndarray:
    """Images side by side on white, a caption below. Small images (digits) are enlarged
    ``scale`` times without smoothing; by default to about 300 pixels high."""
    from PIL import Image, ImageDraw, ImageFont

    if scale is None:
        scale = max(1, 300 // max(np.asarray(im).shape[0] for im in images))

    tiles = [np.kron(as_rgb(im), np.ones((scale, scale, 1), dtype=np.uint8)) for im in images]
    height = max(t.shape[0] for t in tiles)
    width = sum(t.shape[1] for t in tiles) + gap * (len(tiles) + 1)
    font_px = max(14, min(height // 12, 40))
    font = None
    if caption:
        try:
            font = ImageFont.load_default(size=font_px)
        except TypeError:  # Pillow without FreeType
            font = ImageFont.load_default()
        width = max(width, int(np.ceil(font.getlength(caption))) + 2 * gap)
    strip = font_px * 2 if caption else 0
    canvas = np.full((height + 2 * gap + strip, width, 3), 255, dtype=np.uint8)
    x = gap
    for t in tiles:
        canvas[gap:gap + t.shape[0], x:x + t.shape[1]] = t
        x += t.shape[1] + gap
    if caption:
        picture = Image.fromarray(canvas)
        ImageDraw.Draw(picture).text((gap, height + gap + font_px // 3), caption, fill=(0, 0, 0), font=font)
        canvas = np.asarray(picture)
    return canvas


class MovieRecorder:
    """Collects frames, then writes the movie and its JSON. Frames may differ in size (padded)."""

    def __init__(self, path: str | os.PathLike, fps: float = 10.0, max_frames: int = 300,
                 max_side: int = 1280) -> None:
        self.path = check_path(path)
        self.fps = float(fps)
        self.max_frames = max(2, int(max_frames))
        self.max_side = int(max_side)
        self.frames: list[np.ndarray] = []
        self._stride = 1
        self._seen = 0

    def add(self, image: np.ndarray) -> None:
        self._seen += 1
        if (self._seen - 1) % self._stride:
            return
        frame = _shrink(as_rgb(image), self.max_side)
        self.frames.append(frame)
        if len(self.frames) > self.max_frames:
            self.frames = self.frames[::2]
            self._stride *= 2

    @property
    def frame_seconds(self) -> float:
        return self._stride / self.fps

    def write(self, meta: dict[str, Any] | None = None, hold_last_s: float = 1.5) -> Path:
        """Write the movie (the last frame held a little) and ``<name>.json``; returns the movie path."""
        if not self.frames:
            raise UserError("nothing was recorded: the run showed no frames.")
        return write_movie(self.path, self.frames, 1.0 / self.frame_seconds, meta, hold_last_s)


def _shrink(frame: np.ndarray, max_side: int) -> np.ndarray:
    h, w = frame.shape[:2]
    factor = int(np.ceil(max(h, w) / max_side)) if max(h, w) > max_side else 1
    return frame[::factor, ::factor] if factor > 1 else frame


def _same_size(frames: Sequence[np.ndarray], even: bool) -> list[np.ndarray]:
    h = max(f.shape[0] for f in frames)
    w = max(f.shape[1] for f in frames)
    if even:  # H.264 wants even sides
        h, w = h + h % 2, w + w % 2
    out = []
    for f in frames:
        if f.shape[:2] != (h, w):
            padded = np.full((h, w, 3), 255, dtype=np.uint8)
            padded[:f.shape[0], :f.shape[1]] = f
            f = padded
        out.append(f)
    return out


def write_movie(path: str | os.PathLike, frames: Sequence[np.ndarray], fps: float = 10.0,
                meta: dict[str, Any] | None = None, hold_last_s: float = 1.5) -> Path:
    """Write ``frames`` as a GIF or MP4 (by the suffix), and ``meta`` as JSON beside it."""
    import imageio.v3 as iio

    path = check_path(path)
    if len(frames) == 0:
        raise UserError("there are no frames to write.")
    mp4 = path.suffix.lower() == ".mp4"
    frames = _same_size([as_rgb(f) for f in frames], even=mp4)
    hold = max(0, round(hold_last_s * fps))
    stack = np.stack(list(frames) + [frames[-1]] * hold)
    fd, tmp = tempfile.mkstemp(prefix=".movie-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        if mp4:
            iio.imwrite(tmp, stack, extension=".mp4", plugin="FFMPEG", fps=fps, codec="libx264",
                        quality=8, macro_block_size=2)
        else:
            iio.imwrite(tmp, stack, extension=".gif", plugin="pillow", duration=int(round(1000 / fps)), loop=0)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # like any file the user saves, not mkstemp's private mode
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"the movie cannot be written to “{path}” ({exc.strerror or exc}).") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    info = {"movie": path.name, "frames": int(len(frames)), "fps": round(fps, 3), **(meta or {})}
    path.with_suffix(".json").write_text(json.dumps(info, indent=2, ensure_ascii=False, default=str) + "\n",
                                         encoding="utf-8")
    return path
