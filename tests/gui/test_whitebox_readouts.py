"""The gradient-ascent tab's read-outs agree with its pictures and plots, frame by frame."""

from PySide6.QtGui import QTextDocumentFragment

from tests.gui.qt_helpers import PaintPasses


def _plain(label) -> str:
    """A rich-text label as the audience reads it (no-break spaces as spaces)."""
    return QTextDocumentFragment.fromHtml(label.text()).toPlainText().replace("\xa0", " ")


def _preview(tab, qtbot):
    qtbot.waitUntil(lambda: tab.last_frame is not None and not tab.runner.is_running, timeout=30000)
    return tab.last_frame


def _run(tab, qtbot, steps):
    tab.controls.attack_form.set_value("eps", 1.0)
    tab.controls.attack_form.set_value("steps", steps)
    tab.controls.attack_form.set_value("stop_at", None)
    _preview(tab, qtbot)
    with qtbot.waitSignal(tab.runner.job_finished, timeout=60000):
        tab.start()


def test_headline_and_top5_are_painted_together(window, qtbot):
    """Scene 3 mid-run: the headline read “African elephant” 37.1 % (step 17) over step 16's top 5
    (plow 16.7 %, no elephant), because the bars were painted a pass after the text."""
    tab = window.tab_widgets["whitebox"]
    _preview(tab, qtbot)
    passes = PaintPasses(window, {"headline": tab.headline, "top 5": tab.views.top5.viewport(),
                                  "picture": tab.views.adversarial_view.viewport()})
    tab.runner.frame_ready.connect(passes.frame_shown)  # after the tab's own slot has drawn it
    try:
        _run(tab, qtbot, steps=4)
        qtbot.wait(200)
    finally:
        passes.remove()
    frames = passes.first_passes()
    assert frames, "no frame was painted"
    for f in frames:
        assert len(set(f.values())) == 1, f


def test_headline_names_the_top5_leader_of_every_frame(window, qtbot):
    tab = window.tab_widgets["whitebox"]
    shown = []

    def check(f):
        shown.append((f.step, tab.views.top5.rows()[0], _plain(tab.headline)))

    tab.runner.frame_ready.connect(check)
    _run(tab, qtbot, steps=3)
    labels = tab.session.labels
    assert len(shown) >= 2
    for step, (name, number), headline in shown:
        assert f"“{name}” {number}" in headline, (step, name, number, headline)
    last = tab.last_frame
    assert labels[last.top_indices[0]] in _plain(tab.headline)
    if last.image_step != last.step:
        assert f"step {last.image_step} of {last.step}" in tab.readout.text()


def test_headline_keeps_its_height_at_1280x720_presentation(window, qtbot, monkeypatch):
    """“African elephant” pushed “0.0%” alone onto a second line, “tusker” did not: the headline
    flipped between one and two lines during a run and the three pictures jumped by ~27 px."""
    from gui.widgets import style

    monkeypatch.setattr(style, "PRESENTATION_FONT_PT", style.fit_presentation_font(720))
    tab = window.tab_widgets["whitebox"]
    _preview(tab, qtbot)
    window.resize(1280, 720)
    tab.set_presentation(True)
    labels = tab.session.labels
    elephant, tusker, shark = (labels.index(n) for n in ("African elephant", "tusker", "tiger shark"))
    terrier = labels.index("American Staffordshire terrier")
    tops = []
    for top1, p, target in ((elephant, 0.844, shark), (tusker, 0.348, shark), (shark, 0.218, shark),
                            (terrier, 0.999, shark), (elephant, 0.371, None)):
        tab.views.show_headline(labels, top1, p, target, 0.0)
        qtbot.wait(30)  # the layout settles
        head = tab.headline
        assert head.heightForWidth(head.width()) <= head.height(), head.text()  # nothing clipped
        tops.append(tab.views.adversarial_view.geometry().top())
    assert len(set(tops)) == 1, tops
    tab.set_presentation(False)
