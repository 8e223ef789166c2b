"""The inside-the-network tab, driven like a user (offscreen)."""

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt

from tests.gui.qt_helpers import drop_file, long_numbers


def _open(window, qtbot):
    tab = window.tab_widgets["inside"]
    window.select_tab("inside")
    qtbot.waitUntil(lambda: len(tab.anatomy.diagram._boxes) > 0, timeout=30000)
    return tab


def test_anatomy_shows_stages_and_feature_maps_of_a_clicked_stage(window, qtbot, tmp_path):
    tab = _open(window, qtbot)
    assert window.tabs.tabText(2) == "Inside the network"
    names = [s.name for s in tab.session.stages()]
    assert names[:2] == ["conv_stem", "blocks1"] and names[-1] == "fc"
    # click the stage "blocks2" in the drawing
    i = names.index("blocks2")
    qtbot.mouseClick(tab.anatomy.diagram, Qt.MouseButton.LeftButton, pos=tab.anatomy.diagram.box(i).center().toPoint())
    qtbot.waitUntil(lambda: "blocks2" in tab.anatomy.headline.text(), timeout=20000)
    assert tab.anatomy.maps_view.count == 16 and "of 24 channels" in tab.anatomy.maps_view._title.text()
    # the dense end: class probabilities, "Egyptian cat" first for Chelsea
    qtbot.keyClick(window, Qt.Key.Key_Space)  # Space steps to the next stage
    qtbot.waitUntil(lambda: "blocks3" in tab.anatomy.headline.text(), timeout=20000)
    tab.anatomy.select("fc")
    qtbot.waitUntil(lambda: "Egyptian cat" in str(tab.anatomy.units_view.getAxis("left")._tickLevels), timeout=20000)
    assert "probabilities" in tab.anatomy.units_view._title_text
    # compared with another picture: where the maps differ
    tab.anatomy.select("blocks2")
    tab.anatomy.compare_combo.setCurrentIndex(tab.anatomy.compare_combo.findData("coffee"))
    qtbot.waitUntil(lambda: "differ from “Coffee cup”" in tab.anatomy.maps_view._title.text(), timeout=20000)
    assert "changed by" in tab.anatomy.note.text()
    tab.anatomy.compare_combo.setCurrentIndex(0)
    # a dropped photo redraws the maps
    photo = tmp_path / "stripes.png"
    Image.fromarray(np.tile(np.uint8([0, 255]).repeat(8), (128, 8))[:, :, None].repeat(3, 2)).save(photo)
    drop_file(window, photo)
    qtbot.waitUntil(lambda: tab.picture_combo.currentText() == "File: stripes.png", timeout=5000)


def test_neuron_run_shows_frames_and_stops(window, qtbot):
    tab = _open(window, qtbot)
    tab.set_page(1)
    page = tab.neuron
    page.stage_combo.setCurrentIndex(page.stage_combo.findData("blocks3"))
    page.channel_spin.setValue(5)
    page.form.set_params(page.form.params().replace(steps=400, size=64))
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page._last is not None and page._last.step >= 2, timeout=30000)
    assert page.run_button.text().startswith("Stop") and "response" in page.headline.text()
    with qtbot.waitSignal(tab.runner.job_finished, timeout=10000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert page._last.done and page._last.step < 400
    assert page.run_button.text().startswith("Run")
    # scene 8 read “response 55.79 · on “Chelsea the cat”: 1.88 — ×29.7 the photo”
    assert "the photo" in page.headline.text() and long_numbers(page.headline.text()) == []


def test_class_page_and_dream_page_run(window, qtbot, tmp_path):
    tab = _open(window, qtbot)
    tab.set_page(2)
    page = tab.cat
    page.form.set_params(page.form.params().replace(steps=3, size=64))
    qtbot.keyClick(window, Qt.Key.Key_Space)
    with qtbot.waitSignal(tab.runner.job_finished, timeout=60000):
        pass
    assert page._last.done and "Egyptian cat" in page.plain_text.text() and "%" in page.reg_text.text()
    tab.set_page(3)
    page = tab.dream
    page.form.set_params(page.form.params().replace(octaves=2, steps=2))
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(tab.runner.job_finished, timeout=60000):
        pass
    assert page._last.done and page._last.image.shape == tab.session.picture().shape
    # scene 10 still read “dreaming at blocks5 · octave 3/3 (451×300)” once it had finished
    assert page.headline.text().startswith("done") and "dreaming" not in page.headline.text()
    assert tab.save_result(str(tmp_path / "dream.png")) and (tmp_path / "dream.png").is_file()


def test_scene_state_round_trip(window, qtbot):
    tab = _open(window, qtbot)
    tab.set_page(1)
    tab.neuron.activated()
    tab.neuron.channel_spin.setValue(7)
    state = tab.scene_state()
    assert state["page"] == 1 and state["params"]["featurevis"]["steps"] > 0
    tab.set_page(0)
    tab.neuron.channel_spin.setValue(1)
    assert tab.apply_scene_state(state) == []
    assert tab.page == 1 and tab.neuron.channel_spin.value() == 7
