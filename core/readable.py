"""How the lecture writes numbers: whole, short, and readable from the back row.

One rule for every probability the window shows (headlines, bar labels, status lines, job
messages), and one for other measured values (a channel's response, a colour scale's top).
"""

from __future__ import annotations

import math


def percent(p: float) -> str:
    """A probability as the hall reads it: “84.4%”, “99.97%”, “> 99.99%”.

    One decimal; two from 99.95% on, so a near-certainty is never shown as certain; from 99.995%
    only “> 99.99%”: digits past that tell a lecture nothing. Digits are cut, not rounded, so a
    number on screen is never more than the network said (98.95% is “98.9%”, not a “99.0%” that
    would pass a 99% goal it has not reached). “—” for what is not a number. (No “<” for tiny
    values: the text often goes into rich text.)
    """
    p = float(p)
    if not math.isfinite(p):
        return "—"
    if p >= 0.99995:
        return "> 99.99%"
    digits = 2 if p >= 0.9995 else 1
    return f"{_cut(max(p, 0.0) * 100, digits):.{digits}f}%"


def share(x: float) -> str:
    """A share that is no probability (images queried against the paper's, a bar against the
    largest): one decimal, and 100% or more when it is so."""
    x = float(x)
    return f"{max(x, 0.0):.1%}" if math.isfinite(x) else "—"


def _cut(x: float, digits: int) -> float:
    """``x`` cut (not rounded) to ``digits`` decimals; the tiny slack keeps 84.4 from reading 84.39."""
    scale = 10 ** digits
    return math.floor(x * scale + 1e-6) / scale


def goal_percent(goal: float) -> str:
    """A goal as it was set: “99%”, “99.5%”, “99.99%” (never rounded up to 100 %)."""
    goal = float(goal)
    if not math.isfinite(goal):
        return "—"
    return f"{_cut(goal * 100, 4):.4f}".rstrip("0").rstrip(".") + "%"


def times(ratio: float) -> str:
    """A ratio as “17×” (whole from 10 up: the tenths of a big ratio say nothing) or “3.5×”."""
    ratio = float(ratio)
    if not math.isfinite(ratio):
        return "—"
    return f"{ratio:.0f}×" if round(ratio, 1) >= 10 else f"{ratio:.1f}×"


def number(x: float) -> str:
    """A measured value to about two significant digits: 56, 22, 1.9, 0.37 (whole from 10 on)."""
    if not math.isfinite(x):
        return "—"
    size = abs(round(x, 1))  # 9.96 is “10”, not “10.0”
    if size >= 10:
        return f"{x:.0f}"
    if size >= 1:
        return f"{x:.1f}"
    return f"{x:.2g}" if size >= 0.001 else "0"
