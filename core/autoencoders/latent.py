"""The code space: encode digits, decode codes, a 2-D map of the codes, and paths between them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import UserError
from ..models import frozen
from .models import AutoEncoder, to_tensor, to_u8


def encode(model: AutoEncoder, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Codes of (N, 28, 28) uint8 images, (N, latent) float32."""
    with frozen(model), torch.inference_mode():
        x = to_tensor(images, model.device)
        if len(x) == 0:
            return np.zeros((0, model.config.latent), np.float32)
        return torch.cat([model.encode(x[i:i + batch_size]).float().cpu()
                          for i in range(0, len(x), batch_size)]).numpy()


def decode(model: AutoEncoder, codes: np.ndarray) -> np.ndarray:
    """(N, latent) codes → (N, 28, 28) uint8 decoded digits."""
    with frozen(model), torch.inference_mode():
        z = torch.as_tensor(np.asarray(codes, dtype=np.float32), device=model.device)
        return to_u8(torch.sigmoid(model.decode_logits(z)))


@dataclass(frozen=True)
class LatentMap:
    """A 2-D picture of the codes: the codes themselves when there are two, else their PCA."""

    points: np.ndarray  # (N, 2)
    codes: np.ndarray  # (N, latent)
    mean: np.ndarray  # (latent,)
    components: np.ndarray  # (2, latent); rows orthonormal
    explained: float  # fraction of the codes' variance the two axes show
    exact: bool  # True when the latent space itself is 2-D (or smaller)

    def to_code(self, point: tuple[float, float] | np.ndarray) -> np.ndarray:
        """A code for a point of the plane (exact for a 2-D latent, the PCA plane otherwise)."""
        p = np.asarray(point, dtype=np.float64).reshape(-1, 2)
        return (self.mean + p @ self.components[:, : len(self.mean)]).astype(np.float32)

    def nearest(self, point: tuple[float, float]) -> int:
        d = ((self.points - np.asarray(point)) ** 2).sum(1)
        return int(np.argmin(d))


def latent_map(codes: np.ndarray) -> LatentMap:
    """The map of ``codes``; codes that are not finite numbers, or a PCA that does not converge,
    give one sentence."""
    c = np.asarray(codes, dtype=np.float64)
    if c.ndim != 2 or len(c) == 0:
        raise UserError("there are no codes to draw a map of.")
    if not np.isfinite(c).all():
        raise UserError("this autoencoder's codes are not finite numbers; the latent map cannot be drawn.")
    d = c.shape[1]
    if d <= 2:
        pts = np.zeros((len(c), 2))
        pts[:, :d] = c
        return LatentMap(pts.astype(np.float32), c.astype(np.float32), np.zeros(d), np.eye(2, d), 1.0, True)
    mean = c.mean(0)
    centred = c - mean
    try:
        _, s, vt = np.linalg.svd(centred, full_matrices=False)
    except np.linalg.LinAlgError:
        raise UserError("the codes' main directions could not be computed (the SVD did not converge).") from None
    comps = np.zeros((2, d))
    comps[: len(vt[:2])] = vt[:2]
    var = s ** 2
    explained = float(var[:2].sum() / max(var.sum(), 1e-12))
    return LatentMap((centred @ comps.T).astype(np.float32), c.astype(np.float32), mean, comps, explained, False)


def interpolate(model: AutoEncoder, code_a: np.ndarray, code_b: np.ndarray, steps: int = 10) -> np.ndarray:
    """Decoded digits along the straight line from code ``a`` to code ``b`` (both ends included)."""
    t = np.linspace(0, 1, max(2, steps))[:, None]
    return decode(model, (1 - t) * np.asarray(code_a)[None] + t * np.asarray(code_b)[None])
