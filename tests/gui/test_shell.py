"""The window-wide parts a lecturer relies on: keys from any field, scenes, an honest status bar."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QCompleter, QLineEdit, QPushButton

from core import scenes
from gui.scene_control import page_index

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def calls(window):
    """Record what the keys ask of the visible tab instead of running its (slow) demo."""
    log = []
    tab = window.current_tab()
    tab.toggle = lambda: log.append("toggle")
    tab.start = lambda: log.append("start")
    tab.stop = lambda: log.append("stop")
    return log


def _field(window, cls):
    for w in window.current_tab().findChildren(cls):
        if w.isVisible() and w.isEnabled() and not (isinstance(w, QLineEdit) and isinstance(w.parentWidget(), QAbstractSpinBox)):
            return w
    pytest.skip(f"the visible tab has no {cls.__name__}")


def _focus(qtbot, widget):
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=3000)


def test_space_runs_from_a_spin_box_and_types_nothing(qtbot, window, calls):
    spin = _field(window, QAbstractSpinBox)
    _focus(qtbot, spin)
    before = spin.text()
    qtbot.keyClick(spin, Qt.Key.Key_Space)
    assert calls == ["toggle"]
    assert spin.text() == before  # "auto" and numbers survive
    qtbot.keyClick(spin, Qt.Key.Key_Escape)
    assert calls == ["toggle", "stop"]


def test_space_runs_from_a_button_and_a_text_field(qtbot, window, calls):
    button = _field(window, QPushButton)
    _focus(qtbot, button)
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert calls == ["toggle"]
    edit = QLineEdit("tiger shark", window.current_tab())
    edit.show()
    _focus(qtbot, edit)
    edit.end(False)
    qtbot.keyClick(edit, Qt.Key.Key_Space)
    assert edit.text() == "tiger shark" and calls == ["toggle", "toggle"]
    qtbot.keyClick(edit, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)  # the escape hatch
    assert edit.text() == "tiger shark "


def test_space_completes_a_longer_name_then_runs(qtbot, window, calls):
    edit = QLineEdit("", window.current_tab())
    edit.setCompleter(QCompleter(["tiger", "tiger shark", "tiger cat", "goldfish"], edit))
    edit.show()
    _focus(qtbot, edit)
    qtbot.keyClicks(edit, "tiger")
    edit.completer().popup().hide()
    qtbot.keyClick(edit, Qt.Key.Key_Space)  # "tiger shark" exists: the space is typed
    assert edit.text() == "tiger " and calls == []
    qtbot.keyClicks(edit, "shark")
    edit.completer().popup().hide()
    qtbot.keyClick(edit, Qt.Key.Key_Space)  # nothing longer: Space runs
    assert edit.text() == "tiger shark" and calls == ["toggle"]


def test_enter_in_a_field_starts_and_never_stops(qtbot, window, calls):
    spin = _field(window, QAbstractSpinBox)
    _focus(qtbot, spin)
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: calls == ["start"], timeout=2000)


def test_clicker_keys_step_through_the_scenes(qtbot, window, calls):
    lecture = window.scenes.lecture
    qtbot.keyClick(window.current_tab(), Qt.Key.Key_PageDown)
    assert window.scenes.current == 0
    assert window.current_tab().key == lecture[0].tab
    spin = _field(window, QAbstractSpinBox)  # a clicker works even when a number field has focus
    _focus(qtbot, spin)
    value = spin.text()
    qtbot.keyClick(spin, Qt.Key.Key_PageDown)
    assert window.scenes.current == 1 and spin.text() == value
    qtbot.keyClick(window.current_tab(), Qt.Key.Key_PageUp)
    assert window.scenes.current == 0
    button = _field(window, QPushButton)
    _focus(qtbot, button)
    qtbot.keyClick(button, Qt.Key.Key_Right)
    assert window.scenes.current == 1
    spin = _field(window, QAbstractSpinBox)
    _focus(qtbot, spin)
    qtbot.keyClick(spin, Qt.Key.Key_Right)  # a field keeps its arrows
    assert window.scenes.current == 1


def test_the_scene_list_keeps_space_from_the_hidden_run_and_closes_on_esc(qtbot, window, calls):
    qtbot.keyClick(window.current_tab(), Qt.Key.Key_F9)
    lst = window.scenes.list
    qtbot.waitUntil(lambda: lst.isVisible() and lst.hasFocus(), timeout=3000)
    assert lst.font().pointSize() > window.font().pointSize()  # a title's size, for the back row
    qtbot.keyClick(lst, Qt.Key.Key_Space)
    assert calls == [] and lst.isVisible()  # the Run button is behind the list: nothing starts
    qtbot.keyClick(lst, Qt.Key.Key_Escape)
    assert calls == [] and not lst.isVisible() and not window.scenes.list_action.isChecked()


def test_every_shipped_scene_applies_without_problems(qtbot, window):
    for i, scene in enumerate(window.scenes.lecture):
        problems = window.scenes.apply_index(i)
        assert problems == [], f"{scene.name}: {problems}"
        assert window.current_tab().key == scene.tab
        assert scene.name in window.statusBar().currentMessage()
        for key, wanted in scene.tabs.items():  # what the scene says is what the tab now holds
            tab = window.tab_widgets[key]
            state = tab.scene_state()
            page = wanted.get("page", 0)
            assert state["page"] == (page if isinstance(page, int) else page_index(tab, page)), scene.name
            for form, values in wanted.get("params", {}).items():
                for field, value in values.items():
                    assert state["params"][form][field] == value, (scene.name, form, field)
            for field, value in wanted.get("extra", {}).items():
                assert state.get("extra", {}).get(field) == value, (scene.name, field)


def test_save_current_scene_and_open_it_again(qtbot, window, tmp_path):
    window.scenes.apply_index(len(window.scenes.lecture) - 1)
    saved = scenes.save_scene(window.scenes.capture("My LIAR", "caption"), tmp_path / "mine.json")
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["tab"] == window.scenes.lecture[-1].tab and set(data["tabs"]) == set(window.tab_widgets)
    window.scenes.reset()
    assert window.tabs.currentIndex() == 0
    assert window.scenes.open_file(str(saved)) == []
    assert window.current_tab().key == data["tab"]
    assert window.current_tab().scene_state() == data["tabs"][data["tab"]]


def test_a_broken_scene_file_is_one_sentence_in_the_status_bar(qtbot, window, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    window.scenes.open_file(str(bad))
    assert "not valid JSON" in window.statusBar().currentMessage()


def test_the_status_bar_speaks_for_the_visible_tab(qtbot, window):
    keys = list(window.tab_widgets)
    first, second = window.tab_widgets[keys[0]], window.tab_widgets[keys[1]]
    window.tabs.setCurrentWidget(first)
    second.ctx.status("trained 300 epochs on the second tab")
    assert "300 epochs" not in window.statusBar().currentMessage()
    first.ctx.status("first tab's news")
    assert window.statusBar().currentMessage() == "first tab's news"
    window.tabs.setCurrentWidget(second)
    assert window.statusBar().currentMessage() == "trained 300 epochs on the second tab"
    window.tabs.setCurrentWidget(first)
    assert window.statusBar().currentMessage() == "first tab's news"


def test_presentation_hides_the_menu_bar_and_the_panels_on_request(qtbot, window):
    window.set_presentation(True)
    assert window.isFullScreen() and not window.menuBar().isVisible()
    window.set_side_panels_visible(False)
    window.set_scene_list_visible(True)
    assert window.scenes.list.isVisible() and window.scenes.list.count() == len(window.scenes.lecture)
    window.set_scene_list_visible(False)
    window.set_presentation(False)
    assert window.menuBar().isVisible()
    window.set_side_panels_visible(True)


def _start(args, tmp_path, quit_ms="1500"):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FOOLING_LAB_QUIT_AFTER_MS": quit_ms,
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          env=env, timeout=180, cwd=tmp_path)


@pytest.mark.parametrize("name", [s.slug for s in scenes.lecture_scenes()])
def test_the_app_opens_at_each_scene_and_quits_with_status_0(tmp_path, name):
    r = _start(["--scene", name], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "problem" not in r.stderr


def test_an_unknown_scene_is_one_sentence_and_status_2(tmp_path):
    r = _start(["--scene", "no such scene"], tmp_path)
    assert r.returncode == 2 and r.stderr.startswith("error: There is no scene")
    assert "Traceback" not in r.stderr


def test_scenes_command_lists_the_lecture_as_json(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "scenes", "--json"], capture_output=True,
                       text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [row["name"] for row in rows] == [s.name for s in scenes.lecture_scenes()]


def test_record_films_a_run_of_the_visible_tab_as_a_gif(qtbot, window, tmp_path):
    import imageio.v3 as iio
    import numpy as np

    tab = window.tab_widgets["evolution"]  # a run of many generations
    window.tabs.setCurrentWidget(tab)
    window.recorder.folder = tmp_path
    written = []
    window.recorder.movie_written.connect(written.append)
    window.recorder.set_recording(True)
    assert window.recorder.badge.isVisible() and window.recorder.action.isChecked()
    tab.start()
    # The run may end (and its movie be written) before the wait: a quick search does that now.
    qtbot.waitUntil(lambda: bool(written) or (window.recorder._movie is not None
                                              and len(window.recorder._movie.frames) >= 4), timeout=90000)
    tab.stop()  # the run ends: the movie is written in the background
    qtbot.waitUntil(lambda: bool(written), timeout=60000)
    path = Path(written[0])
    assert path.parent == tmp_path and path.suffix == ".gif"
    frames = iio.imread(path, index=None)
    assert frames.shape[0] > 1 and any(not np.array_equal(frames[0], f) for f in frames[1:])
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["tab"] == "evolution" and meta["scene"]["tab"] == "evolution"
    assert "Saved the movie" in window.statusBar().currentMessage()
    window.recorder.set_recording(False)
    assert not window.recorder.badge.isVisible()


def test_a_squeezed_tab_folds_its_settings_panel_into_a_drawer(qtbot, window):
    from gui.drawer import side_panel

    tab = next((t for t in window.tab_widgets.values() if side_panel(t) is not None), None)
    if tab is None:
        pytest.skip("no tab names a settings panel")
    window.tabs.setCurrentWidget(tab)
    panel = side_panel(tab)
    from PySide6.QtCore import QSize

    window.tabs.room = QSize(500, 380)  # a small screen
    window.tabs.updateGeometry()
    window.layout().activate()
    window.resize(520, 420)
    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=3000)
    assert window.drawer.button.isVisible()
    window.drawer.button.click()  # open the drawer
    assert panel.isVisible()
    window.drawer.button.click()
    assert not panel.isVisible()
    window.tabs.room = None
    window.set_side_panels_visible(True)
    assert panel.isVisible()


def test_a_focus_ring_follows_the_keyboard(qtbot, window):
    spin = _field(window, QAbstractSpinBox)
    _focus(qtbot, spin)
    ring = window.focus_ring
    qtbot.waitUntil(ring.isVisible, timeout=2000)
    spot = spin.mapTo(window, spin.rect().topLeft())
    assert ring.geometry().contains(spot) and ring.width() > spin.width()
    window.current_tab().setFocus()
    qtbot.waitUntil(lambda: not ring.isVisible(), timeout=2000)
