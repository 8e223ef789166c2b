"""The focused search's climb: a coarse colour overlay on an elite, moved by what the black box says.

Mutating a pattern network finds images that a class likes, but it climbs slowly and from about
90 % on its steps mostly fall back: a changed weight moves every stripe of the pattern at once.
The overlay moves the image in blobs instead. It is a C × 8 × 8 field of log-odds, upsampled
bilinearly to the image and added to the elite's pixels in log-odds space::

    image = sigmoid(logit(elite) + upsample(field))        (then rounded to the 8-bit grid)

so a pixel never leaves [0, 1] and a zero field leaves the elite as it was (its pixels held
within 2 % of black and white, where the log-odds stay finite).

A :class:`FieldSearch` takes a class up from a few per cent (or less): a coordinate search that
moves one entry of the field at a time by ±``JUMP`` log-odds, a blob of nearly full colour, and
keeps every move that the class liked. Each step asks for the field and ``PAIRS`` entries moved
both ways, in one batch.

Near the top those moves overshoot: the search goes on with moves of ``TOP_JUMP``, halved when it
stalls. :class:`FieldClimb` is the other way to climb the field, kept as the benchmark's reference
(it took the last mile in the sixth round): antithetic sampling (a natural evolution strategy,
as black-box attacks estimate a gradient they cannot compute): each step queries the field itself and ``PAIRS`` mirrored pairs ``field ± SIGMA·u``, for
random directions ``u``, in one batch. The difference of the class's log-odds across a pair says
how far along ``u`` the class gets better; the sum of those differences times their directions is
the estimate, and the field moves ``STEP`` along it (measured per entry). Both climbs only read the
probabilities the black box returned, and every image they ask for is queried and counted like any
other child.

The field is coarse on purpose: its 192 numbers (RGB) are few enough for a few queries to point
the way, and a change at 8 × 8 is a blob of colour that no single pixel carries (``bench/evolution.py
--only climb field`` compares other sizes: finer fields climbed fewer classes, from below and in
the last mile).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

#: The overlay's resolution, the mirrored pairs per step, the sampling radius and the step length,
#: in log-odds per field entry.
FIELD = 8
PAIRS = 5
SIGMA = 0.3
STEP = 0.2
#: The coordinate search's move per field entry, in log-odds (:class:`FieldSearch`), and its move
#: near the top (where a move of 6 overshoots).
JUMP = 6.0
TOP_JUMP = 2.0
#: A climb near the top that stalls halves its move, down to this share of the first.
SHRINK_FLOOR = 0.25
#: The elite's pixels are held within this margin of 0 and 1, where log-odds are finite.
MARGIN = 0.02

#: Each grey level's log-odds, held within MARGIN: a table, so a child costs no logarithms.
_LEVELS = np.clip(np.arange(256) / 255.0, MARGIN, 1.0 - MARGIN)
_LOGIT = torch.from_numpy(np.log(_LEVELS / (1.0 - _LEVELS)).astype(np.float32))


@dataclass(frozen=True, eq=False)
class Overlaid:
    """A genome with an overlay: ``base`` is the encoding's own genome, ``image`` what it renders
    to (uint8, C × H × W, shared by every child of one climb) and ``field`` the overlay
    (float32, C × FIELD × FIELD, log-odds)."""

    base: object
    image: np.ndarray
    field: np.ndarray


def plain(genome):
    """The encoding's own genome: mutation and crossover breed the pattern, not its overlay."""
    return genome.base if isinstance(genome, Overlaid) else genome


def render(genomes: list[Overlaid], device: torch.device | str = "cpu") -> torch.Tensor:
    """N × C × H × W float32 on ``device``, on the 8-bit grid (what a PNG would hold)."""
    device = torch.device(device)
    base = torch.from_numpy(np.stack([g.image for g in genomes])).to(device)
    field = torch.from_numpy(np.stack([g.field for g in genomes])).to(device)
    z = _LOGIT.to(device)[base.long()]
    z += F.interpolate(field, size=tuple(base.shape[2:]), mode="bilinear", align_corners=False)
    return torch.sigmoid_(z).mul_(255.0).round_().div_(255.0)


def describe(note: str, genome) -> str:
    """The genome's size in words, with its overlay when it has one."""
    return f"{note} + {FIELD}×{FIELD} overlay" if isinstance(genome, Overlaid) else note


class _FieldWalk:
    """What the two climbs share: an overlay on one elite, asked for in batches and told how the
    batch did.

    ``genome`` is the elite and ``image`` its uint8 image as the archive keeps it (H × W × 3, or
    H × W for grey); an elite that already carries an overlay is climbed on from its field. A fresh
    field is ``size`` × ``size`` (the search uses :data:`FIELD`; the benchmark compares others).
    """

    def __init__(self, genome, image: np.ndarray, size: int = FIELD) -> None:
        if isinstance(genome, Overlaid):
            base, image, field = genome.base, genome.image, genome.field.copy()
        else:
            image = np.asarray(image, np.uint8)
            image = image[None] if image.ndim == 2 else image.transpose(2, 0, 1)
            base, image = genome, np.ascontiguousarray(image)
            field = np.zeros((image.shape[0], size, size), np.float32)
        self.origin = genome
        self.base, self.image, self.field = base, image, field
        self._pending: np.ndarray | None = None
        self.steps = 0
        self.move = self.floor = 0.0  # how far one step moves an entry, and its least (set by each climb)

    def shrink(self) -> bool:
        """Halve the move after a stall (near the top a long one overshoots); False once it is at
        its floor."""
        if self.move <= self.floor * 1.0001:
            return False
        self.move *= 0.5
        return True

    @staticmethod
    def batch(pairs: int = PAIRS) -> int:
        """Children one step asks for: the field and its mirrored pairs."""
        return 2 * pairs + 1

    @staticmethod
    def pairs_for(children: int) -> int:
        """The most pairs that ``children`` images hold (0: too few for a step)."""
        return max(0, (children - 1) // 2)

    def follows(self, elite) -> bool:
        """True while ``elite`` is where the climb started or one of its own children (they share
        its image): a cell taken by a child from elsewhere is climbed afresh from that child."""
        return elite is self.origin or (isinstance(elite, Overlaid) and elite.image is self.image)

    @property
    def pending(self) -> bool:
        """True between :meth:`ask` and :meth:`tell`."""
        return self._pending is not None

    def _children(self, fields) -> list[Overlaid]:
        return [Overlaid(self.base, self.image, f) for f in fields]

    def tell(self, scores: np.ndarray) -> None:
        """``scores``: the class's log-odds for the children of the last :meth:`ask`, in order. The
        step is skipped when there are fewer (a Stop cut the batch short) or one is not finite."""
        pending, self._pending = self._pending, None
        scores = np.asarray(scores, np.float64)
        if pending is None or len(scores) != 2 * len(pending) + 1 or not np.isfinite(scores).all():
            return
        self.steps += 1
        k = len(pending)
        self._step(pending, scores[0], scores[1 : k + 1], scores[k + 1 :])

    def _step(self, pending: np.ndarray, here: float, plus: np.ndarray, minus: np.ndarray) -> None:
        """Move the field: ``here`` is the field's own score, ``plus`` and ``minus`` those of the
        two moves of each item of ``pending`` (what the last :meth:`ask` tried)."""
        raise NotImplementedError


class FieldClimb(_FieldWalk):
    """One class's last mile: the overlay moved by antithetic sampling (a natural evolution
    strategy), :data:`STEP` per entry along the estimated gradient of the log-odds."""

    def __init__(self, genome, image: np.ndarray, size: int = FIELD) -> None:
        super().__init__(genome, image, size)
        self.move, self.floor = STEP, SHRINK_FLOOR * STEP

    def ask(self, rng: np.random.Generator, pairs: int = PAIRS) -> list[Overlaid]:
        u = rng.standard_normal((max(1, pairs), *self.field.shape)).astype(np.float32)
        self._pending = u
        return self._children([self.field] + [self.field + SIGMA * d for d in u] + [self.field - SIGMA * d for d in u])

    def _step(self, u: np.ndarray, here: float, plus: np.ndarray, minus: np.ndarray) -> None:
        g = np.tensordot((plus - minus).astype(np.float32), u, axes=1)
        rms = float(np.sqrt(np.mean(g * g)))
        if rms > 0:
            self.field = self.field + np.float32(self.move / rms) * g


class FieldSearch(_FieldWalk):
    """One class's way up from a few per cent: a coordinate search on the overlay, in big steps.

    Each step tries ``pairs`` entries of the field, each moved by +``jump`` and by −``jump``
    (log-odds: a jump of 6 takes a mid-grey pixel to 99.8 % of full colour), beside the field itself;
    every entry whose better move beat the field is moved, all of them at once. The entries are
    visited in a shuffled order, every one before any is tried again. Big moves of one blob at a
    time climb where a gradient estimate from a few random directions is too faint to follow.
    """

    def __init__(self, genome, image: np.ndarray, size: int = FIELD, jump: float | None = None,
                 floor: float | None = None) -> None:
        super().__init__(genome, image, size)
        self.move = float(JUMP if jump is None else jump)
        self.floor = self.move if floor is None else float(floor)  # by default a stalled search steps aside
        self._order = np.zeros(0, np.int64)

    def _entries(self, rng: np.random.Generator, k: int) -> np.ndarray:
        while len(self._order) < k:
            self._order = np.concatenate([self._order, rng.permutation(self.field.size)])
        picked, self._order = self._order[:k], self._order[k:]
        return picked

    def ask(self, rng: np.random.Generator, pairs: int = PAIRS) -> list[Overlaid]:
        entries = self._entries(rng, min(max(1, pairs), self.field.size))
        self._pending = entries
        fields = [self.field]
        for sign in (1.0, -1.0):
            for e in entries:
                f = self.field.copy()
                f.flat[e] += np.float32(sign * self.move)
                fields.append(f)
        return self._children(fields)

    def _step(self, entries: np.ndarray, here: float, up: np.ndarray, down: np.ndarray) -> None:
        better = np.maximum(up, down) > here
        if better.any():
            field = self.field.copy()
            moves = np.where(up >= down, self.move, -self.move).astype(np.float32)
            field.flat[entries[better]] += moves[better]
            self.field = field
