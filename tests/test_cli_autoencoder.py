"""``autoencoder train`` and ``score`` against broken input: one ``error:`` line and exit 2, never a
traceback; output paths are checked before training; a diverged run is not saved as if fine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from cli.run import run as run_in_process
from tests import autoencoder_corpus as corpus

ROOT = Path(__file__).resolve().parent.parent
DIGIT = str(ROOT / "resources/samples/chelsea.png")


@pytest.fixture(scope="module")
def weights_corpus(tmp_path_factory):
    return corpus.write_weights_corpus(tmp_path_factory.mktemp("weights"))


@pytest.fixture(scope="module")
def idx_corpus(tmp_path_factory):
    return corpus.write_idx_corpus(tmp_path_factory.mktemp("idx"))


def _one_error(capsys, code: int) -> str:
    out = capsys.readouterr()
    lines = out.err.strip().splitlines()
    assert code == 2, out.err
    assert len(lines) == 1 and lines[0].startswith("error: ") and "internal error" not in lines[0], out.err
    return lines[0]


@pytest.mark.parametrize("name", sorted([*corpus.TORCH_BLOBS, *corpus.RAW_FILES, "a_folder"]))
def test_score_with_every_crafted_weights_file_is_one_error_line(capsys, weights_corpus, name):
    line = _one_error(capsys, run_in_process(["autoencoder", "score", DIGIT, "--weights", str(weights_corpus[name])]))
    assert weights_corpus[name].name[:20] in line


def test_score_with_a_model_that_learned_nothing_cannot_judge(capsys, tmp_path):
    p = tmp_path / "diverged.pt"
    torch.save(corpus.diverged_blob(), p)
    line = _one_error(capsys, run_in_process(["autoencoder", "score", DIGIT, "--weights", str(p)]))
    assert "cannot judge" in line and "OK" not in line


@pytest.mark.parametrize("name", sorted([*corpus.IDX_FOLDERS, "corrupt_gzip", "truncated_gzip", "not_gzip"]))
def test_train_on_every_bad_idx_folder_is_one_error_line(capsys, idx_corpus, tmp_path, name):
    code = run_in_process(["autoencoder", "train", "--epochs", "1", "--data", str(idx_corpus[name]),
                           "--out", str(tmp_path / "x.pt")])
    _one_error(capsys, code)
    assert not (tmp_path / "x.pt").exists()


@pytest.mark.parametrize("out, words", [
    ("no/such/folder/w.pt", "does not exist"),
    ("x" * 300 + ".pt", "too long"),
    ("/dev/null", "special file"),
    ("/proc/w.pt", "cannot write"),
    ("weights.txt", ".safetensors"),
])
def test_train_checks_out_before_training(capsys, tmp_path, monkeypatch, out, words):
    monkeypatch.chdir(tmp_path)
    line = _one_error(capsys, run_in_process(["autoencoder", "train", "--epochs", "1", "--out", out]))
    assert words in line


def test_train_out_folder_writes_inside_it_and_safetensors_is_offered(capsys, tmp_path):
    code = run_in_process(["autoencoder", "train", "--epochs", "1", "--latent", "4", "--data",
                           str(_tiny_idx(tmp_path)), "--out", str(tmp_path), "--json"])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "autoencoder_dense4.pt").is_file()
    code = run_in_process(["autoencoder", "train", "--epochs", "1", "--latent", "4", "--data",
                           str(_tiny_idx(tmp_path)), "--out", str(tmp_path / "w.safetensors")])
    assert code == 0
    from core import autoencoders as ae

    back = ae.TrainedAE.load(tmp_path / "w.safetensors")
    assert back.config.latent == 4 and back.epochs == 1
    assert (tmp_path / "w.safetensors").read_bytes()[8:9] == b"{"  # safetensors, not a pickle


def _tiny_idx(tmp_path: Path) -> Path:
    from core import data

    d = tmp_path / "idx"
    if d.is_dir():
        return d
    d.mkdir()
    s = data.mnist_sample()
    for name, arr in (("train-images-idx3-ubyte", s.x_train[:700]), ("train-labels-idx1-ubyte", s.y_train[:700])):
        head = bytes([0, 0, 8, arr.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in arr.shape)
        (d / name).write_bytes(head + arr.tobytes())
    return d


def test_options_come_from_the_parameter_dataclasses(capsys):
    with pytest.raises(SystemExit):
        run_in_process(["autoencoder", "train", "--help"])
    text = capsys.readouterr().out
    for option in ("--arch", "--latent", "--noise", "--noise-kind", "--loss", "--epochs", "--batch-size",
                   "--lr", "--seed", "--data", "--out"):
        assert option in text
    assert "auto" in text  # batch size and learning rate follow the architecture unless given
    _one_error(capsys, run_in_process(["autoencoder", "train", "--latent", "many"]))
    _one_error(capsys, run_in_process(["autoencoder", "score", DIGIT, "--k", "nan"]))


def test_a_diverged_run_is_not_saved_as_if_fine(tmp_path):
    out = tmp_path / "diverged.pt"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "autoencoder", "train", "--lr", "0.99",
                        "--batch-size", "65536", "--epochs", "3", "--data", str(_tiny_idx(tmp_path)),
                        "--out", str(out)], capture_output=True, text=True, timeout=240, env=env, cwd=ROOT)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("error: training diverged")
    if out.exists():  # only the last good epoch's weights, and the error line says so
        assert "kept the weights of epoch" in last
    else:
        assert "nothing was saved" in last
