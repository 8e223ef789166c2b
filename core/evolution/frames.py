"""What the evolution job hands to the window, the CLI and the tests: frames, mosaics, summaries."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from PIL import Image

from ..jobs import Frame

#: Images the paper's MAP-Elites run queried (400 children × 5,001 generations ≈ 2 million).
PAPER_QUERIES = 2_000_000
#: With more targets than this, the cell mosaic shows the best ones, sorted by confidence.
MAX_SHOWN_CELLS = 40


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
    engine: str = "torch"  # what answered the queries ("onnx": ONNX Runtime, see core/inference)
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
    cell_mosaic: np.ndarray = field(default=None, repr=False)  # the shown cells, in ``cell_shown`` order
    cell_cols: int = 1
    cell_shown: tuple[int, ...] = ()  # cell indices in the mosaic: all of them, or the best ones sorted
    cell_sorted: bool = False  # True when the mosaic shows the best cells, most convincing first
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
    # the goal: ``at_goal`` of the targets have an image at ≥ ``goal``; the run ends at ``goal_count``
    goal: float = 0.99
    at_goal: int = 0
    goal_count: int = 0
    paper_queries: int = PAPER_QUERIES


# -------------------------------------------------------------------------------------- mosaics
def thumbnail(img: np.ndarray, size: int) -> np.ndarray:
    """A square-ish uint8 thumbnail no larger than ``size`` (never enlarged)."""
    h, w = img.shape[:2]
    if max(h, w) <= size:
        return img
    if h % size == 0 and w % size == 0 and h == w:
        # The mean of each f × f block (Pillow's reduce: 19× faster than a numpy mean over
        # strided axes, which cost 3 ms an image and slowed a GPU run's frames).
        return np.asarray(Image.fromarray(img).reduce(h // size), dtype=np.uint8)
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
        "stop_reason": last.stop_reason, "goal": last.goal, "classes_at_goal": int(last.at_goal),
        "engine": last.engine,
        # Over every target, empty cells counting as 0 (the paper's figure: median over 1,000 classes).
        "median_best_prob": float(np.median(last.cell_probs)) if len(last.cell_probs) else 0.0,
    }
