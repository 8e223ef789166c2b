"""The networks (dense, deep, convolutional), the per-pixel loss, and digits ⇄ tensors with noise.

Images here are 28×28 uint8 arrays, white digit on black, like MNIST; tensors are N×1×28×28 floats
in [0, 1]. The model returns logits; :meth:`AutoEncoder.reconstruct` applies the sigmoid.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..errors import UserError
from ..jobs import to_uint8_image
from .config import AEConfig


class AutoEncoder(nn.Module):
    """Encoder → code of ``latent`` numbers → decoder, returning per-pixel logits.

    The code layer is linear. The blog puts a ReLU there, but on the bundled 8,000 digits some code
    units then die for good: dense-32 reaches a validation BCE of 0.099 with a ReLU code and 0.095
    with a linear one (50 epochs, same settings), and a 2-D code can use the whole plane.
    """

    def __init__(self, config: AEConfig = AEConfig()) -> None:
        super().__init__()
        self.config = config = config.validated()
        z = config.latent
        if config.arch == "dense":
            self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, z))
            self.decoder = nn.Sequential(nn.Linear(z, 784), nn.Unflatten(1, (1, 28, 28)))
        elif config.arch == "deep":
            self.encoder = nn.Sequential(
                nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                nn.Linear(64, z),
            )
            self.decoder = nn.Sequential(
                nn.Linear(z, 64), nn.ReLU(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 784),
                nn.Unflatten(1, (1, 28, 28)),
            )
        else:
            self.encoder = nn.Sequential(
                nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # 16×14×14
                nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # 32×7×7
                nn.Flatten(), nn.Linear(32 * 7 * 7, z),
            )
            self.decoder = nn.Sequential(
                nn.Linear(z, 32 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (32, 7, 7)),
                nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.ReLU(),  # 16×14×14
                nn.ConvTranspose2d(16, 16, 4, stride=2, padding=1), nn.ReLU(),  # 16×28×28
                nn.Conv2d(16, 1, 3, padding=1),
            )

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self(x))

    @torch.no_grad()
    def start_at_mean(self, mean: torch.Tensor) -> None:
        """Set the output bias so that an untrained model rebuilds every digit as the average digit
        ``mean`` (1×28×28 in [0, 1]); the convolutional decoder has one bias: the average ink.

        With a bias of 0 the untrained output is grey 0.5 everywhere and the code has to darken the
        background first: a 2-number code then spends both numbers on that (they end up mirror
        images of each other, about ±10 for every digit) and every digit comes back as the same
        blob. Starting from the average digit leaves the code free for what tells digits apart.
        """
        last = self.decoder[-2] if isinstance(self.decoder[-1], nn.Unflatten) else self.decoder[-1]
        p = mean.to(last.bias.device, torch.float32).flatten()
        if last.bias.numel() != p.numel():
            p = p.mean().expand_as(last.bias)
        p = p.clamp(1e-3, 1 - 1e-3)
        last.bias.copy_(torch.log(p / (1 - p)))


def per_image_loss(logits: torch.Tensor, target: torch.Tensor, loss: str = "bce") -> torch.Tensor:
    """Reconstruction loss of each image, averaged over its pixels (Keras' convention)."""
    if loss == "bce":
        per_pixel = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    elif loss == "mse":
        per_pixel = (torch.sigmoid(logits) - target) ** 2
    else:
        raise UserError(f"unknown loss “{loss}”; choose bce or mse.")
    return per_pixel.flatten(1).mean(1)


def to_tensor(images: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """(N, 28, 28) or (28, 28) uint8 → N×1×28×28 float in [0, 1]."""
    arr = np.asarray(images)
    if arr.ndim == 2:
        arr = arr[None]
    return torch.from_numpy(np.array(arr, dtype=np.uint8, copy=True)).to(device).float().div_(255)[:, None]


def to_u8(x: torch.Tensor) -> np.ndarray:
    """N×1×28×28 float in [0, 1] → (N, 28, 28) uint8 (each image through ``jobs.to_uint8_image``)."""
    if len(x) == 0:
        return np.zeros((0, *x.shape[2:]), np.uint8)
    return np.stack([to_uint8_image(img) for img in x])


def add_noise(x: torch.Tensor, factor: float, kind: str = "gaussian",
              generator: torch.Generator | None = None) -> torch.Tensor:
    """The blog's corruption: ``x + factor·N(0, 1)`` clipped to [0, 1], or salt-and-pepper where a
    fraction ``factor`` of the pixels turns black or white."""
    if factor <= 0:
        return x
    if kind == "gaussian":
        noise = torch.randn(x.shape, generator=generator, device=x.device)
        return (x + factor * noise).clamp_(0, 1)
    if kind == "saltpepper":
        u = torch.rand(x.shape, generator=generator, device=x.device)
        salt = torch.rand(x.shape, generator=generator, device=x.device) < 0.5
        out = x.clone()
        hit = u < factor
        out[hit & salt] = 1.0
        out[hit & ~salt] = 0.0
        return out
    raise UserError(f"unknown noise “{kind}”; choose gaussian or saltpepper.")


def noisy_images(images: np.ndarray, factor: float, kind: str = "gaussian", seed: int = 0) -> np.ndarray:
    """Noisy copies of (N, 28, 28) uint8 digits, for the denoising rows."""
    g = torch.Generator().manual_seed(seed)
    return to_u8(add_noise(to_tensor(images), factor, kind, g))
