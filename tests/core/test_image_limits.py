"""One pixel limit, decoded small, a truncated trap costs nothing, a real 100 MP photo opens (issue 13)."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core import imaging
from core.errors import ImageError
from tests.hostile.hostile_corpus import png_claiming

ROOT = Path(__file__).resolve().parents[2]

MEASURE = textwrap.dedent("""
    import resource, sys
    from core import imaging
    def peak():  # VmHWM starts afresh at exec; ru_maxrss would carry over the parent's peak
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    idle = peak()
    try:
        shape = imaging.load_image(sys.argv[1]).shape
    except Exception as exc:
        shape = type(exc).__name__ + ": " + str(exc)
    print(round(peak() - idle), shape)
""")


def measure(path: Path) -> tuple[int, str]:
    """Peak resident memory above the idle process (MB) to load one file, and what came back."""
    r = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, cwd=ROOT,
                       timeout=300, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    mb, shape = r.stdout.strip().split(" ", 1)
    return int(mb), shape


def test_the_app_and_pillow_share_one_pixel_limit():
    assert Image.MAX_IMAGE_PIXELS == imaging.MAX_PIXELS
    assert 11_648 * 8_736 < imaging.MAX_PIXELS  # a 100-megapixel camera's photo


@pytest.mark.parametrize("w,h", [(12_000, 9_000), (30_000, 30_000)])
def test_an_image_over_the_limit_is_refused_from_its_header(tmp_path, w, h):
    with pytest.raises(ImageError, match="too large to open safely.*limit 105 megapixels"):
        imaging.load_image(png_claiming(tmp_path / "x.png", w, h))


def test_a_138_byte_png_claiming_80_megapixels_costs_almost_nothing(tmp_path):
    trap = png_claiming(tmp_path / "trap.png", 10_000, 8_000, payload=b"\0" * 5000)
    assert trap.stat().st_size < 200
    mb, answer = measure(trap)
    assert "truncated or damaged" in answer and "10000×8000" in answer
    assert mb < 30


def test_a_real_100_megapixel_photo_opens_within_the_memory_budget(tmp_path):
    w, h = 11_648, 8_736
    make = ("from PIL import Image; import sys; im = Image.new('RGB', (%d, %d), (90, 140, 200)); "
            "im.paste((200, 30, 30), (0, 0, %d, %d)); im.save(sys.argv[1], quality=90); "
            "im.save(sys.argv[2], compress_level=1)" % (w, h, w // 2, h // 2))
    jpg, png = tmp_path / "photo.jpg", tmp_path / "photo.png"
    subprocess.run([sys.executable, "-c", make, str(jpg), str(png)], check=True, timeout=300)
    for path, budget in ((jpg, 150), (png, 500)):
        mb, shape = measure(path)
        assert shape == "(1536, 2048, 3)", shape  # decoded at reduced size, not refused
        assert mb < budget, (path.name, mb)


def test_reduced_decoding_keeps_colour_orientation_and_transparency(tmp_path):
    im = Image.new("RGBA", (4000, 1000), (0, 0, 0, 0))
    im.paste((255, 0, 0, 255), (0, 0, 2000, 1000))
    im.save(tmp_path / "a.png")
    arr = imaging.load_image(tmp_path / "a.png")
    assert arr.shape == (512, 2048, 3)
    assert tuple(arr[256, 100]) == (255, 0, 0) and tuple(arr[256, 1900]) == (255, 255, 255)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    Image.new("RGB", (4000, 3000), (0, 0, 255)).save(tmp_path / "o.jpg", exif=exif)
    assert imaging.load_image(tmp_path / "o.jpg").shape == (2048, 1536, 3)
    pal = Image.new("P", (5000, 100), 3)
    pal.putpalette([0, 0, 0] * 3 + [10, 200, 30] + [0, 0, 0] * 252)
    pal.save(tmp_path / "p.gif")
    arr = imaging.load_image(tmp_path / "p.gif")
    assert arr.shape[1:] == (2048, 3) and 40 <= arr.shape[0] <= 41 and tuple(arr[20, 20]) == (10, 200, 30)
    big = np.random.default_rng(0).integers(0, 255, (100, 3000, 3), dtype=np.uint8)
    Image.fromarray(big).save(tmp_path / "full.png")
    assert imaging.load_image(tmp_path / "full.png", max_side=None).shape == (100, 3000, 3)
