"""The Evolution tab: fooling a network as a black box, with a live population grid.

After Nguyen, Yosinski and Clune (CVPR 2015): a random population of images, then alternately keep
the best and mutate / cross over. The network is only ever asked "what do you see?"; the number of
images it was shown is on screen.
"""

from __future__ import annotations


import numpy as np
from PySide6.QtCore import QSettings, QStringListModel, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox, QCompleter, QDialog, QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox,
    QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from core import evolution, imaging, models
from core.errors import UserError

from ..widgets import BarChart, CurvePlot, ImagePanel, style
from ..widgets.mosaic import MosaicView
from .base import AppContext, LabTab

ALGORITHM_TITLES = {"ga": "Genetic algorithm (one class)", "map-elites": "MAP-Elites (many classes)"}
ENCODING_TITLES = {"direct": "Direct (the pixels)", "cppn": "CPPN (pattern network)"}
DEFAULT_TARGETS = {"mnist": {"ga": "3", "map-elites": "all"},
                   "imagenet": {"ga": "king penguin", "map-elites": ", ".join(evolution.IMAGENET_SHOWCASE[:12])}}
DEFAULT_RATE = {"direct": 10.0, "cppn": 30.0}
SHOW = 24  # 4 × 6 thumbnails of the population


class InspectDialog(QDialog):
    """One image, enlarged, with the network's top-5 and what to do with it."""

    def __init__(self, tab: "EvolutionTab") -> None:
        super().__init__(tab)
        self.setWindowTitle("Inspect an evolved image")
        self._tab = tab
        self.image: np.ndarray | None = None
        self.label = ""
        self.view = ImagePanel("")
        self.view.setMinimumSize(360, 360)
        self.top5 = BarChart("What the network sees (top 5)")
        self.top5.setMinimumWidth(380)
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.save_button = QPushButton("Save PNG…")
        self.save_button.clicked.connect(lambda: self.save())
        self.to_whitebox = QPushButton("Send to gradient ascent")
        self.to_whitebox.clicked.connect(lambda: self._send("whitebox"))
        self.to_autoencoder = QPushButton("Send to autoencoder")
        self.to_autoencoder.clicked.connect(lambda: self._send("autoencoder"))
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for b in (self.save_button, self.to_whitebox, self.to_autoencoder):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        grid = QGridLayout(self)
        grid.addWidget(self.view, 0, 0, 2, 1)
        grid.addWidget(self.top5, 0, 1)
        grid.addWidget(self.info, 1, 1)
        grid.addLayout(buttons, 2, 0, 1, 2)
        self.resize(900, 520)

    def show_image(self, image: np.ndarray, title: str, names: list[str], probs: list[float],
                   highlight: int | None, info: str, label: str) -> None:
        self.image = image
        self.label = label
        self.view.set_title(title)
        self.view.set_image(image)
        self.top5.set_bars(names, probs, highlight=highlight)
        self.info.setText(info)
        self.show()
        self.raise_()

    def save(self, path: str | None = None) -> bool:
        if self.image is None:
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save the evolved image", f"{self.label}.png",
                                                  "PNG image (*.png)")
            if not path:
                return False
        try:
            saved = imaging.save_png(path, self.image)
        except UserError as exc:
            self._tab.ctx.error(str(exc))
            return False
        self._tab.ctx.status(f"Saved {saved} ({self.image.shape[1]}×{self.image.shape[0]}, as the network saw it).")
        return True

    def _send(self, key: str) -> None:
        if self.image is not None:
            self._tab.ctx.send_image(key, self.image, f"evolution ({self.label})")


class EvolutionTab(LabTab):
    key = "evolution"
    title = "Evolution"

    #: Emitted with the path of an exported grid.
    grid_exported = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._last: evolution.EvolutionFrame | None = None
        self._labels: tuple[str, ...] = models.MNIST_LABELS
        self._run_params: evolution.EvolutionParams | None = None
        self.inspector: InspectDialog | None = None
        self._build()
        self.runner.frame_ready.connect(self._show_frame)
        self.runner.running_changed.connect(self._running_changed)
        self.runner.job_finished.connect(self._job_finished)
        self._model_changed()
        self._encoding_changed()
        self._algorithm_changed()

    # ---------------------------------------------------------------- layout
    def _build(self) -> None:
        controls = QVBoxLayout()
        controls.setSpacing(8)

        box = QGroupBox("Network and targets")
        form = QFormLayout(box)
        self.model_combo = QComboBox()
        self.refresh_models()
        self.model_combo.currentIndexChanged.connect(self._model_changed)
        self.algorithm_combo = QComboBox()
        for a in evolution.ALGORITHMS:
            self.algorithm_combo.addItem(ALGORITHM_TITLES[a], a)
        self.algorithm_combo.setCurrentIndex(1)
        self.algorithm_combo.currentIndexChanged.connect(self._algorithm_changed)
        self.target_edit = QLineEdit("all")
        self._completer_model = QStringListModel([])
        completer = QCompleter(self._completer_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.target_edit.setCompleter(completer)
        self.target_edit.textChanged.connect(self._targets_changed)
        self.target_info = QLabel()
        self.target_info.setWordWrap(True)
        form.addRow("Model", self.model_combo)
        form.addRow("Algorithm", self.algorithm_combo)
        form.addRow("Target", self.target_edit)
        form.addRow("", self.target_info)
        controls.addWidget(box)

        box = QGroupBox("Genome")
        form = QFormLayout(box)
        self.encoding_combo = QComboBox()
        for e in evolution.ENCODINGS:
            self.encoding_combo.addItem(ENCODING_TITLES[e], e)
        self.encoding_combo.setCurrentIndex(1)
        self.encoding_combo.currentIndexChanged.connect(self._encoding_changed)
        self.rate_spin = QDoubleSpinBox()
        self.rate_spin.setRange(0.1, 100)
        self.rate_spin.setDecimals(1)
        self.rate_spin.setSuffix(" %")
        self.rate_label = QLabel("Mutation rate")
        self.operator_combo = QComboBox()
        self.operator_combo.addItem("Polynomial (η = 15)", "polynomial")
        self.operator_combo.addItem("Gaussian (σ = 0.15)", "gaussian")
        self.crossover_spin = QDoubleSpinBox()
        self.crossover_spin.setRange(0, 100)
        self.crossover_spin.setDecimals(0)
        self.crossover_spin.setValue(20)
        self.crossover_spin.setSuffix(" %")
        self.crossover_note = QLabel()
        self.crossover_note.setWordWrap(True)
        form.addRow("Encoding", self.encoding_combo)
        form.addRow(self.rate_label, self.rate_spin)
        form.addRow("Pixel mutation", self.operator_combo)
        form.addRow("Crossover", self.crossover_spin)
        form.addRow(self.crossover_note)
        controls.addWidget(box)

        box = QGroupBox("Search")
        form = QFormLayout(box)
        self.population_spin = QSpinBox()
        self.population_spin.setRange(4, 1000)
        self.population_spin.setValue(50)
        self.elite_spin = QSpinBox()
        self.elite_spin.setRange(0, 100)
        self.elite_spin.setValue(2)
        self.selection_combo = QComboBox()
        self.selection_combo.addItem("Tournament of 3", "tournament")
        self.selection_combo.addItem("Truncation (best quarter)", "truncation")
        self.generations_spin = QSpinBox()
        self.generations_spin.setRange(1, 1_000_000)
        self.generations_spin.setValue(2000)
        self.stop_spin = QDoubleSpinBox()
        self.stop_spin.setRange(1, 100)
        self.stop_spin.setDecimals(2)
        self.stop_spin.setValue(99.99)
        self.stop_spin.setSuffix(" %")
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        form.addRow("Population", self.population_spin)
        form.addRow("Elites kept", self.elite_spin)
        form.addRow("Selection", self.selection_combo)
        form.addRow("Generations", self.generations_spin)
        form.addRow("Stop when all at", self.stop_spin)
        form.addRow("Seed", self.seed_spin)
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
        controls.addWidget(self.run_button)
        row = QHBoxLayout()
        row.addWidget(self.pause_button)
        row.addWidget(self.stop_button)
        controls.addLayout(row)
        controls.addWidget(self.export_button)
        controls.addStretch(1)
        side = QWidget()
        side.setLayout(controls)
        side.setFixedWidth(370)

        # -- views
        self.population_view = MosaicView("Population (live)", lines=1, min_cell=48,
                                          placeholder="Press Space: a random population appears here")
        self.population_view.cell_clicked.connect(self._inspect_population)
        self.best_view = ImagePanel("Best so far")
        self.best_top5 = BarChart("Best image: top 5")
        self.cells_view = MosaicView("One cell per class: its most convincing image", lines=1, min_cell=64,
                                     placeholder="MAP-Elites keeps the best image of every class here")
        self.cells_view.cell_clicked.connect(self._inspect_cell)
        self.curve = CurvePlot("Fitness versus generation", x_label="generation",
                               y_label="probability of the target")
        self.curve.add_curve("best", "best", style.TARGET_COLOR)
        self.curve.add_curve("mean", "mean", style.ORIGINAL_COLOR, dashed=True)
        self.curve.setYRange(0, 1, padding=0.02)

        self.headline = QLabel("")
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.readout = QLabel("")
        self.readout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for label in (self.headline, self.readout):
            label.setWordWrap(True)
            label.setMinimumWidth(100)
        self._style_readouts()

        best_box = QVBoxLayout()
        self.best_top5.setMinimumHeight(170)  # five readable bars, even in a small window
        best_box.addWidget(self.best_view, 3)
        best_box.addWidget(self.best_top5, 2)
        self._grid = grid = QGridLayout()
        grid.addWidget(self.population_view, 0, 0)
        grid.addLayout(best_box, 0, 1)
        grid.addWidget(self.cells_view, 1, 0)
        grid.addWidget(self.curve, 1, 1)
        grid.setRowStretch(0, 5)
        grid.setRowStretch(1, 4)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)

        right = QVBoxLayout()
        right.addWidget(self.make_caption(
            "The network is a <b>black box</b>: we only ask it what it sees. Start from random "
            "images, keep the ones it finds most convincing, mutate them, repeat. Images that look "
            "like nothing to us end up labelled with near-certainty."))
        right.addWidget(self.headline)
        right.addLayout(grid, 1)
        right.addWidget(self.readout)

        outer = QHBoxLayout(self)
        outer.addWidget(side)
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
        self._style_readouts()

    # ---------------------------------------------------------------- choices
    def refresh_models(self) -> None:
        current = self.model_combo.currentData()
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        rows = sorted(models.describe_models(), key=lambda r: r["dataset"] != "mnist")
        for row in rows:
            self.model_combo.addItem(row["title"] if row["available"] else f"{row['title']} — not downloaded",
                                     row["name"])
            idx = self.model_combo.count() - 1
            self.model_combo.setItemData(idx, row["reason"], Qt.ItemDataRole.ToolTipRole)
            if not row["available"]:
                self.model_combo.model().item(idx).setEnabled(False)
        pos = self.model_combo.findData(current or "mnist_cnn")
        self.model_combo.setCurrentIndex(max(pos, 0))
        self.model_combo.blockSignals(False)

    @property
    def model_name(self) -> str:
        return self.model_combo.currentData() or "mnist_cnn"

    @property
    def algorithm(self) -> str:
        return self.algorithm_combo.currentData()

    @property
    def encoding(self) -> str:
        return self.encoding_combo.currentData()

    def _dataset(self) -> str:
        return models.get_spec(self.model_name).dataset

    def _model_changed(self) -> None:
        self._labels = models.get_spec(self.model_name).labels
        self._completer_model.setStringList(list(self._labels))
        if self._targets() is None or self._dataset() == "mnist" and self.target_edit.text().strip() == "":
            self.target_edit.setText(DEFAULT_TARGETS[self._dataset()][self.algorithm])
        self._targets_changed()

    def _algorithm_changed(self) -> None:
        ga = self.algorithm == "ga"
        for w in (self.elite_spin, self.selection_combo):
            w.setEnabled(ga)
        targets = self._targets()
        if targets is None or (ga and len(targets) != 1):
            self.target_edit.setText(DEFAULT_TARGETS[self._dataset()][self.algorithm])
        self.population_spin.setValue(24 if ga else 50)
        self.cells_view.setVisible(not ga)
        # the GA has no class cells: its population grid takes the whole left column
        self._grid.removeWidget(self.population_view)
        self._grid.addWidget(self.population_view, 0, 0, 2 if ga else 1, 1)
        self._targets_changed()

    def _encoding_changed(self) -> None:
        enc = self.encoding
        self.rate_label.setText("Pixels mutated" if enc == "direct" else "Weights perturbed")
        self.rate_spin.setToolTip("Fraction of the pixels a mutation changes" if enc == "direct" else
                                  "Chance that each connection weight is perturbed; nodes and connections "
                                  "are also added and removed")
        self.rate_spin.setValue(DEFAULT_RATE[enc])
        self.operator_combo.setEnabled(enc == "direct")
        self.crossover_note.setText(evolution.CROSSOVER_NOTE[enc].capitalize() + ".")

    def _targets(self) -> list[int] | None:
        try:
            return evolution.parse_targets(self._labels, self.target_edit.text())
        except UserError:
            return None

    def _targets_changed(self) -> None:
        targets = self._targets()
        text = self.target_edit.text().strip()
        if targets is None:
            last = text.split(",")[-1].strip()
            hits = models.find_classes(self._labels, last, limit=4) if last else []
            self.target_info.setText("did you mean: " + ", ".join(self._labels[i] for i in hits) if hits else
                                     "<span style='color:#D55E00'>no such class</span>")
        elif self.algorithm == "ga" and len(targets) != 1:
            self.target_info.setText("<span style='color:#D55E00'>the genetic algorithm takes one class; "
                                     "choose MAP-Elites for several</span>")
        elif len(targets) == len(self._labels):
            self.target_info.setText(f"all {len(targets)} classes")
        elif len(targets) == 1:
            self.target_info.setText(f"→ class {targets[0]}: <b>{self._labels[targets[0]]}</b>")
        else:
            self.target_info.setText(f"{len(targets)} classes (names separated by commas, or “all”)")

    def params(self) -> evolution.EvolutionParams:
        pop = self.population_spin.value()
        return evolution.EvolutionParams(
            encoding=self.encoding, algorithm=self.algorithm, population=pop,
            generations=self.generations_spin.value(), stop_at=self.stop_spin.value() / 100,
            elite=min(self.elite_spin.value(), pop - 1), selection=self.selection_combo.currentData(),
            tournament=min(3, pop), mutation_rate=self.rate_spin.value() / 100,
            mutation=self.operator_combo.currentData(), crossover_rate=self.crossover_spin.value() / 100,
            seed=self.seed_spin.value(),
        )

    # ---------------------------------------------------------------- running
    def start(self) -> None:
        targets = self._targets()
        if targets is None:
            self.ctx.error(f"“{self.target_edit.text()}” is not a class name; pick one from the list.")
            return
        try:
            params = self.params().validated()
            if params.algorithm == "ga" and len(targets) != 1:
                raise UserError("the genetic algorithm evolves one class; choose MAP-Elites for several.")
        except UserError as exc:
            self.ctx.error(str(exc)[0].upper() + str(exc)[1:])
            return
        name, device = self.model_name, self.ctx.device
        self._run_params = params
        self._last = None
        self.curve.clear_data()
        self.population_view.clear()
        self.cells_view.clear()
        self.best_view.set_image(None)
        self.export_button.setEnabled(False)

        def job(cancel):
            clf = models.load_classifier(name, device)
            yield from evolution.evolution_job(clf, targets, params, cancel=cancel, show=SHOW)

        what = f"“{self._labels[targets[0]]}”" if len(targets) == 1 else f"{len(targets)} classes"
        self.ctx.status(f"Evolving {params.encoding.upper() if params.encoding == 'cppn' else 'direct'} "
                        f"images for {what} with {name}…")
        self.headline.setText("Loading the network…")
        self.runner.start(job)

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

    def stop(self) -> None:
        self.runner.stop()

    def _running_changed(self, running: bool) -> None:
        self.run_button.setText("Stop  (Space)" if running else "Run  (Space)")
        self.pause_button.setEnabled(running)
        self.pause_button.setText("Pause")
        self.stop_button.setEnabled(running)

    def _job_finished(self) -> None:
        f = self._last
        if f is not None:
            self.ctx.status(f"Done ({f.stop_reason}): {f.generation} generations, {f.queries:,} images "
                            f"queried, {f.seconds:.1f} s. Click any image to inspect it.")

    # ---------------------------------------------------------------- drawing
    def _caption(self, idx: int, prob: float) -> str:
        return f"{self._short(self._labels[idx])} {prob:.2%}" if prob < 0.9995 else \
            f"{self._short(self._labels[idx])} {prob:.3%}"

    @staticmethod
    def _short(name: str) -> str:
        return name if len(name) <= 18 else name[:17] + "…"

    def _show_frame(self, f: evolution.EvolutionFrame) -> None:
        self._last = f
        labels = f.class_names or self._labels
        targets = set(f.targets)
        n = len(f.population_images)
        caps = [self._caption(int(f.population_top5[i, 0]), float(f.population_top5_probs[i, 0])) for i in range(n)]
        goal = self._run_params.stop_at if self._run_params and self._run_params.stop_at else 0.99
        hits = [int(f.population_top5[i, 0]) in targets and float(f.population_top5_probs[i, 0]) >= goal
                for i in range(n)]
        tips = [f"{labels[int(f.population_top5[i, 0])]}: {f.population_top5_probs[i, 0]:.4%}\n"
                f"{f.population_notes[i]}\nclick to inspect" for i in range(n)]
        self.population_view.set_mosaic(f.population_mosaic, f.population_cols, n, caps, hits, tips)
        if f.algorithm == "ga":
            self.population_view.set_title(f"Population, best first (generation {f.generation})")
        else:
            self.population_view.set_title(f"This generation's children (generation {f.generation})")
        if f.algorithm == "map-elites":
            k = len(f.targets)
            ccaps = [f"{self._short(labels[t])} {f.cell_probs[c]:.2%}" if f.cell_images[c] is not None
                     else f"{self._short(labels[t])} —" for c, t in enumerate(f.targets)]
            chits = [bool(f.cell_probs[c] >= goal) for c in range(k)]
            ctips = [f"{labels[t]}: {f.cell_probs[c]:.4%}, found in generation {f.cell_generation[c]}"
                     for c, t in enumerate(f.targets)]
            self.cells_view.set_mosaic(f.cell_mosaic, f.cell_cols, k, ccaps, chits, ctips)
            done = int(sum(chits))
            self.cells_view.set_title(f"One cell per class, its most convincing image: {done}/{k} at ≥ {goal:.2%}")
        if f.best_image is not None:
            self.best_view.set_image(f.best_image)
            self.best_view.set_title(f"Best so far: “{labels[f.best_target]}” {f.best_prob:.3%}")
            c = f.targets.index(f.best_target)
            self.best_top5.set_bars([labels[int(i)] for i in f.cell_top5[c]], [float(p) for p in f.cell_top5_probs[c]],
                                    highlight=0 if int(f.cell_top5[c, 0]) == f.best_target else None)
        gens = np.arange(len(f.history_best))
        self.curve.set_data("best", gens, f.history_best)
        self.curve.set_data("mean", gens, f.history_mean)
        self.headline.setText(
            f"generation <b>{f.generation:,}</b>&nbsp;&nbsp;·&nbsp;&nbsp;<b>{f.queries:,}</b> images queried"
            f"&nbsp;&nbsp;·&nbsp;&nbsp;best <span style='color:{style.TARGET_COLOR}'>“{labels[f.best_target]}” "
            f"{f.best_prob:.3%}</span>")
        state = " — paused" if self.runner.is_paused else ""
        self.readout.setText(
            f"{f.images_per_second:,.0f} images evaluated per second    {f.seconds:.1f} s    "
            f"black box: no gradient is ever computed{state}"
            + (f"    — {f.stop_reason}" if f.done else ""))
        self.export_button.setEnabled(True)

    # ---------------------------------------------------------------- inspection
    def _ensure_inspector(self) -> InspectDialog:
        if self.inspector is None:
            self.inspector = InspectDialog(self)
        return self.inspector

    def _inspect_population(self, i: int) -> None:
        f = self._last
        if f is None or i >= len(f.population_images):
            return
        labels = f.class_names
        top, probs = [int(x) for x in f.population_top5[i]], [float(x) for x in f.population_top5_probs[i]]
        hl = next((k for k, c in enumerate(top) if c in f.targets), None)
        self._ensure_inspector().show_image(
            f.population_images[i], f"Image {i + 1}, generation {f.generation}",
            [labels[c] for c in top], probs, hl,
            f"Top-1 “{labels[top[0]]}” at {probs[0]:.4%}. Genome: {f.population_notes[i]}. "
            "Top-5 from the query that scored it: no extra question was asked.",
            f"{labels[top[0]].replace(' ', '_')}-gen{f.generation}")

    def _inspect_cell(self, c: int) -> None:
        f = self._last
        if f is None or c >= len(f.targets) or f.cell_images[c] is None:
            return
        labels = f.class_names
        t = f.targets[c]
        top, probs = [int(x) for x in f.cell_top5[c]], [float(x) for x in f.cell_top5_probs[c]]
        self._ensure_inspector().show_image(
            f.cell_images[c], f"Elite of “{labels[t]}”", [labels[k] for k in top], probs,
            top.index(t) if t in top else None,
            f"“{labels[t]}” at {f.cell_probs[c]:.4%}, found in generation {f.cell_generation[c]} "
            f"after {f.cell_queries[c]:,} images queried.",
            f"{labels[t].replace(' ', '_')}-elite")

    # ---------------------------------------------------------------- files
    def export_grid(self, path: str | None = None) -> bool:
        f = self._last
        if f is None:
            self.ctx.status("Nothing to export yet: run the evolution first.")
            return False
        view = self.cells_view if f.algorithm == "map-elites" else self.population_view
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export the grid", f"evolution-{f.algorithm}-grid.png",
                                                  "PNG image (*.png)")
            if not path:
                return False
        try:
            saved = view.grab_png(path)
        except UserError as exc:
            self.ctx.error(str(exc))
            return False
        self.ctx.status(f"Exported the grid to {saved}.")
        self.grid_exported.emit(str(saved))
        return True

    def save_result(self) -> bool:
        """Ctrl+S saves the best image so far."""
        f = self._last
        if f is None or f.best_image is None:
            return False
        path, _ = QFileDialog.getSaveFileName(self, "Save the best image",
                                              f"{f.class_names[f.best_target].replace(' ', '_')}-evolved.png",
                                              "PNG image (*.png)")
        if not path:
            return True
        try:
            saved = imaging.save_png(path, f.best_image)
        except UserError as exc:
            self.ctx.error(str(exc))
            return True
        self.ctx.status(f"Saved {saved}.")
        return True

    # ---------------------------------------------------------------- settings
    def save_settings(self, s: QSettings) -> None:
        s.setValue("model", self.model_name)
        s.setValue("algorithm", self.algorithm)
        s.setValue("encoding", self.encoding)
        s.setValue("targets", self.target_edit.text())
        s.setValue("rate", self.rate_spin.value())
        s.setValue("operator", self.operator_combo.currentData())
        s.setValue("crossover", self.crossover_spin.value())
        s.setValue("population", self.population_spin.value())
        s.setValue("elite", self.elite_spin.value())
        s.setValue("selection", self.selection_combo.currentData())
        s.setValue("generations", self.generations_spin.value())
        s.setValue("stop_at", self.stop_spin.value())
        s.setValue("seed", self.seed_spin.value())

    def restore_settings(self, s: QSettings) -> None:
        def combo(box: QComboBox, value) -> None:
            i = box.findData(value)
            if i >= 0 and box.model().item(i).isEnabled():
                box.setCurrentIndex(i)

        try:
            combo(self.model_combo, s.value("model", "mnist_cnn"))
            combo(self.algorithm_combo, s.value("algorithm", "map-elites"))
            combo(self.encoding_combo, s.value("encoding", "cppn"))
            if s.value("targets"):
                self.target_edit.setText(str(s.value("targets")))
            self.rate_spin.setValue(float(s.value("rate", self.rate_spin.value())))
            combo(self.operator_combo, s.value("operator", "polynomial"))
            self.crossover_spin.setValue(float(s.value("crossover", 20)))
            self.population_spin.setValue(int(s.value("population", self.population_spin.value())))
            self.elite_spin.setValue(int(s.value("elite", 2)))
            combo(self.selection_combo, s.value("selection", "tournament"))
            self.generations_spin.setValue(int(s.value("generations", 2000)))
            self.stop_spin.setValue(float(s.value("stop_at", 99.99)))
            self.seed_spin.setValue(int(s.value("seed", 0)))
        except (TypeError, ValueError):
            pass  # a damaged settings file: keep the defaults

    def shutdown(self) -> None:
        if self.inspector is not None:
            self.inspector.close()
        super().shutdown()


__all__ = ["EvolutionTab", "InspectDialog"]
