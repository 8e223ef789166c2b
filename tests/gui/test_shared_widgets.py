"""The widgets other tabs reuse: model chooser, class-target field, read-out label, Save PNG."""

import numpy as np

from core import imaging, models
from gui.widgets import ClassTargetField, ModelChooser, ReadoutLabel, save_png_as


def test_class_target_field_resolves_and_suggests(qtbot):
    field = ClassTargetField(models.imagenet_labels(), "tiger shark")
    qtbot.addWidget(field)
    seen = []
    field.target_changed.connect(seen.append)
    assert field.target_index() == 3 and "tiger shark" in field.info_text()
    field.setText("shark")
    assert field.target_index() is None and "did you mean" in field.info_text() and "shark" in field.info_text()
    field.setText("unicornfish")
    assert "no such class" in field.info_text() and seen[-1] is None
    field.setText("1")
    assert seen[-1] == 1 and field.target_name() == "goldfish"
    assert field.edit.completer().model().rowCount() == 1000


def test_model_chooser_lists_imagenet_models_and_keeps_the_choice_on_refresh(qtbot):
    chooser = ModelChooser(("imagenet",))
    qtbot.addWidget(chooser)
    names = [chooser.itemData(i) for i in range(chooser.count())]
    assert models.DEFAULT_MODEL in names and "mnist_cnn" not in names
    assert chooser.model_name == models.DEFAULT_MODEL
    assert not chooser.set_model("no_such_model")
    chooser.refresh()
    assert chooser.model_name == models.DEFAULT_MODEL and chooser.count() == len(names)


def test_readout_follows_presentation_mode(qtbot, monkeypatch):
    from gui.widgets import style

    monkeypatch.setattr(style, "PRESENTATION_FONT_PT", 15)  # as on a 1080-line screen
    label = ReadoutLabel("99.3 %")
    qtbot.addWidget(label)
    small = label.point_size()
    label.set_presentation(True)
    assert label.point_size() > small and label.font().bold()
    label.set_presentation(False)
    assert label.point_size() == small


def test_save_png_as_writes_the_exact_pixels(qtbot, tmp_path):
    img = np.random.default_rng(0).integers(0, 256, (12, 10, 3), dtype=np.uint8)
    saved = save_png_as(None, img, "x.png", path=str(tmp_path / "result"))
    assert saved.name == "result.png" and np.array_equal(imaging.load_image(saved), img)


def test_a_long_curve_is_thinned_but_keeps_its_extremes_and_its_newest_point():
    from gui.widgets.curve_plot import MAX_POINTS, thin

    x = np.arange(50_001, dtype=float)
    y = np.random.default_rng(0).random(len(x))
    y[12_345], y[40_000], y[-1] = 9.0, -9.0, 0.123  # a spike, a dip, and the newest value
    tx, ty = thin(x, y)
    assert len(tx) <= MAX_POINTS
    assert np.all(np.diff(tx) > 0)  # still in order
    assert ty.max() == 9.0 and ty.min() == -9.0
    assert tx[-1] == 50_000 and ty[-1] == 0.123
    assert np.array_equal(ty, y[tx.astype(int)])  # only real points, none invented
    short = np.arange(10.0)
    assert thin(short, short)[0] is short  # a short curve is drawn as it is
