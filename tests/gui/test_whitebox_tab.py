"""The window and the gradient-ascent tab, driven like a user (offscreen)."""

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt

from core import imaging
from tests.gui.qt_helpers import drop_file


def test_window_title_tabs_and_ready_preview(window, qtbot):
    assert "Fooling Lab" in window.windowTitle()
    assert window.tabs.count() >= 1 and window.tabs.tabText(0) == "Gradient ascent"
    tab = window.tab_widgets["whitebox"]
    qtbot.waitUntil(lambda: tab._last is not None, timeout=30000)
    assert tab._last.step == 0 and "Egyptian cat" in tab.readout.text()
    # the belief plot's x axis spans the step budget from the start, not pyqtgraph's empty −400…400
    x_min, x_max = tab.curve.getViewBox().viewRange()[0]
    assert -3 < x_min <= 0 and tab.steps_spin.value() <= x_max < tab.steps_spin.value() + 3


def test_drop_an_image_then_run_stop_and_save(window, qtbot, tmp_path):
    tab = window.tab_widgets["whitebox"]
    photo = tmp_path / "éléphant.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)).save(photo)
    drop_file(tab.original_view.viewport(), photo)  # onto the picture itself
    qtbot.waitUntil(lambda: tab.input_combo.currentText() == "File: éléphant.png", timeout=5000)
    assert tab.original_view.image().shape == (224, 224, 3)

    tab.target_edit.setText("tiger shark")
    tab.steps_spin.setValue(200)
    tab.stop_check.setChecked(False)
    qtbot.keyClick(window, Qt.Key.Key_Space)  # the Run/stop shortcut
    qtbot.waitUntil(lambda: tab._last is not None and tab._last.step >= 2, timeout=60000)
    assert tab.run_button.text().startswith("Stop")
    with qtbot.waitSignal(tab.runner.job_finished, timeout=10000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    last = tab._last
    assert last.done and last.step < 200 and last.target_prob > last.history_target[0]
    out = tmp_path / "fooled.png"
    assert tab.save_result(str(out))
    assert np.array_equal(imaging.load_image(out), last.image)


def test_broken_drop_gives_a_sentence_and_keeps_the_picture(window, qtbot, tmp_path):
    tab = window.tab_widgets["whitebox"]
    qtbot.waitUntil(lambda: tab._last is not None, timeout=30000)
    before = tab.original_view.image().copy()
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    drop_file(window, bad)
    # the drop is decoded off the UI thread: "Opening broken.jpg…" first, then the verdict
    qtbot.waitUntil(lambda: "broken.jpg" in window.statusBar().currentMessage()
                    and not window.statusBar().currentMessage().startswith("Opening"), timeout=10000)
    assert "cannot be read" in window.statusBar().currentMessage() or "not an image" in window.statusBar().currentMessage()
    assert np.array_equal(tab.original_view.image(), before)


def test_unknown_target_is_refused_in_words(window, qtbot):
    tab = window.tab_widgets["whitebox"]
    tab.target_edit.setText("unicornfish")
    assert "no such class" in tab.target_info.text()
    tab.start()
    assert "not a class name" in window.statusBar().currentMessage()
    assert not tab.runner.is_running or tab._attack_running is False


def test_settings_survive_a_restart(qtbot, settings):
    import pyqtgraph as pg

    from gui.main_window import MainWindow

    pg.setConfigOptions(imageAxisOrder="row-major")
    w = MainWindow(settings)
    qtbot.addWidget(w)
    tab = w.tab_widgets["whitebox"]
    tab.eps_spin.setValue(4.0)
    tab.target_edit.setText("goldfish")
    w.close()
    w2 = MainWindow(settings)
    qtbot.addWidget(w2)
    tab2 = w2.tab_widgets["whitebox"]
    assert tab2.eps_spin.value() == 4.0 and tab2.target_edit.text() == "goldfish"
    w2.close()


def test_presentation_mode_and_captions(window, qtbot):
    tab = window.tab_widgets["whitebox"]
    caption = tab._captions[0]
    small = caption.font().pointSizeF()
    window.presentation_action.trigger()
    assert window.isFullScreen() and caption.font().pointSizeF() > small
    window.presentation_action.trigger()
    assert not window.isFullScreen() and caption.font().pointSizeF() == small
    window.captions_action.trigger()
    assert not caption.isVisibleTo(tab)
    window.captions_action.trigger()
    assert caption.isVisibleTo(tab)
