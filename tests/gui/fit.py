"""Does every tab fit the screen? A reusable checker for the main window.

``check_window(window)`` shows every tab and every page inside it (each ``QTabWidget`` and
``QStackedWidget`` of the tab, one page at a time) and walks every visible widget. It reports, in
words, with the widget's class, object name or text and its place in the window:

* a text that needs more room than its widget has: labels (plain, rich, word-wrapped), buttons,
  check boxes, combo boxes (current text), tab-bar titles, group-box titles, spin boxes (their
  number, prefix and suffix), pyqtgraph plot titles and ``TextItem`` read-outs that leave their view;
* a widget cut off by its parent or lying outside the window (a widget inside a scroll area's
  viewport may lie outside it: it scrolls by design);
* a tab bar that hides tabs behind scroll buttons;
* the window itself larger than the screen's available geometry, a minimum size larger than the
  screen, and, in presentation mode, a visible menu bar.

An overlay that is no part of the layout (the focus ring) sets ``fit_ignore = True``.
Combo boxes elide their current choice on purpose (``gui/lecture_style.py``): a shortened name is
fine, a lost number is reported. A widget that elides on purpose (a name, never a number) sets the dynamic property
``elides = True``; it is then exempt, provided every number of its ``full_text`` property (if set)
is still shown. A widget that paints its own text (a mosaic of captions) can report its own cuts
by defining ``fit_problems() -> list[str]``.

Each screen size needs its own QApplication (Qt fixes the screen at start-up), so the test runs
this module once per size in a subprocess::

    python -m tests.gui.fit 1280x720 [--dpr 2] [--modes normal,presentation] [--json]

The exit status is 0 when everything fits, 1 otherwise; each problem is one line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 2  # pixels: rounding of fractional font metrics
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def screen_config(width: int, height: int, dpr: float = 1.0, folder: str | None = None) -> str:
    """A config file for Qt's offscreen platform: one screen of this logical size and pixel ratio."""
    cfg = {"screens": [{"name": "projector", "x": 0, "y": 0, "width": width, "height": height,
                        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": dpr}]}
    fd, path = tempfile.mkstemp(prefix="fit-screen-", suffix=".json", dir=folder)
    with os.fdopen(fd, "w") as f:
        json.dump(cfg, f)
    return path


# ---------------------------------------------------------------------------------- naming
def describe(widget) -> str:
    """Class, name and text, enough to find the widget in the code."""
    parts = [type(widget).__name__]
    if widget.objectName():
        parts.append(f"#{widget.objectName()}")
    text = _text_of(widget)
    if text:
        plain = re.sub(r"<[^>]+>", "", text).replace("\n", " ").strip()
        parts.append(repr(plain[:60] + ("…" if len(plain) > 60 else "")))
    return " ".join(parts)


def _text_of(widget) -> str:
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QGroupBox, QLabel

    if isinstance(widget, (QLabel, QAbstractButton)):
        return widget.text()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QGroupBox):
        return widget.title()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    return ""


def place(widget, window) -> str:
    from PySide6.QtCore import QPoint

    top_left = widget.mapTo(window, QPoint(0, 0))
    return f"at ({top_left.x()}, {top_left.y()}) size {widget.width()}×{widget.height()}"


def where(window) -> str:
    """Which tab and page is showing, for the report."""
    from PySide6.QtWidgets import QTabWidget

    tabs = getattr(window, "tabs", None)
    if not isinstance(tabs, QTabWidget):
        return ""
    bits = [tabs.tabText(tabs.currentIndex())]
    current = tabs.currentWidget()
    if current is not None:
        for inner in current.findChildren(QTabWidget):
            if inner.isVisible():
                bits.append(inner.tabText(inner.currentIndex()))
    return " ▸ ".join(b.replace("&", "") for b in bits if b)


# ---------------------------------------------------------------------------------- text checks
def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _numbers_kept(widget) -> bool:
    full = widget.property("full_text")
    if not full:
        return True
    shown = _text_of(widget)
    return all(n in shown for n in NUMBER.findall(str(full)))


def text_problem(widget) -> str | None:
    """Why this widget's text does not fit, or None."""
    from PySide6.QtWidgets import (
        QAbstractSpinBox, QCheckBox, QComboBox, QGroupBox, QLabel, QPushButton, QRadioButton, QStyle,
        QStyleOptionButton, QStyleOptionComboBox, QToolButton,
    )

    if widget.property("elides"):
        return None if _numbers_kept(widget) else "elides a number"
    fm = widget.fontMetrics()
    w, h = widget.width(), widget.height()
    if isinstance(widget, QLabel):
        text = widget.text()
        if not text or widget.pixmap() is not None and not widget.pixmap().isNull():
            return None
        if widget.wordWrap():
            need_h = widget.heightForWidth(w)
            if need_h > h + TOLERANCE:
                return f"wrapped text needs {need_h} px of height, has {h}"
            room = widget.contentsRect().width() - 2 * max(widget.indent(), 0) - 2 * widget.margin()
            widest = _widest_line(widget, text, room)
            if widest > room + TOLERANCE:
                return f"a word needs {widest} px, the label has {room}"
            return None
        hint = widget.sizeHint()
        if hint.width() > w + TOLERANCE or hint.height() > h + TOLERANCE:
            return f"needs {hint.width()}×{hint.height()} px"
        return None
    if isinstance(widget, (QPushButton, QCheckBox, QRadioButton)):
        text = _plain(widget.text())
        if not text:
            return None
        opt = QStyleOptionButton()
        widget.initStyleOption(opt)
        element = {QPushButton: QStyle.SubElement.SE_PushButtonContents,
                   QCheckBox: QStyle.SubElement.SE_CheckBoxContents,
                   QRadioButton: QStyle.SubElement.SE_RadioButtonContents}
        kind = next(k for k in element if isinstance(widget, k))
        room = widget.style().subElementRect(element[kind], opt, widget)
        need = max(fm.horizontalAdvance(line) for line in text.split("\n"))
        if not widget.icon().isNull():
            need += widget.iconSize().width() + 4
        if need > room.width() + TOLERANCE:
            return f"text needs {need} px, has {room.width()}"
        lines = text.count("\n") + 1
        if fm.height() * lines > room.height() + TOLERANCE + 4:
            return f"text needs {fm.height() * lines} px of height, has {room.height()}"
        return None
    if isinstance(widget, QToolButton):
        hint = widget.sizeHint()
        if widget.text() and (hint.width() > w + TOLERANCE + 4):
            return f"needs {hint.width()} px, has {w}"
        return None
    if isinstance(widget, QComboBox):
        text = widget.currentText()
        if not text:
            return None
        from gui.lecture_style import combo_shows

        shown = combo_shows(widget)
        if shown != text:  # the style shortens names on purpose; numbers must stay whole
            lost = [n for n in NUMBER.findall(text) if n not in shown]
            return f"shows {shown!r}: the number {lost[0]} is cut" if lost else None
        opt = QStyleOptionComboBox()
        widget.initStyleOption(opt)
        room = widget.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                             QStyle.SubControl.SC_ComboBoxEditField, widget)
        need = fm.horizontalAdvance(text)
        if not widget.itemIcon(widget.currentIndex()).isNull():
            need += widget.iconSize().width() + 4
        if need > room.width() + TOLERANCE:
            return f"current text needs {need} px, has {room.width()}"
        return None
    if isinstance(widget, QGroupBox):
        title = _plain(widget.title())
        if not title:
            return None
        need = fm.horizontalAdvance(title) + 16 + (20 if widget.isCheckable() else 0)
        if need > w + TOLERANCE:
            return f"title needs {need} px, has {w}"
        return None
    if isinstance(widget, QAbstractSpinBox):
        text = widget.text() or widget.specialValueText()
        edit = widget.lineEdit()
        if not text or edit is None:
            return None
        need = fm.horizontalAdvance(text) + 4
        if need > edit.width() + TOLERANCE:
            return f"number needs {need} px, has {edit.width()}"
        return None
    return None


def _widest_line(label, text: str, room: int) -> int:
    """The widest line of a word-wrapped label laid out at ``room`` pixels (a word too long for
    the label sticks out), measured on the label's own text document, rich text included."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import Qt as GuiQt  # Qt.mightBeRichText lives in QtGui's namespace
    from PySide6.QtGui import QTextDocument, QTextOption

    doc = QTextDocument()
    doc.setDefaultFont(label.font())
    doc.setDocumentMargin(0)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    doc.setDefaultTextOption(option)
    fmt = label.textFormat()
    if fmt == Qt.TextFormat.RichText or (fmt == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text)):
        doc.setHtml(text)
    else:
        doc.setPlainText(text)
    doc.setTextWidth(max(room, 1))
    return int(doc.idealWidth() + 0.999)


def tab_bar_problems(bar) -> list[str]:
    from PySide6.QtWidgets import QToolButton

    out = []
    if any(b.isVisible() for b in bar.findChildren(QToolButton)):
        hidden = [bar.tabText(i) for i in range(bar.count())
                  if not bar.rect().contains(bar.tabRect(i), True)]
        out.append("tab bar scrolls: tabs hidden " + ", ".join(repr(_plain(t)) for t in hidden))
    for i in range(bar.count()):
        if not bar.isTabVisible(i):
            continue
        need, have = bar.tabSizeHint(i).width(), bar.tabRect(i).width()
        if need > have + TOLERANCE:
            out.append(f"tab title {_plain(bar.tabText(i))!r} needs {need} px, has {have}")
    return out


def graphics_problems(view) -> list[str]:
    """pyqtgraph titles and text items that do not fit inside the visible view."""
    try:
        import pyqtgraph as pg
    except ImportError:  # pragma: no cover
        return []
    scene = view.scene() if hasattr(view, "scene") else None
    if scene is None:
        return []
    out = []
    for item in scene.items():
        if not item.isVisible() or item.opacity() == 0:
            continue
        if isinstance(item, pg.LabelItem):
            text = item.text if isinstance(item.text, str) else ""
            if not text.strip():
                continue
            need = item.item.boundingRect().width()
            have = item.boundingRect().width()
            if have > 0 and need > have + TOLERANCE:
                out.append(f"plot text {re.sub(r'<[^>]+>', '', text)[:50]!r} needs {need:.0f} px, has {have:.0f}")
        elif isinstance(item, pg.TextItem):
            text = item.textItem.toPlainText()
            if not text.strip():
                continue
            rect = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
            clip = _clip_rect(item, view)
            if not clip.adjusted(-TOLERANCE, -TOLERANCE, TOLERANCE, TOLERANCE).contains(rect):
                out.append(f"text {text[:50]!r} leaves its view")
    return out


def _clip_rect(item, view):
    """The part of the view in which an item is drawn: its view box if it sits in one."""
    parent = item.parentItem()
    while parent is not None:
        if parent.flags() & parent.GraphicsItemFlag.ItemClipsChildrenToShape:
            return view.mapFromScene(parent.sceneBoundingRect()).boundingRect()
        parent = parent.parentItem()
    return view.viewport().rect()


# ---------------------------------------------------------------------------------- geometry checks
def cut_problem(widget, window) -> str | None:
    """Is the widget cut off by an ancestor or by the window's edge?"""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QAbstractScrollArea

    if widget.width() <= 0 or widget.height() <= 0:
        return None
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    visible = QRect(rect)
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and parent is area.viewport():
            # Scrolling is by design, but only along a scroll bar one can use: without a horizontal
            # bar, whatever sticks out sideways is simply cut (a narrow settings column).
            if area.horizontalScrollBar().isVisible() or area.inherits("QGraphicsView"):
                return None
            port = QRect(parent.mapTo(window, QPoint(0, 0)), parent.size())
            if rect.right() > port.right() + TOLERANCE or rect.left() < port.left() - TOLERANCE:
                shown = max(0, min(rect.right(), port.right()) - max(rect.left(), port.left()) + 1)
                return f"is cut at the side of its scroll area (shows {shown} of {rect.width()} px)"
            return None
        prect = QRect(parent.mapTo(window, QPoint(0, 0)), parent.size())
        visible = visible.intersected(prect)
        parent = parent.parentWidget()
    visible = visible.intersected(window.rect())
    if visible.width() < rect.width() - TOLERANCE or visible.height() < rect.height() - TOLERANCE:
        if not window.rect().contains(rect):
            return "lies outside the window"
        return f"is cut off by its parent (shows {visible.width()}×{visible.height()})"
    return None


def window_problems(window, presentation: bool) -> list[str]:
    out = []
    screen = window.screen()
    avail = screen.availableGeometry() if not presentation else screen.geometry()
    frame = window.frameGeometry()
    if frame.width() > avail.width() or frame.height() > avail.height():
        out.append(f"window {frame.width()}×{frame.height()} is larger than the screen "
                   f"{avail.width()}×{avail.height()}")
    mini = window.minimumSizeHint().expandedTo(window.minimumSize())
    if mini.width() > avail.width() or mini.height() > avail.height():
        out.append(f"window needs at least {mini.width()}×{mini.height()}, the screen has "
                   f"{avail.width()}×{avail.height()}")
    if presentation and window.menuBar().isVisible():
        out.append("the menu bar shows in presentation mode")
    return out


# ---------------------------------------------------------------------------------- walking
def widget_problems(window) -> list[str]:
    """Problems of everything visible right now."""
    from PySide6.QtWidgets import QGraphicsView, QTabBar, QWidget

    out = []
    page = where(window)
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.isWindow() or _ignored(widget, window):
            continue
        label = f"[{page}] {describe(widget)} {place(widget, window)}"
        problem = text_problem(widget)
        if problem:
            out.append(f"{label}: {problem}")
        cut = cut_problem(widget, window)
        if cut:
            out.append(f"{label}: {cut}")
        if isinstance(widget, QTabBar):
            out.extend(f"{label}: {p}" for p in tab_bar_problems(widget))
        if isinstance(widget, QGraphicsView):
            out.extend(f"{label}: {p}" for p in graphics_problems(widget))
        own = getattr(widget, "fit_problems", None)
        if callable(own):
            out.extend(f"{label}: {p}" for p in own())
    return out


def _ignored(widget, window) -> bool:
    """Overlays (the focus ring) mark themselves ``fit_ignore``; their children go with them."""
    w = widget
    while w is not None and w is not window:
        if w.property("fit_ignore"):
            return True
        w = w.parentWidget()
    return False


def settle(rounds: int = 4) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop
    from PySide6.QtTest import QTest

    for _ in range(rounds):
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        QTest.qWait(20)


def page_switchers(tab):
    """Every QTabWidget and stand-alone QStackedWidget inside a tab, outermost first."""
    from PySide6.QtWidgets import QStackedWidget, QTabWidget, QWidget

    found = []
    for w in tab.findChildren(QWidget):
        if isinstance(w, QTabWidget):
            found.append(w)
        elif isinstance(w, QStackedWidget) and not isinstance(w.parentWidget(), QTabWidget):
            found.append(w)
    return found


def check_window(window) -> list[str]:
    """Show every tab and page in turn; return every problem found (deduplicated, in order)."""
    presentation = bool(getattr(window, "is_presentation", lambda: False)())
    problems = list(window_problems(window, presentation))
    tabs = window.tabs
    start = tabs.currentIndex()
    for i in range(tabs.count()):
        tabs.setCurrentIndex(i)
        settle()
        problems.extend(widget_problems(window))
        for switcher in page_switchers(tabs.widget(i)):
            if not switcher.isVisible():
                continue
            first = switcher.currentIndex()
            for k in range(switcher.count()):
                if k == first:
                    continue
                switcher.setCurrentIndex(k)
                settle()
                problems.extend(widget_problems(window))
            switcher.setCurrentIndex(first)
    tabs.setCurrentIndex(start)
    settle()
    seen, unique = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            unique.append(p)
    return unique


# ---------------------------------------------------------------------------------- the subprocess
def run_size(width: int, height: int, dpr: float, modes: list[str], timeout: float = 240) -> dict:
    """Run the checker in a fresh process with a screen of this size; {mode: [problems]}."""
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FOOLING_LAB_DEVICE": "cpu",
               "XDG_CONFIG_HOME": str(Path(tmp) / "config"), "XDG_DATA_HOME": str(Path(tmp) / "data"),
               "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        env.pop("QT_SCALE_FACTOR", None)
        r = subprocess.run([sys.executable, "-m", "tests.gui.fit", f"{width}x{height}", "--dpr", str(dpr),
                            "--modes", ",".join(modes), "--json"], capture_output=True, text=True, env=env,
                           cwd=ROOT, timeout=timeout)
    if r.returncode not in (0, 1) or not r.stdout.strip():
        raise RuntimeError(f"the fit checker crashed (status {r.returncode}):\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.gui.fit", description=__doc__.split("\n")[0])
    parser.add_argument("size", help="logical screen size, e.g. 1280x720")
    parser.add_argument("--dpr", type=float, default=1.0, help="device-pixel ratio of the screen")
    parser.add_argument("--modes", default="normal,presentation")
    parser.add_argument("--json", action="store_true", help="print {mode: [problems]} as one JSON line")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    os.environ["QT_QPA_PLATFORM"] = "offscreen:configfile=" + screen_config(width, height, args.dpr)
    os.environ.setdefault("FOOLING_LAB_DEVICE", "cpu")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QSettings

    from gui.app import make_application

    app = make_application([])
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "fit.ini"), QSettings.Format.IniFormat)
    from gui.main_window import MainWindow

    window = MainWindow(settings)
    window.show()
    settle()
    results: dict[str, list[str]] = {}
    for mode in args.modes.split(","):
        window.set_presentation(mode == "presentation")
        settle(8)
        results[mode] = check_window(window)
    window.set_presentation(False)
    window.close()
    window.shutdown()
    settle()
    if args.json:
        print(json.dumps(results))
    else:
        for mode, problems in results.items():
            print(f"== {args.size} @{args.dpr:g} {mode}: {len(problems)} problem(s)")
            for p in problems:
                print("  " + p)
    del app
    return 0 if not any(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
