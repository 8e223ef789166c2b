"""The evolution job: a generator that runs a search against the black box and yields frames."""

from __future__ import annotations

import time
from typing import Iterator, Sequence

import numpy as np
import torch

from ..jobs import CancelToken, RateMeter
from ..readable import goal_percent, percent
from . import overlay
from .blackbox import BlackBox, parse_targets, to_u8
from .encodings import make_encoding
from .frames import MAX_SHOWN_CELLS, EvolutionFrame, grid_cols, thumbnail, tile
from .overlay import Overlaid
from .params import EvolutionParams
from .render import CppnRenderer
from .search import Archive, GeneticAlgorithm, MapElites


def batch_renderer(enc, box: BlackBox) -> CppnRenderer | None:
    """CPPN images are rendered on the classifier's device when that is not the CPU: a GPU answers
    hundreds of images in the time numpy renders one. On a CPU, numpy renders one genome at a time
    (as fast as the batched renderer there, and the seeded runs stay as they were)."""
    if enc.name == "cppn" and box.device.type != "cpu":
        return CppnRenderer(enc, box.device)
    return None


class _CellMosaic:
    """The archive's mosaic: every cell in class order, or the best ones sorted by confidence when
    there are many. Rebuilt only when what it shows changed; a published array is never written."""

    def __init__(self, archive: Archive, thumb: int, cell: tuple[int, int], rgb: bool) -> None:
        self.archive, self.thumb, self.cell, self.rgb = archive, thumb, cell, rgb
        self.sorted = len(archive) > MAX_SHOWN_CELLS
        n = min(len(archive), MAX_SHOWN_CELLS)
        self.cols = grid_cols(n, 2.0)
        self._thumbs: dict[int, tuple[int, np.ndarray]] = {}
        self._key: tuple = ()
        self.shown: tuple[int, ...] = tuple(range(n)) if not self.sorted else ()
        self.mosaic = tile([None] * n, self.cols, cell, rgb=rgb)

    def _thumb(self, c: int) -> np.ndarray | None:
        a = self.archive
        if a.image[c] is None:
            return None
        v = int(a.version[c])
        hit = self._thumbs.get(c)
        if hit is None or hit[0] != v:
            hit = (v, thumbnail(a.image[c], self.thumb))
            self._thumbs[c] = hit
        return hit[1]

    def update(self) -> None:
        a = self.archive
        if self.sorted:
            filled = a.filled()
            order = filled[np.argsort(-a.fit[filled], kind="stable")][:MAX_SHOWN_CELLS]
            self.shown = tuple(int(c) for c in order)
        key = tuple((c, int(a.version[c])) for c in self.shown)
        if key != self._key:
            self._key = key
            n = min(len(a), MAX_SHOWN_CELLS)
            self.mosaic = tile([self._thumb(c) for c in self.shown] + [None] * (n - len(self.shown)),
                               self.cols, self.cell, rgb=self.rgb)


def evolution_job(
    model: torch.nn.Module,
    targets: Sequence[int] | None = None,
    params: EvolutionParams = EvolutionParams(),
    *,
    cancel: CancelToken | None = None,
    show: int = 24,
    thumb_size: int = 112,
    cell_thumb_size: int | None = None,
) -> Iterator[EvolutionFrame]:
    """Evolve images that ``model`` (seen only through a :class:`BlackBox`) labels as ``targets``
    (class indices; ``None``: parsed from ``params.target``).

    Yields one frame per generation; the last has ``done=True``. Stop is checked between the
    batches of a generation, so it takes effect within one forward pass; the images queried so far
    are counted and offered to the archive.
    """
    params = params.validated()
    cancel = cancel or CancelToken()
    box = BlackBox(model, batch_size=params.batch_size, engine=params.engine)
    if targets is None:
        targets = parse_targets(box.labels, params.target)
    targets = tuple(int(t) for t in targets)
    params.check_targets(targets, box.num_classes)
    rng = np.random.default_rng(params.seed)
    enc = make_encoding(params.encoding, box.channels, box.input_size, rate=params.mutation_rate,
                        operator=params.mutation, multiscale=params.multiscale)
    archive = Archive(targets)
    stones = (Archive(range(box.num_classes), images=False)
              if params.algorithm == "map-elites" and len(targets) < box.num_classes else None)
    search = (GeneticAlgorithm(params, enc) if params.algorithm == "ga" else MapElites(params, enc, archive, stones))
    pop_size = params.population_size
    n_show = min(show, pop_size)
    rgb = box.channels == 3
    pop_thumb = min(thumb_size, max(box.input_size))
    cell_thumb = min(cell_thumb_size or pop_thumb, max(box.input_size))

    def thumb_cell(t: int) -> tuple[int, int]:
        h, w = box.input_size
        s = t / max(h, w)
        return (max(1, round(h * s)), max(1, round(w * s)))

    pop_cols = grid_cols(n_show)
    cells = _CellMosaic(archive, cell_thumb, thumb_cell(cell_thumb), rgb)
    goal = params.stop_at if params.stop_at is not None else 0.99
    goal_count = params.goal_count(len(targets))
    hist_best: list[float] = []
    hist_mean: list[float] = []
    rate = RateMeter(window=8)
    counted = [0]  # queries already handed to the rate meter
    t_start = time.perf_counter()

    renderer = batch_renderer(enc, box)

    def render_batch(genomes: list) -> torch.Tensor:
        """N×C×H×W float32 on the 8-bit grid: patterns on the device with a batch renderer, else on
        the CPU (numpy renders one genome at a time); overlaid children all at once."""

        def patterns(gs: list) -> torch.Tensor:
            return renderer(gs) if renderer is not None else torch.from_numpy(np.stack([enc.render(g) for g in gs]))

        over = [i for i, g in enumerate(genomes) if isinstance(g, Overlaid)]
        if not over:
            return patterns(genomes)
        device = renderer.device if renderer is not None else torch.device("cpu")
        out = torch.empty((len(genomes), box.channels, *box.input_size), dtype=torch.float32, device=device)
        out[over] = overlay.render([genomes[i] for i in over], device)
        rest = [i for i, g in enumerate(genomes) if not isinstance(g, Overlaid)]
        if rest:
            out[rest] = patterns([genomes[i] for i in rest])
        return out

    def evaluate(genomes: list) -> tuple[list, np.ndarray, np.ndarray]:
        """Render and query in batches, checking Stop between them; returns what was queried (the
        images as float32, or as uint8 when rendered on the device: a quarter of the copy back)."""
        step = box.batch_size
        imgs, probs = [], []
        for i in range(0, len(genomes), step):
            if i and cancel.cancelled:
                break
            if renderer is not None:
                batch = render_batch(genomes[i : i + step])
                # Copied back as N×H×W×C, the layout a PNG and the mosaic want.
                u8 = (batch * 255.0).round().to(torch.uint8).permute(0, 2, 3, 1).contiguous()
                probs.append(box(batch))
                imgs.append(u8.cpu().numpy())
                continue
            chunk = render_batch(genomes[i : i + step]).numpy()
            imgs.append(chunk)
            probs.append(box(chunk))
        if not imgs:
            return [], np.zeros((0, box.channels, *box.input_size), np.float32), np.zeros((0, box.num_classes))
        imgs_a, probs_a = (imgs[0] if len(imgs) == 1 else np.concatenate(imgs)), np.concatenate(probs)
        if renderer is not None:
            imgs_a = imgs_a.transpose(0, 3, 1, 2)  # a view: N×C×H×W like the CPU path's
        return genomes[: len(imgs_a)], imgs_a, probs_a

    def images_per_second() -> float:
        new, counted[0] = box.queries - counted[0], box.queries
        return rate.tick(new)

    def frame(gen: int, done: bool, reason: str) -> EvolutionFrame:
        genomes, imgs, probs, fitness = search.shown()
        shown = list(range(min(n_show, len(genomes))))
        u8 = [to_u8(imgs[i]) for i in shown]
        pop_mosaic = tile([thumbnail(u, pop_thumb) for u in u8], pop_cols, thumb_cell(pop_thumb), rgb=rgb)
        top5 = np.argsort(-probs[shown], axis=1, kind="stable")[:, :5] if shown else np.zeros((0, 5), np.int64)
        top5p = np.take_along_axis(probs[shown], top5, axis=1) if shown else np.zeros((0, 5))
        cells.update()
        b = int(np.argmax(archive.fit))
        at_goal = int((archive.fit >= goal).sum())
        best = float(max(archive.fit[b], 0.0))
        return EvolutionFrame(
            step=gen, total=params.generations, done=done,
            message=(f"generation {gen}: {at_goal} classes at ≥ {goal_percent(goal)}, best {targets[b]} at {percent(best)}, "
                     f"{box.queries:,} images queried") + (f" ({reason})" if reason else ""),
            generation=gen, queries=box.queries, seconds=time.perf_counter() - t_start,
            images_per_second=images_per_second(), engine=box.engine.name, algorithm=params.algorithm,
            encoding=params.encoding, class_names=box.labels,
            population_mosaic=pop_mosaic, population_cols=pop_cols, population_images=tuple(u8),
            population_top5=top5, population_top5_probs=top5p,
            population_fitness=np.asarray(fitness[shown], dtype=np.float64),
            population_notes=tuple(overlay.describe(enc.complexity(overlay.plain(genomes[i])), genomes[i])
                                   for i in shown),
            targets=targets, cell_mosaic=cells.mosaic, cell_cols=cells.cols, cell_shown=cells.shown,
            cell_sorted=cells.sorted, cell_images=tuple(archive.image), cell_probs=np.maximum(archive.fit, 0.0),
            cell_top5=archive.top5.copy(), cell_top5_probs=archive.top5_probs.copy(),
            cell_generation=archive.generation.copy(), cell_queries=archive.queries.copy(),
            best_image=archive.image[b], best_target=targets[b], best_prob=best,
            history_best=np.asarray(hist_best, np.float64), history_mean=np.asarray(hist_mean, np.float64),
            reached=params.stop_at is not None and at_goal >= goal_count, stop_reason=reason,
            goal=goal, at_goal=at_goal, goal_count=goal_count,
        )

    def finished(gen: int) -> str:
        if params.stop_at is not None and int((archive.fit >= params.stop_at).sum()) >= goal_count:
            if goal_count == len(targets):
                return f"every target reached {goal_percent(params.stop_at)}"
            return f"{goal_count} classes reached {goal_percent(params.stop_at)}"
        if params.max_queries is not None and box.queries >= params.max_queries:
            return f"query budget of {params.max_queries:,} images spent"
        if gen >= params.generations:
            return f"{params.generations:,} generations done"
        return ""

    def budget(n: int) -> int:
        """How many children still fit in the query budget."""
        if params.max_queries is None:
            return n
        return max(0, min(n, params.max_queries - box.queries))

    gen = 0
    first = box.queries
    children, imgs, probs = evaluate(search.first(rng, budget(pop_size) or pop_size))
    improved = archive.offer(children, imgs, probs, gen, first)
    search.tell(children, imgs, probs, archive, improved, initial=True)
    while True:
        if stones is not None and len(search.shown()[0]):
            stones.offer(*search.shown()[:3], gen, 0)
        if len(search.shown()[0]):
            best, mean = search.history(archive)
            hist_best.append(best)
            hist_mean.append(mean)
        reason = finished(gen)
        if not reason and cancel.checkpoint():
            reason = "stopped"
        yield frame(gen, bool(reason), reason)
        if reason:
            return
        gen += 1
        n = budget(search.n_children())
        if n:
            first = box.queries
            children, imgs, probs = evaluate(search.ask(rng, n, archive))
            improved = archive.offer(children, imgs, probs, gen, first)
            search.tell(children, imgs, probs, archive, improved)
