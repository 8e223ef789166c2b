"""Many CPPN images in one pass, on the classifier's device.

:meth:`CppnEncoding.render` evaluates one graph node by node in numpy, which suits a CPU that
classifies four ImageNet images at a time. A GPU classifies hundreds of images in the time numpy
renders one, so there the graphs of a whole batch are evaluated together: each graph's nodes are
put in the order ``render`` uses (:meth:`CppnEncoding.node_order`) and padded to the longest graph
of the batch, so node *k* of every graph is computed by one batched product over the pixels:

* ``W`` (B × M × (I + M)): the weight into node *k* from each input and each earlier node;
* the inputs' share of every node is one matrix product with the coordinate planes; node *k* then
  adds ``W[:, k, I:I+k] @ V[:, :k]`` (the nodes before it) and applies its own activation;
* padding nodes have no inputs and no reader, so they change nothing.

The images are those of ``render`` up to float rounding: the sums run in another order, so a pixel
can land one grey level away (tests/core/test_cppn_render.py bounds how often).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from .encodings import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, Cppn, CppnEncoding, _hidden_act, _output_act

#: Activation codes: hidden ones first, then the outputs'.
_CODES = [(False, a) for a in HIDDEN_ACTIVATIONS] + [(True, a) for a in OUTPUT_ACTIVATIONS]
_CODE = {key: i for i, key in enumerate(_CODES)}
#: The node values of one pass (B × M × H·W floats) stay below this many bytes; a batch of larger
#: graphs is rendered in parts (400 graphs of 30 nodes at 224 × 224 would take 2.4 GB).
MAX_PASS_BYTES = 1 << 30


class CppnRenderer:
    """Renders a list of CPPN genomes of ``encoding`` as one N×C×H×W float32 tensor on ``device``,
    already on the 8-bit grid (what a PNG would hold), like :func:`blackbox.quantise`."""

    def __init__(self, encoding: CppnEncoding, device: torch.device | str = "cpu") -> None:
        self.enc = encoding
        self.device = torch.device(device)
        self._planes: dict[tuple[int, int], torch.Tensor] = {}

    def planes(self, size: tuple[int, int]) -> torch.Tensor:
        """The input nodes' values, I × (H·W), on the device."""
        if size not in self._planes:
            self._planes[size] = torch.from_numpy(np.stack(self.enc.input_planes(size))).to(self.device)
        return self._planes[size]

    def pack(self, genomes: Sequence[Cppn]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The batch as arrays: weights B × M × (I + M), activation codes B × M and, per output
        channel, the node index (0 … M−1) that holds it, B × C."""
        n_in, outputs = self.enc.n_inputs, self.enc.outputs
        orders = [self.enc.node_order(g) for g in genomes]
        m = max(len(o) for o in orders)
        weights = np.zeros((len(genomes), m, n_in + m), np.float32)
        codes = np.zeros((len(genomes), m), np.int64)
        out = np.zeros((len(genomes), len(outputs)), np.int64)
        for b, (g, order) in enumerate(zip(genomes, orders)):
            slot = {i: i for i in range(n_in)}
            for k, n in enumerate(order):
                slot[n] = n_in + k
                layer, act = g.nodes[n]
                codes[b, k] = _CODE[(layer >= 1.0, act)]
            for (a, d), w in g.conns.items():
                # As in render(): a node reads only the nodes computed before it.
                if a in slot and d in slot and slot[a] < slot[d]:
                    weights[b, slot[d] - n_in, slot[a]] += np.float32(w)
            out[b] = [slot[o] - n_in for o in outputs]
        return weights, codes, out

    @torch.inference_mode()
    def __call__(self, genomes: Sequence[Cppn], size: tuple[int, int] | None = None) -> torch.Tensor:
        size = tuple(size or self.enc.size)
        if not len(genomes):
            return torch.zeros((0, self.enc.channels, *size), device=self.device)
        nodes = max(len(g.nodes) for g in genomes)
        per_graph = 4 * nodes * size[0] * size[1]
        step = max(1, MAX_PASS_BYTES // per_graph)
        if len(genomes) > step:
            return torch.cat([self._render(genomes[i : i + step], size) for i in range(0, len(genomes), step)])
        return self._render(genomes, size)

    def _render(self, genomes: Sequence[Cppn], size: tuple[int, int]) -> torch.Tensor:
        w_np, codes_np, out_np = self.pack(genomes)
        n_in = self.enc.n_inputs
        w = torch.from_numpy(w_np).to(self.device)
        planes = self.planes(size)
        # Per node, the rows sorted by activation (one copy to the device, no waiting on it later):
        # each activation then runs once, on its own contiguous run of rows.
        order = np.argsort(codes_np, axis=0, kind="stable")  # B × M
        perm = torch.from_numpy(np.ascontiguousarray(order.T)).to(self.device)  # M × B
        # Every node's share from the inputs at once; node k then overwrites its row with its value.
        values = torch.matmul(w[:, :, :n_in], planes)  # B × M × P
        for k in range(w.shape[1]):
            z = values[:, k]
            if k:
                z = z + torch.bmm(w[:, k : k + 1, n_in : n_in + k], values[:, :k]).squeeze(1)
            col = codes_np[order[:, k], k]
            kinds, starts = np.unique(col, return_index=True)
            if len(kinds) == 1:
                is_output, act = _CODES[int(kinds[0])]
                values[:, k] = (_output_act if is_output else _hidden_act)(act, z, torch)
                continue
            zs = z.index_select(0, perm[k])
            ends = list(starts[1:]) + [len(col)]
            for code, a, b in zip(kinds, starts, ends):
                is_output, act = _CODES[int(code)]
                zs[a:b] = (_output_act if is_output else _hidden_act)(act, zs[a:b], torch)
            values[:, k].index_copy_(0, perm[k], zs)
        out = torch.from_numpy(out_np).to(self.device)
        img = values.gather(1, out[:, :, None].expand(-1, -1, values.shape[2]))
        return (img.clamp_(0.0, 1.0).mul_(255.0).round_().div_(255.0)).reshape(len(genomes), -1, *size)
