"""The Manifold tab, driven like a lecturer (offscreen): train, click, drag, sweep, random images."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QLabel

from core.models import availability
from core.readable import times


def _make_tab(qtbot, status: list[str], errors: list[str]):
    import pyqtgraph as pg

    pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")
    from gui.tabs.base import AppContext
    from gui.tabs.manifold import ManifoldTab

    ctx = AppContext(device=torch.device("cpu"), status=status.append, error=errors.append,
                     send_image=lambda *a: None)
    t = ManifoldTab(ctx)
    qtbot.addWidget(t)
    t.resize(1500, 900)
    return t


@pytest.fixture
def tab(qtbot):
    status: list[str] = []
    errors: list[str] = []
    t = _make_tab(qtbot, status, errors)
    t.status, t.errors = status, errors
    t.show()
    yield t
    t.shutdown()


def _trained(tab, qtbot):
    qtbot.waitUntil(lambda: tab.session.trained and not tab.runner.is_running, timeout=30000)
    return tab.session.frame


def test_opens_trained_with_the_biggest_gap_point_explained(tab, qtbot):
    frame = _trained(tab, qtbot)
    page = tab.toy_page
    assert frame.accuracy >= 0.95
    assert page.map.heat.image is not None and page.map.heat.image.shape[:2] == frame.prob_grid.shape
    qtbot.waitUntil(lambda: tab.session.analysis is not None, timeout=5000)
    a = tab.session.analysis
    assert np.allclose(a.x, frame.data_x[frame.biggest_gap])
    assert "Step to" in page.step_label.text() and f"{a.adv_distance:.2f}" in page.step_label.text()
    assert f"{times(a.ratio)} longer" in page.walk_label.text()
    assert f"{a.normal_fraction:.0%} of the step leaves the curve" in page.share_label.text()
    # the arrow drawn is the step found, and the step really flips the network's answer
    start, tip = page.map.shown_step()
    assert np.allclose(start, a.x) and np.allclose(tip - start, a.delta)
    assert (frame.net.prob(a.x + a.delta)[0] > 0.5) != (a.prob_blue > 0.5)
    assert f"trained epoch {frame.epoch}" in page.train_label.text()


def test_click_on_the_map_moves_the_point(tab, qtbot):
    _trained(tab, qtbot)
    view = tab.toy_page.map
    scene_pt = view.view.mapViewToScene(QPointF(0.3, -0.8))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(scene_pt))
    qtbot.waitUntil(lambda: tab.session.analysis is not None and abs(tab.session.analysis.x[0] - 0.3) < 0.03,
                    timeout=5000)
    assert abs(tab.session.analysis.x[1] + 0.8) < 0.03
    assert view.shown_point() == pytest.approx(tab.session.point)
    assert "The network says" in tab.toy_page.prob_label.text()


def test_drag_view_box_reports_clicks_and_drags_in_data_coordinates(qtbot):
    import pyqtgraph as pg

    from gui.widgets import DragViewBox

    box = DragViewBox()
    w = pg.PlotWidget(viewBox=box)
    qtbot.addWidget(w)
    w.resize(400, 400)
    w.show()
    box.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)
    clicks, moves = [], []
    box.clicked.connect(lambda x, y: clicks.append((x, y)))
    box.point_moved.connect(lambda x, y: moves.append((x, y)))
    pos = w.mapFromScene(box.mapViewToScene(QPointF(7, 2)))
    qtbot.mouseClick(w.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert clicks and clicks[-1] == pytest.approx((7, 2), abs=0.1) and moves[-1] == clicks[-1]
    assert box.viewRange()[0] == pytest.approx([0, 10])  # a left click never pans


def test_changing_the_curve_retrains_and_vulnerable_button(tab, qtbot):
    _trained(tab, qtbot)
    form = tab.toy_page.form
    form.set_value("epochs", 150)
    form.set_value("curve", "spiral")
    qtbot.waitUntil(lambda: tab.session.frame.params.curve == "spiral" and tab.session.trained, timeout=30000)
    tab.session.set_point(0.9, 0.9)
    qtbot.waitUntil(lambda: tab.session.analysis is not None and tab.session.analysis.x[0] == pytest.approx(0.9),
                    timeout=5000)
    qtbot.mouseClick(tab.toy_page.vulnerable_button, Qt.MouseButton.LeftButton)
    f = tab.session.frame
    qtbot.waitUntil(lambda: np.allclose(tab.session.analysis.x, f.data_x[f.most_vulnerable]), timeout=5000)
    form.editor("hidden").setText("32,x")
    tab.start()
    assert tab.errors and "hidden layers" in tab.errors[-1].lower()


def test_training_news_goes_through_the_tabs_own_status_and_read_out(tab, qtbot):
    _trained(tab, qtbot)
    assert any(s.startswith("trained") for s in tab.status)
    tab.status.clear()
    tab.toy_page.form.set_value("seed", 3)
    qtbot.waitUntil(lambda: tab.runner.is_running, timeout=5000)
    tab.hide()  # the lecturer switches to another tab while it trains
    qtbot.waitUntil(lambda: tab.session.trained and tab.session.frame.params.seed == 3, timeout=30000)
    # the news goes to this tab's context (the window shows it only with this tab), and the tab
    # keeps its own state: its read-out says what happened
    assert tab.status and tab.status[-1].startswith("trained")
    assert "trained epoch" in tab.toy_page.train_label.text()


def test_the_status_bar_speaks_for_the_visible_tab(window, qtbot):
    tab = window.tab_widgets["manifold"]
    window.tabs.setCurrentWidget(tab)
    _trained(tab, qtbot)
    bar = window.statusBar()
    qtbot.waitUntil(lambda: bar.currentMessage().startswith("trained"), timeout=5000)
    window.tabs.setCurrentIndex(0)
    assert "trained" not in bar.currentMessage()
    window.tabs.setCurrentWidget(tab)
    assert bar.currentMessage().startswith("trained")


def test_hidden_tab_trains_when_first_shown(qtbot):
    status: list[str] = []
    t = _make_tab(qtbot, status, [])
    qtbot.wait(300)
    assert t.session.frame is None and not t.runner.is_running and not status
    t.show()
    qtbot.waitUntil(lambda: t.session.trained, timeout=30000)
    t.shutdown()


def test_sweep_page_has_sensible_empty_axes(tab, qtbot):
    page = tab.sweep_page
    tab.pages.setCurrentWidget(page)
    (x0, x1), _ = page.dist_plot.viewRange()
    assert x0 <= math.log10(2) and x1 >= math.log10(1000) and x1 - x0 < 4  # D from 2 to 1000
    assert page.share_plot.viewRange()[1] == pytest.approx([0, 1.02])
    y0, y1 = page.ratio_plot.viewRange()[1]
    assert y0 == 0 and 1 < y1 <= 20
    assert all(abs(v) <= 20 for p in (page.dist_plot, page.ratio_plot, page.share_plot)
               for r in p.viewRange() for v in r)


def test_dimension_sweep_draws_a_point_per_dimension_and_reads_it_out(tab, qtbot):
    _trained(tab, qtbot)
    tab.toy_page.form.set_value("epochs", 100)
    qtbot.waitUntil(lambda: tab.session.frame.params.epochs == 100 and tab.session.trained, timeout=30000)
    page = tab.sweep_page
    tab.pages.setCurrentWidget(page)
    page.form.set_value("dims", (2, 30))
    tab.start()
    qtbot.waitUntil(lambda: page.frame is not None and page.frame.done, timeout=60000)
    assert page.frame.params.epochs == 100  # the networks are the toy's
    xs, ys = page.ratio_plot.curve_data("ratio")
    assert list(xs) == [2, 30] and np.all(ys > 1)
    r = page.frame.results
    # the sentence under the plots states the measured shares, never more than they show
    assert page.result_label.text() == page.frame.summary
    shares = [x.normal_fraction for x in r]
    assert f"{min(shares):.0%}" in page.result_label.text() and f"{max(shares):.0%}" in page.result_label.text()
    page.form.editor("dims").setText("2,99999")
    page.form.editor("dims").editingFinished.emit()
    tab.start()
    assert "between 2 and 1000" in tab.errors[-1]


def test_random_images_page(tab, qtbot):
    tab.pages.setCurrentWidget(tab.random_page)  # the page fills itself when first shown
    page = tab.random_page
    qtbot.waitUntil(lambda: page.frame is not None and page.frame.done, timeout=60000)
    n = len(page.frame.images)
    assert n == (3 if availability("mnist_cnn")[0] else 2)
    f = page.frame
    assert f"{f.confidences[0]:.0%} sure" in page.labels[0].text() and "blind guess" in page.labels[0].text()
    assert "In the toy" in page.note.text()
    assert page.panels[0].image().shape == (224, 224, 3)
    if n == 2:
        assert "MNIST" in page.note.text()


def test_captions_hide(tab, qtbot):
    captions = tab.findChildren(QLabel, "caption")
    assert len(captions) == 3
    tab.set_captions_visible(False)
    assert not any(c.isVisible() for c in captions)


def test_presentation_mode_enlarges_the_read_out(tab, qtbot):
    label = tab.toy_page.step_label
    before = label.font().pointSizeF()
    tab.set_presentation(True)
    assert label.font().pointSizeF() > before
    assert tab.sweep_page.result_label.font().pointSizeF() > before * 0.5
    tab.set_presentation(False)
    assert label.font().pointSizeF() == pytest.approx(before)


def test_settings_round_trip_and_a_bad_value_falls_back_alone(qtbot, settings):
    status: list[str] = []
    a = _make_tab(qtbot, status, [])
    a.toy_page.form.set_value("epochs", 150)
    a.toy_page.form.set_value("curve", "circle")
    a.sweep_page.form.set_value("eps", 0.1)
    a.pages.setCurrentIndex(1)
    settings.beginGroup("manifold")
    a.save_settings(settings)
    settings.setValue("toy/segments", "many")
    settings.endGroup()
    b = _make_tab(qtbot, status, [])
    settings.beginGroup("manifold")
    b.restore_settings(settings)
    settings.endGroup()
    p = b.toy_params()
    assert (p.epochs, p.curve, p.segments) == (150, "circle", 2)
    assert b.sweep_params().eps == pytest.approx(0.1) and b.pages.currentIndex() == 1
    assert b.toy_page.form.editor("epochs").value() == 150
    a.shutdown()
    b.shutdown()


def test_window_has_the_tab_and_space_retrains(window, qtbot):
    tab = window.tab_widgets["manifold"]
    window.tabs.setCurrentWidget(tab)
    _trained(tab, qtbot)
    first = tab.session.frame
    seed = tab.toy_page.form.editor("seed")
    seed.blockSignals(True)
    seed.setValue(5)
    seed.blockSignals(False)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: tab.session.frame is not first and tab.session.trained
                    and tab.session.frame.params.seed == 5, timeout=30000)


def test_presentation_mode_gives_the_read_out_room_and_settings_on_request(tab, qtbot):
    page = tab.toy_page
    assert page.settings_area.isVisible() and page.readout.isVisible()
    tab.set_presentation(True)
    assert page.readout.isVisible() and not page.settings_area.isVisible()
    page.settings_button.click()  # the lecturer asks for the settings: they take the read-out's place
    assert page.settings_area.isVisible() and not page.readout.isVisible()
    page.settings_button.click()
    assert page.readout.isVisible()
    tab.set_presentation(False)
    assert page.settings_area.isVisible() and page.readout.isVisible()
