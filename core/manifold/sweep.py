"""The dimension sweep: the toy's curve hidden in D dimensions, one trained network per D."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

import numpy as np

from ..errors import UserError
from ..jobs import CancelToken, Frame
from .curves import Curve, make_data, walk_end
from .mlp import ToyNet, train_mlp
from .perturb import point_stats
from .settings import SweepParams


@dataclass(frozen=True)
class DimResult:
    """One dimension's figures, means over the correctly classified training points.

    Distances come twice: in L2 (the straight length of the step) and in L∞ (the most any single
    coordinate changes, as "levels per pixel" in an image). The walk along the curve is measured in
    the same norm, step by step along the curve.
    """

    dim: int
    accuracy: float  # on fresh points from the same distribution
    mean_adv: float  # L2 length of the minimal flipping step
    mean_on_manifold: float  # L2 length of the walk along the curve to the other class
    ratio: float  # mean_on_manifold / mean_adv
    normal_fraction: float  # mean |δ_n|² / |δ|² of the L2 step
    mean_adv_linf: float
    mean_on_manifold_linf: float
    ratio_linf: float
    flipped_at_eps: float  # fraction flipped by a step that changes no coordinate by more than ε
    seconds: float

    def as_dict(self) -> dict:
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class SweepFrame(Frame):
    params: SweepParams = field(default_factory=SweepParams)
    results: tuple[DimResult, ...] = ()

    @property
    def summary(self) -> str:
        """What the measured figures show, in plain words (see :func:`sweep_summary`)."""
        return sweep_summary(self.results, self.params.eps)


def trend(values: Sequence[float], dims: Sequence[int], fmt: Callable[[float], str]) -> str:
    """How a series over D reads, claiming no more than it shows.

    "rises from a (D = 2) to b (D = 1000)" when no step goes back by more than 5 % of the span;
    "mostly rises, from a … to b …" when it ends higher and its drops add up to less than a fifth of
    the rise; "falls …" likewise; otherwise "goes up and down between lo and hi".
    """
    v = np.asarray(values, dtype=np.float64)
    ends = f"from {fmt(v[0])} (D = {dims[0]}) to {fmt(v[-1])} (D = {dims[-1]})"
    if len(v) == 1:
        return f"is {fmt(v[0])} (D = {dims[0]})"
    lo, hi = float(v.min()), float(v.max())
    if fmt(lo) == fmt(hi):
        return f"stays at {fmt(lo)}"
    steps = np.diff(v)
    slack = 0.05 * (hi - lo)
    for sign, word in ((1, "rises"), (-1, "falls")):
        change = sign * (v[-1] - v[0])
        back = -np.minimum(sign * steps, 0)  # each step against the direction, as a positive size
        if change > 0 and np.all(back <= slack):
            return f"{word} {ends}"
        if change > 0 and back.sum() < 0.2 * change:
            return f"mostly {word}, {ends}"
    return f"goes up and down between {fmt(lo)} and {fmt(hi)}"


def sweep_summary(results: Sequence[DimResult], eps: float) -> str:
    """Two sentences that read the sweep's plots: the walk-to-step ratios, the share fooled by ε per
    coordinate and the share of the step that points off the curve ("" before any result)."""
    if not results:
        return ""
    d = [r.dim for r in results]
    times = lambda x: f"{x:.1f}×"  # noqa: E731 - tiny formatters
    pct = lambda x: f"{x:.0%}"  # noqa: E731
    return (f"Walk ÷ step in straight length {trend([r.ratio for r in results], d, times)}; "
            f"per coordinate it {trend([r.ratio_linf for r in results], d, times)}. "
            f"The share fooled by ε = {eps:g} per coordinate {trend([r.flipped_at_eps for r in results], d, pct)}; "
            f"the share of the step off the curve {trend([r.normal_fraction for r in results], d, pct)}.")


def embed_data(x2: np.ndarray, dim: int, extra_noise: float, rng: np.random.Generator,
               q: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A random orthonormal embedding Q (D×2) of the plane; returns (X·Qᵀ + noise off the plane, Q)."""
    if q is None:
        q, _ = np.linalg.qr(rng.normal(size=(dim, 2)))
    x = x2 @ q.T
    if extra_noise > 0 and dim > 2:
        z = rng.normal(0, extra_noise, size=x.shape)
        z -= (z @ q) @ q.T  # keep only the part off the curve's plane
        x = x + z
    return x, q


def evaluate_dim(params: SweepParams, dim: int, cancel: CancelToken | None = None) -> DimResult | None:
    """Train on the curve embedded in ``dim`` dimensions and measure the distances."""
    t0 = time.perf_counter()
    rng = np.random.default_rng([params.seed, dim])
    curve = Curve(params.curve)
    train = make_data(curve, params.n_points, params.noise, params.segments, rng)
    test = make_data(curve, params.n_points, params.noise, params.segments, rng)
    x_train, q = embed_data(train.x, dim, params.extra_noise, rng)
    x_test, _ = embed_data(test.x, dim, params.extra_noise, rng, q)
    net_module = None
    for _, net_module, _ in train_mlp(x_train, train.y, params.toy(), cancel=cancel, every=max(1, params.epochs // 4)):
        pass
    if net_module is None or (cancel is not None and cancel.cancelled):
        return None
    net = ToyNet.from_module(net_module, dim, params.hidden, params.activation)
    acc = float(((net.logit(x_test) > 0).astype(int) == test.y).mean())
    tangents = curve.tangent_at(train.u) @ q.T
    l2 = point_stats(net, x_train, train.y, train.u, tangents, train.u, train.y, norm="l2")
    if cancel is not None and cancel.checkpoint():
        return None
    li = point_stats(net, x_train, train.y, train.u, tangents, train.u, train.y, norm="linf")
    use = l2.correct & np.isfinite(l2.adv_distance) & np.isfinite(li.adv_distance)
    if not use.any():
        raise UserError(f"the classifier learnt nothing in {dim} dimensions; train it longer.")
    # the walk along the embedded curve in L∞: the sum of each small step's largest coordinate change
    steps_inf = np.abs(np.diff(curve.points @ q.T, axis=0)).max(1)
    cum_inf = np.concatenate([[0.0], np.cumsum(steps_inf)])
    end = walk_end(train.u, train.y, train.u, train.y)
    walk_inf = np.abs(np.interp(end, curve.u, cum_inf) - np.interp(train.u, curve.u, cum_inf))
    mean_adv, mean_on = float(l2.adv_distance[use].mean()), float(l2.on_manifold[use].mean())
    adv_inf, on_inf = float(li.adv_distance[use].mean()), float(walk_inf[use].mean())
    return DimResult(
        dim=dim, accuracy=acc, mean_adv=mean_adv, mean_on_manifold=mean_on, ratio=mean_on / mean_adv,
        normal_fraction=float(np.nanmean(l2.normal_fraction[use])),
        mean_adv_linf=adv_inf, mean_on_manifold_linf=on_inf, ratio_linf=on_inf / adv_inf,
        flipped_at_eps=float((li.adv_distance[use] <= params.eps).mean()), seconds=time.perf_counter() - t0,
    )


def dimension_sweep_job(params: SweepParams = SweepParams(), *, cancel: CancelToken | None = None) -> Iterator[SweepFrame]:
    """One frame per dimension D, each adding a point to the plot; the last has ``done=True``."""
    params = params.validated()
    cancel = cancel or CancelToken()
    results: list[DimResult] = []
    dims = tuple(sorted(set(params.dims)))
    yield SweepFrame(step=0, total=len(dims), message=f"training in {dims[0]} dimensions…", params=params)
    for i, dim in enumerate(dims, 1):
        r = evaluate_dim(params, dim, cancel)
        if r is None:
            break
        results.append(r)
        finished = i == len(dims)
        yield SweepFrame(step=i, total=len(dims), done=finished, params=params, results=tuple(results),
                         message=f"D = {dim}: smallest fooling step {r.mean_adv:.3f}, walk along the curve "
                                 f"{r.mean_on_manifold:.3f} ({r.ratio:.1f}× longer; {r.ratio_linf:.1f}× per coordinate)")
        if finished or cancel.checkpoint():
            break
