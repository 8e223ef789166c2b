"""The window and the gradient-ascent tab, driven like a user (offscreen), read through public read-outs."""

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt

from core import imaging
from gui.tabs.whitebox import session as wb_session
from tests.gui.qt_helpers import drop_file


def _preview(tab, qtbot):
    qtbot.waitUntil(lambda: tab.last_frame is not None and not tab.runner.is_running, timeout=30000)
    return tab.last_frame


def _circle_photo(path, size=(400, 300)):
    w, h = size
    yy, xx = np.mgrid[:h, :w]
    img = np.full((h, w, 3), 255, np.uint8)
    img[(yy - h // 2) ** 2 + (xx - w // 2) ** 2 < (h // 3) ** 2] = (200, 30, 30)
    Image.fromarray(img).save(path)
    return path


def test_window_opens_on_the_elephant_with_readable_empty_plots(window, qtbot):
    assert "Fooling Lab" in window.windowTitle()
    assert window.tabs.count() >= 1 and window.tabs.tabText(0) == "Gradient ascent"
    tab = window.tab_widgets["whitebox"]
    assert tab.input_combo.currentData() == "elephant"
    f = _preview(tab, qtbot)
    assert f.step == 0 and "African elephant" in tab.readout.text()
    assert "“African elephant”" in tab.headline.text() and "tiger shark" in tab.headline.text()
    assert "photo" in tab.caption.text()
    # the belief plot reads step 0…budget and probability 0…1 before any run, never −400…400
    steps = tab.attack_params().steps
    (x_min, x_max), (y_min, y_max) = tab.curve.getViewBox().viewRange()
    assert -3 < x_min <= 0 and steps <= x_max < steps + 3
    assert -0.05 < y_min <= 0 and 1 <= y_max < 1.05


def test_headline_follows_the_target_without_a_run(window, qtbot):
    tab = window.tab_widgets["whitebox"]
    _preview(tab, qtbot)
    tab.target_edit.setText("goldfish")
    assert "target “goldfish”" in tab.headline.text()
    p = tab.last_frame.probs[tab.session.target]
    assert f"{p:.1%}" in tab.headline.text()
    tab.target_edit.setText("unicornfish")
    assert "goldfish" not in tab.headline.text() and "type a class name" in tab.headline.text()


def test_caption_follows_the_input(window, qtbot):
    tab = window.tab_widgets["whitebox"]
    _preview(tab, qtbot)
    tab.input_combo.setCurrentIndex(tab.input_combo.findData(wb_session.NOISE))
    assert "Random noise" in tab.caption.text() and "photo" not in tab.caption.text()
    _preview(tab, qtbot)
    tab.input_combo.setCurrentIndex(tab.input_combo.findData("chelsea"))
    assert "photo" in tab.caption.text()
    tab.controls.attack_form.set_value("eps", 4.0)
    assert "ε = 4 of 255" in tab.caption.text()


def test_a_circle_stays_round_cropped_or_letterboxed(window, qtbot, tmp_path):
    tab = window.tab_widgets["whitebox"]
    drop_file(tab.original_view.viewport(), _circle_photo(tmp_path / "circle.png"))
    qtbot.waitUntil(lambda: tab.input_combo.currentText() == "File: circle.png", timeout=20000)

    def shown_circle():
        img = tab.original_view.image()
        ys, xs = np.nonzero((img[..., 0] > 150) & (img[..., 1] < 100))
        return img, np.ptp(ys) + 1, np.ptp(xs) + 1

    img, h, w = shown_circle()
    assert img.shape == (224, 224, 3) and abs(h - w) <= 2  # cropped, not stretched into an ellipse
    tab.controls.fit_form.set_value("fit", "letterbox")
    img, h, w = shown_circle()
    assert abs(h - w) <= 2 and (img[:20] == imaging.LETTERBOX_GREY).all()
    _preview(tab, qtbot)


def test_drop_an_image_then_run_stop_and_save(window, qtbot, tmp_path):
    tab = window.tab_widgets["whitebox"]
    photo = tmp_path / "éléphant.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)).save(photo)
    drop_file(tab.original_view.viewport(), photo)  # onto the picture itself
    qtbot.waitUntil(lambda: tab.input_combo.currentText() == "File: éléphant.png", timeout=20000)
    assert tab.original_view.image().shape == (224, 224, 3)

    tab.target_edit.setText("tiger shark")
    tab.controls.attack_form.set_value("steps", 200)
    tab.controls.attack_form.set_value("stop_at", None)
    _preview(tab, qtbot)
    qtbot.keyClick(window, Qt.Key.Key_Space)  # the Run/stop shortcut
    qtbot.waitUntil(lambda: tab.last_frame is not None and tab.last_frame.step >= 3, timeout=60000)
    assert tab.run_button.text().startswith("Stop")
    with qtbot.waitSignal(tab.runner.job_finished, timeout=10000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    last = tab.last_frame
    assert last.done and last.step < 200 and last.target_prob > last.history_target[0]
    assert window.statusBar().currentMessage().startswith(f"Stopped after {last.step} of 200 steps")
    # the bold line is the best image so far: it never falls, and ends at the saved image's belief
    x, best = tab.views.belief_series()["best"]
    assert len(best) == last.step + 1 and (np.diff(best) >= 0).all()
    assert abs(best[-1] - last.target_prob) < 1e-6
    out = tmp_path / "fooled.png"
    assert tab.save_result(str(out))
    assert np.array_equal(imaging.load_image(out), last.image)
    assert "Saved" in window.statusBar().currentMessage()


def test_dropped_pictures_are_kept_bounded(window, qtbot, tmp_path):
    tab = window.tab_widgets["whitebox"]
    rng = np.random.default_rng(1)
    for i in range(wb_session.MAX_KEPT + 3):
        path = tmp_path / f"photo{i}.png"
        Image.fromarray(rng.integers(0, 255, (1500, 2000, 3), dtype=np.uint8)).save(path)
        drop_file(tab.original_view.viewport(), path)
        qtbot.waitUntil(lambda: tab.input_combo.currentText() == f"File: photo{i}.png", timeout=20000)
    files = [tab.input_combo.itemText(j) for j in range(tab.input_combo.count())
             if tab.input_combo.itemText(j).startswith("File:")]
    assert len(files) == wb_session.MAX_KEPT and "File: photo0.png" not in files
    # each kept picture is at most KEEP_SIDE on its longer side, not the 2000×1500 original
    assert tab.session.kept_pixels() <= wb_session.MAX_KEPT * wb_session.KEEP_SIDE * 768 * 3
    _preview(tab, qtbot)


def test_broken_drop_gives_a_sentence_and_keeps_the_picture(window, qtbot, tmp_path):
    tab = window.tab_widgets["whitebox"]
    _preview(tab, qtbot)
    before = tab.original_view.image().copy()
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    drop_file(window, bad)
    # The file is decoded off the UI thread: "Opening broken.jpg…" first, then the sentence.
    qtbot.waitUntil(lambda: any(w in window.statusBar().currentMessage()
                                for w in ("cannot be read", "not an image")), timeout=20000)
    assert "broken.jpg" in window.statusBar().currentMessage()
    assert np.array_equal(tab.original_view.image(), before)


def test_unknown_target_is_refused_in_words(window, qtbot):
    tab = window.tab_widgets["whitebox"]
    tab.target_edit.setText("unicornfish")
    assert "no such class" in tab.controls.target_field.info_text()
    tab.target_edit.setText("shark")
    assert "did you mean" in tab.controls.target_field.info_text()
    tab.start()
    assert "not a class name" in window.statusBar().currentMessage()
    assert not tab.is_running


def test_settings_survive_a_restart(qtbot, settings):
    import pyqtgraph as pg

    from gui.main_window import MainWindow

    pg.setConfigOptions(imageAxisOrder="row-major")
    w = MainWindow(settings)
    qtbot.addWidget(w)
    tab = w.tab_widgets["whitebox"]
    tab.controls.attack_form.set_value("eps", 4.0)
    tab.controls.fit_form.set_value("fit", "letterbox")
    tab.target_edit.setText("goldfish")
    tab.input_combo.setCurrentIndex(tab.input_combo.findData("coffee"))
    w.close()
    w2 = MainWindow(settings)
    qtbot.addWidget(w2)
    tab2 = w2.tab_widgets["whitebox"]
    assert tab2.attack_params().eps == 4.0 and tab2.target_edit.text() == "goldfish"
    assert tab2.controls.fit_form.params().fit == "letterbox"
    assert tab2.input_combo.currentData() == "coffee"
    state = tab2.scene_state()
    assert state["params"]["attack"]["eps"] == 4.0 and state["extra"]["target"] == "goldfish"
    w2.close()


def test_presentation_mode_and_captions(window, qtbot, monkeypatch):
    from gui.widgets import style

    # presentation text scales with the screen; the offscreen test screen is small, so pin 1080 lines
    monkeypatch.setattr(style, "fit_presentation_font", lambda _height: style.PRESENTATION_FONT_PT)
    monkeypatch.setattr(style, "PRESENTATION_FONT_PT", 15)
    tab = window.tab_widgets["whitebox"]
    caption = tab.caption
    small, headline = caption.font().pointSizeF(), tab.headline.font().pointSizeF()
    window.presentation_action.trigger()
    assert window.isFullScreen() and caption.font().pointSizeF() > small
    assert tab.headline.font().pointSizeF() > headline  # the read-out follows presentation mode
    window.presentation_action.trigger()
    assert not window.isFullScreen() and caption.font().pointSizeF() == small
    window.captions_action.trigger()
    assert not caption.isVisibleTo(tab)
    window.captions_action.trigger()
    assert caption.isVisibleTo(tab)


def test_lecture_defaults_and_a_scene_choose_the_picture(window, qtbot):
    tab = window.tab_widgets["whitebox"]
    _preview(tab, qtbot)
    problems = tab.apply_scene_state({"params": {"attack": {"eps": 1.0}}, "extra": {"input": wb_session.NOISE}})
    assert problems == [] and tab.input_combo.currentData() == wb_session.NOISE
    assert tab.attack_params().eps == 1.0 and "Random noise" in tab.caption.text()
    tab.target_edit.setText("goldfish")
    tab.reset_to_defaults()
    assert tab.input_combo.currentData() == "elephant" and tab.target_edit.text() == "tiger shark"
    assert tab.attack_params().eps == 2.0
    _preview(tab, qtbot)


def test_the_open_dialog_starts_among_the_bundled_photos(window, monkeypatch):
    """The lecturer's "Open an image…" begins where the photos are, not in the app's folder."""
    import gui.tabs.whitebox.tab as module
    from core.resources import resource_path

    seen = []
    monkeypatch.setattr(module.QFileDialog, "getOpenFileName",
                        lambda _parent, _title, start, _filter: (seen.append(start), ("", ""))[1])
    window.tab_widgets["whitebox"]._open_dialog()
    assert seen == [str(resource_path("samples"))]
