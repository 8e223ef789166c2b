"""What every tab shares: a job runner, a context to talk to the window, lecture captions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QTabWidget, QWidget

from ..settings import load_params, save_params
from ..widgets import style
from ..widgets.param_form import ParamForm
from ..worker import JobRunner


@dataclass
class AppContext:
    """What a tab may ask of the window. The window fills it in; tests may pass their own."""

    device: torch.device
    status: Callable[[str], None]
    error: Callable[[str], None]
    send_image: Callable[[str, np.ndarray, str], None]


class LabTab(QWidget):
    """Base of every tab. Subclasses set ``key`` and ``title`` and override what they support."""

    key = ""
    title = ""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = JobRunner(self)
        self.runner.job_failed.connect(self.ctx.error)
        self._captions: list[QLabel] = []
        self._captions_visible = True
        self._presentation = False
        self.forms: dict[str, ParamForm] = {}
        self.pages: QTabWidget | QStackedWidget | None = None

    # -- running
    @property
    def is_running(self) -> bool:
        return self.runner.is_running

    def start(self) -> None:
        """Start the tab's main job (Space)."""

    def stop(self) -> None:
        """Stop the tab's job after its current step (Esc)."""
        self.runner.stop()

    def toggle(self) -> None:
        if self.is_running:
            self.stop()
        else:
            self.start()

    def make_run_button(self, text: str = "Run  (Space)", slot: Callable[[], None] | None = None) -> QPushButton:
        """The tab's big button: large bold text; a click starts and stops the job (``slot``, by
        default what Space does)."""
        button = QPushButton(text)
        button.setMinimumHeight(46)
        font = button.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        button.setFont(font)
        button.clicked.connect(slot or self.toggle)
        return button

    # -- input from outside
    def open_file(self, path: str) -> bool:
        """Open a dropped or chosen file; False if this tab takes no files."""
        return False

    def receive_image(self, image: np.ndarray, label: str) -> None:
        """An image handed over by another tab."""

    def save_result(self) -> bool:
        """File ▸ Save: save what the tab shows; False if there is nothing to save."""
        return False

    # -- parameters, settings and scenes (generic over the registered forms)
    def add_form(self, name: str, form: ParamForm) -> ParamForm:
        """Register a parameter form: it is then saved, restored and part of every scene."""
        if name in self.forms:
            raise ValueError(f"a form named {name!r} is already registered")
        self.forms[name] = form
        form.problem_changed.connect(lambda text: text and self.ctx.error(text))
        return form

    def set_pages(self, pages: QTabWidget | QStackedWidget) -> None:
        """The widget whose current index is the visible page (kept in settings and scenes)."""
        self.pages = pages

    @property
    def page(self) -> int:
        return self.pages.currentIndex() if self.pages is not None else 0

    def set_page(self, index: int) -> None:
        if self.pages is not None and 0 <= index < self.pages.count():
            self.pages.setCurrentIndex(index)

    def scene_state(self) -> dict[str, Any]:
        """Everything a scene stores of this tab: each form's parameters, the page, extras."""
        state: dict[str, Any] = {"page": self.page,
                                 "params": {name: form.params().to_dict() for name, form in self.forms.items()}}
        extra = self.extra_state()
        if extra:
            state["extra"] = extra
        return state

    def apply_scene_state(self, state: dict[str, Any]) -> list[str]:
        """Show a scene's state; returns the problems met (a bad value keeps the current one)."""
        problems: list[str] = []
        if not isinstance(state, dict):
            return [f"the {self.title} tab's scene state is not a JSON object"]
        params = state.get("params", {})
        if not isinstance(params, dict):
            params = {}
            problems.append(f"{self.title}: “params” is not a JSON object")
        for name in params:
            if name not in self.forms:
                problems.append(f"{self.title}: unknown settings group “{name}” ignored")
        for name, form in self.forms.items():
            if name in params:
                try:
                    current = form.params()
                except Exception:  # noqa: BLE001 - an invalid edit in progress: start from the defaults
                    current = form.cls()
                value, more = form.cls.from_dict(params[name], strict=False, base=current)
                problems += [f"{self.title}: {p}" for p in more]
                form.set_params(value)
                self.params_applied(name, value)
        page = state.get("page", self.page)
        if isinstance(page, int) and not isinstance(page, bool):
            self.set_page(page)
        else:
            problems.append(f"{self.title}: the page must be a number")
        extra = state.get("extra")
        if isinstance(extra, dict):
            problems += self.apply_extra_state(extra)
        return problems

    def reset_to_defaults(self) -> None:
        """The lecture's defaults for every form, and the first page. A job still running is
        discarded: its final frame belongs to the settings being replaced and must not land on
        the new ones (e.g. a half-trained model installed under the next scene)."""
        self.runner.discard()
        for name, form in self.forms.items():
            form.set_params(form.cls())
            self.params_applied(name, form.cls())
        self.set_page(0)

    def params_applied(self, name: str, params: Any) -> None:
        """Called after a form's parameters were set from outside (settings, scene, reset)."""

    def extra_state(self) -> dict[str, Any]:
        """State of the tab that is not in a form (e.g. the chosen picture), as plain JSON."""
        return {}

    def apply_extra_state(self, extra: dict[str, Any]) -> list[str]:
        """Apply :meth:`extra_state`'s JSON; returns problems."""
        return []

    def save_settings(self, settings: QSettings) -> None:
        """Store the tab's parameters (the window has already called beginGroup(key))."""
        for name, form in self.forms.items():
            try:
                save_params(settings, name, form.params())
            except Exception:  # noqa: BLE001 - an invalid edit is simply not stored
                pass
        settings.setValue("page", self.page)

    def restore_settings(self, settings: QSettings) -> None:
        """Restore what :meth:`save_settings` stored; a bad value falls back alone."""
        for name, form in self.forms.items():
            params, _problems = load_params(settings, name, form.cls)
            form.set_params(params)
            self.params_applied(name, params)
        try:
            self.set_page(int(settings.value("page", 0)))
        except (TypeError, ValueError):
            pass

    def shutdown(self) -> None:
        """Stop every job this tab runs and wait for it (called when the window closes)."""
        self.runner.shutdown()

    # -- lecture text and presentation mode
    def make_caption(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setObjectName("caption")
        label.setVisible(self._captions_visible)
        self._captions.append(label)
        self._style_caption(label)
        return label

    def _style_caption(self, label: QLabel) -> None:
        font = QFont(label.font())
        pt = style.PRESENTATION_FONT_PT if self._presentation else style.BASE_FONT_PT
        font.setPointSizeF(pt * style.CAPTION_SCALE)
        label.setFont(font)
        label.setStyleSheet("QLabel#caption { color: #222; background: #FFF8E1; padding: 6px 10px;"
                            " border-left: 5px solid #E69F00; }")

    def set_captions_visible(self, visible: bool) -> None:
        self._captions_visible = visible
        for label in self._captions:
            label.setVisible(visible)

    def set_presentation(self, on: bool) -> None:
        """Larger fonts for a lecture hall; subclasses also resize their plots."""
        self._presentation = on
        for label in self._captions:
            self._style_caption(label)
        for child in self.findChildren(QWidget):
            if child is not self and hasattr(child, "set_presentation"):
                child.set_presentation(on)
