"""What an autoencoder is and how it trains: the parameters, declared once (see ``core.params``).

:class:`AEConfig` names the network (architecture, code size, denoising noise, loss);
:class:`TrainParams` how it learns; :class:`DetectorParams` how strict the LIAR! detector is;
:class:`DenoiseParams` the noise of the denoising page. The tab's forms, the CLI's options and the
saved settings all derive from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..params import Params, param

ARCH_TITLES = {
    "dense": "Dense 784-code-784",
    "deep": "Deep dense, 3 layers each way",
    "conv": "Convolutional",
}
ARCHS = tuple(ARCH_TITLES)
LOSS_TITLES = {"bce": "binary cross-entropy per pixel", "mse": "mean squared error per pixel"}
LOSSES = tuple(LOSS_TITLES)
NOISE_TITLES = {"gaussian": "Gaussian", "saltpepper": "Salt and pepper"}
NOISE_KINDS = tuple(NOISE_TITLES)
OFF_MANIFOLD_KINDS = ("noise", "blobs", "shifted", "rotated", "fooling")
MAX_LATENT = 256
FORMAT = "fooling-lab-autoencoder"

#: Adam (batch size, learning rate) that reached the lowest validation loss after 50 epochs on the
#: bundled 8,000 digits (bench/autoencoder.py). Deep: batch 32 at 2e-3 gave 0.1016, 16 at 1e-3
#: 0.1029, 64 at 3e-3 0.1037, 32 at 1e-3 0.1077, 16 at 5e-4 0.1070.
#: "auto" batch size and learning rate (``None``) mean these, per architecture.
DEFAULT_TRAINING = {"dense": (16, 5e-4), "deep": (32, 2e-3), "conv": (32, 1e-3)}


@dataclass(frozen=True)
class AEConfig(Params):
    """Which autoencoder: architecture, code size, denoising noise (0 = plain) and loss."""

    SCHEMA = "autoencoder"

    arch: str = param("dense", "Network", choices=tuple(ARCH_TITLES.items()), cli="--arch",
                      help="the architecture: one dense layer each way, three dense layers, or convolutions")
    latent: int = param(32, "Code size", unit="numbers", minimum=1, maximum=MAX_LATENT, step=1,
                        help="how many numbers the code in the middle has (the blog's 32; 2 gives a map you can see)")
    noise: float = param(0.0, "Denoising noise", minimum=0.0, maximum=1.0, step=0.05, decimals=2,
                         help="train on digits corrupted this much, rebuilding the clean ones (0: a plain autoencoder)")
    noise_kind: str = param("gaussian", "Noise kind", choices=tuple(NOISE_TITLES.items()),
                            applies=lambda p: p.noise > 0, help="the corruption used for denoising")
    loss: str = param("bce", "Loss", choices=(("bce", "Cross-entropy"), ("mse", "Squared error")),
                      help="what counts as a bad reconstruction, per pixel")

    @property
    def denoising(self) -> bool:
        return self.noise > 0

    @property
    def name(self) -> str:
        """A short file-friendly name, e.g. ``dense32`` or ``conv32-denoise``."""
        base = f"{self.arch}{self.latent}"
        if self.denoising:
            base += "-denoise"
        if self.loss != "bce":
            base += f"-{self.loss}"
        return base

    @property
    def title(self) -> str:
        if self.arch == "dense":
            t = f"Dense 784-{self.latent}-784"
        elif self.arch == "deep":
            t = f"Deep dense 784-128-64-{self.latent}-64-128-784"
        else:
            t = f"Convolutional, code of {self.latent}"
        if self.denoising:
            t += f", denoising ({self.noise_kind} noise {self.noise:g})"
        return t


@dataclass(frozen=True)
class TrainParams(Params):
    """How an autoencoder learns. Batch size and learning rate left on auto follow the architecture
    (:data:`DEFAULT_TRAINING`)."""

    SCHEMA = "autoencoder-training"

    epochs: int = param(20, "Epochs", minimum=1, maximum=10_000, step=1,
                        help="passes over the training digits")
    batch_size: int | None = param(None, "Batch size", unit="digits", minimum=1, maximum=65_536, step=1,
                                   none_text="auto",
                                   help="digits per step (auto: 16 for dense, 32 for deep and conv)")
    lr: float | None = param(None, "Learning rate", minimum=0.0, exclusive_minimum=True, maximum=0.999,
                             step=1e-4, decimals=5, none_text="auto",
                             help="Adam's step size (auto: per architecture, 5e-4 to 2e-3)")
    seed: int = param(0, "Seed", minimum=0, maximum=2**32 - 1, step=1, gui=False,
                      help="the random seed for the weights, the data order and the noise")

    def resolved(self, arch: str) -> tuple[int, float]:
        """(batch size, learning rate) with auto replaced by the architecture's rule."""
        batch, lr = DEFAULT_TRAINING.get(arch, DEFAULT_TRAINING["dense"])
        return (self.batch_size if self.batch_size is not None else batch,
                self.lr if self.lr is not None else lr)


def default_params(arch: str, epochs: int | None = None, **overrides) -> TrainParams:
    """The training settings the tab and the shipped weights use for ``arch``, auto made explicit."""
    base = TrainParams() if epochs is None else TrainParams(epochs=epochs)
    batch, lr = base.resolved(arch)
    return base.replace(**{"batch_size": batch, "lr": lr, **overrides})


@dataclass(frozen=True)
class DetectorParams(Params):
    """How strict the LIAR! detector is, and how many off-manifold images its test makes."""

    SCHEMA = "autoencoder-detector"

    k: float = param(3.0, "Threshold k", minimum=0.0, maximum=20.0, step=0.25, decimals=2,
                     help="an image is a liar when its loss is above mean + k·std of the validation digits' losses")
    images_per_kind: int = param(200, "Images per kind", minimum=10, maximum=5000, step=10,
                                 help="off-manifold images of each kind made to measure the ROC curve")


@dataclass(frozen=True)
class DenoiseParams(Params):
    """The noise the denoising page adds to validation digits."""

    SCHEMA = "autoencoder-denoising"

    noise: float = param(0.5, "Noise factor", minimum=0.0, maximum=1.0, step=0.05, decimals=2,
                         help="Gaussian: x + factor·N(0, 1), clipped; salt and pepper: the share of pixels hit")
    noise_kind: str = param("gaussian", "Noise kind", choices=tuple(NOISE_TITLES.items()),
                            help="the corruption added to the digits")


DEFAULT_K = DetectorParams().k
