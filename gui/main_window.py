"""The main window: tabs, menus, presentation mode, status bar and settings.

Window-wide parts live beside it: keys (keyboard.py), scenes (scene_control.py), the status bar
per tab (tab_status.py), recording (recorder.py), files and drag-and-drop (file_actions.py).
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, QSize, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QLabel, QMainWindow, QMessageBox,
)

from core import runtime

from .drawer import PanelDrawer
from .file_actions import FileActions
from .keyboard import FocusRing, LectureKeys
from .presentation import ScreenBoundTabs, WindowView
from .recorder import Recorder
from .scene_control import SceneControl
from .tab_status import TabStatus
from .tabs import TAB_CLASSES
from .tabs.base import AppContext, LabTab
from .widgets import style
from .worker import JobRunner

log = logging.getLogger("fooling_lab.window")
#: How long quitting waits for a job's current step before leaving without it.
QUIT_WAIT_LIMIT_S = 300.0
class MainWindow(FileActions, WindowView, QMainWindow):
    def __init__(self, settings: QSettings | None = None, log_path: Path | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.log_path = log_path
        self.setWindowTitle("Fooling Lab — how neural networks are fooled")
        self.setAcceptDrops(True)
        self._presentation = False
        self._quit_state = ""  # "" running, "stopping" waiting for jobs, "ready" to close
        self._quit_started = 0.0
        self._quit_timer = QTimer(self)
        self._quit_timer.setInterval(50)
        self._quit_timer.timeout.connect(self._check_quit)
        #: Decodes dropped images and opens model files off the UI thread.
        self.loader = JobRunner(self)
        self.loader.frame_ready.connect(self._loaded)
        self.loader.job_failed.connect(self.show_error)
        device_pref = str(self.settings.value("device", "auto"))
        try:
            self.device = runtime.pick_device(device_pref)
        except ValueError:
            self.device = runtime.pick_device("auto")
        self.tabs = ScreenBoundTabs()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.status = TabStatus(self.statusBar(), lambda: self.current_tab().key if self.tabs.count() else "")
        # Each tab gets its own context, so its messages stay with it (see gui/tab_status.py).
        self.contexts: dict[str, AppContext] = {}
        self.tab_widgets: dict[str, LabTab] = {}
        for cls in TAB_CLASSES:
            ctx = AppContext(device=self.device,
                             status=lambda text, k=cls.key: self.status.post(k, text),
                             error=lambda text, k=cls.key: self._tab_error(k, text),
                             send_image=self.send_image)
            self.contexts[cls.key] = ctx
            tab = cls(ctx)
            self.tab_widgets[cls.key] = tab
            self.tabs.addTab(tab, cls.title)
        self.ctx = self.contexts[TAB_CLASSES[0].key]  # kept for code that asks the window for "the" context
        self.tabs.currentChanged.connect(lambda _i: self.status.tab_shown(self.current_tab().key))
        self.scenes = SceneControl(self)
        self.keys = LectureKeys(self, toggle=self.toggle_run, start=self.start_run, stop=self.stop_run,
                                step_scene=self.scenes.step,
                                close_list=lambda: self.set_scene_list_visible(False))
        QApplication.instance().installEventFilter(self.keys)
        self.focus_ring = FocusRing(self, style.ORANGE)

        self.drawer = PanelDrawer(self)
        self.device_label = QLabel()
        self.statusBar().addPermanentWidget(self.device_label)
        self._update_device_label()
        self._build_actions()
        self._restore()

    # ------------------------------------------------------------------ actions and menus
    def _action(self, text: str, slot, shortcut=None, tip: str = "", checkable: bool = False) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.setStatusTip(tip)
        act.setToolTip(tip)
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        self.addAction(act)  # shortcuts work even in full screen, where the menu bar is hidden
        return act

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self._action("&Open image…", self.open_dialog, QKeySequence.StandardKey.Open,
                                         "Open a photo (or drag one onto the window)"))
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addAction(self._action("Open &model file…", self.open_model_dialog, None,
                                         "Load your own classifier (.safetensors or a state dict; TorchScript only if you trust it)"))
        file_menu.addAction(self._action("&Save result…", self.save_result, QKeySequence.StandardKey.Save,
                                         "Save what the current tab produced as a PNG"))
        file_menu.addSeparator()
        self.quit_action = self._action("&Quit", self.close, QKeySequence("Ctrl+Q"), "Quit Fooling Lab")
        file_menu.addAction(self.quit_action)

        run_menu = bar.addMenu("&Run")
        # Space and Esc are handled by gui/keyboard.py (from any field); the menu only shows them.
        self.run_action = self._action("Run / stop\tSpace", self.toggle_run, None,
                                       "Start the current tab's demo, or stop it (Space, from any field)")
        self.stop_action = self._action("Stop\tEsc", self.stop_run, None,
                                        "Stop the current tab's demo after its current step (Esc)")
        run_menu.addAction(self.run_action)
        run_menu.addAction(self.stop_action)
        run_menu.addSeparator()
        self.recorder = Recorder(self)
        run_menu.addAction(self.recorder.action)

        view = bar.addMenu("&View")
        self.presentation_action = self._action("&Presentation mode", self.toggle_presentation,
                                                QKeySequence(Qt.Key.Key_F11),
                                                "Full screen with larger text, for a lecture hall",
                                                checkable=True)
        self.captions_action = self._action("Lecture &captions", self.set_captions, QKeySequence("Ctrl+L"),
                                            "Show or hide the plain-words captions", checkable=True)
        self.captions_action.setChecked(True)
        view.addAction(self.presentation_action)
        view.addAction(self.captions_action)
        for i in range(min(len(self.tab_widgets), 9)):
            view.addAction(self._action(f"Tab {i + 1}: {self.tabs.tabText(i)}",
                                        lambda _=False, i=i: self.tabs.setCurrentIndex(i), QKeySequence(f"Ctrl+{i + 1}")))
        device_menu = view.addMenu("Compute &device")
        group = QActionGroup(self)
        for dev in runtime.available_devices():
            act = QAction({"cuda": "NVIDIA GPU (CUDA)", "mps": "Apple GPU (MPS)", "cpu": "CPU"}[dev], self)
            act.setCheckable(True)
            act.setChecked(dev == self.device.type)
            act.triggered.connect(lambda _=False, d=dev: self.set_device(d))
            group.addAction(act)
            device_menu.addAction(act)

        self.panel_action = self._action("Settings &panel", self.set_side_panels_visible, QKeySequence("Ctrl+H"),
                                         "Show or hide each tab's settings panel (hide it to give a slide "
                                         "the whole screen)", checkable=True)
        self.panel_action.setChecked(True)
        view.addAction(self.panel_action)
        self.scenes.build_menu(bar.addMenu("&Scenes"))

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("Open &log folder", self.open_log_folder, None,
                                         "Where Fooling Lab writes details of internal errors"))
        help_menu.addAction(self._action("&About Fooling Lab", self.about, None, ""))
        self._rebuild_recent()

    # ------------------------------------------------------------------ context for tabs
    def show_status(self, text: str) -> None:
        """A message about the visible tab (it goes when another tab is shown)."""
        self.status.post(None, text)

    def show_error(self, text: str) -> None:
        """A user error: one sentence in the status bar, highlighted; the last good result stays."""
        self.status.post(None, text, error=True)
        log.info("user error: %s", text)

    def _tab_error(self, key: str, text: str) -> None:
        self.status.post(key, text, error=True)
        log.info("user error in %s: %s", key, text)

    def send_image(self, key: str, image: np.ndarray, label: str) -> None:
        tab = self.tab_widgets.get(key)
        if tab is None:
            self.show_error("That tab is not part of this version of Fooling Lab.")
            return
        self.tabs.setCurrentWidget(tab)
        tab.receive_image(image, label)
        self.show_status(f"Sent the image from {label} to the {tab.title} tab.")

    def current_tab(self) -> LabTab:
        return self.tabs.currentWidget()

    # ------------------------------------------------------------------ running
    def toggle_run(self) -> None:
        self.current_tab().toggle()

    def start_run(self) -> None:
        """Start the current tab's demo unless it already runs (Enter in a field)."""
        tab = self.current_tab()
        if not tab.is_running:
            tab.start()

    def stop_run(self) -> None:
        self.current_tab().stop()

    def set_device(self, dev: str) -> None:
        self.device = runtime.pick_device(dev)
        for ctx in self.contexts.values():
            ctx.device = self.device
        self.settings.setValue("device", dev)
        self._update_device_label()
        self.show_status(f"Computing on {runtime.describe_device(self.device)} from the next run on.")

    def _update_device_label(self) -> None:
        self.device_label.setText(f"  {runtime.describe_device(self.device)}  ")

    # ------------------------------------------------------------------ view (more in gui/presentation.py)
    def set_captions(self, visible: bool) -> None:
        for tab in self.tab_widgets.values():
            tab.set_captions_visible(visible)

    def open_log_folder(self) -> None:
        if self.log_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_path.parent)))

    def about(self) -> None:
        QMessageBox.about(self, "About Fooling Lab",
                          "<h3>Fooling Lab</h3><p>Watch a neural network being fooled: by gradient ascent, "
                          "by evolution, off the data manifold — and caught by an autoencoder.</p>"
                          f"<p>Computing on {runtime.describe_device(self.device)}.</p>")

    # ------------------------------------------------------------------ settings and closing
    def _restore(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
            self.fit_to_screen()
        else:
            self.fit_to_screen(QSize(1600, 1000))
        captions = str(self.settings.value("captions", "true")).lower() == "true"
        self.captions_action.setChecked(captions)
        self.set_captions(captions)
        for key, tab in self.tab_widgets.items():
            self.settings.beginGroup(key)
            try:
                tab.restore_settings(self.settings)
            finally:
                self.settings.endGroup()
        try:
            self.tabs.setCurrentIndex(int(self.settings.value("tab", 0)))
        except (TypeError, ValueError):
            pass

    def _save(self) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("tab", self.tabs.currentIndex())
        self.settings.setValue("captions", self.captions_action.isChecked())
        for key, tab in self.tab_widgets.items():
            self.settings.beginGroup(key)
            try:
                tab.save_settings(self.settings)
            finally:
                self.settings.endGroup()
        self.settings.sync()

    def select_tab(self, key: str) -> bool:
        tab = self.tab_widgets.get(key)
        if tab is not None:
            self.tabs.setCurrentWidget(tab)
        return tab is not None

    def shutdown(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.keys)
        self.recorder.shutdown()
        for tab in self.tab_widgets.values():
            tab.shutdown()
        self.loader.shutdown()

    def _runners(self) -> list[JobRunner]:
        return self.findChildren(JobRunner)

    def pending_jobs(self) -> int:
        """Job threads (of every tab, and the file loader) that have not ended yet."""
        return sum(r.pending_threads() for r in self._runners())

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Quitting asks every job to stop, then waits with the event loop alive: never an abort.

        A long step (a large generation, a slow model) may take seconds to reach its next check for
        Stop; meanwhile the window stays responsive and says "Stopping…". Only when every job
        thread has ended does the window really close, so the process always exits 0.
        """
        if self._quit_state == "ready":
            event.accept()
            return
        event.ignore()
        if self._quit_state == "stopping":
            return  # a second Ctrl+Q while waiting: keep waiting
        self._quit_state = "stopping"
        if self._presentation:
            self.showNormal()
        try:
            self._save()
        except Exception:  # noqa: BLE001 - never let a settings problem block quitting
            log.exception("saving settings failed")
        for runner in self._runners():
            runner.request_stop()
        self._quit_started = time.monotonic()
        if self.pending_jobs():
            self.statusBar().showMessage("Stopping… (waiting for the current step to finish, then quitting)")
            self.setEnabled(False)
        self._quit_timer.start()
        self._check_quit()

    def _check_quit(self) -> None:
        if self.pending_jobs():
            waited = time.monotonic() - self._quit_started
            if waited > QUIT_WAIT_LIMIT_S:
                # A step that never ends: settings are saved, nothing is left to lose. Leave without
                # running any destructor (which would abort on the running thread): status 0.
                log.error("a job did not stop within %.0f s of quitting; leaving without it", waited)
                logging.shutdown()
                os._exit(0)
            return
        self._quit_timer.stop()
        self._quit_state = "ready"
        self.shutdown()
        QTimer.singleShot(0, self, self.close)  # not from inside closeEvent: Qt ignores a nested close()
