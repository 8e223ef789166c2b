"""The Autoencoder tab: compress digits, train live, denoise, and call off-manifold images liars.

The tab wires four pages (one module each) to one :class:`AutoencoderSession` and one job runner:
``train``, ``detector`` (the ROC), ``fooling`` (one fooling image: the digit classifier may need
loading or training, never on the UI thread) and ``download``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QSettings, QSignalBlocker
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from core import autoencoders as ae
from core import data, imaging
from core.errors import UserError

from ...widgets import style
from ...widgets.save_png import save_as
from ..base import AppContext, LabTab
from .controls import ControlPanel
from .denoising_page import DenoisingPage
from .detector_page import DetectorPage
from .latent_page import LatentPage
from .session import AutoencoderSession
from .training_page import TrainingPage

PAGES = ("training", "denoising", "detector", "latent")
TRAIN_TEXT = "Train from scratch"
#: the pages where Space trains; elsewhere it does the page's own point (a button there says so)
TRAINING_PAGES = ("training", "latent")


class AutoencoderTab(LabTab):
    key = "autoencoder"
    title = "Autoencoder"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.session = AutoencoderSession(self)
        root = QVBoxLayout(self)
        root.addWidget(self.make_caption(
            "An <b>autoencoder</b> squeezes each 28×28 digit (784 numbers) through a <b>code</b> of a few "
            "numbers and rebuilds it. Digits come back well; anything that is not a digit comes back "
            "badly — so a high <b>reconstruction loss</b> exposes a fooling image: <b>LIAR!</b>"))
        body = QHBoxLayout()
        root.addLayout(body, 1)
        self.run_button = self.make_run_button(TRAIN_TEXT, self.toggle_training)
        self.controls = ControlPanel(self.run_button)
        body.addWidget(self.controls)
        self.training = TrainingPage(self.session)
        self.denoising = DenoisingPage(self.session)
        self.detector = DetectorPage(self.session)
        self.latent = LatentPage(self.session)
        self.pages = QTabWidget()
        for page, text in ((self.training, "1 · Training"), (self.denoising, "2 · Denoising"),
                           (self.detector, "3 · LIAR! detector"), (self.latent, "4 · Latent space")):
            self.pages.addTab(page, text)
        font = self.pages.tabBar().font()
        font.setPointSize(font.pointSize() + 2)
        font.setBold(True)
        self.pages.tabBar().setFont(font)
        body.addWidget(self.pages, 1)
        self.set_pages(self.pages)
        self.pages.currentChanged.connect(lambda _i: self._update_buttons())
        c = self.controls
        self.add_form("model", c.model_form)
        self.add_form("training", c.train_form)
        self.add_form("denoising", self.denoising.form)
        self.add_form("detector", self.detector.form)

        c.model_form.params_changed.connect(lambda _p: self._config_changed())
        c.train_form.params_changed.connect(lambda p: self.training.show_empty(p.epochs) if self.session.trained is None else None)
        c.data_combo.activated.connect(self._data_chosen)
        c.download_button.clicked.connect(self.download_mnist)
        c.load_button.clicked.connect(self._load_dialog)
        c.save_button.clicked.connect(lambda: self.save_result())
        self.detector.fooling_requested.connect(self.make_fooling_image)
        self.detector.measure_requested.connect(self.run_detector_test)
        self.detector.open_requested.connect(self._open_dialog)
        self.detector.status.connect(self.ctx.status)
        self.latent.status.connect(self.ctx.error)
        self.session.model_changed.connect(lambda _t: self._update_model_info())
        self.session.digits_changed.connect(lambda _d: self._update_data_info())
        self.runner.frame_ready.connect(self._show_frame)
        self.runner.running_changed.connect(lambda _on: self._update_buttons())
        self.runner.job_finished.connect(self._update_buttons)
        self.runner.job_failed.connect(lambda _msg: self._update_buttons())
        self._update_data_info()
        self._update_buttons()  # also picks the model for the form's settings

    # ------------------------------------------------------------------ read-outs (tests, scenes)
    @property
    def trained(self) -> ae.TrainedAE | None:
        return self.session.trained

    @property
    def model_info(self):
        return self.controls.model_info

    def config(self) -> ae.AEConfig:
        return self.controls.model_form.params()

    # ------------------------------------------------------------------ presentation
    def set_presentation(self, on: bool) -> None:
        super().set_presentation(on)  # reaches every child with set_presentation (the pages too)

    # ------------------------------------------------------------------ model choice
    def params_applied(self, name: str, params: Any) -> None:
        if name == "model":
            self._config_changed()
        elif name == "denoising":
            self.denoising.params_applied(params)
        elif name == "detector":
            self.detector.rejudge()

    def _config_changed(self) -> None:
        if self.runner.kind == "train":
            return
        try:
            cfg = self.config()
        except UserError:
            return
        try:
            if self.session.use_shipped(cfg):
                self._update_model_info()
                return
        except UserError as exc:
            self.ctx.error(str(exc))
        self._update_model_info(pending=cfg)

    def _update_model_info(self, pending: ae.AEConfig | None = None) -> None:
        t = self.session.trained
        if t is None:
            text = "<b>No model yet.</b> Press <i>Train from scratch</i>."
        else:
            unit = "BCE" if t.config.loss == "bce" else "MSE"
            text = (f"<b>Using:</b> {t.config.title}<br>{t.epochs} epochs, {self.session.origin}<br>"
                    f"validation {unit} <b>{t.val_loss:.4f}</b>")
            if t.unfit:
                text += f"<br><span style='color:{style.VERMILLION}'><b>Cannot judge:</b> {t.unfit}.</span>"
        if pending is not None:
            text += (f"<br><span style='color:{style.VERMILLION}'><b>No trained weights for</b> "
                     f"{pending.title}: press <i>Train from scratch</i>.</span>")
        self.controls.model_info.setText(text)

    # ------------------------------------------------------------------ digits
    def _data_chosen(self) -> None:
        choice = self.controls.data_combo.currentData()
        if choice == "idx":
            start = self.session.data_source if self.session.data_source not in ("sample", "full") else ""
            folder = QFileDialog.getExistingDirectory(self, "Folder with MNIST IDX files", start)
            if not folder:
                self._update_data_info()
                return
            choice = folder
        self.set_data_source(choice)

    def set_data_source(self, source: str) -> bool:
        """Train on ``sample``, ``full`` or an IDX folder; a problem is one sentence, the digits stay."""
        try:
            self.session.set_data_source(source)
        except UserError as exc:
            self.ctx.error(str(exc))
            self._update_data_info()
            return False
        self.ctx.status(f"Training data: {self.session.digits.source}.")
        return True

    def open_idx_folder(self, folder: str) -> bool:
        return self.set_data_source(folder)

    def _update_data_info(self) -> None:
        d, source = self.session.digits, self.session.data_source
        combo = self.controls.data_combo
        with QSignalBlocker(combo):
            combo.setCurrentIndex(combo.findData(source if source in ("sample", "full") else "idx"))
        self.controls.download_button.setVisible(not data.full_mnist_available())
        # the source names its own size in brackets: no second pair around it
        self.controls.data_info.setText(f"{len(d.x_train):,} training and {len(d.x_val):,} validation digits "
                                        f"from the {d.source}.")

    def extra_state(self) -> dict[str, Any]:
        return {"data": self.session.data_source}

    def apply_extra_state(self, extra: dict[str, Any]) -> list[str]:
        source = extra.get("data", "sample")
        if not isinstance(source, str):
            return [f"{self.title}: the data source must be text"]
        if source != self.session.data_source:
            try:
                self.session.set_data_source(source)
            except UserError as exc:
                return [f"{self.title}: {exc} (kept {self.session.digits.source})"]
        return []

    def save_settings(self, settings: QSettings) -> None:
        super().save_settings(settings)
        settings.setValue("data", self.session.data_source)

    def restore_settings(self, settings: QSettings) -> None:
        super().restore_settings(settings)
        problems = self.apply_extra_state({"data": str(settings.value("data", "sample"))})
        if problems:
            self.ctx.status(problems[0])

    # ------------------------------------------------------------------ jobs
    def start(self) -> None:
        """Space: each page's point — train, new noisy digits to clean, or a fooling image judged."""
        page = PAGES[self.page]
        if page == "denoising":
            self.denoising.new_noise()
        elif page == "detector":
            self.make_fooling_image()
        else:
            self.train()

    def toggle_training(self) -> None:
        if self.is_running:
            self.stop()
        else:
            self.train()

    def train(self) -> None:
        if self.is_running:
            return
        try:
            cfg = self.config()
            params = self.controls.train_form.params()
        except UserError as exc:
            self.ctx.error(str(exc))
            return
        digits, device = self.session.digits, self.ctx.device

        def job(cancel):
            return ae.train_job(digits, cfg, params, device=device, cancel=cancel)

        self.training.show_empty(params.epochs)
        self.set_page(PAGES.index("training"))
        self.runner.start(job, kind="train")
        self.ctx.status(f"Training {cfg.title} on {len(digits.x_train):,} digits…")

    def _busy(self) -> bool:
        if self.is_running:
            self.ctx.error("Wait for the running job to finish (or stop it) first.")
            return True
        return False

    def run_detector_test(self) -> None:
        t, digits = self.session.trained, self.session.digits
        if self._busy():
            return
        if t is None:
            self.ctx.error("Train or load an autoencoder first.")
            return
        try:
            p = self.detector.form.params()
        except UserError as exc:
            self.ctx.error(str(exc))
            return
        self.runner.start(lambda cancel: ae.detector_job(t, digits, n=p.images_per_kind, k=p.k, seed=0,
                                                          cancel=cancel), kind="detector")
        self.ctx.status("Making off-manifold images and scoring them…")

    def make_fooling_image(self) -> None:
        """A fooling image for the digit classifier, made by a job (loading or training it takes
        a second or more), then judged."""
        if self._busy():
            return
        seed = self.detector.next_seed()
        self.runner.start(lambda cancel: ae.fooling_image_job(seed=seed, cancel=cancel), kind="fooling")
        self.ctx.status("Making a fooling image…")

    def download_mnist(self) -> None:
        if self._busy():
            return
        self.runner.start(lambda cancel: data.download_mnist_job(cancel=cancel), kind="download")
        self.ctx.status("Downloading the full MNIST…")

    def _update_buttons(self) -> None:
        kind = self.runner.kind
        space = "  (Space)" if PAGES[self.page] in TRAINING_PAGES else ""
        self.run_button.setText(TRAIN_TEXT + space if kind is None else "Stop  (Esc)")
        for w in self.controls.editors():
            w.setEnabled(kind is None)
        self.detector.roc_button.setEnabled(kind is None)
        self.detector.buttons["fooling"].setEnabled(kind is None)
        if kind is None:
            self._config_changed()

    def _show_frame(self, f) -> None:
        if isinstance(f, ae.TrainFrame):
            self.training.show_frame(f)
            if f.done:
                self._training_done(f)
        elif isinstance(f, ae.DetectorFrame):
            self.detector.show_detector_frame(f)
        elif isinstance(f, ae.FoolingFrame):
            if f.done and f.image is not None:
                self.set_page(PAGES.index("detector"))
                v = self.detector.judge_digit(f.image, f.message)
                self.ctx.status(f"{f.message}: {v.text}" if v is not None else f.message)
            else:
                self.ctx.status(f.message)
        elif isinstance(f, data.MnistDownloadFrame):
            if f.done:
                self.ctx.status(f.message)
                self._update_data_info()
            elif f.size:
                self.ctx.status(f"{f.message}: {f.received / 2**20:.1f} / {f.size / 2**20:.1f} MB")

    def _training_done(self, f: ae.TrainFrame) -> None:
        if f.result is not None:
            state = "stopped" if f.epoch < f.epochs else "trained live"
            self.session.set_model(f.result, f"{state} on {self.session.digits.source}")
        if f.failure:
            self.ctx.error(f.failure[:1].upper() + f.failure[1:] + ".")
        elif f.result is not None:
            self.ctx.status(f"Done: validation loss {f.result.val_loss:.4f} after {f.epoch} epochs "
                            f"({f.seconds:.0f} s).")

    # ------------------------------------------------------------------ files / other tabs
    def open_file(self, path: str) -> bool:
        p = Path(path)
        try:
            if p.is_dir():
                self.open_idx_folder(str(p))
                return True
            if p.suffix.lower() in ae.SUFFIXES:
                self.load_weights(str(p))
                return True
            image = imaging.load_image(p)
            self.judge_picture(image, p.name)
        except UserError as exc:
            self.ctx.error(str(exc))
        return True

    def judge_picture(self, image: np.ndarray, name: str) -> ae.Verdict | None:
        try:
            v = self.detector.judge_picture(image, name)
        except UserError as exc:
            self.ctx.error(str(exc))
            return None
        self.set_page(PAGES.index("detector"))
        return v

    def judge_digit(self, digit: np.ndarray, name: str) -> ae.Verdict | None:
        self.set_page(PAGES.index("detector"))
        return self.detector.judge_digit(digit, name)

    def receive_image(self, image: np.ndarray, label: str) -> None:
        v = self.judge_picture(image, label)
        if v is not None:
            self.ctx.status(f"{label}: {v.text}")

    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Image to test", "", imaging.OPEN_FILTER)
        if path:
            self.open_file(path)

    def _load_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Autoencoder weights", "", ae.OPEN_FILTER)
        if path:
            self.load_weights(path)

    def load_weights(self, path: str) -> bool:
        if self._busy():
            return False
        try:
            trained = ae.TrainedAE.load(path, "cpu")
        except UserError as exc:
            self.ctx.error(str(exc))
            return False
        form = self.controls.model_form
        form.set_params(trained.config)  # signals blocked: the loaded model is not replaced
        self.session.set_model(trained, f"loaded from {Path(path).name}")
        self.ctx.status(f"Loaded {trained.config.title} from {Path(path).name}.")
        if trained.unfit:
            self.ctx.error(f"This autoencoder cannot judge images: {trained.unfit}.")
        return True

    def save_result(self, path: str | None = None) -> bool:
        t = self.session.trained
        if t is None:
            self.ctx.status("Nothing to save yet: train a model first.")
            return False
        try:
            saved = save_as(self, t.save, f"autoencoder_{t.config.name}.pt", title="Save autoencoder weights",
                            file_filter="PyTorch weights (*.pt);;safetensors (*.safetensors)", path=path)
            if saved is None:
                return False
        except UserError as exc:
            self.ctx.error(str(exc))
            return False
        self.ctx.status(f"Saved the weights to {saved}.")
        return True
