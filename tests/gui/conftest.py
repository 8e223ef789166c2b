import pytest
from PySide6.QtCore import QSettings


@pytest.fixture
def settings(tmp_path):
    s = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield s


@pytest.fixture
def window(qtbot, settings):
    import pyqtgraph as pg

    pg.setConfigOptions(antialias=True, imageAxisOrder="row-major", background="w", foreground="k")
    from gui.main_window import MainWindow

    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)  # shortcuts (Space, Esc) need an active window
    yield w
    w.close()
