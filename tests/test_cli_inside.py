"""``layers``, ``visualize`` and ``dream`` run as a user runs them (subprocess, JSON on stdout)."""

import json

from core import imaging
from tests.test_cli import ROOT, run


def _json(r):
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_layers_json_lists_the_stages_with_shapes():
    out = _json(run("layers", "--json"))
    names = [s["name"] for s in out["stages"]]
    assert names[0] == "conv_stem" and names[-1] == "fc" and "blocks4" in names
    blocks4 = out["stages"][names.index("blocks4")]
    assert blocks4["shape"] == [80, 14, 14] and blocks4["kind"] == "conv" and blocks4["channels"] == 80
    text = run("layers")
    assert text.returncode == 0 and "exploits" in text.stdout and "1,281,000" in text.stdout


def test_visualize_a_channel_and_a_class(tmp_path):
    out = tmp_path / "ch.png"
    s = _json(run("visualize", "--layer", "blocks4", "--channel", "10", "--steps", "16", "--size", "96",
                  "--out", str(out), "--json"))
    assert s["layer"] == "blocks4" and s["channel"] == 10 and set(s["photos"]) >= {"chelsea", "coffee"}
    assert s["activation"] > 2 * s["photos_max"] and imaging.load_image(out).shape == (96, 96, 3)
    cat = tmp_path / "cat.png"
    s = _json(run("visualize", "--class", "tiger shark", "--regularize", "none", "--steps", "12",
                  "--size", "96", "--out", str(cat), "--json"))
    assert s["class_index"] == 3 and s["probability"] > 0.9 and s["regularizers"] == "no regulariser"


def test_dream_keeps_the_size_and_bad_layers_are_sentences(tmp_path):
    out = tmp_path / "dream.png"
    s = _json(run("dream", "--image", "chelsea", "--layer", "blocks3", "--layer", "blocks5", "--octaves", "2",
                  "--steps", "2", "--out", str(out), "--json"))
    photo = imaging.load_image(ROOT / "resources/samples/chelsea.png")
    assert s["layers"] == ["blocks3", "blocks5"] and imaging.load_image(out).shape == photo.shape
    r = run("dream", "--image", "chelsea", "--layer", "mixed4c", "--out", str(out))
    assert r.returncode == 2 and "no stage “mixed4c”" in r.stderr and "Traceback" not in r.stderr
    r = run("visualize", "--layer", "blocks2", "--channel", "99", "--out", str(out))
    assert r.returncode == 2 and "channels 0–23" in r.stderr
