"""The hostile corpus through the command line: one ``error:`` line and exit 2, never a traceback,
no code from a model file run without consent, nothing written outside the output folder."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cli.run import run
from tests.hostile.hostile_corpus import crafted_state_dicts, png_claiming, torchscript_payloads

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = str(ROOT / "resources" / "samples" / "chelsea.png")
#: ``main.py`` as a terminal starts it: Ctrl+C raises KeyboardInterrupt. A test run started in the
#: background of a script inherits SIGINT ignored, and Python then leaves it ignored in the child.
MAIN_WITH_CTRL_C = [sys.executable, "-c", "import runpy, signal, sys; "
                    "signal.signal(signal.SIGINT, signal.default_int_handler); sys.argv = sys.argv[1:]; "
                    "runpy.run_path(sys.argv[0], run_name='__main__')", str(ROOT / "main.py")]
LONG = "x" * 300


def cli(capfd, *argv):
    code = run(list(argv))
    out, err = capfd.readouterr()
    return code, out, err


def one_error(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    secret = root / "secret.txt"
    secret.write_bytes(b"0123456789")
    trace = root / "TRACE"
    return torchscript_payloads(root / "ts", trace, secret), trace, crafted_state_dicts(root / "sd")


@pytest.mark.parametrize("kind", ["writer", "reader", "looper", "load_looper", "hog"])
@pytest.mark.parametrize("command", ["classify", "fool", "evolve"])
def test_torchscript_is_refused_without_running_it(capfd, corpus, kind, command, tmp_path, monkeypatch):
    files, trace, _ = corpus
    monkeypatch.chdir(tmp_path)
    argv = {"classify": ["classify", SAMPLE, "--model", str(files[kind])],
            "fool": ["fool", "--image", SAMPLE, "--target", "3", "--model", str(files[kind])],
            "evolve": ["evolve", "--model", str(files[kind]), "--generations", "1"]}[command]
    t0 = time.monotonic()
    code, out, err = cli(capfd, *argv)
    assert code == 2 and "is TorchScript, which is a program" in one_error(err) and "--trust-model-code" in err
    assert time.monotonic() - t0 < 10  # refused from the archive's listing, not after a load
    assert not trace.exists() and list(tmp_path.iterdir()) == []


def test_trusted_scripts_are_stopped_for_time_and_memory(capfd, corpus, monkeypatch):
    files, _, _ = corpus
    monkeypatch.setenv("FOOLING_LAB_SCRIPT_LOAD_TIMEOUT", "20")
    monkeypatch.setenv("FOOLING_LAB_SCRIPT_CALL_TIMEOUT", "4")
    code, _, err = cli(capfd, "classify", SAMPLE, "--trust-model-code", "--model", str(files["looper"]))
    assert code == 2 and "did not answer within 4 s" in one_error(err)
    code, _, err = cli(capfd, "classify", SAMPLE, "--trust-model-code", "--model", str(files["hog"]))
    assert code == 2 and "memory" in one_error(err) and "stopped" in err


def test_a_trusted_script_that_never_finishes_loading_is_stopped(capfd, corpus, monkeypatch):
    files, _, _ = corpus
    monkeypatch.setenv("FOOLING_LAB_SCRIPT_LOAD_TIMEOUT", "6")
    t0 = time.monotonic()
    code, _, err = cli(capfd, "classify", SAMPLE, "--trust-model-code", "--model", str(files["load_looper"]))
    assert code == 2 and "did not finish loading within 6 s" in one_error(err)
    assert time.monotonic() - t0 < 30


@pytest.mark.parametrize("name", ["wrong_shape.pth", "nan.pth", "int_weights.pth", "strings.pth", "empty_dict.pth",
                                  "a_list.pth", "unknown_keys.pth", "garbage.pth", "empty.pth", "bad.safetensors"])
def test_crafted_state_dicts_are_one_sentence(capfd, corpus, name):
    _, _, crafted = corpus
    path, phrase = crafted[name]
    code, _, err = cli(capfd, "classify", SAMPLE, "--model", str(path))
    assert code == 2 and phrase in one_error(err)


def test_safetensors_round_trip_gives_the_same_answer(capfd, tmp_path):
    code, _, err = cli(capfd, "convert", str(ROOT / "resources" / "models" / "mnist_cnn.pt"),
                       "--out", str(tmp_path / "digits"))
    assert code == 0 and (tmp_path / "digits.safetensors").is_file(), err
    code, out_st, _ = cli(capfd, "classify", SAMPLE, "--model", str(tmp_path / "digits.safetensors"))
    code2, out_ref, _ = cli(capfd, "classify", SAMPLE, "--model", "mnist_cnn")
    assert code == code2 == 0 and out_st == out_ref


def _images(folder: Path) -> dict[str, tuple[Path, str]]:
    folder.mkdir()
    garbage = folder / "garbage.png"
    garbage.write_bytes(os.urandom(2000))
    empty = folder / "empty.jpg"
    empty.write_bytes(b"")
    half = folder / "half.jpg"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (400, 600, 3), dtype=np.uint8)).save(half)
    half.write_bytes(half.read_bytes()[:3000])
    return {
        "bomb": (png_claiming(folder / "bomb.png", 10_000, 8_000), "truncated or damaged"),
        "huge": (png_claiming(folder / "huge.png", 30_000, 30_000), "too large to open safely"),
        "garbage": (garbage, "not an image file"),
        "empty": (empty, "empty"),
        "half": (half, "damaged or truncated"),
        "folder": (folder, "is a folder"),
        "missing": (folder / "nope.png", "does not exist"),
        "device": (Path("/dev/zero"), "special file"),
        "long": (folder / (LONG + ".png"), "too long"),
    }


@pytest.mark.parametrize("kind", ["bomb", "huge", "garbage", "empty", "half", "folder", "missing", "device", "long"])
def test_broken_images_are_one_sentence(capfd, tmp_path, kind):
    path, phrase = _images(tmp_path / "img")[kind]
    code, _, err = cli(capfd, "classify", str(path), "--model", "mnist_cnn")
    assert code == 2 and phrase in one_error(err)


def test_autoencoder_score_keeps_scoring_after_a_trap(capfd, tmp_path):
    imgs = _images(tmp_path / "img")
    code, out, err = cli(capfd, "autoencoder", "score", str(imgs["bomb"][0]), SAMPLE)
    assert code == 2 and "truncated" in err and SAMPLE in out and "Traceback" not in err


@pytest.mark.parametrize("argv,phrase", [
    (["fool", "--image", SAMPLE, "--target", "3", "--out", "/proc/x.png"], "cannot write in the folder"),
    (["fool", "--image", SAMPLE, "--target", "3", "--out", f"/tmp/{LONG}.png"], "too long"),
    (["fool", "--image", SAMPLE, "--target", "3", "--out", "/dev/null"], "special file"),
    (["fool", "--image", SAMPLE, "--target", "3", "--out", "/nonexistent-dir/x.png"], "does not exist"),
    (["evolve", "--generations", "1", "--out", "/sys/fooling-lab"], "cannot create the folder"),
    (["evolve", "--generations", "1", "--out", "/proc/fooling-lab"], "cannot create the folder"),
    (["evolve", "--generations", "1", "--out", f"/tmp/{LONG}"], "too long"),
    (["evolve", "--generations", "1", "--out", SAMPLE], "is a file, not a folder"),
    (["autoencoder", "train", "--epochs", "1", "--out", "/proc/sys/ae.pt"], "cannot write in"),
    (["autoencoder", "train", "--epochs", "1", "--out", f"/tmp/{LONG}.pt"], "too long"),
    (["classify", SAMPLE, "--model", f"/tmp/{LONG}.pt"], "too long"),
    (["classify", SAMPLE, "--model", "/proc/self"], "is a folder"),
    (["convert", "/dev/zero"], "special file"),
])
def test_bad_paths_are_one_sentence_before_any_work(capfd, argv, phrase):
    t0 = time.monotonic()
    code, _, err = cli(capfd, *argv)
    assert code == 2 and phrase in one_error(err)
    assert time.monotonic() - t0 < 20  # found before loading a model or training


def test_a_bad_device_variable_is_one_sentence(capfd, monkeypatch):
    monkeypatch.setenv("FOOLING_LAB_DEVICE", "gpu9")
    code, _, err = cli(capfd, "classify", SAMPLE)
    assert code == 2 and "FOOLING_LAB_DEVICE" in one_error(err)


def test_fool_out_an_existing_folder_writes_inside_it(tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "fool", "--image", SAMPLE, "--target", "3",
                        "--steps", "1", "--out", str(folder)], capture_output=True, text=True, cwd=tmp_path,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert r.returncode == 0, r.stderr
    assert [p.name for p in folder.iterdir()] == ["chelsea-tiger_shark.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]
    assert "Warning" not in r.stderr and "Traceback" not in r.stderr  # no warnings on a normal run


@pytest.mark.parametrize("argv", [
    ["evolve", "--model", "mnist_cnn", "--generations", "1000000", "--stop-at", "1"],
    ["autoencoder", "train", "--epochs", "1000", "--out", "ae.pt"],
])
def test_ctrl_c_stops_a_command_promptly_with_130(tmp_path, argv):
    p = subprocess.Popen([*MAIN_WITH_CTRL_C, *argv], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        first = p.stderr.readline()  # the command says what it starts
        assert first and "Traceback" not in first
        time.sleep(3)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        code = p.wait(timeout=60)
        took = time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
    err = p.stderr.read()
    assert code == 130 and "Traceback" not in err, err
    assert took < 10


def test_ctrl_c_while_a_trusted_script_loops_stops_it_too(tmp_path, corpus):
    files, _, _ = corpus
    p = subprocess.Popen([*MAIN_WITH_CTRL_C, "classify", SAMPLE, "--trust-model-code",
                          "--model", str(files["looper"])], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    children = []
    deadline = time.monotonic() + 90
    while not children and time.monotonic() < deadline:  # wait until the sandbox runs the model
        time.sleep(0.5)
        children = subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True, text=True).stdout.split()
    assert children
    time.sleep(8)  # let it load and start looping
    p.send_signal(signal.SIGINT)
    code = p.wait(timeout=30)
    assert code == 130 and "Traceback" not in p.stderr.read()
    time.sleep(1)
    assert all(not Path(f"/proc/{c}").exists() or "zombie" in Path(f"/proc/{c}/status").read_text().lower()
               for c in children)
