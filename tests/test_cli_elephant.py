"""The seed lecture's demo from the command line: the shipped elephant becomes a tiger shark."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from core import imaging
from core.resources import sample_images

ROOT = Path(__file__).resolve().parent.parent


def test_elephant_ships_with_its_provenance():
    path = sample_images()["elephant"]
    img = imaging.load_image(path)
    assert img.shape == (448, 448, 3) and path.stat().st_size < 200_000
    note = (ROOT / "resources/samples/PROVENANCE.md").read_text(encoding="utf-8")
    line = next(row for row in note.splitlines() if row.startswith("| elephant.jpg"))
    assert "CDLA-Permissive-1.0" in line and "modified: cropped and resized" in line
    assert "make_elephant_sample.py" in line


def test_classify_elephant_says_african_elephant(capsys):
    from main import main

    assert main(["classify", "elephant", "--json"]) == 0
    top = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["top5"]
    assert top[0]["name"] == "African elephant" and top[0]["prob"] > 0.7


def test_fool_elephant_into_tiger_shark_at_99_percent_read_back(tmp_path):
    out = tmp_path / "shark.png"
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "fool", "--image", "elephant", "--target",
                        "tiger shark", "--eps", "2", "--out", str(out), "--json"],
                       capture_output=True, text=True, timeout=300, cwd=ROOT,
                       env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["original_name"] == "African elephant"
    assert summary["top1_name"] == "tiger shark" and summary["target_prob"] >= 0.99  # measured on the file
    assert summary["linf_255"] <= 2


def test_a_circle_stays_a_circle_cropped_or_letterboxed(capsys):
    yy, xx = np.mgrid[:300, :400]
    img = np.full((300, 400, 3), 255, np.uint8)
    img[(yy - 150) ** 2 + (xx - 200) ** 2 < 100 ** 2] = 0
    for fit, diameter in (("crop", 149), ("letterbox", 111)):
        out = imaging.fit_image(img, (224, 224), fit)
        ys, xs = np.nonzero(out[..., 0] < 128)
        height, width = np.ptp(ys) + 1, np.ptp(xs) + 1
        assert out.shape == (224, 224, 3)
        assert abs(height - width) <= 1 and abs(height - diameter) <= 2, (fit, height, width)
    boxed = imaging.fit_image(img, (224, 224), "letterbox")
    assert (boxed[:20] == imaging.LETTERBOX_GREY).all()  # the bars, above and below the whole photo
    assert imaging.FitParams().fit == "crop"
