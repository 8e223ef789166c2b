"""Page 3: “we cannot draw a cat” — a class's score climbed from noise, without and with regularisers."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QFormLayout, QGroupBox, QGridLayout, QLabel, QLineEdit

from core import classvis, featurevis, models
from core.errors import UserError
from core.readable import percent

from ...widgets import CurvePlot, ImagePanel, style
from ...widgets.param_form import ParamForm
from .common import Page, run_text

CAPTION = ("Can the classifier <b>draw</b> a cat? We start from noise and climb the score of one class. "
           "<b>Left</b>, with no regulariser: noise that the network calls the class with near certainty "
           "— the fooling image again. <b>Right</b>, with regularisers: textures and parts of the class, "
           "still no cat. Telling classes apart teaches the network little about what they look like.")
FORM_FIELDS = ("steps", "size", "fourier", "decorrelate", "transforms", "smooth", "l2")


class ClassPage(Page):
    title = "We cannot draw a cat"
    kinds = ("class",)

    def __init__(self, tab) -> None:
        super().__init__(tab, CAPTION)
        box = QGroupBox("Class")
        form = QFormLayout(box)
        self.class_edit = QLineEdit("Egyptian cat")
        self.class_edit.setPlaceholderText("type a class name, e.g. cat")
        labels = models.imagenet_labels()
        completer = QCompleter(QStringListModel(list(labels), self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.class_edit.setCompleter(completer)
        self.class_edit.textChanged.connect(self._class_changed)
        self.class_info = QLabel()
        self.class_info.setWordWrap(True)
        form.addRow("Class", self.class_edit)
        form.addRow("", self.class_info)
        self.controls.addWidget(box)
        self.form = self.add_form_box("Right picture: regularisers", "classvis",
                                      ParamForm(featurevis.VisParams, FORM_FIELDS))
        self.form.set_params(featurevis.VisParams(steps=160))
        self.finish_controls()

        self.plain_view = ImagePanel("No regulariser")
        self.reg_view = ImagePanel("With regularisers")
        self.plain_text = self.readout(1.7, bold=True)
        self.reg_text = self.readout(1.7, bold=True)
        self.curve = CurvePlot("Probability of the class versus step", x_label="step", y_label="probability")
        self.curve.add_curve("plain", "no regulariser", style.VERMILLION)
        self.curve.add_curve("reg", "with regularisers", style.BLUE, dashed=True)
        self.curve.setYRange(0, 1, padding=0.02)
        self.curve.setMinimumHeight(150)
        self.detail = self.readout(1.1)
        grid = QGridLayout()
        grid.addWidget(self.plain_view, 0, 0)
        grid.addWidget(self.reg_view, 0, 1)
        grid.addWidget(self.plain_text, 1, 0)
        grid.addWidget(self.reg_text, 1, 1)
        grid.setRowStretch(0, 1)
        self.views.addLayout(grid, 3)
        self.views.addWidget(self.curve, 1)
        self.views.addWidget(self.detail)
        self._last: classvis.ClassFrame | None = None
        self._class_changed()

    def _target(self) -> int | None:
        try:
            return models.resolve_class(models.imagenet_labels(), self.class_edit.text())
        except UserError:
            return None

    def _class_changed(self) -> None:
        labels = models.imagenet_labels()
        idx = self._target()
        if idx is not None:
            self.class_info.setText(f"→ class {idx}: <b>{labels[idx]}</b>")
        else:
            hits = models.find_classes(labels, self.class_edit.text(), limit=4)
            self.class_info.setText("did you mean: " + ", ".join(labels[i] for i in hits) if hits
                                    else "<span style='color:#D55E00'>no such class</span>")

    def start(self) -> None:
        target = self._target()
        if target is None:
            self.tab.ctx.error(f"“{self.class_edit.text()}” is not a class name; pick one from the list.")
            return
        try:
            params = self.form.params()
        except UserError as exc:
            self.tab.ctx.error(str(exc))
            return
        clf = self.session.classifier()
        self.curve.clear_data()
        self.curve.setXRange(0, params.steps, padding=0.02)
        self.tab.ctx.status(f"Drawing “{clf.labels[target]}” from noise, without and with regularisers…")
        self.tab.run(self, lambda cancel: classvis.class_job(clf, target, params, cancel=cancel), "class")

    def on_running(self, running: bool) -> None:
        self.run_button.setText(run_text(running))

    def on_finished(self) -> None:
        f = self._last
        if f is not None and f.done:
            name = models.imagenet_labels()[f.target]
            self.tab.ctx.status(f"Done after {f.step} steps: “{name}” {percent(f.probs[0])} without, "
                                f"{percent(f.probs[1])} with regularisers.")

    def on_frame(self, f: classvis.ClassFrame) -> None:
        self._last = f
        labels = models.imagenet_labels()
        name = labels[f.target]
        self.plain_view.set_image(f.plain)
        self.reg_view.set_image(f.regularised)
        for label, prob, top in ((self.plain_text, f.probs[0], f.top[0]), (self.reg_text, f.probs[1], f.top[1])):
            text = f"“{name}” <span style='color:{style.TARGET_COLOR}'>{percent(prob)}</span>"
            if top[0] != f.target:
                text += f"<br><span style='font-weight:normal'>sees “{labels[top[0]]}” {percent(top[1])}</span>"
            label.setText(text)
        steps = np.arange(1, len(f.history) + 1)
        self.curve.set_data("plain", steps, f.history[:, 0])
        self.curve.set_data("reg", steps, f.history[:, 1])
        self.detail.setText(f"step {f.step}/{f.total} · {f.steps_per_second:.1f} steps/s · {f.seconds:.1f} s")

    def result(self):
        if self._last is None:
            return None
        name = models.imagenet_labels()[self._last.target].replace(" ", "_")
        return np.concatenate([self._last.plain, self._last.regularised], axis=1), f"draw-{name}.png"

    def extra_state(self) -> dict:
        return {"class": self.class_edit.text()}

    def apply_extra_state(self, extra: dict) -> list[str]:
        text = extra.get("class")
        if isinstance(text, str) and text:
            self.class_edit.setText(text)
        return []
