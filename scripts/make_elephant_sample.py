"""Make ``resources/samples/elephant.jpg``, the seed demo's "Elephant → tiger shark" photo.

Source: ``african_elephants.jpg`` (2048×1536 camera-trap photo, Snapshot Serengeti,
CDLA-Permissive-1.0; provenance in the shared samples folder). The camera's banner (the bottom
~65 rows) is left out; a 620×620 square around the herd (left 1300, top 560) is resized to
448×448 and saved as a JPEG. EfficientNet-Lite0 calls the result "African elephant".

Run: python scripts/make_elephant_sample.py [SOURCE.jpg]
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
#: ``../shared/samples/`` beside the repository (or beside the folder of work trees).
SOURCES = [base / "shared" / "samples" / "african_elephants.jpg" for base in (ROOT.parent, ROOT.parent.parent)]
BOX = (1300, 560, 1300 + 620, 560 + 620)  # left, top, right, bottom: the herd, above the banner
BANNER_ROWS = 65
SIZE = 448
OUT = ROOT / "resources" / "samples" / "elephant.jpg"


def make(source: Path, out: Path = OUT) -> Path:
    with Image.open(source) as im:
        im = im.convert("RGB")
        w, h = im.size
        if (w, h) != (2048, 1536):
            raise SystemExit(f"expected the 2048×1536 original, got {w}×{h}")
        if BOX[3] > h - BANNER_ROWS:
            raise SystemExit("the crop box would include the camera banner")
        crop = im.crop(BOX).resize((SIZE, SIZE), Image.LANCZOS)
    crop.save(out, format="JPEG", quality=90, optimize=True)
    return out


if __name__ == "__main__":
    if len(sys.argv) > 1:
        src = Path(sys.argv[1])
    else:
        src = next((p for p in SOURCES if p.is_file()), SOURCES[0])
    if not src.is_file():
        raise SystemExit(f"{src} not found; pass the path of african_elephants.jpg")
    print(make(src))
