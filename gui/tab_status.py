"""An honest status bar: each tab's last message, shown while (and only while) that tab is shown.

A message from the manifold tab ("trained 300 epochs…") stays with the manifold tab: switching to
the evolution tab shows the evolution tab's own last message (or nothing), and switching back shows
the manifold's again while it is still fresh.
"""

from __future__ import annotations

import time

from PySide6.QtWidgets import QStatusBar

STATUS_MS = 15000
ERROR_MS = 20000


class TabStatus:
    def __init__(self, bar: QStatusBar, current_key) -> None:
        self._bar = bar
        self._current_key = current_key  # () -> the visible tab's key
        self._messages: dict[str, tuple[str, float]] = {}  # key -> (text, expiry on time.monotonic())

    def post(self, key: str | None, text: str, error: bool = False) -> None:
        """A message from tab ``key`` (None: from the window, about the visible tab)."""
        ms = ERROR_MS if error else STATUS_MS
        text = f"⚠ {text}" if error else text
        key = key if key is not None else self._current_key()
        self._messages[key] = (text, time.monotonic() + ms / 1000)
        if key == self._current_key():
            self._bar.showMessage(text, ms)

    def message(self, key: str) -> str:
        text, expiry = self._messages.get(key, ("", 0.0))
        return text if time.monotonic() < expiry else ""

    def tab_shown(self, key: str) -> None:
        text, expiry = self._messages.get(key, ("", 0.0))
        left = expiry - time.monotonic()
        if text and left > 0:
            self._bar.showMessage(text, int(left * 1000))
        else:
            self._bar.clearMessage()
