"""Minimal perturbations: the smallest step that changes the classifier's answer, and its split
into the part along the curve and the part off it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .curves import on_manifold_distance
from .mlp import ToyNet


def _logits_and_grad(net: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    with torch.enable_grad():
        xr = x.detach().requires_grad_(True)
        f = net(xr).squeeze(-1)
        (g,) = torch.autograd.grad(f.sum(), xr)
    return f.detach(), g


def _first_crossing(net: nn.Module, x0: torch.Tensor, x1: torch.Tensor, s: torch.Tensor,
                    scan: int = 16, bisect: int = 20) -> tuple[torch.Tensor, torch.Tensor]:
    """Along each segment x0→x1, the first point whose logit has the sign opposite to ``s``.

    Returns (points on the flipped side, within 2⁻²⁰ of the segment of the crossing; found mask).
    """
    n = len(x0)
    with torch.no_grad():
        # the first layer is affine, so along a segment its output is a + t·b: pay for D once
        if isinstance(net, nn.Sequential) and isinstance(net[0], nn.Linear):
            first, rest = net[0], net[1:]
        else:
            first, rest = nn.Identity(), net
        a = first(x0)
        b = first(x1) - a
        ts = torch.linspace(0, 1, scan + 1, dtype=x0.dtype)[1:]
        h = a[:, None, :] + ts[None, :, None] * b[:, None, :]
        f = rest(h.reshape(n * scan, -1)).reshape(n, scan)
        flipped = (f * s[:, None]) < 0
        found = flipped.any(1)
        k = torch.where(found, flipped.float().argmax(1), torch.full((n,), scan - 1))
        hi = ts[k]
        lo = torch.where(k > 0, ts[(k - 1).clamp(min=0)], torch.zeros_like(hi))
        for _ in range(bisect):
            mid = (lo + hi) / 2
            fm = rest(a + mid[:, None] * b).squeeze(-1)
            flip = (fm * s) < 0
            hi = torch.where(flip, mid, hi)
            lo = torch.where(flip, lo, mid)
        return x0 + hi[:, None] * (x1 - x0), found


NORMS = ("l2", "linf")


def _norm(v: torch.Tensor, norm: str) -> torch.Tensor:
    return v.norm(dim=1) if norm == "l2" else v.abs().amax(1)


def _linear_step(g: torch.Tensor, c: torch.Tensor, norm: str) -> torch.Tensor:
    """The smallest step v (in ``norm``) with g·v = c, per row: the dual direction, scaled."""
    if norm == "l2":
        return (c / (g * g).sum(1).clamp(min=1e-18))[:, None] * g
    return (c / g.abs().sum(1).clamp(min=1e-18))[:, None] * torch.sign(g)


def _deepfool(net: nn.Module, x0: torch.Tensor, s: torch.Tensor, steps: int = 60,
              overshoot: float = 0.02, norm: str = "l2") -> tuple[torch.Tensor, torch.Tensor]:
    """DeepFool for one logit: Newton steps towards f = 0 (in ``norm``) until the sign flips."""
    x = x0.clone()
    done = torch.zeros(len(x0), dtype=torch.bool)
    for _ in range(steps):
        f, g = _logits_and_grad(net, x)
        done = (f * s) < 0
        if bool(done.all()):
            break
        step = _linear_step(g, -f, norm) * (1 + overshoot)
        x = torch.where(done[:, None], x, x + step)
    return x, done


def minimal_perturbation(net: ToyNet | nn.Module, x0: np.ndarray, *, extra_starts: np.ndarray | None = None,
                         refine: int = 25, norm: str = "l2") -> tuple[np.ndarray, np.ndarray]:
    """The smallest step δ (L2, or L∞ with ``norm="linf"``) that changes the classifier's answer
    at each row of ``x0``.

    Starts from DeepFool's answer and from each ``extra_starts`` point (N×K×D points that should lie
    on the other side, e.g. the nearest points of the other class), takes the first boundary
    crossing on the way there, then walks along the boundary: from a boundary point b with normal g,
    aim at the foot of the perpendicular from x0 onto the tangent plane at b and keep the new
    crossing if it is closer (for L∞ the "foot" is the nearest point of that plane in L∞). The
    answer is taken a hair past the boundary, and every returned x0 + δ is checked to be classified
    differently; ``ok`` is False where no step was found.
    """
    module = net.module if isinstance(net, ToyNet) else net
    x0t = torch.as_tensor(np.atleast_2d(x0), dtype=torch.float32)
    n, d = x0t.shape
    with torch.no_grad():
        s = torch.sign(module(x0t).squeeze(-1))
    s = torch.where(s == 0, torch.ones_like(s), s)

    starts = [_deepfool(module, x0t, s, norm=norm)[0]]
    if extra_starts is not None and len(extra_starts):
        es = torch.as_tensor(extra_starts, dtype=torch.float32).reshape(n, -1, d)
        starts += [es[:, k] for k in range(es.shape[1])]
    k = len(starts)
    # all starts of all points in one batch: row j*n + i is start j of point i
    x0k = x0t.repeat(k, 1)
    sk = s.repeat(k)
    xb, found = _first_crossing(module, x0k, torch.cat(starts), sk)
    inf = torch.full((n * k,), math.inf, dtype=torch.float32)
    dist = torch.where(found, _norm(xb - x0k, norm), inf)
    alpha = torch.ones(n * k, dtype=torch.float32)
    for _ in range(refine):
        active = torch.isfinite(dist) & (alpha > 1e-3)
        if not bool(active.any()):
            break
        _, g = _logits_and_grad(module, xb)
        foot = x0k - _linear_step(g, ((x0k - xb) * g).sum(1), norm)
        aim = xb + alpha[:, None] * (foot - xb)
        xc, ok = _first_crossing(module, x0k, x0k + 1.25 * (aim - x0k), sk, scan=8)
        dc = _norm(xc - x0k, norm)
        better = active & ok & (dc < dist * (1 - 1e-6))
        xb = torch.where(better[:, None], xc, xb)
        dist = torch.where(better, dc, dist)
        alpha = torch.where(better, torch.clamp(alpha * 2, max=1.0), alpha * 0.5)
    j = dist.reshape(k, n).argmin(0)
    best = dist.reshape(k, n)[j, torch.arange(n)]
    best_x = xb.reshape(k, n, d)[j, torch.arange(n)]
    # a hair past the crossing, so that x0 + δ stays on the far side after any rounding
    far = x0t + (best_x - x0t) * (1 + 1e-4)
    with torch.no_grad():
        far_ok = (module(far).squeeze(-1) * s) < 0
        far = torch.where(far_ok[:, None], far, best_x)
        flipped = (module(far).squeeze(-1) * s) < 0
    ok = torch.isfinite(best) & flipped
    delta = torch.where(ok[:, None], far - x0t, torch.zeros_like(x0t))
    return delta.numpy().astype(np.float64), ok.numpy()


def split_tangent_normal(delta: np.ndarray, tangent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """δ = δ_t + δ_n with δ_t along the unit ``tangent`` (rows) and δ_n orthogonal to it."""
    delta = np.atleast_2d(delta)
    tangent = np.atleast_2d(tangent)
    along = (delta * tangent).sum(1, keepdims=True)
    d_t = along * tangent
    return d_t, delta - d_t


def normal_fraction(delta: np.ndarray, tangent: np.ndarray) -> np.ndarray:
    """Share of the step that leaves the manifold: |δ_n|² / |δ|² (tangent share is 1 minus this)."""
    d_t, d_n = split_tangent_normal(delta, tangent)
    total = (np.atleast_2d(delta) ** 2).sum(1)
    return np.where(total > 0, (d_n ** 2).sum(1) / np.maximum(total, 1e-300), np.nan)


def nearest_other(x: np.ndarray, pred: np.ndarray, ref_x: np.ndarray, ref_pred: np.ndarray, k: int) -> np.ndarray:
    """For each x, the ``k`` nearest reference points predicted as the other class (N×k×D)."""
    out = np.repeat(x[:, None, :], k, axis=1).copy()
    for cls in (0, 1):
        mine = pred == cls
        others = ref_x[ref_pred != cls]
        if not mine.any() or not len(others):
            continue
        d2 = ((x[mine][:, None, :] - others[None]) ** 2).sum(-1)
        kk = min(k, len(others))
        idx = np.argsort(d2, axis=1)[:, :kk]
        picked = others[idx]
        if kk < k:
            picked = np.concatenate([picked, np.repeat(picked[:, -1:], k - kk, axis=1)], 1)
        out[mine] = picked
    return out


@dataclass(frozen=True)
class PointStats:
    """Adversarial and on-manifold distances of every point of a data set."""

    adv_distance: np.ndarray  # (N,) nan where no flip was found
    on_manifold: np.ndarray  # (N,)
    normal_fraction: np.ndarray  # (N,)
    correct: np.ndarray  # (N,) bool
    delta: np.ndarray = field(repr=False)  # (N, D)


def point_stats(net: ToyNet, x: np.ndarray, y: np.ndarray, u: np.ndarray, tangents: np.ndarray,
                ref_u: np.ndarray, ref_y: np.ndarray, norm: str = "l2") -> PointStats:
    """Minimal flipping step of each point (from its predicted class), its normal share, and the
    walk along the curve from it to the other class (of its true label)."""
    pred = (net.logit(x) > 0).astype(np.int64)
    starts = nearest_other(x, pred, x, pred, 3)
    delta, ok = minimal_perturbation(net, x, extra_starts=starts, norm=norm)
    size = np.linalg.norm(delta, axis=1) if norm == "l2" else np.abs(delta).max(1)
    adv = np.where(ok, size, np.nan)
    nf = np.where(ok, normal_fraction(delta, tangents), np.nan)
    return PointStats(adv_distance=adv, on_manifold=on_manifold_distance(u, y, ref_u, ref_y),
                      normal_fraction=nf, correct=pred == y, delta=delta)
