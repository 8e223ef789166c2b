"""The Autoencoder tab driven like a user (offscreen): ready model, live training, denoising, LIAR!"""

import time

import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer

from core import autoencoders as ae
from core import data
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
    assert tab.train_strip.tiles.shape == (2, 10, 28, 28)
    # the detector is armed: a validation digit is judged OK, the histogram shows mean and std
    assert tab._verdict is not None and "OK!" in tab.verdict_label.text()
    assert f"mean {tab.trained.mean:.3f}" in tab._stats_text.toPlainText()
    assert "std" in tab._stats_text.toPlainText()
    # presentation mode (F11) enlarges the verdict
    small = tab.verdict_label.font().pointSizeF()
    window.toggle_presentation(True)
    assert tab.verdict_label.font().pointSizeF() > small
    window.toggle_presentation(False)


def test_drop_a_fooling_image_is_a_liar_and_a_digit_is_ok(window, qtbot, tmp_path):
    tab = _open_tab(window, qtbot)
    fooling, _, conf = ae.fooling_images(1, seed=5)
    assert conf[0] > 0.9
    fool_png = tmp_path / "fooling.png"
    Image.fromarray(fooling[0]).save(fool_png)
    drop_file(window, fool_png)
    qtbot.waitUntil(lambda: tab._test_name.startswith("fooling.png"), timeout=5000)
    assert "LIAR!" in tab.verdict_label.text() and tab._verdict.liar
    assert tab.pages.currentIndex() == 2  # the detector page is shown

    digits = data.mnist_sample()
    photo = tmp_path / "photo_of_a_seven.png"
    seven = digits.x_val[int(np.flatnonzero(digits.y_val == 7)[0])]
    big = Image.fromarray(255 - seven).resize((180, 180), Image.BICUBIC).convert("RGB")
    canvas = Image.new("RGB", (320, 260), "white")
    canvas.paste(big, (20, 50))  # dark on light, off-centre, like a photo of paper
    canvas.save(photo)
    drop_file(window, photo)
    qtbot.waitUntil(lambda: tab._test_name.startswith("photo_of_a_seven.png"), timeout=5000)
    assert "OK!" in tab.verdict_label.text() and "inverted" in tab._test_name
    assert tab.test_panel.image().shape == (28, 28)
    # the marker on the histogram sits at the tested image's loss
    assert abs(tab._test_line.value() - tab._verdict.loss) < 1e-9

    # a broken file gives one sentence and keeps the last verdict
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG not really")
    drop_file(window, bad)
    qtbot.waitUntil(lambda: "broken.png" in window.statusBar().currentMessage(), timeout=5000)
    assert "OK!" in tab.verdict_label.text() and tab._test_name.startswith("photo_of_a_seven")


def test_train_live_stays_responsive_and_stops_within_a_batch(window, qtbot):
    tab = _open_tab(window, qtbot)
    shipped = tab.trained
    tab.latent_spin.setValue(8)  # no shipped weights for this one
    assert "No trained weights" in tab.model_info.text() and tab.trained is shipped
    tab.epochs_spin.setValue(50)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert tab.run_button.text().startswith("Stop")
    assert not tab.arch_combo.isEnabled()
    qtbot.waitUntil(lambda: tab._last_train is not None and tab._last_train.epoch >= 2, timeout=60000)
    f = tab._last_train
    assert len(f.val_y) >= 3 and f.val_y[-1] < f.val_y[0]
    assert tab.loss_plot._curves["val"].xData is not None and len(tab.loss_plot._curves["val"].xData) >= 3
    assert "Epoch" in tab.epoch_label.text() and "digits/s" in tab.rate_label.text()
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
    assert tab.arch_combo.isEnabled() and tab.run_button.text().startswith("Train")


def test_denoising_rows_follow_the_slider(window, qtbot):
    tab = _open_tab(window, qtbot)
    tab.pages.setCurrentIndex(1)
    tab.noise_slider.setValue(0)
    clean_rows = tab.denoise_strip.tiles.copy()
    assert np.array_equal(clean_rows[0], clean_rows[-1])  # no noise: the input is the original
    tab.noise_slider.setValue(50)
    rows = tab.denoise_strip.tiles
    # noisy input / the plain model / the shipped denoising model / the clean original
    assert rows.shape == (4, 10, 28, 28) and not np.array_equal(rows[0], rows[-1])
    assert tab.noise_value.text() == "0.50"
    err = [np.abs(rows[i].astype(float) - rows[3]).mean() for i in range(3)]
    assert err[2] < err[1] < err[0]  # the denoising model cleans best
    assert "denoising model" in tab.denoise_info.text()
    tab.noise_kind.setCurrentIndex(1)  # salt and pepper
    sp = tab.denoise_strip.tiles
    changed = sp[0] != sp[-1]
    assert changed.any() and set(np.unique(sp[0][changed])) <= {0, 255}


def test_drawing_detector_test_and_latent_map(window, qtbot):
    tab = _open_tab(window, qtbot)
    tab.pages.setCurrentIndex(2)
    # draw a "1": one vertical stroke, judged when the mouse is released
    qtbot.mousePress(tab.canvas, Qt.MouseButton.LeftButton, pos=QPoint(112, 30))
    for y in range(30, 200, 10):
        tab.canvas.stroke(QPointF(112, y), QPointF(112, y + 10))
    qtbot.mouseRelease(tab.canvas, Qt.MouseButton.LeftButton, pos=QPoint(112, 200))
    assert tab._test_name == "your drawing" and tab._verdict is not None
    assert tab.test_panel.image().max() == 255

    tab.pick_noise()
    assert "LIAR!" in tab.verdict_label.text()
    # the worst-rebuilt validation digit: flagged at k = 3, passes when k is raised
    worst = int(np.argmax(tab.trained.val_losses))
    tab.judge_digit(tab._digits.x_val[worst], "worst digit")
    assert "LIAR!" in tab.verdict_label.text()
    tab.k_spin.setValue(20.0)
    assert "OK!" in tab.verdict_label.text()
    assert abs(tab._thr_line.value() - (tab.trained.mean + 20 * tab.trained.std)) < 1e-6
    tab.k_spin.setValue(3.0)

    with qtbot.waitSignal(tab.runner.job_finished, timeout=60000):
        tab.roc_button.click()
    assert tab._report is not None and tab._report.aurocs["noise"] >= 0.98
    assert "AUROC" in tab.auroc_label.text()
    assert len(tab.roc_plot._curves["roc"].xData) > 10

    tab.pages.setCurrentIndex(3)
    m = tab._latent
    assert m is not None and m.points.shape[0] == 2000
    a, b = m.points[0], m.points[1]
    tab._latent_vb.clicked.emit(float(a[0]), float(a[1]))
    assert tab.decoded_panel.image().shape == (28, 28)
    tab._latent_vb.dragged.emit(float(a[0]), float(a[1]), float(b[0]), float(b[1]), True)
    assert tab.interp_strip.tiles.shape == (1, 10, 28, 28)
    la, lb = int(tab._latent_labels[0]), int(tab._latent_labels[1])
    assert f"{la} → {lb}" in [t.toPlainText() for t in tab.interp_strip._row_labels if t.isVisible()]


def test_image_sent_from_another_tab_is_judged(window, qtbot):
    tab = window.tab_widgets["autoencoder"]
    noise = np.random.default_rng(0).integers(0, 256, (224, 224, 3), dtype=np.uint8)
    window.send_image("autoencoder", noise, "gradient ascent (tiger shark)")
    assert tab._test_name.startswith("gradient ascent")
    assert tab._verdict is not None and tab._verdict.liar
