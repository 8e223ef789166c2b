"""Draw the app's icon, resources/icons/fooling-lab.png (run: python scripts/make_icon.py).

The icon is drawn here from shapes, nothing copied: a blue tile with an eye whose iris is half
photo-smooth and half pixel noise, the lab's idea in one picture (Okabe–Ito colours).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SIZE = 256
OUT = Path(__file__).resolve().parent.parent / "resources" / "icons" / "fooling-lab.png"


def draw(size: int = SIZE) -> Image.Image:
    s = size / 256
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((8 * s, 8 * s, 248 * s, 248 * s), radius=48 * s, fill=(0, 114, 178, 255))
    # the white of the eye: two arcs
    eye = Image.new("L", (size, size), 0)
    e = ImageDraw.Draw(eye)
    e.ellipse((-40 * s, 60 * s, 296 * s, 300 * s), fill=255)
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).ellipse((-40 * s, -44 * s, 296 * s, 196 * s), fill=255)
    tile = Image.new("L", (size, size), 0)
    ImageDraw.Draw(tile).rounded_rectangle((8 * s, 8 * s, 248 * s, 248 * s), radius=48 * s, fill=255)
    eye = Image.fromarray((np.asarray(eye) & np.asarray(mask) & np.asarray(tile)).astype(np.uint8))
    img.paste((255, 255, 255, 255), (0, 0), eye)
    # the iris: left half smooth orange, right half pixel noise
    rng = np.random.default_rng(10)
    cells = 14
    noise = rng.integers(0, 256, (cells, cells, 3), dtype=np.uint8)
    noise = np.asarray(Image.fromarray(noise).resize((size, size), Image.Resampling.NEAREST))
    smooth = np.zeros((size, size, 3), np.uint8)
    smooth[:] = (230, 159, 0)
    half = np.arange(size)[None, :] < size // 2
    iris = np.where(half[:, :, None], smooth, noise)
    iris_mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(iris_mask).ellipse((78 * s, 78 * s, 178 * s, 178 * s), fill=255)
    img.paste(Image.fromarray(iris), (0, 0), iris_mask)
    d = ImageDraw.Draw(img)
    d.ellipse((108 * s, 108 * s, 148 * s, 148 * s), fill=(0, 0, 0, 255))
    d.ellipse((78 * s, 78 * s, 178 * s, 178 * s), outline=(0, 0, 0, 255), width=max(1, round(5 * s)))
    return img.filter(ImageFilter.SMOOTH) if size < 64 else img


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    draw().save(OUT, optimize=True)
    print(f"wrote {OUT}")
