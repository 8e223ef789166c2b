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


def make_application(argv: list[str]):
    """The QApplication with the lab's names, base font and pyqtgraph settings (also used by tests)."""
    import pyqtgraph as pg
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from .widgets import style

    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    if not getattr(app.style(), "elides_combo_text", False):
        from .lecture_style import LectureStyle

        app._lecture_style = LectureStyle()  # noqa: SLF001 - keep the Python side alive with the app
        app.setStyle(app._lecture_style)
    pg.setConfigOptions(antialias=True, imageAxisOrder="row-major", background="w", foreground="k")
    font = QFont(app.font())
    font.setPointSize(style.BASE_FONT_PT)
    app.setFont(font)
    from PySide6.QtGui import QIcon

    from core.resources import resource_path

    app.setWindowIcon(QIcon(str(resource_path("icons", "fooling-lab.png"))))
    return app


def parse_window_args(argv: list[str]):
    """``--presentation`` and ``--scene NAME|FILE``; the scene is looked up before the window opens."""
    import argparse

    parser = argparse.ArgumentParser(prog="main.py", description="Open the Fooling Lab window.")
    parser.add_argument("--presentation", action="store_true", help="full screen, large text")
    parser.add_argument("--scene", metavar="NAME|FILE", help="open at a lecture scene (see: main.py scenes)")
    return parser.parse_args(argv)


def run_app(argv: list[str]) -> int:
    guard_std_streams()
    from core.errors import UserError
    from core.scenes import find_scene

    args = parse_window_args(argv)
    scene = None
    if args.scene:
        try:
            scene = find_scene(args.scene)
        except UserError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    os.environ.setdefault("PYTORCH_ENABLE_MPS_FALLBACK", "1")
    from core import runtime

    runtime.configure_threads()  # process-wide, so every job's worker thread runs with these pools
    from PySide6.QtCore import QSettings, QStandardPaths, QTimer

    app = make_application([])
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
    if args.presentation:
        window.set_presentation(True)
    if scene is not None:
        window.scenes.apply(scene, next((i for i, s in enumerate(window.scenes.lecture) if s == scene), -1))
    if os.environ.get("FOOLING_LAB_AUTORUN"):  # start the current tab's demo at once (tests, kiosks)
        QTimer.singleShot(1500, window.toggle_run)
    quit_after = os.environ.get("FOOLING_LAB_QUIT_AFTER_MS")  # used by the start-and-quit test
    if quit_after:
        QTimer.singleShot(int(quit_after), window.close)
    status = app.exec()
    window.shutdown()
    del window
    return int(status)
