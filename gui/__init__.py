"""Fooling Lab's window: Qt widgets that draw the frames ``core`` jobs yield."""

from .compat import keep_singletons_alive

# Before any Qt call: PySide6 6.12 on Python 3.11 steals references to None (see gui/compat.py).
keep_singletons_alive()
