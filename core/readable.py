"""How the lecture writes numbers: whole, short, and readable from the back row.

One rule for every probability the window shows (headlines, bar labels, status lines, job
messages), and one for other measured values (a channel's response, a colour scale's top).
"""

from __future__ import annotations

import math


def percent(p: float) -> str:
    """A probability as the hall reads it: “84.4%”, “99.97%”, “> 99.99%”.

    One decimal; two once it would round up to 100.0% (at 0.9995), so a near-certainty is never
    shown as certain; above 99.995% only “> 99.99%”: digits past that tell a lecture nothing.
    “—” for what is not a number. (No “<” for tiny values: the text often goes into rich text.)
    """
    p = float(p)
    if not math.isfinite(p):
        return "—"
    if p >= 0.99995:
        return "> 99.99%"
    return f"{p:.2%}" if p >= 0.9995 else f"{p:.1%}"


def goal_percent(goal: float) -> str:
    """A goal as it was set: “99%”, “99.5%”, “99.99%” (never rounded up to 100 %)."""
    return f"{goal * 100:.4f}".rstrip("0").rstrip(".") + "%"


def times(ratio: float) -> str:
    """A ratio as “17×” (whole from 10 up: the tenths of a big ratio say nothing) or “3.5×”."""
    ratio = float(ratio)
    if not math.isfinite(ratio):
        return "—"
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×"


def number(x: float) -> str:
    """A measured value to about two significant digits: 56, 22, 1.9, 0.37 (whole from 10 on)."""
    if not math.isfinite(x):
        return str(x)
    size = abs(x)
    if size >= 10:
        return f"{x:.0f}"
    if size >= 1:
        return f"{x:.1f}"
    return f"{x:.2g}" if size >= 0.001 else "0"
