"""The PySide6 6.12 / Python 3.11 reference leak on ``None`` must not crash a long session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# 50,000 void calls steal 50,000 references to None where the binding has the bug; a fresh
# interpreter holds only a few thousand, so without the work-around this dies with none_dealloc.
SCRIPT = """
import gui  # applies the work-around before any Qt call
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
for i in range(50_000):
    label.setText(str(i))
    label.setVisible(False)
del label, app
print("ok")
"""


def test_many_void_calls_then_a_clean_exit():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"


def test_work_around_is_harmless_to_call_again():
    from gui.compat import keep_singletons_alive

    assert keep_singletons_alive() is False  # already applied at import (or not needed)
    assert sys.getrefcount(None) > 0
