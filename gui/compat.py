"""Work-arounds for bugs in the Qt binding that the app cannot avoid otherwise.

PySide6 6.12 (its stable-ABI wheels) returns ``None`` from every ``void`` C++ method without
taking a reference, as is allowed on Python ≥ 3.12 where ``None`` is immortal. On Python 3.11 each
such call (``QLabel.setText``, ``QPainter.drawImage``, ``QWidget.update``, …) therefore steals one
reference to ``None``; a window that repaints a few thousand times aborts with "Fatal Python
error: none_dealloc" (reproduced: 2,000 ``setText`` calls take 1,999 references). Some paths do
the same to ``True`` and ``False`` ("bool_dealloc", seen with ``pyqtgraph.ImageView``).
:func:`keep_singletons_alive` gives these singletons enough references to outlive any session,
which is exactly how Python 3.12 made them immortal. ``gui/__init__.py`` calls it before anything
touches Qt, so the window, the tests and every tab are covered.
"""

from __future__ import annotations

import ctypes
import sys

_EXTRA_REFS = 1 << 40  # at 100,000 stolen references a second: more than 100 days
_done = False


def keep_singletons_alive() -> bool:
    """Make ``None``, ``True`` and ``False`` effectively immortal on CPython < 3.12.

    True if the fix was applied by this call; False where it is not needed or not safe.
    """
    global _done
    if _done or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    if hasattr(sys, "gettotalrefcount"):  # a debug build has a different object header
        return False
    singletons = (None, True, False)
    counts = [ctypes.c_ssize_t.from_address(id(obj)) for obj in singletons]
    # ob_refcnt is the first field of every object: check that it reads as the true count.
    if any(abs(c.value - sys.getrefcount(obj)) > 4 for c, obj in zip(counts, singletons)):
        return False
    for c in counts:
        c.value += _EXTRA_REFS
    _done = True
    return True
