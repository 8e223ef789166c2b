"""The search: one archive of elites (a cell per target class) and two strategies over it.

* :class:`GeneticAlgorithm` — one target: elites, tournament or truncation selection, crossover,
  mutation; its population is the archive's only source.
* :class:`MapElites` — many targets at once, after the paper: every child is offered to every cell
  and a cell keeps its most confidently classified image. With ``focus`` = 0 every parent is drawn
  uniformly from the archive (the paper's setting). With ``focus`` > 0 that share of the children
  climbs the few most promising classes (at ≥ 5 %) that have not reached the goal: by default a (1+λ) step
  of one size per class, every weight moved by Gaussian noise scaled by its source's range, the
  size following the one-fifth success rule; or (``climb="es"``, CPPN only) each focused class runs
  an evolution strategy on its elite's weights (the graph fixed): children are the mean
  plus Gaussian noise, the mean moves toward the better children ranked by the log-probability of
  the class, and the step size follows cumulative step-size adaptation (a small (μ/μ_w, λ)-ES, the
  isotropic core of CMA-ES). Half the focused children are full mutations (the graph may change).
  A class that gains less than 0.3 nats of log-odds over its last 100 focused children steps aside
  for the next one, until other children lift it. Every child, focused or not, is still offered
  to every class.

The overlay (``overlay``, on by default): a changed CPPN weight moves every stripe of the pattern
at once, so mutation climbs a class slowly and mostly falls back near the top. With the overlay a
focused class is climbed instead by a colour overlay on its elite (:mod:`.overlay`): a coordinate
search in big moves below :data:`OVERLAY_FROM`, in smaller ones above it. Among a few
named targets (at most :data:`BREADTH_TARGETS`) every class is climbed so from :data:`SEARCH_MIN`
on, breadth first; among many, from :data:`MANY_FROM` on, nearest the goal first, and below it by
mutation, whose children (offered to every class) lift others on the way. The GA climbs its best
image so from :data:`GA_OVERLAY_FROM` on, with :data:`GA_CLIMB_SHARE` of each generation. Breeding
always starts from an elite's own genome (:func:`.overlay.plain`): children inherit the pattern,
not its overlay.

A strategy proposes children (:meth:`ask`) and hears how they did (:meth:`tell`); it never sees the
network, only the probabilities the black box returned.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .blackbox import to_u8
from .overlay import SHRINK_FLOOR, TOP_JUMP, FieldSearch, plain
from .strategy import SIGMA_MAX, SIGMA_MIN, Strategy

#: Focused search: how many classes are climbed at once (2: each gets 20 of a generation of 50, an
#: overlay step of 9 entries or mirrored pairs; 4 classes reached 99 % less often, docs/benchmarks.md).
FOCUS_WIDTH = 2
#: A focused class that gained less than STALL_GAIN nats of log-odds over its last STALL_WINDOW
#: focused children steps aside (tiny gains must not keep a stuck class in focus for ever); it is
#: climbed again only once other children have lifted it by REVIVE_GAIN nats above where it stalled.
STALL_WINDOW = 100
STALL_GAIN = 0.3
REVIVE_GAIN = 0.5
#: Below this probability a class is not climbed by mutation but explored (small steps from near
#: zero lead nowhere; the standard mutation, which also changes the graph, goes further).
FOCUS_MIN = 0.05
#: With the overlay, a few named targets are climbed from this probability on: the coordinate
#: search's big moves climb from well under 1 % (``bench/evolution.py --only climb``).
SEARCH_MIN = 0.001
#: The (1+λ) step's first size (its limits are the evolution strategy's, :mod:`.strategy`).
SIGMA_START = 0.5
#: The one-fifth rule: a success multiplies the step by GROW, a failure by GROW ** -0.25.
GROW = 1.5
#: The evolution strategy's first step size on CPPN weights.
ES_SIGMA_START = 0.3
#: After this many focused children in a row without a better image, the strategy restarts
#: from the elite with half its step size.
ES_RESTART = 30
#: With fewer targets than classes, this share of the explored children descends from the best
#: image of any class (every child is offered to every class, as in the paper, but only the
#: targets are shown): a class's way to 99 % often passes through another class's image.
STONE_SHARE = 0.5
#: From this probability on, a focused class's overlay is climbed in smaller moves (``TOP_JUMP``,
#: halved on a stall): the big ones overshoot near the top.
OVERLAY_FROM = 0.95
#: With at most this many targets (a few named classes rather than all of them), the overlay climbs
#: breadth first: a class at OVERLAY_FROM waits while a target below it is still climbing. Among all
#: classes, the ones nearest the goal go first, as that fills the count at the goal fastest.
BREADTH_TARGETS = 50
#: Among more targets than that, the overlay climbs a focused class from this probability on.
MANY_FROM = 0.5
#: The genetic algorithm climbs its best image with the overlay from GA_OVERLAY_FROM on (one target:
#: no other class for mutation's side effects to lift, so the overlay takes over earlier), with
#: GA_CLIMB_SHARE of each generation.
GA_OVERLAY_FROM = 0.9
GA_CLIMB_SHARE = 0.5
#: A focused child is often a full mutation (the graph may change) rather than a weight step:
#: climbs with weight steps alone stall well below 99 %.
FOCUS_STRUCTURAL = 0.5


def log_odds(p: np.ndarray | float) -> np.ndarray:
    """log(p / (1 − p)): equal steps near 99 % and near 50 % mean equal progress."""
    p = np.clip(np.asarray(p, np.float64), 1e-300, 1.0 - 1e-16)
    return np.log(p) - np.log1p(-p)


def overlay_climb(climb: FieldSearch | None, elite, image: np.ndarray, fit: float) -> FieldSearch:
    """The overlay climb for an elite at probability ``fit``: ``climb`` goes on while it follows the
    elite; a new one starts when a child from elsewhere took its place (one of its own children
    doing so only confirms it) or the elite crossed OVERLAY_FROM. Below OVERLAY_FROM the coordinate
    search moves by ``JUMP`` and steps aside when it stalls; above, it goes on from the same field
    with ``TOP_JUMP``, halved on a stall down to a quarter (all 1,000 classes, 10,000 images, seeds
    0–3: 21/20/24/23 classes at ≥ 99 %, against 15/23/20/18 with the gradient estimate there)."""
    top = fit >= OVERLAY_FROM
    if climb is None or not climb.follows(elite) or (top and climb.move > TOP_JUMP):
        if top:
            return FieldSearch(elite, image, jump=TOP_JUMP, floor=SHRINK_FLOOR * TOP_JUMP)
        return FieldSearch(elite, image)
    return climb


class Archive:
    """The best image found so far for each target class (a MAP-Elites cell per target)."""

    def __init__(self, targets: Sequence[int], *, images: bool = True) -> None:
        self.keep_images = images  # False for stepping stones: only genomes and fitness
        self.targets = np.asarray(tuple(targets), dtype=np.int64)
        k = len(self.targets)
        self.genome: list = [None] * k
        self.fit = np.full(k, -1.0)  # the target's probability for the elite; -1: empty
        self.top5 = np.zeros((k, 5), np.int64)
        self.top5_probs = np.zeros((k, 5))
        self.image: list[np.ndarray | None] = [None] * k  # uint8, as the network saw it
        self.generation = np.full(k, -1, np.int64)
        self.queries = np.full(k, -1, np.int64)  # the query count at which the elite was found
        self.version = np.zeros(k, np.int64)  # bumped on each change (the mosaic redraws those)

    def __len__(self) -> int:
        return len(self.targets)

    def filled(self) -> np.ndarray:
        return np.flatnonzero(self.fit >= 0)

    def offer(self, genomes: list, images: np.ndarray, probs: np.ndarray, generation: int,
              first_query: int) -> np.ndarray:
        """Offer every child to every cell; returns the cells that improved. ``first_query`` is the
        query count before the first of these children was shown to the network."""
        if not len(genomes):
            return np.zeros(0, np.int64)
        scores = probs[:, self.targets]  # N × k
        best = scores.argmax(0)
        value = scores[best, np.arange(len(self.targets))]
        improved = np.flatnonzero(value > self.fit)
        for c in improved:
            j = int(best[c])
            self.fit[c] = value[c]
            self.genome[c] = genomes[j]
            if not self.keep_images:
                continue
            self.image[c] = to_u8(images[j])
            top = np.argsort(-probs[j], kind="stable")[:5]
            self.top5[c], self.top5_probs[c] = top, probs[j, top]
            self.generation[c] = generation
            self.queries[c] = first_query + j + 1
            self.version[c] += 1
        return improved


class GeneticAlgorithm:
    """One target class; the population is sorted best first after every generation."""

    def __init__(self, params, encoding) -> None:
        self.p, self.enc = params, encoding
        self.pop: list = []
        self.fit = np.zeros(0)
        self.images = np.zeros(0)
        self.probs = np.zeros(0)
        self.climb: FieldSearch | None = None  # the overlay climb on the best image, once it is high
        self._climbed = 0

    def first(self, rng: np.random.Generator, n: int) -> list:
        return self.enc.random(rng, n)

    def _select(self, rng: np.random.Generator) -> int:
        if self.p.selection == "tournament":
            cand = rng.integers(len(self.fit), size=min(self.p.tournament, len(self.fit)))
            return int(cand[np.argmax(self.fit[cand])])
        k = max(1, int(round(self.p.truncation * len(self.fit))))
        top = np.argsort(-self.fit, kind="stable")[:k]
        return int(top[int(rng.integers(k))])

    def ask(self, rng: np.random.Generator, n: int, archive: Archive) -> list:
        children = []
        if self.p.overlay and self.fit[0] >= GA_OVERLAY_FROM:
            pairs = FieldSearch.pairs_for(int(round(n * GA_CLIMB_SHARE)))
            if pairs:
                self.climb = overlay_climb(self.climb, self.pop[0], to_u8(self.images[0]), float(self.fit[0]))
                children = self.climb.ask(rng, pairs)
        self._climbed = len(children)
        for _ in range(n - len(children)):
            a = self._select(rng)
            child = plain(self.pop[a])
            if rng.random() < self.p.crossover_rate:
                b = self._select(rng)
                first, second = (a, b) if self.fit[a] >= self.fit[b] else (b, a)
                child = self.enc.crossover(plain(self.pop[first]), plain(self.pop[second]), rng)
            children.append(self.enc.mutate(child, rng))
        return children

    def tell(self, children: list, images: np.ndarray, probs: np.ndarray, archive: Archive,
             improved: np.ndarray, initial: bool = False) -> None:
        target = int(archive.targets[0])
        if self._climbed and self.climb is not None:
            k = min(self._climbed, len(children))
            self.climb.tell(log_odds(probs[:k, target]))
        self._climbed = 0
        if initial or not len(self.pop):
            pop, imgs, prb = children, images, probs
        else:
            keep = list(range(min(self.p.elite, len(self.pop))))
            pop = [self.pop[i] for i in keep] + list(children)
            imgs = np.concatenate([self.images[keep], images]) if len(children) else self.images[keep]
            prb = np.concatenate([self.probs[keep], probs]) if len(children) else self.probs[keep]
        fit = prb[:, target]
        order = np.argsort(-fit, kind="stable")
        self.pop, self.images, self.probs, self.fit = [pop[i] for i in order], imgs[order], prb[order], fit[order]

    def n_children(self) -> int:
        return self.p.population_size - self.p.elite

    def shown(self) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
        """The population the window shows: genomes, images, probabilities, fitness."""
        return self.pop, self.images, self.probs, self.fit

    def history(self, archive: Archive) -> tuple[float, float]:
        return float(self.fit[0]), float(self.fit.mean())


class MapElites:
    """Many targets; each generation's children are offered to every cell."""

    def __init__(self, params, encoding, archive: Archive, stones: Archive | None = None) -> None:
        self.p, self.enc = params, encoding
        self.stones = stones  # every class's best image, when the targets are only some classes
        self.goal = params.stop_at if params.stop_at is not None else 0.99
        k = len(archive)
        self.sigma = np.full(k, SIGMA_START)
        self.misses = np.zeros(k, np.int64)  # focused children in a row that did not improve the cell
        self.focused = np.zeros(k, np.int64)  # focused children per class so far
        self.mark_at = np.zeros(k, np.int64)  # the focused count at the last progress check …
        self.mark_level = np.full(k, -np.inf)  # … and the class's log-odds then
        self.stalled_at = np.full(k, np.nan)  # log-odds at which a class stepped aside (NaN: it did not)
        self._origins: list[int] = []
        self.es: dict[int, Strategy] = {}  # focused classes' evolution strategies (CPPN)
        self.climbs: dict[int, FieldSearch] = {}  # focused classes' overlay climbs
        self._es_version: dict[int, int] = {}
        self._before = np.zeros(0)
        self.children: list = []
        self.images = np.zeros(0)
        self.probs = np.zeros(0)
        self.fit = np.zeros(0)

    def first(self, rng: np.random.Generator, n: int) -> list:
        return self.enc.random(rng, n)

    def n_children(self) -> int:
        return self.p.population_size

    def climb_from(self, archive: Archive) -> float:
        """The probability from which a focused class is climbed with the overlay rather than by
        mutation: a few named targets from :data:`SEARCH_MIN`; among many, from :data:`MANY_FROM`
        (mutation's children, offered to every class, lift others on the way)."""
        return SEARCH_MIN if len(archive) <= BREADTH_TARGETS else MANY_FROM

    def focus_cells(self, archive: Archive) -> np.ndarray:
        """The most promising classes below the goal that are still improving, best first."""
        fit = archive.fit
        with np.errstate(invalid="ignore"):
            revived = ~(log_odds(fit) < self.stalled_at + REVIVE_GAIN)  # True where never stalled
        least = min(FOCUS_MIN, self.climb_from(archive)) if self.p.overlay else FOCUS_MIN
        cand = np.flatnonzero((fit >= least) & (fit < self.goal) & revived)
        if not len(cand):
            return cand
        order = np.argsort(-fit[cand], kind="stable")
        if self.p.overlay and len(archive) <= BREADTH_TARGETS:
            # A few named targets: take them all up to OVERLAY_FROM first, then the last mile.
            order = order[np.argsort(fit[cand][order] >= OVERLAY_FROM, kind="stable")]
        return cand[order[:FOCUS_WIDTH]]

    def ask(self, rng: np.random.Generator, n: int, archive: Archive) -> list:
        focus = self.focus_cells(archive) if self.p.focus > 0 else np.zeros(0, np.int64)
        n_focus = int(round(n * self.p.focus)) if len(focus) else 0
        children, origins = [], []
        share = n_focus // len(focus) if n_focus else 0
        if self.p.overlay and FieldSearch.pairs_for(share):
            # A focused class from climb_from on takes one step of its overlay's search with its
            # share of the focused children. Lower classes are climbed by mutation.
            least = self.climb_from(archive)
            high = [int(c) for c in focus if archive.fit[c] >= least]
            for c in high:
                kids = self._climb(c, archive).ask(rng, FieldSearch.pairs_for(share))
                children += kids
                origins += [c] * len(kids)
            focus = np.asarray([c for c in focus if int(c) not in high], np.int64)
            n_focus = share * len(focus)
        for i in range(n - len(children)):
            if i < n_focus:
                c = int(focus[i % len(focus)])
                parent = plain(archive.genome[c])
                if self.p.climb == "es" and hasattr(self.enc, "with_weights"):
                    child = self._strategy(c, archive).sample(self.enc, rng)
                elif rng.random() < FOCUS_STRUCTURAL:
                    child = self.enc.mutate(parent, rng)
                else:
                    child = self.enc.perturb(parent, rng, float(self.sigma[c]))
                origins.append(c)
            else:
                pool = archive
                if self.stones is not None and rng.random() < STONE_SHARE:
                    pool = self.stones  # a parent from any class: the paper's stepping stones
                pf = pool.filled()
                a = int(pf[int(rng.integers(len(pf)))])
                child = plain(pool.genome[a])
                if rng.random() < self.p.crossover_rate and len(pf) > 1:
                    b = int(pf[int(rng.integers(len(pf)))])
                    child = self.enc.crossover(child, plain(pool.genome[b]), rng)
                child = self.enc.mutate(child, rng)
                origins.append(-1)
            children.append(child)
        self._origins = origins
        self._before = archive.fit.copy()
        return children

    def _climb(self, c: int, archive: Archive) -> FieldSearch:
        """Cell ``c``'s overlay climb (see :func:`overlay_climb`)."""
        climb = self.climbs[c] = overlay_climb(self.climbs.get(c), archive.genome[c], archive.image[c],
                                               float(archive.fit[c]))
        return climb

    def _strategy(self, c: int, archive: Archive) -> Strategy:
        """Cell ``c``'s ES; started afresh from the elite when the elite came from elsewhere."""
        es = self.es.get(c)
        if es is None or (self._es_version.get(c) != int(archive.version[c])
                          and archive.genome[c].nodes is not es.genome.nodes):
            keys, w = self.enc.weights(archive.genome[c])
            es = self.es[c] = Strategy(archive.genome[c], keys, w, ES_SIGMA_START, self.enc.step_scale(keys))
        self._es_version[c] = int(archive.version[c])
        return es

    def tell(self, children: list, images: np.ndarray, probs: np.ndarray, archive: Archive,
             improved: np.ndarray, initial: bool = False) -> None:
        self.children, self.images, self.probs = children, images, probs
        self.fit = probs[:, archive.targets].max(1) if len(children) else np.zeros(0)
        if initial:
            return
        origins = np.asarray(self._origins[: len(children)], np.int64)
        for c in np.unique(origins[origins >= 0]):
            climb = self.climbs.get(c)
            if climb is not None and climb.pending:
                rows = np.flatnonzero(origins == c)
                climb.tell(log_odds(probs[rows, archive.targets[c]]))
        for c in np.unique(origins[origins >= 0]):
            if c in self.es and self.es[c].z:
                rows = np.flatnonzero(origins == c)
                self.es[c].update(np.log(probs[rows, archive.targets[c]] + 1e-300))
                self._es_version[c] = int(archive.version[c])
        for j, c in enumerate(origins):
            if c < 0:
                continue
            if probs[j, archive.targets[c]] > self._before[c]:
                self.sigma[c] = min(SIGMA_MAX, self.sigma[c] * GROW)
                self.misses[c] = 0
            else:
                self.sigma[c] = max(SIGMA_MIN, self.sigma[c] * GROW ** -0.25)
                self.misses[c] += 1
                es = self.es.get(c)
                if es is not None and self.misses[c] % ES_RESTART == 0:
                    es.restart_at(archive.genome[c], self.enc)
        for c in np.unique(origins[origins >= 0]):
            self.focused[c] += int((origins == c).sum())
            level = float(log_odds(archive.fit[c]))
            if np.isneginf(self.mark_level[c]):
                self.mark_at[c], self.mark_level[c] = self.focused[c], level
            elif self.focused[c] - self.mark_at[c] >= STALL_WINDOW:
                if level - self.mark_level[c] < STALL_GAIN:
                    climb = self.climbs.get(c)
                    if climb is not None and climb.follows(archive.genome[c]) and climb.shrink():
                        self.mark_at[c], self.mark_level[c] = self.focused[c], level
                    else:
                        self.stalled_at[c] = level  # steps aside until others lift it
                        self.mark_level[c] = -np.inf
                else:
                    self.mark_at[c], self.mark_level[c] = self.focused[c], level

    def shown(self) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
        return self.children, self.images, self.probs, self.fit

    def history(self, archive: Archive) -> tuple[float, float]:
        return float(archive.fit.max()), float(np.maximum(archive.fit, 0).mean())
