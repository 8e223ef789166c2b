"""Every kind of file a lecturer might drop: good ones load as RGB, bad ones give one sentence."""

import io
import os
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from core import imaging
from core.errors import ImageError


def _save(path, im, **kw):
    im.save(path, **kw)
    return path


@pytest.mark.parametrize("mode,ext", [
    ("RGB", ".png"), ("RGB", ".jpg"), ("RGB", ".bmp"), ("RGB", ".webp"), ("RGB", ".tiff"),
    ("L", ".png"), ("LA", ".png"), ("RGBA", ".png"), ("CMYK", ".jpg"), ("CMYK", ".tiff"),
    ("I;16", ".png"), ("P", ".gif"), ("1", ".bmp"),
])
def test_any_mode_becomes_rgb_uint8(tmp_path, mode, ext):
    im = Image.new("RGB", (40, 30), (200, 30, 60)).convert(mode) if mode != "I;16" else \
        Image.fromarray(np.full((30, 40), 40000, dtype=np.uint16))
    arr = imaging.load_image(_save(tmp_path / f"x{ext}", im))
    assert arr.dtype == np.uint8 and arr.shape == (30, 40, 3)
    if mode == "I;16":
        assert abs(int(arr[0, 0, 0]) - round(40000 / 65535 * 255)) <= 1


def test_palette_transparency_is_flattened_on_white(tmp_path):
    im = Image.new("P", (8, 8), 0)
    im.putpalette([255, 0, 0] + [0, 0, 0] * 255)
    im.info["transparency"] = 0
    arr = imaging.load_image(_save(tmp_path / "t.png", im, transparency=0))
    assert (arr == 255).all()


def test_rgba_transparent_pixels_become_white(tmp_path):
    im = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    arr = imaging.load_image(_save(tmp_path / "a.png", im))
    assert (arr == 255).all()


def test_exif_orientation_is_applied(tmp_path):
    im = Image.new("RGB", (40, 20), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    arr = imaging.load_image(_save(tmp_path / "o.jpg", im, exif=exif))
    assert arr.shape[:2] == (40, 20)


def test_animated_gif_gives_first_frame(tmp_path):
    frames = [Image.new("RGB", (10, 10), c) for c in [(255, 0, 0), (0, 255, 0)]]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:])
    arr = imaging.load_image(tmp_path / "a.gif")
    assert arr[0, 0, 0] > 200 and arr[0, 0, 1] < 50


def test_non_ascii_file_name(tmp_path):
    p = _save(tmp_path / "éléphant_象.png", Image.new("RGB", (5, 5)))
    assert imaging.load_image(p).shape == (5, 5, 3)


def _png_header_claiming(w, h):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("make,words", [
    (lambda p: p.write_bytes(b""), "empty"),
    (lambda p: p.write_text("just some text, not a picture"), "not an image"),
    (lambda p: p.write_bytes(_png_header_claiming(50000, 50000)), "too large"),
    (lambda p: p.write_bytes(io.BytesIO(_jpeg_bytes()).getvalue()[:300]), "damaged or truncated"),
])
def test_bad_files_give_one_clear_sentence(tmp_path, make, words):
    p = tmp_path / "bad.png"
    make(p)
    with pytest.raises(ImageError) as err:
        imaging.load_image(p)
    msg = str(err.value)
    assert words in msg and "bad.png" in msg and "\n" not in msg


def _jpeg_bytes():
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(buf, "JPEG")
    return buf.getvalue()


def test_folder_and_missing_path(tmp_path):
    with pytest.raises(ImageError, match="folder"):
        imaging.load_image(tmp_path)
    with pytest.raises(ImageError, match="does not exist"):
        imaging.load_image(tmp_path / "nope.png")


def test_save_png_roundtrip_is_exact_and_atomic(tmp_path):
    img = np.random.default_rng(1).integers(0, 256, (7, 9, 3), dtype=np.uint8)
    out = imaging.save_png(tmp_path / "r.png", img)
    assert np.array_equal(imaging.load_image(out), img)
    assert [p.name for p in tmp_path.iterdir()] == ["r.png"]  # no temporary file left behind
    with pytest.raises(ImageError, match="does not exist"):
        imaging.save_png(tmp_path / "missing" / "r.png", img)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="POSIX permissions; root ignores them")
def test_save_png_into_a_read_only_folder_is_a_sentence(tmp_path):
    img = np.zeros((4, 4, 3), np.uint8)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(ImageError, match="could not write"):
            imaging.save_png(tmp_path / "r.png", img)
    finally:
        tmp_path.chmod(0o755)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_saved_png_has_the_users_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        out = imaging.save_png(tmp_path / "r.png", np.zeros((4, 4, 3), np.uint8))
    finally:
        os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600


def test_fit_to_size_and_amplify():
    img = np.zeros((300, 451, 3), np.uint8)
    assert imaging.fit_to_size(img, (224, 224)).shape == (224, 224, 3)
    vis, gain = imaging.amplify(np.array([[-2.0, 0.0, 2.0]]))
    assert vis.tolist() == [[0, 127, 254]] and gain == pytest.approx(63.5)
