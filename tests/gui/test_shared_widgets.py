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
