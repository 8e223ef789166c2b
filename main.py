"""Fooling Lab: start the window, or run a command-line job (``python main.py --help``).

Window options: ``--presentation`` (full screen, large text), ``--scene NAME|FILE`` (open at a
lecture scene, see ``python main.py scenes``). ``--install-launcher`` / ``--uninstall-launcher``
add or remove a desktop launcher (Linux menu entry, Windows shortcut, macOS app) and exit.
Anything else is a command-line job (``python main.py fool --help``).
"""

from __future__ import annotations

import sys

WINDOW_FLAGS = ("--presentation",)
WINDOW_OPTIONS = ("--scene",)
LAUNCHER_FLAGS = ("--install-launcher", "--uninstall-launcher")


def _is_window_argv(argv: list[str]) -> bool:
    """True when argv holds only window options (flags, and ``--scene VALUE`` / ``--scene=VALUE``)."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in WINDOW_FLAGS:
            i += 1
        elif arg in WINDOW_OPTIONS:
            i += 2
        elif any(arg.startswith(opt + "=") for opt in WINDOW_OPTIONS):
            i += 1
        else:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in LAUNCHER_FLAGS:
        from gui.launcher import run_launcher_command

        return run_launcher_command(argv)
    if argv and not _is_window_argv(argv):
        from cli.run import run

        return run(argv)
    from gui.app import run_app

    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
