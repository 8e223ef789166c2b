"""Double-click start: ``python main.py --install-launcher`` / ``--uninstall-launcher``.

* Linux (and other XDG desktops): ``$XDG_DATA_HOME/applications/fooling-lab.desktop`` (by default
  ``~/.local/share/applications``), which menus and docks pick up; its icon is the shipped PNG.
* Windows: a Start-menu shortcut ``Fooling Lab.lnk`` to the ``fooling-lab`` gui-script (or to
  ``pythonw.exe main.py``), made by PowerShell's WScript.Shell, with a ``.ico`` made from the PNG.
* macOS: a minimal ``~/Applications/Fooling Lab.app`` whose executable starts this Python on
  ``main.py``, with an ``.icns`` made from the PNG.

The launcher runs the app from where it is now (this virtual environment, this folder): move the
folder, and install the launcher again. No Qt here: this runs before any window exists.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

from core.errors import UserError

APP_NAME = "Fooling Lab"
APP_ID = "fooling-lab"
ROOT = Path(__file__).resolve().parent.parent
ICON_PNG = ROOT / "resources" / "icons" / "fooling-lab.png"


def app_command() -> list[str]:
    """How to start the window from here: this checkout's main.py with this Python; for an
    installed package (no checkout), its ``fooling-lab`` gui-script."""
    exe = Path(sys.executable)
    scripts = exe.parent
    script = scripts / ("fooling-lab.exe" if os.name == "nt" else "fooling-lab")
    if not (ROOT / "pyproject.toml").is_file() and script.is_file():
        return [str(script)]
    if os.name == "nt" and (scripts / "pythonw.exe").is_file():
        exe = scripts / "pythonw.exe"  # no console window
    return [str(exe), str(ROOT / "main.py")]


# ---------------------------------------------------------------------------------- Linux
def xdg_applications() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "applications"


def desktop_quote(arg: str) -> str:
    """Quote one argument for a .desktop Exec line (Desktop Entry Specification, "Exec key")."""
    if arg and not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return arg.replace("%", "%%")
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
    return '"' + escaped.replace("%", "%%") + '"'


def desktop_entry(command: list[str]) -> str:
    exec_line = " ".join(desktop_quote(a) for a in command)
    # Values are strings in the .desktop sense: backslashes doubled once more for the file itself.
    exec_line = exec_line.replace("\\", "\\\\")
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.0",
        f"Name={APP_NAME}",
        "GenericName=Neural network fooling lab",
        "Comment=Watch neural networks being fooled, live: gradient ascent, evolution, manifolds, autoencoders",
        f"Exec={exec_line}",
        f"Path={ROOT}",
        f"Icon={ICON_PNG}",
        "Terminal=false",
        "Categories=Education;Science;ArtificialIntelligence;",
        "StartupNotify=true",
        "",
    ])


def install_linux() -> list[Path]:
    folder = xdg_applications()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{APP_ID}.desktop"
    path.write_text(desktop_entry(app_command()), encoding="utf-8")
    path.chmod(0o755)  # some desktops only trust executable launchers
    if shutil.which("update-desktop-database"):
        subprocess.run(["update-desktop-database", str(folder)], capture_output=True, timeout=30, check=False)
    return [path]


def uninstall_linux() -> list[Path]:
    path = xdg_applications() / f"{APP_ID}.desktop"
    if path.exists():
        path.unlink()
        return [path]
    return []


# ---------------------------------------------------------------------------------- Windows
def windows_shortcut_path() -> Path:
    appdata = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
    return Path(appdata) / "Microsoft" / "Windows" / "Start Menu" / "Programs" / f"{APP_NAME}.lnk"


def _ps_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def windows_script(command: list[str], link: Path, icon: Path) -> str:
    """The PowerShell that writes the shortcut (kept separate so it can be checked anywhere)."""
    args = subprocess.list2cmdline(command[1:])
    return "; ".join([
        "$s = (New-Object -ComObject WScript.Shell).CreateShortcut(" + _ps_quote(str(link)) + ")",
        "$s.TargetPath = " + _ps_quote(command[0]),
        "$s.Arguments = " + _ps_quote(args),
        "$s.WorkingDirectory = " + _ps_quote(str(ROOT)),
        "$s.IconLocation = " + _ps_quote(str(icon)),
        "$s.Description = " + _ps_quote("Watch neural networks being fooled"),
        "$s.Save()",
    ])


def install_windows() -> list[Path]:
    from PIL import Image

    link = windows_shortcut_path()
    link.parent.mkdir(parents=True, exist_ok=True)
    icon = ROOT / "resources" / "icons" / "fooling-lab.ico"
    Image.open(ICON_PNG).save(icon, sizes=[(16, 16), (32, 32), (48, 48), (256, 256)])
    r = subprocess.run(["powershell", "-NoProfile", "-NonInteractive", "-Command",
                        windows_script(app_command(), link, icon)], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise UserError(f"Windows refused to make the shortcut: {r.stderr.strip() or r.stdout.strip()}")
    return [link]


def uninstall_windows() -> list[Path]:
    link = windows_shortcut_path()
    if link.exists():
        link.unlink()
        return [link]
    return []


# ---------------------------------------------------------------------------------- macOS
def mac_app_path() -> Path:
    return Path.home() / "Applications" / f"{APP_NAME}.app"


def install_mac(app: Path | None = None) -> list[Path]:
    from PIL import Image

    app = app or mac_app_path()
    contents = app / "Contents"
    (contents / "MacOS").mkdir(parents=True, exist_ok=True)
    (contents / "Resources").mkdir(parents=True, exist_ok=True)
    launcher = contents / "MacOS" / APP_ID
    command = " ".join(_sh_quote(a) for a in app_command())
    launcher.write_text(f"#!/bin/sh\ncd {_sh_quote(str(ROOT))}\nexec {command} \"$@\"\n", encoding="utf-8")
    launcher.chmod(0o755)
    Image.open(ICON_PNG).save(contents / "Resources" / f"{APP_ID}.icns")
    info = {"CFBundleName": APP_NAME, "CFBundleDisplayName": APP_NAME, "CFBundleIdentifier": "org.foolinglab.app",
            "CFBundleExecutable": APP_ID, "CFBundleIconFile": f"{APP_ID}.icns", "CFBundlePackageType": "APPL",
            "CFBundleShortVersionString": "0.1.0", "NSHighResolutionCapable": True}
    with open(contents / "Info.plist", "wb") as f:
        plistlib.dump(info, f)
    return [app]


def _sh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def uninstall_mac(app: Path | None = None) -> list[Path]:
    app = app or mac_app_path()
    if app.exists():
        shutil.rmtree(app)
        return [app]
    return []


# ---------------------------------------------------------------------------------- the command
def install() -> list[Path]:
    if sys.platform == "win32":
        return install_windows()
    if sys.platform == "darwin":
        return install_mac()
    return install_linux()


def uninstall() -> list[Path]:
    if sys.platform == "win32":
        return uninstall_windows()
    if sys.platform == "darwin":
        return uninstall_mac()
    return uninstall_linux()


def run_launcher_command(argv: list[str]) -> int:
    if len(argv) != 1:
        print(f"error: {argv[0]} takes no other options.", file=sys.stderr)
        return 2
    try:
        if argv[0] == "--install-launcher":
            for path in install():
                print(f"installed the launcher {path}")
            print("Start Fooling Lab from your applications menu (remove it with --uninstall-launcher).")
        else:
            removed = uninstall()
            print("\n".join(f"removed {p}" for p in removed) or "there was no launcher to remove.")
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: the launcher could not be written ({exc.strerror or exc}).", file=sys.stderr)
        return 2
    return 0
