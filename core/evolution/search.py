"""The search: one archive of elites (a cell per target class) and two strategies over it.

* :class:`GeneticAlgorithm` — one target: elites, tournament or truncation selection, crossover,
  mutation; its population is the archive's only source.
* :class:`MapElites` — many targets at once, after the paper: every child is offered to every cell
  and a cell keeps its most confidently classified image. With ``focus`` = 0 every parent is drawn
  uniformly from the archive (the paper's setting). With ``focus`` > 0 that share of the children
  climbs the few most promising classes that have not reached the goal: a small step of one size
  per class on their elite's weights, the size adapted by the one-fifth success rule (grow it after
  a success, shrink it slowly after failures), and a class that stops improving steps aside for the
  next one. Every child, focused or not, is still offered to every class.

A strategy proposes children (:meth:`ask`) and hears how they did (:meth:`tell`); it never sees the
network, only the probabilities the black box returned.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .blackbox import to_u8

#: Focused search: how many classes are climbed at once, how many failures in a row make a class
#: step aside, and the step size's start and limits (CPPN weights lie in ±20).
FOCUS_WIDTH = 4
FOCUS_PATIENCE = 150
SIGMA_START, SIGMA_MIN, SIGMA_MAX = 0.5, 0.02, 4.0
#: The one-fifth rule: a success multiplies the step by GROW, a failure by GROW ** -0.25.
GROW = 1.5
#: A focused child is sometimes a full mutation (the graph may change) rather than a weight step.
FOCUS_STRUCTURAL = 0.2


class Archive:
    """The best image found so far for each target class (a MAP-Elites cell per target)."""

    def __init__(self, targets: Sequence[int]) -> None:
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
        for _ in range(n):
            a = self._select(rng)
            child = self.pop[a]
            if rng.random() < self.p.crossover_rate:
                b = self._select(rng)
                first, second = (a, b) if self.fit[a] >= self.fit[b] else (b, a)
                child = self.enc.crossover(self.pop[first], self.pop[second], rng)
            children.append(self.enc.mutate(child, rng))
        return children

    def tell(self, children: list, images: np.ndarray, probs: np.ndarray, archive: Archive,
             improved: np.ndarray, initial: bool = False) -> None:
        target = int(archive.targets[0])
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

    def __init__(self, params, encoding, archive: Archive) -> None:
        self.p, self.enc = params, encoding
        self.goal = params.stop_at if params.stop_at is not None else 0.99
        k = len(archive)
        self.sigma = np.full(k, SIGMA_START)
        self.failures = np.zeros(k, np.int64)  # focused children in a row that did not improve the cell
        self._origins: list[int] = []
        self._before = np.zeros(0)
        self.children: list = []
        self.images = np.zeros(0)
        self.probs = np.zeros(0)
        self.fit = np.zeros(0)

    def first(self, rng: np.random.Generator, n: int) -> list:
        return self.enc.random(rng, n)

    def n_children(self) -> int:
        return self.p.population_size

    def focus_cells(self, archive: Archive) -> np.ndarray:
        """The most promising classes below the goal that are still improving, best first."""
        fit = archive.fit
        cand = np.flatnonzero((fit >= 0) & (fit < self.goal) & (self.failures < FOCUS_PATIENCE))
        if not len(cand):
            return cand
        order = np.argsort(-fit[cand], kind="stable")
        return cand[order[:FOCUS_WIDTH]]

    def ask(self, rng: np.random.Generator, n: int, archive: Archive) -> list:
        filled = archive.filled()
        focus = self.focus_cells(archive) if self.p.focus > 0 else np.zeros(0, np.int64)
        n_focus = int(round(n * self.p.focus)) if len(focus) else 0
        children, origins = [], []
        for i in range(n):
            if i < n_focus:
                c = int(focus[i % len(focus)])
                parent = archive.genome[c]
                if rng.random() < FOCUS_STRUCTURAL:
                    child = self.enc.mutate(parent, rng)
                else:
                    child = self.enc.perturb(parent, rng, float(self.sigma[c]))
                origins.append(c)
            else:
                a = int(filled[int(rng.integers(len(filled)))])
                child = archive.genome[a]
                if rng.random() < self.p.crossover_rate and len(filled) > 1:
                    b = int(filled[int(rng.integers(len(filled)))])
                    child = self.enc.crossover(archive.genome[a], archive.genome[b], rng)
                child = self.enc.mutate(child, rng)
                origins.append(-1)
            children.append(child)
        self._origins = origins
        self._before = archive.fit.copy()
        return children

    def tell(self, children: list, images: np.ndarray, probs: np.ndarray, archive: Archive,
             improved: np.ndarray, initial: bool = False) -> None:
        self.children, self.images, self.probs = children, images, probs
        self.fit = probs[:, archive.targets].max(1) if len(children) else np.zeros(0)
        self.failures[improved] = 0
        if initial:
            return
        for j, c in enumerate(self._origins[: len(children)]):
            if c < 0:
                continue
            if probs[j, archive.targets[c]] > self._before[c]:
                self.sigma[c] = min(SIGMA_MAX, self.sigma[c] * GROW)
                self.failures[c] = 0
            else:
                self.sigma[c] = max(SIGMA_MIN, self.sigma[c] * GROW ** -0.25)
                self.failures[c] += 1

    def shown(self) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
        return self.children, self.images, self.probs, self.fit

    def history(self, archive: Archive) -> tuple[float, float]:
        return float(archive.fit.max()), float(np.maximum(archive.fit, 0).mean())
