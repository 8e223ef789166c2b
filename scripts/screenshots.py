"""Screenshots of every tab in presentation mode, as a lecture hall sees them.

    python scripts/screenshots.py 1280x720 [--seconds 12] [--out docs/screenshots] [--tabs whitebox,evolution]

Runs on Qt's offscreen platform with a screen of the given size (no display needed): opens the
window in presentation mode, and for each tab (each page of a tab with pages) starts its demo, lets
it run for ``--seconds`` (or until it ends), grabs the window and saves
``<out>/presentation-<W>x<H>-<tab>[-<page>].png`` reduced to 256 colours (small files).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("size")
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--tabs", default="", help="comma-separated tab keys (default: all)")
    parser.add_argument("--pages", action="store_true", help="one shot per page of tabs with pages")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))

    from tests.gui.fit import screen_config, settle

    os.environ["QT_QPA_PLATFORM"] = "offscreen:configfile=" + screen_config(width, height)
    os.environ.setdefault("FOOLING_LAB_DEVICE", "cpu")
    from PIL import Image
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QImage

    from gui.app import make_application
    from gui.main_window import MainWindow

    app = make_application([])
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "shots.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.show()
    window.set_presentation(True)
    settle(8)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    keys = [k for k in args.tabs.split(",") if k] or list(window.tab_widgets)

    def wait(seconds: float, tab, at_least: float = 2.0) -> None:
        """Let the demo run ``seconds``, or until it ends (after ``at_least``)."""
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            settle(1)
            if time.monotonic() - start > at_least and not tab.is_running:
                break

    for key in keys:
        tab = window.tab_widgets[key]
        window.select_tab(key)
        pages = range(tab.pages.count()) if (args.pages and tab.pages is not None) else [None]
        for page in pages:
            if page is not None:
                tab.set_page(page)
            settle(4)
            tab.start()
            wait(args.seconds, tab)
            if tab.is_running:
                tab.stop()
                wait(1.0, tab, at_least=0.0)
            settle(4)
            image = window.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
            name = f"presentation-{width}x{height}-{key}" + (f"-{page + 1}" if page is not None else "") + ".png"
            raw = out / name
            image.save(str(raw))
            Image.open(raw).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(raw, optimize=True)
            print(f"{raw} {raw.stat().st_size // 1024} KB", flush=True)
    window.set_presentation(False)
    window.close()
    window.shutdown()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
