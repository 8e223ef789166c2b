"""The data-manifold toy: why a tiny step fools a classifier, and how the gap grows with dimension.

Natural data occupy a thin, smooth, low-dimensional part of feature space. Here that part is a
1-D curve in the plane (line, sine wave, circle arc, spiral), split into two classes along its
length. A small MLP learns to separate them; off the curve it may draw its boundary wherever it
likes, so the shortest step that changes its answer usually *leaves* the curve and is short, while
a real change of class needs a long walk *along* the curve.

Everything is measured, nothing assumed. The package is split along its seams:

* :mod:`.settings` — :class:`ToyParams` and :class:`SweepParams`, every default and limit once;
* :mod:`.curves` — :class:`Curve` by arc length, the points drawn near it, walks along it;
* :mod:`.mlp` — the MLP, its training loop, and :class:`ToyNet`, a frozen copy any thread can query;
* :mod:`.perturb` — :func:`minimal_perturbation` (DeepFool, then a walk on the boundary towards the
  foot of the perpendicular, every result verified to flip) and the tangent/normal split;
* :mod:`.toy` — :func:`train_job` (the probability map as it forms) and :func:`analyse_point`;
* :mod:`.sweep` — :func:`dimension_sweep_job`, the same curve embedded in D dimensions.

The toy knows nothing of the image classifiers (an import contract keeps it so); random images
shown to those classifiers are :mod:`core.random_images`.
"""

from .curves import Curve, ToyData, class_along, make_data, on_manifold_distance, walk_end
from .mlp import ToyNet, build_mlp, train_mlp
from .perturb import (
    NORMS, PointStats, minimal_perturbation, nearest_other, normal_fraction, point_stats, split_tangent_normal,
)
from .settings import ACTIVATIONS, CURVE_TITLES, CURVES, SweepParams, ToyParams
from .sweep import DimResult, SweepFrame, dimension_sweep_job, embed_data, evaluate_dim, sweep_summary, trend
from .toy import EXTENT, GRID, PointAnalysis, ToyFrame, analyse_point, grid_coords, train_job

__all__ = [
    "ACTIVATIONS", "CURVES", "CURVE_TITLES", "EXTENT", "GRID", "NORMS",
    "Curve", "DimResult", "PointAnalysis", "PointStats", "SweepFrame", "SweepParams", "ToyData", "ToyFrame",
    "ToyNet", "ToyParams",
    "analyse_point", "build_mlp", "class_along", "dimension_sweep_job", "embed_data", "evaluate_dim",
    "grid_coords", "make_data", "minimal_perturbation", "nearest_other", "normal_fraction",
    "on_manifold_distance", "point_stats", "split_tangent_normal", "sweep_summary", "train_job", "train_mlp", "trend", "walk_end",
]
