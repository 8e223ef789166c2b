"""Page 2: what a neuron wants — the picture that excites one channel most, and a gallery per stage."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QPushButton, QSpinBox, QVBoxLayout

from core import anatomy, featuremaps, featurevis
from core.errors import UserError
from core.readable import number

from ...widgets import CurvePlot, ImagePanel, style
from ...widgets.mosaic import MosaicView
from ...widgets.param_form import ParamForm
from .common import Page, run_text, stage_title

CAPTION = ("We <b>invert</b> the network: start from a grey blur and change the picture, step by step, so "
           "that one channel responds as strongly as it can. Early stages want <b>edges and colours</b>, "
           "later ones <b>textures and parts</b>. Switch the regularisers on one at a time: without them "
           "the result is high-frequency noise.")
FORM_FIELDS = ("steps", "size", "fourier", "decorrelate", "transforms", "jitter", "scale", "rotate",
               "smooth", "smooth_weight", "l2", "l2_weight")
GALLERY_COUNT = 8


class NeuronPage(Page):
    title = "What a neuron wants"
    kinds = ("neuron", "gallery")

    def __init__(self, tab) -> None:
        super().__init__(tab, CAPTION)
        box = QGroupBox("Neuron")
        form = QFormLayout(box)
        self.stage_combo = QComboBox()
        self.stage_combo.currentIndexChanged.connect(self._stage_chosen)
        self.channel_spin = QSpinBox()
        self.channel_spin.setRange(0, 0)
        self.active_button = QPushButton("Most active for this photo")
        self.active_button.setToolTip("The channel of this stage that responds most to the current picture")
        self.active_button.clicked.connect(self._most_active)
        form.addRow("Stage", self.stage_combo)
        form.addRow("Channel", self.channel_spin)
        form.addRow("", self.active_button)
        self.controls.addWidget(box)

        box = QGroupBox("Regularisers")
        col = QVBoxLayout(box)
        presets = QHBoxLayout()
        for name, text in (("none", "None"), ("standard", "Standard"), ("all", "All")):
            b = QPushButton(text)
            b.setToolTip(featurevis.PRESET_TITLES[name])
            b.clicked.connect(lambda _=False, n=name: self._preset(n))
            presets.addWidget(b)
        col.addLayout(presets)
        self.form = tab.add_form("featurevis", ParamForm(featurevis.VisParams, FORM_FIELDS))
        col.addWidget(self.form)
        self.controls.addWidget(box)

        self.gallery_button = QPushButton(f"Gallery: {GALLERY_COUNT} channels of this stage")
        self.gallery_button.clicked.connect(self.start_gallery)
        self.finish_controls(self.gallery_button)

        self.image_view = ImagePanel("What the channel wants")
        self.gallery = MosaicView("Gallery", lines=2, min_cell=64, max_cell=220,
                                  placeholder="“Gallery” synthesises several channels of a stage at once")
        self.curve = CurvePlot("Channel's response versus step", x_label="step", y_label="mean activation")
        self.curve.add_curve("value", "synthesised picture", style.TARGET_COLOR)
        self.curve.add_curve("photo", "this photo", style.ORIGINAL_COLOR, dashed=True)
        self.curve.setMinimumHeight(150)
        self.headline = self.readout(1.6, bold=True)
        self.detail = self.readout(1.1)
        row = QHBoxLayout()
        row.addWidget(self.image_view, 1)
        row.addWidget(self.gallery, 1)
        self.views.addWidget(self.headline)
        self.views.addLayout(row, 3)
        self.views.addWidget(self.curve, 2)
        self.views.addWidget(self.detail)
        self._photo_best: float | None = None
        self._last: featurevis.VisFrame | None = None
        self._mode = "neuron"
        self._filled = False

    # -- stages
    def activated(self) -> None:
        if not self._filled:
            self.stages_changed()

    def stages_changed(self) -> None:
        try:
            stages = [s for s in self.session.stages() if s.kind != "pool"]
        except UserError as exc:
            self.tab.ctx.error(str(exc))
            return
        current = self.stage_combo.currentData()
        self.stage_combo.blockSignals(True)
        self.stage_combo.clear()
        for s in stages:
            self.stage_combo.addItem(stage_title(s), s.name)
        default = anatomy.dream_default(self.session.classifier()).name
        i = self.stage_combo.findData(current or default)
        self.stage_combo.setCurrentIndex(max(i, 0))
        self.stage_combo.blockSignals(False)
        self._filled = True
        self._stage_chosen()

    def stage(self) -> anatomy.Stage | None:
        return self.session.stage(self.stage_combo.currentData() or "")

    def _stage_chosen(self) -> None:
        s = self.stage()
        if s is not None:
            self.channel_spin.setRange(0, s.channels - 1)
            self._photo_best = None

    def _most_active(self) -> None:
        s = self.stage()
        if s is None:
            return
        ch = featurevis.most_active_channels(self.session.classifier(), self.session.fitted_picture(), s)[0]
        self.channel_spin.setValue(ch)
        self.tab.ctx.status(f"Channel {ch} of {s.name} responds most to “{self.session.picture_title}”.")

    def _preset(self, name: str) -> None:
        try:
            self.form.set_params(self.form.params().with_preset(name))
        except UserError as exc:
            self.tab.ctx.error(str(exc))

    def picture_changed(self) -> None:
        pass  # the synthesised picture does not depend on the photo

    # -- running
    def _params(self) -> featurevis.VisParams | None:
        try:
            return self.form.params()
        except UserError as exc:
            self.tab.ctx.error(str(exc))
            return None

    def _natural_best(self, stage, channel) -> float:
        means = anatomy.channel_means(self.session.classifier(), [self.session.fitted_picture()], stage)
        return float(means[0, channel])

    def start(self) -> None:
        if self.tab.runner.kind in self.kinds:
            self.tab.runner.stop()
            return
        stage, params = self.stage(), self._params()
        if stage is None or params is None:
            return
        channel = self.channel_spin.value()
        self._photo_best = self._natural_best(stage, channel)
        clf = self.session.classifier()
        self._mode = "neuron"
        self.curve.clear_data()
        self.curve.setXRange(0, params.steps, padding=0.02)
        self.tab.ctx.status(f"Synthesising what channel {channel} of {stage.name} wants ({params.describe()})…")
        self.tab.run(self, lambda cancel: featurevis.visualize_job(clf, stage, [channel], params, cancel=cancel),
                     "neuron")

    def start_gallery(self) -> None:
        stage, params = self.stage(), self._params()
        if stage is None or params is None:
            return
        params = params.replace(size=min(params.size, 128), steps=min(params.steps, 128))
        channels = featurevis.spread_channels(stage, GALLERY_COUNT, offset=self.channel_spin.value())
        clf = self.session.classifier()
        self._mode = "gallery"
        self.tab.ctx.status(f"Synthesising {len(channels)} channels of {stage.name} at once…")
        self.tab.run(self, lambda cancel: featurevis.visualize_job(clf, stage, channels, params, cancel=cancel),
                     "gallery")

    def on_running(self, running: bool) -> None:
        self.run_button.setText(run_text(running))
        self.gallery_button.setEnabled(not running)

    def on_finished(self) -> None:
        f = self._last
        if f is None or not f.done:
            return
        if self._mode == "gallery":
            self.tab.ctx.status(f"Gallery of {f.stage} done: {len(f.units)} channels after {f.step} steps.")
        else:
            photo = self._photo_best if self._photo_best is not None else 0.0
            self.tab.ctx.status(f"Done: channel {f.units[0]} of {f.stage} responds {number(f.values[0])} to its picture, "
                                f"{number(photo)} to “{self.session.picture_title}”. Save it with Ctrl+S.")

    def on_frame(self, f: featurevis.VisFrame) -> None:
        self._last = f
        if self._mode == "gallery":
            mosaic, cols = featuremaps.thumbnail_grid(list(f.images), 128)
            self.gallery.set_mosaic(mosaic, cols, len(f.images),
                                    captions=[f"ch {u}\n{number(v)}" for u, v in zip(f.units, f.values)])
            self.gallery.set_title(f"{f.stage}: {len(f.units)} channels · step {f.step}/{f.total}")
            return
        self.image_view.set_image(f.image)
        self.image_view.set_title(f"{f.stage} · channel {f.units[0]}" + ("" if f.done else " (live)"))
        steps = np.arange(1, len(f.history) + 1)
        self.curve.set_data("value", steps, f.history[:, 0])
        if self._photo_best is not None and len(steps):
            self.curve.set_data("photo", [0, f.total], [self._photo_best, self._photo_best])
        photo = self._photo_best if self._photo_best is not None else 0.0
        ratio = f" — {number(f.values[0] / photo)}× the photo" if photo > 0.05 else ""
        self.headline.setText(
            f"response <span style='color:{style.TARGET_COLOR}'>{number(f.values[0])}</span>"
            f" · on the photo <span style='color:{style.ORIGINAL_COLOR}'>{number(photo)}</span>{ratio}")
        self.detail.setText(f"step {f.step}/{f.total} · {f.steps_per_second:.1f} steps/s · "
                            f"{f.seconds:.1f} s")

    def result(self):
        if self._last is None:
            return None
        f = self._last
        return f.image, f"{f.stage}-channel{f.units[0]}.png"

    def extra_state(self) -> dict:
        return {"neuron_stage": self.stage_combo.currentData() or "", "neuron_channel": self.channel_spin.value()}

    def apply_extra_state(self, extra: dict) -> list[str]:
        self.activated()
        name = extra.get("neuron_stage")
        if isinstance(name, str) and name:
            i = self.stage_combo.findData(name)
            if i < 0:
                return [f"Inside the network: no stage “{name}”"]
            self.stage_combo.setCurrentIndex(i)
        ch = extra.get("neuron_channel")
        if isinstance(ch, int) and not isinstance(ch, bool):
            self.channel_spin.setValue(ch)
        return []
