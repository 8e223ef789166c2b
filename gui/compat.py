"""Work-arounds for bugs in the Qt binding that the app cannot avoid otherwise.

PySide6 6.12 (its stable-ABI wheels) returns ``None`` from every ``void`` C++ method without
taking a reference, as is allowed on Python ≥ 3.12 where ``None`` is immortal. On Python 3.11 each
such call (``QLabel.setText``, ``QPainter.drawImage``, ``QWidget.update``, …) therefore steals one
reference to ``None``; a window that repaints a few thousand times aborts with "Fatal Python
error: none_dealloc". :func:`keep_none_alive` gives ``None`` enough references to outlive any
session (Python 3.12 made it immortal the same way, with a huge reference count).
"""

from __future__ import annotations

import ctypes
import sys

_EXTRA_REFS = 1 << 40  # at 100,000 stolen references a second: more than 100 days
_done = False


def keep_none_alive() -> bool:
    """Make ``None`` effectively immortal on Python < 3.12; True if the fix was applied now."""
    global _done
    if _done or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    if hasattr(sys, "gettotalrefcount"):  # a debug build has a different object header
        return False
    refcnt = ctypes.c_ssize_t.from_address(id(None))
    if abs(refcnt.value - sys.getrefcount(None)) > 4:
        return False  # not the header layout we expect: leave it alone
    refcnt.value += _EXTRA_REFS
    _done = True
    return True
