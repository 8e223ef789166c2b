"""The Qt binding must survive a long lecture: many void calls, then a clean exit.

PySide6 6.12.0's stable-ABI wheels steal a reference to ``None`` from every void call on Python
< 3.12 (upstream PYSIDE-3474); 2,000 ``setText`` calls then abort with "none_dealloc". The project
keeps such releases out by a dependency marker in ``pyproject.toml``; this test is the gate for
lifting that cap: it fails on a binding with the bug.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter holds a few thousand references to None: 50,000 stolen ones end it.
SCRIPT = """
import gui
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
