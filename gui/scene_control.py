"""Scenes in the window: the Scenes menu, the scene list, stepping, saving and opening scene files.

A scene is applied the same way every time: every job stops, every tab goes back to the lecture's
defaults, then the scene's states are applied and its tab is shown (see ``core/scenes.py``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QListWidget, QListWidgetItem, QMenu, QTabWidget

from core import scenes
from core.errors import UserError
from core.scenes import Scene

from .keyboard import SCENE_LIST

log = logging.getLogger("fooling_lab.scenes")


class SceneControl(QObject):
    """Owns the lecture's scene list and what the window does with it."""

    scene_applied = Signal(int, str)  # lecture index (-1 for a scene from a file), name

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.current = -1
        try:
            self.lecture: list[Scene] = scenes.lecture_scenes()
        except UserError as exc:
            log.error("the lecture's scenes cannot be read: %s", exc)
            self.lecture = []
        self._group = QActionGroup(self)
        self._scene_actions: list[QAction] = []
        self.list = QListWidget()
        self.list.setObjectName(SCENE_LIST)
        self.list.setWordWrap(True)
        for i, scene in enumerate(self.lecture):
            item = QListWidgetItem(f"{i + 1}. {scene.name}")
            item.setToolTip(scene.caption)
            self.list.addItem(item)
        self.list.itemActivated.connect(self._picked)
        self.list.itemClicked.connect(self._picked)

    def _picked(self, item: QListWidgetItem) -> None:
        """A scene picked in the list: show it and give the screen back to it."""
        self.apply_index(self.list.row(item))
        self.window.set_scene_list_visible(False)

    # ------------------------------------------------------------------ menu
    def build_menu(self, menu: QMenu) -> None:
        make = self.window._action
        for i, scene in enumerate(self.lecture):
            act = QAction(f"&{i + 1 if i < 9 else chr(ord('a') + i - 9)}  {scene.name}", self.window)
            act.setCheckable(True)
            act.setStatusTip(scene.caption)
            act.triggered.connect(lambda _=False, i=i: self.apply_index(i))
            self._group.addAction(act)
            self._scene_actions.append(act)
            menu.addAction(act)
        menu.addSeparator()
        self.previous_action = make("&Previous scene\tPgUp / ←", lambda: self.step(-1), None,
                                    "Go back one scene (a presentation clicker's back button)")
        self.next_action = make("&Next scene\tPgDn / →", lambda: self.step(+1), None,
                                "Go on to the next scene (a presentation clicker's forward button)")
        self.list_action = make("Scene &list", self.window.set_scene_list_visible, QKeySequence(Qt.Key.Key_F9),
                                "Show the lecture's scenes beside the tabs", checkable=True)
        menu.addAction(self.previous_action)
        menu.addAction(self.next_action)
        menu.addAction(self.list_action)
        menu.addSeparator()
        menu.addAction(make("&Save current as scene…", self.save_dialog, QKeySequence("Ctrl+Shift+S"),
                            "Save every tab's settings and the visible page as a scene file to share"))
        menu.addAction(make("&Open scene…", self.open_dialog, QKeySequence("Ctrl+Shift+O"),
                            "Show a scene saved earlier (a .json file)"))
        menu.addAction(make("&Reset to lecture defaults", self.reset, None,
                            "Every tab's settings back to the lecture's defaults, first tab shown"))

    # ------------------------------------------------------------------ applying
    def _tabs(self):
        return self.window.tab_widgets

    def apply(self, scene: Scene, index: int = -1) -> list[str]:
        """Show a scene; returns the problems met (also logged, and summed up in the status bar)."""
        problems: list[str] = []
        for tab in self._tabs().values():
            tab.stop()
        for key, tab in self._tabs().items():
            tab.reset_to_defaults()
            state = scene.tabs.get(key)
            if state is None:
                continue
            state = dict(state)
            page = state.get("page", 0)
            if isinstance(page, str):
                index_of = page_index(tab, page)
                if index_of is None:
                    problems.append(f"{tab.title}: there is no page “{page}”")
                    state.pop("page")
                else:
                    state["page"] = index_of
            problems += tab.apply_scene_state(state)
        for key in scene.tabs:
            if key not in self._tabs():
                problems.append(f"there is no tab “{key}” in this version of Fooling Lab")
        if not self.window.select_tab(scene.tab):
            problems.append(f"there is no tab “{scene.tab}” to show")
        self.current = index
        for i, act in enumerate(self._scene_actions):
            act.setChecked(i == index)
        if 0 <= index < self.list.count():
            self.list.setCurrentRow(index)
        else:
            self.list.clearSelection()
        number = f"Scene {index + 1}/{len(self.lecture)}: " if index >= 0 else "Scene: "
        self.window.setWindowTitle(f"Fooling Lab — {scene.name}")
        for p in problems:
            log.warning("scene %s: %s", scene.name, p)
        if problems:
            self.window.show_error(f"{number}{scene.name} — shown with {len(problems)} problem(s): {problems[0]}")
        else:
            self.window.show_status(f"{number}{scene.name}" + (f" — {scene.caption}" if scene.caption else ""))
        self.scene_applied.emit(index, scene.name)
        return problems

    def apply_index(self, index: int) -> list[str]:
        if not 0 <= index < len(self.lecture):
            return [f"there is no scene {index + 1}"]
        return self.apply(self.lecture[index], index)

    def step(self, delta: int) -> None:
        if not self.lecture:
            self.window.show_status("There are no scenes to step through.")
            return
        target = self.current + delta if self.current >= 0 else (0 if delta > 0 else len(self.lecture) - 1)
        if not 0 <= target < len(self.lecture):
            self.window.show_status("That was the last scene." if delta > 0 else "This is the first scene.")
            return
        self.apply_index(target)

    def reset(self) -> None:
        for tab in self._tabs().values():
            tab.stop()
            tab.reset_to_defaults()
        self.window.tabs.setCurrentIndex(0)
        self.current = -1
        for act in self._scene_actions:
            act.setChecked(False)
        self.window.setWindowTitle("Fooling Lab — how neural networks are fooled")
        self.window.show_status("Every tab is back at the lecture's defaults.")

    # ------------------------------------------------------------------ files
    def capture(self, name: str, caption: str = "") -> Scene:
        states = {key: tab.scene_state() for key, tab in self._tabs().items()}
        return Scene(name=name, tab=self.window.current_tab().key, caption=caption, tabs=states)

    def folder(self) -> Path:
        base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
        return Path(base or Path.home()) / "scenes"

    def save_dialog(self) -> None:
        name, ok = QInputDialog.getText(self.window, "Save current as scene", "Scene name:")
        if not ok or not name.strip():
            return
        caption, ok = QInputDialog.getText(self.window, "Save current as scene", "One-line caption (optional):")
        if not ok:
            return
        start = str(self.folder() / f"{scenes.slugify(name) or 'scene'}.json")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save scene", start, "Fooling Lab scenes (*.json)")
        if not path:
            return
        try:
            scene = self.capture(name.strip(), caption.strip())
            written = scenes.save_scene(scene, path)
        except UserError as exc:
            self.window.show_error(str(exc))
            return
        self.window.show_status(f"Saved scene “{scene.name}” to {written}.")

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open scene", str(self.folder()),
                                              "Fooling Lab scenes (*.json);;All files (*)")
        if path:
            self.open_file(path)

    def open_file(self, path: str) -> list[str]:
        try:
            scene, problems = scenes.load_scene(path)
        except UserError as exc:
            self.window.show_error(str(exc))
            return [str(exc)]
        return problems + self.apply(scene)


def page_index(tab, title: str) -> int | None:
    """The index of a tab's page by (part of) its title, for scenes that name pages."""
    pages = getattr(tab, "pages", None)
    if not isinstance(pages, QTabWidget):
        return None
    wanted = title.casefold().replace("&", "")
    for i in range(pages.count()):
        if wanted in pages.tabText(i).casefold().replace("&", ""):
            return i
    return None
