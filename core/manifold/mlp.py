"""The toy's classifier: a small MLP, its training loop, and a thread-safe frozen copy."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator, Sequence

import numpy as np
import torch
from torch import nn

from ..jobs import CancelToken
from .settings import ToyParams

_ACT = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "silu": nn.SiLU}


def build_mlp(d_in: int, hidden: Sequence[int], activation: str, gen: torch.Generator | None = None) -> nn.Sequential:
    """An MLP with one output logit (>0 means blue), initialised from ``gen`` like torch's default."""
    layers: list[nn.Module] = []
    sizes = [d_in, *hidden, 1]
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        lin = nn.Linear(a, b)
        bound = 1 / math.sqrt(a)
        with torch.no_grad():
            lin.weight.copy_((torch.rand(b, a, generator=gen) * 2 - 1) * bound)
            lin.bias.copy_((torch.rand(b, generator=gen) * 2 - 1) * bound)
        layers.append(lin)
        if i < len(hidden):
            layers.append(_ACT[activation]())
    return nn.Sequential(*layers)


@dataclass(frozen=True)
class ToyNet:
    """A trained (or training) classifier frozen as numpy weights: safe to hand to any thread."""

    d_in: int
    hidden: tuple[int, ...]
    activation: str
    weights: tuple[np.ndarray, ...] = field(repr=False)

    @staticmethod
    def from_module(net: nn.Sequential, d_in: int, hidden: Sequence[int], activation: str) -> "ToyNet":
        ws = tuple(t.detach().cpu().numpy().copy() for t in net.state_dict().values())
        return ToyNet(d_in=d_in, hidden=tuple(hidden), activation=activation, weights=ws)

    @cached_property
    def module(self) -> nn.Sequential:
        net = build_mlp(self.d_in, self.hidden, self.activation)
        keys = list(net.state_dict())
        net.load_state_dict({k: torch.from_numpy(w.copy()) for k, w in zip(keys, self.weights)})
        net.eval().requires_grad_(False)
        return net

    def logit(self, x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self.module(torch.as_tensor(np.atleast_2d(x), dtype=torch.float32)).squeeze(-1).numpy()

    def prob(self, x: np.ndarray) -> np.ndarray:
        """Probability of blue (class 1)."""
        return 1 / (1 + np.exp(-self.logit(x)))


def train_mlp(x: np.ndarray, y: np.ndarray, params: ToyParams, *, cancel: CancelToken | None = None,
              every: int | None = None) -> Iterator[tuple[int, nn.Sequential, float]]:
    """Full-batch AdamW on binary cross-entropy; yields (epoch, net, loss) every ``every`` epochs
    and after the last. Enters grad mode itself (safe in any thread)."""
    gen = torch.Generator().manual_seed(params.seed)
    net = build_mlp(x.shape[1], params.hidden, params.activation, gen)
    xt = torch.as_tensor(x, dtype=torch.float32)
    yt = torch.as_tensor(y, dtype=torch.float32)
    ps = list(net.parameters())
    # AdamW written out: torch.optim's first step costs seconds of one-off set-up in a fresh process
    m1 = [torch.zeros_like(p) for p in ps]
    m2 = [torch.zeros_like(p) for p in ps]
    b1, b2, lr = 0.9, 0.999, params.lr
    loss_fn = nn.BCEWithLogitsLoss()
    every = every or params.epochs
    with torch.enable_grad():
        for epoch in range(1, params.epochs + 1):
            loss = loss_fn(net(xt).squeeze(-1), yt)
            grads = torch.autograd.grad(loss, ps)
            with torch.no_grad():
                c1, c2 = 1 - b1 ** epoch, 1 - b2 ** epoch
                for p, g, a, v in zip(ps, grads, m1, m2):
                    p.mul_(1 - lr * params.weight_decay)
                    a.mul_(b1).add_(g, alpha=1 - b1)
                    v.mul_(b2).addcmul_(g, g, value=1 - b2)
                    p.addcdiv_(a, (v / c2).sqrt_().add_(1e-8), value=-lr / c1)
            if epoch % every == 0 or epoch == params.epochs:
                yield epoch, net, float(loss.detach())
                if cancel is not None and cancel.checkpoint():
                    return
