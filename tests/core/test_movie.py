"""Movies for slides: the frames show the change, the settings lie beside the file."""

import json
import os
import subprocess
import sys
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from core import movie
from core.errors import UserError

ROOT = Path(__file__).resolve().parents[2]


def test_a_gif_shows_the_morph_and_its_settings_lie_beside_it(tmp_path):
    rec = movie.MovieRecorder(tmp_path / "morph.gif", fps=5)
    for step in range(6):  # a dark square growing on white
        img = np.full((28, 28), 255, np.uint8)
        img[:4 + 4 * step, :4 + 4 * step] = 0
        rec.add(movie.compose([img], f"step {step}"))
    path = rec.write({"params": {"attack": {"eps": 2.0}}})
    frames = iio.imread(path, index=None)
    assert frames.shape[0] > 1
    assert not np.array_equal(frames[0], frames[-1])
    assert frames[-1][:, :, :3].mean() < frames[0][:, :, :3].mean()  # more of it is dark at the end
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["params"]["attack"]["eps"] == 2.0 and meta["frames"] == 6


def test_a_long_run_is_thinned_not_cut(tmp_path):
    rec = movie.MovieRecorder(tmp_path / "long.gif", max_frames=10)
    for step in range(100):
        rec.add(np.full((8, 8), step, np.uint8))
    assert len(rec.frames) <= 10
    assert rec.frames[-1][0, 0, 0] >= 80  # the end of the run is there


def test_bad_movie_names_are_sentences(tmp_path):
    with pytest.raises(UserError, match=r"\.gif or \.mp4"):
        movie.check_path(tmp_path / "x.avi")
    with pytest.raises(UserError, match="does not exist"):
        movie.check_path(tmp_path / "no" / "x.gif")
    if not movie.mp4_available():
        with pytest.raises(UserError, match="imageio-ffmpeg"):
            movie.check_path(tmp_path / "x.mp4")


@pytest.mark.skipif(not movie.mp4_available(), reason="imageio-ffmpeg (the optional MP4 writer) is not installed")
def test_an_mp4_plays_back(tmp_path):
    path = movie.write_movie(tmp_path / "m.mp4", [np.full((30, 41), v, np.uint8) for v in (0, 120, 250)], fps=5)
    assert iio.imread(path, index=None, plugin="FFMPEG").shape[0] >= 3


def test_evolve_movie_from_the_command_line(tmp_path):
    env = {**os.environ, "FOOLING_LAB_DEVICE": "cpu"}
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "evolve", "--target", "3", "--algorithm", "ga",
                        "--generations", "6", "--movie", str(tmp_path / "evo.gif")],
                       capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    frames = iio.imread(tmp_path / "evo.gif", index=None)
    assert frames.shape[0] > 1 and not np.array_equal(frames[0], frames[-2])
    meta = json.loads((tmp_path / "evo.json").read_text(encoding="utf-8"))
    assert meta["command"] == "evolve" and meta["options"]["target"] == "3"


def test_fool_movie_from_the_command_line(tmp_path):
    env = {**os.environ, "FOOLING_LAB_DEVICE": "cpu"}
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "fool", "--image", "chelsea",
                        "--target", "tiger shark", "--steps", "3", "--out", str(tmp_path / "x.png"),
                        "--movie", str(tmp_path / "fool.gif")],
                       capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    frames = iio.imread(tmp_path / "fool.gif", index=None)
    assert frames.shape[0] > 1 and not np.array_equal(frames[0], frames[-1])
    meta = json.loads((tmp_path / "fool.json").read_text(encoding="utf-8"))
    assert meta["params"]["attack"]["steps"] == 3
