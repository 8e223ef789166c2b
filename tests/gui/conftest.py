import pytest
from PySide6.QtCore import QSettings


@pytest.fixture
def settings(tmp_path):
    s = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield s


@pytest.fixture
def window(qtbot, settings):
    import pyqtgraph as pg
    import shiboken6

    pg.setConfigOptions(antialias=True, imageAxisOrder="row-major", background="w", foreground="k")
    from gui.main_window import MainWindow

    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)  # shortcuts (Space, Esc) need an active window
    yield w
    # Quitting waits, with the event loop alive, for every job thread to end (MainWindow.closeEvent);
    # a test that ended with a job still running must wait too, or the process aborts at exit
    # ("QThread: Destroyed while thread is still running").
    w.close()
    qtbot.waitUntil(lambda: not shiboken6.isValid(w) or not w.isVisible(), timeout=60000)


@pytest.fixture(autouse=True)
def _presentation_font_at_reference(monkeypatch):
    """Presentation text size follows the last screen the window fitted itself to (a module-level
    setting): every test starts from the full-HD reference, so no test depends on another's screen."""
    from gui.widgets import style

    monkeypatch.setattr(style, "PRESENTATION_FONT_PT", style._PRESENTATION_PT_AT_REFERENCE)
