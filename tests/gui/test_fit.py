"""Every tab fits every screen: 1280×720 to 4K, device-pixel ratio 2, normal and presentation mode.

The checker lives in ``tests/gui/fit.py`` (run it by hand: ``python -m tests.gui.fit 1280x720``).
Each size runs in its own process, because Qt fixes the screen when the application starts.
"""

import pytest
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from tests.gui import fit

SCREENS = [
    (1280, 720, 1.0),   # the lecture hall's projector
    (1366, 768, 1.0),   # a common laptop
    (1920, 1080, 1.0),  # a full-HD projector
    (3840, 2160, 1.0),  # 4K at 100 %
    (1920, 1080, 2.0),  # 4K at 200 % (Qt's device-pixel ratio 2)
    (1280, 720, 2.0),   # 2560×1440 at 200 %
]

#: Problems known and not fixed yet: (fragments that must all be in the problem line, where —
#: "WxH@dpr mode", or "" for every screen —, why). Each match is printed; remove an entry that no
#: longer matches anything.
KNOWN_FAILURES: list[tuple[tuple[str, ...], str, str]] = [
]


def _known(problem: str, where: str = "") -> str | None:
    for fragments, place, why in KNOWN_FAILURES:
        if (not place or place == where) and all(f in problem for f in fragments):
            return why
    return None


def _unexplained(problems: list[str], where: str = "") -> list[str]:
    return [p for p in problems if _known(p, where) is None]


@pytest.mark.parametrize(("width", "height", "dpr"), SCREENS, ids=[f"{w}x{h}@{d:g}" for w, h, d in SCREENS])
def test_every_tab_and_page_fits_the_screen(width, height, dpr):
    results = fit.run_size(width, height, dpr, ["normal", "presentation"])
    report = []
    for mode, problems in results.items():
        where = f"{width}x{height}@{dpr:g} {mode}"
        for p in problems:
            if _known(p, where):
                print(f"known ({where}): {p}")
        for p in _unexplained(problems, where):
            report.append(f"{mode}: {p}")
    assert not report, f"{len(report)} problem(s) at {width}×{height} @{dpr:g}:\n" + "\n".join(report)


# ------------------------------------------------------------------ the checker itself sees what it must
@pytest.fixture
def box(qtbot):
    w = QWidget()
    w.setLayout(QVBoxLayout())
    qtbot.addWidget(w)
    return w


def _show(qtbot, w, width, height):
    w.resize(width, height)
    w.show()
    qtbot.waitExposed(w)
    fit.settle()


def test_checker_finds_a_cut_label_button_combo_and_number(qtbot, box):
    label = QLabel("Probability of the target class")
    button = QPushButton("Measure: digits vs. off-manifold images")
    combo = QComboBox()
    combo.addItem("Targeted PGD (iterative, with momentum)")
    spin = QSpinBox()
    spin.setRange(0, 10**9)
    spin.setValue(123456789)
    spin.setSuffix(" images")
    wrapped = QLabel("<b>validation</b> loss 0.0954")
    wrapped.setWordWrap(True)
    for w in (label, button, combo, spin, wrapped):
        w.setFixedWidth(60)
        box.layout().addWidget(w)
    _show(qtbot, box, 200, 200)
    problems = fit.widget_problems(box)
    text = "\n".join(problems)
    assert "QLabel 'Probability of the target class'" in text
    assert "QPushButton 'Measure: digits" in text
    assert "QComboBox 'Targeted PGD" in text
    assert "QSpinBox '123456789 images'" in text and "number needs" in text
    assert "QLabel 'validation loss 0.0954'" in text and "a word needs" in text


def test_checker_finds_a_widget_outside_the_window_and_a_cut_group_title(qtbot, box):
    row = QHBoxLayout()
    wide = QLabel("x")
    wide.setMinimumWidth(600)
    row.addWidget(wide)
    group = QGroupBox("Image to test (or drop one on the window)")
    group.setFixedWidth(80)
    row.addWidget(group)
    box.layout().addLayout(row)
    _show(qtbot, box, 300, 100)
    box.resize(300, 100)  # smaller than the layout's minimum: the group box is pushed out
    box.setMinimumSize(0, 0)
    box.layout().setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
    box.resize(300, 100)
    fit.settle()
    text = "\n".join(fit.widget_problems(box))
    assert "QGroupBox 'Image to test" in text and "title needs" in text
    assert "outside the window" in text or "cut off" in text


def test_checker_accepts_what_fits_and_what_elides_on_purpose(qtbot, box):
    label = QLabel("Tiger shark 99.1 %")
    names = QLabel("king pen…  10.2 %")
    names.setProperty("elides", True)
    names.setProperty("full_text", "king penguin  10.2 %")
    names.setFixedWidth(30)
    box.layout().addWidget(label)
    box.layout().addWidget(names)
    _show(qtbot, box, 400, 200)
    assert fit.widget_problems(box) == []
    names.setText("king pen…  10.…")  # a number cut is never fine
    fit.settle()
    assert any("elides a number" in p for p in fit.widget_problems(box))


def test_combo_names_may_shorten_on_purpose_but_never_their_numbers(qtbot, box):
    from gui.lecture_style import LectureStyle

    style = LectureStyle()
    name, counted = QComboBox(), QComboBox()
    name.addItem("Targeted PGD (iterative, with momentum)")
    counted.addItem("Bundled MNIST sample (10,000)")
    for combo in (name, counted):
        combo.setStyle(style)
        combo.setFixedWidth(150)
        box.layout().addWidget(combo)
    _show(qtbot, box, 300, 120)
    text = "\n".join(fit.widget_problems(box))
    assert "Targeted PGD" not in text
    assert "the number 10,000 is cut" in text


def test_checker_finds_a_column_cut_at_the_side_of_its_scroll_area(qtbot, box):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QScrollArea

    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    inner = QWidget()
    inner.setLayout(QVBoxLayout())
    wide = QComboBox()
    wide.addItem("x")
    wide.setMinimumWidth(400)
    inner.layout().addWidget(wide)
    area.setWidget(inner)
    area.setFixedWidth(200)
    box.layout().addWidget(area)
    _show(qtbot, box, 300, 200)
    assert any("cut at the side of its scroll area" in p for p in fit.widget_problems(box))
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)  # a bar to scroll by: fine
    fit.settle()
    assert not any("cut at the side" in p for p in fit.widget_problems(box))
