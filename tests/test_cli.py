"""The command line, run as a user runs it: a subprocess, exit status, stdout JSON, stderr."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import imaging

ROOT = Path(__file__).resolve().parent.parent


def run(*args, timeout=240):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)


def test_fool_writes_a_png_that_fools_and_reports_json(tmp_path):
    out = tmp_path / "shark.png"
    r = run("fool", "--image", str(ROOT / "resources/samples/chelsea.png"), "--target", "tiger shark",
            "--eps", "2", "--steps", "60", "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    for key in ("target_index", "target_name", "target_prob", "original_index", "original_prob",
                "top1_index", "linf_255", "l2", "steps", "seconds", "out"):
        assert key in summary
    assert summary["target_index"] == 3 and summary["top1_index"] == 3 and summary["target_prob"] >= 0.99
    assert summary["original_index"] == 285 and summary["linf_255"] <= 2
    assert Path(summary["out"]) == out and imaging.load_image(out).shape == (224, 224, 3)
    assert "step" in r.stderr  # progress is printed


def test_classify_and_models_json(tmp_path):
    r = run("classify", str(ROOT / "resources/samples/coffee.png"), "--json")
    assert r.returncode == 0, r.stderr
    top = json.loads(r.stdout)["top5"]
    assert top[0]["name"] == "espresso" and len(top) == 5
    r = run("models", "--json")
    rows = {row["name"]: row for row in json.loads(r.stdout)}
    assert rows["efficientnet_lite0"]["available"] is True
    assert rows["inception_v3"]["input_size"] == [299, 299]


@pytest.mark.parametrize("args,words", [
    (["fool", "--image", "does-not-exist.png", "--target", "3"], "does not exist"),
    (["fool", "--image", "chelsea", "--target", "unicornfish"], "no class"),
    (["fool", "--image", "chelsea", "--target", "3", "--eps", "-1"], "ε"),
    (["fool", "--image", "chelsea", "--target", "3", "--stop-at", "2"], "probability"),
    (["fool", "--image", "chelsea", "--target", "3", "--model", "nope"], "unknown model"),
    (["classify", "pyproject.toml"], "not an image"),
    (["fool", "--target", "3"], "required"),
    (["frobnicate"], "invalid choice"),
    (["fool", "--image", "chelsea", "--target", "7", "--model", "mnist_cnn"], "grey digits"),
    (["fool", "--image", "noise", "--target", "3", "--seed", "-1"], "--seed"),
    (["evolve", "--target", "5", "--seed", "-1"], "--seed"),
    (["manifold", "--dims", "2", "--seed", "-1"], "--seed"),
    (["evolve", "--algorithm", "ga", "--target", "1", "--elite", "100"], "elite"),
    (["download", "nonexistent"], "data set (mnist)"),
])
def test_bad_input_exits_2_with_one_error_line(args, words, capsys, monkeypatch):
    from cli.run import run as run_in_process

    monkeypatch.chdir(ROOT)
    assert run_in_process(args) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert lines[-1].startswith("error:") and words in lines[-1]
    assert "Traceback" not in err


def test_score_judges_every_readable_image_and_names_the_bad_one(capsys, monkeypatch):
    from cli.run import run as run_in_process

    monkeypatch.chdir(ROOT)
    code = run_in_process(["autoencoder", "score", "resources/samples/chelsea.png", "pyproject.toml",
                           "resources/samples/coffee.png", "--json"])
    out = capsys.readouterr()
    assert code == 2  # something failed, and the exit status says so
    rows = json.loads(out.out.strip().splitlines()[-1])["images"]
    assert [("error" in r) for r in rows] == [False, True, False]
    assert rows[0]["verdict"] in ("OK", "LIAR") and rows[2]["loss"] > 0
    assert out.err.strip().splitlines() == ["error: “pyproject.toml” is not an image file Fooling Lab can read."]


def test_bad_input_in_a_real_process_has_no_traceback():
    r = run("fool", "--image", "missing.png", "--target", "3", timeout=120)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == ["error: “missing.png” does not exist."]


def test_cli_never_imports_qt():
    code = ("import sys; sys.argv=['main.py','models']; import main; main.main(['models']);"
            "assert not any(m.startswith(('PySide6','pyqtgraph')) for m in sys.modules), 'Qt imported'")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
