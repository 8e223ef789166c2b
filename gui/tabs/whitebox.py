"""The gradient-ascent tab: an image morphed live until the classifier sees the chosen class."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, QStringListModel, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QCompleter, QDoubleSpinBox, QFileDialog, QFormLayout,
    QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout,
    QWidget,
)

from core import imaging, models, whitebox
from core.errors import UserError
from core.resources import sample_images

from ..widgets import BarChart, CurvePlot, ImagePanel, style
from .base import AppContext, LabTab

NOISE = "__noise__"
SIDE_WIDTH = 360
SAMPLE_TITLES = {"chelsea": "Chelsea the cat", "coffee": "Coffee cup", "astronaut": "Astronaut",
                 "rocket": "Rocket launch"}


#: Dropped and sent images kept in the input list (older ones leave it).
MAX_DROPPED = 8

class WhiteboxTab(LabTab):
    key = "whitebox"
    title = "Gradient ascent"

    #: Emitted with the saved file's path.
    result_saved = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._source: np.ndarray | None = None  # full-resolution RGB input
        self._source_name = ""
        self._dropped: dict[str, np.ndarray] = {}
        self._last: whitebox.WhiteboxFrame | None = None
        self._attack_running = False
        self._labels: tuple[str, ...] = models.imagenet_labels()
        self._build()
        self.runner.frame_ready.connect(self._show_frame)
        self.runner.running_changed.connect(self._running_changed)
        self.runner.job_finished.connect(self._job_finished)
        self._target_changed()
        self._choose_input()

    # ---------------------------------------------------------------- layout
    def _build(self) -> None:
        controls = QVBoxLayout()
        controls.setSpacing(8)

        box = QGroupBox("Picture")
        form = QFormLayout(box)
        self.input_combo = QComboBox()
        for name in sample_images():
            self.input_combo.addItem(SAMPLE_TITLES.get(name, name.title()), name)
        self.input_combo.addItem("Random noise", NOISE)
        self.input_combo.setCurrentIndex(max(self.input_combo.findData("chelsea"), 0))
        self.input_combo.currentIndexChanged.connect(self._choose_input)
        open_btn = QPushButton("Open image…")
        open_btn.setToolTip("Or drag a photo onto the window")
        open_btn.clicked.connect(self._open_dialog)
        form.addRow("Input", self.input_combo)
        form.addRow("", open_btn)
        controls.addWidget(box)

        box = QGroupBox("Classifier and target")
        form = QFormLayout(box)
        self.model_combo = QComboBox()
        self.refresh_models()
        self.model_combo.currentIndexChanged.connect(self._model_changed)
        self.target_edit = QLineEdit("tiger shark")
        self.target_edit.setPlaceholderText("type a class name, e.g. tiger")
        self._completer_model = QStringListModel(list(self._labels))
        completer = QCompleter(self._completer_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        self.target_edit.setCompleter(completer)
        self.target_edit.textChanged.connect(self._target_changed)
        self.target_info = QLabel()
        self.target_info.setWordWrap(True)
        form.addRow("Model", self.model_combo)
        form.addRow("Target", self.target_edit)
        form.addRow("", self.target_info)
        controls.addWidget(box)

        box = QGroupBox("Attack")
        form = QFormLayout(box)
        self.method_combo = QComboBox()
        for m in whitebox.METHODS:
            self.method_combo.addItem(whitebox.METHOD_TITLES[m], m)
        self.method_combo.setCurrentIndex(whitebox.METHODS.index("pgd"))
        self.norm_combo = QComboBox()
        self.norm_combo.addItem("L∞ (every pixel value by at most ε)", "linf")
        self.norm_combo.addItem("L2 (root-mean-square change ε)", "l2")
        self.eps_spin = QDoubleSpinBox()
        self.eps_spin.setRange(0.5, 255)
        self.eps_spin.setSingleStep(0.5)
        self.eps_spin.setDecimals(1)
        self.eps_spin.setValue(2.0)
        self.eps_spin.setSuffix(" / 255")
        self.eps_spin.setToolTip("Budget in 8-bit levels: 1 is the smallest change a PNG can carry.")
        self.step_spin = QDoubleSpinBox()
        self.step_spin.setRange(0, 64)
        self.step_spin.setSingleStep(0.25)
        self.step_spin.setSpecialValueText("auto")
        self.step_spin.setSuffix(" / 255")
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(1, 5000)
        self.steps_spin.setValue(60)
        self.stop_check = QCheckBox("Stop at")
        self.stop_check.setChecked(True)
        self.stop_spin = QDoubleSpinBox()
        self.stop_spin.setRange(1, 100)
        self.stop_spin.setDecimals(2)
        self.stop_spin.setValue(99.0)
        self.stop_spin.setSuffix(" %")
        stop_row = QHBoxLayout()
        stop_row.addWidget(self.stop_check)
        stop_row.addWidget(self.stop_spin, 1)
        form.addRow("Method", self.method_combo)
        form.addRow("Norm", self.norm_combo)
        form.addRow("ε", self.eps_spin)
        form.addRow("Step size", self.step_spin)
        form.addRow("Steps", self.steps_spin)
        form.addRow("Target prob.", stop_row)
        controls.addWidget(box)

        self.run_button = self.make_run_button()
        self.save_button = QPushButton("Save PNG…")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save_result)
        self.send_button = QPushButton("Send to autoencoder")
        self.send_button.setEnabled(False)
        self.send_button.setToolTip("Ask the autoencoder whether this image lies off the data manifold")
        self.send_button.clicked.connect(self._send)
        controls.addWidget(self.run_button)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.send_button)
        controls.addLayout(row)
        controls.addStretch(1)

        self.side = QWidget()
        self.side.setLayout(controls)
        self.side.setFixedWidth(SIDE_WIDTH)

        # -- views
        self.original_view = ImagePanel("Original")
        self.adversarial_view = ImagePanel("Adversarial (live)")
        self.perturbation_view = ImagePanel("Change, amplified")
        self.top5 = BarChart("Top 5 classes")
        self.curve = CurvePlot("Belief versus step", x_label="step", y_label="probability")
        self.curve.add_curve("target", "target", style.TARGET_COLOR)
        self.curve.add_curve("original", "original class", style.ORIGINAL_COLOR, dashed=True)
        self.curve.setYRange(0, 1, padding=0.02)
        # The x axis spans the run's step budget: the curve fills it left to right as the attack goes.
        self.curve.setXRange(0, self.steps_spin.value(), padding=0.02)

        self.headline = QLabel("")
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.readout = QLabel("")
        self.readout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for label in (self.headline, self.readout):
            label.setWordWrap(True)  # long class names must never widen the window past the screen
        self._style_readouts()

        images = QHBoxLayout()
        for view in (self.original_view, self.adversarial_view, self.perturbation_view):
            images.addWidget(view, 1)
        plots = QHBoxLayout()
        plots.addWidget(self.top5, 1)
        plots.addWidget(self.curve, 1)
        grid = QVBoxLayout()
        grid.addLayout(images, 3)
        grid.addLayout(plots, 2)

        right = QVBoxLayout()
        right.addWidget(self.make_caption(
            "The network is shown a photo. We nudge every pixel by at most ε (here a change of "
            "1–2 out of 255, invisible to us) in the direction that raises the <b>target</b> class. "
            "The picture looks the same; the network's belief does not."))
        right.addWidget(self.headline)
        right.addLayout(grid, 1)
        right.addWidget(self.readout)

        outer = QHBoxLayout(self)
        outer.addWidget(self.side)
        outer.addLayout(right, 1)

    def _style_readouts(self) -> None:
        pt = style.PRESENTATION_FONT_PT if self._presentation else style.BASE_FONT_PT
        f = QFont()
        f.setPointSizeF(pt * style.READOUT_SCALE)
        f.setBold(True)
        self.headline.setFont(f)
        g = QFont()
        g.setPointSizeF(pt * 1.3)
        self.readout.setFont(g)

    def set_presentation(self, on: bool) -> None:
        super().set_presentation(on)
        self.side.setFixedWidth(round(SIDE_WIDTH * style.PRESENTATION_FONT_PT / style.BASE_FONT_PT) if on
                                else SIDE_WIDTH)
        self._style_readouts()

    # ---------------------------------------------------------------- model / target / input
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
        pos = self.model_combo.findData(current or models.DEFAULT_MODEL)
        self.model_combo.setCurrentIndex(max(pos, 0))
        self.model_combo.blockSignals(False)

    @property
    def model_name(self) -> str:
        return self.model_combo.currentData() or models.DEFAULT_MODEL

    def _input_size(self) -> tuple[int, int]:
        return models.get_spec(self.model_name).input_size

    def _target_index(self) -> int | None:
        try:
            return models.resolve_class(self._labels, self.target_edit.text())
        except UserError:
            return None

    def _target_changed(self) -> None:
        text = self.target_edit.text().strip()
        idx = self._target_index()
        if idx is not None:
            self.target_info.setText(f"→ class {idx}: <b>{self._labels[idx]}</b>")
        elif text:
            hits = models.find_classes(self._labels, text, limit=4)
            self.target_info.setText("did you mean: " + ", ".join(self._labels[i] for i in hits) if hits
                                     else "<span style='color:#D55E00'>no such class</span>")
        else:
            self.target_info.setText("")

    def _choose_input(self) -> None:
        key = self.input_combo.currentData()
        if key == NOISE:
            self._set_source(imaging.noise_image(self._input_size(), seed=0), "random noise")
        elif key in self._dropped:
            self._set_source(self._dropped[key], Path(key).name)
        elif key:
            try:
                self._set_source(imaging.load_image(sample_images()[key]), key)
            except UserError as exc:
                self.ctx.error(str(exc))

    def _model_changed(self) -> None:
        if self.input_combo.currentData() == NOISE:
            self._choose_input()
        else:
            self._preview()

    def _set_source(self, image: np.ndarray, name: str) -> None:
        self._source = image
        self._source_name = name
        self._last = None
        self.save_button.setEnabled(False)
        self.send_button.setEnabled(False)
        self.curve.clear_data()
        self._preview()

    def fitted_input(self) -> np.ndarray:
        assert self._source is not None
        return imaging.fit_to_size(self._source, self._input_size())

    def _preview(self) -> None:
        """Show the untouched picture and what the network makes of it (one forward pass)."""
        if self._source is None:
            return
        img = self.fitted_input()
        self.original_view.set_image(img)
        self.adversarial_view.set_image(img)
        self.perturbation_view.set_image(np.full_like(img, 128))
        self.perturbation_view.set_note("")
        target = self._target_index() or 0
        name, device = self.model_name, self.ctx.device
        self._attack_running = False

        def job(cancel):
            clf = models.load_classifier(name, device)
            yield from itertools.islice(whitebox.attack_job(clf, img, target, whitebox.AttackParams(steps=1),
                                                            cancel=cancel), 1)

        self.runner.start(job)

    # ---------------------------------------------------------------- running
    @property
    def is_running(self) -> bool:
        """Only the attack counts: the one-step preview must never make Space mean "stop"."""
        return self.runner.is_running and self._attack_running

    def stop(self) -> None:
        if self._attack_running:
            self.runner.stop()

    def params(self) -> whitebox.AttackParams:
        step = self.step_spin.value()
        return whitebox.AttackParams(
            method=self.method_combo.currentData(), norm=self.norm_combo.currentData(),
            eps=self.eps_spin.value(), step=step if step > 0 else None, steps=self.steps_spin.value(),
            stop_at=self.stop_spin.value() / 100 if self.stop_check.isChecked() else None,
        )

    def start(self) -> None:
        if self._source is None:
            self.ctx.error("Choose a picture first.")
            return
        target = self._target_index()
        if target is None:
            self.ctx.error(f"“{self.target_edit.text()}” is not a class name; pick one from the list.")
            return
        try:
            params = self.params().validated()
        except UserError as exc:
            self.ctx.error(str(exc))
            return
        img = self.fitted_input()
        name, device = self.model_name, self.ctx.device
        self.curve.clear_data()
        self._attack_running = True

        def job(cancel):
            clf = models.load_classifier(name, device)
            yield from whitebox.attack_job(clf, img, target, params, cancel=cancel)

        self.ctx.status(f"Fooling the network into “{self._labels[target]}”…")
        self.runner.start(job)

    def _running_changed(self, running: bool) -> None:
        self.run_button.setText("Stop  (Space)" if running and self._attack_running else "Run  (Space)")

    def _job_finished(self) -> None:
        if not self._attack_running:
            return
        self._attack_running = False
        self.run_button.setText("Run  (Space)")
        f = self._last
        if f is not None and f.step > 0:
            verdict = "reached" if f.reached else "best so far"
            self.ctx.status(f"Done: “{self._labels[f.target]}” at {f.target_prob:.1%} ({verdict}) after "
                            f"{f.step} steps, L∞ = {f.linf_255:.0f}/255. Save it with Ctrl+S.")

    def _show_frame(self, f: whitebox.WhiteboxFrame) -> None:
        self._last = f
        labels = self._labels
        self.adversarial_view.set_image(f.image)
        self.adversarial_view.set_title("Adversarial" + ("" if f.done else " (live)"))
        self.perturbation_view.set_image(f.perturbation)
        self.perturbation_view.set_note(f"×{f.gain:.0f}" if f.linf_255 > 0 else "no change yet")
        names = [labels[i] for i in f.top_indices]
        highlight = f.top_indices.index(f.target) if f.target in f.top_indices else None
        self.top5.set_bars(names, f.top_probs, highlight=highlight)
        steps = np.arange(len(f.history_target))
        if f.step == 0:  # the x axis spans the attack's budget (the preview is a 1-step job)
            self.curve.setXRange(0, f.total if self._attack_running else self.steps_spin.value(), padding=0.02)
        self.curve.set_data("target", steps, f.history_target)
        self.curve.set_data("original", steps, f.history_original)
        top1 = labels[f.top_indices[0]]
        colour = style.TARGET_COLOR if f.top_indices[0] == f.target else style.ORIGINAL_COLOR
        self.headline.setText(
            f"The network sees <span style='color:{colour}'>“{top1}” {f.top_probs[0]:.1%}</span>"
            f"&nbsp;&nbsp;·&nbsp;&nbsp;target “{labels[f.target]}” "
            f"<span style='color:{style.TARGET_COLOR}'>{f.target_prob:.1%}</span>")
        if f.step == 0:
            self.readout.setText(f"The network sees “{labels[f.original_class]}” "
                                 f"({f.original_start_prob:.1%}). Press Space to fool it.")
        else:
            self.readout.setText(
                f"step {f.step}/{f.total}    L∞ = {f.linf_255:.0f}/255    L2 = {f.l2:.2f}    "
                f"{f.steps_per_second:.1f} steps/s    original “{labels[f.original_class]}” "
                f"{f.original_prob:.1%}")
        has_result = f.step > 0
        self.save_button.setEnabled(has_result)
        self.send_button.setEnabled(has_result)

    # ---------------------------------------------------------------- files
    def open_file(self, path: str) -> bool:
        try:
            image = imaging.load_image(path)
        except UserError as exc:
            self.ctx.error(str(exc))
            return True
        key = str(Path(path))
        self._remember(key, image)
        if self.input_combo.findData(key) < 0:
            self.input_combo.addItem(f"File: {Path(path).name}", key)
        self.input_combo.setCurrentIndex(self.input_combo.findData(key))
        self._choose_input()
        self.ctx.status(f"Opened {Path(path).name} ({image.shape[1]}×{image.shape[0]}).")
        return True

    def _remember(self, key: str, image: np.ndarray) -> None:
        """Keep a dropped or sent image; only the latest few stay (each is at most 2048 pixels)."""
        self._dropped.pop(key, None)
        self._dropped[key] = image
        for old in list(self._dropped)[:-MAX_DROPPED]:
            del self._dropped[old]
            index = self.input_combo.findData(old)
            if index >= 0:
                self.input_combo.removeItem(index)

    def receive_image(self, image: np.ndarray, label: str) -> None:
        if image.ndim == 2:
            image = np.repeat(image[:, :, None], 3, axis=2)
        key = f"sent:{label}"
        self._remember(key, np.ascontiguousarray(image, dtype=np.uint8))
        if self.input_combo.findData(key) < 0:
            self.input_combo.addItem(f"From {label}", key)
        self.input_combo.setCurrentIndex(self.input_combo.findData(key))
        self._choose_input()

    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open an image", "", imaging.OPEN_FILTER)
        if path:
            self.open_file(path)

    def default_save_name(self) -> str:
        f = self._last
        stem = Path(self._source_name).stem or "image"
        target = self._labels[f.target].replace(" ", "_") if f else "adversarial"
        return f"{stem}-{target}.png"

    def save_result(self, path: str | None = None) -> bool:
        f = self._last
        if f is None or f.step == 0:
            self.ctx.status("Nothing to save yet: run the attack first.")
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save the adversarial image", self.default_save_name(),
                                                  "PNG image (*.png)")
            if not path:
                return False
        try:
            saved = imaging.save_png(path, f.image)
        except UserError as exc:
            self.ctx.error(str(exc))
            return False
        self.ctx.status(f"Saved {saved} ({f.image.shape[1]}×{f.image.shape[0]}, the model's input size).")
        self.result_saved.emit(str(saved))
        return True

    def _send(self) -> None:
        if self._last is not None:
            self.ctx.send_image("autoencoder", self._last.image, f"gradient ascent ({self._labels[self._last.target]})")

    # ---------------------------------------------------------------- settings
    def save_settings(self, s: QSettings) -> None:
        s.setValue("model", self.model_name)
        s.setValue("target", self.target_edit.text())
        s.setValue("method", self.method_combo.currentData())
        s.setValue("norm", self.norm_combo.currentData())
        s.setValue("eps", self.eps_spin.value())
        s.setValue("step", self.step_spin.value())
        s.setValue("steps", self.steps_spin.value())
        s.setValue("stop_on", self.stop_check.isChecked())
        s.setValue("stop_at", self.stop_spin.value())
        key = self.input_combo.currentData()
        s.setValue("input", key if key in sample_images() or key == NOISE else "")

    def restore_settings(self, s: QSettings) -> None:
        def combo(box: QComboBox, value) -> None:
            i = box.findData(value)
            if i >= 0 and box.model().item(i).isEnabled():
                box.setCurrentIndex(i)

        try:
            combo(self.model_combo, s.value("model", models.DEFAULT_MODEL))
            combo(self.method_combo, s.value("method", "pgd"))
            combo(self.norm_combo, s.value("norm", "linf"))
            self.target_edit.setText(str(s.value("target", "tiger shark")))
            self.eps_spin.setValue(float(s.value("eps", 2.0)))
            self.step_spin.setValue(float(s.value("step", 0.0)))
            self.steps_spin.setValue(int(s.value("steps", 60)))
            self.stop_check.setChecked(str(s.value("stop_on", "true")).lower() == "true")
            self.stop_spin.setValue(float(s.value("stop_at", 99.0)))
            if s.value("input"):
                combo(self.input_combo, s.value("input"))
        except (TypeError, ValueError):
            pass  # a damaged settings file: keep the defaults
