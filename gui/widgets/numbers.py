"""How the window writes a probability: one rule, so the same image reads the same everywhere.

A lecture hall reads one decimal (``97.3%``). Near certainty, one decimal would round up to a
``100.0%`` that the network never said, so the last steps get two decimals (``99.97%``) and
anything closer is ``> 99.99%``; tiny values are ``< 0.1%`` rather than a ``0.0%`` that reads as
impossible. Tooltips and the inspector, read up close, keep their exact digits.
"""

from __future__ import annotations

import math


def percent(p: float) -> str:
    """``p`` in [0, 1] as a percentage for the screen (``—`` when it is not a number)."""
    p = float(p)
    if not math.isfinite(p):
        return "—"
    if p >= 0.9995:
        return "> 99.99%" if p >= 0.99995 else f"{p * 100:.2f}%"
    if 0 < p < 0.0005:
        return "< 0.1%"
    return f"{p:.1%}"


def goal_percent(goal: float) -> str:
    """A goal as it was set: ``99%``, ``99.5%``, ``99.99%`` (never rounded up to 100 %)."""
    text = f"{goal * 100:.4f}".rstrip("0").rstrip(".")
    return f"{text}%"


def times(ratio: float) -> str:
    """A ratio as "17×" (whole from 10 up: the tenths of a big ratio say nothing) or "3.5×"."""
    ratio = float(ratio)
    if not math.isfinite(ratio):
        return "—"
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×"


__all__ = ["goal_percent", "percent", "times"]
