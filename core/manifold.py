"""The data-manifold toy: why a tiny step fools a classifier, and how the gap grows with dimension.

Natural data occupy a thin, smooth, low-dimensional part of feature space. Here that part is a
1-D curve in the plane (line, sine wave, circle arc, spiral), split into two classes along its
length. A small MLP learns to separate them; off the curve it may draw its boundary wherever it
likes, so the shortest step that changes its answer usually *leaves* the curve and is short, while
a real change of class needs a long walk *along* the curve.

Everything is measured, nothing assumed:

* :class:`Curve` — the curve by arc length, its tangents and the nearest point to any x;
* :func:`train_job` — trains the MLP and yields frames with the probability map and a snapshot of
  the weights (:class:`ToyNet`), which any thread can query;
* :func:`minimal_perturbation` — the smallest step that flips the class (DeepFool, then a walk on
  the boundary towards the foot of the perpendicular), every result verified to flip;
* :func:`analyse_point` — that step for one point, split into its tangent and normal parts, next
  to the distance along the curve to the other class;
* :func:`dimension_sweep_job` — the same curve embedded in D dimensions, one frame per D;
* :func:`null_set_job` — random images and what real classifiers call them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator, Sequence

import numpy as np
import torch
from torch import nn

from .errors import UserError
from .jobs import CancelToken, Frame

CURVES = ("sine", "line", "circle", "spiral")
CURVE_TITLES = {"sine": "Sine wave", "line": "Straight line", "circle": "Circle arc", "spiral": "Spiral"}
ACTIVATIONS = ("relu", "tanh", "gelu", "silu")
#: The toy's view: data lie within [-1, 1]², the map shows a little more.
EXTENT = 1.5
GRID = 160


# ------------------------------------------------------------------------------------------ curve
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


# ---------------------------------------------------------------------------------------- dataset
@dataclass(frozen=True)
class ToyParams:
    """What the lecturer chooses for the 2-D toy."""

    curve: str = "sine"
    n_points: int = 200
    noise: float = 0.03  # width of the cloud off the curve (standard deviation along the normal)
    segments: int = 2
    hidden: tuple[int, ...] = (32, 32)
    activation: str = "relu"
    weight_decay: float = 1e-4
    epochs: int = 300
    lr: float = 0.01
    seed: int = 0

    def validated(self) -> "ToyParams":
        if self.curve not in CURVES:
            raise UserError(f"unknown curve “{self.curve}”; choose one of {', '.join(CURVES)}.")
        if self.activation not in ACTIVATIONS:
            raise UserError(f"unknown activation “{self.activation}”; choose one of {', '.join(ACTIVATIONS)}.")
        if not 10 <= self.n_points <= 5000:
            raise UserError("the number of points must be between 10 and 5000.")
        if not (math.isfinite(self.noise) and 0 <= self.noise <= 0.5):
            raise UserError("the noise width must be between 0 and 0.5.")
        if not 2 <= self.segments <= 12:
            raise UserError("the curve must be split into 2 to 12 pieces.")
        if not self.hidden or len(self.hidden) > 6 or not all(1 <= h <= 1024 for h in self.hidden):
            raise UserError("hidden sizes must be 1 to 6 layers of 1 to 1024 units, e.g. 32,32.")
        if not (math.isfinite(self.weight_decay) and 0 <= self.weight_decay <= 1):
            raise UserError("weight decay must be between 0 and 1.")
        if not 1 <= self.epochs <= 100_000:
            raise UserError("epochs must be between 1 and 100000.")
        if not (math.isfinite(self.lr) and 0 < self.lr <= 1):
            raise UserError("the learning rate must be between 0 and 1.")
        return self


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


# -------------------------------------------------------------------------------------------- MLP
_ACT = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "silu": nn.SiLU}


def build_mlp(d_in: int, hidden: Sequence[int], activation: str, gen: torch.Generator | None = None) -> nn.Sequential:
    """An MLP with one output logit (>0 means blue), initialised from ``gen`` like torch's default."""
    layers: list[nn.Module] = []
    sizes = [d_in, *hidden, 1]
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        lin = nn.Linear(a, b)
        bound = 1 / math.sqrt(a)
        with torch.no_grad():
            lin.weight.copy_((torch.rand(b, a, generator=gen) * 2 - 1) * bound)
            lin.bias.copy_((torch.rand(b, generator=gen) * 2 - 1) * bound)
        layers.append(lin)
        if i < len(hidden):
            layers.append(_ACT[activation]())
    return nn.Sequential(*layers)


@dataclass(frozen=True)
class ToyNet:
    """A trained (or training) classifier frozen as numpy weights: safe to hand to any thread."""

    d_in: int
    hidden: tuple[int, ...]
    activation: str
    weights: tuple[np.ndarray, ...] = field(repr=False)

    @staticmethod
    def from_module(net: nn.Sequential, d_in: int, hidden: Sequence[int], activation: str) -> "ToyNet":
        ws = tuple(t.detach().cpu().numpy().copy() for t in net.state_dict().values())
        return ToyNet(d_in=d_in, hidden=tuple(hidden), activation=activation, weights=ws)

    @cached_property
    def module(self) -> nn.Sequential:
        net = build_mlp(self.d_in, self.hidden, self.activation)
        keys = list(net.state_dict())
        net.load_state_dict({k: torch.from_numpy(w.copy()) for k, w in zip(keys, self.weights)})
        net.eval().requires_grad_(False)
        return net

    def logit(self, x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self.module(torch.as_tensor(np.atleast_2d(x), dtype=torch.float32)).squeeze(-1).numpy()

    def prob(self, x: np.ndarray) -> np.ndarray:
        """Probability of blue (class 1)."""
        return 1 / (1 + np.exp(-self.logit(x)))


def train_mlp(x: np.ndarray, y: np.ndarray, params: ToyParams, *, cancel: CancelToken | None = None,
              every: int | None = None) -> Iterator[tuple[int, nn.Sequential, float]]:
    """Full-batch AdamW on binary cross-entropy; yields (epoch, net, loss) every ``every`` epochs
    and after the last. Enters grad mode itself (safe in any thread)."""
    gen = torch.Generator().manual_seed(params.seed)
    net = build_mlp(x.shape[1], params.hidden, params.activation, gen)
    xt = torch.as_tensor(x, dtype=torch.float32)
    yt = torch.as_tensor(y, dtype=torch.float32)
    ps = list(net.parameters())
    # AdamW written out: torch.optim's first step costs seconds of one-off set-up in a fresh process
    m1 = [torch.zeros_like(p) for p in ps]
    m2 = [torch.zeros_like(p) for p in ps]
    b1, b2, lr = 0.9, 0.999, params.lr
    loss_fn = nn.BCEWithLogitsLoss()
    every = every or params.epochs
    with torch.enable_grad():
        for epoch in range(1, params.epochs + 1):
            loss = loss_fn(net(xt).squeeze(-1), yt)
            grads = torch.autograd.grad(loss, ps)
            with torch.no_grad():
                c1, c2 = 1 - b1 ** epoch, 1 - b2 ** epoch
                for p, g, a, v in zip(ps, grads, m1, m2):
                    p.mul_(1 - lr * params.weight_decay)
                    a.mul_(b1).add_(g, alpha=1 - b1)
                    v.mul_(b2).addcmul_(g, g, value=1 - b2)
                    p.addcdiv_(a, (v / c2).sqrt_().add_(1e-8), value=-lr / c1)
            if epoch % every == 0 or epoch == params.epochs:
                yield epoch, net, float(loss.detach())
                if cancel is not None and cancel.checkpoint():
                    return


# ----------------------------------------------------------------------- minimal perturbations
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


def _nearest_other(x: np.ndarray, pred: np.ndarray, ref_x: np.ndarray, ref_pred: np.ndarray, k: int) -> np.ndarray:
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


# ------------------------------------------------------------------------------- one point, 2-D
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
    starts = _nearest_other(x, np.array([pred]), data.x, ref_pred, k_starts)
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
    starts = _nearest_other(x, pred, x, pred, 3)
    delta, ok = minimal_perturbation(net, x, extra_starts=starts, norm=norm)
    size = np.linalg.norm(delta, axis=1) if norm == "l2" else np.abs(delta).max(1)
    adv = np.where(ok, size, np.nan)
    nf = np.where(ok, normal_fraction(delta, tangents), np.nan)
    return PointStats(adv_distance=adv, on_manifold=on_manifold_distance(u, y, ref_u, ref_y),
                      normal_fraction=nf, correct=pred == y, delta=delta)


# ------------------------------------------------------------------------------- training job
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


# ---------------------------------------------------------------------------- dimension sweep
@dataclass(frozen=True)
class SweepParams:
    curve: str = "sine"
    dims: tuple[int, ...] = (2, 5, 10, 20, 50, 100, 200, 500, 1000)
    n_points: int = 200
    noise: float = 0.03
    extra_noise: float = 0.0  # standard deviation of the noise in each of the D − 2 extra dimensions
    segments: int = 2
    hidden: tuple[int, ...] = (32, 32)  # the toy's network
    activation: str = "relu"
    weight_decay: float = 1e-4
    epochs: int = 300
    lr: float = 0.01
    eps: float = 0.05  # the per-coordinate (L∞) step size for "fraction flipped"
    seed: int = 0

    def validated(self) -> "SweepParams":
        if not self.dims or not all(2 <= d <= 1000 for d in self.dims):
            raise UserError("dimensions must be between 2 and 1000.")
        if not (math.isfinite(self.extra_noise) and 0 <= self.extra_noise <= 0.5):
            raise UserError("the noise in the extra dimensions must be between 0 and 0.5.")
        if not (math.isfinite(self.eps) and 0 < self.eps <= 2):
            raise UserError("ε must be between 0 and 2.")
        self.toy().validated()
        return self

    def toy(self) -> ToyParams:
        return ToyParams(curve=self.curve, n_points=self.n_points, noise=self.noise, segments=self.segments,
                         hidden=self.hidden, activation=self.activation, weight_decay=self.weight_decay,
                         epochs=self.epochs, lr=self.lr, seed=self.seed)


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
                         message=f"D = {dim}: step off the curve {r.mean_adv:.3f}, walk along it "
                                 f"{r.mean_on_manifold:.3f} ({r.ratio:.1f}× longer; {r.ratio_linf:.1f}× per coordinate)")
        if finished or cancel.checkpoint():
            break


# ----------------------------------------------------------------------------- null set panel
@dataclass(frozen=True)
class NullSetFrame(Frame):
    images: tuple[np.ndarray, ...] = ()  # uint8 images: noise for each model, then the photo
    titles: tuple[str, ...] = ()  # "model: label (confidence)"
    labels: tuple[str, ...] = ()
    confidences: tuple[float, ...] = ()
    chance: tuple[float, ...] = ()  # 1 / number of classes, for "how sure compared with guessing"
    note: str = ""  # a sentence when a model is missing


def null_set_job(seed: int = 0, photo: str | None = None, *, device: torch.device | str = "cpu",
                 cancel: CancelToken | None = None) -> Iterator[NullSetFrame]:
    """Uniform-noise images through the ImageNet and MNIST classifiers, next to a real photo.

    Loads the models here (call it in a worker thread). A missing MNIST model becomes a sentence.
    """
    from . import imaging, models
    from .resources import sample_images
    from .whitebox import classify

    cancel = cancel or CancelToken()
    rng = np.random.default_rng(seed)
    images, titles, labels, confs, chance = [], [], [], [], []
    notes = []
    yield NullSetFrame(step=0, total=3, message="loading the classifiers…")
    clf = models.load_classifier("efficientnet_lite0", device)
    noise = rng.integers(0, 256, size=(*clf.input_size, 3), dtype=np.uint8)
    _, name, p = classify(clf, noise, k=1)[0]
    images.append(noise)
    titles.append("ImageNet net on random pixels")
    labels.append(name)
    confs.append(p)
    chance.append(1 / clf.num_classes)
    if cancel.checkpoint():
        return
    ok, why = models.availability("mnist_cnn")
    if ok:
        mnist = models.load_classifier("mnist_cnn", device)
        digit_noise = rng.integers(0, 256, size=tuple(mnist.input_size), dtype=np.uint8)
        x = torch.from_numpy(digit_noise).float().div(255)[None, None].to(mnist.device)
        probs = mnist.probabilities(x)[0]
        k = int(probs.argmax())
        images.append(np.repeat(digit_noise[:, :, None], 3, axis=2))
        titles.append("Digit net on random pixels")
        labels.append(f"digit {mnist.labels[k]}")
        confs.append(float(probs[k]))
        chance.append(1 / mnist.num_classes)
    else:
        notes.append("The MNIST digit classifier is not installed here, so only the ImageNet one is shown.")
    samples = sample_images()
    if samples:
        key = photo if photo in samples else ("chelsea" if "chelsea" in samples else next(iter(samples)))
        real = imaging.fit_to_size(imaging.load_image(samples[key]), clf.input_size)
        _, name, p = classify(clf, real, k=1)[0]
        images.append(real)
        titles.append("ImageNet net on a real photo")
        labels.append(name)
        confs.append(p)
        chance.append(1 / clf.num_classes)
    yield NullSetFrame(step=3, total=3, done=True, images=tuple(images), titles=tuple(titles),
                       labels=tuple(labels), confidences=tuple(confs), chance=tuple(chance), note=" ".join(notes),
                       message="random images classified")
