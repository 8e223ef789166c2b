"""Encodings: what a genome is, how it mutates, and how it becomes an image.

* :class:`DirectEncoding` — the genome is the pixels; mutation changes a fraction of them
  (polynomial or Gaussian); it evolves noise-like fooling images.
* :class:`CppnEncoding` — the genome is a small compositional pattern-producing network, a
  feed-forward graph from pixel coordinates to grey or RGB through sine, Gaussian, sigmoid and
  linear nodes; mutation perturbs weights and adds or removes connections and nodes. It renders at
  any resolution and gives the regular, geometric images of the paper.

Both also offer :meth:`perturb`, a small step of one size ``sigma`` used by the focused search to
climb one promising elite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from ..errors import UserError
from .blackbox import quantise

ENCODINGS = ("direct", "cppn")
MUTATIONS = ("polynomial", "gaussian")

#: What each encoding does for crossover, in words the window shows.
CROSSOVER_NOTE = {
    "direct": "uniform crossover: each pixel from either parent",
    "cppn": "structural crossover: the fitter parent's graph, shared connections' weights mixed",
}

#: Coordinate ranges (±) of the CPPN's inputs at ImageNet sizes (±1 for MNIST). The single range
#: ±16 was the best of ±1/±4/±16/±32 (median 27.1 % after 10,000 images on the showcase), and it
#: stays the default: x, y and the distance at ±1, ±4 and ±16 at once (``--multiscale``) fooled
#: fewer classes (EfficientNet-Lite0, 10,000 images: showcase median 7 % against 32 %, all classes
#: 9 at ≥ 99 % against 10; docs/benchmarks.md).
CPPN_IMAGENET_SCALES = (1.0, 4.0, 16.0)
#: The one range of the default (and of the paper).
CPPN_IMAGENET_SCALE = 16.0

class DirectEncoding:
    """The genome is the image itself: a C×H×W float32 array in [0, 1]."""

    name = "direct"

    def __init__(self, channels: int, size: tuple[int, int], *, rate: float = 0.1,
                 operator: str = "polynomial", eta: float = 15.0, sigma: float = 0.15) -> None:
        self.channels, self.size = channels, tuple(size)
        self.rate, self.operator, self.eta, self.sigma = rate, operator, eta, sigma

    def random(self, rng: np.random.Generator, n: int) -> list[np.ndarray]:
        return [quantise(rng.random((self.channels, *self.size), dtype=np.float32)) for _ in range(n)]

    def mutate(self, g: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        mask = rng.random(g.shape) < self.rate
        if not mask.any():
            mask.flat[rng.integers(mask.size)] = True
        k = int(mask.sum())
        if self.operator == "polynomial":
            # Deb's polynomial mutation on [0, 1] with distribution index eta.
            u = rng.random(k)
            p = 1.0 / (self.eta + 1.0)
            delta = np.where(u < 0.5, (2 * u) ** p - 1, 1 - (2 * (1 - u)) ** p)
        else:
            delta = rng.normal(0.0, self.sigma, k)
        child = g.copy()
        child[mask] = np.clip(child[mask] + delta.astype(np.float32), 0, 1)
        return quantise(child)

    def perturb(self, g: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
        """A small step for climbing: a tenth of the pixels move by N(0, (sigma / 10)²)."""
        mask = rng.random(g.shape) < 0.1
        return quantise(np.where(mask, g + rng.normal(0.0, sigma / 10, g.shape).astype(np.float32), g))

    def crossover(self, a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return np.where(rng.random(a.shape) < 0.5, a, b)

    def render(self, g: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
        if size is None or tuple(size) == self.size:
            return g
        t = torch.from_numpy(g)[None]
        return quantise(torch.nn.functional.interpolate(t, size=tuple(size), mode="nearest")[0].numpy())

    def complexity(self, g: np.ndarray) -> str:
        return f"{g.size:,} pixel values"


HIDDEN_ACTIVATIONS = ("sine", "gaussian", "sigmoid", "linear")
OUTPUT_ACTIVATIONS = ("sigmoid", "gaussian", "sine", "linear")


def _hidden_act(name: str, z, xp=np):
    """A hidden node's activation; ``xp`` is ``numpy`` or ``torch`` (the batched renderer)."""
    if name == "sine":
        return xp.sin(z)
    if name == "gaussian":
        return 2.0 * xp.exp(-0.5 * z * z) - 1.0
    if name == "sigmoid":
        return xp.tanh(0.5 * z)  # the bipolar sigmoid 2/(1+e^-z) - 1
    return xp.clip(z, -3.0, 3.0)  # linear, kept finite


def _output_act(name: str, z, xp=np):
    """Output nodes map to a pixel intensity in [0, 1]."""
    if name == "sigmoid":
        return 0.5 * (1.0 + xp.tanh(0.5 * z))
    if name == "gaussian":
        return xp.exp(-0.5 * z * z)
    if name == "sine":
        return 0.5 * (1.0 + xp.sin(z))
    return xp.clip(0.5 + 0.5 * z, 0.0, 1.0)


@dataclass(frozen=True)
class Cppn:
    """A feed-forward graph. Nodes are (order, activation); an edge only runs to a higher order,
    so the graph can never have a cycle. Inputs are ids 0–3 (order 0), outputs 4… (order 1)."""

    nodes: dict  # id -> (order, activation)
    conns: dict  # (src, dst) -> weight

    def hidden(self) -> list[int]:
        return [n for n, (o, _) in self.nodes.items() if 0.0 < o < 1.0]


class CppnEncoding:
    """Compositional pattern-producing networks: regular, geometric images at any resolution."""

    name = "cppn"

    def __init__(self, channels: int, size: tuple[int, int], *, rate: float = 0.3,
                 weight_sigma: float = 0.8, init_sigma: float = 2.0, max_weight: float = 20.0,
                 scales: tuple[float, ...] = (1.0,)) -> None:
        self.channels, self.size = channels, tuple(size)
        # x, y and the distance from the centre at each coordinate range (±scale: larger gives finer
        # patterns), then a bias input.
        self.scales = tuple(float(s) for s in scales)
        self.n_inputs = 3 * len(self.scales) + 1
        self.rate = rate
        self.weight_sigma, self.init_sigma, self.max_weight = weight_sigma, init_sigma, max_weight
        self.outputs = tuple(range(self.n_inputs, self.n_inputs + channels))
        self._next_id = 100
        self._coords: dict[tuple[int, int], list[np.ndarray]] = {}

    # --- structure helpers
    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _weight(self, rng: np.random.Generator) -> float:
        return float(np.clip(rng.normal(0.0, self.init_sigma), -self.max_weight, self.max_weight))

    def random(self, rng: np.random.Generator, n: int) -> list[Cppn]:
        return [self._random_one(rng) for _ in range(n)]

    def _random_one(self, rng: np.random.Generator) -> Cppn:
        nodes = {i: (0.0, "input") for i in range(self.n_inputs)}
        for o in self.outputs:
            nodes[o] = (1.0, OUTPUT_ACTIVATIONS[int(rng.integers(len(OUTPUT_ACTIVATIONS)))])
        conns = {}
        for _ in range(int(rng.integers(1, 4))):
            h = self._new_id()
            nodes[h] = (float(rng.uniform(0.2, 0.8)), HIDDEN_ACTIVATIONS[int(rng.integers(len(HIDDEN_ACTIVATIONS)))])
            for src in rng.choice(self.n_inputs, size=2, replace=False):
                conns[(int(src), h)] = self._weight(rng)
            for o in self.outputs:
                conns[(h, o)] = self._weight(rng)
        for o in self.outputs:
            for src in range(self.n_inputs):
                if rng.random() < min(0.5, 2.0 / self.n_inputs):
                    conns[(src, o)] = self._weight(rng)
        return Cppn(nodes, conns)

    def mutate(self, g: Cppn, rng: np.random.Generator) -> Cppn:
        nodes, conns = dict(g.nodes), dict(g.conns)
        changed = False
        # One step size per child, log-uniform over 1.5 decades: big jumps explore, small ones
        # fine-tune an image that is already at 99.9 %.
        sigma = self.weight_sigma * 10.0 ** rng.uniform(-1.5, 0.0)
        for key in list(conns):
            if rng.random() < self.rate:
                w = conns[key] + rng.normal(0.0, sigma) if rng.random() < 0.9 else self._weight(rng)
                conns[key] = float(np.clip(w, -self.max_weight, self.max_weight))
                changed = True
        if rng.random() < 0.25:  # add a connection, always from a lower to a higher order
            ids = list(nodes)
            a, b = (ids[int(i)] for i in rng.integers(len(ids), size=2))
            if nodes[a][0] > nodes[b][0]:
                a, b = b, a
            if nodes[a][0] < nodes[b][0] and (a, b) not in conns:
                conns[(a, b)] = self._weight(rng)
                changed = True
        if rng.random() < 0.1 and len(conns) > 1:  # remove a connection
            keys = list(conns)
            del conns[keys[int(rng.integers(len(keys)))]]
            changed = True
        if rng.random() < 0.15 and conns:  # split a connection with a new node
            keys = list(conns)
            a, b = keys[int(rng.integers(len(keys)))]
            w = conns.pop((a, b))
            h = self._new_id()
            lo, hi = nodes[a][0], nodes[b][0]
            nodes[h] = (float(lo + (hi - lo) * rng.uniform(0.25, 0.75)),
                        HIDDEN_ACTIVATIONS[int(rng.integers(len(HIDDEN_ACTIVATIONS)))])
            conns[(a, h)] = 1.0
            conns[(h, b)] = w
            changed = True
        hidden = [n for n, (o, _) in nodes.items() if 0.0 < o < 1.0]
        if rng.random() < 0.05 and hidden:  # remove a hidden node and its connections
            h = hidden[int(rng.integers(len(hidden)))]
            del nodes[h]
            conns = {k: w for k, w in conns.items() if h not in k}
            changed = True
        if rng.random() < 0.1:  # change one activation function
            cand = [n for n, (o, _) in nodes.items() if o > 0.0]
            n = cand[int(rng.integers(len(cand)))]
            acts = OUTPUT_ACTIVATIONS if nodes[n][0] >= 1.0 else HIDDEN_ACTIVATIONS
            nodes[n] = (nodes[n][0], acts[int(rng.integers(len(acts)))])
            changed = True
        if not changed and conns:
            keys = list(conns)
            key = keys[int(rng.integers(len(keys)))]
            conns[key] = float(np.clip(conns[key] + rng.normal(0.0, sigma),
                                       -self.max_weight, self.max_weight))
        return Cppn(nodes, conns)

    # --- the weights as a vector, for evolution strategies on one graph
    def weights(self, g: Cppn) -> tuple[tuple, np.ndarray]:
        keys = tuple(sorted(g.conns))
        return keys, np.array([g.conns[k] for k in keys], np.float64)

    def step_scale(self, keys: tuple) -> np.ndarray:
        """Per weight, 1 / the range of its source: a step then moves every node's input alike
        (an input at ±16 turns a weight change of 0.1 into a phase shift of 1.6)."""
        bias = self.n_inputs - 1
        return np.array([1.0 / self.scales[a // 3] if a < bias else 1.0 for a, _ in keys], np.float64)

    def with_weights(self, g: Cppn, keys: tuple, w: np.ndarray) -> Cppn:
        w = np.clip(w, -self.max_weight, self.max_weight)
        return Cppn(g.nodes, {k: float(v) for k, v in zip(keys, w)})

    def perturb(self, g: Cppn, rng: np.random.Generator, sigma: float) -> Cppn:
        """A small step for climbing: every weight moves by N(0, sigma²) over its source's range;
        the graph stays."""
        keys, w = self.weights(g)
        return self.with_weights(g, keys, w + sigma * self.step_scale(keys) * rng.standard_normal(len(w)))

    def crossover(self, a: Cppn, b: Cppn, rng: np.random.Generator) -> Cppn:
        """``a`` is the fitter parent: its structure is kept; connections both parents share take
        their weight from either parent, and shared nodes their activation from either."""
        conns = {k: (b.conns[k] if k in b.conns and rng.random() < 0.5 else w) for k, w in a.conns.items()}
        nodes = {n: (b.nodes[n] if n in b.nodes and n >= self.n_inputs and rng.random() < 0.5 else v)
                 for n, v in a.nodes.items()}
        return Cppn(nodes, conns)

    # --- rendering
    def input_planes(self, size: tuple[int, int]) -> list[np.ndarray]:
        """The input nodes' values at every pixel (x, y, distance per range, then the bias), flat."""
        if size not in self._coords:
            h, w = size
            s = max(h, w)
            ys = (np.arange(h, dtype=np.float32) - (h - 1) / 2) / ((s - 1) / 2 if s > 1 else 1)
            xs = (np.arange(w, dtype=np.float32) - (w - 1) / 2) / ((s - 1) / 2 if s > 1 else 1)
            y, x = np.meshgrid(ys, xs, indexing="ij")
            d = np.sqrt(x * x + y * y) * np.float32(math.sqrt(2.0))  # 0 at the centre, 2 in a corner
            grid = []
            for scale in self.scales:
                k = np.float32(scale)
                grid += [k * x.ravel(), k * y.ravel(), k * (d.ravel() - 1.0)]
            self._coords[size] = grid + [np.ones(h * w, np.float32)]
        return self._coords[size]

    def node_order(self, g: Cppn) -> list[int]:
        """The computed nodes (hidden and outputs) in the order they are evaluated: by layer, then
        id. A node reads only the nodes before it (both renderers keep to this)."""
        return sorted((n for n in g.nodes if n >= self.n_inputs), key=lambda n: (g.nodes[n][0], n))

    def render(self, g: Cppn, size: tuple[int, int] | None = None) -> np.ndarray:
        size = tuple(size or self.size)
        inputs = self.input_planes(size)
        values: dict[int, np.ndarray] = {i: inputs[i] for i in range(self.n_inputs)}
        incoming: dict[int, list[tuple[int, float]]] = {}
        for (a, b), w in g.conns.items():
            incoming.setdefault(b, []).append((a, w))
        order = self.node_order(g)
        zero = np.zeros(size[0] * size[1], np.float32)
        for n in order:
            z = zero.copy()
            for a, w in incoming.get(n, ()):
                if a in values:
                    z += np.float32(w) * values[a]
            o, act = g.nodes[n]
            values[n] = (_output_act if o >= 1.0 else _hidden_act)(act, z).astype(np.float32, copy=False)
        img = np.stack([values[o] for o in self.outputs]).reshape(self.channels, *size)
        return quantise(img)

    def complexity(self, g: Cppn) -> str:
        return f"{len(g.hidden())} hidden nodes, {len(g.conns)} connections"


def make_encoding(name: str, channels: int, size: tuple[int, int], *, rate: float | None = None,
                  operator: str = "polynomial", multiscale: bool = False):
    """The encoding ``name`` for images of ``channels`` × ``size``. ``multiscale``: at ImageNet
    sizes, CPPN inputs at three coordinate ranges instead of the one range of the paper."""
    if name == "direct":
        return DirectEncoding(channels, size, rate=0.1 if rate is None else rate, operator=operator)
    if name == "cppn":
        # Photos are classified by texture as much as by shape: at ImageNet sizes the pattern
        # network sees wider coordinate ranges, so that its sines and Gaussians repeat.
        if max(size) <= 64:
            scales = (1.0,)
        else:
            scales = CPPN_IMAGENET_SCALES if multiscale else (CPPN_IMAGENET_SCALE,)
        return CppnEncoding(channels, size, rate=0.3 if rate is None else rate, scales=scales)
    raise UserError(f"unknown encoding “{name}”; choose {' or '.join(ENCODINGS)}.")
