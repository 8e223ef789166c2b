"""Hostile files offered to the window: a sentence in the status bar, no code run, no freeze."""

import threading
import warnings

import numpy as np
import pytest
import torch
from PIL import Image

from core import imaging, models
from tests.gui.qt_helpers import drop_file
from tests.hostile.hostile_corpus import crafted_state_dicts, png_claiming, torchscript_payloads


def _status(window) -> str:
    return window.statusBar().currentMessage()


@pytest.fixture
def payloads(tmp_path):
    trace = tmp_path / "TRACE"
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"0123456789")
    return torchscript_payloads(tmp_path / "ts", trace, secret), trace


def test_a_dropped_image_is_decoded_off_the_ui_thread(window, qtbot, tmp_path, monkeypatch):
    threads = []
    real = imaging.prefetch
    monkeypatch.setattr(imaging, "prefetch", lambda p, *a: (threads.append(threading.current_thread()), real(p, *a))[1])
    photo = tmp_path / "big.jpg"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (3000, 4000, 3), dtype=np.uint8)).save(photo)
    tab = window.tab_widgets["whitebox"]
    drop_file(window, photo)
    qtbot.waitUntil(lambda: tab.input_combo.currentText() == "File: big.jpg", timeout=20000)
    assert threads and threads[0] is not threading.main_thread()
    assert "2048×1536" in _status(window)  # decoded at reduced size, not 4000×3000


@pytest.mark.parametrize("tab_key", ["whitebox", "autoencoder"])
def test_a_tiny_png_claiming_80_megapixels_is_one_sentence(window, qtbot, tmp_path, tab_key):
    bomb = png_claiming(tmp_path / "bomb.png", 10_000, 8_000)
    window.select_tab(tab_key)
    drop_file(window, bomb)
    qtbot.waitUntil(lambda: "truncated" in _status(window), timeout=20000)
    assert "10000×8000" in _status(window)


def test_torchscript_is_not_opened_without_consent_and_no_code_runs(window, qtbot, payloads, monkeypatch):
    files, trace = payloads
    asked = []
    monkeypatch.setattr(window, "confirm_trust", lambda name: asked.append(name) or False)
    window.open_model_file(str(files["writer"]))
    assert asked == ["writer.pt"] and "Did not open" in _status(window)
    drop_file(window, files["writer"])
    qtbot.wait(300)
    assert asked == ["writer.pt", "writer.pt"]
    assert not trace.exists() and not any(n.startswith("file:writer") for n in models.model_names())


def test_a_trusted_looping_model_is_stopped_while_the_window_stays_alive(window, qtbot, payloads, monkeypatch):
    files, _ = payloads
    monkeypatch.setenv("FOOLING_LAB_SCRIPT_CALL_TIMEOUT", "3")
    monkeypatch.setattr(window, "confirm_trust", lambda name: True)
    ticks = []
    window.open_model_file(str(files["looper"]))
    assert "Opening the model" in _status(window)
    while "did not answer" not in _status(window):  # the event loop runs all along
        ticks.append(1)
        qtbot.wait(100)
        assert len(ticks) < 1200, _status(window)
    assert len(ticks) >= 10
    assert "looper.pt" in _status(window) and "stopped" in _status(window)


def test_a_trusted_model_runs_apart_and_is_offered(window, qtbot, tmp_path, monkeypatch):
    path = tmp_path / "digits_ts.pt"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.script(models.MnistCNN()).save(str(path))
    monkeypatch.setattr(window, "confirm_trust", lambda name: True)
    window.open_model_file(str(path))
    qtbot.waitUntil(lambda: "Added model file:digits_ts" in _status(window), timeout=120000)
    clf = models.load_classifier("file:digits_ts")
    assert clf.net.box.alive and clf.net.box._proc.pid != 0
    clf.net.box.close()


def test_a_state_dict_with_a_wrong_layer_names_it(window, qtbot, tmp_path):
    crafted = crafted_state_dicts(tmp_path / "sd")
    path, phrase = crafted["wrong_shape.pth"]
    window.open_model_file(str(path))
    qtbot.waitUntil(lambda: phrase in _status(window), timeout=30000)
    assert "7×128" in _status(window) and "10×128" in _status(window)
