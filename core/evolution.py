"""Black-box fooling by evolution, after Nguyen, Yosinski and Clune, "Deep Neural Networks are
Easily Fooled" (CVPR 2015).

The network is a black box: the job reaches it only through a :class:`BlackBox`, a query function
that takes a batch of images and returns class probabilities, under ``torch.inference_mode()``,
counting every image it is shown. No gradient is ever computed.

Two *encodings* say what a genome is and how it becomes an image:

* :class:`DirectEncoding` — the genome is the pixels; mutation changes a fraction of them
  (polynomial or Gaussian); it evolves noise-like fooling images.
* :class:`CppnEncoding` — the genome is a small compositional pattern-producing network, a
  feed-forward graph from (x, y, distance from centre, bias) to grey or RGB through sine, Gaussian,
  sigmoid and linear nodes; mutation perturbs weights and adds or removes connections and nodes.
  It renders at any resolution and gives the regular, geometric images of the paper.

Two *algorithms* search with them:

* a genetic algorithm for one target class (elites, tournament or truncation selection,
  crossover, mutation);
* MAP-Elites over many classes at once (the paper's method): each class is a cell keeping its most
  confidently classified image; every generation mutates elites of random cells and offers each
  child to every cell.

Everything random comes from one ``numpy.random.Generator`` seeded by ``seed``: the same seed gives
the same run.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Iterator, Sequence

import numpy as np
import torch
from PIL import Image

from .errors import UserError
from .jobs import CancelToken, Frame
from .models import resolve_class

ENCODINGS = ("direct", "cppn")
#: MAP-Elites with a goal: the share of parents drawn from cells that have not reached it yet.
FOCUS_OPEN = 0.5
#: Coordinate range (±) of the CPPN for inputs larger than 64 pixels (±1 for MNIST). Measured on
#: EfficientNet-Lite0 (bench/evolution.py, seed 0, 10,000 images): ±1 → median 4.0 %, ±4 → 13.2 %,
#: ±16 → 27.1 %, ±32 → 7.3 %. A wider range repeats the pattern into stripes and textures.
CPPN_IMAGENET_SCALE = 16.0
ALGORITHMS = ("ga", "map-elites")
SELECTIONS = ("tournament", "truncation")
MUTATIONS = ("polynomial", "gaussian")

#: What each encoding does for crossover, in words the window shows.
CROSSOVER_NOTE = {
    "direct": "uniform crossover: each pixel from either parent",
    "cppn": "structural crossover: the fitter parent's graph, shared connections' weights mixed",
}


#: Twenty ImageNet classes, most of them from the paper's figures of fooling images: the
#: benchmark's fixed set and the window's default choice for ImageNet models.
IMAGENET_SHOWCASE = (
    "king penguin", "starfish", "baseball", "electric guitar", "freight car", "remote control",
    "peacock", "African chameleon", "school bus", "computer keyboard", "robin", "cheetah",
    "jellyfish", "lesser panda", "goldfish", "volcano", "pizza", "accordion", "tiger shark", "monarch",
)


def parse_targets(labels: Sequence[str], spec: str) -> list[int]:
    """``all``, one class (name or index), or several separated by commas → class indices."""
    text = spec.strip()
    if text.lower() == "all":
        return list(range(len(labels)))
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise UserError("no target class given.")
    targets = [resolve_class(tuple(labels), p) for p in parts]
    if len(set(targets)) != len(targets):
        raise UserError("a target class is listed twice.")
    return targets


# ------------------------------------------------------------------------------------ black box
#: On a CPU, a forward pass takes at most this many bytes of input images (4 ImageNet images).
CPU_BATCH_BYTES = 4 * 4 * 3 * 224 * 224
class BlackBox:
    """The only door to the network: images in, class probabilities out, every image counted.

    ``images`` is an N×C×H×W float32 array in [0, 1]; the answer is an N×K float64 array of
    softmax probabilities (computed in double precision so that 99.99 % and 99.999 % still rank).
    The model runs under ``torch.inference_mode()``: no autograd graph exists, so no gradient can be
    taken, by accident or on purpose.
    """

    def __init__(self, model: torch.nn.Module, *, batch_size: int | None = None) -> None:
        self._model = model
        self._device = model.mean.device if hasattr(model, "mean") else torch.device("cpu")
        self.channels: int = int(model.channels)
        self.input_size: tuple[int, int] = tuple(model.input_size)
        self._batch_size = max(1, int(batch_size)) if batch_size else self.auto_batch_size()
        self.queries = 0
        self.calls = 0
        self.seconds = 0.0
        self.labels: tuple[str, ...] = tuple(model.labels)
        self.name: str = str(model.name)

    def auto_batch_size(self) -> int:
        """Images per forward pass. A GPU wants large batches; on a CPU a batch whose activations
        outgrow the caches is slower per image than small ones (EfficientNet-Lite0 on 2 cores: 55
        images/s in batches of 4, 25/s in batches of 64; the MNIST CNN: 2.3× faster batched)."""
        if self._device.type != "cpu":
            return 64
        image_bytes = 4 * self.channels * self.input_size[0] * self.input_size[1]
        return max(1, min(64, CPU_BATCH_BYTES // image_bytes))

    @property
    def num_classes(self) -> int:
        return len(self.labels)

    def __call__(self, images: np.ndarray) -> np.ndarray:
        images = np.ascontiguousarray(images, dtype=np.float32)
        if images.ndim != 4 or images.shape[1] != self.channels or tuple(images.shape[2:]) != self.input_size:
            raise ValueError(f"expected N×{self.channels}×{self.input_size[0]}×{self.input_size[1]} images, "
                             f"got {images.shape}")
        t0 = time.perf_counter()
        device = self._device
        outs = []
        with torch.inference_mode():
            for i in range(0, len(images), self._batch_size):
                x = torch.from_numpy(images[i : i + self._batch_size]).to(device)
                outs.append(self._model(x).double().softmax(-1).cpu())
        self.queries += len(images)
        self.calls += 1
        self.seconds += time.perf_counter() - t0
        return torch.cat(outs).numpy() if outs else np.zeros((0, self.num_classes))


def quantise(x: np.ndarray) -> np.ndarray:
    """Round to the 8-bit grid, so what is queried is exactly what a PNG would hold."""
    return np.round(np.clip(x, 0.0, 1.0) * 255.0).astype(np.float32) / 255.0


def to_u8(img: np.ndarray) -> np.ndarray:
    """C×H×W float in [0, 1] → H×W (grey) or H×W×3 uint8."""
    arr = np.round(np.clip(img, 0.0, 1.0) * 255.0).astype(np.uint8)
    return arr[0] if arr.shape[0] == 1 else np.ascontiguousarray(arr.transpose(1, 2, 0))


# ------------------------------------------------------------------------------------ encodings
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
N_INPUTS = 4  # x, y, distance from the centre, bias


def _hidden_act(name: str, z: np.ndarray) -> np.ndarray:
    if name == "sine":
        return np.sin(z)
    if name == "gaussian":
        return 2.0 * np.exp(-0.5 * z * z) - 1.0
    if name == "sigmoid":
        return np.tanh(0.5 * z)  # the bipolar sigmoid 2/(1+e^-z) - 1
    return np.clip(z, -3.0, 3.0)  # linear, kept finite


def _output_act(name: str, z: np.ndarray) -> np.ndarray:
    """Output nodes map to a pixel intensity in [0, 1]."""
    if name == "sigmoid":
        return 0.5 * (1.0 + np.tanh(0.5 * z))
    if name == "gaussian":
        return np.exp(-0.5 * z * z)
    if name == "sine":
        return 0.5 * (1.0 + np.sin(z))
    return np.clip(0.5 + 0.5 * z, 0.0, 1.0)


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
                 coord_scale: float = 1.0) -> None:
        self.channels, self.size = channels, tuple(size)
        self.coord_scale = coord_scale  # x and y run over ±coord_scale: larger gives finer patterns
        self.rate = rate
        self.weight_sigma, self.init_sigma, self.max_weight = weight_sigma, init_sigma, max_weight
        self.outputs = tuple(range(N_INPUTS, N_INPUTS + channels))
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
        nodes = {i: (0.0, "input") for i in range(N_INPUTS)}
        for o in self.outputs:
            nodes[o] = (1.0, OUTPUT_ACTIVATIONS[int(rng.integers(len(OUTPUT_ACTIVATIONS)))])
        conns = {}
        for _ in range(int(rng.integers(1, 4))):
            h = self._new_id()
            nodes[h] = (float(rng.uniform(0.2, 0.8)), HIDDEN_ACTIVATIONS[int(rng.integers(len(HIDDEN_ACTIVATIONS)))])
            for src in rng.choice(N_INPUTS, size=2, replace=False):
                conns[(int(src), h)] = self._weight(rng)
            for o in self.outputs:
                conns[(h, o)] = self._weight(rng)
        for o in self.outputs:
            for src in range(N_INPUTS):
                if rng.random() < 0.5:
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

    def crossover(self, a: Cppn, b: Cppn, rng: np.random.Generator) -> Cppn:
        """``a`` is the fitter parent: its structure is kept; connections both parents share take
        their weight from either parent, and shared nodes their activation from either."""
        conns = {k: (b.conns[k] if k in b.conns and rng.random() < 0.5 else w) for k, w in a.conns.items()}
        nodes = {n: (b.nodes[n] if n in b.nodes and n >= N_INPUTS and rng.random() < 0.5 else v)
                 for n, v in a.nodes.items()}
        return Cppn(nodes, conns)

    # --- rendering
    def _grid(self, size: tuple[int, int]) -> list[np.ndarray]:
        if size not in self._coords:
            h, w = size
            s = max(h, w)
            ys = (np.arange(h, dtype=np.float32) - (h - 1) / 2) / ((s - 1) / 2 if s > 1 else 1)
            xs = (np.arange(w, dtype=np.float32) - (w - 1) / 2) / ((s - 1) / 2 if s > 1 else 1)
            y, x = np.meshgrid(ys, xs, indexing="ij")
            d = np.sqrt(x * x + y * y) * np.float32(math.sqrt(2.0))  # 0 at the centre, 2 in a corner
            k = np.float32(self.coord_scale)
            self._coords[size] = [k * x.ravel(), k * y.ravel(), k * (d.ravel() - 1.0), np.ones(h * w, np.float32)]
        return self._coords[size]

    def render(self, g: Cppn, size: tuple[int, int] | None = None) -> np.ndarray:
        size = tuple(size or self.size)
        inputs = self._grid(size)
        values: dict[int, np.ndarray] = {i: inputs[i] for i in range(N_INPUTS)}
        incoming: dict[int, list[tuple[int, float]]] = {}
        for (a, b), w in g.conns.items():
            incoming.setdefault(b, []).append((a, w))
        order = sorted((n for n in g.nodes if n >= N_INPUTS), key=lambda n: (g.nodes[n][0], n))
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
                  operator: str = "polynomial"):
    if name == "direct":
        return DirectEncoding(channels, size, rate=0.1 if rate is None else rate, operator=operator)
    if name == "cppn":
        # Photos are classified by texture as much as by shape: at ImageNet sizes the pattern
        # network sees a wider coordinate range, so that its sines and Gaussians repeat.
        scale = CPPN_IMAGENET_SCALE if max(size) > 64 else 1.0
        return CppnEncoding(channels, size, rate=0.3 if rate is None else rate, coord_scale=scale)
    raise UserError(f"unknown encoding “{name}”; choose {' or '.join(ENCODINGS)}.")


# --------------------------------------------------------------------------------------- params
@dataclass(frozen=True)
class EvolutionParams:
    """One run's settings. ``mutation_rate`` is the fraction of pixels changed (direct) or the
    chance that each CPPN weight is perturbed (CPPN); ``None`` means the encoding's default."""

    encoding: str = "cppn"
    algorithm: str = "ga"
    population: int = 24
    generations: int = 1000
    max_queries: int | None = None
    stop_at: float | None = 0.9999
    elite: int = 2
    selection: str = "tournament"
    tournament: int = 3
    truncation: float = 0.25
    mutation_rate: float | None = None
    mutation: str = "polynomial"
    crossover_rate: float = 0.2
    seed: int = 0
    batch_size: int | None = None  # None: BlackBox.auto_batch_size

    def validated(self) -> "EvolutionParams":
        if self.encoding not in ENCODINGS:
            raise UserError(f"unknown encoding “{self.encoding}”; choose {' or '.join(ENCODINGS)}.")
        if self.algorithm not in ALGORITHMS:
            raise UserError(f"unknown algorithm “{self.algorithm}”; choose {' or '.join(ALGORITHMS)}.")
        if self.selection not in SELECTIONS:
            raise UserError(f"unknown selection “{self.selection}”; choose {' or '.join(SELECTIONS)}.")
        if self.mutation not in MUTATIONS:
            raise UserError(f"unknown mutation “{self.mutation}”; choose {' or '.join(MUTATIONS)}.")
        if not 2 <= self.population <= 5000:
            raise UserError("the population must hold between 2 and 5000 images.")
        if self.generations < 1:
            raise UserError("evolution needs at least one generation.")
        if self.max_queries is not None and self.max_queries < 1:
            raise UserError("the query budget must be at least one image.")
        if self.stop_at is not None and not 0 < self.stop_at <= 1:
            raise UserError("the stop probability must lie between 0 and 1.")
        if not 0 <= self.seed < 2**32:
            raise UserError("the seed must be a whole number from 0 to 4294967295.")
        if not 0 <= self.elite < self.population:
            raise UserError("the elite count must be smaller than the population.")
        if not 2 <= self.tournament <= self.population:
            raise UserError("the tournament size must be between 2 and the population size.")
        if not 0 < self.truncation <= 1:
            raise UserError("the truncation fraction must lie between 0 and 1.")
        if self.mutation_rate is not None and not 0 < self.mutation_rate <= 1:
            raise UserError("the mutation rate must lie between 0 and 1.")
        if not 0 <= self.crossover_rate <= 1:
            raise UserError("the crossover rate must lie between 0 and 1.")
        return self


# ---------------------------------------------------------------------------------------- frame
@dataclass(frozen=True)
class EvolutionFrame(Frame):
    """What the window draws after each generation (generation 0 is the random start).

    ``population`` is the newest population (GA: sorted best first; MAP-Elites: this
    generation's children), each with its top-5 from the query that scored it; ``cells`` are the
    MAP-Elites cells (the GA has one cell, its target) with their elites.
    """

    generation: int = 0
    queries: int = 0
    seconds: float = 0.0
    images_per_second: float = 0.0
    algorithm: str = "ga"
    encoding: str = "cppn"
    class_names: tuple[str, ...] = field(default=(), repr=False)
    # the live population
    population_mosaic: np.ndarray = field(default=None, repr=False)
    population_cols: int = 6
    population_images: tuple = field(default=(), repr=False)  # uint8 at the model's input size
    population_top5: np.ndarray = field(default=None, repr=False)  # N×5 class indices
    population_top5_probs: np.ndarray = field(default=None, repr=False)  # N×5
    population_fitness: np.ndarray = field(default=None, repr=False)  # N, the target probability
    population_notes: tuple[str, ...] = ()  # genome size, per image
    # the cells (targets) and their elites
    targets: tuple[int, ...] = ()
    cell_mosaic: np.ndarray = field(default=None, repr=False)
    cell_cols: int = 1
    cell_images: tuple = field(default=(), repr=False)  # None where a cell is still empty
    cell_probs: np.ndarray = field(default=None, repr=False)  # best target probability per cell
    cell_top5: np.ndarray = field(default=None, repr=False)
    cell_top5_probs: np.ndarray = field(default=None, repr=False)
    cell_generation: np.ndarray = field(default=None, repr=False)  # when each elite was found
    cell_queries: np.ndarray = field(default=None, repr=False)
    # the run's best (highest target probability over all cells) and the fitness curves
    best_image: np.ndarray = field(default=None, repr=False)
    best_target: int = 0
    best_prob: float = 0.0
    history_best: np.ndarray = field(default=None, repr=False)
    history_mean: np.ndarray = field(default=None, repr=False)
    reached: bool = False
    stop_reason: str = ""


# -------------------------------------------------------------------------------------- mosaics
def thumbnail(img: np.ndarray, size: int) -> np.ndarray:
    """A square-ish uint8 thumbnail no larger than ``size`` (never enlarged)."""
    h, w = img.shape[:2]
    if max(h, w) <= size:
        return img
    if h % size == 0 and w % size == 0 and h == w:
        f = h // size
        shape = (size, f, size, f) + img.shape[2:]
        return img.reshape(shape).mean(axis=(1, 3)).round().astype(np.uint8)
    scale = size / max(h, w)
    im = Image.fromarray(img).resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.BILINEAR)
    return np.asarray(im, dtype=np.uint8)


def tile(thumbs: Sequence[np.ndarray | None], cols: int, cell: tuple[int, int], *, gap: int = 2,
         rgb: bool = True, fill: int = 40) -> np.ndarray:
    """Thumbnails in a grid (row-major) on a dark background; ``None`` leaves a cell empty."""
    rows = max(1, math.ceil(len(thumbs) / cols))
    ch, cw = cell
    shape = (rows * (ch + gap) + gap, cols * (cw + gap) + gap) + ((3,) if rgb else ())
    out = np.full(shape, fill, np.uint8)
    for i, t in enumerate(thumbs):
        if t is not None:
            paste(out, t, i, cols, cell, gap=gap)
    return out


def paste(mosaic: np.ndarray, thumb: np.ndarray, index: int, cols: int, cell: tuple[int, int], *,
          gap: int = 2) -> None:
    r, c = divmod(index, cols)
    y, x = gap + r * (cell[0] + gap), gap + c * (cell[1] + gap)
    if mosaic.ndim == 3 and thumb.ndim == 2:
        thumb = np.repeat(thumb[:, :, None], 3, axis=2)
    th, tw = thumb.shape[:2]
    mosaic[y : y + th, x : x + tw] = thumb


def grid_cols(n: int, aspect: float = 1.5) -> int:
    """Columns for ``n`` cells in a grid about ``aspect`` times wider than tall."""
    return max(1, min(n, math.ceil(math.sqrt(n * aspect))))


# ------------------------------------------------------------------------------------- the job
class _Rate:
    """Images queried per second over the last few generations."""

    def __init__(self, window: int = 8) -> None:
        self._marks: deque = deque(maxlen=window + 1)

    def tick(self, queries: int) -> float:
        now = time.perf_counter()
        self._marks.append((now, queries))
        if len(self._marks) < 2:
            return 0.0
        (t0, q0), (t1, q1) = self._marks[0], self._marks[-1]
        return (q1 - q0) / max(t1 - t0, 1e-9)


def _select(rng: np.random.Generator, fitness: np.ndarray, params: EvolutionParams) -> int:
    if params.selection == "tournament":
        cand = rng.integers(len(fitness), size=params.tournament)
        return int(cand[np.argmax(fitness[cand])])
    k = max(1, int(round(params.truncation * len(fitness))))
    top = np.argsort(-fitness, kind="stable")[:k]
    return int(top[int(rng.integers(k))])


def evolution_job(
    model: torch.nn.Module,
    targets: Sequence[int],
    params: EvolutionParams = EvolutionParams(),
    *,
    cancel: CancelToken | None = None,
    show: int = 24,
    thumb_size: int = 112,
    cell_thumb_size: int | None = None,
) -> Iterator[EvolutionFrame]:
    """Evolve images that ``model`` (seen only through a :class:`BlackBox`) labels as ``targets``.

    The GA needs exactly one target; MAP-Elites takes any number (one cell each). Yields one frame
    per generation; the last has ``done=True``. ``show`` thumbnails of the population go into the
    population mosaic.
    """
    params = params.validated()
    cancel = cancel or CancelToken()
    box = BlackBox(model, batch_size=params.batch_size)
    targets = tuple(int(t) for t in targets)
    if not targets:
        raise UserError("choose at least one target class.")
    if len(set(targets)) != len(targets):
        raise UserError("a target class is listed twice.")
    if any(not 0 <= t < box.num_classes for t in targets):
        raise UserError(f"target classes must lie between 0 and {box.num_classes - 1}.")
    if params.algorithm == "ga" and len(targets) != 1:
        raise UserError("the genetic algorithm evolves one target class; use MAP-Elites for several.")
    rng = np.random.default_rng(params.seed)
    enc = make_encoding(params.encoding, box.channels, box.input_size, rate=params.mutation_rate,
                        operator=params.mutation)
    is_ga = params.algorithm == "ga"
    n_show = min(show, params.population)
    rgb = box.channels == 3
    pop_thumb = min(thumb_size, max(box.input_size))
    cell_thumb = min(cell_thumb_size or (pop_thumb if len(targets) <= 40 else 64), max(box.input_size))

    def thumb_cell(t: int) -> tuple[int, int]:
        h, w = box.input_size
        s = t / max(h, w)
        return (max(1, round(h * s)), max(1, round(w * s)))

    pop_cols = grid_cols(n_show)
    cell_cols = grid_cols(len(targets), 2.0)
    t_targets = np.asarray(targets)

    # cell state
    k = len(targets)
    cell_genome: list = [None] * k
    cell_fit = np.full(k, -1.0)
    cell_probs_full = np.zeros((k, box.num_classes))
    cell_img: list[np.ndarray | None] = [None] * k
    cell_gen = np.full(k, -1, np.int64)
    cell_q = np.full(k, -1, np.int64)
    cell_mosaic = tile([None] * k, cell_cols, thumb_cell(cell_thumb), rgb=rgb)
    hist_best: list[float] = []
    hist_mean: list[float] = []
    rate = _Rate()
    t_start = time.perf_counter()

    def evaluate(genomes: list) -> tuple[np.ndarray, np.ndarray]:
        imgs = np.stack([enc.render(g) for g in genomes])
        return imgs, box(imgs)

    def offer(genomes: list, imgs: np.ndarray, probs: np.ndarray, gen: int) -> None:
        scores = probs[:, t_targets]  # N × k
        best = scores.argmax(0)
        for c in range(k):
            j = int(best[c])
            if scores[j, c] > cell_fit[c]:
                cell_fit[c] = scores[j, c]
                cell_genome[c] = genomes[j]
                cell_probs_full[c] = probs[j]
                cell_img[c] = to_u8(imgs[j])
                cell_gen[c] = gen
                cell_q[c] = box.queries
                paste(cell_mosaic, thumbnail(cell_img[c], cell_thumb), c, cell_cols, thumb_cell(cell_thumb))

    def frame(gen: int, genomes: list, imgs: np.ndarray, probs: np.ndarray, fitness: np.ndarray,
              done: bool, reason: str) -> EvolutionFrame:
        shown = list(range(min(n_show, len(genomes))))
        u8 = [to_u8(imgs[i]) for i in shown]
        pop_mosaic = tile([thumbnail(u, pop_thumb) for u in u8], pop_cols, thumb_cell(pop_thumb), rgb=rgb)
        top5 = np.argsort(-probs[shown], axis=1, kind="stable")[:, :5]
        top5p = np.take_along_axis(probs[shown], top5, axis=1)
        ctop5 = np.argsort(-cell_probs_full, axis=1, kind="stable")[:, :5]
        ctop5p = np.take_along_axis(cell_probs_full, ctop5, axis=1)
        b = int(np.argmax(cell_fit))
        reached = params.stop_at is not None and bool((cell_fit >= params.stop_at).all())
        return EvolutionFrame(
            step=gen, total=params.generations, done=done,
            message=(f"generation {gen}: best {targets[b]} at {max(cell_fit[b], 0):.2%}, "
                     f"{box.queries:,} images queried") + (f" ({reason})" if reason else ""),
            generation=gen, queries=box.queries, seconds=time.perf_counter() - t_start,
            images_per_second=rate.tick(box.queries), algorithm=params.algorithm,
            encoding=params.encoding, class_names=box.labels,
            population_mosaic=pop_mosaic, population_cols=pop_cols, population_images=tuple(u8),
            population_top5=top5, population_top5_probs=top5p,
            population_fitness=np.asarray(fitness[shown], dtype=np.float64),
            population_notes=tuple(enc.complexity(genomes[i]) for i in shown),
            targets=targets, cell_mosaic=cell_mosaic.copy(), cell_cols=cell_cols,
            cell_images=tuple(cell_img), cell_probs=np.maximum(cell_fit, 0.0), cell_top5=ctop5,
            cell_top5_probs=ctop5p, cell_generation=cell_gen.copy(), cell_queries=cell_q.copy(),
            best_image=cell_img[b], best_target=targets[b], best_prob=float(max(cell_fit[b], 0.0)),
            history_best=np.asarray(hist_best, np.float64), history_mean=np.asarray(hist_mean, np.float64),
            reached=reached, stop_reason=reason,
        )

    def finished(gen: int) -> str:
        if params.stop_at is not None and (cell_fit >= params.stop_at).all():
            return f"every target reached {params.stop_at:.2%}"
        if params.max_queries is not None and box.queries >= params.max_queries:
            return f"query budget of {params.max_queries:,} images spent"
        if gen >= params.generations:
            return f"{params.generations} generations done"
        return ""

    def budget(n: int) -> int:
        """How many children still fit in the query budget."""
        if params.max_queries is None:
            return n
        return max(0, min(n, params.max_queries - box.queries))

    # generation 0: a random population
    pop = enc.random(rng, budget(params.population) or params.population)
    imgs, probs = evaluate(pop)
    offer(pop, imgs, probs, 0)
    if is_ga:
        fit = probs[:, targets[0]]
        order = np.argsort(-fit, kind="stable")
        pop, imgs, probs, fit = [pop[i] for i in order], imgs[order], probs[order], fit[order]
        hist_best.append(float(fit[0]))
        hist_mean.append(float(fit.mean()))
    else:
        fit = probs[:, t_targets].max(1)
        hist_best.append(float(cell_fit.max()))
        hist_mean.append(float(np.maximum(cell_fit, 0).mean()))
    gen = 0
    reason = finished(gen)
    if reason or cancel.checkpoint():
        yield frame(gen, pop, imgs, probs, fit, True, reason or "stopped")
        return
    yield frame(gen, pop, imgs, probs, fit, False, "")

    while True:
        gen += 1
        if is_ga:
            n_children = budget(params.population - params.elite)
            children = []
            for _ in range(n_children):
                a = _select(rng, fit, params)
                child = pop[a]
                if rng.random() < params.crossover_rate:
                    b = _select(rng, fit, params)
                    first, second = (a, b) if fit[a] >= fit[b] else (b, a)
                    child = enc.crossover(pop[first], pop[second], rng)
                children.append(enc.mutate(child, rng))
            keep = list(range(params.elite))
            if children:
                c_imgs, c_probs = evaluate(children)
                offer(children, c_imgs, c_probs, gen)
                pop = [pop[i] for i in keep] + children
                imgs = np.concatenate([imgs[keep], c_imgs])
                probs = np.concatenate([probs[keep], c_probs])
            fit = probs[:, targets[0]]
            order = np.argsort(-fit, kind="stable")
            pop, imgs, probs, fit = [pop[i] for i in order], imgs[order], probs[order], fit[order]
            hist_best.append(float(fit[0]))
            hist_mean.append(float(fit.mean()))
        else:
            filled = np.flatnonzero(cell_fit >= 0)
            open_cells = filled
            if params.stop_at is not None:
                # Cells that already reached the goal need less work: most parents come from the
                # others, the rest from any cell (a child of one class may be another's stepping stone).
                open_cells = np.flatnonzero((cell_fit >= 0) & (cell_fit < params.stop_at))
                if not len(open_cells):
                    open_cells = filled
            n_children = budget(params.population)
            children = []
            for _ in range(n_children):
                pool = open_cells if rng.random() < FOCUS_OPEN else filled
                a = int(pool[int(rng.integers(len(pool)))])
                child = cell_genome[a]
                if rng.random() < params.crossover_rate and len(filled) > 1:
                    b = int(filled[int(rng.integers(len(filled)))])
                    child = enc.crossover(cell_genome[a], cell_genome[b], rng)
                children.append(enc.mutate(child, rng))
            if children:
                pop = children
                imgs, probs = evaluate(children)
                offer(children, imgs, probs, gen)
                fit = probs[:, t_targets].max(1)
            hist_best.append(float(cell_fit.max()))
            hist_mean.append(float(np.maximum(cell_fit, 0).mean()))
        reason = finished(gen)
        if not reason and cancel.checkpoint():
            reason = "stopped"
        yield frame(gen, pop, imgs, probs, fit, bool(reason), reason)
        if reason:
            return


def summary(last: EvolutionFrame) -> dict:
    """The CLI's and the benchmark's plain-data summary of a finished run."""
    names = last.class_names
    per = []
    for c, t in enumerate(last.targets):
        per.append({
            "index": int(t), "name": names[t], "best_prob": float(last.cell_probs[c]),
            "generation": int(last.cell_generation[c]), "queries": int(last.cell_queries[c]),
            "top1_index": int(last.cell_top5[c, 0]), "top1_name": names[int(last.cell_top5[c, 0])],
        })
    return {
        "algorithm": last.algorithm, "encoding": last.encoding, "targets": per,
        "generations": int(last.generation), "queries": int(last.queries),
        "seconds": round(float(last.seconds), 3), "reached": bool(last.reached),
        "stop_reason": last.stop_reason,
    }


def with_params(params: EvolutionParams, **changes) -> EvolutionParams:
    return replace(params, **changes).validated()
