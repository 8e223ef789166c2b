"""Toy data: a curve in the plane by arc length, the points drawn near it, and walks along it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import UserError
from .settings import CURVES


def _raw_curve(kind: str, s: np.ndarray) -> np.ndarray:
    """The curve at parameter s ∈ [0, 1] (not yet by arc length), inside [-1, 1]²."""
    if kind == "line":
        x = 2 * s - 1
        return np.stack([0.9 * x, 0.45 * x], 1)
    if kind == "sine":
        x = 2 * s - 1
        return np.stack([0.95 * x, 0.5 * np.sin(2.5 * math.pi * x)], 1)
    if kind == "circle":
        theta = (-0.78 + 1.56 * s) * math.pi  # a 280° arc: its two ends face each other across a gap
        return np.stack([0.85 * np.cos(theta), 0.85 * np.sin(theta)], 1)
    if kind == "spiral":
        theta = 3.2 * math.pi * s
        r = 0.18 + 0.8 * s
        return np.stack([r * np.cos(theta), r * np.sin(theta)], 1)
    raise UserError(f"unknown curve “{kind}”; choose one of {', '.join(CURVES)}.")


class Curve:
    """A plane curve parametrised by arc length u ∈ [0, length], sampled densely."""

    def __init__(self, kind: str = "sine", samples: int = 2000) -> None:
        self.kind = kind
        s = np.linspace(0, 1, 20 * samples)
        raw = _raw_curve(kind, s)
        seg = np.linalg.norm(np.diff(raw, axis=0), axis=1)
        cum = np.concatenate([[0.0], np.cumsum(seg)])
        self.length = float(cum[-1])
        #: arc-length positions of the dense samples, evenly spaced
        self.u = np.linspace(0, self.length, samples)
        s_of_u = np.interp(self.u, cum, s)
        self.points = _raw_curve(kind, s_of_u)  # (M, 2)
        tan = np.gradient(self.points, self.u, axis=0)
        self.tangents = tan / np.linalg.norm(tan, axis=1, keepdims=True)

    def at(self, u: np.ndarray | float) -> np.ndarray:
        """Points at arc-length positions ``u`` (clipped to the curve)."""
        u = np.clip(np.asarray(u, dtype=np.float64), 0, self.length)
        return np.stack([np.interp(u, self.u, self.points[:, 0]), np.interp(u, self.u, self.points[:, 1])], -1)

    def tangent_at(self, u: np.ndarray | float) -> np.ndarray:
        u = np.clip(np.asarray(u, dtype=np.float64), 0, self.length)
        t = np.stack([np.interp(u, self.u, self.tangents[:, 0]), np.interp(u, self.u, self.tangents[:, 1])], -1)
        return t / np.linalg.norm(t, axis=-1, keepdims=True)

    def project(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Arc position and distance of the curve point nearest to each row of ``x`` (N×2)."""
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        out_u = np.empty(len(x))
        out_d = np.empty(len(x))
        for start in range(0, len(x), 512):
            chunk = x[start:start + 512]
            d2 = ((chunk[:, None, :] - self.points[None, :, :]) ** 2).sum(-1)
            i = d2.argmin(1)
            # refine on the two neighbouring segments
            best_u, best_d = self.u[i], np.sqrt(d2[np.arange(len(i)), i])
            for j in (i - 1, i):
                j = np.clip(j, 0, len(self.u) - 2)
                a, b = self.points[j], self.points[j + 1]
                ab = b - a
                t = np.clip(((chunk - a) * ab).sum(1) / (ab * ab).sum(1), 0, 1)
                p = a + t[:, None] * ab
                d = np.linalg.norm(chunk - p, axis=1)
                better = d < best_d
                best_d = np.where(better, d, best_d)
                best_u = np.where(better, self.u[j] + t * (self.u[j + 1] - self.u[j]), best_u)
            out_u[start:start + 512] = best_u
            out_d[start:start + 512] = best_d
        return out_u, out_d


def class_along(u: np.ndarray, length: float, segments: int = 2) -> np.ndarray:
    """Class 0 (yellow) or 1 (blue) of arc positions: ``segments`` equal pieces, alternating."""
    k = np.minimum((np.asarray(u) / length * segments).astype(int), segments - 1)
    return (k % 2).astype(np.int64)


@dataclass(frozen=True)
class ToyData:
    """Points on (and near) the curve, with their arc positions and classes."""

    x: np.ndarray  # (N, 2) float64
    y: np.ndarray  # (N,) int64, 0 yellow, 1 blue
    u: np.ndarray  # (N,) arc position each point was drawn at


def make_data(curve: Curve, n: int, noise: float, segments: int, rng: np.random.Generator) -> ToyData:
    """``n`` points drawn evenly along the curve, each pushed off it along the normal by N(0, noise²)."""
    u = np.sort(rng.uniform(0, curve.length, n))
    p = curve.at(u)
    t = curve.tangent_at(u)
    normal = np.stack([-t[:, 1], t[:, 0]], 1)
    x = p + normal * rng.normal(0, noise, n)[:, None] if noise > 0 else p
    return ToyData(x=x, y=class_along(u, curve.length, segments), u=u)


def walk_end(u: np.ndarray, labels: np.ndarray, ref_u: np.ndarray, ref_y: np.ndarray) -> np.ndarray:
    """For each arc position ``u``, the arc position of the nearest reference point whose class is not
    ``labels`` (nan where there is none): where a walk along the curve reaches the other class."""
    u = np.atleast_1d(np.asarray(u, dtype=np.float64))
    labels = np.atleast_1d(labels)
    out = np.full(len(u), np.nan)
    for cls in (0, 1):
        others = np.sort(ref_u[ref_y != cls])
        mine = labels == cls
        if not others.size or not mine.any():
            continue
        q = u[mine]
        j = np.searchsorted(others, q)
        left = others[np.clip(j - 1, 0, len(others) - 1)]
        right = others[np.clip(j, 0, len(others) - 1)]
        out[mine] = np.where(np.abs(q - left) <= np.abs(right - q), left, right)
    return out


def on_manifold_distance(u: np.ndarray, labels: np.ndarray, ref_u: np.ndarray, ref_y: np.ndarray) -> np.ndarray:
    """How far along the curve from each arc position ``u`` to the nearest reference point whose class
    is not ``labels`` (inf where there is none)."""
    d = np.abs(walk_end(u, labels, ref_u, ref_y) - np.atleast_1d(u))
    return np.where(np.isnan(d), np.inf, d)
