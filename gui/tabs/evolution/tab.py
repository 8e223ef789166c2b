"""The Evolution tab: fooling a network as a black box, with a live population grid.

After Nguyen, Yosinski and Clune (CVPR 2015): a random population of images, then alternately keep
the best and mutate / cross over. The network is only ever asked "what do you see?"; the number of
images it was shown is on screen, set against the paper's two million.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout,
    QWidget,
)

from core import evolution, models
from core.errors import UserError

from ...widgets import style
from ...widgets.model_chooser import ModelChooser
from ...widgets.param_form import ParamForm
from ...widgets.save_png import save_as, save_png_as
from ..base import AppContext, LabTab
from .inspect import InspectDialog
from .pacing import RedrawPacer
from .session import EvolutionSession
from .targets import TargetField
from .views import SHOW, EvolutionViews

DEFAULT_TARGETS = {"mnist": {"ga": "3", "map-elites": "all"},
                   "imagenet": {"ga": "jellyfish", "map-elites": "all"}}
SIDE_WIDTH = 400  # the settings column on screens up to full HD; grows with 4K presentation text
GENOME_FIELDS = ("encoding", "mutation_rate", "mutation", "crossover_rate", "multiscale")
SEARCH_FIELDS = ("population", "focus", "climb", "overlay", "elite", "selection", "tournament", "truncation", "stop_at",
                 "goal_classes", "max_queries", "generations", "seed")


class EvolutionTab(LabTab):
    key = "evolution"
    title = "Evolution"

    #: Emitted with the path of an exported grid.
    grid_exported = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.session = EvolutionSession(self)
        self.inspector: InspectDialog | None = None
        self.pacer = RedrawPacer(self._draw, self)
        self._build()
        self.runner.frame_ready.connect(self.session.set_frame)
        self.session.frame_changed.connect(self.pacer.offer)
        self.session.labels_changed.connect(self.target_field.set_labels)
        self.runner.running_changed.connect(self._running_changed)
        self.runner.job_finished.connect(self._job_finished)
        self._model_changed()
        self._algorithm_changed()

    def set_presentation(self, on: bool) -> None:
        super().set_presentation(on)
        self._side.setFixedWidth(round(SIDE_WIDTH * style.screen_scale(on)))

    # ---------------------------------------------------------------- layout
    def _build(self) -> None:
        controls = QVBoxLayout()
        controls.setSpacing(8)
        box = QGroupBox("Network and targets")
        form = QFormLayout(box)
        self.model_combo = ModelChooser(datasets=None, default="mnist_cnn")
        self.model_combo.currentIndexChanged.connect(self._model_changed)
        self.algorithm_combo = QComboBox()
        for a in evolution.ALGORITHMS:
            self.algorithm_combo.addItem(evolution.ALGORITHM_TITLES[a], a)
        self.algorithm_combo.setCurrentIndex(self.algorithm_combo.findData("map-elites"))
        self.algorithm_combo.currentIndexChanged.connect(self._algorithm_changed)
        self.target_field = TargetField()
        self.target_field.set_labels(self.session.labels)
        self.target_field.text_changed.connect(self._target_changed)
        form.addRow("Model", self.model_combo)
        form.addRow("Algorithm", self.algorithm_combo)
        form.addRow("Target", self.target_field)
        controls.addWidget(box)

        self.genome_form = self.add_form("genome", ParamForm(evolution.EvolutionParams, GENOME_FIELDS))
        self.search_form = self.add_form("search", ParamForm(evolution.EvolutionParams, SEARCH_FIELDS))
        for combo in [self.model_combo, self.algorithm_combo] + [
                f.editor(n) for f in (self.genome_form, self.search_form) for n in f.names
                if isinstance(f.editor(n), QComboBox)]:
            # a long entry ("EfficientNet-Lite0 (ImageNet, …)") must not widen the settings column
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        self.crossover_note = QLabel()
        self.crossover_note.setWordWrap(True)
        self.genome_form.params_changed.connect(self._genome_changed)
        for title, f, extra in (("Genome", self.genome_form, self.crossover_note), ("Search", self.search_form, None)):
            box = QGroupBox(title)
            lay = QVBoxLayout(box)
            lay.addWidget(f)
            if extra is not None:
                lay.addWidget(extra)
            controls.addWidget(box)

        self.run_button = self.make_run_button()
        self.pause_button = QPushButton("Pause")
        self.pause_button.setEnabled(False)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button = QPushButton("Stop  (Esc)")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.export_button = QPushButton("Export grid as PNG…")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(lambda: self.export_grid())
        row = QHBoxLayout()
        row.addWidget(self.pause_button)
        row.addWidget(self.stop_button)
        controls.addStretch(1)
        side = QWidget()
        side.setLayout(controls)
        scroll = QScrollArea()  # the settings scroll on a small screen; the buttons stay in view
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        left = QVBoxLayout()
        left.addWidget(scroll, 1)
        left.addWidget(self.run_button)
        left.addLayout(row)
        left.addWidget(self.export_button)
        left_widget = QWidget()
        left_widget.setLayout(left)
        left_widget.setFixedWidth(SIDE_WIDTH)
        self._side = left_widget
        left_widget.setObjectName("side_panel")  # folds into a drawer where room is short (gui/drawer.py)

        self.views = EvolutionViews(self.make_caption(
            "The network is a <b>black box</b>: we only ask what it sees. Keep the images it finds "
            "most convincing, mutate them, repeat; then paint blobs of colour, keeping those it likes. Images "
            "that look like nothing to us end up labelled with near-certainty."))
        self.views.population_clicked.connect(self._inspect_population)
        self.views.cell_clicked.connect(self._inspect_cell)
        # the views' widgets, by the names the rest of the window (and the tests) use
        v = self.views
        self.population_view, self.cells_view, self.best_view = v.population_view, v.cells_view, v.best_view
        self.best_top5, self.curve, self.headline, self.readout = v.best_top5, v.curve, v.headline, v.readout
        self.counter = v.counter
        outer = QHBoxLayout(self)
        outer.addWidget(left_widget)
        outer.addWidget(self.views, 1)

    # ---------------------------------------------------------------- choices
    def refresh_models(self) -> None:
        self.model_combo.refresh()

    @property
    def model_name(self) -> str:
        return self.model_combo.model_name

    @property
    def algorithm(self) -> str:
        return self.algorithm_combo.currentData()

    @property
    def target_edit(self):
        return self.target_field.edit

    @property
    def target_info(self) -> QLabel:
        return self.target_field.info

    def _default_target(self) -> str:
        return DEFAULT_TARGETS.get(self.session.dataset, DEFAULT_TARGETS["mnist"])[self.algorithm]

    def _model_changed(self) -> None:
        self.session.set_model(self.model_name)
        if self.target_field.targets() is None:
            self.target_field.set_text(self._default_target())

    def _algorithm_changed(self) -> None:
        ga = self.algorithm == "ga"
        self.target_field.set_single_only(ga)
        targets = self.target_field.targets()
        if targets is None or (ga and len(targets) != 1):
            self.target_field.set_text(self._default_target())
        self._push_choice()
        self.views.set_algorithm(self.algorithm)

    def _target_changed(self, _text: str) -> None:
        self._push_choice()

    def _push_choice(self) -> None:
        """Algorithm and target live outside the forms; keep them in the forms' parameters so the
        forms show the rows that apply and settings and scenes carry them."""
        targets = self.target_field.targets()
        text = self.target_field.text().strip()
        if targets is None or (self.algorithm == "ga" and len(targets) != 1):
            text = self._default_target()
        for f in (self.genome_form, self.search_form):
            try:
                current = f.params()
            except UserError:
                current = f.cls()
            f.set_params(dataclasses.replace(current, algorithm=self.algorithm, target=text))

    def _genome_changed(self, p: evolution.EvolutionParams) -> None:
        self.crossover_note.setText(evolution.CROSSOVER_NOTE[p.encoding].capitalize() + ".")

    def params(self) -> evolution.EvolutionParams:
        """Every setting on screen, validated (raises ``UserError``)."""
        g, s = self.genome_form.params(), self.search_form.params()
        values = {n: getattr(g, n) for n in GENOME_FIELDS}
        values.update({n: getattr(s, n) for n in SEARCH_FIELDS})
        return dataclasses.replace(s, **values, algorithm=self.algorithm,
                                   target=self.target_field.text().strip()).validated()

    def params_applied(self, name: str, params: Any) -> None:
        """Settings or a scene set a form: the algorithm and target come with it."""
        i = self.algorithm_combo.findData(params.algorithm)
        if i >= 0 and i != self.algorithm_combo.currentIndex():
            self.algorithm_combo.setCurrentIndex(i)
        if params.target != self.target_field.text().strip():
            self.target_field.set_text(params.target)
        self._genome_changed(self.genome_form.params())

    def extra_state(self) -> dict[str, Any]:
        return {"model": self.model_name}

    def apply_extra_state(self, extra: dict[str, Any]) -> list[str]:
        name = extra.get("model")
        if name is None:
            return []
        if not self.model_combo.set_model(str(name)):
            return [f"{self.title}: the model “{name}” is not available here"]
        return []

    def save_settings(self, settings) -> None:
        super().save_settings(settings)
        settings.setValue("model", self.model_name)

    def restore_settings(self, settings) -> None:
        self.apply_extra_state({"model": settings.value("model", "mnist_cnn")})
        super().restore_settings(settings)

    def reset_to_defaults(self) -> None:
        """A scene (or Reset) starts afresh: the last run's images and counters belong to other
        settings, often another network, so they leave the screen with the run."""
        super().reset_to_defaults()
        self.session.last = None
        self.pacer.reset()
        self.views.clear()
        self.export_button.setEnabled(False)
        if self.inspector is not None:
            self.inspector.hide()

    # ---------------------------------------------------------------- running
    def start(self) -> None:
        targets = self.target_field.targets()
        if targets is None:
            self.ctx.error(f"“{self.target_field.text()}” is not a class name; pick one from the list.")
            return
        try:
            params = self.params()
            params.check_targets(targets, len(self.session.labels))
        except UserError as exc:
            self.ctx.error(str(exc)[0].upper() + str(exc)[1:])
            return
        name, device = self.model_name, self.ctx.device
        self.session.begin(params, targets)
        self.pacer.reset()
        self.views.clear()
        self.export_button.setEnabled(False)

        def job(cancel):
            clf = models.load_classifier(name, device)
            yield from evolution.evolution_job(clf, targets, params, cancel=cancel, show=SHOW)

        labels = self.session.labels
        what = f"“{labels[targets[0]]}”" if len(targets) == 1 else f"{len(targets)} classes"
        self.ctx.status(f"Evolving {params.encoding.upper() if params.encoding == 'cppn' else 'direct'} "
                        f"images for {what} with {name}…")
        self.views.set_text(self.headline, "Loading the network…")
        self.runner.start(job, kind="evolve")

    def toggle_pause(self) -> None:
        if not self.runner.is_running:
            return
        if self.runner.is_paused:
            self.runner.resume()
            self.pause_button.setText("Pause")
            self.ctx.status("Resumed.")
        else:
            self.runner.pause()
            self.pause_button.setText("Resume")
            self.ctx.status("Paused: press Resume to go on, Stop to end the run.")

    def _running_changed(self, running: bool) -> None:
        self.run_button.setText("Stop  (Space)" if running else "Run  (Space)")
        self.pause_button.setEnabled(running)
        self.pause_button.setText("Pause")
        self.stop_button.setEnabled(running)

    def _job_finished(self) -> None:
        f = self.session.last
        if f is not None:
            self.ctx.status(f"Done ({f.stop_reason}): {f.generation:,} generations, {f.queries:,} images "
                            f"queried, {f.seconds:.1f} s. Click any image to inspect it.")

    def _draw(self, f: evolution.EvolutionFrame) -> None:
        """One redraw, when the pacer says (``gui/tabs/evolution/pacing.py``)."""
        self.views.show_frame(f, self.session.goal, " — paused" if self.runner.is_paused else "")
        self.export_button.setEnabled(True)

    @property
    def last_frame(self) -> evolution.EvolutionFrame | None:
        return self.session.last

    # ---------------------------------------------------------------- inspection
    def _ensure_inspector(self) -> InspectDialog:
        if self.inspector is None:
            self.inspector = InspectDialog(self)
        return self.inspector

    def _inspect_population(self, i: int) -> None:
        f = self.session.last
        if f is None or i >= len(f.population_images):
            return
        labels = f.class_names
        top, probs = [int(x) for x in f.population_top5[i]], [float(x) for x in f.population_top5_probs[i]]
        hl = next((k for k, c in enumerate(top) if c in f.targets), None)
        self._ensure_inspector().show_image(
            f.population_images[i], f"Image {i + 1}, generation {f.generation:,}",
            [labels[c] for c in top], probs, hl,
            f"Top-1 “{labels[top[0]]}” at {probs[0]:.4%}. Genome: {f.population_notes[i]}. "
            "Top-5 from the query that scored it: no extra question was asked.",
            f"{labels[top[0]].replace(' ', '_')}-gen{f.generation}")

    def _inspect_cell(self, c: int) -> None:
        f = self.session.last
        if f is None or c >= len(f.targets) or f.cell_images[c] is None:
            return
        labels = f.class_names
        t = f.targets[c]
        top, probs = [int(x) for x in f.cell_top5[c]], [float(x) for x in f.cell_top5_probs[c]]
        self._ensure_inspector().show_image(
            f.cell_images[c], f"Elite of “{labels[t]}”", [labels[k] for k in top], probs,
            top.index(t) if t in top else None,
            f"“{labels[t]}” at {f.cell_probs[c]:.4%}, found in generation {f.cell_generation[c]:,} "
            f"after {f.cell_queries[c]:,} images queried.",
            f"{labels[t].replace(' ', '_')}-elite")

    # ---------------------------------------------------------------- files
    def export_grid(self, path: str | None = None) -> bool:
        f = self.session.last
        if f is None:
            self.ctx.status("Nothing to export yet: run the evolution first.")
            return False
        view = self.cells_view if f.algorithm == "map-elites" else self.population_view
        try:
            saved = save_as(self, view.grab_png, f"evolution-{f.algorithm}-grid.png", title="Export the grid",
                            file_filter="PNG image (*.png)", path=path)
            if saved is None:
                return False
        except UserError as exc:
            self.ctx.error(str(exc))
            return False
        self.ctx.status(f"Exported the grid to {saved}.")
        self.grid_exported.emit(str(saved))
        return True

    def save_result(self) -> bool:
        """Ctrl+S saves the best image so far."""
        f = self.session.last
        if f is None or f.best_image is None:
            return False
        try:
            saved = save_png_as(self, f.best_image, f"{f.class_names[f.best_target].replace(' ', '_')}-evolved.png",
                                title="Save the best image")
        except UserError as exc:
            self.ctx.error(str(exc))
            return True
        if saved is not None:
            self.ctx.status(f"Saved {saved}.")
        return True

    def shutdown(self) -> None:
        if self.inspector is not None:
            self.inspector.close()
        super().shutdown()
