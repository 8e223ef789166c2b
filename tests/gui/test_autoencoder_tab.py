"""The Autoencoder tab driven like a user (offscreen): ready model, live training, denoising, LIAR!"""

import re
import time

import numpy as np
import torch
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt, QTimer

from core import autoencoders as ae
from core import data
from tests import autoencoder_corpus as corpus
from tests.gui.qt_helpers import drop_file


def _open_tab(window, qtbot):
    assert window.select_tab("autoencoder")
    tab = window.tab_widgets["autoencoder"]
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Autoencoder"
    return tab


def test_opens_ready_with_the_shipped_model(window, qtbot):
    tab = _open_tab(window, qtbot)
    assert tab.trained is not None and tab.trained.config == ae.AEConfig()
    assert "Using:" in tab.model_info.text() and "784-32-784" in tab.model_info.text()
    # the strip shows 10 validation digits and their reconstructions, each with its loss
    assert tab.training.strip.tiles.shape == (2, 10, 28, 28)
    assert len(tab.training.strip.values()) == 10
    # the detector is armed: a validation digit is judged OK, the histogram shows mean and std
    det = tab.detector
    assert det.verdict is not None and "OK!" in det.verdict_label.text()
    assert f"mean {tab.trained.mean:.3f}" in det.histogram.stats_text
    assert "std" in det.histogram.stats_text
    # the saved learning curves are drawn
    x, y = tab.training.loss_plot.curve_data("val")
    assert len(x) == len(y) > 10 and y[-1] < y[0]
    # presentation mode (F11) sets the verdict in the presentation font (which follows the screen)
    from gui.widgets import style

    window.toggle_presentation(True)
    assert det.verdict_label.font().pointSizeF() == 2.0 * style.PRESENTATION_FONT_PT
    window.toggle_presentation(False)
    assert det.verdict_label.font().pointSizeF() == 2.0 * style.BASE_FONT_PT


def test_drop_a_fooling_image_is_a_liar_and_a_digit_is_ok(window, qtbot, tmp_path):
    tab = _open_tab(window, qtbot)
    det = tab.detector
    fooling, _, conf = ae.fooling_images(1, seed=5)
    assert conf[0] > 0.9
    fool_png = tmp_path / "fooling.png"
    Image.fromarray(fooling[0]).save(fool_png)
    drop_file(window, fool_png)
    qtbot.waitUntil(lambda: det.test_name.startswith("fooling.png"), timeout=5000)
    assert "LIAR!" in det.verdict_label.text() and det.verdict.liar
    assert tab.pages.currentIndex() == 2  # the detector page is shown

    digits = data.mnist_sample()
    photo = tmp_path / "photo_of_a_seven.png"
    seven = digits.x_val[int(np.flatnonzero(digits.y_val == 7)[0])]
    big = Image.fromarray(255 - seven).resize((180, 180), Image.BICUBIC).convert("RGB")
    canvas = Image.new("RGB", (320, 260), "white")
    canvas.paste(big, (20, 50))  # dark on light, off-centre, like a photo of paper
    canvas.save(photo)
    drop_file(window, photo)
    qtbot.waitUntil(lambda: det.test_name.startswith("photo_of_a_seven.png"), timeout=5000)
    assert "OK!" in det.verdict_label.text() and "inverted" in det.test_name
    assert det.test_panel.image().shape == (28, 28)
    # the marker on the histogram sits at the tested image's loss
    assert abs(det.histogram.test_value - det.verdict.loss) < 1e-9

    # a broken file gives one sentence and keeps the last verdict
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG not really")
    drop_file(window, bad)
    qtbot.waitUntil(lambda: "broken.png" in window.statusBar().currentMessage(), timeout=5000)
    assert "OK!" in det.verdict_label.text() and det.test_name.startswith("photo_of_a_seven")


def test_train_live_stays_responsive_and_stops_within_a_batch(window, qtbot):
    tab = _open_tab(window, qtbot)
    shipped = tab.trained
    tab.controls.model_form.set_value("latent", 8)  # no shipped weights for this one
    assert "No trained weights" in tab.model_info.text() and tab.trained is shipped
    tab.controls.train_form.set_value("epochs", 50)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert tab.run_button.text().startswith("Stop") and tab.runner.kind == "train"
    assert not tab.controls.model_form.isEnabled()
    # the empty plot already spans the run
    assert tab.training.loss_plot.viewRange()[0][1] >= 50
    qtbot.waitUntil(lambda: tab.training.last_frame is not None and tab.training.last_frame.epoch >= 2,
                    timeout=60000)
    f = tab.training.last_frame
    assert len(f.val_y) >= 3 and f.val_y[-1] < f.val_y[0]
    assert len(tab.training.loss_plot.curve_data("val")[0]) >= 3
    assert re.fullmatch(r"Epoch \d+ / 50", tab.training.epoch_label.text())  # whole epochs, never "2.3"
    assert "digits/s" in tab.training.rate_label.text()
    timer.stop()
    gaps = np.diff(ticks)
    assert len(ticks) > 20 and gaps.max() < 0.5, f"the window froze for {gaps.max():.2f} s"
    t0 = time.perf_counter()
    with qtbot.waitSignal(tab.runner.job_finished, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert time.perf_counter() - t0 < 2.0
    # the stopped model is kept and used everywhere
    assert tab.trained is not shipped and tab.trained.config.latent == 8 and tab.trained.epochs < 50
    assert "stopped" in tab.model_info.text()
    assert tab.controls.model_form.isEnabled() and tab.run_button.text().startswith("Train")


def test_denoising_rows_follow_the_slider(window, qtbot):
    tab = _open_tab(window, qtbot)
    page = tab.denoising
    tab.pages.setCurrentIndex(1)
    page.noise_slider.setValue(0)
    clean_rows = page.strip.tiles.copy()
    assert np.array_equal(clean_rows[0], clean_rows[-1])  # no noise: the input is the original
    page.noise_slider.setValue(50)
    rows = page.strip.tiles
    # noisy input / the plain model / the shipped denoising model / the clean original
    assert rows.shape == (4, 10, 28, 28) and not np.array_equal(rows[0], rows[-1])
    assert page.noise_value.text() == "0.50" and page.form.params().noise == 0.5
    err = [np.abs(rows[i].astype(float) - rows[3]).mean() for i in range(3)]
    assert err[2] < err[1] < err[0]  # the denoising model cleans best
    assert "denoising model" in page.info.text()
    assert page.strip.row_names() == ["noisy input", "this model rebuilds", "denoising model", "clean original"]
    page.noise_kind.setCurrentIndex(1)  # salt and pepper
    sp = page.strip.tiles
    changed = sp[0] != sp[-1]
    assert changed.any() and set(np.unique(sp[0][changed])) <= {0, 255}


def test_the_tab_remembers_its_noise_kinds_and_data_source(window, qtbot, tmp_path):
    tab = _open_tab(window, qtbot)
    folder = tmp_path / "idx"
    folder.mkdir()
    s = data.mnist_sample()
    for name, arr in (("train-images-idx3-ubyte", s.x_train[:700]), ("train-labels-idx1-ubyte", s.y_train[:700])):
        head = bytes([0, 0, 8, arr.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in arr.shape)
        (folder / name).write_bytes(head + arr.tobytes())
    tab.denoising.noise_kind.setCurrentIndex(1)
    tab.controls.model_form.set_value("noise", 0.3)
    tab.controls.model_form.set_value("noise_kind", "saltpepper")
    assert tab.open_idx_folder(str(folder)) and "700" in tab.controls.data_info.text()
    tab.pages.setCurrentIndex(1)
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    tab.save_settings(store)
    # a fresh tab reads them back
    from gui.tabs.autoencoder import AutoencoderTab

    fresh = AutoencoderTab(tab.ctx)
    qtbot.addWidget(fresh)
    assert fresh.session.data_source == "sample"
    fresh.restore_settings(store)
    assert fresh.denoising.form.params().noise_kind == "saltpepper"
    cfg = fresh.controls.model_form.params()
    assert cfg.noise == 0.3 and cfg.noise_kind == "saltpepper"
    assert fresh.session.data_source == str(folder) and len(fresh.session.digits.x_train) == 600
    assert fresh.pages.currentIndex() == 1
    assert fresh.scene_state()["extra"] == {"data": str(folder)}
    fresh.shutdown()


def test_fooling_image_button_runs_as_a_job(window, qtbot):
    tab = _open_tab(window, qtbot)
    ae.digit_classifier.cache_clear()  # as on a first press: the classifier must be loaded
    before = tab.detector.test_name
    t0 = time.perf_counter()
    tab.detector.buttons["fooling"].click()
    assert time.perf_counter() - t0 < 1.0  # the click returns at once (it took 1.3 s on the UI thread)
    # the work runs as a job: nothing judged yet, the runner says what runs
    assert tab.runner.kind == "fooling" and not tab.detector.buttons["fooling"].isEnabled()
    assert tab.detector.test_name == before
    with qtbot.waitSignal(tab.runner.job_finished, timeout=60000):
        pass
    qtbot.waitUntil(lambda: tab.detector.test_name.startswith("fooling image"), timeout=5000)
    assert tab.detector.verdict.liar and tab.pages.currentIndex() == 2
    assert tab.detector.buttons["fooling"].isEnabled()


def test_drawing_detector_test_and_latent_map(window, qtbot):
    tab = _open_tab(window, qtbot)
    det = tab.detector
    tab.pages.setCurrentIndex(2)
    # draw a "1": one vertical stroke, judged when the mouse is released
    qtbot.mousePress(det.canvas, Qt.MouseButton.LeftButton, pos=QPoint(112, 30))
    for y in range(30, 200, 10):
        det.canvas.stroke(QPointF(112, y), QPointF(112, y + 10))
    qtbot.mouseRelease(det.canvas, Qt.MouseButton.LeftButton, pos=QPoint(112, 200))
    assert det.test_name == "your drawing" and det.verdict is not None
    assert det.test_panel.image().max() == 255

    det.pick_noise()
    assert "LIAR!" in det.verdict_label.text()
    # the worst-rebuilt validation digit: flagged at k = 3, passes when k is raised
    worst = int(np.argmax(tab.trained.val_losses))
    tab.judge_digit(tab.session.digits.x_val[worst], "worst digit")
    assert "LIAR!" in det.verdict_label.text()
    det.form.set_value("k", 20.0)
    assert "OK!" in det.verdict_label.text()
    assert abs(det.histogram.threshold_value - (tab.trained.mean + 20 * tab.trained.std)) < 1e-6
    det.form.set_value("k", 3.0)

    with qtbot.waitSignal(tab.runner.job_finished, timeout=60000):
        det.roc_button.click()
    assert det.report is not None and det.report.aurocs["noise"] >= 0.98
    assert "AUROC" in det.auroc_label.text()
    assert len(det.roc_plot.curve_data("roc")[0]) > 10

    tab.pages.setCurrentIndex(3)
    page = tab.latent
    m = page.map
    assert m is not None and m.points.shape[0] == 2000
    a, b = m.points[0], m.points[1]
    page.view_box.clicked.emit(float(a[0]), float(a[1]))
    assert page.decoded_panel.image().shape == (28, 28)
    page.view_box.dragged.emit(float(a[0]), float(a[1]), float(b[0]), float(b[1]), True)
    assert page.interp_strip.tiles.shape == (1, 10, 28, 28)
    la, lb = int(page.labels[0]), int(page.labels[1])
    assert page.interp_strip.row_names() == [f"{la} → {lb}"]


def test_image_sent_from_another_tab_is_judged(window, qtbot):
    tab = window.tab_widgets["autoencoder"]
    noise = np.random.default_rng(0).integers(0, 256, (224, 224, 3), dtype=np.uint8)
    window.send_image("autoencoder", noise, "gradient ascent (tiger shark)")
    assert tab.detector.test_name.startswith("gradient ascent")
    assert tab.detector.verdict is not None and tab.detector.verdict.liar


def test_crafted_weights_and_bad_idx_folders_dropped_on_the_tab_are_sentences(window, qtbot, tmp_path):
    tab = _open_tab(window, qtbot)
    model, digits = tab.trained, tab.session.digits
    files = corpus.write_weights_corpus(tmp_path / "weights")
    folders = corpus.write_idx_corpus(tmp_path / "idx")
    seen: list[str] = []
    window.statusBar().messageChanged.connect(seen.append)  # other tabs may speak meanwhile
    for name, path in [*files.items(), *folders.items()]:
        window.statusBar().clearMessage()
        seen.clear()
        drop_file(window, path)
        try:
            qtbot.waitUntil(lambda: any(m.startswith("⚠") for m in seen), timeout=5000)
        except Exception:
            raise AssertionError(f"{name}: no message in the window ({seen})") from None
        message = next(m for m in seen if m.startswith("⚠"))
        assert "Traceback" not in message and "internal error" not in message, (name, message)
        assert tab.trained is model and tab.session.digits is digits, name
    assert "OK!" in tab.detector.verdict_label.text() or "LIAR!" in tab.detector.verdict_label.text()


def test_a_model_that_learned_nothing_cannot_judge_in_the_window(window, qtbot, tmp_path):
    tab = _open_tab(window, qtbot)
    p = tmp_path / "diverged.pt"
    torch.save(corpus.diverged_blob(), p)
    drop_file(window, p)
    qtbot.waitUntil(lambda: tab.trained.path == str(p), timeout=5000)
    assert "cannot judge" in window.statusBar().currentMessage()
    tab.detector.pick_noise()
    text = tab.detector.verdict_label.text()
    assert "cannot judge" in text and "OK" not in text and "LIAR" not in text
    assert tab.detector.verdict.liar is None and "Cannot judge" in tab.model_info.text()


def _scene(window, name):
    index = next(i for i, s in enumerate(window.scenes.lecture) if s.name == name)
    assert window.scenes.apply_index(index) == []
    return window.tab_widgets["autoencoder"]


def test_the_code_size_scene_says_one_thing_everywhere(window, qtbot):
    tab = _scene(window, "Compression: the code size")
    assert tab.config() == ae.AEConfig("deep", 2) and tab.trained.config == tab.config()
    network = tab.controls.model_form.editor("arch").currentText()
    assert "32" not in network and "-2-" in tab.model_info.text()  # the Network box names no other code size
    assert "392× smaller" in tab.training.compress_label.text()
    assert "((" not in tab.controls.data_info.text() and "))" not in tab.controls.data_info.text()


def test_space_on_the_denoising_scene_denoises_fresh_noise_and_stays(window, qtbot):
    tab = _scene(window, "Denoising")
    page = tab.denoising
    assert tab.pages.currentWidget() is page
    shipped, before = tab.trained, page.strip.tiles.copy()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert tab.runner.kind is None and tab.trained is shipped  # nothing retrains
    assert tab.pages.currentWidget() is page
    assert "Space" in page.new_button.text() and "Space" not in tab.run_button.text()
    rows = page.strip.tiles
    assert not np.array_equal(rows[0], before[0])  # new noise on the same digits
    assert np.array_equal(rows[-1], before[-1])
    err = [np.abs(rows[i].astype(float) - rows[3]).mean() for i in range(3)]
    assert err[2] < err[0]  # and the denoising model cleans it
    # training is still one click away (and the button says Space where Space trains)
    tab.run_button.click()
    assert tab.runner.kind == "train" and tab.pages.currentWidget() is tab.training
    with qtbot.waitSignal(tab.runner.job_finished, timeout=10000):
        tab.stop()
    assert tab.run_button.text() == "Train from scratch  (Space)"


def test_space_on_the_liar_scene_scores_a_fooling_image_and_stays(window, qtbot):
    tab = _scene(window, "LIAR!")
    det = tab.detector
    assert tab.pages.currentWidget() is det
    assert det.test_name.startswith("validation digit") and "(a\u00a0" in det.test_name  # "(a 3)" keeps together
    shipped = tab.trained
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert tab.runner.kind == "fooling" and tab.pages.currentWidget() is det
    assert "Space" in det.buttons["fooling"].text() and "Space" not in tab.run_button.text()
    with qtbot.waitSignal(tab.runner.job_finished, timeout=60000):
        pass
    qtbot.waitUntil(lambda: det.test_name.startswith("fooling image"), timeout=5000)
    assert det.verdict.liar and "LIAR!" in det.verdict_label.text()
    assert tab.trained is shipped and tab.pages.currentWidget() is det
    assert det.verdict.z >= 10 and re.search(r"\+\d+ std", det.verdict_detail.text())  # whole, not "+158.9"
    # where the tested line meets the word "threshold", the word (on its box) stays on top
    assert det.histogram.threshold_line.zValue() > det.histogram.test_line.zValue()


def test_a_scene_opened_mid_training_keeps_its_own_model(window, qtbot):
    """Training started on one scene and the next scene opened while it ran: the stopped run's
    last frame must not install its half-trained model under the new scene."""
    tab = _scene(window, "Denoising")
    tab.run_button.click()
    assert tab.runner.kind == "train"
    qtbot.wait(500)  # a few batches
    tab = _scene(window, "LIAR!")
    qtbot.wait(1500)  # the stopped run's final frame would arrive now
    assert not tab.runner.is_running
    assert tab.trained is not None and tab.trained.epochs > 0 and tab.trained.unfit == ""
    assert "stopped" not in tab.model_info.text()
