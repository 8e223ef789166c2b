"""Inside the network: the layers, what their neurons respond to, why a classifier cannot draw a cat,
and DeepDream. Four pages share one picture and one model (the session)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget,
)

from core import imaging, models
from core.errors import UserError
from core.resources import resource_path

from ...widgets import style
from ..base import AppContext, LabTab
from .anatomy_page import AnatomyPage
from .class_page import ClassPage
from .common import Page
from .dream_page import DreamPage
from .neuron_page import NeuronPage
from .session import InsideSession

#: Jobs that Space stops; the feature-map preview is not one of them.
MAIN_KINDS = ("neuron", "gallery", "class", "dream")


class InsideTab(LabTab):
    key = "inside"
    title = "Inside the network"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.session = InsideSession(ctx.device, self)
        self._sink: Page | None = None
        self._build()
        self.runner.frame_ready.connect(self._frame)
        self.runner.running_changed.connect(self._running)
        self.runner.job_finished.connect(self._finished)
        self.runner.job_failed.connect(lambda _msg: self._finished())
        self.session.picture_changed.connect(self._picture_changed)
        self.session.stages_changed.connect(self._stages_changed)
        self._shown = False

    @property
    def presentation(self) -> bool:
        return self._presentation

    # ---------------------------------------------------------------- layout
    def _build(self) -> None:
        self.top_bar = QWidget()
        bar = QHBoxLayout(self.top_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        self.picture_combo = QComboBox()
        self.picture_combo.setMinimumContentsLength(14)
        for key, (title, _img) in self.session.pictures.items():
            self.picture_combo.addItem(title, key)
        self.picture_combo.setCurrentIndex(max(0, self.picture_combo.findData(self.session.picture_key)))
        self.picture_combo.currentIndexChanged.connect(
            lambda _i: self.session.choose_picture(self.picture_combo.currentData()))
        open_btn = QPushButton("Open photo…")
        open_btn.setToolTip("Or drag a photo onto the window")
        open_btn.clicked.connect(self._open_dialog)
        self.model_combo = QComboBox()
        self.refresh_models()
        self.model_combo.currentIndexChanged.connect(self._model_chosen)
        bar.addWidget(QLabel("Picture"))
        bar.addWidget(self.picture_combo)
        bar.addWidget(open_btn)
        bar.addSpacing(20)
        bar.addWidget(QLabel("Model"))
        bar.addWidget(self.model_combo, 1)

        self.pages = QTabWidget()
        self.anatomy = AnatomyPage(self)
        self.neuron = NeuronPage(self)
        self.cat = ClassPage(self)
        self.dream = DreamPage(self)
        self.page_list: list[Page] = [self.anatomy, self.neuron, self.cat, self.dream]
        for i, page in enumerate(self.page_list, 1):
            self.pages.addTab(page, f"{i} · {page.title}")
        self.pages.setStyleSheet(f"QTabBar {{ font-size: {style.BASE_FONT_PT + 2}pt; font-weight: bold; }}")
        self.pages.currentChanged.connect(lambda i: self.page_list[i].activated())
        self.set_pages(self.pages)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addWidget(self.top_bar)
        outer.addWidget(self.pages, 1)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            self.page_list[self.pages.currentIndex()].activated()

    def refresh_models(self) -> None:
        current = self.model_combo.currentData()
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        for row in models.describe_models():
            if row["dataset"] != "imagenet":
                continue
            self.model_combo.addItem(row["title"] if row["available"] else f"{row['title']} — not downloaded",
                                     row["name"])
            idx = self.model_combo.count() - 1
            self.model_combo.setItemData(idx, row["reason"], Qt.ItemDataRole.ToolTipRole)
            if not row["available"]:
                self.model_combo.model().item(idx).setEnabled(False)
        self.model_combo.setCurrentIndex(max(self.model_combo.findData(current or self.session.model_name), 0))
        self.model_combo.blockSignals(False)

    def _model_chosen(self) -> None:
        name = self.model_combo.currentData()
        if not name:
            return
        self.runner.stop()
        try:
            self.session.set_model(name)
            self.session.stages()
        except UserError as exc:
            self.ctx.error(str(exc))

    # ---------------------------------------------------------------- jobs
    @property
    def is_running(self) -> bool:
        return self.runner.kind in MAIN_KINDS

    def start(self) -> None:
        self.page_list[self.pages.currentIndex()].start()

    def stop(self) -> None:
        if self.is_running:
            self.runner.stop()

    def run(self, page: Page, factory, kind: str) -> None:
        """Start ``factory(cancel)`` for ``page``; a job already running is stopped first."""
        if self._sink is not None and self._sink is not page:
            self._sink.on_running(False)
        self._sink = page
        self.runner.start(factory, kind=kind)

    def _frame(self, frame) -> None:
        if self._sink is not None:
            self._sink.on_frame(frame)

    def _running(self, running: bool) -> None:
        if self._sink is not None:
            self._sink.on_running(running and self.runner.kind in MAIN_KINDS)

    def _finished(self) -> None:
        if self._sink is not None:
            self._sink.on_finished()

    # ---------------------------------------------------------------- pictures
    def _picture_changed(self) -> None:
        key = self.session.picture_key
        if self.picture_combo.findData(key) < 0:
            self.picture_combo.addItem(self.session.picture_title, key)
        self.picture_combo.blockSignals(True)
        self.picture_combo.setCurrentIndex(self.picture_combo.findData(key))
        self.picture_combo.blockSignals(False)
        for page in self.page_list:
            page.picture_changed()

    def _stages_changed(self) -> None:
        for page in self.page_list:
            page.stages_changed()

    def open_file(self, path: str) -> bool:
        try:
            self.session.open_file(path)
        except UserError as exc:
            self.ctx.error(str(exc))
            return True
        img = self.session.picture()
        self.ctx.status(f"Opened {Path(path).name} ({img.shape[1]}×{img.shape[0]}).")
        return True

    def receive_image(self, image: np.ndarray, label: str) -> None:
        self.session.add_picture(f"sent:{label}", f"From {label}", image)
        self.set_page(0)

    def set_presentation(self, on: bool) -> None:
        # Controls get their size from a style sheet: under the window's focus style sheet neither
        # the application font nor a parent's font reaches them.
        pt = style.PRESENTATION_FONT_PT if on else style.BASE_FONT_PT
        self.top_bar.setStyleSheet(f"font-size: {pt}pt;")
        self.pages.setStyleSheet(f"QTabBar {{ font-size: {pt + 2}pt; font-weight: bold; }}")
        super().set_presentation(on)

    def side_panel(self) -> QWidget | None:
        """The visible page's settings column, for the window's drawer (the anatomy page has none)."""
        page = self.page_list[self.pages.currentIndex()]
        return None if page is self.anatomy else page.side

    def set_side_panel_visible(self, visible: bool) -> None:
        for page in self.page_list:
            if page is not self.anatomy:
                page.side.setVisible(visible)

    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a photo", str(resource_path("samples")), imaging.OPEN_FILTER)
        if path:
            self.open_file(path)

    def save_result(self, path: str | None = None) -> bool:
        result = self.page_list[self.pages.currentIndex()].result()
        if result is None:
            self.ctx.status("Nothing to save on this page yet: run it first.")
            return False
        image, name = result
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save the picture", name, "PNG image (*.png)")
            if not path:
                return False
        try:
            saved = imaging.save_png(path, image)
        except UserError as exc:
            self.ctx.error(str(exc))
            return False
        self.ctx.status(f"Saved {saved} ({image.shape[1]}×{image.shape[0]}).")
        return True

    # ---------------------------------------------------------------- scenes
    def extra_state(self) -> dict:
        state = {"picture": self.session.picture_key if self.session.picture_key in self._samples() else "",
                 "model": self.session.model_name}
        for page in self.page_list:
            state.update(page.extra_state())
        return state

    def apply_extra_state(self, extra: dict) -> list[str]:
        problems: list[str] = []
        pic = extra.get("picture")
        if isinstance(pic, str) and pic:
            if pic in self.session.pictures:
                self.session.choose_picture(pic)
            else:
                problems.append(f"{self.title}: no picture “{pic}”")
        for page in self.page_list:
            problems += page.apply_extra_state(extra)
        return problems

    @staticmethod
    def _samples() -> set[str]:
        from core.resources import sample_images

        return set(sample_images())

