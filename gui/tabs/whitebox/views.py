"""The gradient-ascent tab's right-hand page: caption, headline, pictures, top-5, belief curve."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.readable import percent
from core.whitebox import WhiteboxFrame

from ...widgets import BarChart, CurvePlot, ImagePanel, ReadoutLabel, style
from ...widgets.repaint import paint_views_with_text

CAPTIONS = {
    "photo": "A photo: every pixel moves by at most ε = {eps} of 255 levels (invisible to us) towards "
             "the <b>target</b> class. The picture looks the same; the network's belief does not.",
    "noise": "Random noise: every pixel moves by at most ε = {eps} of 255 levels towards the "
             "<b>target</b> class. Still noise to us; the target to the network.",
    "sent": "The image from {source}: every pixel moves by at most ε = {eps} of 255 levels towards "
            "the <b>target</b> class.",
}


def caption_text(kind: str, eps: float, source: str = "") -> str:
    return CAPTIONS.get(kind, CAPTIONS["photo"]).format(eps=f"{eps:g}", source=source)


class WhiteboxViews(QWidget):
    """Draws what the session holds; knows nothing about running jobs."""

    def __init__(self, caption: QLabel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = caption
        self.original_view = ImagePanel("Original")
        self.adversarial_view = ImagePanel("Adversarial")
        self.perturbation_view = ImagePanel("Change")
        self.top5 = BarChart("Top 5 classes")
        self.curve = CurvePlot("Belief versus step", x_label="step", y_label="probability")
        # The raw curve is the probability of the image at each step; the bold line is the best
        # image so far, the one the attack keeps and Save writes.
        self.curve.add_curve("target", None, "#EDB99A", width=1.5)  # faint, no legend entry
        self.curve.add_curve("best", "target (best so far)", style.TARGET_COLOR, width=4)
        self.curve.add_curve("original", "original class", style.ORIGINAL_COLOR, dashed=True)
        # right, half-way up: the target ends near 1 and the original class near 0, both clear of it
        self.curve.legend.anchor(itemPos=(1, 0.5), parentPos=(1, 0.5), offset=(-8, 0))
        self.curve.setYRange(0, 1, padding=0.02)
        self.curve.setMouseEnabled(x=False, y=False)
        self.headline = ReadoutLabel(scale=1.6)
        self.headline.reserve_lines(2)  # what it sees over the target: the pictures never jump
        self.readout = ReadoutLabel(scale=1.3, bold=False)
        self._steps = 60

        images = QHBoxLayout()
        for view in (self.original_view, self.adversarial_view, self.perturbation_view):
            images.addWidget(view, 1)
        plots = QHBoxLayout()
        plots.addWidget(self.top5, 1)
        plots.addWidget(self.curve, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(caption)
        layout.addWidget(self.headline)
        layout.addLayout(images, 1)
        layout.addLayout(plots, 1)
        layout.addWidget(self.readout)
        self.clear_plots()

    # ------------------------------------------------------------------ empty states
    def set_step_budget(self, steps: int) -> None:
        """The belief plot's x axis spans the run's budget, so the curve fills it as the attack goes."""
        self._steps = max(1, int(steps))
        self.curve.setXRange(0, self._steps, padding=0.02)

    def clear_plots(self) -> None:
        """Empty but readable: probability 0…1 against step 0…budget, no bars."""
        self.curve.clear_data()
        self.set_step_budget(self._steps)
        self.curve.setYRange(0, 1, padding=0.02)
        self.top5.set_bars([], [])
        self.top5.setXRange(0, 1, padding=0)

    def show_input(self, image: np.ndarray) -> None:
        self.original_view.set_image(image)
        self.adversarial_view.set_image(image)
        self.adversarial_view.set_title("Adversarial")
        self.perturbation_view.set_image(np.full_like(image, 128))
        self.perturbation_view.set_note("")
        self.clear_plots()

    # ------------------------------------------------------------------ a frame
    def show_frame(self, f: WhiteboxFrame, labels, *, running: bool) -> None:
        """The pictures, top 5 and curves of ``f``; the caller sets the headline and read-out after."""
        self.adversarial_view.set_image(f.image)
        # as long as "(live)", so it fits the panel at 1280×720; the read-out says which step
        note = " (best)" if f.done and f.image_step != f.step else " (live)" if running and not f.done else ""
        self.adversarial_view.set_title("Adversarial" + note)
        self.perturbation_view.set_image(f.perturbation)
        self.perturbation_view.set_note(f"×{f.gain:.0f} amplified" if f.linf_255 > 0 else "no change yet")
        names = [labels[i] for i in f.top_indices]
        highlight = f.top_indices.index(f.target) if f.target in f.top_indices else None
        self.top5.set_bars(names, f.top_probs, highlight=highlight)
        if running:
            if f.step == 0:
                self.set_step_budget(f.total)
            steps = np.arange(len(f.history_target))
            self.curve.set_data("target", steps, f.history_target)
            self.curve.set_data("best", steps, np.maximum.accumulate(f.history_target))
            self.curve.set_data("original", steps, f.history_original)
        paint_views_with_text(self)

    def show_headline(self, labels, top1: int, top1_prob: float, target: int | None,
                      target_prob: float | None) -> None:
        """Two lines, always: what the network sees, then the target. A number is tied to its name
        by a no-break space, so it never sits alone on a line (at 1280×720 “African elephant” used
        to push its “0.0%” onto a second line and back, and the pictures below jumped with it)."""
        colour = style.TARGET_COLOR if top1 == target else style.ORIGINAL_COLOR
        text = f"The network sees <span style='color:{colour}'>“{labels[top1]}”&nbsp;{percent(top1_prob)}</span><br>"
        if target is None:
            text += "target: type a class name"
        else:
            shown = "…" if target_prob is None else percent(target_prob)
            text += (f"target “{labels[target]}”&nbsp;<span style='color:{style.TARGET_COLOR}'>{shown}</span>"
                     + (" · on top" if top1 == target else ""))
        self.headline.setText(text)

    def belief_series(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The plotted curves (x, y) by key: what the audience sees in the belief plot."""
        return {key: self.curve.curve_data(key) for key in ("best", "target", "original")}
