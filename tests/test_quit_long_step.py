"""Quitting while a job is inside a long step waits for it and exits 0 (issue 13, part 2).

The job below sleeps through an 8-second step without looking at Stop: the worst case the window
can meet (ImageNet evolution at its largest population, a slow trusted model). The old window
waited 5 s, destroyed the running QThread and aborted (exit 134).
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent("""
    import sys, time
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from gui.main_window import MainWindow
    window = MainWindow(QSettings(sys.argv[1], QSettings.Format.IniFormat))
    window.show()
    seen = []

    def long_step(cancel):
        time.sleep(8.0)   # one step that never looks at the token
        yield from ()

    window.current_tab().runner.start(long_step)
    t0 = time.monotonic()
    QTimer.singleShot(500, window.close)
    QTimer.singleShot(1500, lambda: seen.append(window.statusBar().currentMessage()))
    ticks = []
    tick = QTimer(); tick.timeout.connect(lambda: ticks.append(time.monotonic())); tick.start(100)
    status = app.exec()
    window.shutdown()
    print("waited", round(time.monotonic() - t0, 1), "status", repr(seen[0] if seen else ""),
          "ticks", len(ticks), flush=True)
    sys.exit(status)
""")


def test_quitting_in_a_long_step_waits_keeps_the_loop_alive_and_exits_0(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "s.ini")], capture_output=True, text=True,
                       env=env, timeout=240, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "QThread: Destroyed" not in r.stderr and "Traceback" not in r.stderr
    words = r.stdout.split()
    waited, ticks = float(words[1]), int(words[-1])
    assert waited >= 7.0  # it really waited for the step
    assert "Stopping" in r.stdout  # and said so in the status bar
    assert ticks >= 40  # the event loop kept running (10 ticks a second) while it waited


HEAVIEST = textwrap.dedent("""
    import sys, time
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from gui.main_window import MainWindow
    window = MainWindow(QSettings(sys.argv[1], QSettings.Format.IniFormat))
    window.show()
    window.select_tab("evolution")
    tab = window.current_tab()
    # the heaviest run the tab allows: ImageNet (EfficientNet-Lite0, offline) at the largest population
    tab.model_combo.setCurrentIndex(tab.model_combo.findData("efficientnet_lite0"))
    population = tab.search_form.editor("population")
    population.setValue(population.maximum())
    assert tab.search_form.params().population == population.maximum() >= 1000
    tab.start()
    assert tab.runner.is_running
    t0 = time.monotonic()
    QTimer.singleShot(4000, window.close)
    status = app.exec()
    window.shutdown()
    print("quit after", round(time.monotonic() - t0, 1), "s", flush=True)
    sys.exit(status)
""")


def test_quitting_imagenet_evolution_at_the_largest_population_exits_0(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT), "FOOLING_LAB_DEVICE": "cpu",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    r = subprocess.run([sys.executable, "-c", HEAVIEST, str(tmp_path / "s.ini")], capture_output=True, text=True,
                       env=env, timeout=600, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "QThread: Destroyed" not in r.stderr and "Traceback" not in r.stderr
    assert "quit after" in r.stdout
