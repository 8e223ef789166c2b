"""Start the window: console guard, logging, error hook, Qt application, settings."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
from pathlib import Path

APP_NAME = "Fooling Lab"
ORG_NAME = "FoolingLab"
log = logging.getLogger("fooling_lab")


def guard_std_streams() -> None:
    """Launched by double-click there is no console: give print/tqdm somewhere harmless to write."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives as long as the app


def setup_logging(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fooling-lab.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=2, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def run_app(argv: list[str]) -> int:
    guard_std_streams()
    os.environ.setdefault("PYTORCH_ENABLE_MPS_FALLBACK", "1")
    from core import runtime

    runtime.configure_threads()  # process-wide, so every job's worker thread runs with these pools
    import pyqtgraph as pg
    from PySide6.QtCore import QSettings, QStandardPaths, QTimer
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from .widgets import style

    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    pg.setConfigOptions(antialias=True, imageAxisOrder="row-major", background="w", foreground="k")
    font = QFont(app.font())
    font.setPointSize(style.BASE_FONT_PT)
    app.setFont(font)

    log_dir = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation))
    try:
        log_path = setup_logging(log_dir)
    except OSError:
        log_path = None

    from .main_window import MainWindow

    window = MainWindow(QSettings(), log_path=log_path)

    def excepthook(exc_type, exc, tb):
        log.error("uncaught exception", exc_info=(exc_type, exc, tb))
        window.show_error(f"Internal error ({exc_type.__name__}); the window keeps working. "
                          f"Details are in {log_path or 'the log'}.")

    sys.excepthook = excepthook
    threading.excepthook = lambda args: log.error("uncaught exception in thread %s", args.thread,
                                                  exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
    tab = os.environ.get("FOOLING_LAB_TAB")
    if tab:
        window.select_tab(tab)
    window.show()
    if "--presentation" in argv:
        window.presentation_action.setChecked(True)
        window.toggle_presentation(True)
    if os.environ.get("FOOLING_LAB_AUTORUN"):  # start the current tab's demo at once (tests, kiosks)
        QTimer.singleShot(1500, window.toggle_run)
    quit_after = os.environ.get("FOOLING_LAB_QUIT_AFTER_MS")  # used by the start-and-quit test
    if quit_after:
        QTimer.singleShot(int(quit_after), window.close)
    status = app.exec()
    window.shutdown()
    del window
    return int(status)
