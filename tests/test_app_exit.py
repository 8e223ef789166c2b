"""The real app starts, shows its window, and quits with status 0 and no traceback."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_app_starts_and_quits_cleanly(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FOOLING_LAB_QUIT_AFTER_MS": "4000",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    r = subprocess.run([sys.executable, str(ROOT / "main.py")], capture_output=True, text=True, env=env,
                       timeout=180, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "Fatal" not in r.stderr


def test_app_quits_cleanly_in_the_middle_of_a_run(tmp_path):
    """Space starts the attack at once; the window closes while it runs."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FOOLING_LAB_QUIT_AFTER_MS": "5000",
           "FOOLING_LAB_AUTORUN": "1",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    r = subprocess.run([sys.executable, str(ROOT / "main.py")], capture_output=True, text=True, env=env,
                       timeout=180, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "QThread: Destroyed" not in r.stderr
