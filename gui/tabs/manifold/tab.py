"""The Manifold tab: three pages over one trained toy.

The toy (drag a point, see the smallest fooling step next to the walk along the curve), the
dimension experiment (the same curve in D dimensions, one point per D), and random images (what
real classifiers call noise). All maths is in ``core.manifold`` and ``core.random_images``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from core import manifold

from ...widgets import style
from ...worker import JobRunner
from ..base import AppContext, LabTab
from . import random_page, sweep_page, toy_page
from .random_page import RandomPage
from .session import ToySession
from .sweep_page import SweepPage
from .toy_page import ToyPage


class ManifoldTab(LabTab):
    key = "manifold"
    title = "Manifold"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.session = ToySession(self)
        self.sweep_runner = JobRunner(self)
        self.random_runner = JobRunner(self)
        for runner in (self.sweep_runner, self.random_runner):
            runner.job_failed.connect(self.ctx.error)
        self.toy_page = ToyPage(self.session, self.runner, self.make_caption(toy_page.CAPTION), self.report)
        self.sweep_page = SweepPage(self.sweep_runner, self.make_caption(sweep_page.CAPTION),
                                    self.toy_page.params, self.report)
        self.random_page = RandomPage(self.random_runner, self.make_caption(random_page.CAPTION),
                                      lambda: self.ctx.device)
        self.pages = QTabWidget()
        self.pages.addTab(self.toy_page, "The curve (2-D)")
        self.pages.addTab(self.sweep_page, "Many dimensions")
        self.pages.addTab(self.random_page, "Random images")
        self.set_pages(self.pages)
        self.add_form("toy", self.toy_page.form)
        self.add_form("sweep", self.sweep_page.form)
        self._style_page_tabs()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.pages)

    # ------------------------------------------------------------------ messages
    def report(self, text: str, error: bool = False) -> None:
        """A message of this tab, through the tab's own context: the window shows it while this tab
        is shown (gui/tab_status.py); the pages keep their own read-outs as well."""
        if error:
            self.ctx.error(text)
        else:
            self.ctx.status(text)

    # ------------------------------------------------------------------ running
    @property
    def is_running(self) -> bool:
        return any(r.is_running for r in (self.runner, self.sweep_runner, self.random_runner))

    def start(self) -> None:
        page = self.pages.currentWidget()
        if page is self.toy_page:
            self.toy_page.retrain()
        elif page is self.sweep_page:
            self.sweep_page.run()
        else:
            self.random_page.draw()

    def stop(self) -> None:
        for runner in (self.runner, self.sweep_runner, self.random_runner):
            runner.stop()

    # ------------------------------------------------------------------ settings and scenes
    def params_applied(self, name: str, params: Any) -> None:
        if name == "toy":
            self.session.clear_point()
            self.toy_page.retrain_soon()

    def toy_params(self) -> manifold.ToyParams:
        return self.toy_page.params()

    def sweep_params(self) -> manifold.SweepParams:
        return self.sweep_page.params()

    def set_side_panel_visible(self, visible: bool) -> None:
        """View ▸ Settings panel (Ctrl+H): the toy's settings, as its Settings button does."""
        self.toy_page.settings_button.setChecked(visible)

    def _style_page_tabs(self) -> None:
        # a style sheet, not setFont: under the window's style sheet a tab bar keeps the app's font
        pt = round((style.PRESENTATION_FONT_PT if self._presentation else style.BASE_FONT_PT) * 1.15)
        self.pages.setStyleSheet(f"QTabBar::tab {{ font-size: {pt}pt; }}")

    def set_presentation(self, on: bool) -> None:
        super().set_presentation(on)
        self._style_page_tabs()

    def shutdown(self) -> None:
        self.session.stop()
        self.toy_page.shutdown()
        self.sweep_runner.shutdown()
        self.random_runner.shutdown()
        super().shutdown()
