"""The 2-D toy: training with the probability map as it forms, and one clicked point explained."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np
import torch

from ..jobs import CancelToken, Frame
from .curves import Curve, ToyData, make_data, on_manifold_distance
from .mlp import ToyNet, train_mlp
from .perturb import minimal_perturbation, nearest_other, normal_fraction, point_stats, split_tangent_normal
from .settings import ToyParams

#: The toy's view: data lie within [-1, 1]², the map shows a little more.
EXTENT = 1.5
GRID = 160


@dataclass(frozen=True)
class PointAnalysis:
    """Everything the toy shows about one point (2-D coordinates)."""

    x: np.ndarray  # (2,)
    prob_blue: float
    predicted: int
    delta: np.ndarray  # (2,) smallest step that flips the class (zeros if none found)
    found: bool
    adv_distance: float
    tangent_part: np.ndarray  # (2,)
    normal_part: np.ndarray  # (2,)
    normal_fraction: float
    foot: np.ndarray  # (2,) nearest curve point
    off_curve: float  # distance from x to the curve
    on_manifold_distance: float  # along the curve to the nearest point of the other class
    walk: np.ndarray  # (K, 2) the path along the curve to that point

    @property
    def ratio(self) -> float:
        return self.on_manifold_distance / self.adv_distance if self.adv_distance > 0 else math.inf


def analyse_point(net: ToyNet, curve: Curve, data: ToyData, x: Sequence[float], k_starts: int = 3) -> PointAnalysis:
    """The probability at ``x``, the smallest flipping step and its tangent/normal split, and the
    walk along the curve to the other class, for the lecturer's clicked point."""
    x = np.asarray(x, dtype=np.float64).reshape(1, 2)
    p = float(net.prob(x)[0])
    pred = int(p > 0.5)
    ref_pred = (net.logit(data.x) > 0).astype(np.int64)
    starts = nearest_other(x, np.array([pred]), data.x, ref_pred, k_starts)
    delta, ok = minimal_perturbation(net, x, extra_starts=starts)
    u, off = curve.project(x)
    t = curve.tangent_at(u)
    d_t, d_n = split_tangent_normal(delta, t)
    nf = float(normal_fraction(delta, t)[0]) if ok[0] else float("nan")
    walk_d = float(on_manifold_distance(u, np.array([pred]), data.u, data.y)[0])
    # the walk: from the foot along the curve to the nearest point of the other class
    others = data.u[data.y != pred]
    if others.size and math.isfinite(walk_d):
        end = others[np.argmin(np.abs(others - u[0]))]
        walk = curve.at(np.linspace(u[0], end, 80))
    else:
        walk = curve.at(u).reshape(1, 2)
    return PointAnalysis(
        x=x[0], prob_blue=p, predicted=pred, delta=delta[0], found=bool(ok[0]),
        adv_distance=float(np.linalg.norm(delta[0])) if ok[0] else float("nan"),
        tangent_part=d_t[0], normal_part=d_n[0], normal_fraction=nf,
        foot=curve.at(u)[0], off_curve=float(off[0]), on_manifold_distance=walk_d, walk=walk,
    )


@dataclass(frozen=True)
class ToyFrame(Frame):
    params: ToyParams = field(default_factory=ToyParams)
    net: ToyNet | None = field(default=None, repr=False)
    curve_points: np.ndarray = field(default=None, repr=False)  # (M, 2) the dotted manifold
    data_x: np.ndarray = field(default=None, repr=False)
    data_y: np.ndarray = field(default=None, repr=False)
    data_u: np.ndarray = field(default=None, repr=False)
    prob_grid: np.ndarray = field(default=None, repr=False)  # (GRID, GRID) P(blue), row = y, col = x
    extent: float = EXTENT
    epoch: int = 0
    loss: float = 0.0
    accuracy: float = 0.0
    seconds: float = 0.0
    #: on the final frame: per training point, the minimal flipping distance (nan: none found)
    adv_distance: np.ndarray | None = field(default=None, repr=False)
    on_manifold: np.ndarray | None = field(default=None, repr=False)
    most_vulnerable: int = -1  # correctly classified point with the shortest fooling step
    biggest_gap: int = -1  # correctly classified point whose walk is the most times longer than its step


def grid_coords(extent: float = EXTENT, n: int = GRID) -> np.ndarray:
    """Centres of the probability map's cells; row i is y, column j is x (both increasing)."""
    c = np.linspace(-extent, extent, n)
    xx, yy = np.meshgrid(c, c)
    return np.stack([xx.ravel(), yy.ravel()], 1)


def train_job(params: ToyParams = ToyParams(), *, cancel: CancelToken | None = None,
              frames: int = 12, grid: int = GRID, analyse: bool = True) -> Iterator[ToyFrame]:
    """Draw the data, train the MLP, and yield the probability map as it forms.

    The final frame (``done=True``) also carries each training point's minimal flipping distance
    and the index of the most vulnerable correctly classified point.
    """
    params = params.validated()
    cancel = cancel or CancelToken()
    t0 = time.perf_counter()
    rng = np.random.default_rng(params.seed)
    curve = Curve(params.curve)
    data = make_data(curve, params.n_points, params.noise, params.segments, rng)
    coords = torch.as_tensor(grid_coords(EXTENT, grid), dtype=torch.float32)
    xt = torch.as_tensor(data.x, dtype=torch.float32)
    every = max(1, params.epochs // frames)
    last = None
    for epoch, net, loss in train_mlp(data.x, data.y, params, cancel=cancel, every=every):
        with torch.no_grad():
            probs = torch.sigmoid(net(coords)).reshape(grid, grid).numpy().astype(np.float32)
            acc = float(((net(xt).squeeze(-1) > 0).long().numpy() == data.y).mean())
        last = ToyFrame(
            step=epoch, total=params.epochs, message=f"epoch {epoch}/{params.epochs}: accuracy {acc:.0%}",
            params=params, net=ToyNet.from_module(net, 2, params.hidden, params.activation),
            curve_points=curve.points, data_x=data.x, data_y=data.y, data_u=data.u, prob_grid=probs,
            epoch=epoch, loss=loss, accuracy=acc, seconds=time.perf_counter() - t0,
        )
        if epoch < params.epochs or analyse:
            yield last  # the finished map at once; the point analysis follows in the final frame
    if last is None:
        return
    adv = onm = None
    worst = gap = -1
    if analyse and not cancel.cancelled:
        stats = point_stats(last.net, data.x, data.y, data.u, curve.tangent_at(data.u), data.u, data.y)
        adv, onm = stats.adv_distance, stats.on_manifold
        cand = np.where(stats.correct & np.isfinite(adv), adv, np.inf)
        worst = int(np.argmin(cand)) if np.isfinite(cand).any() else -1
        ratio = np.where(np.isfinite(cand) & np.isfinite(onm), onm / np.where(cand > 0, cand, np.inf), -1.0)
        gap = int(np.argmax(ratio)) if (ratio > 0).any() else -1
    fields = {k: getattr(last, k) for k in last.__dataclass_fields__}
    fields.update(done=True, adv_distance=adv, on_manifold=onm, most_vulnerable=worst, biggest_gap=gap,
                  seconds=time.perf_counter() - t0,
                  message=f"trained {params.epochs} epochs in {time.perf_counter() - t0:.2f} s: "
                          f"accuracy {last.accuracy:.0%}")
    yield ToyFrame(**fields)
