"""The gradient-ascent tab: an image morphed live until the classifier sees the chosen class.

Wiring only: the session holds the state, the controls edit it, the views draw it, the runner
runs the one-step preview ("preview") and the attack ("attack").
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QWidget

from core import imaging, models, whitebox
from core.errors import UserError
from core.readable import percent
from core.resources import resource_path

from ...widgets import save_png_as, style
from ..base import AppContext, LabTab
from .controls import SIDE_WIDTH, WhiteboxControls
from .session import DEFAULT_INPUT, NOISE, WhiteboxSession
from .views import WhiteboxViews, caption_text


class WhiteboxTab(LabTab):
    key = "whitebox"
    title = "Gradient ascent"

    #: Emitted with the saved file's path.
    result_saved = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.session = WhiteboxSession(self)
        self.controls = WhiteboxControls(self.session, self.make_run_button())
        self.views = WhiteboxViews(self.make_caption(""))
        layout = QHBoxLayout(self)
        layout.addWidget(self.controls)
        layout.addWidget(self.views, 1)
        self.add_form("attack", self.controls.attack_form)
        self.add_form("fit", self.controls.fit_form)

        c, s = self.controls, self.session
        c.input_chosen.connect(self._choose_input)
        c.open_requested.connect(self._open_dialog)
        c.model_chooser.model_changed.connect(s.set_model)
        c.target_field.target_changed.connect(s.set_target)
        c.fit_form.params_changed.connect(lambda p: s.set_fit(p.fit))
        c.attack_form.params_changed.connect(self._attack_params_changed)
        c.save_button.clicked.connect(lambda: self.save_result())
        c.send_button.clicked.connect(self._send)
        s.picture_changed.connect(lambda _p: self._input_changed())
        s.kept_changed.connect(lambda: c.refresh_inputs(s.picture.key if s.picture else None))
        s.fit_changed.connect(lambda _f: self._input_changed())
        s.model_changed.connect(lambda _m: self._input_changed())
        s.target_changed.connect(lambda _t: self._update_headline())
        self.runner.frame_ready.connect(self._show_frame)
        self.runner.running_changed.connect(self._running_changed)
        self.runner.job_finished.connect(self._job_finished)

        s.set_model(c.model_chooser.model_name)
        s.set_target(c.target_field.target_index())
        self._update_caption()
        self._choose_input(c.input_combo.currentData() or DEFAULT_INPUT)

    # ------------------------------------------------------------------ public read-outs
    @property
    def input_combo(self):
        return self.controls.input_combo

    @property
    def target_edit(self):
        return self.controls.target_field.edit

    @property
    def run_button(self):
        return self.controls.run_button

    @property
    def headline(self):
        return self.views.headline

    @property
    def readout(self):
        return self.views.readout

    @property
    def original_view(self):
        return self.views.original_view

    @property
    def curve(self):
        return self.views.curve

    @property
    def last_frame(self) -> whitebox.WhiteboxFrame | None:
        """The newest frame on screen (None until the preview arrives)."""
        return self.session.frame

    @property
    def caption(self):
        return self.views.caption

    def attack_params(self) -> whitebox.AttackParams:
        return self.controls.attack_form.params()

    def refresh_models(self) -> None:
        self.controls.model_chooser.refresh()

    def set_presentation(self, on: bool) -> None:
        super().set_presentation(on)
        # the panel grows with the presentation font, which the window scales to the screen's height
        self.controls.set_width(round(SIDE_WIDTH * style.PRESENTATION_FONT_PT / style.BASE_FONT_PT) if on
                                else SIDE_WIDTH)

    # ------------------------------------------------------------------ input, model, target
    def _choose_input(self, key: str) -> None:
        try:
            self.session.choose(key)
        except KeyError:
            self.session.choose(DEFAULT_INPUT)
        except UserError as exc:
            self.ctx.error(str(exc))

    def _input_changed(self) -> None:
        """A new picture, fit or model: show what the network sees and ask it (one forward pass)."""
        if self.runner.kind == "attack":
            self.runner.stop()
        pic = self.session.picture
        if pic is not None:
            self.controls.select_input(pic.key)
        img = self.session.fitted_input()
        if img is None:
            return
        self.views.show_input(img)
        self.views.headline.setText("")
        self.views.readout.setText("")
        self.controls.set_result_available(False)
        self._update_caption()
        self._preview()

    def _update_caption(self) -> None:
        pic = self.session.picture
        try:
            eps = self.attack_params().eps
        except UserError:
            eps = whitebox.AttackParams().eps
        self.views.caption.setText(caption_text(pic.kind if pic else "photo", eps, pic.name if pic else ""))

    def _attack_params_changed(self, params: whitebox.AttackParams) -> None:
        self._update_caption()
        if not self.runner.kind == "attack" and not self.session.has_result:
            self.views.set_step_budget(params.steps if params.method != "fgsm" else 1)

    def params_applied(self, name: str, params: Any) -> None:
        if name == "fit":
            self.session.set_fit(params.fit)
        elif name == "attack":
            self._attack_params_changed(params)

    def _preview(self) -> None:
        """Show the untouched picture and what the network makes of it (one forward pass)."""
        img = self.session.fitted_input()
        if img is None:
            return
        target = self.session.target or 0
        name, device = self.session.model_name, self.ctx.device

        def job(cancel):
            clf = models.load_classifier(name, device)
            yield from itertools.islice(whitebox.attack_job(clf, img, target, whitebox.AttackParams(steps=1),
                                                            cancel=cancel), 1)

        self.runner.start(job, kind="preview")

    def _update_headline(self) -> None:
        s, f = self.session, self.session.frame
        if f is None:
            return
        running = self.runner.kind == "attack"
        target = f.target if running else s.target
        prob = f.target_prob if running else s.target_probability()
        self.views.show_headline(s.labels, f.top_indices[0], f.top_probs[0], target, prob)

    # ------------------------------------------------------------------ running
    @property
    def is_running(self) -> bool:
        """Only the attack counts: the one-step preview must never make Space mean "stop"."""
        return self.runner.kind == "attack"

    def stop(self) -> None:
        if self.runner.kind == "attack":
            self.runner.stop()

    def start(self) -> None:
        img = self.session.fitted_input()
        if img is None:
            self.ctx.error("Choose a picture first.")
            return
        target = self.session.target
        if target is None:
            self.ctx.error(f"“{self.target_edit.text()}” is not a class name; pick one from the list.")
            return
        try:
            params = self.attack_params()
        except UserError as exc:
            self.ctx.error(str(exc))
            return
        name, device = self.session.model_name, self.ctx.device
        self.views.clear_plots()
        self.views.set_step_budget(params.steps if params.method != "fgsm" else 1)

        def job(cancel):
            clf = models.load_classifier(name, device)
            yield from whitebox.attack_job(clf, img, target, params, cancel=cancel)

        self.ctx.status(f"Fooling the network into “{self.session.labels[target]}”…")
        self.runner.start(job, kind="attack")

    def _running_changed(self, _running: bool) -> None:
        self.run_button.setText("Stop  (Space)" if self.runner.kind == "attack" else "Run  (Space)")

    def _job_finished(self) -> None:
        self.run_button.setText("Run  (Space)")
        f = self.session.frame
        if f is not None and f.step > 0 and f.done:
            target = f"“{self.session.labels[f.target]}” at {percent(f.target_prob)}"
            if f.reached:
                head = f"Done: {target}, the goal, after {f.step} steps"
            elif f.step < f.total:  # Stop pressed: say so, and that the image is the best one found
                head = f"Stopped after {f.step} of {f.total} steps: {target} at best"
            else:
                head = f"Done, all {f.total} steps: {target} at best"
            self.ctx.status(f"{head}, L∞ = {f.linf_255:.0f}/255. Save it with Ctrl+S.")
        self._update_headline()

    def _show_frame(self, f: whitebox.WhiteboxFrame) -> None:
        running = self.runner.kind == "attack" or f.step > 0
        self.session.set_frame(f)
        labels = self.session.labels
        self.views.show_frame(f, labels, running=running)
        self._update_headline()
        if f.step == 0:
            self.views.readout.setText(f"The network sees “{labels[f.original_class]}” "
                                       f"({percent(f.original_start_prob)}). Press Space to fool it.")
        else:
            # after a stop the picture is the best one found, not necessarily the last step's
            shown = (f"best image: step {f.image_step} of {f.step}" if f.image_step != f.step
                     else f"step {f.step}/{f.total}")
            self.views.readout.setText(
                f"{shown} · L∞ {f.linf_255:.0f}/255 · L2 {f.l2:.2f} · {f.steps_per_second:.1f} steps/s")
        self.controls.set_result_available(f.step > 0)

    # ------------------------------------------------------------------ files
    def open_file(self, path: str) -> bool:
        try:
            image = imaging.load_image(path)
        except UserError as exc:
            self.ctx.error(str(exc))
            return True
        self.session.add_file(path, image)
        self.ctx.status(f"Opened {Path(path).name} ({image.shape[1]}×{image.shape[0]}).")
        return True

    def receive_image(self, image: np.ndarray, label: str) -> None:
        self.session.add_sent(np.ascontiguousarray(image, dtype=np.uint8), label)

    def _open_dialog(self) -> None:
        # the bundled photos first, not wherever the app was started from
        path, _ = QFileDialog.getOpenFileName(self, "Open an image", str(resource_path("samples")), imaging.OPEN_FILTER)
        if path:
            self.open_file(path)

    def default_save_name(self) -> str:
        return self.session.default_save_name()

    def save_result(self, path: str | None = None) -> bool:
        f = self.session.frame
        if f is None or f.step == 0:
            self.ctx.status("Nothing to save yet: run the attack first.")
            return False
        try:
            saved = save_png_as(self, f.image, self.default_save_name(), title="Save the adversarial image",
                                path=path)
        except UserError as exc:
            self.ctx.error(str(exc))
            return False
        if saved is None:
            return False
        self.ctx.status(f"Saved {saved} ({f.image.shape[1]}×{f.image.shape[0]}, the model's input size).")
        self.result_saved.emit(str(saved))
        return True

    def _send(self) -> None:
        f = self.session.frame
        if f is not None:
            self.ctx.send_image("autoencoder", f.image, f"gradient ascent ({self.session.labels[f.target]})")

    # ------------------------------------------------------------------ settings and scenes
    def reset_to_defaults(self) -> None:
        """The lecture's defaults: the forms, then the elephant, "tiger shark" and the default model."""
        super().reset_to_defaults()
        self.apply_extra_state({"model": models.DEFAULT_MODEL, "target": "tiger shark", "input": DEFAULT_INPUT})

    def extra_state(self) -> dict[str, Any]:
        pic = self.session.picture
        key = pic.key if pic is not None and (pic.kind == "noise" or pic.key in self.session.sample_keys()) else ""
        return {"model": self.session.model_name, "target": self.target_edit.text(), "input": key}

    def apply_extra_state(self, extra: dict[str, Any]) -> list[str]:
        problems = []
        model = extra.get("model")
        if isinstance(model, str) and model and not self.controls.model_chooser.set_model(model):
            problems.append(f"{self.title}: model “{model}” is not available here")
        target = extra.get("target")
        if isinstance(target, str):
            self.target_edit.setText(target)
        key = extra.get("input")
        if isinstance(key, str) and key:
            if key == NOISE or key in self.session.sample_keys():
                self._choose_input(key)
            else:
                problems.append(f"{self.title}: no picture called “{key}”")
        return problems

    def save_settings(self, settings: QSettings) -> None:
        super().save_settings(settings)
        for k, v in self.extra_state().items():
            settings.setValue(k, v)

    def restore_settings(self, settings: QSettings) -> None:
        super().restore_settings(settings)
        extra = {k: settings.value(k) for k in ("model", "target", "input") if settings.contains(k)}
        self.apply_extra_state({k: v for k, v in extra.items() if isinstance(v, str)})
