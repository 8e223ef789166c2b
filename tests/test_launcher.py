"""The desktop launcher: the Linux .desktop file starts the app; the Windows and macOS forms are sound."""

import os
import plistlib
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from gui import launcher

ROOT = Path(__file__).resolve().parent.parent


def _run_main(args, env):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          env=env, timeout=120)


def _exec_argv(desktop: Path) -> list[str]:
    line = next(x for x in desktop.read_text(encoding="utf-8").splitlines() if x.startswith("Exec="))
    value = line[len("Exec="):].replace("\\\\", "\\")  # the file's string escape, then the Exec quoting
    return [a.replace("%%", "%") for a in shlex.split(value)]


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG launcher is the Linux one")
def test_install_writes_a_desktop_file_whose_exec_line_starts_the_app(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    r = _run_main(["--install-launcher"], env)
    assert r.returncode == 0, r.stderr
    desktop = tmp_path / "data" / "applications" / "fooling-lab.desktop"
    text = desktop.read_text(encoding="utf-8")
    assert "Name=Fooling Lab" in text and "Terminal=false" in text
    icon = Path(next(x for x in text.splitlines() if x.startswith("Icon="))[5:])
    assert icon.is_file() and icon.suffix == ".png"
    argv = _exec_argv(desktop)
    started = subprocess.run(argv, capture_output=True, text=True, timeout=180, cwd=tmp_path,
                             env={**env, "FOOLING_LAB_QUIT_AFTER_MS": "1500"})
    assert started.returncode == 0, started.stderr
    assert "Traceback" not in started.stderr
    r = _run_main(["--uninstall-launcher"], env)
    assert r.returncode == 0 and not desktop.exists()
    assert "no launcher" in _run_main(["--uninstall-launcher"], env).stdout


def test_exec_quoting_survives_spaces_quotes_and_percent(tmp_path):
    odd = ["/opt/my lab/bin/python", "/home/a\"b/100% sure/main.py"]
    path = tmp_path / "x.desktop"
    path.write_text(launcher.desktop_entry(odd), encoding="utf-8")
    assert _exec_argv(path) == odd


def test_the_macos_app_wrapper_is_a_bundle_that_runs_this_python(tmp_path):
    app = tmp_path / "Fooling Lab.app"
    launcher.install_mac(app)
    info = plistlib.loads((app / "Contents" / "Info.plist").read_bytes())
    exe = app / "Contents" / "MacOS" / info["CFBundleExecutable"]
    assert os.access(exe, os.X_OK) and sys.executable in exe.read_text(encoding="utf-8")
    assert (app / "Contents" / "Resources" / info["CFBundleIconFile"]).stat().st_size > 0
    assert launcher.uninstall_mac(app) == [app] and not app.exists()


def test_the_windows_shortcut_script_quotes_its_paths():
    script = launcher.windows_script([r"C:\Program Files\Python\pythonw.exe", r"C:\it's\main.py"],
                                     Path(r"C:\Start Menu\Fooling Lab.lnk"), Path(r"C:\x\fooling-lab.ico"))
    assert "$s.TargetPath = 'C:\\Program Files\\Python\\pythonw.exe'" in script
    assert "$s.Arguments = 'C:\\it''s\\main.py'" in script
    assert script.endswith("$s.Save()")
