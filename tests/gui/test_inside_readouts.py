"""The inside-the-network tab's read-outs: whole numbers a hall can read, and honest labels."""

import numpy as np

from core import classvis, models
from tests.gui.qt_helpers import long_numbers


def _open(window, qtbot):
    tab = window.tab_widgets["inside"]
    window.select_tab("inside")
    qtbot.waitUntil(lambda: len(tab.anatomy.diagram._boxes) > 0, timeout=30000)
    return tab


def test_draw_a_cat_reads_near_certainty_in_at_most_four_digits(window, qtbot):
    """Scene 9 read “> 99.9999%” on the left and “99.99999%” on the right."""
    tab = _open(window, qtbot)
    tab.set_page(2)
    cat = models.imagenet_labels().index("Egyptian cat")
    pic = np.zeros((64, 64, 3), np.uint8)
    frame = classvis.ClassFrame(step=160, total=160, done=True, plain=pic, regularised=pic, target=cat,
                                probs=(0.99999994, 0.9999999), top=((cat, 0.99999994), (cat, 0.9999999)),
                                history=np.full((160, 2), 0.99, np.float32))
    tab.cat.on_frame(frame)
    for label in (tab.cat.plain_text, tab.cat.reg_text):
        assert "> 99.99%" in label.text() and "99.999" not in label.text()


def test_anatomy_rounds_its_scale_and_labels_the_class_axis(window, qtbot):
    """Scene 7 read “colour scale: black 0 → yellow 22.09”, and the fc chart titled “Class
    probabilities” had the axis label “value”."""
    tab = _open(window, qtbot)
    page = tab.anatomy
    page.select("blocks3")
    qtbot.waitUntil(lambda: "blocks3" in page.headline.text() and "yellow" in page.note.text(), timeout=20000)
    assert long_numbers(page.note.text()) == [], page.note.text()
    page.select("fc")
    qtbot.waitUntil(lambda: bool(page.units_view.rows()) and page.units_view.rows()[0][0] == "Egyptian cat",
                    timeout=20000)
    assert page.units_view.axis_label() == "probability"
    page.select(tab.session.stages()[-2].name)  # the vector before the classifier
    qtbot.waitUntil(lambda: bool(page.units_view.rows()) and page.units_view.rows()[0][0].startswith("unit"),
                    timeout=20000)
    assert page.units_view.axis_label() == "share of the largest"
    assert long_numbers(page.note.text()) == [], page.note.text()

