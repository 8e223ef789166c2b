"""Peak memory to open one image file, above the idle process (issue 13: at most 500 MB).

    python bench/image_memory.py

Makes the files in a temporary folder — a 100-megapixel photo (11,648×8,736) as JPEG, PNG and
transparent PNG, a 60-megapixel TIFF, and the tiny truncated PNG that claims 10,000×8,000 — then
opens each in a fresh process with ``core.imaging.load_image`` and reports the peak resident set
size above that process's idle peak (``resource.getrusage``), the time and what came back.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MEASURE = textwrap.dedent("""
    import resource, sys, time
    from core import imaging
    def peak():  # VmHWM starts afresh at exec; ru_maxrss would carry over the parent's peak
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    idle = peak()
    t = time.perf_counter()
    try:
        what = "x".join(map(str, imaging.load_image(sys.argv[1]).shape[:2][::-1]))
    except Exception as exc:
        what = "refused: " + str(exc)[:70]
    print(f"{peak() - idle:.0f}|{time.perf_counter() - t:.2f}|{what}")
""")

MAKE = textwrap.dedent("""
    import sys, numpy as np
    from PIL import Image
    w, h = 11648, 8736
    rng = np.random.default_rng(0)
    a = np.empty((h, w, 3), np.uint8)
    a[:] = rng.integers(0, 256, (1, w, 3), dtype=np.uint8)
    a[::7] = rng.integers(0, 256, (w, 3), dtype=np.uint8)
    im = Image.fromarray(a)
    del a
    d = sys.argv[1]
    im.save(d + "/photo-100mp.jpg", quality=90)
    im.save(d + "/photo-100mp.png", compress_level=1)
    im.crop((0, 0, 9000, 6700)).save(d + "/scan-60mp.tif")
    im.putalpha(200)
    im.save(d + "/transparent-100mp.png", compress_level=1)
""")


def main() -> int:
    from tests.hostile.hostile_corpus import png_claiming

    folder = Path(tempfile.mkdtemp(prefix="image-memory-"))
    subprocess.run([sys.executable, "-c", MAKE, str(folder)], check=True)
    png_claiming(folder / "trap-10000x8000.png", 10_000, 8_000, payload=b"\0" * 5000)
    png_claiming(folder / "claims-30000x30000.png", 30_000, 30_000)
    print("| file | size on disk | peak above idle | seconds | result |")
    print("|---|---|---|---|---|")
    for path in sorted(folder.iterdir()):
        r = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, cwd=ROOT,
                           env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
        mb, secs, what = (r.stdout.strip() or f"?|?|{r.stderr[-80:]}").split("|", 2)
        print(f"| {path.name} | {path.stat().st_size / 2**20:.1f} MB | {mb} MB | {secs} | {what} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
