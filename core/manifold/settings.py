"""What the lecturer chooses for the manifold toy and the dimension sweep, declared once.

Every default and limit lives here; the tab's forms, the ``manifold`` command's options, the saved
settings and scene files are all derived from these two dataclasses (see :mod:`core.params`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ..params import Params, param

CURVES = ("sine", "line", "circle", "spiral")
CURVE_TITLES = {"sine": "Sine wave", "line": "Straight line", "circle": "Circle arc", "spiral": "Spiral"}
ACTIVATIONS = ("relu", "tanh", "gelu", "silu")


@dataclass(frozen=True)
class ToyParams(Params):
    """The 2-D toy: the curve, the points drawn near it, and the network that separates them."""

    SCHEMA = "manifold-toy"

    curve: str = param("sine", "Curve", choices=tuple((c, CURVE_TITLES[c]) for c in CURVES),
                       help="the one-dimensional data manifold, drawn in the plane")
    n_points: int = param(200, "Points", minimum=10, maximum=5000, step=10, cli="--points",
                          help="training points drawn along the curve")
    noise: float = param(0.03, "Width off the curve", minimum=0, maximum=0.5, step=0.005, decimals=3,
                         help="standard deviation of each point's distance from the curve (along its normal)")
    segments: int = param(2, "Pieces along the curve", minimum=2, maximum=12,
                          help="the curve is cut into this many pieces, yellow and blue in turn")
    hidden: tuple[int, ...] = param((32, 32), "Hidden layers", minimum=1, maximum=1024, max_items=6,
                                    help="units per hidden layer, comma-separated, e.g. 16 or 64,64,64")
    activation: str = param("relu", "Activation", choices=ACTIVATIONS, help="the hidden layers' non-linearity")
    weight_decay: float = param(1e-4, "Weight decay", minimum=0, maximum=1, step=0.0005, decimals=4,
                                help="AdamW's decoupled weight decay")
    epochs: int = param(300, "Epochs", minimum=1, maximum=100_000, step=50,
                        help="full-batch training steps")
    lr: float = param(0.01, "Learning rate", minimum=0, exclusive_minimum=True, maximum=1, step=0.005,
                      decimals=4, help="AdamW's step size")
    seed: int = param(0, "Seed", minimum=0, maximum=2**31 - 1,
                      help="draws the points and the network's first weights")


@dataclass(frozen=True)
class SweepParams(ToyParams):
    """The dimension sweep: the toy's curve and network, embedded in D dimensions, one D at a time."""

    SCHEMA = "manifold-sweep"

    dims: tuple[int, ...] = param((2, 5, 10, 20, 50, 100, 200, 500, 1000), "Dimensions D", minimum=2,
                                  maximum=1000, max_items=16, help="dimensions to try, comma-separated")
    extra_noise: float = param(0.0, "Extra noise", minimum=0, maximum=0.5, step=0.01,
                               decimals=3, help="standard deviation of the noise in each of the D − 2 extra "
                                                "dimensions")
    eps: float = param(0.05, "ε per coordinate", minimum=0, exclusive_minimum=True, maximum=2, step=0.01,
                       decimals=3, help="the per-coordinate (L∞) step size for “fooled by ε”")

    def toy(self) -> ToyParams:
        """The toy's part of these settings (the network trained in each dimension)."""
        return ToyParams(**{f.name: getattr(self, f.name) for f in fields(ToyParams)})
