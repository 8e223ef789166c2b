"""Page 1: the network's anatomy, and the current picture's feature maps at the stage clicked."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel

from core import featuremaps
from core.errors import UserError
from core.readable import number, percent, share

from ...widgets import BarChart, ImagePanel
from ...widgets.mosaic import MosaicView
from .common import Page, stage_title
from .diagram import StageDiagram

CAPTION = ("A classifier is a long chain of <b>convolutional</b> stages (blue) that <b>extract</b> features "
           "— edges, colours, textures, parts — and a short <b>dense</b> part (orange) that <b>uses</b> them "
           "to pick a class. <b>Click a stage</b> to see what the picture looks like there: its most active "
           "feature maps, bright where a channel responds. <b>Space</b> steps to the next stage.")


class AnatomyPage(Page):
    title = "Anatomy"
    kinds = ("maps",)

    def __init__(self, tab) -> None:
        super().__init__(tab, CAPTION)
        self.side.hide()  # the diagram is the control here
        self.diagram = StageDiagram()
        self.diagram.stage_clicked.connect(self._clicked)
        self.picture_view = ImagePanel("The picture")
        self.maps_view = MosaicView("", lines=1, min_cell=48, max_cell=200,
                                    placeholder="Click a stage above to see its feature maps")
        self.units_view = BarChart("Most active units", x_label="value")
        self.units_view.hide()
        self.headline = self.readout(1.5, bold=True)
        self.headline.setText("Click a stage in the diagram.")
        self.note = self.readout(1.1)
        self._stage_index: int | None = None
        self.compare_combo = QComboBox()
        self.compare_combo.setToolTip("Show where this picture's feature maps differ from another's "
                                      "(e.g. a photo and its adversarial copy)")
        self.compare_combo.currentIndexChanged.connect(lambda _i: self._refresh())
        compare_row = QHBoxLayout()
        compare_row.addStretch(1)
        compare_row.addWidget(QLabel("Compare with"))
        compare_row.addWidget(self.compare_combo)
        self._fill_compare()
        row = QHBoxLayout()
        row.addWidget(self.picture_view, 2)
        row.addWidget(self.maps_view, 5)
        row.addWidget(self.units_view, 5)
        self.views.addWidget(self.diagram)
        head = QHBoxLayout()
        head.addWidget(self.headline, 1)
        head.addLayout(compare_row)
        self.views.addLayout(head)
        self.views.addLayout(row, 1)
        self.views.addWidget(self.note)

    # -- page API
    def activated(self) -> None:
        try:
            stages = self.session.stages()
        except UserError as exc:
            self.tab.ctx.error(str(exc))
            return
        h, w = self.session.input_size
        self.diagram.set_stages(stages, f"3×{h}×{w}")
        if self._stage_index is None:
            self._stage_index = min(4, len(stages) - 1)
        self.diagram.set_selected(self._stage_index)
        self._refresh()

    def stages_changed(self) -> None:
        self._stage_index = None
        if self.isVisible():
            self.activated()

    def _fill_compare(self) -> None:
        current = self.compare_combo.currentData()
        self.compare_combo.blockSignals(True)
        self.compare_combo.clear()
        self.compare_combo.addItem("nothing", "")
        for key, (title, _img) in self.session.pictures.items():
            if key != self.session.picture_key:
                self.compare_combo.addItem(title, key)
        self.compare_combo.setCurrentIndex(max(0, self.compare_combo.findData(current)))
        self.compare_combo.blockSignals(False)

    def picture_changed(self) -> None:
        self._fill_compare()
        if self.isVisible():
            self._refresh()

    def start(self) -> None:
        """Space (or a clicker) walks through the stages, input to output, and round again."""
        stages = self.session.stages()
        nxt = 0 if self._stage_index is None else (self._stage_index + 1) % len(stages)
        self._clicked(nxt)
        self.diagram.set_selected(nxt)

    def _clicked(self, index: int) -> None:
        self._stage_index = index
        self._refresh()

    def select(self, name: str) -> bool:
        for s in self.session.stages():
            if s.name == name:
                self._clicked(s.index)
                self.diagram.set_selected(s.index)
                return True
        return False

    def extra_state(self) -> dict:
        stages = self.session._stages or []
        i = self._stage_index
        return {"anatomy_stage": stages[i].name} if i is not None and i < len(stages) else {}

    def apply_extra_state(self, extra: dict) -> list[str]:
        name = extra.get("anatomy_stage")
        if isinstance(name, str) and name:
            if self.session.stage(name) is None:
                return [f"Inside the network: no stage “{name}”"]
            self._stage_index = self.session.stage(name).index
            self.diagram.set_selected(self._stage_index)
            if self.isVisible():
                self._refresh()
        return []

    def _refresh(self) -> None:
        if self._stage_index is None:
            return
        stage = self.session.stages()[self._stage_index]
        picture = self.session.fitted_picture()
        self.picture_view.set_image(picture)
        self.picture_view.set_title(self.session.picture_title)
        clf = self.session.classifier()
        labels = clf.labels
        other_key = self.compare_combo.currentData()
        other = None
        if other_key and other_key in self.session.pictures:
            other = self.session.fitted_picture(other_key)

        def job(cancel):
            yield from featuremaps.maps_job(clf, picture, stage, count=16, compare=other, cancel=cancel)

        self._labels = labels
        self.tab.run(self, job, "maps")

    def on_frame(self, f: featuremaps.MapsFrame) -> None:
        stage = self.session.stage(f.stage)
        if stage is None:
            return
        self.headline.setText(stage_title(stage))
        if f.compared:
            other = self.compare_combo.currentText()
            self.units_view.hide()
            self.maps_view.show()
            self.maps_view.set_mosaic(
                f.mosaic, f.cols, len(f.channels), captions=[f"ch {c}" for c in f.channels],
                tooltips=[f"channel {c}: mean change {m:.2f}" for c, m in zip(f.channels, f.means)])
            self.maps_view.set_title(f"Where the maps differ from “{other}”: the {len(f.channels)} channels "
                                     "that changed most")
            self.note.setText(f"the maps changed by {f.relative_change:.0%} of their size on average · "
                              f"colour scale: black no change → yellow {number(f.peak)}")
        elif f.spatial:
            self.units_view.hide()
            self.maps_view.show()
            self.maps_view.set_mosaic(f.mosaic, f.cols, len(f.channels),
                                      captions=[f"ch {c}" for c in f.channels],
                                      tooltips=[f"channel {c}: mean {m:.2f}" for c, m in zip(f.channels, f.means)])
            self.maps_view.set_title(f"The {len(f.channels)} most active of {stage.channels} channels, "
                                     f"each {stage.shape[1]}×{stage.shape[2]}")
            self.note.setText(f"{f.active_share:.0%} of the channels respond on average · colour scale: "
                              f"black 0 → yellow {number(f.peak)}")
        else:
            self.maps_view.hide()
            self.units_view.show()
            names = [self._labels[c] if f.probabilities else f"unit {c}" for c in f.channels[:8]]
            values = list(f.means[:8])
            top = 1.0 if f.probabilities else max(max(values, default=0.0), 1e-6)
            self.units_view.set_bars(names, [max(v, 0.0) / top for v in values],
                                     label=percent if f.probabilities else share)
            if f.probabilities:
                self.units_view.set_title("Class probabilities (top 8)", "probability")
            else:
                self.units_view.set_title(f"The 8 largest of {stage.channels} numbers", "share of the largest")
            self.units_view.set_presentation(self.tab.presentation)
            self.note.setText("Here the picture is no longer a picture: it is a list of "
                              f"{stage.channels} numbers" + ("." if f.probabilities else
                                                             f" (the largest is {number(top)})."))
