"""Page 4: DeepDream — what a stage sees in the photo, made to grow."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QListWidget, QListWidgetItem, QVBoxLayout

from core import anatomy, dream
from core.errors import UserError

from ...widgets import ImagePanel
from ...widgets.param_form import ParamForm
from .common import Page, run_text

CAPTION = ("<b>DeepDream</b>: we change the photo so that whatever a stage already sees in it grows "
           "stronger — early stages paint strokes and textures, later ones eyes, fur and faces. Octaves: "
           "small first, then larger. The regularisers keep the dream close to what photos look like.")


def dream_headline(f: dream.DreamFrame) -> str:
    """What the dream is doing, or that it has finished (or was stopped) and where."""
    where = " + ".join(f.stages)
    size = f"{f.octave_size[1]}×{f.octave_size[0]}"
    if not f.done:
        return f"dreaming at {where} · octave {f.octave}/{f.octaves} ({size})"
    if f.step >= f.total:
        return f"done: dreamt at {where} · {f.octaves} octaves, up to {size}"
    return f"stopped at {where} · octave {f.octave}/{f.octaves} ({size})"


class DreamPage(Page):
    title = "DeepDream"
    kinds = ("dream",)

    def __init__(self, tab) -> None:
        super().__init__(tab, CAPTION)
        box = QGroupBox("Stages (tick one or more)")
        col = QVBoxLayout(box)
        self.stage_list = QListWidget()
        self.stage_list.setMinimumHeight(150)
        col.addWidget(self.stage_list)
        self.controls.addWidget(box)
        self.form = self.add_form_box("Dream", "dream", ParamForm(
            dream.DreamParams, ("octaves", "octave_scale", "steps", "step_size", "jitter", "regularise")))
        self.finish_controls()

        self.photo_view = ImagePanel("The photo")
        self.dream_view = ImagePanel("The dream")
        self.headline = self.readout(1.5, bold=True)
        self.detail = self.readout(1.1)
        row = QHBoxLayout()
        row.addWidget(self.photo_view, 1)
        row.addWidget(self.dream_view, 1)
        self.views.addWidget(self.headline)
        self.views.addLayout(row, 1)
        self.views.addWidget(self.detail)
        self._last: dream.DreamFrame | None = None
        self._filled = False

    def activated(self) -> None:
        if not self._filled:
            self.stages_changed()
        self.photo_view.set_image(self.session.picture())

    def stages_changed(self) -> None:
        try:
            stages = [s for s in self.session.stages() if s.kind == "conv"]
            default = anatomy.dream_default(self.session.classifier()).name
        except UserError as exc:
            self.tab.ctx.error(str(exc))
            return
        ticked = set(self.chosen()) or {default}
        self.stage_list.clear()
        for s in stages:
            item = QListWidgetItem(f"{s.name}  ({s.channels} ch, {s.shape[1]}×{s.shape[2]})")
            item.setData(Qt.ItemDataRole.UserRole, s.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if s.name in ticked else Qt.CheckState.Unchecked)
            self.stage_list.addItem(item)
        self._filled = True

    def chosen(self) -> list[str]:
        out = []
        for i in range(self.stage_list.count()):
            item = self.stage_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out

    def set_chosen(self, names: list[str]) -> None:
        for i in range(self.stage_list.count()):
            item = self.stage_list.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in names
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def picture_changed(self) -> None:
        self.photo_view.set_image(self.session.picture())
        self._last = None

    def start(self) -> None:
        if not self._filled:
            self.stages_changed()
        names = self.chosen()
        if not names:
            self.tab.ctx.error("Tick at least one stage to dream at.")
            return
        try:
            params = self.form.params()
        except UserError as exc:
            self.tab.ctx.error(str(exc))
            return
        stages = [self.session.stage(n) for n in names]
        clf, image = self.session.classifier(), self.session.picture()
        self.photo_view.set_image(image)
        self.tab.ctx.status(f"Dreaming at {', '.join(names)}…")
        self.tab.run(self, lambda cancel: dream.dream_job(clf, image, stages, params, cancel=cancel), "dream")

    def on_running(self, running: bool) -> None:
        self.run_button.setText(run_text(running))

    def on_finished(self) -> None:
        f = self._last
        if f is not None and f.done:
            self.tab.ctx.status(f"Dream done: {f.step} steps in {f.seconds:.1f} s at {', '.join(f.stages)}. "
                                "Save it with Ctrl+S.")

    def on_frame(self, f: dream.DreamFrame) -> None:
        self._last = f
        self.photo_view.set_image(f.original)
        self.dream_view.set_image(f.image)
        self.dream_view.set_title("The dream" + ("" if f.done else " (live)"))
        self.headline.setText(dream_headline(f))
        self.detail.setText(f"step {f.step}/{f.total} · {f.steps_per_second:.1f} steps/s · {f.seconds:.1f} s")

    def result(self):
        if self._last is None:
            return None
        stem = Path(self.session.picture_key).stem or "photo"
        return self._last.image, f"{stem}-dream-{'+'.join(self._last.stages)}.png"

    def extra_state(self) -> dict:
        return {"dream_stages": self.chosen()}

    def apply_extra_state(self, extra: dict) -> list[str]:
        names = extra.get("dream_stages")
        if isinstance(names, list) and names:
            self.activated()
            self.set_chosen([str(n) for n in names])
        return []
