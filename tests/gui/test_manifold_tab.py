"""The Manifold tab, driven like a lecturer (offscreen): train, click, drag, sweep, random images."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPointF, Qt

from core.models import availability


@pytest.fixture
def tab(qtbot):
    import pyqtgraph as pg

    pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")
    from gui.tabs.base import AppContext
    from gui.tabs.manifold import ManifoldTab

    errors: list[str] = []
    ctx = AppContext(device=torch.device("cpu"), status=lambda text: None, error=errors.append,
                     send_image=lambda *a: None)
    t = ManifoldTab(ctx)
    t.errors = errors
    qtbot.addWidget(t)
    t.resize(1500, 900)
    t.show()
    yield t
    t.shutdown()


def _trained(tab, qtbot):
    qtbot.waitUntil(lambda: tab._frame is not None and tab._frame.done and not tab.runner.is_running,
                    timeout=30000)
    return tab._frame


def test_opens_trained_with_the_biggest_gap_point_explained(tab, qtbot):
    frame = _trained(tab, qtbot)
    assert frame.accuracy >= 0.95
    assert tab.heat.image is not None and tab.heat.image.shape[:2] == frame.prob_grid.shape
    qtbot.waitUntil(lambda: tab._analysis is not None, timeout=5000)
    a = tab._analysis
    assert np.allclose(a.x, frame.data_x[frame.biggest_gap])
    assert tab.shaft.isVisible() and tab.walk_item.isVisible()
    assert "Step to" in tab.step_label.text() and f"{a.adv_distance:.3f}" in tab.step_label.text()
    assert "longer" in tab.walk_label.text()
    assert "leaves the curve" in tab.share_label.text()
    # the arrow drawn is the step found, and the step really flips the network's answer
    xs, ys = tab.shaft.getData()
    assert np.allclose([xs[1] - xs[0], ys[1] - ys[0]], a.delta)
    assert (frame.net.prob(a.x + a.delta)[0] > 0.5) != (a.prob_blue > 0.5)


def test_click_on_the_map_moves_the_point(tab, qtbot):
    _trained(tab, qtbot)
    view = tab.toy_widget
    target = QPointF(0.3, -0.8)
    scene_pt = tab.toy_view.mapViewToScene(target)
    widget_pt = view.mapFromScene(scene_pt)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=widget_pt)
    qtbot.waitUntil(lambda: tab._analysis is not None and abs(tab._analysis.x[0] - 0.3) < 0.03, timeout=5000)
    assert abs(tab._analysis.x[1] + 0.8) < 0.03
    assert "The network says" in tab.prob_label.text()


def test_changing_the_curve_retrains_and_vulnerable_button(tab, qtbot):
    _trained(tab, qtbot)
    tab.epochs_spin.setValue(150)
    tab.curve_combo.setCurrentIndex(tab.curve_combo.findData("spiral"))
    qtbot.waitUntil(lambda: tab._frame.params.curve == "spiral" and tab._frame.done, timeout=30000)
    tab.set_point(0.9, 0.9)
    qtbot.waitUntil(lambda: tab._analysis is not None and tab._analysis.x[0] == pytest.approx(0.9), timeout=5000)
    qtbot.mouseClick(tab.vulnerable_button, Qt.MouseButton.LeftButton)
    f = tab._frame
    qtbot.waitUntil(lambda: np.allclose(tab._analysis.x, f.data_x[f.most_vulnerable]), timeout=5000)
    tab.hidden_edit.setText("32,x")
    tab.retrain()
    assert tab.errors and "hidden layers" in tab.errors[-1]


def test_dimension_sweep_draws_a_point_per_dimension(tab, qtbot):
    _trained(tab, qtbot)
    tab.epochs_spin.setValue(100)
    _trained(tab, qtbot)
    tab.pages.setCurrentIndex(1)
    tab.dims_edit.setText("2,30")
    tab.start()
    qtbot.waitUntil(lambda: tab._sweep is not None and tab._sweep.done, timeout=60000)
    xs, ys = tab.ratio_plot._curves["ratio"].getData()
    assert len(xs) == 2 and np.all(ys > 1)
    assert "D = 30" in tab.sweep_label.text()
    tab.dims_edit.setText("2,99999")
    tab.start()
    assert "between 2 and 1000" in tab.errors[-1]


def test_random_images_page(tab, qtbot):
    tab.pages.setCurrentIndex(2)
    tab.start()
    qtbot.waitUntil(lambda: tab._null is not None and tab._null.done, timeout=60000)
    n = len(tab._null.images)
    assert n == (3 if availability("mnist_cnn")[0] else 2)
    assert "sure" in tab.null_labels[0].text() and "blind guess" in tab.null_labels[0].text()
    assert "In the toy" in tab.null_note.text()
    assert tab.null_panels[0].image().shape == (224, 224, 3)
    if n == 2:
        assert "MNIST" in tab.null_note.text()


def test_captions_hide(tab, qtbot):
    assert all(c.isVisibleTo(tab) or not c.parent().isVisible() for c in tab._captions)
    tab.set_captions_visible(False)
    assert not any(c.isVisible() for c in tab._captions)


def test_presentation_mode_enlarges_the_read_out(tab, qtbot):
    before = tab.step_label.font().pointSizeF()
    tab.set_presentation(True)
    assert tab.step_label.font().pointSizeF() > before
    tab.set_presentation(False)
    assert tab.step_label.font().pointSizeF() == pytest.approx(before)


def test_window_has_the_tab_and_space_retrains(window, qtbot):
    tab = window.tab_widgets["manifold"]
    window.tabs.setCurrentWidget(tab)
    _trained(tab, qtbot)
    first = tab._frame
    tab.seed_spin.blockSignals(True)
    tab.seed_spin.setValue(5)
    tab.seed_spin.blockSignals(False)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: tab._frame is not first and tab._frame.done and tab._frame.params.seed == 5,
                    timeout=30000)
