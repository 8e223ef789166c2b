"""A small evolution strategy on one CPPN graph's weights, for the focused search's ``climb="es"``:
children are the mean plus Gaussian noise, the mean moves toward the better children, and the step
size follows cumulative step-size adaptation (the isotropic core of CMA-ES)."""

from __future__ import annotations

import numpy as np

#: The step size's limits (CPPN weights lie in ±20).
SIGMA_MIN, SIGMA_MAX = 0.1, 4.0


class Strategy:
    """A (μ/μ_w, λ)-ES with cumulative step-size adaptation on one CPPN graph's weights."""

    def __init__(self, genome, keys: tuple, mean: np.ndarray, sigma: float, scale: np.ndarray) -> None:
        self.genome, self.keys, self.mean, self.sigma, self.scale = genome, keys, mean, sigma, scale
        self.ps = np.zeros_like(mean)
        self.z: list[np.ndarray] = []

    def sample(self, enc, rng: np.random.Generator):
        z = rng.standard_normal(len(self.mean))
        self.z.append(z)
        return enc.with_weights(self.genome, self.keys, self.mean + self.sigma * self.scale * z)

    def restart_at(self, elite, enc) -> None:
        """Back to the best image found, with half the step: the strategy wandered off."""
        if elite.nodes is self.genome.nodes:
            self.mean = enc.weights(elite)[1]
        self.sigma = max(SIGMA_MIN, self.sigma * 0.5)
        self.ps = np.zeros_like(self.mean)

    def update(self, scores: np.ndarray) -> None:
        """``scores``: the log-probability of the class for each sample since the last update."""
        z = np.asarray(self.z[: len(scores)])
        self.z = []
        lam = len(scores)
        if lam < 2:
            return
        mu = lam // 2
        w = np.log(mu + 0.5) - np.log(np.arange(1, mu + 1))
        w /= w.sum()
        mu_eff = 1.0 / float((w * w).sum())
        best = np.argsort(-scores, kind="stable")[:mu]
        step = w @ z[best]
        n = len(self.mean)
        c_s = (mu_eff + 2.0) / (n + mu_eff + 5.0)
        d_s = 1.0 + c_s + 2.0 * max(0.0, np.sqrt((mu_eff - 1.0) / (n + 1.0)) - 1.0)
        self.mean = self.mean + self.sigma * self.scale * step
        self.ps = (1 - c_s) * self.ps + np.sqrt(c_s * (2 - c_s) * mu_eff) * step
        chi = np.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n))
        self.sigma = float(np.clip(self.sigma * np.exp(c_s / d_s * (np.linalg.norm(self.ps) / chi - 1)),
                                   SIGMA_MIN, SIGMA_MAX))
