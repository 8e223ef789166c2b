"""The Evolution tab, driven like a user (offscreen): run, watch the grid, pause, inspect, export."""

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from core import imaging
from gui.tabs.evolution.views import EvolutionViews


def _tab(window):
    assert window.select_tab("evolution")
    return window.tab_widgets["evolution"]


def _click_cell(qtbot, view, index):
    rect = view.cell_rect(index)
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=rect.center())


def test_map_elites_fools_every_digit_and_cells_can_be_inspected(window, qtbot, tmp_path):
    tab = _tab(window)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Evolution"
    tab.model_combo.setCurrentIndex(tab.model_combo.findData("mnist_cnn"))
    tab.algorithm_combo.setCurrentIndex(tab.algorithm_combo.findData("map-elites"))
    enc = tab.genome_form.editor("encoding")
    enc.setCurrentIndex(enc.findData("cppn"))
    tab.target_edit.setText("7")
    assert "genetic algorithm climbs it faster" in tab.target_info.text()  # one class: the GA's job
    tab.target_edit.setText("all")
    assert "all 10 classes" in tab.target_info.text()
    assert "structural crossover" in tab.crossover_note.text().lower()
    tab.search_form.editor("stop_at").setValue(98.0)
    tab.search_form.editor("seed").setValue(1)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: tab.last_frame is not None and tab.last_frame.generation >= 1, timeout=30000)
    assert tab.run_button.text().startswith("Stop") and tab.pause_button.isEnabled()
    assert tab.population_view.count == 24  # the live 4 × 6 grid
    with qtbot.waitSignal(tab.runner.job_finished, timeout=60000):
        pass
    f = tab.last_frame
    assert f.done and f.reached and (f.cell_probs >= 0.98).all()
    assert "10</span> classes at ≥ 98%" in tab.counter.text()
    assert f"<b>{f.queries:,}</b> images queried" in tab.headline.text()
    assert "images/s" in tab.readout.text() and "no gradient" in tab.readout.text()
    assert "Done" in window.statusBar().currentMessage()

    _click_cell(qtbot, tab.cells_view, 7)
    dlg = tab.inspector
    assert dlg is not None and dlg.isVisible()
    assert "“7”" in dlg.view._title_text and np.array_equal(dlg.image, f.cell_images[7])
    out = tmp_path / "seven.png"
    assert dlg.save(str(out))
    assert np.array_equal(imaging.load_image(out)[:, :, 0], f.cell_images[7])

    grid = tmp_path / "grid.png"
    assert tab.export_grid(str(grid))
    exported = imaging.load_image(grid)
    canvas = tab.cells_view.canvas
    assert exported.shape[:2] == (canvas.height(), canvas.width()) and exported.std() > 10

    # On the projector (about the views' share of 1280×720, presentation fonts) the class cells are
    # not squeezed by the right column's bars and curve.
    views = EvolutionViews(QLabel("The network is a black box: we only ask it what it sees."))
    qtbot.addWidget(views)
    views.set_presentation(True)
    views.set_algorithm("map-elites")
    views.resize(860, 560)
    views.show()
    views.show_frame(f, 0.98)
    qtbot.wait(50)
    assert views.cells_view.height() >= views.population_view.height()
    assert views.best_top5.height() >= 150
    views.close()

    dlg.to_whitebox.click()  # hand the elite to the gradient-ascent tab
    assert window.tabs.currentWidget() is window.tab_widgets["whitebox"]
    assert not dlg.isVisible()  # the inspect window steps aside for the tab it sent the image to
    assert "From evolution" in window.tab_widgets["whitebox"].input_combo.currentText()


def test_ga_pause_resume_stop_and_population_click(window, qtbot):
    tab = _tab(window)
    tab.model_combo.setCurrentIndex(tab.model_combo.findData("mnist_cnn"))
    tab.algorithm_combo.setCurrentIndex(tab.algorithm_combo.findData("ga"))
    assert not tab.cells_view.isVisible() and tab.search_form.editor("elite").isVisibleTo(tab)
    assert not tab.search_form.editor("focus").isVisibleTo(tab)
    enc = tab.genome_form.editor("encoding")
    enc.setCurrentIndex(enc.findData("direct"))
    assert tab.genome_form.editor("mutation").isVisibleTo(tab)
    assert "each pixel from either parent" in tab.crossover_note.text()
    tab.target_edit.setText("1, 2")
    assert "takes one class" in tab.target_info.text()
    tab.start()
    assert "one target class" in window.statusBar().currentMessage() and not tab.runner.is_running
    tab.target_edit.setText("5")
    assert "class 5" in tab.target_info.text() and "faster" not in tab.target_info.text()
    tab.search_form.editor("generations").setValue(100000)
    tab.run_button.click()
    qtbot.waitUntil(lambda: tab.last_frame is not None and tab.last_frame.generation >= 3, timeout=30000)
    tab.pause_button.click()
    assert tab.pause_button.text() == "Resume"
    qtbot.wait(300)
    frozen = tab.last_frame.generation
    qtbot.wait(400)
    assert tab.last_frame.generation <= frozen + 1  # at most the generation in flight finishes
    tab.pause_button.click()
    qtbot.waitUntil(lambda: tab.last_frame.generation > frozen + 2, timeout=30000)
    with qtbot.waitSignal(tab.runner.job_finished, timeout=10000):
        tab.stop_button.click()
    f = tab.last_frame
    assert f.done and f.stop_reason == "stopped" and f.best_target == 5
    assert f.history_best[-1] >= f.history_best[0]
    assert f.population_fitness[0] == f.population_fitness.max()  # best first
    _click_cell(qtbot, tab.population_view, 0)
    assert tab.inspector.isVisible() and tab.inspector.image.shape == (28, 28)


def test_settings_survive_a_restart(qtbot, settings):
    from gui.main_window import MainWindow

    w = MainWindow(settings)
    qtbot.addWidget(w)
    tab = w.tab_widgets["evolution"]
    tab.algorithm_combo.setCurrentIndex(tab.algorithm_combo.findData("ga"))
    tab.target_edit.setText("7")
    tab.search_form.editor("seed").setValue(42)
    w.close()
    w2 = MainWindow(settings)
    qtbot.addWidget(w2)
    tab2 = w2.tab_widgets["evolution"]
    assert tab2.algorithm == "ga" and tab2.target_edit.text() == "7" and tab2.search_form.editor("seed").value() == 42
    w2.close()


def test_a_scene_clears_the_last_run_even_one_still_running(window, qtbot):
    """Opening the ImageNet scene after the MNIST one must not show digits under “1,000 classes”,
    neither the finished run's nor the final frame of a run the scene stopped."""
    tab = _tab(window)
    digits = next(i for i, s in enumerate(window.scenes.lecture) if s.name == "Black box: MNIST digits in seconds")
    imagenet = next(i for i, s in enumerate(window.scenes.lecture) if s.name == "Black box: ImageNet")
    assert window.scenes.apply_index(digits) == []
    tab.search_form.editor("stop_at").setValue(99.99)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: tab.last_frame is not None and tab.cells_view.count == 10, timeout=30000)
    assert tab.runner.is_running and tab.counter.isVisible()
    assert window.scenes.apply_index(imagenet) == []
    qtbot.wait(1500)  # the stopped job's last frame would arrive now
    assert not tab.runner.is_running and tab.last_frame is None
    assert tab.cells_view.count == 0 and tab.population_view.count == 0
    assert not tab.counter.isVisible() and not tab.headline.isVisible() and not tab.readout.isVisible()
    assert tab.best_view.image() is None and tab.best_view._title_text == "Best so far"
    assert not tab.export_button.isEnabled()


def test_cell_captions_keep_the_number_whole(qapp):
    from PySide6.QtGui import QFont, QFontMetrics

    from gui.tabs.evolution.views import caption
    from gui.widgets.mosaic import fit_caption

    fm = QFontMetrics(QFont())
    name, number = caption("king penguin, Aptenodytes patagonica", 0.10437).split("\n")
    assert number == "\t10.4%"
    for width in (20, 40, 70, 100, 160, 400):
        assert fit_caption(fm, number, width) == "10.4%"  # the number is never elided
    assert fit_caption(fm, name, 400) == "king penguin, Aptenodytes patagonica"
    assert "…" in fit_caption(fm, name, 100)
    # one line "name<TAB>number": the name gives way, the number stays whole
    for width in (40, 70, 100, 160):
        assert fit_caption(fm, "king penguin\t10.44%", width).endswith("10.44%")


def test_a_narrow_cell_shrinks_its_caption_rather_than_cut_the_number(qtbot):
    from PySide6.QtGui import QFont, QFontMetrics

    from gui.widgets.mosaic import fit_numbers_font

    base = QFont()
    base.setPointSize(15)
    captions = ["0\n\t100.000%", "tiger shark\n\t99.997%"]
    font = fit_numbers_font(base, captions, 52)
    assert font.pointSize() < 15
    assert QFontMetrics(font).horizontalAdvance("100.000%") <= 52 or font.pointSize() == 7
    assert fit_numbers_font(base, captions, 400).pointSize() == 15


def test_redraws_slow_down_when_drawing_is_costly_and_the_last_frame_is_shown_at_once(window, qtbot, monkeypatch):
    """The window keeps its share of the processors small: each redraw waits ten times what the
    UI thread spent since the last one (at least 120 ms, at most 1 s); the final frame is drawn
    at once."""
    from gui.tabs.evolution import pacing as tab_module

    tab = _tab(window)
    clock = [100.0]  # the UI thread's processor time, as time.thread_time reports it
    monkeypatch.setattr(tab_module.time, "thread_time", lambda: clock[0])
    tab.model_combo.setCurrentIndex(tab.model_combo.findData("mnist_cnn"))
    tab.target_edit.setText("all")
    tab.search_form.set_params(tab.search_form.params().replace(stop_at=None, generations=10_000_000))
    frames = []
    tab.session.frame_changed.connect(frames.append)
    drawn = []
    real = tab.views.show_frame
    monkeypatch.setattr(tab.views, "show_frame", lambda f, *a: (drawn.append(f), real(f, *a)))
    tab.start()
    qtbot.waitUntil(lambda: len(drawn) >= 1, timeout=30000)
    timer = tab.pacer.timer
    assert timer.interval() == tab_module.DRAW_INTERVAL_MS  # nothing measured yet
    clock[0] += 0.03  # 30 ms of UI work since that redraw → the next waits 300 ms
    tab.pacer.pending = frames[-1]
    tab.pacer.draw_pending()
    assert timer.interval() == 300
    clock[0] += 5.0  # a very slow machine: never more than a second between redraws
    tab.pacer.pending = frames[-1]
    tab.pacer.draw_pending()
    assert timer.interval() == tab_module.MAX_DRAW_INTERVAL_MS
    clock[0] += 0.001  # cheap: back to the fastest rate
    tab.pacer.pending = frames[-1]
    tab.pacer.draw_pending()
    assert timer.interval() == tab_module.DRAW_INTERVAL_MS
    assert not frames[-1].done  # the run was going on all along
    with qtbot.waitSignal(tab.runner.job_finished, timeout=60000):
        tab.stop()
    qtbot.waitUntil(lambda: drawn and drawn[-1].done, timeout=5000)
    assert drawn[-1] is tab.last_frame and tab.last_frame.stop_reason == "stopped"
